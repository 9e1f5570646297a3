"""Rate control: the token bucket behind ``spark.streaming.receiver.maxRate``, the PID rate
estimator, and backpressure closing the loop from completed batches to the receivers."""

from __future__ import annotations

import queue
import threading
import time
from types import SimpleNamespace as NS

import pytest
from receiver_helpers import WAIT, receiver_conf, start_tracker, wait_until

from sparklet.streaming.receiver import Receiver
from sparklet.streaming.receiver.rate import (
    PIDRateEstimator,
    RateController,
    RateLimiter,
    create_rate_estimator,
    initial_rate_limit,
)


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Flood(Receiver):
    """Stores 0, 1, 2, ... as fast as it is let (``batch`` > 1: lists of that many)."""

    def __init__(self, batch: int = 1):
        super().__init__()
        self.batch = batch

    def onStart(self):
        threading.Thread(target=self._run, daemon=True).start()

    def onStop(self):
        pass

    def _run(self):
        n = 0
        try:
            while not self.isStopped():
                if self.batch == 1:
                    self.store(n)
                else:
                    self.store(list(range(n, n + self.batch)))
                n += self.batch
        except RuntimeError:
            pass  # stopped between the check and the store


# -- the token bucket ----------------------------------------------------------------------

def test_rate_limiter_paces_records_on_a_schedule():
    clock = FakeClock()
    limiter = RateLimiter(100, burst_seconds=0.0, clock=clock.time, sleep=clock.sleep)
    for _ in range(500):
        limiter.acquire()
    # 500 records at 100/s: the last may pass at 4.99 s (the first passes at once).
    assert clock.now == pytest.approx(4.99, abs=0.011)
    limiter.acquire(200)           # many records at once pay for all of them
    assert clock.now == pytest.approx(5.0, abs=0.011)
    limiter.acquire(1)
    assert clock.now == pytest.approx(7.0, abs=0.011)


def test_rate_limiter_saves_up_only_a_small_burst_and_can_change_rate():
    clock = FakeClock()
    limiter = RateLimiter(1000, burst_seconds=0.05, clock=clock.time, sleep=clock.sleep)
    clock.now = 60.0               # idle for a minute
    for _ in range(50):            # only 50 ms worth (50 records) pass without waiting
        limiter.acquire()
    assert clock.now == 60.0
    for _ in range(100):
        limiter.acquire()
    assert clock.now == pytest.approx(60.1, abs=0.003)
    limiter.update_rate(10)
    before = clock.now
    limiter.acquire()
    limiter.acquire()
    assert clock.now - before == pytest.approx(0.1, abs=0.002)
    limiter.update_rate(0)         # unlimited
    limiter.acquire(10 ** 9)
    assert limiter.rate == 0


def test_initial_rate_limit_from_conf():
    assert initial_rate_limit({}) == 0
    assert initial_rate_limit({"spark.streaming.receiver.maxRate": "500"}) == 500
    both = {"spark.streaming.receiver.maxRate": "500",
            "spark.streaming.backpressure.enabled": "true",
            "spark.streaming.backpressure.initialRate": "200"}
    assert initial_rate_limit(both) == 200
    assert initial_rate_limit({**both, "spark.streaming.backpressure.enabled": "false"}) == 500


@pytest.mark.parametrize("batch", [1, 50])
def test_max_rate_is_honoured_end_to_end(make_context, batch):
    sc = make_context(receiver_conf(**{"spark.streaming.receiver.maxRate": "2000"}))
    tracker, _ = start_tracker(sc, {0: Flood(batch)})
    try:
        assert tracker.wait_for_receivers(WAIT)
        assert wait_until(lambda: tracker.received_records(0) > 0)
        n0, t0 = tracker.received_records(0), time.monotonic()
        # 2000 more records arrive (within the generous bound: the limit lets them in) ...
        assert wait_until(lambda: tracker.received_records(0) >= n0 + 2000)
        n1, t1 = tracker.received_records(0), time.monotonic()
    finally:
        tracker.stop(graceful=False)
    rate = (n1 - n0) / (t1 - t0)
    # ... but never faster than maxRate (plus a block's worth of slack), though the flood
    # would be far above it. A loaded machine only makes the measured rate lower.
    assert rate <= 2000 * 1.1 + 100, rate


# -- the PID estimator ---------------------------------------------------------------------

def test_pid_estimator_first_batch_only_calibrates():
    est = PIDRateEstimator(1000)
    assert est.compute(1000, 1000, 500, 0) is None
    # Processing at the rate we ingest, no delay: keep the rate.
    assert est.compute(2000, 2000, 1000, 0) == pytest.approx(2000)
    assert est.compute(3000, 2000, 1000, 0) == pytest.approx(2000)


def test_pid_estimator_ignores_batches_without_information():
    est = PIDRateEstimator(1000)
    est.compute(1000, 1000, 500, 0)
    assert est.compute(1000, 1000, 500, 0) is None     # not newer
    assert est.compute(2000, 0, 500, 0) is None        # no records
    assert est.compute(3000, 1000, 0, 0) is None       # no processing time
    assert est.compute(4000, 1000, 500, 0) is not None


