"""The event log (sparklet.ui.eventlog): what a real application writes, and the start-up
errors Spark gives for a missing directory or an existing log."""

from __future__ import annotations

import json
import os

import pytest
from history_helpers import drain, event_log_of, read_log

from sparklet import SparkConf
from sparklet.streaming import StreamingContext
from sparklet.streaming.testing import advance_batches, use_manual_clock
from sparklet.ui.eventlog import EventLoggingListener, log_file_name, maybe_start_event_log


def _conf(log_dir, **extra) -> SparkConf:
    conf = (SparkConf().setAppName("eventlog-test")
            .set("spark.eventLog.enabled", "true").set("spark.eventLog.dir", log_dir)
            .set("spark.ui.port", "0"))
    for k, v in extra.items():
        conf.set(k, v)
    return conf


def test_log_of_jobs_and_a_streaming_app(make_context, tmp_path):
    log_dir = tmp_path / "events"
    log_dir.mkdir()
    sc = make_context(_conf("file://%s" % log_dir))
    assert event_log_of(sc) is not None
    assert os.listdir(log_dir) == [log_file_name(sc.applicationId) + ".inprogress"]

    sc.setJobGroup("batchjobs", "two plain jobs")
    assert sc.parallelize(range(10), 2).count() == 10
    assert sorted(sc.parallelize(range(6), 3).map(lambda x: (x % 2, 1))
                  .reduceByKey(lambda a, b: a + b).collect()) == [(0, 3), (1, 3)]
    plain_jobs = sorted(sc.statusTracker().getJobIdsForGroup("batchjobs"))

    ssc = StreamingContext(sc, 1)
    use_manual_clock(ssc)
    sizes = []
    ssc.queueStream([[1, 2], [3]]).foreachRDD(lambda rdd: sizes.append(rdd.count()))
    ssc.start()
    batch_times = advance_batches(ssc, 2)
    app_id = sc.applicationId
    ssc.stop(stopSparkContext=True)

    assert sizes == [2, 1]
    # renamed on ApplicationEnd: only the complete log remains
    assert os.listdir(log_dir) == [log_file_name(app_id)]
    with open(log_dir / log_file_name(app_id), encoding="utf-8") as f:
        lines = f.read().splitlines()
    events = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all(isinstance(e, dict) and "Event" in e for e in events)
    names = [e["Event"] for e in events]
    assert names[0] == "SparkListenerLogStart" and events[0]["sparkVersion"] == sc.version
    assert names[1] == "SparkListenerApplicationStart"
    assert events[1]["appId"] == app_id and events[1]["appName"] == "eventlog-test"
    assert names[-1] == "SparkListenerApplicationEnd"
    assert names.count("SparkListenerApplicationEnd") == 1
    assert "SparkListenerEnvironmentUpdate" in names

    starts = [e["jobId"] for e in events if e["Event"] == "SparkListenerJobStart"]
    ends = {e["jobId"]: e["result"] for e in events if e["Event"] == "SparkListenerJobEnd"}
    grouped = sorted(e["jobId"] for e in events if e["Event"] == "SparkListenerJobStart"
                     and e["properties"].get("spark.jobGroup.id") == "batchjobs")
    assert grouped == plain_jobs and len(plain_jobs) == 2
    assert starts == sorted(starts) and set(starts) == set(ends)
    assert set(ends.values()) == {"JobSucceeded"}
    # a job's start precedes its end, its stages' events lie between
    for job in starts:
        i = next(k for k, e in enumerate(events)
                 if e["Event"] == "SparkListenerJobStart" and e["jobId"] == job)
        j = next(k for k, e in enumerate(events)
                 if e["Event"] == "SparkListenerJobEnd" and e["jobId"] == job)
        assert i < j
    task_ends = [e for e in events if e["Event"] == "SparkListenerTaskEnd"]
    assert len(task_ends) >= 2 + 3 + 3  # count (2 tasks), the shuffle (3 + 3)
    completed = [e["batchInfo"]["batchTime"] for e in events
                 if e["Event"] == "StreamingListenerBatchCompleted"]
    assert completed == batch_times == [1000, 2000]
    assert names.index("StreamingListenerStreamingStarted") < names.index(
        "StreamingListenerBatchCompleted")


def test_flushed_at_job_end_so_a_running_log_is_readable(make_context, tmp_path):
    sc = make_context(_conf(str(tmp_path)))
    log = event_log_of(sc)
    sc.parallelize(range(4), 2).count()
    drain(sc)
    events = read_log(log.in_progress_path)
    assert [e["Event"] for e in events][-1] == "SparkListenerJobEnd"
    sc.stop()
    assert not os.path.exists(log.in_progress_path) and os.path.exists(log.log_path)


