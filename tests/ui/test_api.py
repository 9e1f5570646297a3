"""The /api/v1 REST API over real HTTP, against a live SparkContext whose listener bus
feeds the store: Spark's field names for every shape, values from what the jobs did."""

from __future__ import annotations

import os
import re
import threading
import time

import httpx
import pytest
from ui_helpers import Feed, live_ui, serve, stage_info

# Spark 3.5/4.x status.api.v1 field names (api.scala); OPT = Spark Options (may be left out)
APP = {"id", "name", "attempts"}
APP_OPT = {"coresGranted", "maxCores", "coresPerExecutor", "memoryPerExecutorMB"}
ATTEMPT = {"startTime", "endTime", "lastUpdated", "duration", "sparkUser", "completed",
           "appSparkVersion", "startTimeEpoch", "endTimeEpoch", "lastUpdatedEpoch"}
ATTEMPT_OPT = {"attemptId"}
JOB = {"jobId", "name", "stageIds", "jobTags", "status", "numTasks", "numActiveTasks",
       "numCompletedTasks", "numSkippedTasks", "numFailedTasks", "numKilledTasks",
       "numCompletedIndices", "numActiveStages", "numCompletedStages", "numSkippedStages",
       "numFailedStages", "killedTasksSummary"}
JOB_OPT = {"description", "submissionTime", "completionTime", "jobGroup"}
STAGE = {
    "status", "stageId", "attemptId", "numTasks", "numActiveTasks", "numCompleteTasks",
    "numFailedTasks", "numKilledTasks", "numCompletedIndices", "executorDeserializeTime",
    "executorDeserializeCpuTime", "executorRunTime", "executorCpuTime", "resultSize",
    "jvmGcTime", "resultSerializationTime", "memoryBytesSpilled", "diskBytesSpilled",
    "peakExecutionMemory", "peakOnHeapExecutionMemory", "peakOffHeapExecutionMemory",
    "inputBytes", "inputRecords", "outputBytes", "outputRecords",
    "shuffleRemoteBlocksFetched", "shuffleLocalBlocksFetched", "shuffleFetchWaitTime",
    "shuffleRemoteBytesRead", "shuffleRemoteBytesReadToDisk", "shuffleLocalBytesRead",
    "shuffleReadBytes", "shuffleReadRecords", "shuffleCorruptMergedBlockChunks",
    "shuffleMergedFetchFallbackCount", "shuffleMergedRemoteBlocksFetched",
    "shuffleMergedLocalBlocksFetched", "shuffleMergedRemoteChunksFetched",
    "shuffleMergedLocalChunksFetched", "shuffleMergedRemoteBytesRead",
    "shuffleMergedLocalBytesRead", "shuffleRemoteReqsDuration",
    "shuffleMergedRemoteReqsDuration", "shuffleWriteBytes", "shuffleWriteTime",
    "shuffleWriteRecords", "name", "details", "schedulingPool", "rddIds",
    "accumulatorUpdates", "killedTasksSummary", "resourceProfileId",
    "isShufflePushEnabled", "shuffleMergersCount"}
STAGE_OPT = {"submissionTime", "firstTaskLaunchedTime", "completionTime", "failureReason",
             "description", "tasks", "executorSummary", "speculationSummary",
             "peakExecutorMetrics", "taskMetricsDistributions",
             "executorMetricsDistributions"}
TASK = {"taskId", "index", "attempt", "partitionId", "launchTime", "executorId", "host",
        "status", "taskLocality", "speculative", "accumulatorUpdates", "executorLogs",
        "schedulerDelay", "gettingResultTime"}
TASK_OPT = {"resultFetchStart", "duration", "errorMessage", "taskMetrics"}
TASK_METRICS = {"executorDeserializeTime", "executorDeserializeCpuTime", "executorRunTime",
                "executorCpuTime", "resultSize", "jvmGcTime", "resultSerializationTime",
                "memoryBytesSpilled", "diskBytesSpilled", "peakExecutionMemory",
                "peakOnHeapExecutionMemory", "peakOffHeapExecutionMemory", "inputMetrics",
                "outputMetrics", "shuffleReadMetrics", "shuffleWriteMetrics"}
SHUFFLE_READ = {"remoteBlocksFetched", "localBlocksFetched", "fetchWaitTime",
                "remoteBytesRead", "remoteBytesReadToDisk", "localBytesRead", "recordsRead",
                "remoteReqsDuration", "shufflePushReadMetrics"}
