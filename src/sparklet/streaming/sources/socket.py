"""The socket source: a TCP client receiving from ``host:port`` (``socketTextStream``).

Like Spark's SocketReceiver it connects when started and turns the byte stream into records
with ``bytes_to_objects``; a refused connection, a broken one, or the server closing it all
restart the receiver (after ``spark.streaming.receiverRestartDelay``, 2000 ms by default),
so the stream reconnects on its own.

>>> import io
>>> list(utf8_lines(io.BytesIO(b"hello world\\r\\nsecond line\\nlast, no newline")))
['hello world', 'second line', 'last, no newline']
"""

from __future__ import annotations

import io
import logging
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.receiver import Receiver
from sparklet.streaming.receiver.channel import close_socket

__all__ = ["SocketReceiver", "utf8_lines"]

log = logging.getLogger(__name__)


def utf8_lines(stream: BinaryIO) -> Iterator[str]:
    """Lines of UTF-8 text, without their line terminators (``\\n``, ``\\r\\n`` or ``\\r``),
    as Spark's ``SocketReceiver.bytesToLines``; undecodable bytes become U+FFFD."""
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=None)
    for line in text:
        yield line[:-1] if line.endswith("\n") else line


class SocketReceiver(Receiver):
    """Receives records from a TCP server: connects to ``host:port`` and stores everything
    ``bytes_to_objects(binary_file)`` yields, one record at a time.

    ``ssc.socketTextStream(host, port)`` is this receiver with :func:`utf8_lines`.
    """

    def __init__(self, host: str, port: int,
                 bytes_to_objects: Callable[[BinaryIO], Iterable[Any]] = utf8_lines,
                 storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                 connect_timeout: float = 10.0):
        super().__init__(storageLevel)
        self.host = host
        self.port = int(port)
        self.bytes_to_objects = bytes_to_objects
        self.connect_timeout = connect_timeout
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["_socket"] = None
        state.pop("_lock", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def onStart(self) -> None:
        log.info("Connecting to %s:%d", self.host, self.port)
        try:
            sock = socket.create_connection((self.host, self.port), self.connect_timeout)
            sock.settimeout(None)
        except OSError as e:
            self.restart(f"Error connecting to {self.host}:{self.port}", e)
            return
        with self._lock:
            self._socket = sock
        log.info("Connected to %s:%d", self.host, self.port)
        threading.Thread(target=self._receive, args=(sock,), daemon=True,
                         name="Socket Receiver").start()

    def onStop(self) -> None:
        # Closing the socket ends the receiving thread's blocking read.
        with self._lock:
            sock, self._socket = self._socket, None
        if sock is not None:
            close_socket(sock)
            log.info("Closed socket to %s:%d", self.host, self.port)

    def _receive(self, sock: socket.socket) -> None:
        try:
            with sock.makefile("rb") as stream:
                for record in self.bytes_to_objects(stream):
                    if self._done(sock):
                        break
                    self.store(record)
            if not self._done(sock):
                self.restart("Socket data stream had no more data")
            else:
                log.info("Stopped receiving")
        except Exception as e:  # noqa: BLE001 - any receiving error means reconnecting
            if not self._done(sock):
                self.restart("Error receiving data", e)
        finally:
            close_socket(sock)

    def _done(self, sock: socket.socket) -> bool:
        """Stopped, or restarted onto a newer connection than the one this thread reads."""
        return self.isStopped() or self._socket is not sock
