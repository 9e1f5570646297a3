"""Custom resource scheduling (GPUs and the like): discovery scripts, ``sc.resources`` and
the addresses each task gets (``TaskContext.resources()``), checked against Spark's rules
("Custom Resource Scheduling and Configuration" in Spark's configuration docs)."""

from __future__ import annotations

import json
import os
import stat

import pytest

from sparklet import BarrierTaskContext, SparkConf, SparkContext, TaskContext
from sparklet.errors import SparkException
from sparklet.resource import ResourceInformation


def _script(tmp_path, name: str, body: str, shebang: bool = True, executable: bool = True):
    path = tmp_path / name
    path.write_text(("#!/bin/sh\n" if shebang else "") + body + "\n")
    if executable:
        os.chmod(path, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP)
    return str(path)


def _gpus(tmp_path, addresses, name="gpu", file="gpus.sh", **kwargs):
    payload = json.dumps({"name": name, "addresses": addresses})
    return _script(tmp_path, file, "echo '%s'" % payload, **kwargs)


# -- the driver ------------------------------------------------------------------------------

def test_driver_resources_from_discovery_script(make_context, tmp_path):
    conf = (SparkConf().set("spark.driver.resource.gpu.amount", "2")
            .set("spark.driver.resource.gpu.discoveryScript", _gpus(tmp_path, ["0", "1", "2"])))
    sc = make_context(conf)
    resources = sc.resources
    assert list(resources) == ["gpu"]
    assert resources["gpu"].name == "gpu"
    # Spark keeps every address the script reports (at least the amount asked for).
    assert resources["gpu"].addresses == ["0", "1", "2"]
    assert resources["gpu"] == ResourceInformation("gpu", ["0", "1", "2"])


def test_script_without_shebang_runs_with_sh(make_context, tmp_path):
    # PySpark's own tests write such a script; the JVM runs it with /bin/sh.
    conf = (SparkConf().set("spark.driver.resource.fpga.amount", "1")
            .set("spark.driver.resource.fpga.discoveryScript",
                 _gpus(tmp_path, ["f0"], name="fpga", shebang=False)))
    assert make_context(conf).resources["fpga"].addresses == ["f0"]


def test_no_resources_by_default(sc):
    assert sc.resources == {}
    assert sc.parallelize([1], 1).map(lambda _: TaskContext.get().resources()).collect() == [{}]


@pytest.mark.parametrize("case, message", [
    ("no script", "User is expecting to use resource: gpu, but didn't specify a discovery "
                  "script!"),
    ("missing", "to discover gpu doesn't exist!"),
    ("not executable", "is not executable"),
    ("bad json", "Error parsing JSON into ResourceInformation"),
    ("wrong name", "script returned resource name fpga and we were expecting gpu."),
    ("too few", "Resource: gpu, with addresses: 0 is less than what the user requested: 2"),
    ("fails", "exited with code 3"),
])
def test_bad_discovery_fails_the_context_at_start(make_context, tmp_path, case, message):
    conf = SparkConf().set("spark.driver.resource.gpu.amount", "2" if case == "too few" else "1")
    script = {
        "no script": None,
        "missing": str(tmp_path / "nowhere.sh"),
        "not executable": _gpus(tmp_path, ["0"], file="nx.sh", executable=False),
        "bad json": _script(tmp_path, "bad.sh", "echo 'not json'"),
        "wrong name": _gpus(tmp_path, ["0"], name="fpga", file="fpga.sh"),
        "too few": _gpus(tmp_path, ["0"]),
        "fails": _script(tmp_path, "fail.sh", "exit 3"),
    }[case]
    if script is not None:
        conf.set("spark.driver.resource.gpu.discoveryScript", script)
    with pytest.raises(SparkException) as info:
        make_context(conf)
    assert message in str(info.value)
    assert SparkContext._active_spark_context is None  # nothing half-started is left


# -- executors and tasks (local-cluster) -----------------------------------------------------

