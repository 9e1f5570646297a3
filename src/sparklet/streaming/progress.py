"""sparklet's streaming progress event: what Spark's listener events do not carry -- each
input stream's current rate limit, the size of every stateful stream's state, and the
last metadata checkpoint -- posted once per completed batch as a
``SparkletStreamingProgress`` event (schema in SPEC-UI) on the application's listener bus
(``sc._listener_bus``), where the UI's store and the event log read it.

Cost: nothing at all unless the SparkContext has a listener bus with listeners (the UI
or the event log is on): every hook returns at its first test.

State size without an extra job. The tasks that build a stateful stream's partitions
already hold them: when a batch is generated, every state RDD of that batch gets a
:class:`StateMeter` as its block builder (the block manager's ``_block_values`` hook, which
every persisted RDD goes through once per partition). The meter builds the block as
before, then counts its keys -- ``len`` of the partition's map: a dict for
``updateStateByKey``, a layered :class:`~sparklet.streaming.statemap.StateMap` for
``mapWithState`` (counted from its layers, not merged), the pair list of a
``reduceByKeyAndWindow`` window -- and estimates its size the way the block manager does
(``sys.getsizeof`` with the maps' own ``__sizeof__``, which samples 16 entries, or
``estimate_size``'s sample of a list), and adds ``(keys, bytes, partitions)`` to an
accumulator of that RDD. On the driver the accumulator has summed every partition by the
time the batch completes. A partition no job of the batch computed (an output that reads
only part of the state, e.g. ``pprint``'s ``take``) is missing from the sum until some
later job computes it; ``partitions`` says how many were counted.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING, Any

from sparklet.accumulators import AccumulatorParam

if TYPE_CHECKING:
    from sparklet.streaming.context import StreamingContext
    from sparklet.streaming.scheduler import JobSet

__all__ = ["StreamingProgress", "StateMeter", "listener_bus"]

log = logging.getLogger("sparklet.streaming")

EVENT = "SparkletStreamingProgress"


def listener_bus(sc: Any) -> Any:
    """The SparkContext's listener bus if something listens on it, else None."""
    bus = getattr(sc, "_listener_bus", None)
    if bus is None or getattr(bus, "active", True) is False:
        return None
    listeners = getattr(bus, "listeners", None)
    if listeners is None:
        listeners = getattr(bus, "_listeners", None)
    if callable(listeners):
        listeners = listeners()
    if listeners is not None and len(listeners) == 0:
        return None
    return bus


class _SumParam(AccumulatorParam):
    """Adds ``(keys, bytes, partitions)`` triples."""

    def zero(self, value):
        return (0, 0, 0)

    def addInPlace(self, value1, value2):
        return (value1[0] + value2[0], value1[1] + value2[1], value1[2] + value2[2])


_SUM = _SumParam()


def _measure(values: Any, kind: str) -> tuple[int, int]:
    """(keys, estimated bytes) of one state block."""
    if kind == "mapWithState":
        # MapWithStateRDD's partition: one record, (state_map, mapped records).
        state_map = values[0][0] if values else None
        if state_map is None:
            return 0, 0
        return len(state_map), sys.getsizeof(state_map)
    if hasattr(values, "map") and hasattr(values, "__len__"):  # PairMap
        return len(values), sys.getsizeof(values)
    from sparklet.shuffle.aggregator import estimate_size

    return len(values), estimate_size(values)


class StateMeter:
    """Block builder of a state RDD that also counts the block (module docstring). Set on
    the RDD instance as ``_block_values``, so it travels with the RDD to the task."""

    def __init__(self, rdd: Any, accumulator: Any, kind: str):
        self.rdd, self.accumulator, self.kind = rdd, accumulator, kind

    def __call__(self, split: Any, context: Any) -> Any:
        rdd = self.rdd
        own = getattr(type(rdd), "_block_values", None)
        values = (own(rdd, split, context) if own is not None
                  else list(rdd._compute_or_checkpoint(split, context)))
        try:
            keys, size = _measure(values, self.kind)
            self.accumulator.add((keys, size, 1))
        except Exception:  # noqa: BLE001 - measuring must never fail the task
            log.debug("could not measure a state block", exc_info=True)
        return values


def _state_kind(stream: Any) -> str | None:
    from sparklet.streaming.state import InternalMapWithStateDStream, StateDStream
    from sparklet.streaming.window import ReducedWindowedDStream

    if isinstance(stream, StateDStream):
        return "updateStateByKey"
    if isinstance(stream, InternalMapWithStateDStream):
        return "mapWithState"
    if isinstance(stream, ReducedWindowedDStream):
        return "reduceByKeyAndWindow"
    return None


def _input_kind(stream: Any) -> str:
    from sparklet.streaming.inputs import FileInputDStream, QueueInputDStream, ReceiverInputDStream

    if isinstance(stream, ReceiverInputDStream):
        return "receiver"
    if isinstance(stream, QueueInputDStream):
        return "queue"
    if isinstance(stream, FileInputDStream):
        return "file"
    if type(stream).__name__.startswith("Direct"):
        return "direct"
    return "input"


