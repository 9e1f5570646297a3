"""``dask-local[N]``: a Dask ``LocalCluster`` of N single-threaded worker processes.

The cluster runs in a process of its own (``python -m sparklet.backends.dask.cluster N``)
rather than in the driver: Dask starts its worker processes by spawning interpreters that
re-import the parent's main module, which for a driver is the user's script -- one that
is not guarded by ``if __name__ == "__main__"`` would run again in every worker. Here the
parent is this module. It prints the scheduler's address, then lives until its standard
input closes (the driver stopped, or died), and takes its workers with it.

Workers get ``PYTHONHASHSEED=0``, as Spark starts its Python workers, plus the
application's ``spark.executorEnv.*`` variables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

__all__ = ["LocalClusterProcess"]

_START_TIMEOUT = 120.0


def _coerce(text: str):
    """A ``spark.dask.*`` value as the Python value Dask expects (numbers, booleans,
    None), else the text itself ("4GiB", "tcp")."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def prefixed_options(conf: dict, prefix: str) -> dict:
    """``{key: value}`` for every ``prefix<key>`` setting, values coerced (see _coerce).

    >>> prefixed_options({"spark.dask.client.timeout": "10s",
    ...                   "spark.dask.client.direct_to_workers": "true"}, "spark.dask.client.")
    {'timeout': '10s', 'direct_to_workers': True}
    """
    return {k[len(prefix):]: _coerce(v) for k, v in conf.items() if k.startswith(prefix)}


class LocalClusterProcess:
    """A LocalCluster in a child process; ``address`` is its scheduler's."""

    def __init__(self, workers: int, options: dict, conf: dict):
        env = {k[len("spark.executorEnv."):]: v for k, v in conf.items()
               if k.startswith("spark.executorEnv.")}
        env.setdefault("PYTHONHASHSEED", "0")
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))))
        python_path = os.pathsep.join(
            p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        spec = json.dumps({"workers": workers, "options": options, "env": env})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sparklet.backends.dask.cluster", spec],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": python_path, "PYTHONHASHSEED": "0"})
        line = self._first_line()
        if not line.startswith("tcp://") and not line.startswith("inproc://"):
            self.close()
            raise RuntimeError("could not start a Dask LocalCluster of %d workers: %s"
                               % (workers, line or "it exited"))
        self.address = line

    def _first_line(self) -> str:
        out: list[str] = []
        reader = threading.Thread(target=lambda: out.append(
            self.process.stdout.readline().decode().strip()), daemon=True)
        reader.start()
        reader.join(_START_TIMEOUT)
        return out[0] if out else ""

    def close(self) -> None:
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


def main(spec_text: str) -> None:
    spec = json.loads(spec_text)
    os.environ.update(spec["env"])
    from distributed import LocalCluster

    options = {"n_workers": spec["workers"], "threads_per_worker": 1, "processes": True,
               "dashboard_address": ":0", "host": "127.0.0.1", "env": spec["env"],
               **spec["options"]}
    with LocalCluster(**options) as cluster:
        sys.stdout.write(cluster.scheduler_address + "\n")
        sys.stdout.flush()
        sys.stdin.read()   # until the driver closes it (or dies)


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except Exception as e:  # noqa: BLE001 - the driver reads the reason on our stdout
        sys.stdout.write("%s: %s\n" % (type(e).__name__, e))
        sys.stdout.flush()
        raise SystemExit(1) from e
