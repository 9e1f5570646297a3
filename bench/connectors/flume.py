"""bench/connectors.py module for Flume's push stream: a Python Avro-RPC sender (the
frames and handshake of Flume's Avro sink, ``appendBatch`` of 100 events) pushes the lines.

A push source (``PUSH = True``). The limit (``plain_consume``) is an Avro-RPC server with no
engine behind it: sparklet's own connection code (Netty framing, handshake) decoding each
batch with fastavro and answering OK. The stream is ``FlumeUtils.createStream``; reliable
with the write-ahead log (each batch answered OK once it is in the log).
"""

from __future__ import annotations

import io
import socket
import struct
import threading
import time

NAME = "flume"
PUSH = True
RELIABLE = True
BATCH = 100
CONNECT_WAIT_S = 60.0


def start() -> dict:
    return {"target": None, "ready": threading.Event()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _send(port: int, lines: list[str]) -> None:
    """Send ``lines`` as Flume's Avro sink does, each batch waiting for its answer."""
    from sparklet.streaming.sources.flume import PROTOCOL_HASH, _write

    deadline = time.monotonic() + CONNECT_WAIT_S
    while True:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=CONNECT_WAIT_S)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    with sock:
        for serial, i in enumerate(range(0, len(lines), BATCH)):
            out = io.BytesIO()
            if serial == 0:
                _write(out, "handshake_request", {"clientHash": PROTOCOL_HASH,
                                                  "clientProtocol": None,
                                                  "serverHash": PROTOCOL_HASH, "meta": None})
            _write(out, "meta", {})
            _write(out, "string", "appendBatch")
            _write(out, "events", [{"headers": {}, "body": line.encode()}
                                   for line in lines[i:i + BATCH]])
            payload = out.getvalue()
            sock.sendall(struct.pack(">iii", serial, 1, len(payload)) + payload)
            _serial, count = struct.unpack(">ii", _recv(sock, 8))
            for _ in range(count):
                (n,) = struct.unpack(">i", _recv(sock, 4))
                _recv(sock, n)


def _recv(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("the receiver closed the connection")
        data += chunk
    return data


def fill(ctx: dict, lines: list[str]) -> None:
    if not ctx["ready"].wait(CONNECT_WAIT_S):
        raise TimeoutError("no consumer is listening")
    ctx["ready"].clear()
    _send(ctx["target"], lines)


def plain_consume(ctx: dict, n: int) -> float:
    from sparklet.streaming.sources.flume import Connection, _read, _write

    listener = socket.create_server(("127.0.0.1", 0))
    ctx["target"] = listener.getsockname()[1]
    ctx["ready"].set()
    sock, _ = listener.accept()
    conn, count, start = Connection(sock, deflate=False), 0, None
    with sock, listener:
        while count < n:
            serial, payload = conn.read_request()
            if start is None:
                start = time.perf_counter()
            buf, out = io.BytesIO(payload), io.BytesIO()
            if not conn.connected:
                conn.handshake(buf, out)
            _read(buf, "meta")
            _read(buf, "string")
            count += len([e["body"].decode() for e in _read(buf, "events")])
            _write(out, "meta", {})
            _write(out, "boolean", False)
            _write(out, "status", "OK")
            conn.send(serial, out.getvalue())
    return time.perf_counter() - start


def stream(ctx: dict, ssc):
    from sparklet.streaming.flume import FlumeUtils

    port = _free_port()
    ctx["target"] = port
    ctx["ready"].set()  # _send retries until the receiver listens
    return FlumeUtils.createStream(ssc, "127.0.0.1", port).map(lambda event: event[1])


def stop(ctx: dict) -> None:
    pass
