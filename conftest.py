"""Doctests in src/ see ``sc``, the active SparkContext, as PySpark's doctests do.

``sc`` resolves on every use, so a test that stops the shared context and starts its own
(with its own configuration) does not leave the doctests holding a stopped one.
"""

import pytest

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
