"""Flume faults with a real agent: the driver SIGKILLed with the write-ahead log on while
the agent sends (the agent's channel keeps every batch not answered OK and sends it again
to the driver restarted through getOrCreate): an idempotent SQLite sink ends with every
event exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from receiver_helpers import WAIT, wait_until
from test_flume_stream import agent_conf

from services import free_ports, start_flume_agent

APP = Path(__file__).parent / "flume_app.py"
TOTAL = 2000


def test_sigkilled_driver_loses_nothing_and_the_sink_holds_each_once(tmp_path):
    (port,) = free_ports(1)
    db, logs = tmp_path / "out.db", []

    def start() -> subprocess.Popen:
        logs.append(tmp_path / f"driver-{len(logs)}.log")
        with open(logs[-1], "w") as fh:
            return subprocess.Popen(
                [sys.executable, str(APP), "--checkpoint", str(tmp_path / "cp"), "--db",
                 str(db), "--port", str(port)], stdout=fh, stderr=subprocess.STDOUT,
                start_new_session=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))

    def stored() -> list[str]:
        if not db.exists():
            return []
        try:
            with sqlite3.connect(db, timeout=30) as conn:
                return [r[0] for r in conn.execute("SELECT body FROM events")]
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

    conf = agent_conf(port, deflate=False).replace("totalEvents = 400",
                                                   f"totalEvents = {TOTAL}")
    # The sink retries a failed batch after a second, not the default 30 s.
    conf += "a1.sinks.k1.reset-connection-interval = 1\n"
    conf += "a1.sinkgroups = g1\na1.sinkgroups.g1.sinks = k1\n" \
            "a1.sinkgroups.g1.processor.type = failover\n" \
            "a1.sinkgroups.g1.processor.maxpenalty = 1000\n"
    p = start()
    agent = start_flume_agent(conf)
    try:
        assert wait_until(lambda: len(stored()) >= 300 or p.poll() is not None), log_text()
        assert p.poll() is None, log_text()
        kill(p)
        p = start()
        assert wait_until(lambda: len(stored()) >= TOTAL or p.poll() is not None,
                          WAIT * 2), (len(stored()), log_text())
    finally:
        kill(p)
        agent.stop()
    assert sorted(map(int, stored())) == list(range(TOTAL))
    assert "STARTED" in logs[0].read_text() and "RECOVERED" in logs[1].read_text()
