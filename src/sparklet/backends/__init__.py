"""Backends run serialized tasks on executors and report results; the scheduler never
knows which one it talks to."""

from __future__ import annotations

from sparklet.backends.base import SchedulerBackend

__all__ = ["SchedulerBackend", "create_backend"]


def create_backend(master: str, conf, env_spec) -> SchedulerBackend:
    """Pick the backend for a master URL: ``local[N]`` processes (default) or threads."""
    from sparklet.util import parse_local_master

    kind = conf.get("spark.sparklet.backend", "processes")
    cores, _ = parse_local_master(master)
    if master.startswith("dask://") or master == "dask":
        raise ValueError("The Dask distributed backend is not available yet (master %r); "
                         "install sparklet[dask] once it lands" % master)
    if kind == "threads":
        from sparklet.backends.local_threads import LocalThreadBackend

        return LocalThreadBackend(cores, env_spec)
    if kind != "processes":
        raise ValueError("Unknown spark.sparklet.backend %r (use processes or threads)" % kind)
    from sparklet.backends.local_processes import LocalProcessBackend

    return LocalProcessBackend(cores, env_spec)
