"""Retrying with backoff: how every connector waits between attempts to reach its source.

A broker down at start or mid-stream never stalls a receiver silently nor crashes the
context: the receiver logs one clear line per failed attempt (what, where, the error, the
next delay), tells the driver once per outage (a ``ReceiverError`` listener event) and tries
again after a growing delay, until it connects or is stopped.

>>> b = Backoff(initial=0.1, maximum=1.0)
>>> [b.next_delay() for _ in range(6)]
[0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
>>> b.reset(); b.next_delay()
0.1
>>> linear = Backoff(initial=0.25, maximum=1.0, linear=True)
>>> [linear.next_delay() for _ in range(5)]
[0.25, 0.5, 0.75, 1.0, 1.0]
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from sparklet.streaming.receiver import Receiver

__all__ = ["Backoff", "connect_with_backoff"]

T = TypeVar("T")


class Backoff:
    """Delays between attempts: ``initial`` times ``factor`` per attempt (or ``initial``
    more per attempt when ``linear``), capped at ``maximum``; ``jitter`` (0-1) takes up to
    that fraction off each delay at random, so many clients do not retry in step."""

    def __init__(self, initial: float = 0.1, maximum: float = 30.0, factor: float = 2.0,
                 linear: bool = False, jitter: float = 0.0):
        if initial <= 0 or maximum < initial:
            raise ValueError(f"Backoff needs 0 < initial <= maximum, got {initial}, "
                             f"{maximum}")
        self.initial, self.maximum, self.factor = initial, maximum, factor
        self.linear, self.jitter = linear, jitter
        self.attempts = 0

    def next_delay(self) -> float:
        """The delay before the next attempt (and count this one)."""
        n = self.attempts
        self.attempts += 1
        if self.linear:
            delay = self.initial * (n + 1)
        else:
            delay = self.initial * self.factor ** min(n, 64)
        delay = min(self.maximum, delay)
        if self.jitter:
            delay *= 1.0 - random.random() * self.jitter
        return delay

    def reset(self) -> None:
        """After a success: start again from ``initial``."""
        self.attempts = 0


def connect_with_backoff(receiver: Receiver, what: str, connect: Callable[[], T],
                         stopping: threading.Event, log: logging.Logger,
                         backoff: Backoff | None = None) -> T | None:
    """``connect()`` until it succeeds (its result) or ``stopping`` is set or the receiver
    stops (None). Each failure is logged with ``what`` (e.g. ``"MQTT broker
    tcp://127.0.0.1:1883"``) and the next delay; the first of an outage is also reported to
    the driver."""
    backoff = backoff or Backoff()
    while not (stopping.is_set() or receiver.isStopped()):
        try:
            result = connect()
        except Exception as e:  # noqa: BLE001 - any failure to connect is retried
            delay = backoff.next_delay()
            log.warning("Cannot connect to %s (attempt %d): %s; retrying in %.1f s", what,
                        backoff.attempts, e, delay)
            if backoff.attempts == 1 and not receiver.isStopped():
                receiver.reportError(f"Cannot connect to {what} (retrying): {e}", e)
            stopping.wait(delay)
            continue
        if backoff.attempts:
            log.info("Connected to %s after %d failed attempt%s", what, backoff.attempts,
                     "" if backoff.attempts == 1 else "s")
        backoff.reset()
        return result
    return None
