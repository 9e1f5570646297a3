"""The driver's receiver endpoint: where receiver tasks connect, and where anything else that
connects is turned away.

A receiver task opens its connection with the tracker's secret and a ``("hello", ...)``
frame (see :mod:`~sparklet.streaming.receiver.channel`); only then does the connection get a
thread of its own (``serve(conn, hello)``). Until then it is a *pending handshake*, and all
of them share the endpoint's one thread (non-blocking sockets on a selector), so a peer that
is not a receiver -- a port scanner, a confused client, a hostile local process -- costs no
thread at all. Each pending handshake has a deadline
(``spark.sparklet.streaming.receiver.handshakeTimeout``, 10s) and at most
``spark.sparklet.streaming.receiver.maxPendingHandshakes`` (64) are pending at a time: more
are closed at once. Nothing a connection does stops the endpoint accepting the next one:
sending nothing, garbage, a huge length prefix, the wrong secret, closing half way, or a
thread that cannot be started costs only that connection (with a warning; repeated warnings
of one kind are summarized every 10 seconds).
"""

from __future__ import annotations

import errno
import hmac
import logging
import pickle
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sparklet.streaming.receiver.channel import close_socket

__all__ = ["ReceiverEndpoint", "HANDSHAKE_TIMEOUT_KEY", "MAX_PENDING_KEY", "SECRET_LENGTH"]

log = logging.getLogger(__name__)

HANDSHAKE_TIMEOUT_KEY = "spark.sparklet.streaming.receiver.handshakeTimeout"
MAX_PENDING_KEY = "spark.sparklet.streaming.receiver.maxPendingHandshakes"
SECRET_LENGTH = 32
# A hello is a handful of short strings and numbers; a longer one is not from a receiver.
MAX_HELLO_BYTES = 64 * 1024
_LENGTH_BYTES = 4
# Running out of file descriptors (or kernel memory) makes accept fail until some close:
# stop watching the listening socket this long instead of spinning on it.
_ACCEPT_BACKOFF = 0.1
_RESOURCE_ERRORS = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
_WARN_EVERY = 10.0
# How often the loop looks whether its listening socket was closed under it.
_POLL = 1.0


@dataclass(eq=False)
class _Handshake:
    conn: socket.socket
    peer: str
    deadline: float
    phase: str = "secret"           # then "length", then "hello"
    need: int = SECRET_LENGTH
    data: bytearray = field(default_factory=bytearray)


