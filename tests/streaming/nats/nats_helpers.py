"""A test's hands on the NATS server (nats-py directly, never sparklet), a running stream
whose batches are collected, and the fixtures of the NATS tests: ``nats_url`` (the
session's ``nats_service``) and ``nats_own`` (a server of the test module's own, JetStream
storing in its temp dir so streams and consumers survive a restart). The fixtures are
imported by the test modules rather than kept in a conftest.py: two conftest.py files in
package-less test folders collide under ``--doctest-modules``."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from receiver_helpers import wait_until
from stream_run import StreamRun

from services import Restartable, probe_nats_jetstream, require_module, require_service
from sparklet.streaming.nats import NATSUtils


def unique(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def publish(url: str, subject: str, payloads: list[bytes], stream: str | None = None) -> None:
    """Publish to JetStream (each one confirmed by the server); ``stream`` is created
    first when named."""
    import nats

    async def go():
        nc = await nats.connect(url)
        try:
            js = nc.jetstream()
            if stream is not None:
                await js.add_stream(name=stream, subjects=[subject])
            for p in payloads:
                await js.publish(subject, p)
        finally:
            await nc.close()

    asyncio.run(go())


def publish_core(url: str, subject: str, payloads: list[bytes]) -> None:
    import nats

    async def go():
        nc = await nats.connect(url)
        for p in payloads:
            await nc.publish(subject, p)
        await nc.flush()
        await nc.close()

    asyncio.run(go())


def consumer_info(url: str, stream: str, durable: str):
    import nats

    async def go():
        nc = await nats.connect(url)
        try:
            return await nc.jetstream().consumer_info(stream, durable)
        finally:
            await nc.close()

    return asyncio.run(go())


def fetch_without_ack(url: str, stream: str, durable: str, n: int) -> list[bytes]:
    """Take ``n`` messages from the durable consumer and never acknowledge them."""
    import nats

    async def go():
        nc = await nats.connect(url)
        try:
            sub = await nc.jetstream().pull_subscribe_bind(durable, stream)
            got: list = []
            while len(got) < n:
                got.extend(await sub.fetch(n - len(got), timeout=5))
            return [m.data for m in got]
        finally:
            await nc.close()

    return asyncio.run(go())


def numbered(prefix: str, n: int) -> list[bytes]:
    return [f"{prefix} värde {i}".encode() for i in range(n)]


class Run(StreamRun):
    """One NATS stream (``NATSUtils.createStream(ssc, **create)``) running, collected."""

    def __init__(self, ctx, checkpoint=None, **create):
        super().__init__(ctx, lambda ssc: NATSUtils.createStream(ssc, **create), checkpoint)


def run_until(ctx, n: int, **create) -> Run:
    run = Run(ctx, **create)
    try:
        assert wait_until(lambda: run.count() >= n), (run.count(), run.events.errors)
    finally:
        run.stop()
    return run


# -- fixtures ----------------------------------------------------------------------------

@pytest.fixture(scope="session", name="nats_url")
def nats_url_fixture(nats_service) -> str:
    require_module("nats", "nats-py")
    return nats_service.url


@pytest.fixture(scope="module", name="nats_own")
def nats_own_fixture():
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
