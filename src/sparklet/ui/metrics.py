"""``/metrics``: the store's figures in Prometheus' text exposition format 0.0.4.

Written by hand on purpose: the format is a few lines of text (``# HELP``, ``# TYPE``,
``name{label="value"} number``) and ``prometheus_client`` is not a dependency of sparklet;
its registry/collector model would also duplicate the store, which already is the registry.

Counters (``*_total``) are whole-application totals the store keeps apart from its retained
jobs/stages/tasks, so they never go down when old entities are dropped. Streaming figures
come from ``store.streaming.metric_samples()`` and ``store.dashboard.metric_samples()``
when those stores provide them: a list of ``(name, type, help, [(labels, value), ...])``.

The core families (all prefixed ``sparklet_``):

=====================================================  =======  ===========================
``application_info{app_id,app_name,spark_version}``    gauge    always 1
``jobs_active``                                        gauge    jobs running
``jobs_succeeded_total`` / ``jobs_failed_total``       counter
``stages_active``                                      gauge    stage attempts running
``stages_completed_total`` / ``_failed_total`` /       counter  stage attempts
``_skipped_total``
``tasks_active``                                       gauge
``tasks_completed_total`` / ``_failed_total`` /        counter
``_killed_total``
``task_duration_seconds_total``                        counter  launch to end, summed
``executor_run_time_seconds_total``                    counter  executorRunTime, summed
``shuffle_read_bytes_total`` / ``_records_total``      counter
``shuffle_write_bytes_total`` / ``_records_total``     counter
``memory_spilled_bytes_total`` /                       counter
``disk_spilled_bytes_total``
``executors_active``                                   gauge    the driver included
``executors_removed_total``                            counter
``executor_memory_used_bytes{executor_id}``            gauge    cached blocks in memory
``executor_disk_used_bytes{executor_id}``              gauge    cached blocks on disk
``executor_active_tasks{executor_id}``                 gauge
``executor_max_memory_bytes{executor_id}``             gauge    storage memory limit
``executor_rss_bytes{executor_id}``                    gauge    process RSS, last sample
``rdd_memory_used_bytes{rdd_id,rdd_name}``             gauge    a cached RDD in memory
``rdd_disk_used_bytes{rdd_id,rdd_name}``               gauge    ... on disk
=====================================================  =======  ===========================
"""

from __future__ import annotations

import math

