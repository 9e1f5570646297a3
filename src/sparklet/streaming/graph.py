"""DStreamGraph: the input and output streams of a context, and what they do per batch.

The graph starts every stream at the zero time (initialize, remember, validate), asks each
output stream for its job at a batch time, and forgets old RDDs once a batch is done.

The graph is what a metadata checkpoint serializes (cloudpickle: every stream with its user
functions, the output operations, remember and checkpoint durations) and what
``StreamingContext.getOrCreate`` deserializes on recovery, as Spark does; a deserialized
graph belongs to no context until :meth:`DStreamGraph.attach` binds it to one.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sparklet.streaming.dstream import ForEachDStream
    from sparklet.streaming.inputs import InputDStream
    from sparklet.streaming.scheduler import Job

__all__ = ["DStreamGraph"]


class DStreamGraph:
    def __init__(self, batch_duration_ms: int):
        self.batch_duration = batch_duration_ms
        self.input_streams: list[InputDStream] = []
        self.output_streams: list[ForEachDStream] = []
        self.remember_duration: int | None = None
        self.zero_time: int | None = None
        self.start_time: int | None = None
        # One lock for generating and forgetting RDDs: the job generator, slice() from user
        # code and metadata cleanup may touch the same streams from different threads.
        self.lock = threading.RLock()
        self._next_dstream_id = 0
        self._next_input_stream_id = 0
        # Driver-side objects whose state metadata checkpoints carry (streaming MLlib
        # models), by name: kept here so a deserialized graph's functions and this registry
        # share the same objects (see checkpoint.register_driver_state).
        self.driver_state: dict[str, object] = {}

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["lock"]
        # Times belong to a run: a recovered graph is started again at the saved zero time.
        state["zero_time"] = state["start_time"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        state.setdefault("driver_state", {})  # a graph saved before the registry existed
        self.__dict__.update(state)
        self.lock = threading.RLock()

    def _new_dstream_id(self) -> int:
        with self.lock:
            n = self._next_dstream_id
            self._next_dstream_id += 1
            return n

    def add_input_stream(self, stream: InputDStream) -> int:
        with self.lock:
            self.input_streams.append(stream)
            n = self._next_input_stream_id
            self._next_input_stream_id += 1
            return n

    def streams(self) -> list:
        """Every stream reachable from an output or an input, in creation order."""
        seen: dict[int, object] = {}
        todo: list = [*self.output_streams, *self.input_streams]
        while todo:
            s = todo.pop()
            if id(s) in seen:
                continue
            seen[id(s)] = s
            todo.extend(s._parents)
        return sorted(seen.values(), key=lambda s: s._id)  # type: ignore[attr-defined]

    def attach(self, ssc) -> None:
        """Bind a deserialized graph's streams to ``ssc`` (and its SparkContext)."""
        for stream in self.streams():
            stream._attach(ssc)

    def add_output_stream(self, stream: ForEachDStream) -> int:
        with self.lock:
            self.output_streams.append(stream)
            return len(self.output_streams) - 1

    @property
    def receiver_input_streams(self) -> list:
        from sparklet.streaming.inputs import ReceiverInputDStream

        return [s for s in self.input_streams if isinstance(s, ReceiverInputDStream)]

    def remember(self, duration_ms: int) -> None:
        if self.remember_duration is not None:
            raise RuntimeError(f"Remember duration already set as {self.remember_duration} "
                               "ms. Cannot set it again.")
        self.remember_duration = duration_ms

    def validate(self) -> None:
        if self.batch_duration is None:
            raise ValueError("requirement failed: Batch duration has not been set")
        if not self.output_streams:
            raise ValueError("requirement failed: No output operations registered, so "
                             "nothing to execute")

    def start(self, zero_time: int) -> None:
        """Initialize every stream reachable from an output at ``zero_time`` and check them;
        the first batch is at ``zero_time + batch_duration``."""
        with self.lock:
            self.zero_time = zero_time
            self.start_time = zero_time + self.batch_duration
            for out in self.output_streams:
                out._initialize(zero_time)
            for out in self.output_streams:
                out._remember(self.remember_duration)
            for out in self.output_streams:
                out._validate_at_start()
            for stream in self.input_streams:
                if stream._zero_time is None:  # an input no output reads from
                    stream._initialize(zero_time)
                stream.start()

    def stop(self) -> None:
        for stream in self.input_streams:
            stream.stop()

    def generate_jobs(self, time_ms: int) -> list[Job]:
        jobs = []
        with self.lock:
            for out in self.output_streams:
                job = out._generate_job(time_ms)
                if job is not None:
                    jobs.append(job)
        return jobs

    def clear_metadata(self, time_ms: int) -> None:
        with self.lock:
            for out in self.output_streams:
                out._clear_metadata(time_ms)

    def max_input_stream_remember_duration(self) -> int:
        durations = [s._remember_duration for s in self.input_streams
                     if s._remember_duration is not None]
        return max(durations, default=self.batch_duration)
