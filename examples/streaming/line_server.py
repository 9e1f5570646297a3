"""A small TCP line server, so the streaming examples run without ``nc -lk 9999``.

Every client that connects gets lines of text (Shakespeare from sparklet's bundled
README) at ``--rate`` lines per second, until it disconnects. Run it on its own:

    python examples/streaming/line_server.py --port 9999 --rate 20

or let an example start one in-process (``network_word_count.py --generate``).
"""

from __future__ import annotations

import argparse
import itertools
import os
import socket
import threading
import time

BUNDLED = os.path.join(os.path.dirname(__import__("sparklet").__file__), "data", "README.txt")


def bundled_lines() -> list[str]:
    with open(BUNDLED, encoding="utf-8") as fh:
        return [line.strip() for line in fh if line.strip()]


class LineServer:
    """Serves ``lines`` (cycled) to every client at ``rate`` lines/s, from daemon threads.

    >>> server = LineServer(["a b", "b c"], rate=1000).start()
    >>> with socket.create_connection(("127.0.0.1", server.port)) as s:
    ...     data = s.makefile().readline()
    >>> data
    'a b\\n'
    >>> server.stop()
    """

    def __init__(self, lines: list[str] | None = None, host: str = "127.0.0.1",
                 port: int = 0, rate: float = 20.0):
        self.lines = lines or bundled_lines()
        self.rate = rate
        self._sock = socket.create_server((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        self._stopped = threading.Event()

    def start(self) -> LineServer:
        threading.Thread(target=self._accept, daemon=True, name="line-server").start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._sock.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        pause = 1.0 / self.rate if self.rate > 0 else 0.0
        next_at = time.monotonic()
        with conn:
            for line in itertools.cycle(self.lines):
                if self._stopped.is_set():
                    return
                try:
                    conn.sendall(line.encode("utf-8") + b"\n")
                except OSError:
                    return  # the client went away
                next_at += pause
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9999)
    parser.add_argument("--rate", type=float, default=20.0, help="lines per second")
    args = parser.parse_args()
    server = LineServer(host=args.host, port=args.port, rate=args.rate).start()
    print(f"serving lines on {server.host}:{server.port} at {args.rate:g}/s (Ctrl-C stops)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