class ReceiverEndpoint:
    """Accepts receiver connections on a loopback port and hands each one that proves
    itself (secret, then a hello frame) to ``serve(conn, hello)`` on a new thread.

    >>> served = []
    >>> def serve(conn, hello):
    ...     served.append(hello)
    ...     conn.close()
    >>> endpoint = ReceiverEndpoint(b"s" * 32, serve)
    >>> endpoint.start()
    >>> import pickle, socket, struct
    >>> hello = pickle.dumps(("hello", 0))
    >>> with socket.create_connection(endpoint.address) as peer:
    ...     peer.sendall(b"s" * 32 + struct.pack("<I", len(hello)) + hello)
    ...     peer.recv(1)            # served, then closed by serve
    b''
    >>> served, endpoint.pending
    ([('hello', 0)], 0)
    >>> endpoint.close()
    """

    def __init__(self, secret: bytes, serve: Callable[[socket.socket, tuple], None],
                 handshake_timeout: float = 10.0, max_pending: int = 64,
                 host: str = "127.0.0.1"):
        if len(secret) != SECRET_LENGTH:
            raise ValueError(f"the secret must be {SECRET_LENGTH} bytes")
        if handshake_timeout <= 0:
            raise ValueError(f"{HANDSHAKE_TIMEOUT_KEY} must be positive, got "
                             f"{handshake_timeout}")
        if max_pending < 1:
            raise ValueError(f"{MAX_PENDING_KEY} must be at least 1, got {max_pending}")
        self._secret = secret
        self._serve = serve
        self.handshake_timeout = handshake_timeout
        self.max_pending = max_pending
        self.server = socket.create_server((host, 0), backlog=128)
        self.server.setblocking(False)
        self.address: tuple[str, int] = self.server.getsockname()[:2]
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._pending: dict[socket.socket, _Handshake] = {}
        self._closed = False
        self._warned: dict[str, list] = {}   # kind -> [time of last warning, suppressed]
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="sparklet-receiver-endpoint")

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._selector.register(self.server, selectors.EVENT_READ)
        self._thread.start()

    @property
    def pending(self) -> int:
        """How many connections are in their handshake now."""
        return len(self._pending)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def close(self) -> None:
        """Stop accepting: the listening socket and every pending handshake are closed
        (connections already served are their ``serve``'s to close)."""
        self._closed = True
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(10)
        if not self._thread.is_alive():
            self._release()

    # -- the loop --------------------------------------------------------------------------

    def _run(self) -> None:
        resume_accept = None
        try:
            while not self._closed and self.server.fileno() != -1:
                try:
                    resume_accept = self._step(resume_accept)
                except Exception:  # noqa: BLE001 - one bad turn must not end accepting
                    log.exception("receiver endpoint: unexpected error; carrying on")
                    time.sleep(_ACCEPT_BACKOFF)  # not a hot loop if it repeats
        finally:
            self._release()

    def _step(self, resume_accept: float | None) -> float | None:
        now = time.monotonic()
        if resume_accept is not None and now >= resume_accept:
            self._selector.register(self.server, selectors.EVENT_READ)
            resume_accept = None
        for state in [s for s in self._pending.values() if s.deadline <= now]:
            self._drop(state, "timeout", "sent no complete handshake within %.1f s",
                       self.handshake_timeout)
        wake = [_POLL] + [s.deadline - now for s in self._pending.values()]
        if resume_accept is not None:
            wake.append(resume_accept - now)
        for key, _ in self._selector.select(max(0.0, min(wake))):
            if key.fileobj is self._wake_r:
                try:
                    self._wake_r.recv(64)
                except OSError:
                    pass
            elif key.fileobj is self.server:
                if not self._accept():
                    self._selector.unregister(self.server)
                    resume_accept = time.monotonic() + _ACCEPT_BACKOFF
            else:
                state = self._pending.get(key.fileobj)
                if state is not None:
                    self._read(state)
        return resume_accept

    def _accept(self) -> bool:
        """Accept what is waiting; False when out of resources (back off a little)."""
        for _ in range(256):  # then let the pending handshakes have a turn
            try:
                conn, peer = self.server.accept()
            except BlockingIOError:
                return True
            except OSError as e:
                if self._closed or self.server.fileno() == -1:
                    return True
                if e.errno in _RESOURCE_ERRORS:
                    self._warn("resources", "cannot accept a receiver connection now (%s); "
                               "retrying", e)
                    return False
                continue  # e.g. ECONNABORTED: that peer is gone already
            peer_name = "%s:%s" % peer[:2]
            if len(self._pending) >= self.max_pending:
                self._warn("full", "refused a connection from %s: %d handshakes are pending "
                           "already (%s)", peer_name, len(self._pending), MAX_PENDING_KEY)
                conn.close()
                continue
            try:
                conn.setblocking(False)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                state = _Handshake(conn, peer_name, time.monotonic() + self.handshake_timeout)
                self._selector.register(conn, selectors.EVENT_READ)
            except (OSError, ValueError) as e:
                self._warn("setup", "dropped a connection from %s: %s", peer_name, e)
                conn.close()
                continue
            self._pending[conn] = state
        return True

    def _read(self, state: _Handshake) -> None:
        try:
            # Never more than this phase needs: what follows the hello is serve()'s to read.
            chunk = state.conn.recv(state.need - len(state.data))
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            self._drop(state, "broken", "connection broke during its handshake: %s", e)
            return
        if not chunk:
            self._drop(state, "closed", "closed the connection during its handshake "
                       "(%d of %d bytes of its %s)", len(state.data), state.need, state.phase)
            return
        state.data += chunk
        if len(state.data) < state.need:
            return
        data, state.data = bytes(state.data), bytearray()
        if state.phase == "secret":
            if not hmac.compare_digest(data, self._secret):
                self._drop(state, "secret", "bad secret")
                return
            state.phase, state.need = "length", _LENGTH_BYTES
        elif state.phase == "length":
            size = int.from_bytes(data, "little")
            if not 0 < size <= MAX_HELLO_BYTES:
                self._drop(state, "length", "a hello frame of %d bytes (at most %d)", size,
                           MAX_HELLO_BYTES)
                return
            state.phase, state.need = "hello", size
        else:
            try:
                hello = pickle.loads(data)  # the peer knows the secret: one of our tasks
            except Exception as e:  # noqa: BLE001 - any undecodable hello is refused
                self._drop(state, "hello", "an undecodable hello frame (%s: %s)",
                           type(e).__name__, e)
                return
            if not isinstance(hello, tuple) or not hello or hello[0] != "hello":
                self._drop(state, "not-hello", "a first frame that is not a hello")
                return
            self._hand_over(state, hello)

    def _hand_over(self, state: _Handshake, hello: tuple) -> None:
        self._forget(state)
        conn = state.conn
        try:
            conn.setblocking(True)
            threading.Thread(target=self._serve_guarded, args=(conn, hello), daemon=True,
                             name="sparklet-receiver-conn").start()
        except (RuntimeError, OSError) as e:
            # Out of threads (or memory for one): this receiver's task sees its connection
            # close and is launched again later; the endpoint carries on.
            self._warn("thread", "could not serve the receiver connection from %s: %s",
                       state.peer, e)
            close_socket(conn)

    def _serve_guarded(self, conn: socket.socket, hello: tuple) -> None:
        try:
            self._serve(conn, hello)
        except Exception:  # noqa: BLE001 - logged; the connection is closed either way
            log.exception("serving the receiver connection of %r failed", hello[:2])
            close_socket(conn)

    # -- bookkeeping -----------------------------------------------------------------------

    def _forget(self, state: _Handshake) -> None:
        self._pending.pop(state.conn, None)
        try:
            self._selector.unregister(state.conn)
        except (KeyError, ValueError):
            pass

    def _drop(self, state: _Handshake, kind: str, why: str, *args) -> None:
        self._forget(state)
        close_socket(state.conn)
        self._warn(kind, "rejected a connection to the receiver endpoint from %s: " + why,
                   state.peer, *args)

    def _warn(self, kind: str, message: str, *args) -> None:
        """WARNING, at most once every 10 s per kind (then with how many were not logged)."""
        now = time.monotonic()
        last = self._warned.setdefault(kind, [float("-inf"), 0])
        if now - last[0] < _WARN_EVERY:
            last[1] += 1
            return
        suppressed, last[0], last[1] = last[1], now, 0
        if suppressed:
            message += " (and %d more like it)"
            args += (suppressed,)
        log.warning(message, *args)

    def _release(self) -> None:
        for state in list(self._pending.values()):
            self._forget(state)
            close_socket(state.conn)
        for sock in (self.server, self._wake_r, self._wake_w):
            sock.close()
        try:
            self._selector.close()
        except (OSError, ValueError):
            pass
