"""Running the MLlib guide's streaming examples as programs: the example's printed lines
read as they come, and input files moved into its watched directories."""

from __future__ import annotations

import ast
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).parents[2]
EXAMPLES = REPO / "examples" / "streaming"


class Program:
    """``examples/streaming/<name>`` run with ``args``; ``line()`` is its next printed
    line."""

    def __init__(self, name: str, args: list[str]):
        env = dict(os.environ, PYTHONPATH=str(REPO / "src"), PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen([sys.executable, str(EXAMPLES / name), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env=env, start_new_session=True)
        self.out: queue.Queue = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.out.put(line.rstrip("\n"))

    def line(self, deadline: float) -> str:
        try:
            line = self.out.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            raise AssertionError("no output in time; so far:\n" + "\n".join(self.log)) from None
        self.log.append(line)
        return line

    def wait_headers(self, n: int, deadline: float) -> list[tuple]:
        """Read up to the ``n``-th next ``Time:`` header; the records printed on the way."""
        records = []
        while n:
            line = self.line(deadline)
            if line.startswith("Time: "):
                n -= 1
            elif line.startswith("("):
                records.append(ast.literal_eval(line))
        return records

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        return self.proc.returncode


def put(directory: Path, name: str, lines: list[str], staging: Path) -> None:
    """Write a file elsewhere, then move it in (atomic, as file streams want)."""
    tmp = staging / name
    tmp.write_text("\n".join(lines) + "\n")
    os.replace(tmp, directory / name)
