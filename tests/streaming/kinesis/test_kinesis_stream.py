"""``KinesisUtils.createStream`` against moto's Kinesis and DynamoDB: records arrive exactly
once and in order per shard, TRIM_HORIZON and LATEST, the lease table's checkpoints are the
last stored records and a restarted application resumes after them, receivers of one
application share the shards, resharding reads parents before children, the decoder's
failures are counted; bad arguments fail at ``createStream``."""

from __future__ import annotations

import sys

import pytest
from kinesis_helpers import REGION, Run, fast_conf, lines, unique, wait_until

from sparklet.streaming import StreamingContext
from sparklet.streaming.kinesis import InitialPositionInStream, KinesisUtils, MetricsLevel

TRIM, LATEST = InitialPositionInStream.TRIM_HORIZON, InitialPositionInStream.LATEST


def in_shard_order(got: list[str], per_shard: dict[str, list[bytes]]) -> bool:
    """Whether each shard's records appear in ``got`` in the shard's order."""
    index = {v: i for i, v in enumerate(got)}
    return all([index[b.decode()] for b in records] == sorted(index[b.decode()]
                                                             for b in records)
               for records in per_shard.values())


# -- without a server ----------------------------------------------------------------------

def test_bad_arguments_fail_at_create_stream(sc):
    ssc = StreamingContext(sc, 1)
    args = ("app", "stream", "http://127.0.0.1:9", REGION, TRIM, 2)

    def create(*a, **kw):
        return KinesisUtils.createStream(ssc, *a, **kw)

    with pytest.raises(ValueError, match="initialPositionInStream"):
        create("app", "s", "http://127.0.0.1:9", REGION, 5, 2)
    with pytest.raises(ValueError, match="initialPositionInStream"):
        create("app", "s", "http://127.0.0.1:9", REGION, "LATEST", 2)
    for bad in (0, -1, "soon"):
        with pytest.raises(ValueError, match="checkpointInterval"):
            create("app", "s", "http://127.0.0.1:9", REGION, TRIM, bad)
    with pytest.raises(ValueError, match="kinesisAppName"):
        create("", "s", "http://127.0.0.1:9", REGION, TRIM, 2)
    with pytest.raises(ValueError, match="streamName"):
        create("app", None, "http://127.0.0.1:9", REGION, TRIM, 2)
    with pytest.raises(ValueError, match="together"):
        create(*args, awsAccessKeyId="a")
    with pytest.raises(ValueError, match="stsAssumeRoleArn"):
        create(*args, stsSessionName="s")
    with pytest.raises(ValueError, match="metricsLevel"):
        create(*args, metricsLevel=7)
    with pytest.raises(TypeError, match="decoder"):
        create(*args, decoder="utf-8")
    with pytest.raises(TypeError, match="storageLevel"):
        create(*args, storageLevel="MEMORY")
    assert ssc._graph.receiver_input_streams == []
    # PySpark's positional order: metricsLevel comes before storageLevel.
    create(*args, MetricsLevel.SUMMARY)
    assert len(ssc._graph.receiver_input_streams) == 1


def test_a_missing_boto3_names_the_extra(sc, monkeypatch):
    monkeypatch.setitem(sys.modules, "boto3", None)
    with pytest.raises(ImportError, match=r"pip install 'sparklet\[kinesis\]'"):
        KinesisUtils.createStream(StreamingContext(sc, 1), "app", "s", None, REGION, TRIM, 2)


# -- against moto --------------------------------------------------------------------------

