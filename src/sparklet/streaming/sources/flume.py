"""The push receiver behind :meth:`sparklet.streaming.flume.FlumeUtils.createStream`: an
Avro RPC server that Flume's Avro sink sends its events to.

Flume's Avro sink (and its SDK's ``RpcClient``) speaks Avro IPC over Netty: the protocol
``AvroSourceProtocol`` (``append(event)``, ``appendBatch(events)``, each answered with a
``Status``: OK, FAILED or UNKNOWN), carried in Netty's frames (a serial number, a frame
count, then length-prefixed frames), the first call of a connection preceded by Avro's
handshake. No maintained Python library speaks Netty-framed Avro IPC, so the framing and
the handshake are here; fastavro encodes and decodes the Avro data.

* **Handshake.** A Flume client sends its protocol's MD5 and expects the server to have the
  same protocol; this server accepts a client that names ``AvroSourceProtocol``'s messages
  (``BOTH``: the call in the same request is served at once), and asks a client it does not
  know for its protocol first (``NONE``), as Avro's own responder does.
* **Compression.** With ``enableDecompression`` the whole connection is zlib-compressed
  both ways, as Flume's Avro sink with ``compression-type = deflate`` (Netty's
  ``ZlibEncoder``/``ZlibDecoder``) sends it.
* **Reliability.** With the write-ahead log on, a batch is stored with the blocking
  ``store(list)`` and answered ``OK`` only once the driver has it in its log; a batch that
  could not be stored is answered ``FAILED``, so Flume rolls its channel transaction back
  and sends the events again -- nothing is lost. Without the log, events go to the block
  generator and are answered ``OK`` at once, as Spark's ``FlumeReceiver``.

Each event is stored as ``(headers dict, body bytes)``; the body is decoded on the stream.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import socket
import struct
import threading
import zlib
from typing import Any

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.receiver import Receiver

__all__ = ["FlumeReceiver", "PROTOCOL", "require_fastavro", "AvroIPCError", "Connection"]

log = logging.getLogger("sparklet.streaming.flume")

PROTOCOL = {
    "protocol": "AvroSourceProtocol", "namespace": "org.apache.flume.source.avro",
    "types": [
        {"type": "enum", "name": "Status", "symbols": ["OK", "FAILED", "UNKNOWN"]},
        {"type": "record", "name": "AvroFlumeEvent", "fields": [
            {"name": "headers", "type": {"type": "map", "values": "string"}},
            {"name": "body", "type": "bytes"}]}],
    "messages": {
        "append": {"request": [{"name": "event", "type": "AvroFlumeEvent"}],
                   "response": "Status"},
        "appendBatch": {"request": [{"name": "events", "type": {
            "type": "array", "items": "AvroFlumeEvent"}}], "response": "Status"}}}
PROTOCOL_TEXT = json.dumps(PROTOCOL, separators=(",", ":"))
PROTOCOL_HASH = hashlib.md5(PROTOCOL_TEXT.encode()).digest()

_MD5 = {"type": "fixed", "name": "MD5", "namespace": "org.apache.avro.ipc", "size": 16}
_HANDSHAKE_REQUEST = {
    "type": "record", "name": "HandshakeRequest", "namespace": "org.apache.avro.ipc",
    "fields": [{"name": "clientHash", "type": _MD5},
               {"name": "clientProtocol", "type": ["null", "string"]},
               {"name": "serverHash", "type": "MD5"},
               {"name": "meta", "type": ["null", {"type": "map", "values": "bytes"}]}]}
_HANDSHAKE_RESPONSE = {
    "type": "record", "name": "HandshakeResponse", "namespace": "org.apache.avro.ipc",
    "fields": [{"name": "match", "type": {"type": "enum", "name": "HandshakeMatch",
                                          "symbols": ["BOTH", "CLIENT", "NONE"]}},
               {"name": "serverProtocol", "type": ["null", "string"]},
               {"name": "serverHash", "type": ["null", _MD5]},
               {"name": "meta", "type": ["null", {"type": "map", "values": "bytes"}]}]}
_EVENT = PROTOCOL["types"][1]
_SCHEMAS: dict[str, Any] = {}
_MAX_FRAME = 64 << 20  # a frame larger than this is not Flume talking


def require_fastavro():
    """The ``fastavro`` module, or an ImportError naming the extra."""
    try:
        import fastavro
    except ImportError as e:
        raise ImportError("FlumeUtils needs fastavro: pip install 'sparklet[flume]'") from e
    return fastavro


def _schema(name: str) -> Any:
    """Parsed schemas, once per process."""
    if not _SCHEMAS:
        fastavro = require_fastavro()
        parse = fastavro.parse_schema
        _SCHEMAS.update(
            handshake_request=parse(_HANDSHAKE_REQUEST),
            handshake_response=parse(_HANDSHAKE_RESPONSE),
            meta=parse({"type": "map", "values": "bytes"}),
            string=parse("string"), boolean=parse("boolean"),
            event=parse(_EVENT), events=parse({"type": "array", "items": _EVENT}),
            status=parse(PROTOCOL["types"][0]), int=parse("int"),
            error=parse(["string"]),
            event_batch=parse({"type": "record", "name": "EventBatch", "fields": [
                {"name": "errorMsg", "type": "string", "default": ""},
                {"name": "sequenceNumber", "type": "string"},
                {"name": "events", "type": {"type": "array", "items": _EVENT}}]}))
    return _SCHEMAS[name]


def _read(buf: io.BytesIO, name: str) -> Any:
    from fastavro import schemaless_reader

    return schemaless_reader(buf, _schema(name), None)


def _write(buf: io.BytesIO, name: str, value: Any) -> None:
    from fastavro import schemaless_writer

    schemaless_writer(buf, _schema(name), value)


class AvroIPCError(Exception):
    """The peer sent something that is not Avro IPC of AvroSourceProtocol."""


class Connection:
    """One client connection: Netty frames in and out (zlib-compressed when ``deflate``),
    the handshake, and the calls."""

    def __init__(self, sock: socket.socket, deflate: bool):
        self.sock = sock
        self.connected = False  # handshake done
        self._in = zlib.decompressobj() if deflate else None
        self._out = zlib.compressobj() if deflate else None
        self._pending = b""

    def _recv_exact(self, n: int) -> bytes | None:
        while len(self._pending) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                return None
            self._pending += self._in.decompress(chunk) if self._in else chunk
        data, self._pending = self._pending[:n], self._pending[n:]
        return data

    def read_request(self) -> tuple[int, bytes] | None:
        """The next request's serial and payload; None at the end of the connection."""
        head = self._recv_exact(8)
        if head is None:
            return None
        serial, count = struct.unpack(">ii", head)
        if not 0 <= count <= 1 << 16:
            raise AvroIPCError(f"not a Netty Avro frame (frame count {count})")
        parts = []
        for _ in range(count):
            size = self._recv_exact(4)
            if size is None:
                return None
            (n,) = struct.unpack(">i", size)
            if not 0 <= n <= _MAX_FRAME:
                raise AvroIPCError(f"not a Netty Avro frame (frame length {n})")
            part = self._recv_exact(n)
            if part is None:
                return None
            parts.append(part)
        return serial, b"".join(parts)

    def send(self, serial: int, payload: bytes) -> None:
        data = struct.pack(">iii", serial, 1, len(payload)) + payload
        if self._out is not None:
            data = self._out.compress(data) + self._out.flush(zlib.Z_SYNC_FLUSH)
        self.sock.sendall(data)

    def handshake(self, buf: io.BytesIO, out: io.BytesIO) -> bool:
        """Read the handshake of the first request; write its answer. Whether the call that
        follows may be served."""
        request = _read(buf, "handshake_request")
        text = request["clientProtocol"]
        if text is not None:
            if not _speaks_flume(text):
                raise AvroIPCError("the client's protocol is not Flume's AvroSourceProtocol")
            match = "BOTH" if request["serverHash"] == PROTOCOL_HASH else "CLIENT"
        elif request["serverHash"] in (PROTOCOL_HASH, request["clientHash"]):
            # A client that takes the server to speak its own protocol: Flume's sink and
            # RpcClient do, for AvroSourceProtocol (the call's message names are checked).
            match = "BOTH"
        else:
            match = "NONE"  # unknown: the client sends its protocol and the call again
        answer = {"match": match, "serverProtocol": None, "serverHash": None, "meta": None}
        if match != "BOTH":
            answer.update(serverProtocol=PROTOCOL_TEXT, serverHash=PROTOCOL_HASH)
        _write(out, "handshake_response", answer)
        self.connected = match != "NONE"
        return self.connected


