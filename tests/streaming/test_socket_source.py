"""The socket source against real TCP servers on loopback: lines arrive in blocks, nothing
lost or duplicated; a closed or refused connection restarts the receiver, which
reconnects; bad bytes are decoded as Spark's JVM decodes them and never end the stream."""

from __future__ import annotations

import io
import random
import shutil
import socket
import subprocess
import threading
import time

import pytest
from receiver_helpers import WAIT, drain, info_of, receiver_conf, start_tracker, wait_until

from sparklet.streaming.receiver.rate import RateLimiter
from sparklet.streaming.receiver.supervisor import BlockGenerator
from sparklet.streaming.sources import SocketReceiver, utf8_lines
from sparklet.streaming.sources.socket import decode_line, utf8_line_chunks


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


# Lines and how Java 17's UTF-8 InputStreamReader under a BufferedReader (what Spark's
# SocketReceiver.bytesToLines reads with) decodes them -- observed with OpenJDK 17.0.15;
# test_decoding_agrees_with_the_jvm re-checks them whenever a JDK is installed. The last
# column says whether Python's bytes.decode("utf-8", "replace") gives the same: it does
# except for surrogates encoded in UTF-8, which Java replaces as one unit.
JVM_DECODED = [
    (b"plain ascii", "plain ascii", True),
    ("ünïcödé 中文 😀".encode(), "ünïcödé 中文 😀", True),
    (b"lone \xff byte", "lone \ufffd byte", True),
    (b"\xfe\xff", "\ufffd\ufffd", True),
    (b"stray \x80 continuation", "stray \ufffd continuation", True),
    (b"truncated \xe4\xb8 3-byte", "truncated \ufffd 3-byte", True),
    (b"truncated \xf0\x9f\x98 4-byte", "truncated \ufffd 4-byte", True),
    (b"truncated at the end \xe4\xb8", "truncated at the end \ufffd", True),
    (b"\xc3(", "\ufffd(", True),
    (b"overlong slash \xc0\xaf", "overlong slash \ufffd\ufffd", True),
    (b"overlong \xe0\x80\xaf", "overlong \ufffd\ufffd\ufffd", True),
    (b"overlong \xf0\x80\x80\xaf", "overlong \ufffd\ufffd\ufffd\ufffd", True),
    (b"\xc1\xbf", "\ufffd\ufffd", True),
    (b"beyond U+10FFFF \xf4\x90\x80\x80", "beyond U+10FFFF \ufffd\ufffd\ufffd\ufffd", True),
    (b"\xf5\x80", "\ufffd\ufffd", True),
    (b"\xe2\x82\xac\xe2\x82\xe2\x82\xac", "€\ufffd€", True),
    (b"\xef\xbb\xbfbom kept", "\ufeffbom kept", True),
    (b"nul \x00 kept", "nul \x00 kept", True),
    (b"surrogate \xed\xa0\x80", "surrogate \ufffd", False),
    (b"half surrogate \xed\xa0!", "half surrogate \ufffd!", False),
    (b"cesu-8 \xed\xa0\xbd\xed\xb8\x80", "cesu-8 \ufffd\ufffd", False),
    (b"surrogate cut at the end \xed\xbf", "surrogate cut at the end \ufffd", False),
]


@pytest.mark.parametrize("raw, decoded, python_agrees", JVM_DECODED)
def test_decode_line_replaces_as_the_jvm_does(raw, decoded, python_agrees):
    assert decode_line(raw) == decoded
    assert (raw.decode("utf-8", "replace") == decoded) is python_agrees


class Trickle(io.RawIOBase):
    """A binary stream whose reads return ``sizes`` bytes at a time, in turn (a TCP peer's
    segments, deterministically)."""

    def __init__(self, data: bytes, sizes):
        self.data, self.pos, self.sizes = data, 0, iter(sizes)

    def readable(self):
        return True

    def read1(self, n=-1):
        k = min(n, next(self.sizes, 64)) if n > 0 else len(self.data)
        out = self.data[self.pos:self.pos + k]
        self.pos += len(out)
        return out


def test_lines_split_anywhere_across_reads_decode_the_same():
    """Every cut of the input into two reads -- inside a multibyte character, between CR
    and LF -- gives the same lines as one read."""
    data = "a€b\r\n中\r😀\n".encode() + b"x\xe4\xb8\ny\xed\xa0\x80\r\rlast \xf0\x9f"
    whole = list(utf8_lines(io.BytesIO(data)))
    assert whole == ["a€b", "中", "😀", "x\ufffd", "y\ufffd", "", "last \ufffd"]
    for cut in range(len(data) + 1):
        assert list(utf8_lines(Trickle(data, [cut or 1, len(data)] + [1] * len(data)))) == whole
    assert list(utf8_lines(Trickle(data, [1] * (len(data) + 1)))) == whole  # byte by byte