__all__ = ["render", "CONTENT_TYPE", "escape_label", "escape_help"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PREFIX = "sparklet_"


def escape_label(value) -> str:
    r"""A label value: backslash, double quote and line feed escaped.

    >>> print(escape_label('say "hi"\n'))
    say \"hi\"\n
    """
    return str(value).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")


def escape_help(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("\n", "\\n")


def _number(v) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return repr(v)


class _Writer:
    def __init__(self):
        self.lines: list[str] = []
        self.seen: set[str] = set()

    def family(self, name: str, kind: str, help_text: str, samples) -> None:
        if not name.startswith(PREFIX):
            name = PREFIX + name
        if name in self.seen:       # a family appears once; later duplicates are dropped
            return
        self.seen.add(name)
        self.lines.append("# HELP %s %s" % (name, escape_help(help_text)))
        self.lines.append("# TYPE %s %s" % (name, kind))
        for labels, value in samples:
            if value is None:
                continue
            if labels:
                text = ",".join('%s="%s"' % (k, escape_label(v)) for k, v in labels.items())
                self.lines.append("%s{%s} %s" % (name, text, _number(value)))
            else:
                self.lines.append("%s %s" % (name, _number(value)))


def render(store) -> str:
    """The exposition text for one application's store."""
    c = store.counters()
    t = c["totals"]
    w = _Writer()

    def gauge(name, help_text, value):
        w.family(name, "gauge", help_text, [({}, value)])

    def counter(name, help_text, value):
        w.family(name, "counter", help_text, [({}, value)])

    info = {"app_id": store.app_id or "", "app_name": store.app_name or "",
            "spark_version": store.version()["spark"]}
    w.family("application_info", "gauge", "The application this UI serves (always 1).",
             [(info, 1)])
    gauge("jobs_active", "Jobs running now.", c["jobsActive"])
    counter("jobs_succeeded_total", "Jobs that succeeded.", t["jobsSucceeded"])
    counter("jobs_failed_total", "Jobs that failed.", t["jobsFailed"])
    gauge("stages_active", "Stage attempts running now.", c["stagesActive"])
    counter("stages_completed_total", "Stage attempts that completed.", t["stagesCompleted"])
    counter("stages_failed_total", "Stage attempts that failed.", t["stagesFailed"])
    counter("stages_skipped_total", "Stages skipped (their shuffle output was there).",
            t["stagesSkipped"])
    gauge("tasks_active", "Tasks running now.", c["tasksActive"])
    counter("tasks_completed_total", "Tasks that succeeded.", t["tasksCompleted"])
    counter("tasks_failed_total", "Tasks that failed.", t["tasksFailed"])
    counter("tasks_killed_total", "Tasks that were killed.", t["tasksKilled"])
    counter("task_duration_seconds_total", "Sum of finished tasks' durations (launch to end).",
            t["taskDurationMs"] / 1000.0)
    counter("executor_run_time_seconds_total", "Sum of finished tasks' executorRunTime.",
            t["executorRunTimeMs"] / 1000.0)
    counter("shuffle_read_bytes_total", "Shuffle bytes read by tasks.", t["shuffleReadBytes"])
    counter("shuffle_read_records_total", "Shuffle records read by tasks.",
            t["shuffleReadRecords"])
    counter("shuffle_write_bytes_total", "Shuffle bytes written by tasks.",
            t["shuffleWriteBytes"])
    counter("shuffle_write_records_total", "Shuffle records written by tasks.",
            t["shuffleWriteRecords"])
    counter("memory_spilled_bytes_total", "Bytes spilled from memory by tasks.",
            t["memoryBytesSpilled"])
    counter("disk_spilled_bytes_total", "Bytes spilled to disk by tasks.",
            t["diskBytesSpilled"])
    gauge("executors_active", "Executors alive (the driver included).", c["executorsActive"])
    counter("executors_removed_total", "Executors removed (lost or stopped).",
            t["executorsRemoved"])
    alive = [e for e in c["executors"] if e[4]]
    w.family("executor_memory_used_bytes", "gauge", "Storage memory used by cached blocks.",
             [({"executor_id": e[0]}, e[1]) for e in alive])
    w.family("executor_disk_used_bytes", "gauge", "Disk used by cached blocks.",
             [({"executor_id": e[0]}, e[2]) for e in alive])
    w.family("executor_active_tasks", "gauge", "Tasks running on the executor.",
             [({"executor_id": e[0]}, e[3]) for e in alive])
    w.family("executor_max_memory_bytes", "gauge", "Storage memory the executor may use.",
             [({"executor_id": e[0]}, e[5]) for e in alive if e[5]])
    w.family("executor_rss_bytes", "gauge",
             "Resident memory of the executor's process, sampled at its last task end.",
             [({"executor_id": e[0]}, e[6]) for e in alive if e[6]])
    w.family("rdd_memory_used_bytes", "gauge", "Memory used by a cached RDD's blocks.",
             [({"rdd_id": r[0], "rdd_name": r[1]}, r[2]) for r in c["rdds"]])
    w.family("rdd_disk_used_bytes", "gauge", "Disk used by a cached RDD's blocks.",
             [({"rdd_id": r[0], "rdd_name": r[1]}, r[3]) for r in c["rdds"]])

    for part in (getattr(store, "streaming", None), getattr(store, "dashboard", None)):
        samples = getattr(part, "metric_samples", None)
        if callable(samples):
            for name, kind, help_text, rows in samples() or ():
                w.family(name, kind, help_text, rows)
    return "\n".join(w.lines) + "\n"
