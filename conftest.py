"""Doctests in src/ run against one shared SparkContext named ``sc``, as PySpark's do."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _doctest_sc(doctest_namespace):
    from sparklet import SparkConf, SparkContext

    conf = SparkConf().setMaster("local[2]").setAppName("doctests")
    sc = SparkContext.getOrCreate(conf)
    doctest_namespace["sc"] = sc
    yield sc
