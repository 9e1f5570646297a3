"""The socket source against real TCP servers on loopback: lines arrive in blocks, nothing
lost or duplicated; a closed or refused connection restarts the receiver, which
reconnects."""

from __future__ import annotations

import io
import socket
import threading
import time

import pytest
from receiver_helpers import WAIT, drain, info_of, receiver_conf, start_tracker, wait_until

from sparklet.streaming.sources import SocketReceiver, utf8_lines


class LineServer:
    """A TCP server; each accepted connection is served by ``scripts[i]`` (a list of
    chunks of bytes, sent with a short pause between them), then closed. A
    ``threading.Event`` in a script holds the rest back until the test sets it."""

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
                    if isinstance(chunk, threading.Event):
                        chunk.wait(WAIT)
                        continue
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
    # Three parts, each held back until the one before it has arrived: the first batch
    # gets (at least) two blocks and the second batch the rest, however loaded the machine.
    parts = [numbered_lines(f"first-{p}", 1000) for p in "abc"]
    lines = [line for part, _ in parts for line in part]
    gate_b, gate_c = threading.Event(), threading.Event()
    server = LineServer([parts[0][1] + [gate_b] + parts[1][1] + [gate_c] + parts[2][1]])
    receiver = SocketReceiver("127.0.0.1", server.port, utf8_lines)
    tracker, ssc = start_tracker(ctx, {0: receiver})
    batches = []
    t = 200
    try:
        assert wait_until(lambda: tracker.received_records(0) == 1000)
        gate_b.set()
        assert wait_until(lambda: tracker.received_records(0) == 2000)
        tracker.allocate_blocks_to_batch(100)
        batches.append(tracker.blocks_rdd(0, 100).collect())
        gate_c.set()
        assert wait_until(lambda: tracker.received_records(0) == 3000)
        tracker.allocate_blocks_to_batch(200)
        batches.append(tracker.blocks_rdd(0, 200).collect())
    finally:
        gate_b.set()
        gate_c.set()
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
        assert wait_until(lambda: tracker.received_records(0) == 1000)
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
        assert wait_until(lambda: ssc._listener_bus.of("ReceiverStopped"))
        lines, chunks = numbered_lines("late", 200)
        server = LineServer([chunks], port=port)
        assert wait_until(lambda: tracker.received_records(0) == 200)
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
    half = len(chunks) // 2
    while not chunks[half - 1].endswith(b"\n"):  # the first half ends on a whole line
        half += 1
    # The second half waits until a batch has processed some of the first: the input
    # spans at least two batches, whatever the load.
    first_seen = threading.Event()
    server = LineServer([chunks[:half] + [first_seen] + chunks[half:]], pause=0.02)
    with pytest.warns(FutureWarning, match="DStream is deprecated"):
        ssc = streaming.StreamingContext(ctx, 0.2)
    seen: list[list[str]] = []

    def collect(rdd):
        seen.append(rdd.collect())
        if seen[-1]:
            first_seen.set()

    ssc.socketTextStream("127.0.0.1", server.port).foreachRDD(collect)
    ssc.start()
    try:
        assert wait_until(lambda: sum(len(b) for b in seen) >= len(lines))
    finally:
        first_seen.set()
        ssc.stop(stopSparkContext=False, stopGraceFully=True)
        server.close()
    assert [x for b in seen for x in b] == lines
    assert sum(1 for b in seen if b) >= 2