def test_pid_estimator_lowers_the_rate_to_pay_back_delay_and_respects_min_rate():
    est = PIDRateEstimator(1000, minRate=100)
    est.compute(1000, 10_000, 1000, 0)                 # 10k/s
    no_delay = PIDRateEstimator(1000, minRate=100)
    no_delay.compute(1000, 10_000, 1000, 0)
    # Same processing rate, but a 2 s scheduling delay: the integral term slows input more.
    assert est.compute(2000, 5000, 1000, 2000) < no_delay.compute(2000, 5000, 1000, 0)
    collapsed = PIDRateEstimator(1000, minRate=100)
    collapsed.compute(1000, 10, 1000, 0)
    assert collapsed.compute(2000, 1, 1000, 100_000) == 100


@pytest.mark.parametrize("kwargs", [dict(batchIntervalMillis=0), dict(proportional=-1),
                                    dict(integral=-1), dict(derivative=-1), dict(minRate=0)])
def test_pid_estimator_rejects_bad_parameters(kwargs):
    with pytest.raises(ValueError):
        PIDRateEstimator(**{"batchIntervalMillis": 1000, **kwargs})


def test_rate_estimator_from_conf():
    est = create_rate_estimator(500, {"spark.streaming.backpressure.pid.minRate": "7",
                                      "spark.streaming.backpressure.pid.integral": "0.5"})
    assert (est.batch_interval_ms, est.min_rate, est.integral, est.proportional) == \
        (500, 7.0, 0.5, 1.0)
    with pytest.raises(ValueError, match="Unknown rate estimator"):
        create_rate_estimator(500, {"spark.streaming.backpressure.rateEstimator": "magic"})


# -- the closed loop, on a model of a job that processes `capacity` records/s --------------

def simulate(backpressure: bool, capacity: float = 2000.0, source_rate: float = 4000.0,
             interval_ms: int = 1000, batches: int = 40) -> list[dict]:
    """Batches of an always-faster source, processed one after another at ``capacity``;
    each completed batch is fed to a RateController (as the listener bus would), whose
    rate applies from the next interval that starts after the batch completed."""
    published: list[tuple[float, float]] = []     # (time ms, rate)
    clock = {"now": 0.0}
    controller = RateController(0, PIDRateEstimator(interval_ms),
                                lambda r: published.append((clock["now"], r)))
    stats, busy_until = [], 0.0
    for k in range(1, batches + 1):
        start_of_interval = (k - 1) * interval_ms
        rate = source_rate
        for at, r in published:
            if backpressure and at <= start_of_interval:
                rate = min(r, source_rate)
        records = int(rate * interval_ms / 1000)
        batch_time = k * interval_ms
        started = max(batch_time, busy_until)
        processing = records / capacity * 1000
        busy_until = started + processing
        clock["now"] = busy_until
        controller.onBatchCompleted(NS(batchInfo=NS(
            batchTime=batch_time, numRecords=records, processingDelay=int(processing),
            schedulingDelay=int(started - batch_time))))
        stats.append({"records": records, "processing": processing,
                      "scheduling": started - batch_time, "rate": rate})
    return stats


def test_backpressure_model_converges_to_the_processing_rate():
    with_bp = simulate(backpressure=True)
    without = simulate(backpressure=False)
    tail = with_bp[-10:]
    # Processing time settles near the interval, and the backlog has been paid back.
    assert all(800 <= s["processing"] <= 1100 for s in tail), tail
    assert all(s["scheduling"] < 1000 for s in tail), tail
    assert all(1600 <= s["rate"] <= 2200 for s in tail), tail
    # Without backpressure each batch takes two intervals: the delay grows without end.
    assert without[-1]["scheduling"] > 35_000
    assert without[-1]["scheduling"] >= without[-10]["scheduling"] + 9_000
    assert all(s["processing"] == 2000 for s in without)


# -- the closed loop for real: a receiver on a worker, jobs on the other -------------------

def _batch_completed(batch_time: int, records: int, submitted: int, started: int, ended: int):
    """A BatchCompleted event: the streaming core's classes when present, else a stand-in."""
    try:
        from sparklet.streaming.listener import (
            BatchInfo,
            StreamingListenerBatchCompleted,
            StreamInputInfo,
            Time,
        )
    except ImportError:
        return NS(batchInfo=NS(batchTime=batch_time, numRecords=records,
                               processingDelay=ended - started,
                               schedulingDelay=started - submitted))
    info = BatchInfo(Time(batch_time), {0: StreamInputInfo(0, records)}, submitted, started,
                     ended, {})
    return StreamingListenerBatchCompleted(info)


