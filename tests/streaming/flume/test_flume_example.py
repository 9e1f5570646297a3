"""examples/streaming/flume_event_count.py run as a program, fed by a real Flume agent:
the counts it prints add up to the events the agent sent."""

from __future__ import annotations

import re

from example_helpers import Example
from receiver_helpers import WAIT, wait_until
from test_flume_stream import N, agent_conf, listening

from services import free_ports, start_flume_agent


def test_flume_event_count_example():
    (port,) = free_ports(1)
    agent, total = None, 0
    with Example("flume_event_count.py", ["127.0.0.1", str(port), "--batch", "0.5"]) \
            as example:
        try:
            assert wait_until(lambda: listening(port), WAIT)
            agent = start_flume_agent(agent_conf(port, deflate=False))
            while total < N:
                m = re.match(r"Received (\d+) flume events\.", example.line().strip())
                if m:
                    total += int(m.group(1))
            assert example.stop() == 0
        finally:
            if agent is not None:
                agent.stop()
    assert total == N
