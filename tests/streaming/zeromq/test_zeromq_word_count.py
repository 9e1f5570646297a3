"""examples/streaming/zeromq_word_count.py run as a program against a real PUB socket:
once a probe has been counted (the subscription is live), the counts it prints add up to
the words of the lines published."""

from __future__ import annotations

import ast
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from receiver_helpers import WAIT
from zeromq_helpers import publisher_fixture  # noqa: F401 - a fixture

REPO = Path(__file__).parents[3]
APP = REPO / "examples" / "streaming" / "zeromq_word_count.py"
LINES = ["to be or not to be", "be quick", "or not", "to to to"]


def counted_words(args: list[str], send_probe, send_lines) -> tuple[Counter, int]:
    """Run the example with ``args``; probe until ``probe`` is counted, send the lines;
    the counts of the other words (and the exit code after Ctrl-C)."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, *args, "--batch", "0.5"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env, start_new_session=True)
    out: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [out.put(line) for line in proc.stdout],
                     daemon=True).start()
    counts: Counter = Counter()
    want = Counter(w for line in LINES for w in line.split(" "))
    try:
        deadline, probed = time.monotonic() + WAIT, False
        while counts != want:
            if not probed:
                send_probe()
            try:
                line = out.get(timeout=0.5 if not probed else WAIT).strip()
            except queue.Empty:
                assert time.monotonic() < deadline, "the example never counted a probe"
                continue
            if line.startswith("("):
                word, n = ast.literal_eval(line)
                if word == "probe":
                    if not probed:
                        probed = True
                        send_lines()
                    continue
                counts[word] += n
                assert counts[word] <= want[word], (word, counts)
    finally:
        proc.send_signal(signal.SIGINT)           # the example stops gracefully on Ctrl-C
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    return counts, proc.returncode


def test_zeromq_word_count_example(publisher):
    counts, code = counted_words(
        [str(APP), publisher.url, "words"],
        lambda: publisher.send([b"words", b"probe"]),
        lambda: publisher.send(*[[b"words", line.encode()] for line in LINES]))
    assert counts == Counter(w for line in LINES for w in line.split(" "))
    assert code == 0