def _cluster(master: str, tmp_path, addresses, task_amount="1", executor_amount=None):
    return (SparkConf().setMaster(master)
            .set("spark.executor.resource.gpu.amount",
                 executor_amount or str(len(addresses)))
            .set("spark.executor.resource.gpu.discoveryScript", _gpus(tmp_path, addresses))
            .set("spark.task.resource.gpu.amount", task_amount))


def _addresses_by_executor(sc, tasks: int):
    """Every task of one barrier stage (so all run at once): (executor pid, addresses)."""
    def probe(_):
        context = BarrierTaskContext.get()
        context.barrier()  # every task holds its addresses at the same time
        info = context.resources()["gpu"]
        yield os.getpid(), info.name, info.addresses

    found: dict[int, list] = {}
    for pid, name, addresses in sc.parallelize(range(tasks), tasks).barrier() \
            .mapPartitions(probe).collect():
        assert name == "gpu"
        found.setdefault(pid, []).append(addresses)
    return found


def test_concurrent_tasks_of_an_executor_get_distinct_addresses(make_context, tmp_path):
    sc = make_context(_cluster("local-cluster[2,2,1024]", tmp_path, ["0", "1"]))
    found = _addresses_by_executor(sc, 4)
    assert len(found) == 2  # two executors, two tasks each
    for addresses in found.values():
        assert sorted(addresses) == [["0"], ["1"]]


def test_task_amount_of_two_addresses(make_context, tmp_path):
    sc = make_context(_cluster("local-cluster[1,2,1024]", tmp_path, ["0", "1", "2", "3"],
                               task_amount="2"))
    (addresses,) = _addresses_by_executor(sc, 2).values()
    assert sorted(a for each in addresses for a in each) == ["0", "1", "2", "3"]
    assert all(len(each) == 2 for each in addresses)


def test_fractional_amount_shares_an_address(make_context, tmp_path):
    # amount 0.5: two tasks run on one address at once.
    sc = make_context(_cluster("local-cluster[1,2,1024]", tmp_path, ["0"], task_amount="0.5"))
    (addresses,) = _addresses_by_executor(sc, 2).values()
    assert addresses == [["0"], ["0"]]


def test_resources_limit_an_executors_slots(make_context, tmp_path):
    # Two cores but one GPU and a task wants one: one task at a time, always on GPU 0.
    marker = tmp_path / "running"
    sc = make_context(_cluster("local-cluster[1,2,1024]", tmp_path, ["0"]))

    def task(_):
        try:  # fails if another task of this executor is running right now
            fd = os.open(str(marker), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return "overlap"
        try:
            addresses = TaskContext.get().resources()["gpu"].addresses
            return sum(range(100000)) and addresses[0]
        finally:
            os.close(fd)
            os.unlink(str(marker))

    assert sc.parallelize(range(8), 8).map(task).collect() == ["0"] * 8


def test_worker_resources_assigned_to_executors(make_context, tmp_path):
    # Standalone style: the worker discovers three GPUs, its executor asks for two.
    conf = (SparkConf().setMaster("local-cluster[1,2,1024]")
            .set("spark.worker.resource.gpu.amount", "3")
            .set("spark.worker.resource.gpu.discoveryScript", _gpus(tmp_path, ["0", "1", "2"]))
            .set("spark.executor.resource.gpu.amount", "2")
            .set("spark.task.resource.gpu.amount", "1"))
    sc = make_context(conf)
    (addresses,) = _addresses_by_executor(sc, 2).values()
    assert sorted(addresses) == [["0"], ["1"]]


def test_task_request_without_executor_resource_is_refused(make_context, tmp_path):
    conf = (SparkConf().setMaster("local-cluster[1,1,1024]")
            .set("spark.task.resource.gpu.amount", "1"))
    with pytest.raises(SparkException, match="spark.executor.resource.gpu.amount"):
        make_context(conf)


def test_bad_task_amount_is_refused(make_context, tmp_path):
    with pytest.raises(SparkException, match="must be either <= 0.5, or a whole number"):
        make_context(_cluster("local-cluster[1,1,1024]", tmp_path, ["0"], task_amount="0.7"))
