"""Redis faults, on a persistent server (append-only file) of this module's own: the
server restarted mid-stream (the receiver reconnects, re-reads its pending entries,
nothing is lost), the server down when the stream starts (ReceiverError, retries, then
data flows), and the driver SIGKILLed with the write-ahead log on (restarted through
getOrCreate, the same consumer re-reads its pending entries, an idempotent SQLite sink
holds every entry exactly once)."""

from __future__ import annotations

from pathlib import Path

from crash_helpers import CrashingDriver
from receiver_helpers import receiver_conf, wait_until
from redis_helpers import Run, add, numbered, pending, redis_own_fixture, unique  # noqa: F401

WAL = {"spark.streaming.receiver.writeAheadLog.enable": "true"}


def test_server_restart_mid_stream_loses_nothing(make_context, redis_own, tmp_path):
    service, proc = redis_own
    ctx = make_context(receiver_conf(**{"spark.streaming.receiver.maxRate": "2000", **WAL}))
    key, group = unique("x"), unique("g")
    first, second = numbered("before", 1000), numbered("after", 500)
    add(service.url, key, first)
    run = Run(ctx, checkpoint=tmp_path, url=service.url, streams=key, groupName=group,
              startId="0")
    try:
        assert wait_until(lambda: run.count() >= 100), run.events.errors
        proc.stop()
        # Down until the receiver has noticed (it reads every 100 ms at most); a restart
        # faster than that may be absorbed by the client without a visible loss.
        assert wait_until(lambda: any("Lost the connection to Redis stream" in e
                                      for e in run.events.errors)), run.events.errors
        proc.start()
        add(service.url, key, second)
        expected = set(first + second)
        assert wait_until(lambda: {d["line"] for d in run.records} >= expected), (
            run.count(), run.events.errors)
    finally:
        proc.start()
        got = run.stop()
    assert {d["line"] for d in got} == expected
    assert pending(service.url, key, group) == 0


def test_server_down_at_start_is_retried_then_data_flows(sc, redis_own):
    service, proc = redis_own
    key = unique("d")
    proc.stop()
    try:
        run = Run(sc, url=service.url, streams=key, groupName="g", startId="0")
        try:
            assert wait_until(lambda: run.events.errors), "no ReceiverError"
            assert "Cannot connect to Redis stream" in run.events.errors[0]
            proc.start()
            records = numbered("d", 200)
            add(service.url, key, records)
            assert wait_until(lambda: len(run.records) >= 200), run.count()
        finally:
            got = run.stop()
    finally:
        proc.start()
    assert sorted(d["line"] for d in got) == sorted(records)


APP = Path(__file__).parent / "redis_app.py"


def test_sigkilled_driver_loses_nothing_and_the_sink_holds_each_once(redis_own, tmp_path):
    service, _ = redis_own
    key = unique("k")
    records = [f"e{i}" for i in range(2000)]
    add(service.url, key, records[:1000])
    driver = CrashingDriver(APP, tmp_path, ["--url", service.url, "--key", key])
    got = driver.crash_and_recover(len(records), lambda: add(service.url, key, records[1000:]),
                                   settled=lambda: pending(service.url, key, "app") == 0)
    assert sorted(got) == sorted(records)  # the key makes a re-read entry a no-op
