"""The driver-crash scenario every reliable connector's tests run: a streaming app (a
script writing each record to an idempotent SQLite sink) is SIGKILLed with its workers
mid-stream, more records are published, and the app is started again -- recovering through
``StreamingContext.getOrCreate`` -- until the sink holds them all."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from receiver_helpers import WAIT, wait_until


class CrashingDriver:
    """``app`` run as a driver with ``args`` (plus ``--checkpoint`` and ``--db`` in
    ``tmp_path``); its sink's ``column`` of ``table`` is what it stored. The app prints
    STARTED or RECOVERED once its context runs."""

    def __init__(self, app: Path, tmp_path: Path, args: list[str], table: str = "messages",
                 column: str = "body"):
        self.app, self.tmp, self.args = app, tmp_path, list(args)
        self.db = tmp_path / "out.db"
        self.query = f"SELECT {column} FROM {table}"
        self.logs: list[Path] = []

    def start(self) -> subprocess.Popen:
        self.logs.append(self.tmp / f"driver-{len(self.logs)}.log")
        with open(self.logs[-1], "w") as fh:
            return subprocess.Popen(
                [sys.executable, str(self.app), "--checkpoint", str(self.tmp / "cp"),
                 "--db", str(self.db), *self.args], stdout=fh, stderr=subprocess.STDOUT,
                start_new_session=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))

    def stored(self) -> list:
        if not self.db.exists():
            return []
        try:
            with sqlite3.connect(self.db, timeout=30) as conn:
                return [r[0] for r in conn.execute(self.query)]
        except sqlite3.OperationalError:  # the table is not made yet
            return []

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        """SIGKILL the driver's process group: the driver and its workers."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(WAIT)

    def log_text(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()}" for p in self.logs)

    def crash_and_recover(self, total: int, between: Callable[[], None] | None = None,
                          crash_after: int = 300,
                          settled: Callable[[], bool] | None = None) -> list:
        """Run until ``crash_after`` records are stored, SIGKILL, call ``between`` (publish
        more), run again until ``total`` are stored (and ``settled()``, if given, holds);
        what the sink holds."""
        proc = self.start()
        try:
            assert wait_until(lambda: len(self.stored()) >= crash_after
                              or proc.poll() is not None), self.log_text()
            assert proc.poll() is None, self.log_text()
        finally:
            self.kill(proc)
        if between is not None:
            between()
        proc = self.start()
        try:
            assert wait_until(lambda: len(self.stored()) >= total or proc.poll() is not None,
                              WAIT * 2), (len(self.stored()), self.log_text())
            if settled is not None:
                assert wait_until(settled), self.log_text()
        finally:
            self.kill(proc)
        assert "STARTED" in self.logs[0].read_text(), self.log_text()
        assert "RECOVERED" in self.logs[1].read_text(), self.log_text()
        return self.stored()
