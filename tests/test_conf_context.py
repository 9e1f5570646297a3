"""SparkConf, SparkContext lifecycle, configuration files, TaskContext, progress bar."""

from __future__ import annotations

import io
import logging
import os
import time

import pytest

from sparklet import SparkConf, SparkContext, SparkFiles, TaskContext
from sparklet.conf import parse_bytes, parse_seconds
from sparklet.scheduler.dag import StageProgress
from sparklet.scheduler.progress import ConsoleProgressBar, render


def test_conf_set_get_and_debug_string():
    conf = SparkConf(loadDefaults=False)
    assert conf.setMaster("local[3]") is conf
    conf.setAppName("app").set("spark.executor.memory", 512)
    conf.setIfMissing("spark.executor.memory", "1g").setIfMissing("spark.x", "y")
    conf.setAll([("spark.a", "1"), ("spark.b", "2")])
    conf.setExecutorEnv("VAR", "v").setExecutorEnv(pairs=[("W", "w")])
    assert conf.get("spark.executor.memory") == "512"
    assert conf.get("spark.x") == "y" and conf.get("missing") is None
    assert conf.get("missing", "d") == "d"
    assert conf.contains("spark.a") and not conf.contains("spark.c")
    assert ("spark.executorEnv.VAR", "v") in conf.getAll()
    lines = conf.toDebugString().split("\n")
    assert lines == sorted(lines) and "spark.master=local[3]" in lines
    with pytest.raises(ValueError):
        conf.setExecutorEnv()


def test_spark_defaults_file_from_spark_conf_dir(tmp_path, monkeypatch):
    (tmp_path / "spark-defaults.conf").write_text(
        "# comment\nspark.master   local[3]\nspark.app.name=fromfile\n"
        "spark.executor.memory 2g\nnot.spark.key 1\n")
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    conf = SparkConf()
    assert conf.get("spark.master") == "local[3]"
    assert conf.get("spark.app.name") == "fromfile"
    assert conf.get("spark.executor.memory") == "2g"
    assert conf.get("not.spark.key") is None
    assert SparkConf(loadDefaults=False).get("spark.master") is None


def test_size_and_time_strings():
    assert parse_bytes("1k") == 1024 and parse_bytes("2g") == 2 << 30
    assert parse_seconds("1500ms") == 1.5 and parse_seconds("1h") == 3600
    with pytest.raises(ValueError):
        parse_bytes("lots")


def test_context_lifecycle(make_context):
    sc = make_context(SparkConf().setMaster("local[3]").setAppName("life"))
    assert SparkContext.getOrCreate() is sc
    assert sc.master == "local[3]" and sc.appName == "life"
    assert sc.defaultParallelism == 3 and sc.defaultMinPartitions == 2
    assert sc.applicationId.startswith("local-") and sc.startTime > 0
    assert sc.getConf().get("spark.app.name") == "life"
    with pytest.raises(ValueError, match="Cannot run multiple SparkContexts"):
        SparkContext("local[1]", "second")
    sc.stop()
    sc.stop()  # idempotent
    with pytest.raises(Exception, match="stopped SparkContext"):
        sc.parallelize([1])
    with SparkContext("local[1]", "ctxmgr") as other:
        assert other.parallelize([1, 2]).sum() == 3
    assert other._stopped and SparkContext._active_spark_context is None


def test_default_parallelism_from_conf_and_bad_master(make_context):
    sc = make_context(SparkConf().setMaster("local[2]").set("spark.default.parallelism", "5"))
    assert sc.defaultParallelism == 5
    assert sc.parallelize(range(10)).getNumPartitions() == 5
    sc.stop()
    with pytest.raises(ValueError, match="Could not parse Master URL"):
        make_context(SparkConf().setMaster("yarn-ish"))


def test_set_log_level(sc):
    logger = logging.getLogger("sparklet")
    before = logger.level
    try:
        sc.setLogLevel("ERROR")
        assert logger.level == logging.ERROR
        sc.setLogLevel("warn")
        assert logger.level == logging.WARNING
        with pytest.raises(ValueError, match="did not match"):
            sc.setLogLevel("LOUD")
    finally:  # later tests read sparklet's INFO messages with caplog
        logger.setLevel(before)


def test_add_file_and_spark_files(sc, tmp_path):
    path = tmp_path / "factor.txt"
    path.write_text("7")
    sc.addFile(str(path))

    def scale(x):
        with open(SparkFiles.get("factor.txt")) as fh:
            return x * int(fh.read())

    assert sc.parallelize([1, 2, 3], 2).map(scale).collect() == [7, 14, 21]
    assert any(f.endswith("factor.txt") for f in sc.listFiles)
    with pytest.raises(ValueError, match="recursive"):
        sc.addFile(str(tmp_path))


