"""Shared fixtures: one SparkContext for the whole session, plus a factory for tests that
need a context of their own configuration.

Nothing in the RDD tests needs an external service. Tests that do (brokers, databases, a
browser) take a fixture of ``services.py`` (re-exported here): it uses the server an
environment variable names, or starts one of its own, or skips with a printed reason --
except under ``CI=true``, where a missing service is a failure rather than a silent skip.
"""

from __future__ import annotations

import pytest

from services import (  # noqa: F401  (fixtures, and helpers other test modules import)
    IN_CI,
    browser,
    chromium,
    dask_cluster,
    kafka_service,
    mariadb_service,
    moto_service,
    mqtt_service,
    nats_service,
    postgres_service,
    rabbitmq_service,
    redis_service,
    require_module,
    require_service,
)
from sparklet import SparkConf, SparkContext

MASTER = "local[2]"
APP_NAME = "tests"


def _usable(ctx: SparkContext | None) -> bool:
    return ctx is not None and not ctx._stopped and ctx.master == MASTER


def _conf() -> SparkConf:
    return SparkConf().setMaster(MASTER).setAppName(APP_NAME)


def _restart(ctx: SparkContext) -> None:
    """Start a stopped shared context again, as the same object (tests elsewhere stop the
    active context to build their own). ``SparkContext.__init__`` on a stopped context
    starts it afresh: new executors, scratch directory and ids."""
    active = SparkContext._active_spark_context
    if active is not None:
        active.stop()
    SparkContext.__init__(ctx, conf=_conf())


@pytest.fixture(scope="session")
def sc():
    """The shared local[2] context, from ``SparkContext.getOrCreate``. An active context
    that was stopped or runs another master (say, left by a doctest) is replaced."""
    active = SparkContext._active_spark_context
    if active is not None and not _usable(active):
        active.stop()
    ctx = SparkContext.getOrCreate(_conf())
    yield ctx
    ctx.stop()


@pytest.fixture(autouse=True)
def _shared_sc_running(request):
    """Before a test that uses the session ``sc``: start it again if something stopped it.
    (Autouse, so hypothesis tests taking ``sc`` see only a session-scoped fixture.)"""
    if "sc" in request.fixturenames:
        ctx = request.getfixturevalue("sc")
        if ctx._stopped:
            _restart(ctx)


@pytest.fixture
def make_context(sc):
    """For tests that need their own configuration: stops the active context and yields a
    factory ``make_context(conf)`` building ``SparkContext(conf=conf)``. Afterwards every
    context it built is stopped and the shared ``sc`` is started again."""
    sc.stop()
    built: list[SparkContext] = []

    def factory(conf: SparkConf | None = None) -> SparkContext:
        current = SparkContext._active_spark_context
        if current is not None:
            current.stop()
        conf = conf if conf is not None else SparkConf()
        conf.setIfMissing("spark.master", MASTER)
        conf.setIfMissing("spark.app.name", APP_NAME)
        ctx = SparkContext(conf=conf)
        built.append(ctx)
        return ctx

    try:
        yield factory
    finally:
        for ctx in built:
            ctx.stop()
        _restart(sc)
