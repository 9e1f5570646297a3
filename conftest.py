"""Doctests in src/ see ``sc``, the active SparkContext, as PySpark's doctests do.

``sc`` resolves on every use, so a test that stops the shared context and starts its own
(with its own configuration) does not leave the doctests holding a stopped one.
"""

import os

import pytest

import sparklet.backends
import sparklet.ui

# As Spark's own test suites: no web UI unless a test asks for it (spark.ui.enabled=true),
# so thousands of short-lived contexts do not each start an HTTP server.
sparklet.ui.ENABLED_BY_DEFAULT = False


class _ActiveContext:
    def __getattr__(self, name):
        from sparklet import SparkConf, SparkContext

        conf = SparkConf().setMaster("local[2]").setAppName("doctests")
        return getattr(SparkContext.getOrCreate(conf), name)


@pytest.fixture(autouse=True)
def _doctest_sc(doctest_namespace):
    doctest_namespace["sc"] = _ActiveContext()


# -- the backend the suites run on -----------------------------------------------------------
#
# ``pytest --backend=dask`` runs every test that starts a local[N] context on one shared
# Dask cluster (two single-threaded workers) instead of local processes: the same tests, a
# second backend. Tests about local worker processes themselves are marked
# ``local_backend`` and skipped there. Subprocess apps inherit the choice through the
# environment (SPARKLET_BACKEND, SPARKLET_DASK_SCHEDULER).


def pytest_addoption(parser):
    parser.addoption("--backend", default="processes", choices=("processes", "dask"),
                     help="the backend of local[N] contexts: local processes (default) or "
                          "a shared Dask LocalCluster of 2 workers")


def pytest_configure(config):
    if config.getoption("--backend") != "dask":
        return
    from sparklet.backends.dask.cluster import LocalClusterProcess

    cluster = LocalClusterProcess(2, {}, {})
    config._sparklet_dask_cluster = cluster
    os.environ["SPARKLET_BACKEND"] = "dask"
    os.environ["SPARKLET_DASK_SCHEDULER"] = cluster.address
    sparklet.backends.DEFAULT_BACKEND = "dask"


def pytest_unconfigure(config):
    cluster = getattr(config, "_sparklet_dask_cluster", None)
    if cluster is not None:
        cluster.close()


def pytest_collection_modifyitems(config, items):
    if config.getoption("--backend") != "dask":
        return
    skip = pytest.mark.skip(reason="about the local process backend (--backend=dask)")
    for item in items:
        if "local_backend" in item.keywords:
            item.add_marker(skip)
