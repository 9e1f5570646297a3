"""The driver <-> receiver channel: length-prefixed pickled frames over a loopback socket.

A receiver task's :class:`~sparklet.streaming.receiver.supervisor.ReceiverSupervisor` and the
driver's :class:`~sparklet.streaming.receiver.tracker.ReceiverTracker` speak it (the tracker
checks a per-tracker secret before it unpickles anything).
"""

from __future__ import annotations

import logging
import pickle
import socket

from sparklet import serializers
from sparklet.serializers import recv_exactly

__all__ = ["send_frame", "recv_frame", "recv_exactly", "close_socket"]

log = logging.getLogger(__name__)


def send_frame(sock: socket.socket, message: tuple) -> None:
    """One length-prefixed pickled message (the driver <-> receiver channel's framing)."""
    sock.sendall(serializers.frame(pickle.dumps(message, serializers.PROTOCOL)))


def close_socket(sock: socket.socket) -> None:
    """Shut a connection down both ways (waking a reader blocked on it), then close it."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def recv_frame(sock: socket.socket) -> tuple | None:
    """The next message, or None when the peer closed the connection, or it broke, or sent
    a frame that cannot be unpickled."""
    try:
        body = serializers.recv_framed(sock)
    except OSError:
        return None
    if body is None:
        return None
    try:
        return pickle.loads(body)
    except Exception as e:  # noqa: BLE001 - a frame nobody can read means a broken peer
        log.warning("dropping a receiver channel connection: a frame of %d bytes could not be "
                    "read (%s: %s)", len(body), type(e).__name__, e)
        return None
