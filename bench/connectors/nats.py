"""NATS JetStream for the connectors benchmark (bench/connectors.py): a server of its own
(tests/services.py), lines published into a stream, read back by nats-py's plain pull
consumer loop (fetch 1000, ack each) and by ``NATSUtils.createStream``."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

NAME = "nats"
SUBJECT = "bench.lines"
STREAM = "BENCH"


def start() -> dict:
    import nats

    from services import start_nats

    service, server = start_nats()

    async def make():
        nc = await nats.connect(service.url)
        await nc.jetstream().add_stream(name=STREAM, subjects=[SUBJECT])
        await nc.close()

    asyncio.run(make())
    return {"url": service.url, "server": server, "published": 0}


def fill(ctx, lines: list[str]) -> None:
    """Publish (core NATS, no per-message confirmation: fast), then wait until the stream
    holds them all."""
    import nats

    async def go():
        nc = await nats.connect(ctx["url"])
        js = nc.jetstream()
        for i, line in enumerate(lines):
            await nc.publish(SUBJECT, line.encode())
            if i % 10000 == 9999:
                await nc.flush()
        await nc.flush()
        want = ctx["published"] + len(lines)
        while (await js.stream_info(STREAM)).state.messages < want:
            await asyncio.sleep(0.05)
        await nc.close()

    asyncio.run(go())
    ctx["published"] += len(lines)


def plain_consume(ctx, n: int) -> float:
    """nats-py's own loop: a new durable pull consumer from the start, fetch 1000 at a
    time, acknowledge each message; seconds to read ``n``."""
    import nats

    async def go() -> float:
        nc = await nats.connect(ctx["url"])
        sub = await nc.jetstream().pull_subscribe(SUBJECT, f"plain-{uuid.uuid4().hex[:8]}",
                                                  stream=STREAM)
        got, t0 = 0, time.perf_counter()
        while got < n:
            try:
                msgs = await sub.fetch(1000, timeout=1)
            except nats.errors.TimeoutError:
                continue
            for m in msgs:
                await m.ack()
            got += len(msgs)
        elapsed = time.perf_counter() - t0
        await nc.close()
        return elapsed

    return asyncio.run(go())


def stream(ctx, ssc):
    """The connector's DStream of str lines (a new durable each time: the whole stream)."""
    from sparklet.streaming.nats import NATSUtils

    return NATSUtils.createStream(ssc, ctx["url"], SUBJECT, stream=STREAM,
                                  durable=f"bench-{uuid.uuid4().hex[:8]}")


def stop(ctx) -> None:
    ctx["server"].stop()
