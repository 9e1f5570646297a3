"""bench/connectors.py module for ``socketTextStream``: a local TCP server pushes the lines.

``start`` opens a TCP server on a free 127.0.0.1 port (a thread of the bench process).
``fill`` pushes the lines to the clients connected since the last ``fill`` -- waiting, up
to a minute, for one to connect -- and leaves the connections open (a closed connection
makes Spark's socket receiver reconnect, which here would send the lines again). So the
source is a push source (``PUSH = True``): the runner calls ``fill`` while the consumer is
running. The limit (``plain_consume``) is a plain ``recv`` loop on one connection, cutting
the bytes into lines; the stream is ``ssc.socketTextStream`` on the same server. Not a
reliable source (nothing to acknowledge): the runner's ``--wal`` leaves it out, only
``--wal-all`` runs it with the write-ahead log.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

NAME = "socket"
PUSH = True
RELIABLE = False
CONNECT_WAIT_S = 60.0


class _Server:
    """Accepts connections and remembers the ones not yet sent anything."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.fresh: list[socket.socket] = []
        self.fed: list[socket.socket] = []
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._accept, daemon=True,
                                       name="bench-socket-server")
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:  # closed by stop()
                return
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
            with self.cond:
                self.fresh.append(conn)
                self.cond.notify_all()

    def push(self, payload: bytes) -> None:
        with self.cond:
            if not self.cond.wait_for(lambda: self.fresh, CONNECT_WAIT_S):
                raise TimeoutError(f"no client connected to 127.0.0.1:{self.port} "
                                   f"within {CONNECT_WAIT_S:.0f} s")
            targets, self.fresh = self.fresh, []
        for conn in targets:
            conn.sendall(payload)
        with self.cond:
            self.fed.extend(targets)

    def close(self) -> None:
        self.listener.close()
        with self.cond:
            conns, self.fresh, self.fed = self.fresh + self.fed, [], []
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.close()


def start() -> dict:
    server = _Server()
    return {"server": server, "host": "127.0.0.1", "port": server.port}


def fill(ctx: dict, lines: list[str]) -> None:
    ctx["server"].push(("\n".join(lines) + "\n").encode())


def plain_consume(ctx: dict, n: int) -> float:
    """Read ``n`` lines on a connection of its own; seconds from the first byte to the
    n-th line."""
    with socket.create_connection((ctx["host"], ctx["port"]), timeout=CONNECT_WAIT_S) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        first = s.recv(1 << 16)
        start = time.perf_counter()
        count, rest = 0, b""
        chunk = first
        while chunk:
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            count += len([line.decode() for line in lines])
            if count >= n:
                return time.perf_counter() - start
            chunk = s.recv(1 << 16)
    raise EOFError(f"the server closed the connection after {count} of {n} lines")


def stream(ctx: dict, ssc):
    return ssc.socketTextStream(ctx["host"], ctx["port"])


def stop(ctx: dict) -> None:
    ctx["server"].close()
