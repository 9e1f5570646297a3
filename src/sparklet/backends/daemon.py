"""Worker factory: a fresh interpreter that forks executor processes on request.

Starting an interpreter and importing sparklet costs a few hundred milliseconds; forking a
process that has already done so costs a few. The driver starts this daemon once (with the
executors' environment, ``PYTHONHASHSEED=0`` included) and asks it for a worker whenever
it needs one -- at start-up and to replace a lost one. Each request carries the socket the
new worker talks to the driver over; the reply is the worker's pid. The daemon never runs
user code itself and has no threads, so forking it is safe.

Run as ``python -m sparklet.backends.daemon FD``.
"""

from __future__ import annotations

import os
import signal
import socket
import struct
import sys

PID = struct.Struct("<q")


def main(control_fd: int) -> None:
    from multiprocessing.connection import Connection

    import sparklet.backends.worker as worker  # imported once, inherited by every fork

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped automatically
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    control = socket.socket(fileno=control_fd)
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 1)
        except OSError:
            break
        if not message or not fds:
            break  # the driver is gone
        pid = os.fork()
        if pid == 0:
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                worker.worker_main(Connection(fds[0]))
            finally:
                os._exit(0)
        os.close(fds[0])
        control.sendall(PID.pack(pid))
    os._exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]))
