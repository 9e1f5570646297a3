"""The Dask distributed backend (``--master dask://HOST:PORT`` or ``dask-local[N]``).

Needs the ``sparklet[dask]`` extra (``dask[distributed]``).

Settings: ``spark.dask.client.<option>`` are passed to ``distributed.Client`` (say
``spark.dask.client.timeout=60s``), ``spark.dask.cluster.<option>`` to the
``LocalCluster`` of ``dask-local[N]`` (say ``spark.dask.cluster.memory_limit=2GiB``).
``spark.sparklet.backend=dask`` runs a ``local[N]`` master on a Dask cluster too, with N
task slots: the cluster at ``spark.dask.scheduler`` (default: the ``SPARKLET_DASK_SCHEDULER``
environment variable) if it has N, else a ``dask-local[N]`` of its own. The test suites run
that way under ``pytest --backend=dask``.
"""

from __future__ import annotations

import os
import re

from sparklet.env import EnvSpec

__all__ = ["create_dask_backend", "is_dask_master", "parse_dask_master"]

_LOCAL = re.compile(r"^dask-local(?:\[(\d+)\])?$")


def is_dask_master(master: str) -> bool:
    return master.startswith("dask://") or _LOCAL.match(master.strip()) is not None


def parse_dask_master(master: str) -> tuple[str | None, int]:
    """``(scheduler address, 0)`` for ``dask://HOST:PORT``, ``(None, N)`` for
    ``dask-local[N]`` (one worker for plain ``dask-local``).

    >>> parse_dask_master("dask://127.0.0.1:8786"), parse_dask_master("dask-local[2]")
    (('tcp://127.0.0.1:8786', 0), (None, 2))
    """
    master = master.strip()
    if master.startswith("dask://"):
        address = master[len("dask://"):]
        if not address or ":" not in address:
            raise ValueError("A Dask master is dask://HOST:PORT, got %r" % master)
        return ("tcp://" + address if "://" not in address else address), 0
    m = _LOCAL.match(master)
    if m is None:
        raise ValueError("Could not parse Master URL: '%s'" % master)
    workers = int(m.group(1) or 1)
    if workers < 1:
        raise ValueError("dask-local needs at least one worker, got %r" % master)
    return None, workers


def _require_distributed() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ImportError("The Dask backend needs Dask distributed: pip install "
                          "'sparklet[dask]'") from None


def create_dask_backend(master: str, conf, env_spec: EnvSpec, local_cores: int | None = None):
    """The backend for a Dask master, or for ``local[N]`` under spark.sparklet.backend=dask
    (``local_cores`` N: N task slots' worth of default parallelism, as local[N] has)."""
    _require_distributed()
    from sparklet.backends.dask.backend import DaskBackend
    from sparklet.backends.dask.cluster import prefixed_options

    settings = dict(conf.getAll())
    if local_cores is not None:
        # (an empty variable is no scheduler: a cluster of the context's own)
        address = (conf.get("spark.dask.scheduler")
                   or os.environ.get("SPARKLET_DASK_SCHEDULER") or None)
        workers = local_cores
    else:
        address, workers = parse_dask_master(master)
    return DaskBackend(env_spec, address, workers, parallelism=local_cores,
                       client_options=prefixed_options(settings, "spark.dask.client."),
                       cluster_options=prefixed_options(settings, "spark.dask.cluster."))
