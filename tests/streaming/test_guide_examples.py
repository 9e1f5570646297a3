"""The streaming guide's queue-stream examples (stateful and windowed word count) and its
custom receiver, run as programs: what they print checked against plain-Python models."""

from __future__ import annotations

import ast
import os
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from example_helpers import EXAMPLES, Example
from receiver_helpers import WAIT

REPO = Path(__file__).parents[2]
PAIR = re.compile(r"^\('(\w+)', (\d+)\)$")


def printed_batches(name: str) -> list[dict]:
    """Run ``examples/streaming/<name>`` to its end; each pprint block as a dict."""
    done = subprocess.run([sys.executable, str(EXAMPLES / name)], capture_output=True,
                          text=True, timeout=240,
                          env=dict(os.environ, PYTHONPATH=str(REPO / "src")))
    assert done.returncode == 0, done.stderr
    blocks: list[dict] = []
    for line in done.stdout.splitlines():
        if line.startswith("Time: "):
            blocks.append({})
        elif line.startswith("("):
            word, count = ast.literal_eval(line)
            blocks[-1][word] = count
    return blocks


def test_stateful_word_count_prints_running_totals():
    batches = [["hello spark"], ["hello streaming world"], ["spark"]]
    state, mapped = Counter({"hello": 1, "world": 1}), Counter()
    expected = []
    for batch in batches:
        words = [w for line in batch for w in line.split(" ")]
        state.update(words)
        mapped.update(words)
        expected += [dict(state), {w: mapped[w] for w in words}]
    blocks = printed_batches("stateful_word_count.py")
    assert blocks[:6] == expected
    # A batch after the queue ran dry (graceful stop) repeats the totals, maps nothing.
    for i, block in enumerate(blocks[6:]):
        assert block == (dict(state) if i % 2 == 0 else {})


def test_windowed_word_count_sums_the_last_three_batches():
    rng = random.Random(7)  # the example's own seed and draws
    words = ["spark", "stream", "window", "batch"]
    batches = [[" ".join(rng.choices(words, k=4)) for _ in range(3)] for _ in range(8)]
    expected = []
    for k in range(1, len(batches) + 1):
        window = Counter(w for b in batches[max(0, k - 3):k] for line in b
                         for w in line.split())
        expected.append(dict(window))
    blocks = printed_batches("windowed_word_count.py")
    assert blocks[:8] == expected


def test_custom_receiver_counts_the_servers_words():
    sys.path.insert(0, str(EXAMPLES))
    try:
        from line_server import LineServer
    finally:
        sys.path.remove(str(EXAMPLES))
    lines = ["alpha beta", "beta gamma gamma"]
    server = LineServer(lines, rate=50).start()
    try:
        with Example("custom_receiver.py", [server.host, str(server.port), "--seconds", "0"]) \
                as example:
            seen: Counter = Counter()
            while not {"alpha", "beta", "gamma"} <= set(seen):
                m = PAIR.match(example.line(WAIT))
                if m:
                    seen[m.group(1)] += int(m.group(2))
            assert example.stop() == 0
    finally:
        server.stop()
    assert set(seen) == {"alpha", "beta", "gamma"}
    # Every batch counts whole lines: each "alpha" comes with a "beta", two "gamma"s a line.
    assert seen["gamma"] % 2 == 0