def test_task_context_inside_tasks(sc):
    def describe(index, it):
        ctx = TaskContext.get()
        yield (index, ctx.partitionId(), ctx.attemptNumber(), ctx.stageId() >= 0,
               ctx.taskAttemptId() >= 0)

    out = sc.parallelize(range(6), 3).mapPartitionsWithIndex(describe).collect()
    assert out == [(i, i, 0, True, True) for i in range(3)]
    assert TaskContext.get() is None
    sc.setLocalProperty("my.prop", "here")
    try:
        props = sc.parallelize([0], 1).map(
            lambda _: TaskContext.get().getLocalProperty("my.prop")).collect()
    finally:
        sc.setLocalProperty("my.prop", None)
    assert props == ["here"]


def test_thread_backend_runs_the_same_jobs(make_context):
    sc = make_context(SparkConf().setMaster("local[2]").set("spark.sparklet.backend", "threads"))
    pairs = sc.parallelize(range(100), 4).map(lambda x: (x % 7, x))
    assert dict(pairs.reduceByKey(lambda a, b: a + b).collect()) == {
        k: sum(x for x in range(100) if x % 7 == k) for k in range(7)}


def test_progress_bar_format():
    s = StageProgress(stage_id=3, num_tasks=10, started=0.0, completed=5, active=2)
    line = render([s], 40)
    assert line.startswith("[Stage 3:") and line.endswith("(5 + 2) / 10]")
    assert len(line) == 40 and "=" in line and ">" in line


def _wait_for_file(path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)


def _until(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)
    return predicate()


def test_progress_bar_shows_long_stages(make_context, tmp_path):
    import threading

    sc = make_context(SparkConf().setMaster("local[2]").set("spark.ui.showConsoleProgress",
                                                            "false"))
    stream = io.StringIO()
    bar = ConsoleProgressBar(sc, stream=stream)
    gate = str(tmp_path / "gate")
    # The tasks (in worker processes) run until the test opens the gate: the stage stays
    # active as long as the bar needs to show it, however slowly anything runs.
    job = threading.Thread(target=lambda: sc.parallelize(range(4), 4).map(
        lambda x: _wait_for_file(gate) or x).collect())
    try:
        job.start()
        assert _until(lambda: "/ 4]" in stream.getvalue())
    finally:
        open(gate, "w").close()
        job.join(60)
        bar.stop()
    assert not job.is_alive()
    assert "[Stage " in stream.getvalue()
    assert _until(lambda: stream.getvalue().endswith("\r"))  # erased once the stage ended


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs POSIX")
def test_workers_hash_strings_with_seed_zero(sc):
    # Spark starts Python workers with PYTHONHASHSEED=0, so string placement is stable.
    seeds = sc.parallelize(range(4), 4).map(lambda _: os.environ.get("PYTHONHASHSEED")).collect()
    assert seeds == ["0"] * 4


def test_task_context_constructor_in_a_task_is_the_running_context(sc):
    # PySpark's test_stage_id: TaskContext() in a task is the running task's context.
    rdd = sc.parallelize(range(10))
    stage1 = rdd.map(lambda x: TaskContext.get().stageId()).take(1)[0]
    stage2 = rdd.map(lambda x: TaskContext.get().stageId()).take(1)[0]
    stage3 = rdd.map(lambda x: TaskContext().stageId()).take(1)[0]
    assert stage1 + 1 == stage2 and stage2 + 1 == stage3
    same = rdd.map(lambda _: TaskContext() is TaskContext.get()).collect()
    assert same == [True] * 10
    assert rdd.map(lambda x: TaskContext().resources()).take(1)[0] == {}
    # On the driver there is no running task: a fresh, empty context.
    assert TaskContext.get() is None and TaskContext().stageId() is None


def test_spark_context_in_a_task_is_refused(sc):
    def create(_):
        SparkContext()

    with pytest.raises(Exception) as info:
        sc.range(2).foreach(create)
    # PySpark 3.5: PySparkRuntimeError, error class CONTEXT_ONLY_VALID_ON_DRIVER (SPARK-32160)
    assert "[CONTEXT_ONLY_VALID_ON_DRIVER] It appears that you are attempting to reference " \
        "SparkContext" in str(info.value)
    assert "SparkContext can only be used on the driver" in str(info.value)
    assert sc.parallelize([1, 2]).count() == 2  # the workers are fine afterwards


def test_spark_context_in_a_task_with_allow_spark_context(sc):
    # spark.executor.allowSparkContext=true lets a task build (and stop) a context.
    def create(_):
        conf = (SparkConf().set("spark.executor.allowSparkContext", "true")
                .setMaster("local[1]").set("spark.sparklet.backend", "threads"))
        with SparkContext(conf=conf) as inner:
            yield inner.parallelize([1, 2, 3]).sum()

    assert sc.range(2, numSlices=2).mapPartitions(create).collect() == [6, 6]
    # The workers' own environment survived the inner contexts.
    assert sc.parallelize(range(4), 2).map(lambda x: x + 1).sum() == 10


def test_spark_context_refused_in_a_thread_backend_task(make_context):
    sc = make_context(SparkConf().set("spark.sparklet.backend", "threads"))
    with pytest.raises(Exception, match=r"\[CONTEXT_ONLY_VALID_ON_DRIVER\]"):
        sc.parallelize([1], 1).foreach(lambda _: SparkContext())
    assert SparkContext._active_spark_context is sc