def test_backpressure_holds_the_receiver_to_what_the_job_can_process(make_context):
    """The loop for real, asserting only what no load can break: the rates the controller
    sends the receiver never exceed what the job showed it can process (1 ms a record:
    at most 1000/s, slower on a busy machine), and the receiver then lets in no more.
    How fast it converges is the model's test above (``simulate``), on model time."""
    per_record = 0.001                 # the job processes ~1000 records/s
    interval_ms = 200
    num_batches = 40
    sc = make_context(receiver_conf(**{
        "spark.streaming.backpressure.enabled": "true",
        "spark.streaming.backpressure.initialRate": "2000"}))
    tracker, ssc = start_tracker(sc, {0: Flood()}, batch_seconds=interval_ms / 1000)
    (controller,) = ssc.listeners      # registered through addStreamingListener
    assert isinstance(controller, RateController)

    def process(it):
        n = sum(1 for _ in it)
        time.sleep(n * per_record)     # a job that costs 1 ms per record
        yield n

    # As the job generator does: blocks are allocated to each batch at its batch time by a
    # timer, while batches are processed one after another (a slow one delays the next).
    batches: queue.Queue = queue.Queue()
    stop = threading.Event()

    def generate(zero: int) -> None:
        k = 1
        while not stop.is_set():
            batch_time = zero + k * interval_ms
            if stop.wait(max(0.0, batch_time / 1000 - time.time())):
                return
            tracker.allocate_blocks_to_batch(batch_time)
            batches.put((batch_time, time.time() * 1000))
            k += 1

    stats = []
    try:
        assert tracker.wait_for_receivers(WAIT)
        generator = threading.Thread(target=generate, args=(int(time.time() * 1000),),
                                     daemon=True)
        generator.start()
        for _ in range(num_batches):
            batch_time, allocated_at = batches.get(timeout=WAIT)
            started = int(time.time() * 1000)
            records = tracker.blocks_rdd(0, batch_time).mapPartitions(process).sum()
            ended = int(time.time() * 1000)
            assert records == tracker.num_records(0, batch_time)
            controller.onBatchCompleted(_batch_completed(batch_time, records, batch_time,
                                                         started, ended))
            tracker.cleanup_before(batch_time)
            stats.append({"batch_time": batch_time, "allocated_at": allocated_at,
                          "records": records, "rate": controller.getLatestRate()})
    finally:
        stop.set()
        tracker.stop(graceful=False)
    rates = [s["rate"] for s in stats if s["rate"] >= 0]
    assert rates, stats  # the controller did publish rates
    # Never more than the job's capacity (ms rounding of the processing time aside).
    assert max(rates) <= 1000 * 1.02, stats
    # The last 12 batches, long after the first update: what they hold came in between the
    # allocation of the batch before them (at or after its batch time) and the last one
    # (at allocated_at), at no more than the published rates (plus a block's worth).
    before, tail = stats[-13], stats[-12:]
    window_s = (tail[-1]["allocated_at"] - before["batch_time"]) / 1000
    assert sum(s["records"] for s in tail) <= (max(rates) * 1.1 + 100) * window_s + 100, \
        stats


def test_backpressure_end_to_end_through_the_streaming_context(make_context):
    """The same loop through the streaming core: its job generator, listener bus and the
    rate controller the tracker registers there; the same load-proof assertions."""
    streaming = pytest.importorskip("sparklet.streaming")
    if not hasattr(streaming, "StreamingContext"):
        pytest.skip("the streaming core (StreamingContext) is not there yet")
    from sparklet.streaming.listener import StreamingListener

    sc = make_context(receiver_conf(**{
        "spark.streaming.backpressure.enabled": "true",
        "spark.streaming.backpressure.initialRate": "2000"}))
    completed = []

    class Collect(StreamingListener):
        def onBatchCompleted(self, batchCompleted):
            info = batchCompleted.batchInfo()
            controller = ssc._receiver_tracker.rate_controllers[0]
            completed.append((info.numRecords(), info.batchTime().milliseconds(),
                              time.time() * 1000, controller.getLatestRate()))

    def process(it):
        n = sum(1 for _ in it)
        time.sleep(n * 0.001)          # ~1000 records/s
        yield n

    ssc = streaming.StreamingContext(sc, 0.2)
    ssc.addStreamingListener(Collect())
    ssc.receiverStream(Flood()).mapPartitions(process).foreachRDD(lambda rdd: rdd.count())
    ssc.start()

    def since_first_data() -> list:
        first = next((i for i, c in enumerate(completed) if c[0]), len(completed))
        return completed[first:]

    try:
        # Counted from the first batch with data (the receiver takes a moment to start).
        assert wait_until(lambda: len(since_first_data()) >= 24)
    finally:
        ssc.stop(stopSparkContext=False, stopGraceFully=False)
    batches = since_first_data()[:24]
    rates = [rate for *_, rate in batches if rate >= 0]
    assert rates, completed
    assert max(rates) <= 1000 * 1.02, completed  # never above what the job can process
    # The last 12 came in after the batch before them was cut (at or after its batch time)
    # and before the last one completed, at no more than the published rates.
    before, tail = batches[11], batches[12:]
    window_s = (tail[-1][2] - before[1]) / 1000
    assert sum(n for n, *_ in tail) <= (max(rates) * 1.1 + 100) * window_s + 100, completed
