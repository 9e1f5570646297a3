"""The streaming part of the application status store: what Spark's streaming tab and its
REST API (``/api/v1/applications/{app}/streaming/...``) show, built from listener events
only.

:class:`StreamingStore` folds the ``StreamingListener*`` events (converted to dicts by
``sparklet.ui.hooks``), sparklet's ``SparkletStreamingProgress`` (input rates, state size,
checkpoints; see :mod:`sparklet.streaming.progress`) and the job events whose local
properties name a streaming batch and output operation into Spark's shapes:
StreamingStatistics, ReceiverInfo, BatchInfo and OutputOperationInfo (Spark's
``status.api.v1.streaming``), plus sparklet's ``progress`` and ``timeline`` bodies and the
samples of the Prometheus ``/metrics`` page.

Spark's rules, as its StreamingJobProgressListener keeps them:

* a batch is QUEUED once submitted, PROCESSING once its first job started, COMPLETED once
  every job ended; the last ``spark.streaming.ui.retainedBatches`` (1000) completed
  batches are kept, older ones forgotten (and the job ids of their output operations);
* ``numReceivedRecords`` counts the records of every batch that started, and
  ``numProcessedRecords`` those of every batch that completed, retained or not;
* averages run over the retained completed batches, skipping unknown values; delays are
  whole milliseconds (rounded down, as Spark's ``Long`` arithmetic), ``avgInputRate`` is
  records per second of batch interval.

The store is fed from the listener bus thread and read from the web server's threads, so
every public method takes one lock and returns fresh JSON-able values.

>>> s = StreamingStore()
>>> s.on_event({"Event": "StreamingListenerStreamingStarted", "time": 0,
...             "batchDuration": 1000, "checkpointDir": None})
>>> info = {"batchTime": 1000, "submissionTime": 1000, "processingStartTime": 1010,
...         "processingEndTime": 1050, "numRecords": 4,
...         "streamIdToInputInfo": {"0": {"inputStreamId": 0, "numRecords": 4}},
...         "outputOperationInfos": {}}
>>> s.on_event({"Event": "StreamingListenerBatchCompleted", "time": 1050, "batchInfo": info})
>>> st = s.statistics()
>>> st["numTotalCompletedBatches"], st["avgInputRate"], st["avgTotalDelay"]
(1, 4.0, 50)
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from typing import Any

from sparklet.ui.store import util

__all__ = ["StreamingStore", "spark_date"]

QUEUED, PROCESSING, COMPLETED = "QUEUED", "PROCESSING", "COMPLETED"
_STATUSES = (QUEUED, PROCESSING, COMPLETED)
BATCH_TIME_PROP = "spark.streaming.internal.batchTime"
OUTPUT_OP_PROP = "spark.streaming.internal.outputOpId"


def spark_date(ms: int | None) -> str | None:
    """Spark's REST date text (``2026-12-02T18:03:04.567GMT``, UTC) of epoch ms; None for
    an unknown time (None or Spark's -1: the streaming API leaves those fields out).

    >>> spark_date(1764698584567)
    '2025-12-02T18:03:04.567GMT'
    """
    return None if ms is None or ms < 0 else util.spark_date(ms)


def _known(v: Any) -> int | None:
    """A time field of an event: None (and Spark's -1) mean unknown."""
    return None if v is None or v < 0 else int(v)


def _delta(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else b - a


def _avg_ms(values: list[int]) -> int | None:
    return sum(values) // len(values) if values else None


class _Batch:
    """One batch as the store knows it."""

    __slots__ = ("time", "submission", "start", "end", "inputs", "ops", "status",
                 "counted_received")

    def __init__(self, batch_time: int):
        self.time = batch_time
        self.submission: int | None = None
        self.start: int | None = None
        self.end: int | None = None
        self.inputs: dict[int, dict] = {}
        self.ops: dict[int, dict] = {}
        self.status = QUEUED
        self.counted_received = False

    @property
    def num_records(self) -> int:
        return sum(int(i.get("numRecords") or 0) for i in self.inputs.values())

    def update(self, info: dict) -> None:
        for attr, key in (("submission", "submissionTime"), ("start", "processingStartTime"),
                          ("end", "processingEndTime")):
            value = _known(info.get(key))
            if value is not None:
                setattr(self, attr, value)
        inputs = info.get("streamIdToInputInfo")
        if inputs:
            self.inputs = {int(k): dict(v) for k, v in inputs.items()}
        for k, op in (info.get("outputOperationInfos") or {}).items():
            self.update_op(int(k), op)

    def update_op(self, op_id: int, op: dict) -> None:
        mine = self.ops.setdefault(op_id, {})
        for key in ("name", "description", "startTime", "endTime", "failureReason"):
            value = op.get(key)
            if key in ("startTime", "endTime"):
                value = _known(value)
            if value is not None or key not in mine:
                mine[key] = value

    @property
    def scheduling_delay(self) -> int | None:
        return _delta(self.submission, self.start)

    @property
    def processing_time(self) -> int | None:
        return _delta(self.start, self.end)

    @property
    def total_delay(self) -> int | None:
        s, p = self.scheduling_delay, self.processing_time
        return None if s is None or p is None else s + p


class StreamingStore:
    """The UI state of one application's streaming context (see the module docstring).

    ``conf``: the application's properties (``spark.streaming.ui.retainedBatches``).
    """

    def __init__(self, conf: dict[str, str] | None = None):
        conf = conf or {}
        self.retained = max(1, int(conf.get("spark.streaming.ui.retainedBatches", 1000)))
        self._lock = threading.RLock()
        self.start_time: int | None = None
        self.batch_duration: int | None = None
        self.checkpoint_dir: str | None = None
        self.stopped_time: int | None = None
        self.app_end_time: int | None = None
        self._active: dict[int, _Batch] = {}
        self._completed: OrderedDict[int, _Batch] = OrderedDict()
        self.total_completed = 0
        self.total_processed = 0
        self._malformed: dict[int, int] = {}  # input stream id -> malformed records skipped
        self.total_received = 0
        self._receivers: dict[int, dict] = {}
        self._jobs: dict[tuple[int, int], list[int]] = {}
        self._job_result: dict[int, str] = {}
        self._inputs: dict[int, dict] = {}
        self._states: dict[int, dict] = {}
        self._checkpoint: dict | None = None
        self.wal_corruptions: list[dict] = []

    # -- feeding ---------------------------------------------------------------------------

    def on_event(self, event: dict) -> None:
        """Fold one listener event in; events this store does not read are ignored."""
        handler = _HANDLERS.get(event.get("Event", ""))
        if handler is not None:
            with self._lock:
                handler(self, event)

    @property
    def started(self) -> bool:
        """Whether a streaming context ever started (the streaming tab is shown)."""
        return self.start_time is not None

    def _on_started(self, e: dict) -> None:
        self.start_time = e.get("time")
        self.batch_duration = e.get("batchDuration")
        self.checkpoint_dir = e.get("checkpointDir")

    def _on_stopped(self, e: dict) -> None:
        self.stopped_time = e.get("time")

    def _on_app_end(self, e: dict) -> None:
        self.app_end_time = e.get("time")

    def _batch(self, info: dict) -> _Batch | None:
        t = int(info["batchTime"])
        b = self._completed.get(t)
        if b is not None:
            return b
        b = self._active.get(t)
        if b is None:
            b = self._active[t] = _Batch(t)
        return b

    def _on_batch_submitted(self, e: dict) -> None:
        b = self._batch(e["batchInfo"])
        b.update(e["batchInfo"])

    def _on_batch_started(self, e: dict) -> None:
        b = self._batch(e["batchInfo"])
        b.update(e["batchInfo"])
        if b.status == QUEUED:
            b.status = PROCESSING
        if not b.counted_received:
            b.counted_received = True
            self.total_received += b.num_records

    def _on_batch_completed(self, e: dict) -> None:
        info = e["batchInfo"]
        t = int(info["batchTime"])
        if t in self._completed:
            return
        b = self._active.pop(t, None) or _Batch(t)
        b.update(info)
        if not b.counted_received:
            b.counted_received = True
            self.total_received += b.num_records
        b.status = COMPLETED
        self._completed[t] = b
        self.total_completed += 1
        self.total_processed += b.num_records
        for sid, i in (info.get("streamIdToInputInfo") or {}).items():
            if i.get("malformedRecords"):
                self._malformed[int(sid)] = (self._malformed.get(int(sid), 0)
                                             + int(i["malformedRecords"]))
        while len(self._completed) > self.retained:
            old, _ = self._completed.popitem(last=False)
            self._forget_jobs(old)

    def _forget_jobs(self, batch_time: int) -> None:
        oldest = next(iter(self._completed), batch_time)
        for key in [k for k in self._jobs if k[0] == batch_time or
                    (k[0] < oldest and k[0] not in self._active)]:
            for job in self._jobs.pop(key):
                self._job_result.pop(job, None)

    def _on_output_op(self, e: dict) -> None:
        op = e["outputOperationInfo"]
        b = self._batch({"batchTime": op["batchTime"]})
        if b is not None:
            b.update_op(int(op["id"]), op)

    def _on_receiver(self, e: dict) -> None:
        info = dict(e["receiverInfo"])
        self._receivers[int(info["streamId"])] = info

    def _on_wal_corruption(self, e: dict) -> None:
        self.wal_corruptions.append({k: v for k, v in e.items() if k != "Event"})
        del self.wal_corruptions[:-100]

    def _on_job_start(self, e: dict) -> None:
        props = e.get("properties") or {}
        t, op = props.get(BATCH_TIME_PROP), props.get(OUTPUT_OP_PROP)
        if t is None or op is None:
            return
        try:
            key = (int(t), int(op))
        except ValueError:
            return
        self._jobs.setdefault(key, []).append(int(e["jobId"]))
        self._job_result[int(e["jobId"])] = "RUNNING"

    def _on_job_end(self, e: dict) -> None:
        job = e.get("jobId")
        if job in self._job_result:
            self._job_result[job] = ("SUCCEEDED" if e.get("result") == "JobSucceeded"
                                     else "FAILED")

    def _on_progress(self, e: dict) -> None:
        t = e.get("batchTime")
        for s in e.get("inputStreams") or []:
            self._inputs[int(s["streamId"])] = {
                "streamId": int(s["streamId"]), "name": s.get("name"),
                "kind": s.get("kind"), "rateLimit": s.get("rateLimit"),
                "lastRecords": s.get("numRecords")}
        for s in e.get("stateStreams") or []:
            sid = int(s["streamId"])
            entry = self._states.get(sid)
            if entry is None:
                entry = self._states[sid] = {"history": deque(maxlen=self.retained)}
            entry.update(streamId=sid, name=s.get("name"), operation=s.get("operation"),
                         numKeys=s.get("numKeys"), sizeBytes=s.get("sizeBytes"),
                         partitions=s.get("partitions"),
                         numPartitions=s.get("numPartitions"))
            hist = entry["history"]
            if not hist or hist[-1][0] != t:
                hist.append([t, s.get("numKeys"), s.get("sizeBytes")])
        if "checkpoint" in e:
            self._checkpoint = None if e["checkpoint"] is None else dict(e["checkpoint"])

    # -- reading ---------------------------------------------------------------------------

    def now(self) -> int:
        """Wall ms for ages: the application's end in a replayed (ended) application."""
        if self.app_end_time is not None:
            return int(self.app_end_time)
        return util.now_ms()

    def _retained(self) -> list[_Batch]:
        return list(self._completed.values())

    def statistics(self) -> dict:
        """Spark's StreamingStatistics."""
        with self._lock:
            done = self._retained()
            receivers = list(self._receivers.values())
            active = sum(1 for r in receivers if r.get("active"))
            rates = [b.num_records * 1000.0 / self.batch_duration for b in done] \
                if self.batch_duration else []
            return {
                "startTime": spark_date(self.start_time),
                "batchDuration": self.batch_duration,
                "numReceivers": len(receivers),
                "numActiveReceivers": active,
                "numInactiveReceivers": len(receivers) - active,
                "numTotalCompletedBatches": self.total_completed,
                "numRetainedCompletedBatches": len(done),
                "numActiveBatches": len(self._active),
                "numProcessedRecords": self.total_processed,
                "numReceivedRecords": self.total_received,
                "avgInputRate": sum(rates) / len(rates) if rates else None,
                "avgSchedulingDelay": _avg_ms([d for b in done
                                               if (d := b.scheduling_delay) is not None]),
                "avgProcessingTime": _avg_ms([d for b in done
                                              if (d := b.processing_time) is not None]),
                "avgTotalDelay": _avg_ms([d for b in done
                                          if (d := b.total_delay) is not None]),
            }

    def _stream_ids(self) -> list[int]:
        ids = set(self._receivers) | set(self._inputs)
        for b in self._completed.values():
            ids.update(b.inputs)
        return sorted(ids)

    def _receiver(self, sid: int) -> dict:
        info = self._receivers.get(sid)
        rates = []
        for b in self._completed.values():
            n = int((b.inputs.get(sid) or {}).get("numRecords") or 0)
            rates.append([b.time, n * 1000.0 / self.batch_duration
                          if self.batch_duration else 0.0])
        name = (info or {}).get("name") or (self._inputs.get(sid) or {}).get("name") \
            or f"Stream-{sid}"
        error_time = _known((info or {}).get("lastErrorTime"))
        return {
            "streamId": sid,
            "streamName": name,
            "isActive": None if info is None else bool(info.get("active")),
            "executorId": (info or {}).get("executorId") or None,
            "executorHost": (info or {}).get("location") or None,
            "lastErrorTime": spark_date(error_time),
            "lastErrorMessage": (info or {}).get("lastErrorMessage") or None,
            "lastError": (info or {}).get("lastError") or None,
            "avgEventRate": sum(r for _, r in rates) / len(rates) if rates else None,
            "eventRates": rates,
            "malformedRecords": self._malformed.get(sid, 0),  # sparklet's: see docs
        }

    def receivers(self) -> list[dict]:
        """Spark's [ReceiverInfo]: every input stream (a receiver's or not), by id."""
        with self._lock:
            return [self._receiver(sid) for sid in self._stream_ids()]

    def receiver(self, stream_id: int) -> dict | None:
        with self._lock:
            if stream_id not in self._stream_ids():
                return None
            return self._receiver(stream_id)

    def _batch_info(self, b: _Batch) -> dict:
        ops = [self._op(b, i) for i in sorted(b.ops)]
        failed = [o for o in ops if o["failureReason"]]
        completed = [o for o in ops if o["endTime"] is not None and not o["failureReason"]]
        return {
            "batchId": b.time,
            "batchTime": spark_date(b.time),
            "status": b.status,
            "batchDuration": self.batch_duration,
            "inputSize": b.num_records,
            "schedulingDelay": b.scheduling_delay,
            "processingTime": b.processing_time,
            "totalDelay": b.total_delay,
            "numActiveOutputOps": len(ops) - len(failed) - len(completed),
            "numCompletedOutputOps": len(completed),
            "numFailedOutputOps": len(failed),
            "numTotalOutputOps": len(ops),
            "firstFailureReason": failed[0]["failureReason"] if failed else None,
        }

    def _find(self, batch_id: int) -> _Batch | None:
        return self._completed.get(batch_id) or self._active.get(batch_id)

    def batches(self, status: str | None = None) -> list[dict]:
        """Spark's [BatchInfo] of the retained batches, newest first; ``status`` (any
        case) keeps one of COMPLETED, PROCESSING, QUEUED (ValueError for another)."""
        wanted = None
        if status is not None:
            wanted = status.upper()
            if wanted not in _STATUSES:
                raise ValueError(f"unknown status: {status!r} (use one of "
                                 f"{', '.join(s.lower() for s in _STATUSES)})")
        with self._lock:
            every = [*self._completed.values(), *self._active.values()]
            return [self._batch_info(b) for b in sorted(every, key=lambda b: -b.time)
                    if wanted is None or b.status == wanted]

    def batch(self, batch_id: int) -> dict | None:
        with self._lock:
            b = self._find(batch_id)
            return None if b is None else self._batch_info(b)

    def _op(self, b: _Batch, op_id: int) -> dict:
        op = b.ops[op_id]
        start, end = op.get("startTime"), op.get("endTime")
        return {
            "outputOpId": op_id,
            "name": op.get("name"),
            "description": op.get("description"),
            "startTime": spark_date(start),
            "endTime": spark_date(end),
            "duration": _delta(start, end),
            "failureReason": op.get("failureReason"),
            "jobIds": sorted(self._jobs.get((b.time, op_id), [])),
        }

    def operations(self, batch_id: int) -> list[dict] | None:
        """Spark's [OutputOperationInfo] of a batch, by id, with sparklet's ``jobIds``."""
        with self._lock:
            b = self._find(batch_id)
            return None if b is None else [self._op(b, i) for i in sorted(b.ops)]

    def operation(self, batch_id: int, op_id: int) -> dict | None:
        with self._lock:
            b = self._find(batch_id)
            if b is None or op_id not in b.ops:
                return None
            return self._op(b, op_id)

    def job_status(self, job_id: int) -> str | None:
        """RUNNING / SUCCEEDED / FAILED of a streaming job still linked to a batch."""
        with self._lock:
            return self._job_result.get(job_id)

    def progress(self) -> dict:
        """sparklet's ``/streaming/progress`` body."""
        with self._lock:
            ck = None
            if self._checkpoint is not None:
                c = self._checkpoint
                last = c.get("lastTime")
                ck = {"dir": c.get("dir"), "lastTime": last,
                      "ageMs": None if last is None else max(0, self.now() - int(last)),
                      "lastDurationMs": c.get("lastDurationMs"),
                      "lastBatchTime": c.get("lastBatchTime"),
                      "pending": bool(c.get("pending"))}
            return {
                "batchDuration": self.batch_duration,
                "inputStreams": [dict(self._inputs[k]) for k in sorted(self._inputs)],
                "stateStreams": [
                    {**{k: v for k, v in s.items() if k != "history"},
                     "history": [list(h) for h in s["history"]]}
                    for _, s in sorted(self._states.items())],
                "checkpoint": ck,
            }

    def timeline(self, count: int | None = None) -> list[dict]:
        """The last ``count`` (default all retained) completed batches, oldest first: the
        series of the live charts."""
        with self._lock:
            done = self._retained()
            if count is not None:
                done = done[-count:] if count > 0 else []
            d = self.batch_duration
            return [{"batchTime": b.time,
                     "inputRate": b.num_records * 1000.0 / d if d else None,
                     "schedulingDelay": b.scheduling_delay,
                     "processingTime": b.processing_time,
                     "totalDelay": b.total_delay,
                     "numRecords": b.num_records} for b in done]

    def metric_samples(self) -> list[tuple[str, str, str, list[tuple[dict, float]]]]:
        """Prometheus samples: ``(name, type, help, [(labels, value)])`` (empty before a
        streaming context started)."""
        with self._lock:
            if not self.started:
                return []
            last = next(reversed(self._completed.values()), None)
            out: list[tuple[str, str, str, list[tuple[dict, float]]]] = []

            def gauge(name: str, help_: str, value: Any) -> None:
                if value is not None:
                    out.append((name, "gauge", help_, [({}, float(value))]))

            p = "sparklet_streaming_"
            gauge(p + "last_batch_scheduling_delay_ms",
                  "Scheduling delay of the last completed batch (ms)",
                  last and last.scheduling_delay)
            gauge(p + "last_batch_processing_time_ms",
                  "Processing time of the last completed batch (ms)",
                  last and last.processing_time)
            gauge(p + "last_batch_total_delay_ms",
                  "Total delay of the last completed batch (ms)", last and last.total_delay)
            out.append((p + "records_total", "counter",
                        "Records of every completed batch", [({}, float(self.total_processed))]))
            out.append((p + "completed_batches_total", "counter", "Completed batches",
                        [({}, float(self.total_completed))]))
            if last is not None and self.batch_duration:
                out.append((p + "input_rate", "gauge",
                            "Input rate of the last completed batch (records/s)",
                            [({"stream": str(sid)},
                              int(i.get("numRecords") or 0) * 1000.0 / self.batch_duration)
                             for sid, i in sorted(last.inputs.items())]
                            or [({}, 0.0)]))
            if self._malformed:
                out.append((p + "malformed_records_total", "counter",
                            "Records a connector's decoder could not decode (skipped)",
                            [({"stream": str(sid)}, float(n))
                             for sid, n in sorted(self._malformed.items())]))
            out.append((p + "receivers_active", "gauge", "Active receivers",
                        [({}, float(sum(1 for r in self._receivers.values()
                                        if r.get("active"))))]))
            if self._states:
                out.append((p + "state_keys", "gauge", "Keys of a stateful stream",
                            [({"stream": str(k), "name": str(s.get("name"))},
                              float(s.get("numKeys") or 0))
                             for k, s in sorted(self._states.items())]))
                out.append((p + "state_bytes", "gauge",
                            "Estimated size of a stateful stream's state (bytes)",
                            [({"stream": str(k), "name": str(s.get("name"))},
                              float(s.get("sizeBytes") or 0))
                             for k, s in sorted(self._states.items())]))
            ck = self._checkpoint
            if ck is not None and ck.get("lastTime") is not None:
                gauge(p + "checkpoint_age_ms", "Time since the last checkpoint was written (ms)",
                      max(0, self.now() - int(ck["lastTime"])))
                gauge(p + "checkpoint_duration_ms", "Duration of the last checkpoint write (ms)",
                      ck.get("lastDurationMs"))
            limits = [({"stream": str(k), "name": str(s.get("name"))}, float(s["rateLimit"]))
                      for k, s in sorted(self._inputs.items()) if s.get("rateLimit") is not None]
            if limits:
                out.append((p + "rate_limit", "gauge",
                            "Current ingestion bound of an input stream (records/s)", limits))
            return out


_HANDLERS = {
    "StreamingListenerStreamingStarted": StreamingStore._on_started,
    "StreamingListenerStreamingStopped": StreamingStore._on_stopped,
    "StreamingListenerBatchSubmitted": StreamingStore._on_batch_submitted,
    "StreamingListenerBatchStarted": StreamingStore._on_batch_started,
    "StreamingListenerBatchCompleted": StreamingStore._on_batch_completed,
    "StreamingListenerOutputOperationStarted": StreamingStore._on_output_op,
    "StreamingListenerOutputOperationCompleted": StreamingStore._on_output_op,
    "StreamingListenerReceiverStarted": StreamingStore._on_receiver,
    "StreamingListenerReceiverError": StreamingStore._on_receiver,
    "StreamingListenerReceiverStopped": StreamingStore._on_receiver,
    "StreamingListenerWriteAheadLogCorruption": StreamingStore._on_wal_corruption,
    "SparkletStreamingProgress": StreamingStore._on_progress,
    "SparkListenerJobStart": StreamingStore._on_job_start,
    "SparkListenerJobEnd": StreamingStore._on_job_end,
    "SparkListenerApplicationEnd": StreamingStore._on_app_end,
}