def test_records_arrive_exactly_once_in_shard_order_and_are_checkpointed(kinesis,
                                                                          kinesis_ctx):
    stream, app = kinesis.create(shards=3), unique("app")
    per_shard = kinesis.put(stream, lines("a", 600), shards=3)
    run = Run(kinesis_ctx, kinesis.url, app, stream)
    try:
        run.wait(600)
    finally:
        got = run.stop()
    assert sorted(got) == sorted(b.decode() for b in lines("a", 600))
    assert in_shard_order(got, per_shard)
    assert "a värde 0" in got  # utf8_decoder: str records
    # The lease table: one item per shard, released on a clean stop, each checkpoint the
    # sequence number of the shard's last record.
    leases = kinesis.leases(app)
    assert sorted(leases) == sorted(per_shard)
    for shard_id, item in leases.items():
        it = kinesis.client.get_shard_iterator(StreamName=stream, ShardId=shard_id,
                                               ShardIteratorType="TRIM_HORIZON")
        records = kinesis.client.get_records(ShardIterator=it["ShardIterator"])["Records"]
        assert item["checkpoint"] == records[-1]["SequenceNumber"]
        assert "leaseOwner" not in item and int(item["leaseCounter"]) >= 1


def test_a_restarted_application_resumes_after_its_checkpoints(kinesis, kinesis_ctx):
    stream, app = kinesis.create(shards=2), unique("app")
    kinesis.put(stream, lines("first", 300), shards=2)
    run = Run(kinesis_ctx, kinesis.url, app, stream)
    try:
        run.wait(300)
    finally:
        first = run.stop()
    assert sorted(first) == sorted(b.decode() for b in lines("first", 300))
    kinesis.put(stream, lines("second", 200), shards=2)
    # TRIM_HORIZON applies only to shards without a checkpoint: nothing is read twice.
    run = Run(kinesis_ctx, kinesis.url, app, stream, decoder=lambda b: b)
    try:
        run.wait(200)
    finally:
        second = run.stop()
    assert sorted(second) == sorted(lines("second", 200))


def test_latest_skips_what_was_there_before(kinesis, kinesis_ctx):
    stream, app = kinesis.create(shards=1), unique("app")
    kinesis.put(stream, lines("old", 50))
    run = Run(kinesis_ctx, kinesis.url, app, stream, position=LATEST)
    try:
        # Until the receiver reads at LATEST, what is put may come before its iterator:
        # put markers until one arrives, then the records.
        n = 0
        while not wait_until(lambda: run.count() > 0, 0.5):
            kinesis.put(stream, [f"marker {n}".encode()])
            n += 1
            assert n < 120, run.events.errors
        kinesis.put(stream, lines("new", 100))
        assert wait_until(lambda: sum(r.startswith("new") for r in run.records) == 100)
    finally:
        got = run.stop()
    assert not [r for r in got if r.startswith("old")]
    assert sorted(r for r in got if r.startswith("new")) == sorted(
        b.decode() for b in lines("new", 100))


def test_two_receivers_of_an_application_share_the_shards(kinesis, make_context):
    stream, app = kinesis.create(shards=4), unique("app")
    # Lease rounds come every third of the failover time; a lease expires after three
    # missed renewals: long enough that a loaded machine does not expire a busy receiver's
    # leases, so the shards are shared by the fair-share steal, not by expiry.
    conf = fast_conf("local[3]", **{"spark.sparklet.kinesis.failoverTime": "15s"})
    run = Run(make_context(conf), kinesis.url, app, stream, receivers=2)
    try:
        def balanced() -> bool:
            owners = [i.get("leaseOwner") for i in kinesis.leases(app).values()]
            return len(owners) == 4 and None not in owners and sorted(
                owners.count(o) for o in set(owners)) == [2, 2]

        assert wait_until(balanced), (kinesis.leases(app), run.events.errors)
        # A receiver learns that a lease was taken from it at its next round: until every
        # lease has been renewed by its new owner since, the old one may still read it
        # (at least once, as the KCL). Then each shard has one reader.
        counters = {k: int(i["leaseCounter"]) for k, i in kinesis.leases(app).items()}
        assert wait_until(lambda: balanced() and all(
            int(i["leaseCounter"]) > counters[k] for k, i in kinesis.leases(app).items())), \
            kinesis.leases(app)
        per_shard = kinesis.put(stream, lines("s", 800), shards=4)
        run.wait(800)
    finally:
        got = run.stop()
    assert sorted(got) == sorted(b.decode() for b in lines("s", 800))
    assert in_shard_order(got, per_shard)


