"""Redis faults, on a persistent server (append-only file) of this module's own: the
server restarted mid-stream (the receiver reconnects, re-reads its pending entries,
nothing is lost), the server down when the stream starts (ReceiverError, retries, then
data flows), and the driver SIGKILLed with the write-ahead log on (restarted through
getOrCreate, the same consumer re-reads its pending entries, an idempotent SQLite sink
holds every entry exactly once)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from receiver_helpers import WAIT, receiver_conf, wait_until
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
    db, logs = tmp_path / "out.db", []
    add(service.url, key, records[:1000])

    def start() -> subprocess.Popen:
        logs.append(tmp_path / f"driver-{len(logs)}.log")
        with open(logs[-1], "w") as fh:
            return subprocess.Popen(
                [sys.executable, str(APP), "--checkpoint", str(tmp_path / "cp"), "--db",
                 str(db), "--url", service.url, "--key", key],
                stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
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
    add(service.url, key, records[1000:])
    p = start()
    try:
        assert wait_until(lambda: len(stored()) >= len(records) or p.poll() is not None,
                          WAIT * 2), (len(stored()), log_text())
        assert wait_until(lambda: pending(service.url, key, "app") == 0)
    finally:
        kill(p)
    assert sorted(stored()) == sorted(records)  # the key makes a re-read entry a no-op
    assert "STARTED" in logs[0].read_text() and "RECOVERED" in logs[1].read_text()
