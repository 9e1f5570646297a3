"""The socket source: a TCP client receiving from ``host:port`` (``socketTextStream``).

Like Spark's SocketReceiver it connects when started and turns the byte stream into records
with ``bytes_to_objects``; a refused connection, a broken one, or the server closing it all
restart the receiver (after ``spark.streaming.receiverRestartDelay``, 2000 ms by default),
so the stream reconnects on its own.

>>> import io
>>> lines = utf8_lines(io.BytesIO(b"hello world\\r\\nbad \\xff byte\\rlast, no newline"))
>>> list(lines) == ["hello world", "bad \\ufffd byte", "last, no newline"]
True
"""

from __future__ import annotations

import codecs
import logging
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.receiver import Receiver
from sparklet.streaming.receiver.channel import close_socket

__all__ = ["SocketReceiver", "utf8_lines", "utf8_line_chunks", "decode_line"]

log = logging.getLogger(__name__)


_READ_SIZE = 1 << 16
_REPLACE_AS_JAVA = "sparklet.utf8-replace-as-java"


def _replace_as_java(error: UnicodeError) -> tuple[str, int]:
    """U+FFFD for one malformed subsequence, cut where Java's UTF-8 decoder cuts it.

    Python and Java both replace each maximal ill-formed subpart with one U+FFFD (the
    Unicode recommendation), except for UTF-16 surrogates encoded in UTF-8 (``ED A0..BF
    ..``): Python rejects the ``ED`` lead at once (one U+FFFD per byte), Java takes ``ED``
    with its continuation bytes as one unit (one U+FFFD for the 2 or 3 bytes).
    """
    if not isinstance(error, UnicodeDecodeError):
        raise error
    data, start = error.object, error.start
    if data[start] == 0xED and start + 1 < len(data) and 0xA0 <= data[start + 1] <= 0xBF:
        third = start + 2 < len(data) and 0x80 <= data[start + 2] <= 0xBF
        return "\ufffd", start + (3 if third else 2)
    return "\ufffd", error.end


codecs.register_error(_REPLACE_AS_JAVA, _replace_as_java)


def decode_line(data: bytes) -> str:
    r"""One line's bytes decoded as UTF-8 the way Spark's JVM decodes them: each malformed
    subsequence (a stray byte, a truncated or overlong sequence, an encoded surrogate)
    becomes one U+FFFD.

    >>> decode_line(b"caf\xc3\xa9 \xff \xe4\xb8 \xc0\xaf \xed\xa0\x80") == (
    ...     "café \ufffd \ufffd \ufffd\ufffd \ufffd")
    True
    """
    return data.decode("utf-8", _REPLACE_AS_JAVA)


def utf8_lines(stream: BinaryIO) -> Iterator[str]:
    r"""Lines of UTF-8 text without their line ends, as Spark's ``SocketReceiver.bytesToLines``
    (a ``BufferedReader`` over a UTF-8 ``InputStreamReader``) reads them: ``\n``, ``\r\n``
    and a lone ``\r`` each end a line, a last line without a line end counts too, and
    undecodable bytes become U+FFFD (see :func:`decode_line`) -- bad input never ends the
    stream.

    A line is given as soon as its line end arrives (``\r`` included: a ``\n`` right after
    it, in whatever read, belongs to it). Lines are cut on bytes, then decoded: CR and LF
    never occur inside a UTF-8 sequence, so a character split across reads is whole again.
    """
    for lines in utf8_line_chunks(stream):
        yield from lines


def utf8_line_chunks(stream: BinaryIO) -> Iterator[list[str]]:
    r"""The lines of :func:`utf8_lines`, as one list per read of the stream: the lines whose
    line end that read brought (lists are never empty).

    >>> import io
    >>> list(utf8_line_chunks(io.BytesIO(b"a\nb\r\nc")))
    [['a', 'b'], ['c']]
    """
    read = getattr(stream, "read1", None) or stream.read
    partial = b""      # the start of a line whose end has not arrived yet
    after_cr = False   # the last read ended with "\r": a "\n" first in the next is part of it
    while True:
        chunk = read(_READ_SIZE)
        if not chunk:
            break
        if after_cr and chunk[:1] == b"\n":
            chunk = chunk[1:]
        after_cr = chunk[-1:] == b"\r"
        # bytes.splitlines ends lines exactly at \n, \r\n and \r (str.splitlines would also
        # end them at \x0b, \x1c, U+2028 and more).
        lines = chunk.splitlines(keepends=True)
        if not lines:
            continue
        if partial:
            lines[0], partial = partial + lines[0], b""
        if lines[-1][-1:] not in (b"\n", b"\r"):
            partial = lines.pop()
        if lines:
            yield [decode_line(line[:-2] if line[-2:] == b"\r\n" else line[:-1])
                   for line in lines]
    if partial:
        yield [decode_line(partial)]


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
                if self.bytes_to_objects is utf8_lines:
                    # The lines of each read stored together, each still a single record
                    # (cut into blocks by the block interval like one-by-one stores): the
                    # per-record cost of storing them one by one is most of this thread's.
                    for lines in utf8_line_chunks(stream):
                        if self._done(sock):
                            break
                        self._store_singles(lines)
                else:
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
