"""examples/streaming/flume_event_count.py run as a program, fed by a real Flume agent:
the counts it prints add up to the events the agent sent."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

from receiver_helpers import WAIT, wait_until
from test_flume_stream import N, agent_conf, listening

from services import free_ports, start_flume_agent

REPO = Path(__file__).parents[3]
APP = REPO / "examples" / "streaming" / "flume_event_count.py"


def test_flume_event_count_example():
    (port,) = free_ports(1)
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, str(APP), "127.0.0.1", str(port),
                             "--batch", "0.5"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env, start_new_session=True)
    out: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [out.put(line) for line in proc.stdout],
                     daemon=True).start()
    agent = None
    total = 0
    try:
        assert wait_until(lambda: listening(port), WAIT)
        agent = start_flume_agent(agent_conf(port, deflate=False))
        while total < N:
            m = re.match(r"Received (\d+) flume events\.", out.get(timeout=WAIT).strip())
            if m:
                total += int(m.group(1))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        if agent is not None:
            agent.stop()
    assert total == N
    assert proc.returncode == 0