def _speaks_flume(protocol_text: str | None) -> bool:
    if not protocol_text:
        return False
    try:
        messages = json.loads(protocol_text).get("messages") or {}
    except ValueError:
        return False
    return "appendBatch" in messages and "append" in messages


class FlumeReceiver(Receiver):
    """Listens on ``host:port`` for Flume's Avro sink and stores each event as
    ``(headers, body bytes)``; see the module documentation."""

    def __init__(self, host: str, port: int, enableDecompression: bool = False,
                 storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2):
        super().__init__(storageLevel)
        self.host, self.port = host, port
        self.enableDecompression = enableDecompression
        self._server: _Server | None = None

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["_server"] = None
        return state

    def onStart(self) -> None:
        require_fastavro()
        try:
            server = _Server(self)
        except OSError as e:
            # Taken by another process, or not an address of this host: try again later.
            self.restart(f"Cannot listen on {self.host}:{self.port} for Flume", e)
            return
        self._server = server
        server.start()
        log.info("Listening for Flume's Avro sink on %s:%d%s", self.host, self.port,
                 " (deflate)" if self.enableDecompression else "")

    def onStop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def _accept_events(self, events: list) -> str:
        """Store one call's events; the Status to answer."""
        records = [(dict(e["headers"]), bytes(e["body"])) for e in events]
        if not records:
            return "OK"
        try:
            if self._sup().reliable:
                self.store(records)   # returns once the block is in the write-ahead log
            else:
                self._store_singles(records)
        except Exception as e:  # noqa: BLE001 - FAILED: Flume keeps them and resends
            log.warning("Could not store %d Flume events (answering FAILED, Flume resends "
                        "them): %s", len(records), e)
            return "FAILED"
        return "OK"