def test_split_and_merge_read_parents_to_their_end_before_children(kinesis, kinesis_ctx):
    """moto routes every record put after a reshard to the (closed) parent shard, so the
    records here are put before each reshard; what is checked is that nothing is lost and
    that a child's lease is taken only once its parents are checkpointed SHARD_END."""
    stream, app = kinesis.create(shards=1), unique("app")
    kinesis.put(stream, lines("a", 100))
    run = Run(kinesis_ctx, kinesis.url, app, stream)
    try:
        run.wait(100)
        kinesis.put(stream, lines("b", 100))
        (parent,) = kinesis.shards(stream)
        kinesis.client.split_shard(StreamName=stream, ShardToSplit=parent["ShardId"],
                                   NewStartingHashKey=str(2 ** 127))
        run.wait(200)

        def children_owned(parents: set[str]) -> list[str]:
            leases = kinesis.leases(app)
            kids = [s for s, i in leases.items() if set(i.get("parentShardIds", [])) == parents]
            ok = all(leases[p]["checkpoint"] == "SHARD_END" for p in parents) and all(
                leases[k].get("leaseOwner") for k in kids)
            return kids if ok else []

        assert wait_until(lambda: len(children_owned({parent["ShardId"]})) == 2), \
            kinesis.leases(app)
        kids = children_owned({parent["ShardId"]})
        kinesis.client.merge_shards(StreamName=stream, ShardToMerge=kids[0],
                                    AdjacentShardToMerge=kids[1])
        assert wait_until(lambda: len(children_owned(set(kids))) == 1), kinesis.leases(app)
    finally:
        got = run.stop()
    assert got == [b.decode() for b in lines("a", 100) + lines("b", 100)]  # one shard: order
    leases = kinesis.leases(app)
    assert [s for s, i in leases.items() if i["checkpoint"] == "SHARD_END"] == sorted(
        [parent["ShardId"], *kids])


def test_a_failing_decoder_is_counted_as_malformed(kinesis, kinesis_ctx):
    stream, app = kinesis.create(shards=1), unique("app")
    records = lines("ok", 30) + [b"\xff\xfe not utf-8"] * 5
    kinesis.put(stream, records)
    run = Run(kinesis_ctx, kinesis.url, app, stream)
    try:
        run.wait(30)

        def malformed() -> int:
            return sum(info.metadata().get("malformedRecords", 0)
                       for batch in run.events.batches
                       for info in batch.streamIdToInputInfo().values())

        assert wait_until(lambda: malformed() == 5), malformed()
    finally:
        got = run.stop()
    assert sorted(got) == sorted(b.decode() for b in lines("ok", 30))


def test_max_rate_paces_the_receiver(kinesis, make_context):
    """``spark.streaming.receiver.maxRate`` (1000/s): records put at ``t0`` reach the
    driver no faster than 1000/s x (now - t0) plus one GetRecords' worth (200) of burst --
    a loaded machine only holds fewer; unlimited, they would all be there at once."""
    import time

    ctx = make_context(fast_conf(**{"spark.streaming.receiver.maxRate": "1000"}))
    stream, app = kinesis.create(shards=1), unique("app")
    records = lines("r", 1500)
    kinesis.put(stream, records)
    t0 = time.monotonic()
    run = Run(ctx, kinesis.url, app, stream)
    over = []
    try:
        sid = run.ssc._graph.receiver_input_streams[0].input_stream_id

        def within_rate() -> bool:
            held = run.ssc._receiver_tracker.received_records(sid)
            if held > 1000 * (time.monotonic() - t0) + 200:
                over.append(held)
            return held >= len(records)

        assert wait_until(within_rate)
        run.wait(len(records))
    finally:
        got = run.stop()
    assert over == []
    assert sorted(got) == sorted(b.decode() for b in records)
