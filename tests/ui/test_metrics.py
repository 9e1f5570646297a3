"""/metrics text (Prometheus exposition 0.0.4): parsed back and checked against the store."""

from __future__ import annotations

import re

import httpx
from ui_helpers import Feed, live_ui, stage_info

from sparklet.ui import metrics
from sparklet.ui.store import AppStatusStore

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')


def _unescape(v: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), v)


def parse(text: str) -> dict:
    """{name: {"type", "help", "samples": {frozenset(labels): value}}}, checking the
    format's rules on the way (HELP and TYPE once, before the family's samples)."""
    families: dict = {}
    current = None
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            assert name not in families, "family %s twice" % name
            families[name] = {"help": help_text, "type": None, "samples": {}}
            current = name
        elif line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            assert name == current and kind in ("counter", "gauge", "untyped", "summary",
                                                "histogram")
            families[name]["type"] = kind
        else:
            m = _SAMPLE.match(line)
            assert m, "bad sample line %r" % line
            name, labels_text, value = m.groups()
            assert name == current, "sample %s outside its family" % name
            labels = {}
            if labels_text:
                pos = 0
                for lm in _LABEL.finditer(labels_text):
                    assert lm.start() == pos
                    labels[lm.group(1)] = _unescape(lm.group(2))
                    pos = lm.end()
                assert pos == len(labels_text), labels_text
            families[name]["samples"][frozenset(labels.items())] = float(value)
    return families


def value(families, name, **labels):
    return families[name]["samples"][frozenset((k, str(v)) for k, v in labels.items())]


def test_metrics_match_the_store():
    store = AppStatusStore()
    feed = Feed(store)
    feed.executor("0")
    feed.executor("1")
    s = stage_info(0, 3, rdds=[(4, 'odd "name" \\ with\nnewline')])
    feed.job_start(0, [s])
    s = feed.submit(s, 0)
    feed.task(s, 0, metrics={"shuffleWriteBytes": 70, "memoryBytesSpilled": 5,
                             "diskBytesSpilled": 3, "executorRunTime": 4})
    feed.task(s, 1, eid="1", reason="ExceptionFailure", error="boom",
              metrics={"shuffleReadBytes": 11})
    running = feed.start_task(s, 2, eid="1")
    feed.post("SparkListenerBlockUpdated", executorId="1", blockId="rdd_4_0", rddId=4,
              storageLevel="Memory Deserialized 1x Replicated", memSize=640, diskSize=32)
    feed.post("SparkListenerExecutorRemoved", executorId="0", reason="lost")

    fam = parse(metrics.render(store))
    c = store.counters()
    assert value(fam, "sparklet_jobs_active") == 1
    assert fam["sparklet_jobs_active"]["type"] == "gauge"
    assert fam["sparklet_tasks_completed_total"]["type"] == "counter"
    assert value(fam, "sparklet_tasks_completed_total") == c["totals"]["tasksCompleted"] == 1
    assert value(fam, "sparklet_tasks_failed_total") == 1
    assert value(fam, "sparklet_tasks_active") == 1
    assert value(fam, "sparklet_stages_active") == 1
    assert value(fam, "sparklet_shuffle_write_bytes_total") == 70
    assert value(fam, "sparklet_shuffle_read_bytes_total") == 11
    assert value(fam, "sparklet_memory_spilled_bytes_total") == 5
    assert value(fam, "sparklet_disk_spilled_bytes_total") == 3
    assert value(fam, "sparklet_task_duration_seconds_total") == 0.06   # 2 tasks x 30 ms
    assert value(fam, "sparklet_executors_active") == 1
    assert value(fam, "sparklet_executors_removed_total") == 1
    assert value(fam, "sparklet_executor_memory_used_bytes", executor_id=1) == 640
    assert value(fam, "sparklet_executor_disk_used_bytes", executor_id=1) == 32
    assert value(fam, "sparklet_executor_active_tasks", executor_id=1) == 1
    assert frozenset({("executor_id", "0")}) not in fam[
        "sparklet_executor_active_tasks"]["samples"]             # removed: not a live gauge
    name = 'odd "name" \\ with\nnewline'
    assert value(fam, "sparklet_rdd_memory_used_bytes", rdd_id=4, rdd_name=name) == 640
    assert value(fam, "sparklet_rdd_disk_used_bytes", rdd_id=4, rdd_name=name) == 32
    assert value(fam, "sparklet_application_info", app_id=feed.app_id, app_name="ui-test",
                 spark_version="3.5.0") == 1
    feed.end_task(s, running)
    feed.complete(s)
    feed.job_end(0)
    fam = parse(metrics.render(store))
    assert value(fam, "sparklet_jobs_active") == 0
    assert value(fam, "sparklet_jobs_succeeded_total") == 1
    assert value(fam, "sparklet_stages_completed_total") == 1
    assert value(fam, "sparklet_tasks_active") == 0


def test_streaming_samples_are_rendered():
    store = AppStatusStore()
    Feed(store)

    class Streaming:
        def on_event(self, event): ...

        def metric_samples(self):
            return [("sparklet_streaming_last_batch_records", "gauge",
                     "Records of the last batch.", [({"stream": 'a"b'}, 12)]),
                    ("streaming_batches_completed_total", "counter", "Batches done.",
                     [({}, 3)])]

    store.streaming = Streaming()
    fam = parse(metrics.render(store))
    assert value(fam, "sparklet_streaming_last_batch_records", stream='a"b') == 12
    assert value(fam, "sparklet_streaming_batches_completed_total") == 3
    assert fam["sparklet_streaming_batches_completed_total"]["type"] == "counter"


def test_metrics_of_a_live_context():
    with live_ui("metrics-test") as (sc, url, store):
        assert sc.parallelize(range(10), 3).map(lambda x: (x % 2, x)).groupByKey().count() \
            == 2
        assert sc._listener_bus.wait_until_empty(20)
        text = metrics.render(store)
        if sc.uiWebUrl:                      # the UI server serves the same text
            r = httpx.get(sc.uiWebUrl + "/metrics", timeout=20)
            assert r.status_code == 200 and "text/plain" in r.headers["content-type"]
            text = r.text
        fam = parse(text)
        jobs = store.jobs()
        assert value(fam, "sparklet_jobs_succeeded_total") == len(jobs) == 1
        assert value(fam, "sparklet_tasks_completed_total") == jobs[0]["numTasks"]
        assert value(fam, "sparklet_stages_completed_total") == 2
        assert value(fam, "sparklet_executors_active") == len(store.executors())
        shuffle = sum(s["shuffleWriteBytes"] for s in store.stages())
        assert value(fam, "sparklet_shuffle_write_bytes_total") == shuffle
