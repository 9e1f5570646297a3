"""Worker factory: a fresh interpreter that forks executor processes on request.

Starting an interpreter and importing sparklet costs a few hundred milliseconds; forking a
process that has already done so costs a few. Each backend starts one daemon (with the
executors' environment, ``PYTHONHASHSEED=0`` included) and asks it for a worker whenever
it needs one -- at start-up and to replace a lost one. The daemon never runs user code
itself and has no threads, so forking it is safe.

Protocol over the control socket (fixed-size records, so a stream socket needs no framing):

- driver -> daemon: ``REQUEST`` ``(b"w", 0)`` with the new worker's socket attached as a
  file descriptor (fork one), or ``(b"k", pid)`` (SIGKILL that worker, if still ours).
- daemon -> driver: ``REPORT`` ``(b"p", pid, 0)`` answers a fork; ``(b"x", pid, status)``
  reports that a worker exited, with its ``waitpid`` status, so the driver can say why an
  executor was lost (exit code, or the signal that killed it).

Dying with the driver. The fork chain is driver -> daemon -> workers, and a worker busy in
a hung task never reads its socket, so neither link may rely on the driver to clean up:

- The daemon watches the driver: end of file on the control socket (the kernel closes it
  when the driver dies, however it dies), or its parent pid changing (in case a process
  forked from the driver still holds a copy of the socket). It then SIGKILLs and reaps
  every worker, removes the application's scratch directory and exits. ``PR_SET_PDEATHSIG``
  is not used for this link: it fires when the *thread* that started the daemon exits,
  and the driver starts it from whichever thread creates the backend.
- Each worker asks the kernel for SIGKILL when its parent -- the daemon, whose one thread
  forked it and lives as long as it does -- dies (``PR_SET_PDEATHSIG``, Linux). Where that
  call is not available a watchdog thread polls the parent pid instead.

Run as ``python -m sparklet.backends.daemon FD DRIVER_PID LOCAL_DIR``.
"""

from __future__ import annotations

import gc
import os
import select
import shutil
import signal
import socket
import struct
import sys
import threading
import traceback

REQUEST = struct.Struct("<cq")
REPORT = struct.Struct("<cqi")

# How often the daemon (and a worker without PR_SET_PDEATHSIG) checks that its parent lives;
# end of file on the control socket is noticed at once, this only backs it up.
_WATCH_INTERVAL = 1.0
_PR_SET_PDEATHSIG = 1
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
_MMAP_THRESHOLD = 4 << 20
_TRIM_THRESHOLD = 1 << 20


def _set_parent_death_signal(sig: int) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _fix_malloc_thresholds() -> None:
    """Keep glibc from holding on to freed memory in executors (Linux; inherited by forks).

    By default glibc raises its mmap threshold to the size of every large block freed (up
    to 32 MiB) and its trim threshold to twice that. An executor frees multi-megabyte
    blocks all the time (a state map's table, a shuffle's pickled chunks), after which such
    blocks come from the heap and tens of megabytes stay resident once freed: with 10^6
    keys of streaming state, 10 MiB per worker. Fixed thresholds (which also stop the
    adjustment) hand every block of 4 MiB or more back to the system when freed and trim
    the heap's free top above 1 MiB.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return
    mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
    mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        threading.Event().wait(_WATCH_INTERVAL)
    os._exit(1)


def die_with_parent(parent_pid: int) -> None:
    """Make this process end when ``parent_pid`` (its parent) does."""
    if not _set_parent_death_signal(signal.SIGKILL):
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True,
                         name="sparklet-parent-watch").start()
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


def _recv_request(control: socket.socket) -> tuple[bytes, int, list[int]] | None:
    """One request and the descriptors sent with it; None once the driver is gone."""
    try:
        data, fds, _, _ = socket.recv_fds(control, REQUEST.size, 1)
        while data and len(data) < REQUEST.size:
            more = control.recv(REQUEST.size - len(data))
            if not more:
                return None
            data += more
    except OSError:
        return None
    if not data:
        return None
    kind, arg = REQUEST.unpack(data)
    return kind, arg, fds


class _Daemon:
    def __init__(self, control: socket.socket, driver_pid: int, local_dir: str):
        self.control = control
        self.driver_pid = driver_pid
        self.local_dir = local_dir
        self.children: set[int] = set()
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)

    def report(self, kind: bytes, pid: int, status: int) -> bool:
        try:
            self.control.sendall(REPORT.pack(kind, pid, status))
        except OSError:
            return False  # the driver is gone; the main loop notices on its next turn
        return True

    def reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.children.discard(pid)
            self.report(b"x", pid, status)

    def driver_alive(self) -> bool:
        return os.getppid() == self.driver_pid

    def serve(self, worker_main) -> None:
        while self.driver_alive():
            ready, _, _ = select.select([self.control, self.wake_r], [], [], _WATCH_INTERVAL)
            if self.wake_r in ready:
                try:
                    while os.read(self.wake_r, 512):
                        pass
                except BlockingIOError:
                    pass
            self.reap()
            if self.control not in ready:
                continue
            request = _recv_request(self.control)
            if request is None:
                return  # the driver closed the socket (stop) or died
            kind, arg, fds = request
            if kind == b"w" and fds:
                pid = self.fork(worker_main, fds[0])
                os.close(fds[0])
                for extra in fds[1:]:
                    os.close(extra)
                self.children.add(pid)
                self.report(b"p", pid, 0)
            elif kind == b"k" and arg in self.children:  # never a pid reused by a stranger
                try:
                    os.kill(arg, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            else:
                for fd in fds:
                    os.close(fd)

    def fork(self, worker_main, fd: int) -> int:
        parent = os.getpid()
        pid = os.fork()
        if pid:
            return pid
        code = 1
        try:
            signal.set_wakeup_fd(-1)  # before closing the pipe it points at
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.close(self.wake_r)
            os.close(self.wake_w)
            self.control.close()
            die_with_parent(parent)
            from multiprocessing.connection import Connection

            worker_main(Connection(fd))
            code = 0
        except BaseException:  # noqa: BLE001 - report, then leave without running cleanups
            traceback.print_exc()
        finally:
            os._exit(code)

    def shutdown(self) -> None:
        """Leave no worker and no scratch file behind, then exit."""
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in list(self.children):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        if self.local_dir:
            shutil.rmtree(self.local_dir, ignore_errors=True)


def main(control_fd: int, driver_pid: int, local_dir: str) -> None:
    _fix_malloc_thresholds()
    import sparklet.backends.worker as worker  # imported once, inherited by every fork

    # What the forks inherit stays out of their garbage collections: a collection writes to
    # every object it scans, which would copy the shared pages into each worker.
    gc.freeze()

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    daemon = _Daemon(socket.socket(fileno=control_fd), driver_pid, local_dir)
    # Exits are reaped (and reported) by the main loop, woken through the pipe.
    signal.set_wakeup_fd(daemon.wake_w)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    try:
        if daemon.driver_alive():
            daemon.serve(worker.worker_main)
    finally:
        daemon.shutdown()
        os._exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "")
