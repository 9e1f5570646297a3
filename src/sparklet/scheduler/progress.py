"""Console progress bar for long stages, in Spark's format.

``[Stage 3:====>          (5 + 2) / 10]`` on stderr for any stage running longer than
0.5 s, redrawn every 200 ms, erased when the stages finish. On when
``spark.ui.showConsoleProgress`` is true (default: only when stderr is a terminal).
"""

from __future__ import annotations

import shutil
import sys
import threading
import time

__all__ = ["ConsoleProgressBar", "render"]

_FIRST_DELAY = 0.5
_UPDATE_PERIOD = 0.2


def render(stages, width: int) -> str:
    """One line for the given StageProgress objects, sharing the terminal width."""
    per = width // max(1, len(stages))
    parts = []
    for s in stages:
        header = "[Stage %d:" % s.stage_id
        tailer = "(%d + %d) / %d]" % (s.completed, s.active, s.num_tasks)
        w = per - len(header) - len(tailer)
        bar = ""
        if w > 0:
            done = w * s.completed // max(1, s.num_tasks)
            bar = "".join("=" if i < done else ">" if i == done else " " for i in range(w))
        parts.append(header + bar + tailer)
    return "".join(parts)


class ConsoleProgressBar:
    def __init__(self, sc, stream=None):
        self.sc = sc
        self.stream = stream or sys.stderr
        self._stop = threading.Event()
        self._last = ""
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="sparklet-progress-bar")
        self._thread.start()

    @classmethod
    def maybe_start(cls, sc) -> ConsoleProgressBar | None:
        default = sys.stderr.isatty()
        if sc._conf.getBoolean("spark.ui.showConsoleProgress", default):
            return cls(sc)
        return None

    def _run(self) -> None:
        while not self._stop.wait(_UPDATE_PERIOD):
            self.refresh()
        self._clear()

    def refresh(self) -> None:
        now = time.monotonic()
        stages = sorted((s for s in list(self.sc._dag_scheduler.active_stages.values())
                         if now - s.started > _FIRST_DELAY), key=lambda s: s.stage_id)[:3]
        if not stages:
            self._clear()
            return
        width = shutil.get_terminal_size((80, 20)).columns
        line = render(stages, width)
        if line != self._last:
            self.stream.write("\r" + line)
            self.stream.flush()
            self._last = line

    def _clear(self) -> None:
        if self._last:
            self.stream.write("\r" + " " * len(self._last) + "\r")
            self.stream.flush()
            self._last = ""

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1)
