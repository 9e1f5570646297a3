"""Spark's RecoverableNetworkWordCount program (examples/streaming/
recoverable_network_word_count.py, sparklet imports) SIGKILLed and restarted with the same
command: recovery must not call its setup function -- which deletes the output file, as
Spark's does -- so the file keeps the counts written before the crash and the counts of
text sent after the restart are appended to it.
"""

from __future__ import annotations

import ast
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

APP = Path(__file__).parents[2] / "examples" / "streaming" / "recoverable_network_word_count.py"
LINE = re.compile(r"^Counts at time (\S+ \S+) (\[.*\])$")


class Feeder:
    """A TCP server, like ``nc -lk``: text is sent to the newest connection."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with self.cond:
                self.conns.append(conn)
                self.cond.notify_all()

    def wait_for_connections(self, n: int, timeout: float = 60) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.conns) >= n, timeout), \
                f"the receiver never made connection {n}"

    def send(self, line: str) -> None:
        with self.cond:
            self.conns[-1].sendall((line + "\n").encode())

    def close(self) -> None:
        self.server.close()
        for c in self.conns:
            c.close()


def counts(out: Path) -> list[list]:
    """Each line of the output file as its sorted (word, count) pairs."""
    if not out.exists():
        return []
    found = []
    for line in out.read_text().splitlines():
        m = LINE.match(line)
        assert m, f"unexpected output line {line!r}"
        found.append(sorted(ast.literal_eval(m.group(2))))
    return found


def start(port: int, ck: Path, out: Path, log: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1", SPARKLET_SUBMIT_CONF="spark.master=local[2]")
    with open(log, "w") as fh:
        return subprocess.Popen([sys.executable, str(APP), "127.0.0.1", str(port), str(ck),
                                 str(out)], stdout=fh, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)


def wait_until(predicate, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        assert proc.poll() is None, f"the app exited:\n{log.read_text()}"
        time.sleep(0.05)
    raise AssertionError(f"condition not reached in {timeout} s:\n{log.read_text()}")


def kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its workers, as a crash
    except ProcessLookupError:
        pass
    proc.wait(30)


def test_sigkilled_word_count_keeps_its_output_and_counts_on(tmp_path):
    feeder = Feeder()
    ck, out = tmp_path / "checkpoint", tmp_path / "counts.txt"
    logs = [tmp_path / "driver-0.log", tmp_path / "driver-1.log"]
    first = [("spark", 2), ("streaming", 1)]
    second = [("again", 1), ("streaming", 1)]
    try:
        proc = start(feeder.port, ck, out, logs[0])
        try:
            feeder.wait_for_connections(1)
            feeder.send("spark streaming spark")
            wait_until(lambda: first in counts(out), proc, logs[0])
            wait_until(lambda: (ck / "metadata").exists() and os.listdir(ck / "metadata"),
                       proc, logs[0])
        finally:
            kill(proc)
        before = out.read_text()
        connections = len(feeder.conns)

        proc = start(feeder.port, ck, out, logs[1])
        try:
            feeder.wait_for_connections(connections + 1)  # the restarted app's receiver
            feeder.send("streaming again")
            wait_until(lambda: second in counts(out), proc, logs[1])
        finally:
            kill(proc)
    finally:
        feeder.close()
    after = out.read_text()
    assert after.startswith(before), "the output written before the crash was lost"
    got = counts(out)
    assert got.index(first) < got.index(second)
    assert "Creating new context" in logs[0].read_text()
    assert "Creating new context" not in logs[1].read_text(), logs[1].read_text()