class StreamingProgress:
    """Builds and posts the progress event of each batch of one StreamingContext (the
    job scheduler calls :meth:`on_batch_generated` and :meth:`on_batch_completed`)."""

    def __init__(self, ssc: StreamingContext):
        self.ssc = ssc
        self._states: list[tuple[Any, str, str]] | None = None  # (stream, kind, name)

    def _bus(self) -> Any:
        return listener_bus(self.ssc._sc)

    def _state_streams(self) -> list[tuple[Any, str, str]]:
        if self._states is None:
            from sparklet.streaming.state import MapWithStateDStream

            streams = self.ssc._graph.streams()
            outer = {id(s._internal): s for s in streams if isinstance(s, MapWithStateDStream)}
            found = []
            for s in streams:
                kind = _state_kind(s)
                if kind is not None:
                    name = outer[id(s)].name() if id(s) in outer else s.name()
                    if kind == "mapWithState" and id(s) not in outer and s._name:
                        # setName on the mapped stream names its state stream NAME.state
                        name = s._name.removesuffix(".state")
                    found.append((s, kind, name))
            self._states = found
        return self._states

    # -- hooks -----------------------------------------------------------------------------

    def on_batch_generated(self, time_ms: int) -> None:
        """Give this batch's new state RDDs a meter, before any of its jobs runs."""
        if self._bus() is None:
            return
        try:
            sc = self.ssc._sc
            for stream, kind, _ in self._state_streams():
                rdd = stream._generated.get(time_ms)
                if rdd is None or "_state_meter" in rdd.__dict__:
                    continue  # none this batch, or the previous batch's state kept
                acc = sc.accumulator((0, 0, 0), _SUM)
                rdd._state_meter = acc
                rdd._block_values = StateMeter(rdd, acc, kind)
        except Exception:  # noqa: BLE001 - the UI must never stop a batch
            log.warning("could not prepare the state meters of batch %d ms", time_ms,
                        exc_info=True)

    def on_batch_completed(self, job_set: JobSet) -> None:
        """Post the batch's SparkletStreamingProgress event."""
        bus = self._bus()
        if bus is None:
            return
        try:
            bus.post(self.event(job_set.time_ms, job_set.inputs))
        except Exception:  # noqa: BLE001
            log.warning("could not post the streaming progress of batch %d ms",
                        job_set.time_ms, exc_info=True)

    # -- the event -------------------------------------------------------------------------

    def event(self, time_ms: int, inputs: dict) -> dict:
        return {"Event": EVENT, "time": int(time.time() * 1000), "batchTime": time_ms,
                "inputStreams": self._inputs(inputs),
                "stateStreams": self._state_sizes(time_ms),
                "checkpoint": self._checkpoint(time_ms)}

    def _inputs(self, inputs: dict) -> list[dict]:
        out = []
        for stream in self.ssc._graph.input_streams:
            sid = stream.input_stream_id
            info = inputs.get(sid)
            kind = _input_kind(stream)
            if stream._name:
                name = stream._name
            elif kind == "receiver":
                name = f"{type(stream.receiver).__name__}-{sid}"
            else:
                name = f"{type(stream).__name__}-{sid}"
            out.append({"streamId": sid, "name": name, "kind": kind,
                        "numRecords": 0 if info is None else info.numRecords(),
                        "rateLimit": self._rate_limit(stream, kind)})
        return out

    def _rate_limit(self, stream: Any, kind: str) -> float | None:
        """Backpressure's current bound (records/s) when it is on, else the static one
        (``spark.streaming.receiver.maxRate``; for a direct Kafka stream
        ``maxRatePerPartition`` times its partitions); None when unbounded."""
        from sparklet.streaming.receiver.rate import effective_rate, initial_rate_limit

        if kind == "receiver":
            tracker = self.ssc._receiver_tracker
            if tracker is None:
                return None
            max_rate = float(tracker.rate["maxRate"])
            controller = tracker.rate_controllers.get(stream.input_stream_id)
            if controller is not None and controller.getLatestRate() > 0:
                return float(effective_rate(controller.getLatestRate(), max_rate))
            limit = initial_rate_limit(self.ssc._sc.getConf())
            return limit if limit > 0 else None
        if kind == "direct":
            per_partition = float(getattr(stream, "max_rate", 0) or 0)
            bound = per_partition * len(getattr(stream, "_current", {}) or {}) or None
            controller = getattr(stream, "_rate_controller", None)
            if controller is not None:
                rate = controller.getLatestRate()
                if rate <= 0:
                    rate = float(getattr(stream, "initial_rate", 0) or 0)
                if rate > 0:
                    return min(rate, bound) if bound else rate
            return bound
        return None

    def _state_sizes(self, time_ms: int) -> list[dict]:
        out = []
        for stream, kind, name in self._state_streams():
            rdd = stream._generated.get(time_ms)
            acc = None if rdd is None else rdd.__dict__.get("_state_meter")
            if acc is None:
                continue
            keys, size, parts = acc.value
            if parts == 0:
                continue  # no job of the batch computed this state (yet): nothing known
            out.append({"streamId": stream._id, "name": name, "operation": kind,
                        "numKeys": keys, "sizeBytes": size, "partitions": parts})
        return out

    def _checkpoint(self, time_ms: int) -> dict | None:
        ssc = self.ssc
        if ssc._checkpoint_dir is None:
            return None
        writer = ssc._scheduler.job_generator.checkpoint_writer
        last = getattr(writer, "last_written", None)
        if last is None:
            return {"dir": ssc._checkpoint_dir, "lastTime": None, "lastDurationMs": None,
                    "lastBatchTime": None, "pending": True}
        wall, duration, batch_time, phase = last
        return {"dir": ssc._checkpoint_dir, "lastTime": wall, "lastDurationMs": duration,
                "lastBatchTime": batch_time,
                # The checkpoint of this batch's completion is written after this event.
                "pending": not (batch_time >= time_ms and phase == "c")}