def test_line_chunks_are_the_lines_of_each_read():
    """The socket receiver stores the lines of each read together: the chunks, joined, are
    exactly utf8_lines' lines, however the reads cut the input; no chunk is empty."""
    rng = random.Random(7)
    data = "a€b\r\n中\r😀\n".encode() + b"x\xe4\xb8\ny\xed\xa0\x80\r\rlast \xf0\x9f"
    whole = list(utf8_lines(io.BytesIO(data)))
    for _ in range(200):
        sizes = [rng.randint(1, 8) for _ in range(len(data) + 1)]
        chunks = list(utf8_line_chunks(Trickle(data, sizes)))
        assert all(chunks)
        assert [line for chunk in chunks for line in chunk] == whole
    assert list(utf8_line_chunks(io.BytesIO(b""))) == []


class _Pushed(list):
    def __call__(self, records, wait=False):
        self.append(list(records))


def test_block_generator_adds_many_single_records_into_the_current_block():
    # No cut before stop (an hour's interval): what add_all and add buffered is one block,
    # in order, as if each record had been added on its own.
    pushed = _Pushed()
    gen = BlockGenerator(3600.0, pushed, RateLimiter(0))
    gen.start()
    gen.add_all(["a", "b"])
    gen.add("c")
    gen.add_all([])
    gen.add_all(["d"])
    gen.stop()
    assert pushed == [["a", "b", "c", "d"]]
    with pytest.raises(RuntimeError, match="has been stopped"):
        gen.add_all(["e"])


def test_block_generator_add_all_under_a_rate_limit_paces_each_record():
    class Clock:
        now = 0.0

        def time(self):
            return self.now

        def sleep(self, seconds):
            self.now += seconds

    clock = Clock()
    limiter = RateLimiter(100, burst_seconds=0.0, clock=clock.time, sleep=clock.sleep)
    pushed = _Pushed()
    gen = BlockGenerator(3600.0, pushed, limiter)
    gen.start()
    gen.add_all(list(range(300)))
    # Paced one record at a time (300 at 100/s: the last passes at 2.99 s), as 300 adds.
    assert clock.now == pytest.approx(2.99, abs=0.011)
    gen.stop()
    assert pushed == [list(range(300))]


def test_line_ends_are_those_of_java_readline():
    """\\n, \\r\\n and a lone \\r end a line (\\r\\r\\n is two), a CR at the end of one read
    and an LF at the start of the next are one line end, and the last line needs none."""
    data = b"a\r\nb\rc\nd\r\r\ne\n\nf"
    expected = ["a", "b", "c", "d", "", "e", "", "f"]  # java.io.BufferedReader.readLine
    assert list(utf8_lines(io.BytesIO(data))) == expected
    assert list(utf8_lines(Trickle(b"a\rb\r\r\nc\r", [2, 2, 1, 1, 64]))) == ["a", "b", "", "c"]


JAVA_LINES = """
import java.io.*;
import java.nio.charset.StandardCharsets;

public class Lines {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(
        new InputStreamReader(System.in, StandardCharsets.UTF_8));
    StringBuilder out = new StringBuilder();
    for (String line; (line = in.readLine()) != null; ) {
      line.codePoints().forEach(c -> out.append(Integer.toHexString(c)).append(' '));
      out.append('\\n');
    }
    System.out.print(out);
  }
}
"""


@pytest.mark.skipif(not (shutil.which("java") and shutil.which("javac")),
                    reason="no JDK (java, javac) to compare with")
def test_decoding_agrees_with_the_jvm(tmp_path):
    """Spark's own decoder is the reference: the JVM reads the table above and a long
    random stream rich in bad bytes and line ends; utf8_lines, reading it in random small
    pieces, gives the very same lines."""
    (tmp_path / "Lines.java").write_text(JAVA_LINES)
    subprocess.run(["javac", "Lines.java"], cwd=tmp_path, check=True, timeout=120)
    rnd = random.Random(20260401)
    alphabet = b"a\n\r\x80\x8f\x90\x9f\xa0\xbb\xbf\xc0\xc1\xc2\xdf\xe0\xe1\xed\xee\xef" \
        b"\xf0\xf1\xf4\xf5\xff"
    data = b"\n".join(raw for raw, _, _ in JVM_DECODED) + b"\n" + \
        bytes(rnd.choice(alphabet) for _ in range(50_000))
    out = subprocess.run(["java", "-cp", str(tmp_path), "Lines"], input=data,
                         capture_output=True, check=True, timeout=120).stdout.decode()
    jvm = [bytes.fromhex("".join(c.rjust(8, "0") for c in line.split()))
           .decode("utf-32-be") for line in out.split("\n")[:-1]]
    assert jvm[:len(JVM_DECODED)] == [decoded for _, decoded, _ in JVM_DECODED]
    sizes = [rnd.randint(1, 9) for _ in range(len(data) + 1)]
    assert list(utf8_lines(Trickle(data, sizes))) == jvm
    assert len(jvm) > 1000


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


