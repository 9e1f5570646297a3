"""The driver's receiver endpoint under hostile connections: peers that connect and send
nothing (hundreds, past the cap on pending handshakes), garbage, a huge length prefix, the
wrong secret, or close half way; and a thread that cannot be started. None of them stops
the endpoint: the pending handshakes drain, no thread or file descriptor is left behind, and
a real receiver still connects afterwards and its records arrive.

Only eventual conditions are asserted (bounded waits); the short handshake timeout just keeps
the waits short.
"""

from __future__ import annotations

import logging
import os
import pickle
import random
import signal
import socket
import struct
import threading

import pytest
from receiver_helpers import Counter, receiver_conf, start_tracker, wait_until

from sparklet.streaming.receiver.endpoint import (
    HANDSHAKE_TIMEOUT_KEY,
    MAX_PENDING_KEY,
    ReceiverEndpoint,
)

CAP = 8
ENDPOINT_LOG = "sparklet.streaming.receiver.endpoint"


@pytest.fixture
def ctx(make_context):
    # local[3]: the receiver holds one slot, and a lost executor's task reruns on another.
    return make_context(receiver_conf("local[3]", **{HANDSHAKE_TIMEOUT_KEY: "300ms",
                                                     MAX_PENDING_KEY: str(CAP)}))


def frame(message) -> bytes:
    data = pickle.dumps(message)
    return struct.pack("<I", len(data)) + data


def connect(address, payload: bytes = b"", half_close: bool = False) -> socket.socket:
    sock = socket.create_connection(address, timeout=60)
    if payload:
        sock.sendall(payload)
    if half_close:
        sock.shutdown(socket.SHUT_WR)
    return sock


def closed_by_driver(sock: socket.socket) -> bool:
    """True once the driver has closed its end (EOF or reset); False if it never does."""
    sock.settimeout(60)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    except TimeoutError:
        return False
    return True


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def start_receiving(sc):
    """A tracker whose receiver is storing, once all three executors are up (they start in
    the background, on threads of their own: none must start while threads are counted or
    cannot be started)."""
    tracker, _ = start_tracker(sc, {0: Counter()})
    assert tracker.wait_for_receivers(60)
    assert wait_until(lambda: len(sc._backend.executor_pids()) == 3, 60)
    assert wait_until(lambda: not [t for t in threading.enumerate()
                                   if t.name == "sparklet-executor-start"], 60)
    assert wait_until(lambda: tracker.received_records(0) > 100, 60)
    return tracker


def relaunch_receiver(sc, tracker) -> None:
    """Kill the executor under the receiver: its task reruns and must connect again."""
    executor = tracker.receiver_info(0).executorId
    before = tracker.connections(0)
    os.kill(sc._backend.executor_pids()[executor], signal.SIGKILL)
    assert wait_until(lambda: tracker.connections(0) == before + 1, 60)
    assert wait_until(lambda: tracker.receiver_info(0).active, 60)
    assert tracker.receiver_info(0).executorId != executor


def test_hostile_connections_leave_the_endpoint_serving(ctx, caplog):
    tracker = start_receiving(ctx)
    address, secret = tracker.address, tracker._secret
    rnd = random.Random(3)
    try:
        threads, fds = threading.active_count(), fd_count()

        with caplog.at_level(logging.WARNING, logger=ENDPOINT_LOG):
            # Hundreds of peers that connect and send nothing, far past the cap.
            idle = [connect(address) for _ in range(300)]
            # Pending handshakes cost no thread: none was started for any of them.
            assert threading.active_count() <= threads
            # Each is closed (refused, timed out) while the others are still open.
            assert all(closed_by_driver(sock) for sock in idle)
            assert wait_until(lambda: tracker.pending_handshakes() == 0, 60)

            # Then one misbehaving peer at a time (the cap would refuse a burst of them).
            for payload, half_close in [
                (bytes(rnd.randrange(256) for _ in range(1000)), False),  # garbage
                (b"\xff\xff\xff\xff" * 8, False),            # a huge length, no secret
                (secret + b"\xff\xff\xff\xff", False),        # the secret, a huge length
                (secret + struct.pack("<I", 0), False),       # the secret, an empty frame
                (bytes(32), False),                           # wrong secrets
                (secret[:-1] + bytes([secret[-1] ^ 1]), False),
                (b"", True),                                  # closes its side at once
                (secret[:10], True),                          # ... mid-secret
                (secret + b"\x10\x00", True),                 # ... mid-length
                (secret + struct.pack("<I", 50) + b"x" * 20, False),  # stalls mid-hello
                (secret + struct.pack("<I", 13) + b"not a pickle!", False),
                (secret + frame(("stop", "now")), False),     # a frame, but no hello
                (secret + frame(("hello", 99, "x", 0, "X", "h")), False),  # no such stream
                (secret + frame(("hello", [0], "x", 0, "X", "h")), False),
            ]:
                sock = connect(address, payload, half_close)
                assert closed_by_driver(sock), payload
                sock.close()
            reset = socket.create_connection(address)  # goes away with a reset
            reset.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            reset.close()

            assert wait_until(lambda: tracker.pending_handshakes() == 0, 60)
            assert tracker._endpoint.is_alive()
            # The receiver connected before all this is undisturbed.
            received = tracker.received_records(0)
            assert wait_until(lambda: tracker.received_records(0) > received + 100, 60)
            assert tracker.connections(0) == 1

        for sock in idle:
            sock.close()
        assert wait_until(lambda: threading.active_count() <= threads, 60)
        assert wait_until(lambda: fd_count() <= fds, 60)
        text = caplog.text
        for expected in ("handshakes are pending already", "bad secret",
                         "sent no complete handshake within 0.3 s",
                         "a hello frame of 4294967295 bytes",
                         "closed the connection during its handshake",
                         "an undecodable hello frame", "a first frame that is not a hello"):
            assert expected in text, expected

        # And a real receiver still gets in: its task, rerun, connects and stores again.
        relaunch_receiver(ctx, tracker)
        held = tracker.held_records(0)
        assert wait_until(lambda: tracker.held_records(0) > held + 100, 60)
        assert tracker.pending_handshakes() == 0
    finally:
        tracker.stop(graceful=False)
    assert not tracker._endpoint.is_alive()


