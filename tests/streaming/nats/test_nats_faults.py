"""NATS JetStream faults, on a server of this module's own: the server restarted
mid-stream (the receiver reconnects, nothing is lost), the server down when the stream
starts (ReceiverError, retries, then data flows), and the driver SIGKILLed with the
write-ahead log on (restarted through getOrCreate, an idempotent SQLite sink holds every
published message exactly once)."""

from __future__ import annotations

from pathlib import Path

from crash_helpers import CrashingDriver
from nats_helpers import Run, nats_own_fixture, numbered, publish, unique  # noqa: F401
from receiver_helpers import receiver_conf, wait_until

WAL = {"spark.streaming.receiver.writeAheadLog.enable": "true"}


def test_server_restart_mid_stream_loses_nothing(make_context, nats_own, tmp_path):
    service, proc = nats_own
    # Paced, so messages are in flight when the server goes; ackWait is longer than the
    # test may take, so those come again only because the new session NAKs them.
    ctx = make_context(receiver_conf(**{"spark.streaming.receiver.maxRate": "1000", **WAL}))
    subject, stream = unique("x."), unique("X")
    first, second = numbered("before", 1000), numbered("after", 500)
    publish(service.url, subject, first, stream=stream)
    run = Run(ctx, checkpoint=tmp_path, servers=service.url, subject=subject,
              stream=stream, ackWait=600.0)
    try:
        assert wait_until(lambda: run.count() >= 100), run.events.errors
        proc.stop()
        # Down until the receiver has noticed (it reads every 100 ms at most); a restart
        # faster than that may be absorbed by the client without a visible loss.
        assert wait_until(lambda: any("Lost the connection to NATS JetStream" in e
                                      for e in run.events.errors)), run.events.errors
        proc.start()
        publish(service.url, subject, second)
        expected = {p.decode() for p in first + second}
        assert wait_until(lambda: set(run.records) >= expected), (run.count(),
                                                                   run.events.errors)
    finally:
        proc.start()
        got = run.stop()
    assert set(got) == expected


def test_server_down_at_start_is_retried_then_data_flows(sc, nats_own):
    service, proc = nats_own
    subject, stream = unique("d."), unique("D")
    proc.stop()
    try:
        run = Run(sc, servers=service.url, subject=subject, stream=stream)
        try:
            assert wait_until(lambda: run.events.errors), "no ReceiverError"
            assert "Cannot connect to NATS JetStream consumer" in run.events.errors[0]
            proc.start()
            records = numbered("d", 200)
            # The receiver makes the stream once it connects; published before, they wait.
            publish(service.url, subject, records, stream=stream)
            assert wait_until(lambda: len(run.records) >= 200), run.count()
        finally:
            got = run.stop()
    finally:
        proc.start()
    assert sorted(got) == sorted(p.decode() for p in records)


APP = Path(__file__).parent / "nats_app.py"


def test_sigkilled_driver_loses_nothing_and_the_sink_holds_each_once(nats_own, tmp_path):
    service, _ = nats_own
    subject, stream = unique("k."), unique("K")
    records = [f"m{i}" for i in range(2000)]
    publish(service.url, subject, [r.encode() for r in records[:1000]], stream=stream)
    driver = CrashingDriver(APP, tmp_path, ["--servers", service.url, "--subject", subject,
                                            "--stream", stream])
    got = driver.crash_and_recover(len(records), lambda: publish(
        service.url, subject, [r.encode() for r in records[1000:]]))
    assert sorted(got) == sorted(records)  # the key makes a redelivered message a no-op
