"""The pull receiver behind :meth:`sparklet.streaming.flume.FlumeUtils.createPollingStream`:
a client of Spark's ``SparkSink``, which runs inside the Flume agent.

The sink (``org.apache.spark.streaming.flume.sink.SparkSink``, from
``spark-streaming-flume-sink``) serves Avro IPC's ``SparkFlumeProtocol`` over Netty:
``getEventBatch(n)`` opens a transaction on the agent's channel and answers with up to n
events and a sequence number; ``ack(sequenceNumber)`` commits that transaction and
``nack(sequenceNumber)`` rolls it back (as does the sink itself if neither comes within its
``timeout``). So events leave the channel only once acknowledged.

For each address the receiver keeps ``parallelism`` connections, each on a thread of its
own: ask for a batch, store it (with the write-ahead log, ``store(list)`` returns once the
block is durable), then ``ack``; a batch that could not be stored is ``nack``-ed and comes
again. An ``errorMsg`` answer (the channel had no events) is waited out briefly; a lost
connection is reconnected with backoff, logged and reported. The framing and the handshake
are :mod:`sparklet.streaming.sources.flume`'s.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import socket
import threading

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.receiver import Receiver
from sparklet.streaming.sources.backoff import Backoff, connect_with_backoff
from sparklet.streaming.sources.flume import (
    _EVENT,
    AvroIPCError,
    Connection,
    _read,
    _write,
    require_fastavro,
)

__all__ = ["FlumePollingReceiver", "SinkClient"]

log = logging.getLogger("sparklet.streaming.flume")

_PROTOCOL = {
    "protocol": "SparkFlumeProtocol", "namespace": "org.apache.spark.streaming.flume.sink",
    "types": [
        {**_EVENT, "name": "SparkSinkEvent"},
        {"type": "record", "name": "EventBatch", "fields": [
            {"name": "errorMsg", "type": "string", "default": ""},
            {"name": "sequenceNumber", "type": "string"},
            {"name": "events", "type": {"type": "array", "items": "SparkSinkEvent"}}]}],
    "messages": {
        "getEventBatch": {"request": [{"name": "n", "type": "int"}],
                          "response": "EventBatch"},
        "ack": {"request": [{"name": "sequenceNumber", "type": "string"}],
                "response": "null"},
        "nack": {"request": [{"name": "sequenceNumber", "type": "string"}],
                 "response": "null"}}}
_PROTOCOL_TEXT = json.dumps(_PROTOCOL, separators=(",", ":"))
_PROTOCOL_HASH = hashlib.md5(_PROTOCOL_TEXT.encode()).digest()
_IDLE_S = 0.1      # after an empty answer, before asking again
_TIMEOUT_S = 60.0  # longest wait for one answer


class _NotStored(Exception):
    """A batch the driver did not store (it was nack-ed)."""


class SinkClient:
    """One connection to a SparkSink: ``get_batch``, ``ack``, ``nack``."""

    def __init__(self, host: str, port: int):
        self.address = (host, port)
        sock = socket.create_connection(self.address, timeout=_TIMEOUT_S)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn = Connection(sock, deflate=False)
        self._serial = 0

    def close(self) -> None:
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.sock.close()

    def _call(self, message: str, write_args) -> io.BytesIO:
        out = io.BytesIO()
        if not self.conn.connected:
            # Our protocol's text: the sink answers CLIENT (its hash differs, as its text
            # carries a doc string) and serves the call in the same exchange.
            _write(out, "handshake_request", {"clientHash": _PROTOCOL_HASH,
                                              "clientProtocol": _PROTOCOL_TEXT,
                                              "serverHash": _PROTOCOL_HASH, "meta": None})
        _write(out, "meta", {})
        _write(out, "string", message)
        write_args(out)
        self._serial += 1
        self.conn.send(self._serial, out.getvalue())
        answer = self.conn.read_request()
        if answer is None:
            raise EOFError(f"the SparkSink at {self.address[0]}:{self.address[1]} closed "
                           "the connection")
        buf = io.BytesIO(answer[1])
        if not self.conn.connected:
            match = _read(buf, "handshake_response")["match"]
            if match == "NONE":
                raise AvroIPCError("the SparkSink did not accept SparkFlumeProtocol")
            self.conn.connected = True
        _read(buf, "meta")
        if _read(buf, "boolean"):
            raise AvroIPCError(f"the SparkSink answered {message} with an error: "
                               f"{_read(buf, 'error')}")
        return buf

    def get_batch(self, n: int) -> dict:
        return _read(self._call("getEventBatch", lambda out: _write(out, "int", n)),
                     "event_batch")

    def ack(self, sequence: str) -> None:
        self._call("ack", lambda out: _write(out, "string", sequence))

    def nack(self, sequence: str) -> None:
        self._call("nack", lambda out: _write(out, "string", sequence))


class FlumePollingReceiver(Receiver):
    """Pulls ``(headers, body bytes)`` batches from the SparkSinks at ``addresses``; see
    the module documentation."""

    def __init__(self, addresses: list[tuple[str, int]], maxBatchSize: int = 1000,
                 parallelism: int = 5,
                 storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2):
        super().__init__(storageLevel)
        self.addresses = [(str(h), int(p)) for h, p in addresses]
        self.maxBatchSize = maxBatchSize
        self.parallelism = parallelism
        self._stopping: threading.Event | None = None
        self._threads: list[threading.Thread] = []

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.update(_stopping=None, _threads=[])
        return state

    def onStart(self) -> None:
        require_fastavro()
        stopping = threading.Event()
        self._stopping = stopping
        self._threads = [threading.Thread(target=self._poll, args=(address, stopping),
                                          daemon=True,
                                          name=f"Flume polling {address[0]}:{address[1]}")
                         for address in self.addresses for _ in range(self.parallelism)]
        for t in self._threads:
            t.start()

    def onStop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(_TIMEOUT_S)
        self._threads = []

    def _poll(self, address: tuple[str, int], stopping: threading.Event) -> None:
        what = f"the SparkSink at {address[0]}:{address[1]}"
        backoff = Backoff(0.1, 5.0, jitter=0.2)
        while not stopping.is_set():
            client = connect_with_backoff(self, what, lambda: SinkClient(*address),
                                          stopping, log, backoff)
            if client is None:
                return
            try:
                self._batches(client, stopping)
            except _NotStored as e:
                if not self.isStopped():
                    self.restart(f"Could not store a batch from {what}", e.__cause__ or e)
                return
            except Exception as e:  # noqa: BLE001 - lost: the sink rolls back, reconnect
                delay = backoff.next_delay()
                log.warning("Lost the connection to %s: %s; reconnecting in %.1f s", what,
                            e, delay)
                if not self.isStopped():
                    self.reportError(f"Lost the connection to {what} (reconnecting): {e}", e)
                stopping.wait(delay)
            finally:
                client.close()

    def _batches(self, client: SinkClient, stopping: threading.Event) -> None:
        while not stopping.is_set():
            batch = client.get_batch(self.maxBatchSize)
            if batch["errorMsg"]:
                log.debug("The SparkSink had nothing: %s", batch["errorMsg"])
                stopping.wait(_IDLE_S)
                continue
            sequence = batch["sequenceNumber"]
            records = [(dict(e["headers"]), bytes(e["body"])) for e in batch["events"]]
            try:
                if records:
                    self.store(records)  # durable with the write-ahead log
            except Exception as e:  # noqa: BLE001 - not stored: the sink keeps them
                log.warning("Could not store a batch of %d Flume events (nack: the sink "
                            "keeps them): %s", len(records), e)
                client.nack(sequence)
                raise _NotStored(str(e)) from e
            client.ack(sequence)