def _threads_cannot_start() -> bool:
    """Whether a thread with the current (huge) stack size fails to start here."""
    try:
        probe = threading.Thread(target=lambda: None)
        probe.start()
    except RuntimeError:
        return True
    probe.join()
    return False


def test_a_thread_that_cannot_start_costs_one_connection(ctx, caplog):
    """Out of threads when a receiver's handshake completes: that connection is closed and
    the endpoint carries on (the old accept loop died there, and no receiver could ever
    connect again). The failure is real: a stack no thread can be given."""
    tracker = start_receiving(ctx)
    try:
        hello = frame(("hello", 0, "impostor", 0, "Numbers", "nowhere"))
        with caplog.at_level(logging.WARNING, logger=ENDPOINT_LOG):
            old = threading.stack_size(1 << 40)
            try:
                if not _threads_cannot_start():
                    pytest.skip("this machine gives a thread even a 1 TiB stack")
                peer = connect(tracker.address, tracker._secret + hello)
                assert closed_by_driver(peer)
                peer.close()
            finally:
                threading.stack_size(old)
        assert "could not serve the receiver connection" in caplog.text
        assert tracker._endpoint.is_alive()
        assert tracker.pending_handshakes() == 0
        # The impostor never took over the stream; the receiver there keeps storing...
        assert tracker.connections(0) == 1
        received = tracker.received_records(0)
        assert wait_until(lambda: tracker.received_records(0) > received + 100, 60)
        # ...and a relaunched one connects again.
        relaunch_receiver(ctx, tracker)
        held = tracker.held_records(0)
        assert wait_until(lambda: tracker.held_records(0) > held + 100, 60)
    finally:
        tracker.stop(graceful=False)


def test_endpoint_settings_are_checked():
    with pytest.raises(ValueError, match="maxPendingHandshakes must be at least 1"):
        ReceiverEndpoint(b"s" * 32, lambda conn, hello: None, max_pending=0)
    with pytest.raises(ValueError, match="handshakeTimeout must be positive"):
        ReceiverEndpoint(b"s" * 32, lambda conn, hello: None, handshake_timeout=0)


def test_out_of_file_descriptors_the_endpoint_waits_and_carries_on(ctx, caplog):
    """accept() failing for want of file descriptors (EMFILE) used to end the accept loop;
    now the endpoint backs off, and accepts the waiting connections once fds are free."""
    resource = pytest.importorskip("resource")
    tracker = start_receiving(ctx)
    try:
        clients = [socket.socket() for _ in range(5)]  # their fds exist before the limit
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        with caplog.at_level(logging.WARNING, logger=ENDPOINT_LOG):
            lowest_free = os.dup(0)  # every fd below this one is taken
            os.close(lowest_free)
            resource.setrlimit(resource.RLIMIT_NOFILE, (lowest_free, hard))  # none to spare
            try:
                for client in clients:  # connecting takes no new fd; accepting would
                    client.connect(tracker.address)
                assert wait_until(lambda: "cannot accept a receiver connection now"
                                  in caplog.text, 60)
            finally:
                resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
            # The queued peers are accepted now, and (sending nothing) time out.
            assert all(closed_by_driver(client) for client in clients)
        for client in clients:
            client.close()
        assert "Too many open files" in caplog.text
        assert tracker._endpoint.is_alive()
        assert wait_until(lambda: tracker.pending_handshakes() == 0, 60)
        relaunch_receiver(ctx, tracker)
    finally:
        tracker.stop(graceful=False)
