"""examples/streaming/rabbitmq_word_count.py run as a program against the real broker: the
counts it prints over its batches add up to the words of the messages published."""

from __future__ import annotations

import ast
import os
import queue
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from rabbitmq_helpers import amqp_url_fixture, publish, unique  # noqa: F401 - a fixture
from receiver_helpers import WAIT

REPO = Path(__file__).parents[3]
APP = REPO / "examples" / "streaming" / "rabbitmq_word_count.py"
LINES = ["to be or not to be", "be quick", "or not", "to to to"]


def test_rabbitmq_word_count_example(amqp_url):
    name = unique("words")
    publish(amqp_url, [line.encode() for line in LINES], queue=name)  # waits in the queue
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, str(APP), amqp_url, name, "--batch", "0.5"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env, start_new_session=True)
    out: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [out.put(line) for line in proc.stdout],
                     daemon=True).start()
    counts: Counter = Counter()
    want = Counter(w for line in LINES for w in line.split(" "))
    try:
        while counts != want:
            line = out.get(timeout=WAIT).strip()
            if line.startswith("("):
                word, n = ast.literal_eval(line)
                counts[word] += n
                assert counts[word] <= want[word], (word, counts)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    assert counts == want
    assert proc.returncode == 0
