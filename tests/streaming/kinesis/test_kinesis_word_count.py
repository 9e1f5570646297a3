"""The guide's Kinesis word count (examples/streaming/kinesis_word_count.py) run as a
program against moto: the counts it prints add up to the words of the stream's records."""

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

from kinesis_helpers import WAIT, unique

REPO = Path(__file__).parents[3]
APP = REPO / "examples" / "streaming" / "kinesis_word_count.py"
LINES = ["to be or not to be", "be quick", "or not", "to to to"]


def test_kinesis_word_count_example(kinesis):
    stream = kinesis.create(shards=2)
    kinesis.put(stream, [line.encode() for line in LINES], shards=2)
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), PYTHONUNBUFFERED="1",
               AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    proc = subprocess.Popen([sys.executable, str(APP), unique("wordcount"), stream,
                             kinesis.url, "us-east-1", "--batch", "0.5"],
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
        proc.send_signal(signal.SIGINT)           # the example stops gracefully on Ctrl-C
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    assert counts == want
    assert proc.returncode == 0
