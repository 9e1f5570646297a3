"""Backends run serialized tasks on executors and report results; the scheduler never
knows which one it talks to."""

from __future__ import annotations

from sparklet.backends.base import SchedulerBackend

__all__ = ["SchedulerBackend", "create_backend"]


def create_backend(master: str, conf, env_spec) -> SchedulerBackend:
    """Pick the backend for a master URL: ``local[N]`` and ``local-cluster[N, C, M]``
    processes (default), or threads."""
    from sparklet.util import parse_local_cluster_master, parse_local_master

    kind = conf.get("spark.sparklet.backend", "processes")
    if master.startswith("dask://") or master == "dask":
        raise ValueError("The Dask distributed backend is not available yet (master %r); "
                         "install sparklet[dask] once it lands" % master)
    cores, _ = parse_local_master(master)
    cluster = parse_local_cluster_master(master)
    if cluster is not None:
        _check_cluster_memory(cluster[2], conf)
    if kind == "threads":
        from sparklet.backends.local_threads import LocalThreadBackend

        return LocalThreadBackend(cores, env_spec)
    if kind != "processes":
        raise ValueError("Unknown spark.sparklet.backend %r (use processes or threads)" % kind)
    from sparklet.backends.local_processes import LocalProcessBackend

    if cluster is not None:
        executors, cores_each, memory_mb = cluster
        return LocalProcessBackend(executors, env_spec, cores_each, memory_mb)
    return LocalProcessBackend(cores, env_spec)


def _check_cluster_memory(worker_mb: int, conf) -> None:
    """Spark refuses an executor larger than its local-cluster worker (it would hang)."""
    from sparklet.errors import SparkException
    from sparklet.util import parse_mebibytes

    requested = conf.get("spark.executor.memory")
    if requested is not None and parse_mebibytes(requested) > worker_mb:
        raise SparkException("Asked to launch cluster with %d MiB/worker but requested %d "
                             "MiB/executor" % (worker_mb, parse_mebibytes(requested)))
