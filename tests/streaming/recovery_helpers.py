"""Helpers for the crash tests: run ``apps/wordcount_app.py`` as a subprocess, kill it,
read what it wrote, and compute what an uninterrupted run must produce."""

from __future__ import annotations

import ast
import importlib.util
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

APP = Path(__file__).parent / "apps" / "wordcount_app.py"


def load_app():
    spec = importlib.util.spec_from_file_location("wordcount_app", APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class AppRun:
    """One application's directories and its successive processes."""

    def __init__(self, root: Path, pg: str = "", mysql: str = ""):
        self.root = root
        self.checkpoint = str(root / "checkpoint")
        self.out = root / "out"
        self.db = str(root / "sink.db")
        self.pg = pg
        self.mysql = mysql
        self.logs: list[str] = []
        self.out.mkdir(parents=True, exist_ok=True)

    def command(self, *extra: str) -> list[str]:
        cmd = [sys.executable, str(APP), "--checkpoint", self.checkpoint, "--out",
               str(self.out), "--db", self.db, *extra]
        if self.pg:
            cmd += ["--pg", self.pg]
        if self.mysql:
            cmd += ["--mysql", self.mysql]
        return cmd

    def start(self, *extra: str) -> subprocess.Popen:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        return subprocess.Popen(self.command(*extra), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, env=env,
                                start_new_session=True)

    def finish(self, proc: subprocess.Popen, timeout: float = 120) -> int:
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
            self.logs.append(out)
            raise AssertionError("app did not finish:\n" + "\n---\n".join(self.logs)) from None
        self.logs.append(out)
        _reap_group(proc.pid)
        return proc.returncode

    def run(self, *extra: str, timeout: float = 120) -> int:
        return self.finish(self.start(*extra), timeout)

    def kill_after(self, delay: float, *extra: str) -> int:
        """Start the app and SIGKILL the driver after ``delay`` seconds (unless it ended)."""
        proc = self.start(*extra)
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        return self.finish(proc)

    # -- what it wrote ---------------------------------------------------------------------

    def batch_dirs(self, prefix: str) -> list[Path]:
        dirs = [p for p in self.out.iterdir() if p.name.startswith(prefix + "-")]
        return sorted(dirs, key=lambda p: int(p.name.rsplit("-", 1)[1]))

    def read_batches(self, prefix: str) -> list[list]:
        """Every batch directory's records, in batch-time order (each must be complete)."""
        result = []
        for d in self.batch_dirs(prefix):
            assert (d / "_SUCCESS").exists(), f"incomplete output directory {d}"
            records = []
            for part in sorted(d.glob("part-*")):
                records += [ast.literal_eval(line) for line in part.read_text().splitlines()]
            result.append(sorted(records))
        return result

    def sql_rows(self) -> list[tuple]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute("SELECT batch_time, word, n FROM occurrences").fetchall()


def _reap_group(pgid: int) -> None:
    """Kill what is left of the app's process group (workers of a killed driver)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def expected(app_module) -> dict:
    """What any run, interrupted or not, must write."""
    batches = app_module.batches()
    counts, totals_seq, occurrences = [], [], []
    totals: dict[str, int] = {}
    for batch in batches:
        per: dict[str, int] = {}
        for w in batch:
            per[w] = per.get(w, 0) + 1
            totals[w] = totals.get(w, 0) + 1
            occurrences.append((w, totals[w]))
        counts.append(sorted(per.items()))
        totals_seq.append(sorted(totals.items()))
    return {"counts": counts, "totals": totals_seq, "occurrences": sorted(occurrences)}


def observed(run: AppRun) -> dict:
    """The same view of what ``run`` wrote: non-empty per-batch counts in order, the
    distinct successive totals, and the SQL rows (without their batch times)."""
    counts = [b for b in run.read_batches("counts") if b]
    totals = []
    for b in run.read_batches("totals"):
        if b and (not totals or totals[-1] != b):
            totals.append(b)
    rows = run.sql_rows()
    return {"counts": counts, "totals": totals,
            "occurrences": sorted((w, n) for _, w, n in rows),
            "sql_batches": len({t for t, _, _ in rows})}
