"""The Kinesis receiver when things go wrong: the endpoint down at start (retried with
backoff and reported, then the data flows), the driver SIGKILLed with the write-ahead log
on (restarted with getOrCreate: every record exactly once in an idempotent sink), and
credentials through STS assume-role."""

from __future__ import annotations

from pathlib import Path

from crash_helpers import CrashingDriver
from kinesis_helpers import (
    KinesisTestStreams,
    Run,
    lines,
    unique,
    wait_until,
)


def test_endpoint_down_at_start_is_retried_and_reported_then_data_flows(moto_own_service,
                                                                        kinesis_ctx):
    """moto keeps its streams in memory, so a restart mid-stream would lose the stream
    itself; what a test can show is the endpoint coming up after the receiver started."""
    moto = moto_own_service
    moto.process.stop()
    app, stream = unique("app"), unique("stream")
    run = Run(kinesis_ctx, moto.url, app, stream)
    try:
        assert wait_until(lambda: run.events.errors), "no ReceiverError"
        assert f"Kinesis stream {stream} at {moto.url}" in run.events.errors[0].lastErrorMessage
        moto.process.start()
        streams = KinesisTestStreams(moto.url)
        streams.client.create_stream(StreamName=stream, ShardCount=2)
        streams.put(stream, lines("late", 200), shards=2)
        run.wait(200)
    finally:
        got = run.stop()
    assert sorted(got) == sorted(b.decode() for b in lines("late", 200))


def test_assume_role_credentials(kinesis, kinesis_ctx):
    stream, app = kinesis.create(shards=1), unique("app")
    kinesis.put(stream, lines("sts", 20))
    run = Run(kinesis_ctx, kinesis.url, app, stream,
              stsAssumeRoleArn="arn:aws:iam::123456789012:role/reader",
              stsSessionName="sparklet-test", stsExternalId="ext-1")
    try:
        run.wait(20)
    finally:
        got = run.stop()
    assert sorted(got) == sorted(b.decode() for b in lines("sts", 20))


APP = Path(__file__).parent / "kinesis_app.py"


def test_sigkilled_driver_ends_with_every_record_once_in_the_sink(kinesis, tmp_path):
    stream, app = kinesis.create(shards=2), unique("app")
    records = lines("d", 2000)
    kinesis.put(stream, records[:1000], shards=2)
    driver = CrashingDriver(APP, tmp_path, ["--endpoint", kinesis.url, "--stream", stream,
                                            "--app", app], table="records", column="line")
    got = driver.crash_and_recover(len(records),
                                   lambda: kinesis.put(stream, records[1000:], shards=2))
    assert sorted(got) == sorted(b.decode() for b in records)
