"""AppStatusStore fed with hand-built listener event sequences (the SPEC's schema)."""

from __future__ import annotations

import threading

from ui_helpers import T0, Feed, stage_info

from sparklet.ui.store import AppStatusStore, SingleStore
from sparklet.ui.store.util import quantiles_of, spark_date

SHUFFLE = {"executorRunTime": 5, "shuffleWriteBytes": 100, "shuffleWriteRecords": 10,
           "resultSize": 50}
READ = {"executorRunTime": 7, "shuffleReadBytes": 100, "shuffleReadRecords": 10,
        "shuffleLocalBlocksFetched": 2}


def map_reduce_job(feed, job_id=0, map_id=0, result_id=1, **props):
    """A job with a 2-task map stage and a 2-task result stage, all succeeding."""
    m = stage_info(map_id, 2, name="reduceByKey at app.py:3", rdds=[(0, "parallelize")])
    r = stage_info(result_id, 2, name="collect at app.py:4", parents=[map_id],
                   rdds=[(1, "ShuffledRDD")])
    feed.job_start(job_id, [m, r], **props)
    m = feed.submit(m, job_id)
    for i in range(2):
        feed.task(m, i, eid=str(i), metrics=SHUFFLE, task_type="ShuffleMapTask")
    feed.complete(m)
    r = feed.submit(r, job_id)
    for i in range(2):
        feed.task(r, i, eid=str(i), metrics=READ)
    feed.complete(r)
    feed.job_end(job_id)


def new_feed(**conf):
    store = AppStatusStore({k.replace("_", "."): str(v) for k, v in conf.items()})
    feed = Feed(store)
    feed.executor("driver")
    feed.executor("0")
    feed.executor("1")
    return store, feed


def test_spark_date_and_quantiles():
    assert spark_date(T0 + 567) == "2025-12-02T18:26:40.567GMT"
    assert spark_date(-1) == "1969-12-31T23:59:59.999GMT"
    assert spark_date(None) is None
    assert quantiles_of([4, 1, 3, 2], [0.0, 0.5, 1.0]) == [1.0, 3.0, 4.0]
    assert quantiles_of([], [0.5]) == [0.0]


def test_map_and_result_stage_job():
    store, feed = new_feed()
    map_reduce_job(feed, spark_job_description="word count", spark_jobGroup_id="g1",
                   spark_job_tags="b,a")
    assert store.app_id == "local-1764700000000"
    [job] = store.jobs()
    assert job["status"] == "SUCCEEDED"
    assert job["name"] == "collect at app.py:4"            # the result stage's call site
    assert job["description"] == "word count"
    assert job["jobGroup"] == "g1" and job["jobTags"] == ["a", "b"]
    assert job["stageIds"] == [0, 1]
    assert (job["numTasks"], job["numCompletedTasks"], job["numActiveTasks"]) == (4, 4, 0)
    assert job["numCompletedIndices"] == 4
    assert (job["numCompletedStages"], job["numSkippedStages"], job["numFailedStages"],
            job["numActiveStages"]) == (2, 0, 0, 0)
    assert job["submissionTime"].endswith("GMT") and job["completionTime"] > \
        job["submissionTime"]

    stages = store.stages()
    assert [(s["stageId"], s["status"]) for s in stages] == [(1, "COMPLETE"), (0, "COMPLETE")]
    m = store.stage_attempt(0, 0)
    assert m["numCompleteTasks"] == 2 and m["numTasks"] == 2
    assert m["shuffleWriteBytes"] == 200 and m["shuffleWriteRecords"] == 20
    assert m["executorRunTime"] == 10 and m["description"] == "word count"
    assert m["rddIds"] == [0] and m["name"] == "reduceByKey at app.py:3"
    assert sorted(m["tasks"]) == ["0", "1"]
    assert m["executorSummary"]["0"]["succeededTasks"] == 1
    assert m["executorSummary"]["1"]["shuffleWrite"] == 100
    r = store.stage_attempt(1, 0)
    assert r["shuffleReadBytes"] == 200 and r["shuffleReadRecords"] == 20
    assert r["shuffleLocalBlocksFetched"] == 4 and r["shuffleLocalBytesRead"] == 200

    task = store.task_list(1, 0)[0]
    assert task["status"] == "SUCCESS" and task["duration"] == 30
    assert task["taskMetrics"]["shuffleReadMetrics"]["recordsRead"] == 10
    ex = {e["id"]: e for e in store.executors()}
    assert ex["0"]["completedTasks"] == 2 and ex["0"]["totalShuffleWrite"] == 100
    assert ex["1"]["totalShuffleRead"] == 100 and ex["driver"]["totalTasks"] == 0

    dag = store.job_dag(0)
    assert [(s["stageId"], s["parentIds"], s["status"]) for s in dag["stages"]] == [
        (0, [], "COMPLETE"), (1, [0], "COMPLETE")]
    assert dag["stages"][1]["rdds"][0]["name"] == "ShuffledRDD"


