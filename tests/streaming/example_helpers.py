"""Running an example of examples/streaming as a program, as a user would: its printed
lines read as they come, Ctrl-C to stop it (the examples stop gracefully on it), and the
word counts it prints added up."""

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
from collections.abc import Callable
from pathlib import Path

from receiver_helpers import WAIT

REPO = Path(__file__).parents[2]
EXAMPLES = REPO / "examples" / "streaming"
LINES = ["to be or not to be", "be quick", "or not", "to to to"]
WORDS = Counter(w for line in LINES for w in line.split(" "))


class Example:
    """``examples/streaming/<name>`` run with ``args`` (and ``env`` added); ``line()`` is
    its next printed line; ``stop()`` sends Ctrl-C and gives the exit code."""

    def __init__(self, name: str, args: list[str], env: dict | None = None):
        full_env = dict(os.environ, PYTHONPATH=str(REPO / "src"), PYTHONUNBUFFERED="1",
                        **(env or {}))
        self.proc = subprocess.Popen([sys.executable, str(EXAMPLES / name), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, env=full_env, start_new_session=True)
        self._out: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [self._out.put(line) for line in self.proc.stdout],
                         daemon=True).start()

    def line(self, timeout: float = WAIT) -> str:
        return self._out.get(timeout=timeout).rstrip("\n")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        return self.proc.returncode

    def __enter__(self) -> Example:
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.stop()


def counted_words(example: Example, want: Counter = WORDS,
                  send_probe: Callable[[], None] | None = None,
                  send_lines: Callable[[], None] | None = None) -> Counter:
    """Add up the ``(word, n)`` lines the example prints until they make ``want`` (never
    more). With ``send_probe``, first send probes until a ``probe`` word is counted (the
    source is live: a publish/subscribe source drops what comes before), then
    ``send_lines``; probes are not counted."""
    counts: Counter = Counter()
    probed = send_probe is None
    deadline = time.monotonic() + WAIT
    while counts != want:
        if not probed:
            send_probe()
        try:
            line = example.line(WAIT if probed else 0.5).strip()
        except queue.Empty:
            assert not probed and time.monotonic() < deadline, (
                "the example printed nothing" if probed else "no probe was ever counted")
            continue
        if not line.startswith("("):
            continue
        word, n = ast.literal_eval(line)
        if word == "probe":
            if not probed:
                probed = True
                if send_lines is not None:
                    send_lines()
            continue
        counts[word] += n
        assert counts[word] <= want[word], (word, counts)
    return counts