SHUFFLE_WRITE = {"bytesWritten", "writeTime", "recordsWritten"}
EXEC_STAGE = {"taskTime", "failedTasks", "succeededTasks", "killedTasks", "inputBytes",
              "inputRecords", "outputBytes", "outputRecords", "shuffleRead",
              "shuffleReadRecords", "shuffleWrite", "shuffleWriteRecords",
              "memoryBytesSpilled", "diskBytesSpilled", "isBlacklistedForStage",
              "isExcludedForStage"}
EXEC_STAGE_OPT = {"peakMemoryMetrics"}
EXECUTOR = {"id", "hostPort", "isActive", "rddBlocks", "memoryUsed", "diskUsed",
            "totalCores", "maxTasks", "activeTasks", "failedTasks", "completedTasks",
            "totalTasks", "totalDuration", "totalGCTime", "totalInputBytes",
            "totalShuffleRead", "totalShuffleWrite", "isBlacklisted", "maxMemory",
            "addTime", "executorLogs", "blacklistedInStages", "attributes", "resources",
            "resourceProfileId", "isExcluded", "excludedInStages"}
EXECUTOR_OPT = {"removeTime", "removeReason", "memoryMetrics", "peakMemoryMetrics"}
RDD = {"id", "name", "numPartitions", "numCachedPartitions", "storageLevel", "memoryUsed",
       "diskUsed"}
RDD_OPT = {"dataDistribution", "partitions"}
RDD_DIST = {"address", "memoryUsed", "memoryRemaining", "diskUsed"}
RDD_DIST_OPT = {"onHeapMemoryUsed", "offHeapMemoryUsed", "onHeapMemoryRemaining",
                "offHeapMemoryRemaining"}
RDD_PART = {"blockName", "storageLevel", "memoryUsed", "diskUsed", "executors"}
ENV = {"runtime", "sparkProperties", "hadoopProperties", "systemProperties",
       "metricsProperties", "classpathEntries", "resourceProfiles"}
SUMMARY = {"quantiles", "duration", "executorDeserializeTime", "executorDeserializeCpuTime",
           "executorRunTime", "executorCpuTime", "resultSize", "jvmGcTime",
           "resultSerializationTime", "gettingResultTime", "schedulerDelay",
           "peakExecutionMemory", "peakOnHeapExecutionMemory", "peakOffHeapExecutionMemory",
           "memoryBytesSpilled", "diskBytesSpilled", "inputMetrics", "outputMetrics",
           "shuffleReadMetrics", "shuffleWriteMetrics"}
SUMMARY_READ = {"readBytes", "readRecords", "remoteBlocksFetched", "localBlocksFetched",
                "fetchWaitTime", "remoteBytesRead", "remoteBytesReadToDisk",
                "totalBlocksFetched", "remoteReqsDuration", "shufflePushReadMetricsDist"}
SUMMARY_WRITE = {"writeBytes", "writeRecords", "writeTime"}
SPARK_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}GMT$")


def assert_shape(obj: dict, required: set, optional: set = frozenset()):
    keys = set(obj)
    assert required <= keys, "missing: %s" % sorted(required - keys)
    assert keys <= required | optional, "not Spark's: %s" % sorted(keys - required - optional)
    assert None not in obj.values()   # Spark leaves absent Options out, never null


def get(client, path, status=200):
    r = client.get(path)
    assert r.status_code == status, (path, r.status_code, r.text)
    return r.json() if status == 200 else r.text


def drain(sc):
    assert sc._listener_bus.wait_until_empty(20)


