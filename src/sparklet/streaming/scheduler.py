"""Job generation and job scheduling for streaming.

* :class:`JobGenerator` -- a :class:`~sparklet.streaming.clock.RecurringTimer` fires at every
  batch time ``zeroTime + k * batchDuration``; for each, the generator (one event-loop
  thread) allocates received blocks to the batch, asks the graph for one job per output
  operation and submits them as a :class:`JobSet`. Finished batches come back as
  "clear metadata" events on the same thread, so generation and cleanup never race.
* :class:`JobScheduler` -- runs jobs on ``spark.streaming.concurrentJobs`` threads (default
  1), in submission order. A batch that takes longer than the interval delays later ones
  (their scheduling delay grows); none is skipped. Posts the listener events.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING

from sparklet.streaming.clock import RecurringTimer
from sparklet.streaming.listener import (
    BatchInfo,
    OutputOperationInfo,
    StreamingListenerBatchCompleted,
    StreamingListenerBatchStarted,
    StreamingListenerBatchSubmitted,
    StreamingListenerOutputOperationCompleted,
    StreamingListenerOutputOperationStarted,
    StreamInputInfo,
    Time,
)
from sparklet.streaming.progress import StreamingProgress

if TYPE_CHECKING:
    from sparklet.streaming.context import StreamingContext

__all__ = ["Job", "JobSet", "JobScheduler", "JobGenerator", "InputInfoTracker"]

log = logging.getLogger("sparklet.streaming")


def _now_ms() -> int:
    return int(time.time() * 1000)


class InputInfoTracker:
    """What each input stream contributed to each batch (for BatchInfo)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._infos: dict[int, dict[int, StreamInputInfo]] = {}

    def report_info(self, time_ms: int, stream_id: int, num_records: int,
                    metadata: dict | None = None) -> None:
        with self._lock:
            per_batch = self._infos.setdefault(time_ms, {})
            if stream_id in per_batch:
                raise RuntimeError(f"Input stream {stream_id} for batch {time_ms} ms is already "
                                   "added into InputInfoTracker")
            per_batch[stream_id] = StreamInputInfo(stream_id, num_records, metadata)

    def get_info(self, time_ms: int) -> dict[int, StreamInputInfo]:
        with self._lock:
            return dict(self._infos.get(time_ms, {}))

    def cleanup(self, before_ms: int) -> None:
        with self._lock:
            for t in [t for t in self._infos if t < before_ms]:
                del self._infos[t]


class Job:
    """One output operation's work for one batch."""

    def __init__(self, time_ms: int, output_op_id: int, name: str, description: str,
                 func: Callable[[], None]):
        self.time_ms = time_ms
        self.output_op_id = output_op_id
        self.func = func
        self.info = OutputOperationInfo(Time(time_ms), output_op_id, name, description)

    def run(self) -> BaseException | None:
        try:
            self.func()
            return None
        except BaseException as e:  # reported to awaitTermination, as Spark does
            return e

    def __repr__(self) -> str:
        return f"streaming job {self.time_ms} ms.{self.output_op_id}"


class JobSet:
    """The jobs of one batch, and its timing."""

    def __init__(self, time_ms: int, jobs: list[Job], inputs: dict[int, StreamInputInfo]):
        self.time_ms = time_ms
        self.jobs = jobs
        self.inputs = inputs
        self.incomplete = len(jobs)
        self.submission_time = _now_ms()
        self.processing_start: int | None = None
        self.processing_end: int | None = None

    def batch_info(self) -> BatchInfo:
        return BatchInfo(Time(self.time_ms), self.inputs, self.submission_time,
                         self.processing_start, self.processing_end,
                         {j.output_op_id: j.info._copy() for j in self.jobs})


