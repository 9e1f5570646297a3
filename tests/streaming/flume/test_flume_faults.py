"""Flume faults with a real agent: the driver SIGKILLed with the write-ahead log on while
the agent sends (the agent's channel keeps every batch not answered OK and sends it again
to the driver restarted through getOrCreate): an idempotent SQLite sink ends with every
event exactly once."""

from __future__ import annotations

from pathlib import Path

from crash_helpers import CrashingDriver
from test_flume_stream import agent_conf

from services import free_ports, start_flume_agent

APP = Path(__file__).parent / "flume_app.py"
TOTAL = 2000


def test_sigkilled_driver_loses_nothing_and_the_sink_holds_each_once(tmp_path):
    (port,) = free_ports(1)
    conf = agent_conf(port, deflate=False).replace("totalEvents = 400",
                                                   f"totalEvents = {TOTAL}")
    # The sink retries a failed batch after a second, not the default 30 s.
    conf += "a1.sinks.k1.reset-connection-interval = 1\n"
    conf += "a1.sinkgroups = g1\na1.sinkgroups.g1.sinks = k1\n" \
            "a1.sinkgroups.g1.processor.type = failover\n" \
            "a1.sinkgroups.g1.processor.maxpenalty = 1000\n"
    driver = CrashingDriver(APP, tmp_path, ["--port", str(port)], table="events")
    agent = start_flume_agent(conf)  # its sink retries until the receiver listens
    try:
        got = driver.crash_and_recover(TOTAL)
    finally:
        agent.stop()
    assert sorted(map(int, got)) == list(range(TOTAL))