def test_running_state_is_visible_mid_job():
    store, feed = new_feed()
    m = stage_info(0, 2)
    feed.job_start(0, [m, stage_info(1, 1, parents=[0])])
    assert store.job(0)["status"] == "RUNNING"
    assert {s["stageId"]: s["status"] for s in store.stages()} == {0: "PENDING", 1: "PENDING"}
    m = feed.submit(m, 0)
    ti = feed.start_task(m, 0)
    assert store.job(0)["numActiveTasks"] == 1 and store.job(0)["numActiveStages"] == 1
    assert store.stage_attempt(0, 0)["status"] == "ACTIVE"
    running = store.task_list(0, 0)[0]
    assert running["status"] == "RUNNING" and "taskMetrics" not in running or \
        running["taskMetrics"] is None
    assert store.stages(status="active")[0]["stageId"] == 0
    assert {e["id"]: e["activeTasks"] for e in store.executors()}["0"] == 1
    feed.end_task(m, ti)
    assert store.job(0)["numActiveTasks"] == 0 and store.job(0)["numCompletedTasks"] == 1
    assert store.task_summary(0, 0) is not False


def test_skipped_stages_follow_sparks_rule():
    store, feed = new_feed()
    map_reduce_job(feed)
    # Job 1 reads the same shuffle: stage 0 is listed but never submitted; stage 5 too.
    shared = stage_info(0, 2, completionTime=T0)
    never = stage_info(5, 3, parents=[])
    result = stage_info(2, 2, parents=[0, 5], name="count at app.py:9")
    feed.job_start(1, [shared, never, result])
    result = feed.submit(result, 1)
    for i in range(2):
        feed.task(result, i)
    feed.complete(result)
    feed.job_end(1)
    job = store.job(1)
    assert job["numSkippedStages"] == 2
    assert job["numSkippedTasks"] == 5
    assert job["numCompletedStages"] == 1 and job["numTasks"] == 5   # 3 + 2 not computed
    assert store.stage_attempt(5, 0)["status"] == "SKIPPED"
    assert store.stage_attempt(0, 0)["status"] == "COMPLETE"     # job 0's run stays
    assert [s["stageId"] for s in store.stages(status="skipped")] == [5]
    statuses = {s["stageId"]: s["status"] for s in store.job_dag(1)["stages"]}
    assert statuses == {0: "SKIPPED", 2: "COMPLETE", 5: "SKIPPED"}


def test_failures_retries_and_kills():
    store, feed = new_feed()
    s = stage_info(0, 2)
    feed.job_start(0, [s])
    s = feed.submit(s, 0)
    feed.task(s, 0, reason="ExceptionFailure", error="Traceback: ZeroDivisionError")
    feed.task(s, 0, attempt=1)
    feed.task(s, 1, reason="TaskKilled", error="Stage cancelled")
    lost = feed.start_task(s, 1, eid="1")
    feed.end_task(s, dict(lost, executorId="", host=""), reason="ExecutorLostFailure",
                  error="executor 1 lost")
    feed.complete(s, failure="Job aborted due to stage failure")
    feed.job_end(0, ok=False, error="boom")
    job = store.job(0)
    assert job["status"] == "FAILED"
    assert (job["numFailedTasks"], job["numCompletedTasks"], job["numKilledTasks"]) == (2, 1, 1)
    assert job["numFailedStages"] == 1 and job["killedTasksSummary"] == {"Stage cancelled": 1}
    assert job["numCompletedIndices"] == 1
    st = store.stage_attempt(0, 0)
    assert st["status"] == "FAILED" and st["failureReason"].startswith("Job aborted")
    failed = store.task_list(0, 0, status="failed")
    assert [t["errorMessage"] for t in failed] == ["Traceback: ZeroDivisionError",
                                                   "executor 1 lost"]
    assert store.jobs(status="failed")[0]["jobId"] == 0 and store.jobs("succeeded") == []
    ex = {e["id"]: e for e in store.executors()}
    assert ex["0"]["failedTasks"] == 2 and ex["0"]["completedTasks"] == 1
    assert "" not in ex and ex["1"]["activeTasks"] == 0 and ex["1"]["failedTasks"] == 1
    assert store.task_list(0, 0, status="failed")[-1]["executorId"] == "1"
    assert store.counters()["totals"]["tasksKilled"] == 1


