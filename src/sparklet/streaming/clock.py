"""Clocks and the recurring timer that drives batch generation.

Streaming time is read from a :class:`Clock`, never from ``time.time()`` directly, so tests
can swap in a :class:`ManualClock` (``spark.streaming.clock`` =
``org.apache.spark.util.ManualClock`` or ``manual``) and advance time instead of sleeping.

>>> clock = ManualClock()
>>> timer = RecurringTimer(clock, 1000, lambda t: None, "demo")
>>> timer.get_start_time()
1000
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

__all__ = ["Clock", "SystemClock", "ManualClock", "RecurringTimer", "clock_from_conf"]

log = logging.getLogger("sparklet.streaming")


class Clock:
    """Milliseconds since the epoch, and a way to wait for a given time."""

    def get_time_millis(self) -> int:
        raise NotImplementedError

    def wait_till_time(self, target_ms: int, interrupt: threading.Event | None = None
                       ) -> int | None:
        """Block until the clock reads ``target_ms`` or later and return the time then;
        return None if ``interrupt`` was set first."""
        raise NotImplementedError

    def wake(self) -> None:
        """Wake waiters so they notice an interrupt (a no-op where waits are Event-based)."""

    # Spark's (Java) spelling, for programs written against it.
    def getTimeMillis(self) -> int:
        return self.get_time_millis()

    def waitTillTime(self, targetTime: int) -> int:
        return self.wait_till_time(targetTime)  # type: ignore[return-value]


class SystemClock(Clock):
    """The wall clock."""

    def get_time_millis(self) -> int:
        return int(time.time() * 1000)

    def wait_till_time(self, target_ms, interrupt=None):
        interrupt = interrupt or threading.Event()
        while True:
            now = self.get_time_millis()
            if now >= target_ms:
                return now
            # Event.wait returns early when stop() sets the interrupt.
            if interrupt.wait(min(target_ms - now, 100) / 1000.0):
                return None


class ManualClock(Clock):
    """A clock that moves only when told to (Spark's ``org.apache.spark.util.ManualClock``).

    >>> c = ManualClock()
    >>> c.advance(1500); c.get_time_millis()
    1500
    >>> c.set_time(10_000); c.getTimeMillis()
    10000
    """

    def __init__(self, time_ms: int = 0):
        self._time = int(time_ms)
        self._cond = threading.Condition()

    def get_time_millis(self) -> int:
        with self._cond:
            return self._time

    def set_time(self, time_ms: int) -> None:
        with self._cond:
            self._time = int(time_ms)
            self._cond.notify_all()

    def advance(self, time_to_add_ms: int) -> None:
        with self._cond:
            self._time += int(time_to_add_ms)
            self._cond.notify_all()

    setTime = set_time

    def wait_till_time(self, target_ms, interrupt=None):
        with self._cond:
            while self._time < target_ms:
                if interrupt is not None and interrupt.is_set():
                    return None
                self._cond.wait(0.5)
            return self._time

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()


def clock_from_conf(conf) -> Clock:
    """The clock named by ``spark.streaming.clock`` (system clock by default)."""
    name = (conf.get("spark.streaming.clock", "") or "").strip()
    if name in ("org.apache.spark.util.ManualClock", "manual", "ManualClock"):
        return ManualClock()
    if name in ("", "org.apache.spark.util.SystemClock", "system", "SystemClock"):
        return SystemClock()
    raise ValueError(f"Unknown spark.streaming.clock: {name!r} (use 'system' or "
                     "'org.apache.spark.util.ManualClock')")


class RecurringTimer:
    """Calls ``callback(time_ms)`` at every multiple of ``period_ms`` of the clock, from a
    start time on, in its own thread. A callback that runs long delays later ticks; a tick
    is never skipped, because the next target time is the previous one plus the period."""

    def __init__(self, clock: Clock, period_ms: int, callback: Callable[[int], None],
                 name: str):
        self.clock = clock
        self.period = int(period_ms)
        self.callback = callback
        self.name = name
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.prev_time = -1
        self.next_time = -1

    def get_start_time(self) -> int:
        """The first multiple of the period strictly after the clock's current time."""
        return (self.clock.get_time_millis() // self.period + 1) * self.period

    def get_restart_time(self, original_start_ms: int) -> int:
        """The first time after now that is ``original_start + k * period``."""
        gap = self.clock.get_time_millis() - original_start_ms
        return (gap // self.period + 1) * self.period + original_start_ms

    def start(self, start_time_ms: int | None = None) -> int:
        self.next_time = self.get_start_time() if start_time_ms is None else start_time_ms
        self.prev_time = self.next_time - self.period
        self._thread = threading.Thread(target=self._loop, name="RecurringTimer-" + self.name,
                                        daemon=True)
        self._thread.start()
        log.debug("Started timer for %s at time %d", self.name, self.next_time)
        return self.next_time

    def _loop(self) -> None:
        while not self._stop.is_set():
            reached = self.clock.wait_till_time(self.next_time, self._stop)
            if reached is None or self._stop.is_set():
                return
            self.callback(self.next_time)
            self.prev_time = self.next_time
            self.next_time += self.period

    def stop(self) -> int:
        """Stop firing (a callback already running finishes first); returns the last time
        the callback was called for."""
        self._stop.set()
        self.clock.wake()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        return self.prev_time
