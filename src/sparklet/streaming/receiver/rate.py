"""Rate control for receivers: a fixed limit, and backpressure that adapts it.

Two knobs, as in Spark:

- ``spark.streaming.receiver.maxRate`` caps every receiver at that many records per second.
  Each receiver's ``store()`` goes through a :class:`RateLimiter` (a token bucket), so a
  receiver that produces faster simply blocks in ``store()``.
- ``spark.streaming.backpressure.enabled`` lets the driver lower (or raise) that limit from
  what it observes after every batch: a :class:`RateController` (a streaming listener)
  feeds each completed batch to a :class:`PIDRateEstimator` and publishes the new rate to
  the stream's receivers. ``spark.streaming.backpressure.initialRate`` is the limit until
  the first estimate arrives. The effective limit is never above ``maxRate``.

The estimator is Spark's PID controller: with ``processingRate = records / processingDelay``
it steers the ingestion rate towards the rate the job can process, and the integral term
(scheduling delay turned into a backlog of records) pays back what has piled up.

>>> est = PIDRateEstimator(batchIntervalMillis=1000)
>>> est.compute(1000, 5000, 2000, 0) is None   # the first batch only calibrates
True
>>> round(est.compute(2000, 2500, 1000, 1000))   # input still outpaces processing: slow down
2000
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["RateLimiter", "PIDRateEstimator", "RateController", "rate_settings",
           "create_rate_estimator"]

log = logging.getLogger(__name__)


class RateLimiter:
    """A token bucket: ``acquire(n)`` blocks until ``n`` records may pass at ``rate``/s.

    A rate of 0 or less means unlimited. At most ``burst_seconds`` worth of unused
    capacity is saved up, so a receiver idle for a minute cannot then flood a batch.

    >>> limiter = RateLimiter(1000)
    >>> start = time.monotonic()
    >>> for _ in range(200):
    ...     limiter.acquire()
    >>> 0.1 <= time.monotonic() - start < 0.5
    True
    >>> limiter.update_rate(0); limiter.acquire(10 ** 9); limiter.rate
    0.0
    """

    def __init__(self, rate: float = 0.0, burst_seconds: float = 0.05,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self._lock = threading.Lock()
        self._rate = max(float(rate), 0.0)
        self._burst = burst_seconds
        self._clock = clock
        self._sleep = sleep
        # The moment from which the next record may pass: acquiring moves it forward by
        # n / rate, so records pass on an absolute schedule and short sleeps cannot drift.
        self._next_free = clock()

    @property
    def rate(self) -> float:
        return self._rate

    def update_rate(self, rate: float) -> None:
        """Change the limit (records/s, <= 0 for none); takes effect for the next acquire."""
        with self._lock:
            self._rate = max(float(rate), 0.0)
            self._next_free = max(self._next_free, self._clock())

    def acquire(self, n: int = 1) -> None:
        if n <= 0:
            return
        with self._lock:
            rate = self._rate
            if rate <= 0:
                return
            now = self._clock()
            start = max(self._next_free, now - self._burst)
            self._next_free = start + n / rate
            wait = start - now
        # Sleeping below a millisecond is mostly overhead; the debt is paid on a later call.
        if wait > 0.001:
            self._sleep(wait)


class PIDRateEstimator:
    """Spark's PID rate estimator: the next ingestion rate from the last batch's figures.

    ``compute(time, numElements, processingDelay, schedulingDelay)`` (all times in ms)
    returns the new rate in records/s, or None when it has nothing to say: a batch that is
    not newer than the last one, an empty batch, a zero processing delay, or the very first
    batch (which only sets the starting point). The rate never drops below ``minRate``.

    >>> est = PIDRateEstimator(100, minRate=10)
    >>> est.compute(100, 1000, 50, 0)            # 20k records/s observed; first batch
    >>> est.compute(200, 1000, 200, 0)           # processing slowed down to 5k/s
    5000.0
    >>> est.compute(300, 0, 200, 0) is None      # no records: no new information
    True
    """

    def __init__(self, batchIntervalMillis: int, proportional: float = 1.0,
                 integral: float = 0.2, derivative: float = 0.0, minRate: float = 100.0):
        if batchIntervalMillis <= 0:
            raise ValueError(f"Specified batch interval {batchIntervalMillis} in "
                             "PIDRateEstimator is invalid.")
        if proportional < 0:
            raise ValueError(f"Proportional term {proportional} in PIDRateEstimator "
                             "should be >= 0.")
        if integral < 0:
            raise ValueError(f"Integral term {integral} in PIDRateEstimator should be >= 0.")
        if derivative < 0:
            raise ValueError(f"Derivative term {derivative} in PIDRateEstimator should be >= 0.")
        if minRate <= 0:
            raise ValueError(f"Minimum rate {minRate} in PIDRateEstimator should be > 0.")
        self.batch_interval_ms = batchIntervalMillis
        self.proportional = proportional
        self.integral = integral
        self.derivative = derivative
        self.min_rate = minRate
        self._lock = threading.Lock()
        self._first_run = True
        self._latest_time = -1
        self._latest_rate = -1.0
        self._latest_error = -1.0

    def compute(self, time: int, numElements: int, processingDelay: int,
                schedulingDelay: int) -> float | None:
        with self._lock:
            if not (time > self._latest_time and numElements > 0 and processingDelay > 0):
                return None
            seconds_since_update = (time - self._latest_time) / 1000.0
            processing_rate = numElements / processingDelay * 1000.0
            # Positive error: we let in more than the job processes per second.
            error = self._latest_rate - processing_rate
            # The scheduling delay says how far behind we are; in records, at the observed
            # processing rate, spread over one batch interval.
            historical_error = schedulingDelay * processing_rate / self.batch_interval_ms
            d_error = (error - self._latest_error) / seconds_since_update
            new_rate = max(self._latest_rate - self.proportional * error
                           - self.integral * historical_error
                           - self.derivative * d_error, self.min_rate)
            self._latest_time = time
            if self._first_run:
                # Nothing to correct yet: start from what the job just showed it can do.
                self._latest_rate = processing_rate
                self._latest_error = 0.0
                self._first_run = False
                return None
            self._latest_rate = new_rate
            self._latest_error = error
            return new_rate


def _conf_get(conf: Any, key: str, default: str) -> str:
    if conf is None:
        return default
    value = conf.get(key, default) if hasattr(conf, "get") else default
    return default if value is None else str(value)


def rate_settings(conf: Any) -> dict[str, float | bool]:
    """The rate-related configuration (a SparkConf or a plain dict) as numbers."""
    return {
        "maxRate": float(_conf_get(conf, "spark.streaming.receiver.maxRate", "0")),
        "backpressure": _conf_get(conf, "spark.streaming.backpressure.enabled",
                                  "false").lower() == "true",
        "initialRate": float(_conf_get(conf, "spark.streaming.backpressure.initialRate",
                                       "0")),
    }


def initial_rate_limit(conf: Any) -> float:
    """The limit a receiver starts with: ``maxRate``, or the backpressure initial rate when
    that is lower (0 means unlimited)."""
    s = rate_settings(conf)
    limits = [r for r in (s["maxRate"], s["initialRate"] if s["backpressure"] else 0) if r > 0]
    return float(min(limits)) if limits else 0.0


def effective_rate(new_rate: float, max_rate: float) -> float:
    """A published rate, capped by ``spark.streaming.receiver.maxRate`` when that is set."""
    return min(new_rate, max_rate) if max_rate > 0 else new_rate


def create_rate_estimator(batch_interval_ms: int, conf: Any) -> PIDRateEstimator:
    """The estimator ``spark.streaming.backpressure.rateEstimator`` names (only ``pid``)."""
    kind = _conf_get(conf, "spark.streaming.backpressure.rateEstimator", "pid")
    if kind != "pid":
        raise ValueError(f"Unknown rate estimator: {kind}")
    return PIDRateEstimator(
        batch_interval_ms,
        float(_conf_get(conf, "spark.streaming.backpressure.pid.proportional", "1.0")),
        float(_conf_get(conf, "spark.streaming.backpressure.pid.integral", "0.2")),
        float(_conf_get(conf, "spark.streaming.backpressure.pid.derived", "0.0")),
        float(_conf_get(conf, "spark.streaming.backpressure.pid.minRate", "100")))


def _listener_base() -> type:
    try:
        from sparklet.streaming.listener import StreamingListener
    except ImportError:
        return object
    return StreamingListener


def _value(obj: Any, name: str, default: Any = None) -> Any:
    """A field of a listener event, whether an attribute or (PySpark/py4j style) a method."""
    value = getattr(obj, name, default)
    if callable(value) and not isinstance(value, type):
        value = value()
    return value


def _millis(t: Any) -> int:
    """A batch time as ms: an int, or a Time-like object with ``milliseconds``."""
    if hasattr(t, "milliseconds"):
        return int(_value(t, "milliseconds"))
    return int(t)


class RateController(_listener_base()):  # type: ignore[misc]
    """A streaming listener that re-estimates one input stream's rate after every batch.

    ``publish(rate)`` receives each new rate (the receiver tracker sends it to the stream's
    receivers). Events may be the streaming core's ``StreamingListenerBatchCompleted`` or
    any object with a ``batchInfo`` carrying ``batchTime``, ``processingDelay``,
    ``schedulingDelay`` (ms) and ``numRecords`` or ``streamIdToInputInfo``.

    >>> from types import SimpleNamespace as NS
    >>> rates = []
    >>> rc = RateController(0, PIDRateEstimator(1000), rates.append)
    >>> for t, n, proc in [(1000, 4000, 2000), (2000, 2000, 1000)]:
    ...     rc.onBatchCompleted(NS(batchInfo=NS(batchTime=t, numRecords=n,
    ...                                         processingDelay=proc, schedulingDelay=0)))
    >>> rates, rc.getLatestRate()
    ([2000.0], 2000.0)
    """

    def __init__(self, stream_id: int, estimator: PIDRateEstimator,
                 publish: Callable[[float], None]):
        self.stream_id = stream_id
        self.estimator = estimator
        self._publish = publish
        self._latest_rate = -1.0

    def getLatestRate(self) -> float:
        return self._latest_rate

    def _num_records(self, info: Any) -> int:
        per_stream = _value(info, "streamIdToInputInfo")
        if per_stream:
            entry = per_stream.get(self.stream_id)
            if entry is None:
                return 0
            if isinstance(entry, int):
                return entry
            return int(_value(entry, "numRecords", 0) or 0)
        return int(_value(info, "numRecords", 0) or 0)

    def onBatchCompleted(self, batchCompleted: Any) -> None:
        info = _value(batchCompleted, "batchInfo")
        processing = _value(info, "processingDelay")
        scheduling = _value(info, "schedulingDelay")
        if processing is None or scheduling is None or processing < 0 or scheduling < 0:
            return  # unknown (Spark's empty Option, -1 in PySpark): nothing to learn
        new_rate = self.estimator.compute(_millis(_value(info, "batchTime")),
                                          self._num_records(info), int(processing),
                                          int(scheduling))
        if new_rate is not None:
            self._latest_rate = new_rate
            try:
                self._publish(new_rate)
            except Exception:  # noqa: BLE001 - a listener must not break the listener bus
                log.exception("could not publish rate %.1f for stream %d", new_rate,
                              self.stream_id)

    def __getattr__(self, name: str):
        # Every other listener callback (onReceiverStarted, onBatchSubmitted, ...) is a
        # no-op, so the object works with a listener bus that calls them all.
        if name.startswith("on") and name[2:3].isupper():
            return lambda *args, **kwargs: None
        raise AttributeError(name)
