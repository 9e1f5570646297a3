"""Helpers of test_eventlog.py and test_history.py (imported as a top-level module).

Applications run as separate Python processes (a history server shows applications that
are over, not the test's own context), their facts printed as JSON for comparison.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(os.path.dirname(HERE)), "src")


# -- a running SparkContext's event log ---------------------------------------------------

def event_log_of(sc):
    """The EventLoggingListener SparkContext start-up registered on ``sc._listener_bus``
    (``spark.eventLog.enabled=true``), or None."""
    ui = getattr(sc, "_ui", None)
    return None if ui is None else ui.event_log


def drain(sc, timeout: float = 10) -> None:
    """Wait until the listener bus delivered every event posted so far."""
    assert sc._listener_bus.wait_until_empty(timeout), "listener bus not drained"


# -- the finished application of test_history.py ---------------------------------------

APP_SCRIPT = r'''
"""A small finished application: three jobs, then three streaming batches on a manual
clock; prints what it ran, as the live application saw it, as JSON: the facts the
history server must show."""
import json, sys
sys.path.insert(0, sys.argv[2])
import history_helpers as hh
from sparklet import SparkConf, SparkContext
from sparklet.streaming import StreamingContext, StreamingListener
from sparklet.streaming.testing import advance_batches, use_manual_clock

conf = (SparkConf().setMaster("local[2]").setAppName("history-app")
        .set("spark.eventLog.enabled", "true").set("spark.eventLog.dir", sys.argv[1])
        .set("spark.ui.enabled", "false"))  # the event log needs no web UI
sc = SparkContext(conf=conf)
log = hh.event_log_of(sc)
results = [sc.parallelize(range(10), 2).count(),
           sc.parallelize(range(6), 3).map(lambda x: (x % 2, x))
           .reduceByKey(lambda a, b: a + b).count(),
           sc.parallelize([1, 2, 3], 1).sum()]
ssc = StreamingContext(sc, 1)
use_manual_clock(ssc)
batch_records = {}


class Records(StreamingListener):
    def onBatchCompleted(self, e):
        info = e.batchInfo()
        batch_records[info.batchTime().milliseconds()] = info.numRecords()


ssc.addStreamingListener(Records())
seen = []
ssc.queueStream([[1, 2], [3, 4, 5], [6]]).foreachRDD(lambda rdd: seen.append(rdd.count()))
ssc.start()
batch_times = advance_batches(ssc, 3)
tracker = sc.statusTracker()
jobs = {}
stages = {}
for job_id in tracker.getJobIdsForGroup(None):
    info = tracker.getJobInfo(job_id)
    jobs[job_id] = {"status": info.status, "stageIds": sorted(info.stageIds)}
    for stage_id in info.stageIds:
        s = tracker.getStageInfo(stage_id)
        stages[stage_id] = {"numTasks": s.numTasks, "numCompleteTasks": s.numCompletedTasks}
facts = {"appId": sc.applicationId, "appName": sc.appName, "results": results,
         "seen": seen, "batchTimes": batch_times, "batchRecords": batch_records,
         "jobs": jobs, "stages": stages, "logPath": log.log_path}
ssc.stop(stopSparkContext=True)
print("FACTS " + json.dumps(facts), flush=True)
'''


CRASH_SCRIPT = r'''
"""An application that dies after two jobs (os._exit: no stop, no atexit, no flush of
anything but what the event log flushed itself)."""
import json, os, sys
from sparklet import SparkConf, SparkContext

conf = (SparkConf().setMaster("local[2]").setAppName("crashing-app")
        .set("spark.eventLog.enabled", "true").set("spark.eventLog.dir", sys.argv[1])
        .set("spark.ui.enabled", "false"))
sc = SparkContext(conf=conf)
sc.parallelize(range(10), 2).count()
sc.parallelize(range(10), 2).sum()
assert sc._listener_bus.wait_until_empty(10)
print("FACTS " + json.dumps({"appId": sc.applicationId,
                             "jobs": sorted(sc.statusTracker().getJobIdsForGroup(None))}),
      flush=True)
os._exit(7)
'''


def run_finished_app(log_dir: str, tmp_dir: str, timeout: float = 120,
                     script_text: str = APP_SCRIPT, returncode: int = 0) -> dict:
    """Run ``script_text`` (:data:`APP_SCRIPT`) as a separate Python process writing its
    event log into ``log_dir``; returns the facts it printed."""
    import subprocess

    script = os.path.join(tmp_dir, "history_app_%d.py" % returncode)
    with open(script, "w") as f:
        f.write(script_text)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([SRC, HERE]))
    proc = subprocess.run([sys.executable, script, log_dir, HERE], capture_output=True,
                          text=True, timeout=timeout, cwd=tmp_dir, env=env)
    if proc.returncode != returncode:
        raise AssertionError("app failed (%d):\n%s\n%s" % (proc.returncode, proc.stdout,
                                                            proc.stderr))
    line = next(x for x in proc.stdout.splitlines() if x.startswith("FACTS "))
    return json.loads(line[len("FACTS "):])


def read_log(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def get_json(url: str, timeout: float = 10) -> Any:
    import httpx

    r = httpx.get(url, timeout=timeout)
    r.raise_for_status()
    return r.json()