def test_stage_retry_gets_a_new_attempt():
    store, feed = new_feed()
    s0 = stage_info(0, 1)
    feed.job_start(0, [s0])
    a0 = feed.submit(s0, 0)
    feed.task(a0, 0, reason="FetchFailed", error="fetch failed")
    feed.complete(a0, failure="FetchFailed")
    a1 = feed.submit(stage_info(0, 1, attempt=1), 0)
    feed.task(a1, 0)
    feed.complete(a1)
    feed.job_end(0)
    assert [s["attemptId"] for s in store.stage_attempts(0)] == [0, 1]
    assert [s["status"] for s in store.stage_attempts(0)] == ["FAILED", "COMPLETE"]
    job = store.job(0)
    assert job["numCompletedStages"] == 1 and job["numFailedStages"] == 1


def test_retention_drops_oldest_finished_only():
    store, feed = new_feed(spark_ui_retainedJobs=2, spark_ui_retainedStages=3,
                           spark_ui_retainedTasks=5)
    # a long-running job 0 keeps its stage and running task whatever comes after
    slow = stage_info(100, 1)
    feed.job_start(100, [slow])
    slow = feed.submit(slow, 100)
    feed.start_task(slow, 0)
    for j in range(4):
        s = stage_info(j, 2)
        feed.job_start(j, [s])
        s = feed.submit(s, j)
        feed.task(s, 0)
        feed.task(s, 1)
        feed.complete(s)
        feed.job_end(j)
    assert [j["jobId"] for j in store.jobs()] == [100, 3]  # 2 retained, running one kept
    assert [s["stageId"] for s in store.stages()] == [100, 3, 2]
    assert len(store._tasks) == 5
    assert [t["status"] for t in store.task_list(100, 0)] == ["RUNNING"]
    assert store.job(0) is None and store.stage_attempts(0) is None
    # the counters stay whole-application
    assert store.counters()["totals"]["jobsSucceeded"] == 4
    assert store.counters()["totals"]["tasksCompleted"] == 8


def test_executors_lost_and_removed():
    store, feed = new_feed()
    feed.post("SparkListenerExecutorRemoved", executorId="1",
              reason="exit code 137 (SIGKILL)")
    active = [e["id"] for e in store.executors()]
    assert active == ["driver", "0"]
    everything = {e["id"]: e for e in store.executors(include_removed=True)}
    assert everything["1"]["isActive"] is False
    assert everything["1"]["removeReason"] == "exit code 137 (SIGKILL)"
    assert everything["1"]["removeTime"].endswith("GMT")
    assert store.counters()["totals"]["executorsRemoved"] == 1
    feed.executor("1")     # the id comes back: a new executor
    assert [e["id"] for e in store.executors()] == ["driver", "0", "1"]


def test_storage_blocks_and_unpersist():
    store, feed = new_feed()
    info = stage_info(0, 2, rdds=[(7, "cached numbers")])
    feed.job_start(0, [info])
    level = "Memory Deserialized 1x Replicated"
    feed.post("SparkListenerBlockUpdated", executorId="0", blockId="rdd_7_0", rddId=7,
              storageLevel=level, memSize=1000, diskSize=0)
    feed.post("SparkListenerBlockUpdated", executorId="1", blockId="rdd_7_1", rddId=7,
              storageLevel=level, memSize=500, diskSize=20)
    [rdd] = store.rdds()
    assert (rdd["id"], rdd["name"], rdd["numPartitions"], rdd["numCachedPartitions"]) == (
        7, "cached numbers", 2, 2)
    assert rdd["memoryUsed"] == 1500 and rdd["diskUsed"] == 20 and rdd["storageLevel"] == level
    assert rdd["dataDistribution"] is None          # only the single-RDD view has it
    one = store.rdd(7)
    assert [p["blockName"] for p in one["partitions"]] == ["rdd_7_0", "rdd_7_1"]
    assert one["partitions"][1]["executors"] == ["1"]
    assert sum(d["memoryUsed"] for d in one["dataDistribution"]) == 1500
    ex = {e["id"]: e for e in store.executors()}
    assert ex["0"]["memoryUsed"] == 1000 and ex["0"]["rddBlocks"] == 1
    assert ex["1"]["diskUsed"] == 20
    assert store.job_dag(0)["stages"][0]["rdds"][0]["cached"] is True
    # a block removed (both sizes 0), then the RDD unpersisted
    feed.post("SparkListenerBlockUpdated", executorId="0", blockId="rdd_7_0", rddId=7,
              storageLevel=level, memSize=0, diskSize=0)
    assert store.rdd(7)["numCachedPartitions"] == 1
    assert {e["id"]: e["memoryUsed"] for e in store.executors()}["0"] == 0
    feed.post("SparkListenerUnpersistRDD", rddId=7)
    assert store.rdds() == [] and store.rdd(7) is None
    assert {e["id"]: e["rddBlocks"] for e in store.executors()}["1"] == 0