def test_jobs_stages_tasks_executors_over_http():
    with live_ui("api-test") as (sc, url, store), httpx.Client(base_url=url + "/api/v1",
                                                                timeout=20) as c:
        pairs = sc.parallelize([(i % 5, i) for i in range(100)], 4)
        shuffled = pairs.partitionBy(3)
        assert shuffled.count() == 100        # job 0: map stage (4) + result stage (3)
        assert shuffled.count() == 100        # job 1: the map stage is skipped
        drain(sc)
        app_id = sc.applicationId

        assert get(c, "/version") == {"spark": sc.version}
        [app] = get(c, "/applications")
        assert_shape(app, APP, APP_OPT)
        assert app["id"] == app_id and app["name"] == "api-test"
        [attempt] = app["attempts"]
        assert_shape(attempt, ATTEMPT, ATTEMPT_OPT)
        assert attempt["completed"] is False and attempt["endTimeEpoch"] == -1
        assert SPARK_DATE.match(attempt["startTime"])
        assert attempt["startTimeEpoch"] == sc.startTime
        one_app = get(c, "/applications/" + app_id)
        assert one_app["id"] == app_id
        assert one_app["attempts"][0]["startTime"] == attempt["startTime"]

        base = "/applications/%s" % app_id
        jobs = get(c, base + "/jobs")
        assert [j["jobId"] for j in jobs] == [1, 0]           # newest first, as Spark
        for j in jobs:
            assert_shape(j, JOB, JOB_OPT)
            assert j["status"] == "SUCCEEDED"
            assert SPARK_DATE.match(j["submissionTime"]) and SPARK_DATE.match(
                j["completionTime"])
        job1, job0 = jobs
        assert job0["numTasks"] == 7 and job0["numCompletedTasks"] == 7
        assert job0["numCompletedStages"] == 2 and job0["numSkippedStages"] == 0
        assert job0["name"].startswith("count at ")           # the result stage's call site
        assert job1["numSkippedStages"] == 1 and job1["numSkippedTasks"] == 4
        assert job1["numCompletedTasks"] == 3 and job1["numCompletedStages"] == 1
        assert get(c, base + "/jobs/0") == job0
        assert get(c, base + "/jobs?status=succeeded") == jobs
        assert get(c, base + "/jobs?status=running") == []
        assert get(c, base + "/jobs?status=failed&status=succeeded") == jobs

        stages = get(c, base + "/stages")
        for s in stages:
            assert_shape(s, STAGE, STAGE_OPT)
            assert "tasks" not in s                           # only with details=true
        by_status = {}
        for s in stages:
            by_status.setdefault(s["status"], []).append(s["stageId"])
        assert len(by_status["COMPLETE"]) == 3 and len(by_status["SKIPPED"]) == 1
        assert [s["stageId"] for s in get(c, base + "/stages?status=skipped")] == \
            by_status["SKIPPED"]
        map_stage = next(s for s in stages if s["numTasks"] == 4 and s["status"] == "COMPLETE")
        result_stages = [s for s in stages if s["numTasks"] == 3]
        assert len(result_stages) == 2
        if map_stage["shuffleWriteRecords"]:                  # task metrics filled (H-metrics)
            assert map_stage["shuffleWriteRecords"] == 100
            assert all(s["shuffleReadRecords"] == 100 for s in result_stages)
            assert map_stage["shuffleWriteBytes"] > 0

        sid = map_stage["stageId"]
        summarized = get(c, base + "/stages?withSummaries=true&quantiles=0.5")
        dist = next(s for s in summarized if s["stageId"] == sid)["taskMetricsDistributions"]
        assert_shape(dist, SUMMARY)
        assert dist["quantiles"] == [0.5] and len(dist["executorRunTime"]) == 1
        [full] = get(c, base + "/stages/%d" % sid)
        assert_shape(full, STAGE, STAGE_OPT)
        assert len(full["tasks"]) == 4 and set(full["executorSummary"]) <= {"0", "1"}
        for es in full["executorSummary"].values():
            assert_shape(es, EXEC_STAGE, EXEC_STAGE_OPT)
        assert sum(es["succeededTasks"] for es in full["executorSummary"].values()) == 4
        one = get(c, base + "/stages/%d/0" % sid)
        assert one["tasks"] == full["tasks"]
        for t in one["tasks"].values():
            assert_shape(t, TASK, TASK_OPT)
            assert t["status"] == "SUCCESS" and t["executorId"] in ("0", "1")
            assert_shape(t["taskMetrics"], TASK_METRICS)
            assert_shape(t["taskMetrics"]["shuffleReadMetrics"], SHUFFLE_READ)
            assert_shape(t["taskMetrics"]["shuffleWriteMetrics"], SHUFFLE_WRITE)
        assert sorted(t["index"] for t in one["tasks"].values()) == [0, 1, 2, 3]
        assert "tasks" not in get(c, base + "/stages/%d/0?details=false" % sid)

        tl = get(c, base + "/stages/%d/0/taskList?offset=1&length=2" % sid)
        ids = sorted(int(t) for t in one["tasks"])
        assert [t["taskId"] for t in tl] == ids[1:3]
        by_rt = get(c, base + "/stages/%d/0/taskList?sortBy=-runtime" % sid)
        run_times = [t["taskMetrics"]["executorRunTime"] for t in by_rt]
        assert run_times == sorted(run_times, reverse=True)

        summary = get(c, base + "/stages/%d/0/taskSummary?quantiles=0,0.5,1" % sid)
        assert_shape(summary, SUMMARY)
        assert_shape(summary["shuffleReadMetrics"], SUMMARY_READ)
        assert_shape(summary["shuffleWriteMetrics"], SUMMARY_WRITE)
        assert summary["quantiles"] == [0.0, 0.5, 1.0]
        assert summary["executorRunTime"][0] == min(run_times)
        assert summary["executorRunTime"][2] == max(run_times)
        assert get(c, base + "/stages/%d/0/taskSummary" % sid)["quantiles"] == [
            0.05, 0.25, 0.5, 0.75, 0.95]

        execs = get(c, base + "/executors")
        for e in execs:
            assert_shape(e, EXECUTOR, EXECUTOR_OPT)
            assert SPARK_DATE.match(e["addTime"]) and e["isActive"] is True
        by_id = {e["id"]: e for e in execs}
        assert {"driver", "0", "1"} <= set(by_id)
        assert sum(e["completedTasks"] for e in execs) == 7 + 3
        assert by_id["0"]["totalCores"] == 1 and by_id["0"]["activeTasks"] == 0
        assert [e["id"] for e in get(c, base + "/allexecutors")] == [e["id"] for e in execs]

        dag = get(c, base + "/jobs/0/dag")
        assert {s["stageId"] for s in dag["stages"]} == set(job0["stageIds"])
        result_node = next(s for s in dag["stages"] if s["parentIds"])
        assert result_node["parentIds"] == [sid] and result_node["numTasks"] == 3
        assert all({"rddId", "name", "callSite", "parentIds", "cached"} == set(r)
                   for s in dag["stages"] for r in s["rdds"])
        statuses = {s["stageId"]: s["status"] for s in get(c, base + "/jobs/1/dag")["stages"]}
        assert sorted(statuses.values()) == ["COMPLETE", "SKIPPED"]


