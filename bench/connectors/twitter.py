"""bench/connectors.py module for the X filtered stream: the tests' local server
(tests/streaming/twitter/twitter_server.py) streams the lines as posts.

A push source (``PUSH = True``): each consumer's connection plays a queue that ``fill``
feeds once that consumer has connected. The limit (``plain_consume``) is httpx's own
streaming loop parsing each line's JSON; the stream is ``TwitterUtils.createStream`` on
the same server, its statuses mapped to their text. Not reliable: X cannot replay.
"""

from __future__ import annotations

import json
import queue
import sys
import time
from pathlib import Path

NAME = "twitter"
PUSH = True
RELIABLE = False
CONNECT_WAIT_S = 60.0

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "streaming" / "twitter"))


def start() -> dict:
    from twitter_server import TwitterServer

    server = TwitterServer()
    lines: queue.Queue = queue.Queue()
    server.script(lines)
    return {"server": server, "queue": lines, "seen": 0}


def fill(ctx: dict, lines: list[str]) -> None:
    server = ctx["server"]
    deadline = time.monotonic() + CONNECT_WAIT_S
    while len(server.stream_connections()) <= ctx["seen"]:
        if time.monotonic() > deadline:
            raise TimeoutError("no consumer connected to the stream")
        time.sleep(0.01)
    ctx["seen"] = len(server.stream_connections())
    target, ctx["queue"] = ctx["queue"], queue.Queue()
    server.script(ctx["queue"])  # the next consumer's connection
    for i, line in enumerate(lines):
        target.put(json.dumps({"data": {"id": str(i), "text": line}}))


def plain_consume(ctx: dict, n: int) -> float:
    import httpx

    count, start = 0, None
    with httpx.Client(base_url=ctx["server"].url, timeout=httpx.Timeout(60.0)) as client:
        with client.stream("GET", "/2/tweets/search/stream") as response:
            for line in response.iter_lines():
                if not line:
                    continue
                if start is None:
                    start = time.perf_counter()
                json.loads(line)["data"]["text"]
                count += 1
                if count >= n:
                    return time.perf_counter() - start
    raise EOFError(f"the stream ended after {count} of {n} posts")


def stream(ctx: dict, ssc):
    from sparklet.streaming.twitter import TwitterUtils

    return TwitterUtils.createStream(ssc, "bench", apiUrl=ctx["server"].url).map(
        lambda status: status.getText())


def stop(ctx: dict) -> None:
    ctx["server"].close()