class JobScheduler:
    """Runs job sets on ``spark.streaming.concurrentJobs`` threads and tracks progress."""

    def __init__(self, ssc: StreamingContext):
        self.ssc = ssc
        self.num_concurrent_jobs = int(ssc._sc.getConf().get(
            "spark.streaming.concurrentJobs", "1"))
        self.input_info_tracker = InputInfoTracker()
        self.progress = StreamingProgress(ssc)  # the UI's per-batch event (no-op without)
        self.job_generator = JobGenerator(self)
        self._lock = threading.Condition()
        self._job_sets: dict[int, JobSet] = {}
        self._jobs: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._running_jobs = 0
        # Batch times that are fully handled (done, skipped or failed to generate), and the
        # latest time up to which every batch is handled -- what tests wait on.
        self._handled: set[int] = set()
        self.handled_until: int | None = None
        self._started = False
        self._batch_done: dict[int, list[Callable[[JobSet], None]]] = {}

    def start(self) -> None:
        for i in range(self.num_concurrent_jobs):
            t = threading.Thread(target=self._run_jobs, name=f"streaming-job-executor-{i}",
                                 daemon=True)
            t.start()
            self._threads.append(t)
        self._started = True
        tracker = self.ssc._receiver_tracker
        self.job_generator.start()
        if tracker is not None:
            tracker.start()

    def stop(self, graceful: bool) -> None:
        if not self._started:
            return
        tracker = self.ssc._receiver_tracker
        if tracker is not None:
            # Graceful: receivers stop and what they received is allocated to batches while
            # the generator keeps running.
            tracker.stop(graceful)
        self.job_generator.stop(graceful)
        if graceful:
            self.wait_for_all_jobs()
            dropped = []
            writer = self.job_generator.checkpoint_writer
            last = self.job_generator.last_generated
            if writer is not None and last is not None:
                # The generator's loop is gone, so the completions it did not see are
                # recorded here: a restart after a graceful stop reruns nothing.
                writer.write(last, "c")
        else:
            dropped = self._drain_queue()
            self.wait_for_all_jobs(timeout=2.0)
        for _ in self._threads:
            self._jobs.put(None)
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(5)
        self._threads.clear()
        with self._lock:
            for job in dropped:
                self._handled.add(job.time_ms)
            self._lock.notify_all()
        self._started = False

    def _drain_queue(self) -> list[Job]:
        dropped = []
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return dropped
            if job is not None:
                dropped.append(job)
                with self._lock:
                    self._job_sets.pop(job.time_ms, None)

    # -- submission ------------------------------------------------------------------------

    def submit_job_set(self, job_set: JobSet,
                       before_run: Callable[[], None] | None = None) -> None:
        """Queue the batch's jobs; ``before_run`` is called once the batch counts as
        pending and before any of its jobs can start (the generator writes the batch's
        checkpoint there)."""
        if not job_set.jobs:
            log.info("No jobs added for time %d ms", job_set.time_ms)
            self.mark_handled(job_set.time_ms)
            if before_run is not None:
                before_run()
            return
        with self._lock:
            self._job_sets[job_set.time_ms] = job_set
        if before_run is not None:
            before_run()
        self.ssc._listener_bus.post(StreamingListenerBatchSubmitted(job_set.batch_info()))
        for job in job_set.jobs:
            self._jobs.put(job)

    def _run_jobs(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            with self._lock:
                job_set = self._job_sets.get(job.time_ms)
                self._running_jobs += 1
            if job_set is None:  # dropped by a non-graceful stop
                with self._lock:
                    self._running_jobs -= 1
                    self._lock.notify_all()
                continue
            try:
                self._run_job(job_set, job)
            finally:
                with self._lock:
                    self._running_jobs -= 1
                    self._lock.notify_all()

    def _run_job(self, job_set: JobSet, job: Job) -> None:
        bus = self.ssc._listener_bus
        sc = self.ssc._sc
        with self._lock:
            first = job_set.processing_start is None
            if first:
                job_set.processing_start = _now_ms()
        if first:
            bus.post(StreamingListenerBatchStarted(job_set.batch_info()))
        job.info.start_time = _now_ms()
        bus.post(StreamingListenerOutputOperationStarted(job.info._copy()))
        sc.setLocalProperty("spark.streaming.internal.batchTime", str(job.time_ms))
        sc.setLocalProperty("spark.streaming.internal.outputOpId", str(job.output_op_id))
        sc.setJobDescription(f"Streaming job from {job.info.name()}")
        error = job.run()
        job.info.end_time = _now_ms()
        if error is not None:
            job.info.failure_reason = "".join(
                traceback.format_exception(type(error), error, error.__traceback__))
        bus.post(StreamingListenerOutputOperationCompleted(job.info._copy()))
        if error is not None:
            self.ssc._report_error(f"Error running job {job!r}", error)
        with self._lock:
            job_set.incomplete -= 1
            done = job_set.incomplete == 0
            if done:
                job_set.processing_end = _now_ms()
                self._job_sets.pop(job_set.time_ms, None)
        if done:
            self._run_batch_done(job_set)
            self.progress.on_batch_completed(job_set)
            bus.post(StreamingListenerBatchCompleted(job_set.batch_info()))
            self.job_generator.on_batch_completion(job_set.time_ms)

    def on_batch_done(self, time_ms: int, callback: Callable[[JobSet], None]) -> None:
        """Call ``callback(job_set)`` once every job of batch ``time_ms`` has run, before
        ``onBatchCompleted`` is posted (it may add to the batch's input metadata)."""
        with self._lock:
            self._batch_done.setdefault(time_ms, []).append(callback)

    def _run_batch_done(self, job_set: JobSet) -> None:
        with self._lock:
            callbacks = self._batch_done.pop(job_set.time_ms, [])
        for callback in callbacks:
            try:
                callback(job_set)
            except Exception:  # noqa: BLE001 - reporting never fails the batch
                log.warning("Error in a batch-completion callback of batch %d ms",
                            job_set.time_ms, exc_info=True)

    # -- progress --------------------------------------------------------------------------

    def mark_handled(self, time_ms: int) -> None:
        """Record that batch ``time_ms`` needs no more work."""
        with self._lock:
            self._handled.add(time_ms)
            step = self.ssc._graph.batch_duration
            nxt = (self.handled_until if self.handled_until is not None
                   else self.ssc._graph.zero_time) + step
            while nxt in self._handled:
                self._handled.discard(nxt)
                self.handled_until = nxt
                nxt += step
            self._lock.notify_all()

    def wait_for_batch(self, time_ms: int, timeout: float | None = None) -> bool:
        """Block until every batch up to ``time_ms`` is handled; False on timeout."""
        with self._lock:
            return self._lock.wait_for(
                lambda: self.handled_until is not None and self.handled_until >= time_ms,
                timeout)

    def wait_for_all_jobs(self, timeout: float | None = None) -> bool:
        """Block until every submitted job ran."""
        with self._lock:
            return self._lock.wait_for(
                lambda: not self._job_sets and self._running_jobs == 0, timeout)


class JobGenerator:
    """Turns batch times into job sets (see the module docstring)."""

    def __init__(self, scheduler: JobScheduler):
        self.scheduler = scheduler
        self.ssc = scheduler.ssc
        self.graph = self.ssc._graph
        self.timer: RecurringTimer | None = None
        self._events: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._abandon = False  # a non-graceful stop skips batches not generated yet
        self.last_generated: int | None = None
        # The latest batch whose metadata is cleared: a batch counts as handled before its
        # "clear" event runs on this thread, so code that inspects what streams remember
        # waits for this to catch up.
        self.last_cleared: int | None = None
        self.checkpoint_writer = None  # set at start when a checkpoint directory is set

    def start(self) -> None:
        # The clock is read at start, so a test may install a manual clock until then.
        self.timer = RecurringTimer(self.ssc._clock, self.graph.batch_duration,
                                    self._post_generate, "JobGenerator")
        plan = self.ssc._recovery
        if plan is None:
            start_time = self.timer.get_start_time()
            self.graph.start(start_time - self.graph.batch_duration)
        else:
            start_time = self._restart(plan)
        if self.ssc._checkpoint_dir is not None:
            from sparklet.streaming.recovery.checkpoint import (
                CheckpointWriter,
                readable_checkpoints,
            )

            self.checkpoint_writer = CheckpointWriter(self.ssc, self.ssc._checkpoint_dir)
            if plan is not None:
                self.checkpoint_writer.adopt_recovered(
                    readable_checkpoints(self.ssc._checkpoint_dir))
        self._thread = threading.Thread(target=self._event_loop, name="JobGenerator",
                                        daemon=True)
        self._thread.start()
        self.timer.start(start_time)

    def _restart(self, plan) -> int:
        """Start from a checkpoint: the original zero time (so batch times line up with
        the saved ones), saved positions and state attached, and the batches that were
        pending or fell in the down time queued ahead of the timer's first tick."""
        self.graph.start(plan.zero_time)
        self.graph.start_time = plan.start_time
        plan.restore_operators()
        restart_time = self.timer.get_restart_time(plan.start_time)
        times = plan.times_to_reschedule(restart_time)
        log.info("Restarting from checkpoint: rescheduling batches %s, then from %d ms",
                 times, restart_time)
        first = times[0] if times else restart_time
        self.scheduler.handled_until = first - self.graph.batch_duration
        for t in times:
            self._events.put(("generate", t))
        return restart_time

    def stop(self, graceful: bool) -> None:
        if self.timer is None:
            return
        tracker = self.ssc._receiver_tracker
        if graceful and tracker is not None:
            # As Spark: batches go on being generated until every block the stopped
            # receivers delivered belongs to one, for at most spark.streaming.
            # gracefulStopTimeout (default ten batch intervals) of wall time.
            from sparklet.streaming.inputs import _duration_ms

            value = self.ssc._sc.getConf().get("spark.streaming.gracefulStopTimeout")
            if value is None:
                timeout_ms = 10 * self.graph.batch_duration
            elif str(value).strip().isdigit():
                timeout_ms = int(value)  # a bare number is milliseconds, as in Spark
            else:
                timeout_ms = _duration_ms(value)
            timeout = timeout_ms / 1000.0
            deadline = time.monotonic() + timeout
            while tracker.has_unallocated_blocks() and time.monotonic() < deadline:
                time.sleep(min(0.01, self.graph.batch_duration / 1000.0))
            if tracker.has_unallocated_blocks():
                log.warning("Timed out after %.1f s waiting for received blocks to be given to "
                            "batches; they are not processed", timeout)
        self.timer.stop()
        self._abandon = not graceful
        # Let the event loop finish what was posted (graceful) or just its current event.
        self._events.put(("stop", graceful))
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._thread = None
        self.graph.stop()

    def _post_generate(self, time_ms: int) -> None:
        self._events.put(("generate", time_ms))

    def on_batch_completion(self, time_ms: int) -> None:
        self._events.put(("clear", time_ms))
        self.scheduler.mark_handled(time_ms)

    def _event_loop(self) -> None:
        draining = False
        while True:
            kind, arg = self._events.get()
            if kind == "stop":
                if not arg or draining:
                    return
                # Graceful: handle what is already queued, then stop.
                draining = True
                self._events.put(("stop", False))
                continue
            try:
                if kind == "generate" and not self._abandon:
                    self._generate_jobs(arg)
                elif kind == "clear":
                    self._clear_metadata(arg)
            except Exception as e:  # never let the loop die: report and go on
                self.ssc._report_error(f"Error in job generator ({kind} {arg})", e)

    def _generate_jobs(self, time_ms: int) -> None:
        tracker = self.ssc._receiver_tracker
        try:
            if self.checkpoint_writer is not None:
                # Before the batch's RDDs exist: a deleted directory is recreated (with a
                # warning) before this batch checkpoints state RDDs into it.
                self.checkpoint_writer.check_directory()
            if tracker is not None:
                tracker.allocate_blocks_to_batch(time_ms)
            jobs = self.graph.generate_jobs(time_ms)
            self.scheduler.progress.on_batch_generated(time_ms)
        except Exception as e:
            self.ssc._report_error(f"Error generating jobs for time {time_ms} ms", e)
            self.scheduler.mark_handled(time_ms)
            return
        self.last_generated = time_ms
        inputs = self.scheduler.input_info_tracker.get_info(time_ms)
        writer = self.checkpoint_writer
        # The batch is pending in this checkpoint, with the input positions it used, before
        # any of its jobs runs: a crash at any point of the batch reruns it with exactly
        # the same input (a Kafka batch's offset ranges), never with a later one.
        self.scheduler.submit_job_set(
            JobSet(time_ms, jobs, inputs),
            None if writer is None else lambda: writer.write(time_ms, "g"))

    def _clear_metadata(self, time_ms: int) -> None:
        self.graph.clear_metadata(time_ms)
        remember = self.graph.max_input_stream_remember_duration()
        tracker = self.ssc._receiver_tracker
        if tracker is not None:
            tracker.cleanup_before(time_ms - remember)
        self.scheduler.input_info_tracker.cleanup(time_ms - remember)
        if self.checkpoint_writer is not None:
            self.checkpoint_writer.write(time_ms, "c")
        self.last_cleared = time_ms
