"""Fixtures for the Redis tests: the session's server (``redis_service``) and, for the tests
that stop it, a server of the module's own (``redis_own``, with an append-only file, so
streams, groups and pending entries survive a restart)."""

from __future__ import annotations

import pytest

from services import Restartable, probe_redis, require_module, require_service


@pytest.fixture(scope="session")
def redis_url(redis_service) -> str:
    require_module("redis", "redis")
    return redis_service.url


@pytest.fixture(scope="module")
def redis_own():
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
