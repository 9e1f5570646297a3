"""NATS JetStream faults, on a server of this module's own: the server restarted
mid-stream (the receiver reconnects, nothing is lost), the server down when the stream
starts (ReceiverError, retries, then data flows), and the driver SIGKILLed with the
write-ahead log on (restarted through getOrCreate, an idempotent SQLite sink holds every
published message exactly once)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from nats_helpers import Run, nats_own_fixture, numbered, publish, unique  # noqa: F401
from receiver_helpers import WAIT, receiver_conf, wait_until

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
    db, logs = tmp_path / "out.db", []
    publish(service.url, subject, [r.encode() for r in records[:1000]], stream=stream)

    def start() -> subprocess.Popen:
        logs.append(tmp_path / f"driver-{len(logs)}.log")
        with open(logs[-1], "w") as fh:
            return subprocess.Popen(
                [sys.executable, str(APP), "--checkpoint", str(tmp_path / "cp"), "--db",
                 str(db), "--servers", service.url, "--subject", subject, "--stream",
                 stream], stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
                env=dict(os.environ, PYTHONUNBUFFERED="1"))

    def stored() -> list[str]:
        if not db.exists():
            return []
        try:
            with sqlite3.connect(db, timeout=30) as conn:
                return [r[0] for r in conn.execute("SELECT body FROM messages")]
        except sqlite3.OperationalError:  # the table is not made yet
            return []

    def kill(p: subprocess.Popen) -> None:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(WAIT)

    def log_text() -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()}" for p in logs)

    p = start()
    try:
        assert wait_until(lambda: len(stored()) >= 300 or p.poll() is not None), log_text()
        assert p.poll() is None, log_text()
    finally:
        kill(p)
    publish(service.url, subject, [r.encode() for r in records[1000:]])
    p = start()
    try:
        assert wait_until(lambda: len(stored()) >= len(records) or p.poll() is not None,
                          WAIT * 2), (len(stored()), log_text())
    finally:
        kill(p)
    got = stored()
    assert sorted(got) == sorted(records)  # the key makes a redelivered message a no-op
    assert "STARTED" in logs[0].read_text() and "RECOVERED" in logs[1].read_text()
