"""Executor processes: their lifetime (they die with the driver and with ``stop``), their
limits (``spark.executor.pyspark.memory``), the ``local-cluster[N, C, M]`` master, and
``addPyFile`` reaching workers that already run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
import zipfile

import pytest

from sparklet import PythonException, SparkConf, SparkContext
from sparklet.env import SparkEnv
from sparklet.errors import SparkException

# Local executor processes: their lifetime, limits and daemon.
pytestmark = [
    pytest.mark.local_backend,
    pytest.mark.integration,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux)"),
]

WAIT = 60.0  # generous bound for conditions that must come true


def _wait_until(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting until " + what)
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper has finished running)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def _processes_mentioning(text: str) -> list[int]:
    """Live pids whose command line contains ``text``: a context's daemon and its workers
    carry the context's scratch directory in theirs."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if text.encode() in cmdline and _alive(int(entry)):
            found.append(int(entry))
    return found


def _children_of(pid: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            children.append(int(entry))
    return children


def _run_script(tmp_path, source: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    script = tmp_path / "program.py"
    script.write_text(textwrap.dedent(source))
    return subprocess.run([sys.executable, str(script), *args], capture_output=True,
                          text=True, timeout=300, cwd=str(tmp_path), **kwargs)


def _write_atomically(path: str, text: str) -> None:
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


# -- dying with the driver ----------------------------------------------------------------

HUNG_DRIVER = """
import os, sys, time
from sparklet import SparkContext

out = sys.argv[1]
sc = SparkContext("local[2]", "hung-driver")
with open(os.path.join(out, "local_dir.tmp"), "w") as f:
    f.write(sc._local_dir)
os.rename(os.path.join(out, "local_dir.tmp"), os.path.join(out, "local_dir"))

def hang(i):
    path = os.path.join(out, "task-%d" % i)
    with open(path + ".tmp", "w") as f:
        f.write("%d %d" % (os.getppid(), os.getpid()))
    os.rename(path + ".tmp", path)
    if i == 0:
        while True:        # blocked for good
            time.sleep(3600)
    while True:            # spinning for good
        pass

sc.parallelize([0, 1], 2).foreach(hang)
"""


def test_workers_and_daemon_die_with_a_sigkilled_driver(tmp_path):
    script = tmp_path / "driver.py"
    script.write_text(HUNG_DRIVER)
    out = tmp_path / "out"
    out.mkdir()
    driver = subprocess.Popen([sys.executable, str(script), str(out)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    pids: set[int] = set()
    try:
        _wait_until(lambda: all((out / n).exists() for n in ("task-0", "task-1", "local_dir"))
                    or driver.poll() is not None, "both tasks run")
        assert driver.poll() is None, driver.stderr.read().decode()
        daemons, workers = set(), set()
        for name in ("task-0", "task-1"):
            daemon_pid, worker_pid = map(int, (out / name).read_text().split())
            daemons.add(daemon_pid)
            workers.add(worker_pid)
        pids = daemons | workers
        local_dir = (out / "local_dir").read_text()
        assert len(daemons) == 1 and len(workers) == 2
        assert all(_alive(p) for p in pids)
        with open("/proc/%d/stat" % next(iter(daemons))) as f:
            assert int(f.read().rsplit(")", 1)[1].split()[1]) == driver.pid

        driver.kill()  # SIGKILL: the driver runs no cleanup of its own
        driver.wait()

        _wait_until(lambda: not any(_alive(p) for p in pids), "workers and daemon exit")
        _wait_until(lambda: not _processes_mentioning(local_dir), "no process of the app is left")
        _wait_until(lambda: not os.path.exists(local_dir), "the scratch directory is removed")
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
        driver.stderr.close()
        for pid in pids:  # never leave a spinning task behind, even when the test fails
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


# -- memory limits --------------------------------------------------------------------------

def test_pyspark_memory_caps_the_worker_address_space(make_context):
    import resource

    sc = make_context(SparkConf().set("spark.executor.pyspark.memory", "256m"))
    limits = sc.parallelize(range(2), 2).map(
        lambda _: resource.getrlimit(resource.RLIMIT_AS)).collect()
    # As PySpark's WorkerMemoryTest: soft and hard limits are both the configured size.
    assert limits == [(256 << 20, 256 << 20)] * 2
    pids_before = sc._backend.executor_pids()

    with pytest.raises(PythonException) as info:
        sc.parallelize([1], 1).map(lambda _: len(bytearray(512 << 20))).collect()
    assert "MemoryError" in str(info.value)
    assert isinstance(info.value.__cause__, MemoryError)

    # The worker survives its task's MemoryError and allocates within the limit.
    assert sc.parallelize(range(2), 2).map(lambda _: len(bytearray(16 << 20))).collect() == \
        [16 << 20] * 2
    assert sc._backend.executor_pids() == pids_before


def test_pyspark_memory_bare_number_is_mebibytes(make_context):
    import resource

    sc = make_context(SparkConf().set("spark.executor.pyspark.memory", "300"))
    assert sc.parallelize([0], 1).map(
        lambda _: resource.getrlimit(resource.RLIMIT_AS)).collect() == [(300 << 20, 300 << 20)]


def test_without_pyspark_memory_workers_keep_the_inherited_limit(make_context):
    import resource

    sc = make_context()
    assert sc.parallelize([0], 1).map(
        lambda _: resource.getrlimit(resource.RLIMIT_AS)).collect() == \
        [resource.getrlimit(resource.RLIMIT_AS)]


# -- stop leaves nothing behind -------------------------------------------------------------

FD_COUNTER = """
import os, threading
from sparklet import SparkContext

def fds():
    return len(os.listdir("/proc/self/fd"))

def one(run_job):
    sc = SparkContext("local[2]", "fd-count")
    if run_job:
        assert sc.parallelize(range(4), 2).sum() == 6
    sc.stop()

one(True)  # warm-up: lazy imports
before = fds()
for i in range(20):
    one(i % 2 == 0)
print(before, fds())
"""


def test_contexts_created_and_stopped_leak_no_file_descriptors(tmp_path):
    done = _run_script(tmp_path, FD_COUNTER)
    assert done.returncode == 0, done.stderr
    before, after = map(int, done.stdout.split())
    assert after == before


CHILD_COUNTER = """
import os, sys, threading, time
from sparklet import SparkContext

def children():
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = open("/proc/%s/stat" % entry).read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and fields[0] not in "ZX":
                found.append(int(entry))
    return found

threads_before = threading.active_count()
for i in range(3):
    sc = SparkContext("local[2]", "children")
    if i:
        sc.parallelize(range(4), 2).count()
    sc.stop()
deadline = time.monotonic() + 60
while threading.active_count() > threads_before and time.monotonic() < deadline:
    time.sleep(0.02)
print(len(children()), threading.active_count() - threads_before)
"""


def test_stopped_contexts_leave_no_processes_or_threads(tmp_path):
    done = _run_script(tmp_path, CHILD_COUNTER)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "0"]


def test_stop_right_after_construction_leaves_no_dir_and_no_process(make_context, tmp_path):
    root = tmp_path / "scratch"
    sc = make_context(SparkConf().set("spark.local.dir", str(root)))
    local_dir = sc._local_dir
    daemon_pid = sc._backend.daemon_pid()
    sc.stop()  # the workers are still starting
    assert not os.path.exists(local_dir)
    _wait_until(lambda: not _alive(daemon_pid), "the daemon exits")
    _wait_until(lambda: not _processes_mentioning(local_dir), "no worker is left")
    # Nothing that could recreate it is left, so it stays gone.
    assert os.listdir(root) == []


def test_failed_constructor_leaves_nothing_behind(make_context, tmp_path):
    root = tmp_path / "scratch"
    conf = (SparkConf().setMaster("local-cluster[1,1,256]").set("spark.local.dir", str(root))
            .set("spark.executor.memory", "1g"))
    with pytest.raises(SparkException):
        make_context(conf)
    assert os.listdir(root) == []
    assert SparkContext._active_spark_context is None


# -- the user's error is the only one shown -------------------------------------------------

def test_an_early_user_error_is_not_followed_by_executor_start_tracebacks(tmp_path):
    for _ in range(3):  # the stray traceback came every time; try a few starts
        done = _run_script(tmp_path, """
            from sparklet import SparkContext
            sc = SparkContext("local[2]", "early-error")
            raise ValueError("the user's own error")
        """)
        assert done.returncode == 1
        assert "ValueError: the user's own error" in done.stderr
        assert "Bad file descriptor" not in done.stderr
        assert "could not start executor" not in done.stderr
        assert done.stderr.count("Traceback") == 1, done.stderr


# -- local-cluster[N, C, M] -----------------------------------------------------------------

def test_local_cluster_runs_n_executor_processes_of_c_cores(make_context, tmp_path):
    sc = make_context(SparkConf().setMaster("local-cluster[2,2,512]"))
    assert sc.master == "local-cluster[2,2,512]"
    assert sc.defaultParallelism == 4
    started = str(tmp_path)

    def where(i):
        env = SparkEnv.get()
        _write_atomically(os.path.join(started, "task-%d" % i), env.executor_id)
        # All four must run at once: only two executors of two cores each allow that.
        deadline = time.monotonic() + 60
        while len([n for n in os.listdir(started) if not n.endswith(".tmp")]) < 4:
            if time.monotonic() > deadline:
                raise AssertionError("fewer than 4 tasks ran at once")
            time.sleep(0.01)
        return (env.executor_id, os.getpid(), env.conf["spark.executor.memory"],
                env.block_manager.memory_capacity)

    out = sc.parallelize(range(4), 4).map(where).collect()
    executors = {e for e, _, _, _ in out}
    assert len(executors) == 2
    assert len({pid for _, pid, _, _ in out}) == 2
    assert sorted(e for e, _, _, _ in out) == sorted(list(executors) * 2)
    assert {(m, c) for _, _, m, c in out} == {("512m", int((512 << 20) * 0.6))}
    assert sc._max_task_failures == 4  # a cluster retries, as Spark's default


def test_local_cluster_spreads_tasks_over_executors(make_context):
    sc = make_context(SparkConf().setMaster("local-cluster[2,2,256]"))
    _wait_until(lambda: len(sc._backend.executor_pids()) == 2, "both executors")
    # Two tasks, four free cores: as Spark's offers, one task goes to each executor.
    out = sc.parallelize(range(2), 2).map(lambda _: SparkEnv.get().executor_id).collect()
    assert sorted(out) == sorted(sc._backend.executor_pids())


def test_local_cluster_refuses_executors_larger_than_their_worker(make_context):
    with pytest.raises(SparkException, match="Asked to launch cluster with 512 MiB/worker "
                                             "but requested 1024 MiB/executor"):
        make_context(SparkConf().setMaster("local-cluster[2,1,512]")
                     .set("spark.executor.memory", "1g"))


def test_local_cluster_master_must_name_all_three_numbers(make_context):
    with pytest.raises(ValueError, match="Could not parse Master URL"):
        make_context(SparkConf().setMaster("local-cluster[2,1]"))


def test_local_cluster_lost_executor_is_replaced(make_context, tmp_path):
    sc = make_context(SparkConf().setMaster("local-cluster[2,1,256]"))
    marker = str(tmp_path / "killed")

    def die_once(x):
        if x == 3 and not os.path.exists(marker):
            open(marker, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)
        return x + 1

    assert sc.parallelize(range(8), 4).map(die_once).collect() == list(range(1, 9))
    assert os.path.exists(marker)
    _wait_until(lambda: len(sc._backend.executor_pids()) == 2, "a replacement executor")


# -- addPyFile reaches running workers --------------------------------------------------------

def test_add_py_file_works_in_a_worker_that_failed_the_import(make_context, tmp_path):
    sc = make_context(SparkConf().setMaster("local[2]"))
    name = "late_module_%s" % uuid.uuid4().hex

    def use(_):
        return __import__(name).VALUE, os.getpid()

    _wait_until(lambda: len(sc._backend.executor_pids()) == 2, "both executors")
    with pytest.raises(PythonException, match="No module named '%s'" % name):
        sc.parallelize(range(2), 2).map(use).collect()
    pids = set(sc._backend.executor_pids().values())

    source = tmp_path / ("%s.py" % name)
    source.write_text("VALUE = 42\n")
    sc.addPyFile(str(source))
    out = sc.parallelize(range(2), 2).map(use).collect()
    assert [value for value, _ in out] == [42, 42]
    assert {pid for _, pid in out} <= pids  # the same workers, not fresh ones


def test_add_py_file_zip_reaches_workers_started_before_it(make_context, tmp_path):
    sc = make_context(SparkConf().setMaster("local[2]"))
    package = "late_package_%s" % uuid.uuid4().hex

    def use(_):
        return __import__(package + ".inner", fromlist=["x"]).VALUE

    _wait_until(lambda: len(sc._backend.executor_pids()) == 2, "both executors")
    with pytest.raises(PythonException, match="No module named"):
        sc.parallelize(range(2), 2).map(use).collect()
    pids = set(sc._backend.executor_pids().values())

    archive = tmp_path / "deps.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("%s/__init__.py" % package, "")
        z.writestr("%s/inner.py" % package, "VALUE = 'zipped'\n")
    sc.addPyFile(str(archive))
    assert sc.parallelize(range(2), 2).map(use).collect() == ["zipped", "zipped"]
    assert set(sc._backend.executor_pids().values()) == pids
