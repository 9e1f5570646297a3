"""The guide's direct Kafka word count (examples/streaming/kafka_word_count.py) run as a
program against the real broker: the counts it prints over its batches add up to the
words of the lines the test wrote to the topic once the stream was running."""

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

import pytest

pytest.importorskip("confluent_kafka")
from kafka_helpers import WAIT  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

REPO = Path(__file__).parents[3]
APP = REPO / "examples" / "streaming" / "kafka_word_count.py"
LINES = ["to be or not to be", "be quick", "or not", "to to to"]


def test_kafka_word_count_example(kafka, kafka_service):
    topic = kafka.create_topic(2)
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, str(APP), kafka_service.url, topic,
                             "--batch", "0.5"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env,
                            start_new_session=True)
    out: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [out.put(line) for line in proc.stdout],
                     daemon=True).start()
    counts: Counter = Counter()
    want = Counter(w for line in LINES for w in line.split(" "))
    try:
        # The stream starts at the log end (largest): write once its first batch printed.
        while not out.get(timeout=WAIT).startswith("Time: "):
            pass
        kafka.produce(topic, [(i % 2, None, line) for i, line in enumerate(LINES)])
        while counts != want:
            line = out.get(timeout=WAIT).strip()
            if line.startswith("("):
                word, n = ast.literal_eval(line)
                counts[word] += n
                assert counts[word] <= want[word], (word, counts)
    finally:
        proc.send_signal(signal.SIGINT)           # the example stops gracefully on Ctrl-C
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    assert counts == want
    assert proc.returncode == 0
