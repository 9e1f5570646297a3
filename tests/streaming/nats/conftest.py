"""Fixtures for the NATS tests: the session's server (``nats_service``) and, for the tests
that stop it, a server of the module's own (``nats_own``, JetStream storing in its temp
dir, so its streams and consumers survive a restart)."""

from __future__ import annotations

import pytest

from services import Restartable, probe_nats_jetstream, require_module, require_service


@pytest.fixture(scope="session")
def nats_url(nats_service) -> str:
    require_module("nats", "nats-py")
    return nats_service.url


@pytest.fixture(scope="module")
def nats_own():
    """``(service, Restartable)`` of a NATS server only this module uses."""
    require_module("nats", "nats-py")
    from services import ServiceUnavailable, start_nats

    try:
        service, server = start_nats()
    except ServiceUnavailable as e:
        require_service(False, str(e))
        return
    proc = Restartable(server, server.procs[0], "nats.log",
                       lambda: probe_nats_jetstream("127.0.0.1", service.port))
    try:
        yield service, proc
    finally:
        server.stop()
