"""The socket source against real TCP servers on loopback: lines arrive in blocks, nothing
lost or duplicated; a closed or refused connection restarts the receiver, which
reconnects."""

from __future__ import annotations

import io
import socket
import threading
import time

import pytest
from receiver_helpers import drain, info_of, receiver_conf, start_tracker, wait_until

from sparklet.streaming.sources import SocketReceiver, utf8_lines


class LineServer:
    """A TCP server; each accepted connection is served by ``scripts[i]`` (a list of
    chunks of bytes, sent with a short pause between them), then closed."""

    def __init__(self, scripts: list[list[bytes]], port: int = 0, pause: float = 0.002):
        self.sock = socket.create_server(("127.0.0.1", port))
        self.port = self.sock.getsockname()[1]
        self.scripts = scripts
        self.pause = pause
        self.served = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        for script in self.scripts:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                for chunk in script:
                    conn.sendall(chunk)
                    time.sleep(self.pause)
            self.served += 1

    def close(self):
        self.sock.close()


def numbered_lines(prefix: str, n: int, per_chunk: int = 50) -> tuple[list[str], list[bytes]]:
    lines = [f"{prefix} line {i} ünïcode" for i in range(n)]
    data = "".join(line + "\n" for line in lines).encode()
    # Chunks cut mid-line and mid-character: the receiver must reassemble them.
    size = max(1, len(data) // max(1, n // per_chunk))
    return lines, [data[i:i + size] for i in range(0, len(data), size)]


@pytest.fixture
def ctx(make_context):
    return make_context(receiver_conf())


def test_utf8_lines():
    data = b"a\nb\r\nc\rd\n\ne\xff!\n\xe4\xb8\xad"
    assert list(utf8_lines(io.BytesIO(data))) == ["a", "b", "c", "d", "", "e\ufffd!", "中"]
    assert list(utf8_lines(io.BytesIO(b""))) == []


def test_lines_from_a_tcp_server_arrive_in_blocks_exactly_once(ctx):
    lines, chunks = numbered_lines("first", 3000)
    server = LineServer([chunks])
    receiver = SocketReceiver("127.0.0.1", server.port, utf8_lines)
    tracker, ssc = start_tracker(ctx, {0: receiver})
    batches = []
    try:
        deadline = time.monotonic() + 20
        t = 0
        while sum(len(b) for b in batches) < len(lines) and time.monotonic() < deadline:
            time.sleep(0.1)
            t += 100
            tracker.allocate_blocks_to_batch(t)
            batches.append(tracker.blocks_rdd(0, t).collect())
    finally:
        tracker.stop(graceful=True)
        server.close()
    assert [x for b in batches for x in b] == lines  # in order, none lost, none repeated
    assert sum(1 for b in batches if b) >= 2           # spread over several batches
    # One partition per block: several blocks per batch at a 50 ms block interval.
    assert sum(tracker.blocks_rdd(0, k).getNumPartitions() for k in range(100, t + 1, 100)) \
        > sum(1 for b in batches if b)
    assert "ReceiverStarted" in ssc._listener_bus.kinds()


def test_closed_connection_restarts_and_reconnects(ctx):
    first, first_chunks = numbered_lines("first", 500)
    second, second_chunks = numbered_lines("second", 500)
    server = LineServer([first_chunks, second_chunks])
    tracker, ssc = start_tracker(ctx, {0: SocketReceiver("127.0.0.1", server.port)})
    try:
        assert wait_until(lambda: tracker.received_records(0) == 1000, 20)
    finally:
        tracker.stop(graceful=True)
        server.close()
    assert drain(tracker, 0, 1000) == first + second
    stopped = [info_of(e) for e in ssc._listener_bus.of("ReceiverStopped")]
    assert stopped[0].lastErrorMessage == ("Restarting receiver with delay 100ms: "
                                           "Socket data stream had no more data")
    assert tracker.connections(0) == 1  # restarted inside its task, not relaunched


def test_refused_connection_is_retried_until_the_server_is_up(ctx):
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens on the port now
    tracker, ssc = start_tracker(ctx, {0: SocketReceiver("127.0.0.1", port)})
    server = None
    try:
        assert wait_until(lambda: ssc._listener_bus.of("ReceiverStopped"), 20)
        lines, chunks = numbered_lines("late", 200)
        server = LineServer([chunks], port=port)
        assert wait_until(lambda: tracker.received_records(0) == 200, 20)
    finally:
        tracker.stop(graceful=True)
        if server is not None:
            server.close()
    assert drain(tracker, 0, 1000) == lines
    first_stop = info_of(ssc._listener_bus.of("ReceiverStopped")[0])
    assert first_stop.lastErrorMessage == (f"Restarting receiver with delay 100ms: "
                                           f"Error connecting to 127.0.0.1:{port}")
    assert "ConnectionRefusedError" in first_stop.lastError


def test_socket_text_stream_end_to_end(ctx):
    """Through the streaming core: socketTextStream, one job per batch, graceful stop."""
    streaming = pytest.importorskip("sparklet.streaming")
    if not hasattr(streaming, "StreamingContext"):
        pytest.skip("the streaming core (StreamingContext) is not there yet")
    lines, chunks = numbered_lines("e2e", 2000)
    # 40 chunks, 20 ms apart: the input spans several 0.2 s batches.
    server = LineServer([chunks], pause=0.02)
    ssc = streaming.StreamingContext(ctx, 0.2)
    seen: list[list[str]] = []
    ssc.socketTextStream("127.0.0.1", server.port).foreachRDD(
        lambda rdd: seen.append(rdd.collect()))
    ssc.start()
    try:
        assert wait_until(lambda: sum(len(b) for b in seen) >= len(lines), 20)
    finally:
        ssc.stop(stopSparkContext=False, stopGraceFully=True)
        server.close()
    assert [x for b in seen for x in b] == lines
    assert sum(1 for b in seen if b) >= 2