def test_failed_job_and_error_answers():
    def boom(x):
        if x == 3:
            raise ValueError("no threes")
        return x

    with live_ui("api-fail", spark_secret_token="hunter2") as (sc, url, store), \
            httpx.Client(base_url=url + "/api/v1", timeout=20) as c:
        with pytest.raises(Exception, match="no threes"):
            sc.parallelize(range(6), 2).map(boom).collect()
        drain(sc)
        base = "/applications/%s" % sc.applicationId
        [job] = get(c, base + "/jobs?status=failed")
        assert job["status"] == "FAILED" and job["numFailedTasks"] >= 1
        assert job["numFailedStages"] == 1
        [stage] = get(c, base + "/stages?status=failed")
        assert "no threes" in stage["failureReason"]
        failed = [t for t in stage_tasks(c, base, stage) if t["status"] == "FAILED"]
        assert failed and "no threes" in failed[0]["errorMessage"]
        failed_only = get(c, base + "/stages/%d/0/taskList?status=failed" % stage["stageId"])
        assert [t["taskId"] for t in failed_only] == [t["taskId"] for t in failed]

        env = get(c, base + "/environment")
        assert_shape(env, ENV)
        props = dict(env["sparkProperties"])
        assert props["spark.app.name"] == "api-fail"
        assert props["spark.secret.token"] == "*********(redacted)"
        assert env["runtime"]["javaVersion"].startswith("Python ")

        # Spark's answers for what is not there
        assert get(c, "/applications/nope/jobs", 404) == "no such app: nope"
        assert get(c, base + "/jobs/999", 404) == "unknown job: 999"
        assert get(c, base + "/jobs/999/dag", 404) == "unknown job: 999"
        assert get(c, base + "/stages/12345", 404) == "unknown stage: 12345"
        assert get(c, base + "/stages/%d/1" % stage["stageId"], 404) == (
            "unknown attempt for stage %d.  Found attempts: [0]" % stage["stageId"])
        assert get(c, base + "/stages/flimflam", 404)
        assert get(c, base + "/storage/rdd/999", 404) == "no rdd found w/ id 999"
        assert get(c, base + "/jobs?status=bogus", 404).startswith("unknown status: bogus")
        assert get(c, base + "/stages?status=bogus", 404).startswith("unknown status")
        assert get(c, base + "/stages/%d/0/taskList?sortBy=bogus" % stage["stageId"], 404)
        assert get(c, base + "/stages/%d/0/taskSummary?quantiles=foo,0.1"
                   % stage["stageId"], 400) == (
            'Bad value for parameter "quantiles".  Expected a double, got "foo"')


def stage_tasks(c, base, stage):
    return list(get(c, base + "/stages/%d/%d" % (stage["stageId"], stage["attemptId"]))[
        "tasks"].values())


def _wait_for_file(path):
    def run(it):
        deadline = time.monotonic() + 60
        while not os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.01)
        return it
    return run