class _Server:
    def __init__(self, receiver: FlumeReceiver):
        self.receiver = receiver
        self.listener = socket.create_server((receiver.host, receiver.port), reuse_port=False)
        self.stopping = threading.Event()
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._accept, daemon=True,
                                       name="Flume Avro server")

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            conns = list(self.connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.thread.join(5)

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, peer = self.listener.accept()
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.connections.add(sock)
            threading.Thread(target=self._serve, args=(sock, peer), daemon=True,
                             name=f"Flume connection {peer[0]}:{peer[1]}").start()

    def _serve(self, sock: socket.socket, peer: tuple) -> None:
        conn = Connection(sock, self.receiver.enableDecompression)
        try:
            while not self.stopping.is_set():
                request = conn.read_request()
                if request is None:
                    return
                serial, payload = request
                conn.send(serial, self._call(conn, payload))
        except (AvroIPCError, ValueError, EOFError, zlib.error) as e:
            log.warning("Closing the connection from %s:%d: %s", peer[0], peer[1], e)
            self.receiver.reportError(f"Bad Avro RPC from {peer[0]}:{peer[1]}: {e}", e)
        except OSError:
            pass  # the client went away, or the receiver stops
        finally:
            with self.lock:
                self.connections.discard(sock)
            sock.close()

    def _call(self, conn: Connection, payload: bytes) -> bytes:
        buf, out = io.BytesIO(payload), io.BytesIO()
        if not conn.connected and not conn.handshake(buf, out):
            return out.getvalue()  # the client sends its protocol, then the call again
        _read(buf, "meta")
        message = _read(buf, "string")
        if message == "appendBatch":
            status = self.receiver._accept_events(_read(buf, "events"))
        elif message == "append":
            status = self.receiver._accept_events([_read(buf, "event")])
        else:
            raise AvroIPCError(f"unknown message {message!r}")
        _write(out, "meta", {})
        _write(out, "boolean", False)  # not an error
        _write(out, "status", status)
        return out.getvalue()
