"""Backends run serialized tasks on executors and report results; the scheduler never
knows which one it talks to."""

from __future__ import annotations

import os

from sparklet.backends.base import SchedulerBackend

__all__ = ["SchedulerBackend", "create_backend"]


# The backend of local masters when spark.sparklet.backend is not set: the environment
# can name another (the test suite's --backend option runs it all on a Dask cluster).
DEFAULT_BACKEND = os.environ.get("SPARKLET_BACKEND", "processes")


def create_backend(master: str, conf, env_spec) -> SchedulerBackend:
    """Pick the backend for a master URL: ``dask://HOST:PORT`` and ``dask-local[N]`` run on
    Dask; ``local[N]`` and ``local-cluster[N, C, M]`` on local processes (the default), or
    threads, or (``spark.sparklet.backend=dask``) a Dask cluster."""
    from sparklet.backends.dask import create_dask_backend, is_dask_master
    from sparklet.util import parse_local_cluster_master, parse_local_master

    if is_dask_master(master):
        return create_dask_backend(master, conf, env_spec)
    kind = conf.get("spark.sparklet.backend", DEFAULT_BACKEND)
    cores, _ = parse_local_master(master)
    cluster = parse_local_cluster_master(master)
    if cluster is not None:
        _check_cluster_memory(cluster[2], conf)
    if kind == "threads":
        from sparklet.backends.local_threads import LocalThreadBackend

        return LocalThreadBackend(cores, env_spec)
    if kind == "dask" and cluster is None:
        return create_dask_backend(master, conf, env_spec, local_cores=cores)
    if kind not in ("processes", "dask"):
        raise ValueError("Unknown spark.sparklet.backend %r (use processes, threads or dask)"
                         % kind)
    from sparklet.backends.local_processes import LocalProcessBackend

    if cluster is not None:
        executors, cores_each, memory_mb = cluster
        return LocalProcessBackend(executors, env_spec, cores_each, memory_mb,
                                   resources=_cluster_resources(conf, cores_each))
    return LocalProcessBackend(cores, env_spec)


def _cluster_resources(conf, cores: int) -> tuple[dict, dict] | None:
    """Each local-cluster executor's resource addresses and each task's amounts (None
    without custom resources); refuses task requests no executor can satisfy."""
    from sparklet.errors import SparkException
    from sparklet.resource.discovery import (
        executor_resources,
        executor_slots,
        task_resource_amounts,
    )

    settings = dict(conf.getAll())
    addresses = executor_resources(settings)
    amounts = task_resource_amounts(settings)
    if not addresses and not amounts:
        return None
    for name in amounts:
        if name not in addresses:
            raise SparkException("The executor resource config for resource: %s is not "
                                 "specified (spark.executor.resource.%s.amount), but tasks "
                                 "request it" % (name, name))
    if executor_slots(cores, addresses, amounts) <= 0:
        raise SparkException("An executor's resources %s cannot run even one task "
                             "requesting %s" % (addresses, amounts))
    return addresses, amounts


def _check_cluster_memory(worker_mb: int, conf) -> None:
    """Spark refuses an executor larger than its local-cluster worker (it would hang)."""
    from sparklet.errors import SparkException
    from sparklet.util import parse_mebibytes

    requested = conf.get("spark.executor.memory")
    if requested is not None and parse_mebibytes(requested) > worker_mb:
        raise SparkException("Asked to launch cluster with %d MiB/worker but requested %d "
                             "MiB/executor" % (worker_mb, parse_mebibytes(requested)))
