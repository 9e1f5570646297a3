"""ZeroMQ for the connectors benchmark (bench/connectors.py): a publisher socket of the
bench's own on 127.0.0.1 (no service), lines published as ``[topic, line]`` while the
consumer runs (``PUSH``), read by pyzmq's plain SUB loop and by
``ZeroMQUtils.createTextStream``.

PUB/SUB drops what is published before the subscription arrives (the slow joiner) and what
it cannot queue, so the publisher is an XPUB socket (a PUB that also receives the
subscriptions): ``fill`` waits for the reader's subscription to arrive, then publishes
with no high-water mark (SNDHWM 0)."""

from __future__ import annotations

import time

NAME = "zeromq"
PUSH = True
TOPIC = b"lines"


def start() -> dict:
    import zmq

    context = zmq.Context()
    pub = context.socket(zmq.XPUB)
    pub.setsockopt(zmq.SNDHWM, 0)
    pub.setsockopt(zmq.XPUB_VERBOSE, 1)  # every subscription, not only the first
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    return {"context": context, "pub": pub, "url": f"tcp://127.0.0.1:{port}"}


def fill(ctx, lines: list[str]) -> None:
    """Wait for a reader's subscription (it subscribes after the previous fill), then
    publish every line."""
    pub = ctx["pub"]
    while pub.recv() != b"\x01" + TOPIC:  # \x00: an unsubscription of the last reader
        pass
    for line in lines:
        pub.send_multipart([TOPIC, line.encode()])


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
        if t0 is None:
            t0 = time.perf_counter()
        frames[1].decode("utf-8", "replace")
        got += 1
    sock.close(0)
    return time.perf_counter() - t0


def stream(ctx, ssc):
    """The connector's text stream (the topic frame dropped), no receive high-water
    mark."""
    from sparklet.streaming.zeromq import ZeroMQUtils

    return ZeroMQUtils.createTextStream(ssc, ctx["url"], TOPIC, rcvHwm=0)


def stop(ctx) -> None:
    ctx["pub"].close(0)
    ctx["context"].term()
