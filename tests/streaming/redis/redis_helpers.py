"""A test's hands on the Redis server (redis-py directly, never sparklet), a running stream
whose batches are collected, and the fixtures of the Redis tests: ``redis_url`` (the
session's ``redis_service``) and ``redis_own`` (a server of the test module's own with an
append-only file, so streams, groups and pending entries survive a restart). The fixtures
are imported by the test modules rather than kept in a conftest.py: two conftest.py files
in package-less test folders collide under ``--doctest-modules``."""

from __future__ import annotations

import uuid

import pytest
from receiver_helpers import wait_until
from stream_run import StreamRun

from services import Restartable, probe_redis, require_module, require_service
from sparklet.streaming.redis import RedisUtils


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def client(url: str):
    import redis

    return redis.Redis.from_url(url)


def add(url: str, key: str, values: list[str], field: str = "line") -> list[str]:
    """XADD one entry ``{field: value}`` per value; returns the ids."""
    r = client(url)
    pipe = r.pipeline(transaction=False)
    for v in values:
        pipe.xadd(key, {field: v})
    ids = [i.decode() for i in pipe.execute()]
    r.close()
    return ids


def pending(url: str, key: str, group: str) -> int:
    r = client(url)
    try:
        return r.xpending(key, group)["pending"]
    finally:
        r.close()


def numbered(prefix: str, n: int) -> list[str]:
    return [f"{prefix} värde {i}" for i in range(n)]


class Run(StreamRun):
    """One Redis stream (``RedisUtils.createStream(ssc, **create)``) running, collected."""

    def __init__(self, ctx, checkpoint=None, **create):
        super().__init__(ctx, lambda ssc: RedisUtils.createStream(ssc, **create), checkpoint)


def run_until(ctx, n: int, **create) -> Run:
    run = Run(ctx, **create)
    try:
        assert wait_until(lambda: run.count() >= n), (run.count(), run.events.errors)
    finally:
        run.stop()
    return run


# -- fixtures ----------------------------------------------------------------------------

@pytest.fixture(scope="session", name="redis_url")
def redis_url_fixture(redis_service) -> str:
    require_module("redis", "redis")
    return redis_service.url


@pytest.fixture(scope="module", name="redis_own")
def redis_own_fixture():
    """``(service, Restartable)`` of a persistent Redis server only this module uses."""
    require_module("redis", "redis")
    from services import ServiceUnavailable, start_redis

    try:
        service, server = start_redis(persistent=True)
    except ServiceUnavailable as e:
        require_service(False, str(e))
        return
    proc = Restartable(server, server.procs[0], "redis.log",
                       lambda: probe_redis("127.0.0.1", service.port))
    try:
        yield service, proc
    finally:
        server.stop()
