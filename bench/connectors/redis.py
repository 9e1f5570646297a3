"""Redis Streams for the connectors benchmark (bench/connectors.py): a server of its own
(tests/services.py), lines added to a stream, read back by redis-py's plain consumer-group
loop (XREADGROUP 1000, XACK) and by ``RedisUtils.createStream``."""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

NAME = "redis"
KEY = "bench-lines"


def start() -> dict:
    from services import start_redis

    service, server = start_redis()
    return {"url": service.url, "server": server}


def fill(ctx, lines: list[str]) -> None:
    import redis

    client = redis.Redis.from_url(ctx["url"])
    for i in range(0, len(lines), 1000):
        pipe = client.pipeline(transaction=False)
        for line in lines[i:i + 1000]:
            pipe.xadd(KEY, {"line": line})
        pipe.execute()
    client.close()


def plain_consume(ctx, n: int) -> float:
    """redis-py's own loop: a new group from the start, XREADGROUP 1000 at a time, XACK
    each batch; seconds to read ``n``."""
    import redis

    client = redis.Redis.from_url(ctx["url"])
    group = f"plain-{uuid.uuid4().hex[:8]}"
    client.xgroup_create(KEY, group, id="0", mkstream=True)
    got, t0 = 0, time.perf_counter()
    while got < n:
        reply = client.xreadgroup(group, "c", {KEY: ">"}, count=1000, block=1000)
        for _key, entries in reply or []:
            lines = [fields[b"line"].decode() for _id, fields in entries]
            client.xack(KEY, group, *[i for i, _ in entries])
            got += len(lines)
    elapsed = time.perf_counter() - t0
    client.close()
    return elapsed


def stream(ctx, ssc):
    """The connector's DStream of str lines (a new group each time: the whole stream)."""
    from sparklet.streaming.redis import RedisUtils

    entries = RedisUtils.createStream(ssc, ctx["url"], KEY, f"bench-{uuid.uuid4().hex[:8]}",
                                      startId="0")
    return entries.map(lambda fields: fields["line"])


def stop(ctx) -> None:
    ctx["server"].stop()