def test_running_job_then_succeeded(tmp_path):
    gate = str(tmp_path / "go")
    with live_ui("api-running") as (sc, url, store), httpx.Client(
            base_url=url + "/api/v1/applications/" + sc.applicationId, timeout=20) as c:
        out = []
        worker = threading.Thread(target=lambda: out.append(
            sc.parallelize(range(4), 2).mapPartitions(_wait_for_file(gate)).count()))
        worker.start()
        try:
            assert store.wait_for(lambda s: sum(
                j["numActiveTasks"] for j in s.jobs()) == 2, 30)
            [job] = get(c, "/jobs")
            assert job["status"] == "RUNNING" and "completionTime" not in job
            assert job["numActiveTasks"] == 2 and job["numActiveStages"] == 1
            [stage] = get(c, "/stages?status=active")
            assert stage["numActiveTasks"] == 2 and "completionTime" not in stage
            tasks = get(c, "/stages/%d/0/taskList" % stage["stageId"])
            assert [t["status"] for t in tasks] == ["RUNNING", "RUNNING"]
            assert all("taskMetrics" not in t and t["duration"] >= 0 for t in tasks)
            active = {e["id"]: e["activeTasks"] for e in get(c, "/executors")}
            assert active["0"] + active["1"] == 2
            assert get(c, "/stages/%d/0/taskSummary" % stage["stageId"], 404) == (
                "No tasks reported metrics for %d / 0 yet." % stage["stageId"])
        finally:
            open(gate, "w").close()
            worker.join(60)
        assert out == [4]
        drain(sc)
        [job] = get(c, "/jobs")
        assert job["status"] == "SUCCEEDED" and job["numCompletedTasks"] == 2
        assert job["numActiveTasks"] == 0


def test_storage_endpoints_from_block_updates():
    """RDD storage from SparkListenerBlockUpdated events, served over HTTP."""
    from starlette.applications import Starlette

    from sparklet.ui import api
    from sparklet.ui.store import AppStatusStore, SingleStore

    store = AppStatusStore()
    feed = Feed(store)
    feed.executor("0")
    feed.job_start(0, [stage_info(0, 2, rdds=[(3, "numbers")])])
    level = "Disk Memory Deserialized 1x Replicated"
    for i, (mem, disk) in enumerate([(800, 0), (0, 300)]):
        feed.post("SparkListenerBlockUpdated", executorId="0", blockId="rdd_3_%d" % i,
                  rddId=3, storageLevel=level, memSize=mem, diskSize=disk)
    with serve(Starlette(routes=api.routes(SingleStore(store)))) as url, httpx.Client(
            base_url=url + "/api/v1/applications/" + feed.app_id) as c:
        [rdd] = get(c, "/storage/rdd")
        assert_shape(rdd, RDD, RDD_OPT)
        assert "partitions" not in rdd
        assert (rdd["name"], rdd["numCachedPartitions"], rdd["memoryUsed"],
                rdd["diskUsed"]) == ("numbers", 2, 800, 300)
        one = get(c, "/storage/rdd/3")
        assert_shape(one, RDD, RDD_OPT)
        for d in one["dataDistribution"]:
            assert_shape(d, RDD_DIST, RDD_DIST_OPT)
        for p in one["partitions"]:
            assert_shape(p, RDD_PART)
        assert [(p["blockName"], p["memoryUsed"], p["diskUsed"]) for p in one["partitions"]] \
            == [("rdd_3_0", 800, 0), ("rdd_3_1", 0, 300)]
        [ex] = get(c, "/executors")
        assert ex["rddBlocks"] == 2 and ex["memoryUsed"] == 800 and ex["diskUsed"] == 300


def test_cached_rdd_in_live_storage_tab():
    """A cached RDD shows on the storage endpoints once executors report their blocks
    (the block-update events come with H-metrics' storage reporting)."""
    with live_ui("api-storage") as (sc, url, store), httpx.Client(
            base_url=url + "/api/v1/applications/" + sc.applicationId, timeout=20) as c:
        cached = sc.parallelize(range(1000), 2).setName("thousand").cache()
        assert cached.count() == 1000
        drain(sc)
        rdds = get(c, "/storage/rdd")
        if not rdds:
            pytest.skip("no SparkListenerBlockUpdated events posted yet on this branch")
        [rdd] = rdds
        assert rdd["name"] == "thousand" and rdd["numPartitions"] == 2
        assert rdd["numCachedPartitions"] == 2 and rdd["memoryUsed"] > 0
        cached.unpersist(blocking=True)
        drain(sc)
        assert get(c, "/storage/rdd") == []
