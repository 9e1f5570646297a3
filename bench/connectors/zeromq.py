"""ZeroMQ for the connectors benchmark (bench/connectors.py): a PUB socket of the bench's
own on 127.0.0.1 (no service), lines published as ``[topic, line]`` while the consumer
runs (``PUSH``), read by pyzmq's plain SUB loop and by ``ZeroMQUtils.createTextStream``.
PUB/SUB drops what it cannot queue, so the publisher has no high-water mark (SNDHWM 0)
and ``fill`` first publishes probes until the subscriber sees one."""

from __future__ import annotations

import threading
import time

NAME = "zeromq"
PUSH = True
TOPIC = b"lines"
PROBE = b"\x00probe"


def start() -> dict:
    import zmq

    context = zmq.Context()
    pub = context.socket(zmq.PUB)
    pub.setsockopt(zmq.SNDHWM, 0)
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    return {"context": context, "pub": pub, "url": f"tcp://127.0.0.1:{port}",
            "live": threading.Event(), "lock": threading.Lock()}


def fill(ctx, lines: list[str]) -> None:
    """Probes until a subscriber is live (the slow joiner), then every line."""
    ctx["live"].clear()
    with ctx["lock"]:
        while not ctx["live"].wait(0.05):
            ctx["pub"].send_multipart([TOPIC, PROBE])
        for line in lines:
            ctx["pub"].send_multipart([TOPIC, line.encode()])


def plain_consume(ctx, n: int) -> float:
    """pyzmq's own loop: SUB, recv_multipart until ``n`` lines; seconds from the first."""
    import zmq

    sock = ctx["context"].socket(zmq.SUB)
    sock.setsockopt(zmq.RCVHWM, 0)
    sock.setsockopt(zmq.SUBSCRIBE, TOPIC)
    sock.connect(ctx["url"])
    got, t0 = 0, None
    while got < n:
        frames = sock.recv_multipart()
        if frames[1] == PROBE:
            ctx["live"].set()
            continue
        if t0 is None:
            t0 = time.perf_counter()
        frames[1].decode("utf-8", "replace")
        got += 1
    sock.close(0)
    return time.perf_counter() - (t0 or time.perf_counter())


def _not_probe(line: str) -> bool:
    return line != "\x00probe"


def stream(ctx, ssc):
    """The text stream without the probes; the first probe seen makes ``fill`` go on."""
    from sparklet.streaming.zeromq import ZeroMQUtils

    live = ctx["live"]
    lines = ZeroMQUtils.createTextStream(ssc, ctx["url"], TOPIC, rcvHwm=0)

    def seen(rdd) -> None:
        if not live.is_set() and not rdd.filter(lambda s: not _not_probe(s)).isEmpty():
            live.set()

    lines.foreachRDD(seen)
    return lines.filter(_not_probe)


def stop(ctx) -> None:
    ctx["pub"].close(0)
    ctx["context"].term()