def _words_of_four_bytes(stream):
    """A converter of its own (not utf8_lines): fixed four-byte records."""
    while True:
        data = stream.read(4)
        if len(data) < 4:
            return
        yield data.decode("ascii")


def test_a_converter_of_its_own_stores_each_record(ctx):
    # socketStream with any converter but utf8_lines goes record by record.
    records = [f"{i:04d}" for i in range(400)]
    data = "".join(records).encode()
    server = LineServer([[data[i:i + 37] for i in range(0, len(data), 37)]])
    receiver = SocketReceiver("127.0.0.1", server.port, _words_of_four_bytes)
    tracker, ssc = start_tracker(ctx, {0: receiver})
    try:
        assert wait_until(lambda: tracker.received_records(0) == 400)
    finally:
        tracker.stop(graceful=True)
        server.close()
    assert drain(tracker, 0, 400) == records


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


def mixed_payload(seed: int = 5) -> tuple[list[str], list[bytes]]:
    """Valid lines and lines with bad bytes (every row of JVM_DECODED, twice), ended in turn
    by LF, CRLF and CR, the last with no line end at all; cut into TCP segments of 1-7
    bytes, so multibyte characters and CRLF pairs straddle segments. Returns the lines as
    Spark decodes them (JVM_DECODED's column) and the segments."""
    rows = [(raw, decoded) for raw, decoded, _ in JVM_DECODED] * 2
    rows += [(f"valid line {i} ✓".encode(), f"valid line {i} ✓") for i in range(30)]
    random.Random(seed).shuffle(rows)
    ends = [b"\n", b"\r\n", b"\r"]
    data = b"".join(raw + ends[i % 3] for i, (raw, _) in enumerate(rows[:-1])) + rows[-1][0]
    rnd = random.Random(seed)
    segments, pos = [], 0
    while pos < len(data):
        size = rnd.randint(1, 7)
        segments.append(data[pos:pos + size])
        pos += size
    return [decoded for _, decoded in rows], segments


def test_bad_bytes_over_tcp_are_replaced_and_the_connection_lives(ctx):
    """Bad bytes no longer restart the receiver: every line arrives once, decoded as Spark
    decodes it, over the one connection; the only restart is the server closing it."""
    expected, segments = mixed_payload()
    assert any("\ufffd" in line for line in expected)
    server = LineServer([segments], pause=0.001)
    tracker, ssc = start_tracker(ctx, {0: SocketReceiver("127.0.0.1", server.port)})
    try:
        assert wait_until(lambda: tracker.received_records(0) >= len(expected), 30)
        assert wait_until(lambda: ssc._listener_bus.of("ReceiverStopped"), 30)
    finally:
        tracker.stop(graceful=True)
        server.close()
    assert drain(tracker, 0, 1000) == expected
    assert wait_until(lambda: server.served == 1, 60)
    messages = [info_of(e).lastErrorMessage for e in ssc._listener_bus.of("ReceiverStopped")]
    assert messages[0].endswith("Socket data stream had no more data")
    assert not [m for m in messages if "Error receiving data" in m]


def test_socket_text_stream_replaces_bad_bytes(ctx):
    """socketTextStream itself (the StreamingContext path) decodes as Spark does."""
    from sparklet.streaming import StreamingContext

    expected, segments = mixed_payload(seed=11)
    server = LineServer([segments], pause=0.001)
    ssc = StreamingContext(ctx, 0.2)
    seen: list[list[str]] = []
    ssc.socketTextStream("127.0.0.1", server.port).foreachRDD(
        lambda rdd: seen.append(rdd.collect()))
    ssc.start()
    try:
        assert wait_until(lambda: sum(len(b) for b in seen) >= len(expected), 30)
    finally:
        ssc.stop(stopSparkContext=False, stopGraceFully=True)
        server.close()
    assert [x for b in seen for x in b] == expected
    assert wait_until(lambda: server.served == 1, 60)