def test_existing_log_is_an_error_unless_overwrite(tmp_path):
    (tmp_path / "local-42").write_text("old\n")
    with pytest.raises(FileExistsError, match="spark.eventLog.overwrite"):
        EventLoggingListener({"spark.eventLog.dir": str(tmp_path)}, "local-42").start()
    assert (tmp_path / "local-42").read_text() == "old\n"

    log = EventLoggingListener({"spark.eventLog.dir": str(tmp_path),
                                "spark.eventLog.overwrite": "true"}, "local-42")
    log.start()
    log.on_event({"Event": "SparkListenerApplicationStart", "appId": "local-42", "time": 1})
    log.stop()
    assert [e["Event"] for e in read_log(str(tmp_path / "local-42"))] == [
        "SparkListenerLogStart", "SparkListenerApplicationStart"]
    assert os.listdir(tmp_path) == ["local-42"]


def test_missing_directory_fails_the_context_naming_the_key(make_context, tmp_path):
    missing = tmp_path / "nope"
    sc = make_context(_conf(str(missing)).set("spark.eventLog.enabled", "false"))
    assert event_log_of(sc) is None and maybe_start_event_log(sc) is None  # nothing checked
    sc.stop()
    with pytest.raises(FileNotFoundError, match="spark.eventLog.dir") as info:
        make_context(_conf(str(missing)))  # SparkContext() itself fails, as Spark's
    assert str(missing) in str(info.value)
    assert not missing.exists()  # not created, as Spark does not
    with pytest.raises(NotADirectoryError, match="spark.eventLog.dir"):
        (tmp_path / "afile").write_text("")
        EventLoggingListener({"spark.eventLog.dir": str(tmp_path / "afile")}, "x").start()


def test_events_are_json_lines_with_str_fallback_and_buffering(tmp_path):
    import datetime

    log = EventLoggingListener({"spark.eventLog.dir": str(tmp_path),
                                "spark.eventLog.buffer.kb": "4"}, "app.with:odd/chars")
    assert os.path.basename(log.log_path) == "app_with-odd-chars"
    log.start()
    total = os.path.getsize(log.in_progress_path)  # the LogStart line, flushed
    for i in range(200):  # task events stay in the buffer until it fills (4 KiB)
        event = {"Event": "SparkListenerTaskEnd", "stageId": 0, "taskInfo": {"taskId": i},
                 "when": datetime.date(2026, 1, 2)}
        log.on_event(event)
        total += len(json.dumps(event, separators=(",", ":"), default=str)) + 1
    on_disk = os.path.getsize(log.in_progress_path)
    # written out as the buffer filled, not per event: at most a buffer (plus the text
    # layer's 8 KiB chunk) behind
    assert total - 4096 - 8192 <= on_disk < total
    log.on_event({"Event": "SparkListenerJobEnd", "jobId": 0, "result": "JobSucceeded"})
    events = read_log(log.in_progress_path)  # flushed by the job end
    assert len(events) == 202 and events[1]["when"] == "2026-01-02"
    assert open(log.in_progress_path).readline() == (
        '{"Event":"SparkListenerLogStart","sparkVersion":"%s","sparkletVersion":"%s"}\n'
        % (events[0]["sparkVersion"], events[0]["sparkletVersion"]))
    log.on_event({"Event": "SparkListenerApplicationEnd", "time": 3})
    assert log.stopped and os.listdir(tmp_path) == ["app_with-odd-chars"]
    log.on_event({"Event": "SparkListenerJobEnd", "jobId": 1})  # after the end: dropped
    log.stop()
    assert len(read_log(log.log_path)) == 203


def test_block_updates_are_logged_only_when_asked(tmp_path):
    block = {"Event": "SparkListenerBlockUpdated", "time": 1, "executorId": "0",
             "blockId": "rdd_3_0", "rddId": 3, "storageLevel": "Memory Deserialized 1x "
             "Replicated", "memSize": 10, "diskSize": 0}
    for enabled, expected in (("false", []), ("true", ["SparkListenerBlockUpdated"])):
        log = EventLoggingListener({"spark.eventLog.dir": str(tmp_path),
                                    "spark.eventLog.logBlockUpdates.enabled": enabled},
                                   "app-" + enabled)
        log.start()
        log.on_event(block)
        log.on_event({"Event": "SparkListenerUnpersistRDD", "time": 2, "rddId": 3})
        log.stop()
        assert [e["Event"] for e in read_log(log.log_path)][1:-1] == expected