def test_environment_and_application():
    store, feed = new_feed()
    feed.post("SparkListenerEnvironmentUpdate",
              sparkProperties=[["spark.app.name", "ui-test"], ["spark.master", "local[2]"]],
              systemProperties=[["user.dir", "/tmp"]],
              runtime={"pythonVersion": "3.11.7", "pythonExecutable": "/usr/bin/python3",
                       "platform": "Linux", "sparkletVersion": "0.1.0"})
    env = store.environment()
    assert env["runtime"]["javaVersion"] == "Python 3.11.7"
    assert env["runtime"]["pythonVersion"] == "3.11.7"
    assert env["sparkProperties"][1] == ["spark.master", "local[2]"]
    app = store.application_info()
    assert app["name"] == "ui-test" and app["attempts"][0]["completed"] is False
    assert app["attempts"][0]["endTimeEpoch"] == -1
    feed.post("SparkListenerApplicationEnd")
    app = store.application_info()
    att = app["attempts"][0]
    assert att["completed"] is True and att["duration"] == att["endTimeEpoch"] - T0 - 10
    assert SingleStore(store).get(store.app_id) is store
    assert SingleStore(store).get("nope") is None


def test_task_summary_quantiles():
    store, feed = new_feed()
    s = stage_info(0, 5)
    feed.job_start(0, [s])
    s = feed.submit(s, 0)
    for i in range(5):
        feed.task(s, i, metrics={"executorRunTime": 10 * (i + 1), "shuffleWriteBytes": i})
    feed.task(s, 0, reason="ExceptionFailure", metrics={"executorRunTime": 999})
    summary = store.task_summary(0, 0, [0.0, 0.5, 1.0])
    assert summary["quantiles"] == [0.0, 0.5, 1.0]
    assert summary["executorRunTime"] == [10.0, 30.0, 50.0]      # failed task not counted
    assert summary["shuffleWriteMetrics"]["writeBytes"] == [0.0, 2.0, 4.0]
    assert summary["duration"] == [30.0, 30.0, 30.0]
    assert store.task_summary(0, 1) is None
    by_runtime = store.task_list(0, 0, sort_by="-runtime", length=2)
    assert [t["taskMetrics"]["executorRunTime"] for t in by_runtime] == [999, 50]


def test_events_reach_streaming_and_dashboard_stores_and_wait_for():
    store, feed = new_feed()
    seen = []

    class Recorder:
        def on_event(self, event):
            seen.append(event["Event"])

    store.streaming = Recorder()
    store.dashboard = Recorder()
    feed.post("StreamingListenerStreamingStarted", batchDuration=1000, checkpointDir=None)
    assert seen == ["StreamingListenerStreamingStarted"] * 2
    assert hasattr(AppStatusStore().streaming, "on_event")
    assert hasattr(AppStatusStore().dashboard, "on_event")

    done = threading.Event()

    def later():
        done.wait(5)
        map_reduce_job(feed, job_id=4)

    t = threading.Thread(target=later)
    t.start()
    assert store.wait_for(lambda s: s.job(4) is None, 1)
    done.set()
    assert store.wait_for(lambda s: (s.job(4) or {}).get("status") == "SUCCEEDED", 10)
    t.join(5)
    assert store.wait_for(lambda s: False, 0.05) is False


def test_reads_while_the_bus_thread_writes():
    store, feed = new_feed(spark_ui_retainedTasks=50, spark_ui_retainedJobs=5,
                           spark_ui_retainedStages=5)
    errors = []
    stop = threading.Event()

    def reader():
        try:
            while not stop.is_set():
                for s in store.stages(details=True):
                    store.task_list(s["stageId"], s["attemptId"], length=100)
                    store.task_summary(s["stageId"], s["attemptId"])
                store.jobs()
                store.executors(include_removed=True)
                store.counters()
        except Exception as e:      # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for j in range(20):
        map_reduce_job(feed, job_id=j, map_id=2 * j, result_id=2 * j + 1)
    stop.set()
    for t in threads:
        t.join(10)
    assert errors == []
    assert store.counters()["totals"]["tasksCompleted"] == 80
    assert len(store.jobs()) == 5 and len(store._tasks) <= 50
