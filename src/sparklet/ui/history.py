"""The history server: the web UI and REST API of finished (and running) applications,
rebuilt from their event logs.

:class:`FsHistoryProvider` watches a log directory (``spark.history.fs.logDirectory``)
written by :mod:`sparklet.ui.eventlog`. Each log is replayed into an ``AppStatusStore`` --
the very store a live UI builds from the same events on the bus -- so a page or API answer
about a finished application is what the live UI showed. A complete log (``{appId}``) is a
finished application; a ``{appId}.inprogress`` one is running, or crashed: both are listed,
as incomplete. A last line cut off by a crash is ignored.

Logs are cached by (path, size, mtime) and the directory is rescanned on a request when the
last scan is older than ``spark.history.fs.update.interval`` (10s): a log that grew is
replayed from where the last replay stopped, a changed one from the start.

Run it with ``sparklet history DIR`` (or ``sparklet-history-server DIR``, or
``python -m sparklet.ui.history DIR``); ``--port`` defaults to ``spark.history.ui.port``
(18080), ``--host`` to 127.0.0.1, ``--token`` to ``spark.ui.auth.token``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sparklet.ui.eventlog import DEFAULT_LOG_DIR, IN_PROGRESS, resolve_log_dir
from sparklet.util import parse_seconds

__all__ = ["FsHistoryProvider", "HistoryServer", "add_arguments", "run", "main",
           "replay"]

_log = logging.getLogger(__name__)

DEFAULT_PORT = 18080
DEFAULT_UPDATE_INTERVAL = "10s"
_HEAD_BYTES = 1024  # the LogStart and ApplicationStart lines: unique to one application


def _store_factory(conf: dict[str, str] | None) -> Callable[[], Any]:
    """Empty stores for replays, retaining what ``conf`` says (``spark.ui.retained*``)."""
    from sparklet.ui.store import AppStatusStore

    return lambda: AppStatusStore(conf, live=False)


def replay(lines: bytes, store: Any, *, final: bool) -> int:
    """Feed the complete JSON lines of ``lines`` to ``store.on_event``; returns how many
    bytes were consumed. A trailing fragment without a newline is left unconsumed (the
    writer may be in the middle of it), unless ``final``, when it is parsed if it is a whole
    object and dropped otherwise. A malformed line elsewhere is skipped with a warning."""
    consumed = 0
    while consumed < len(lines):
        end = lines.find(b"\n", consumed)
        if end < 0:
            if not final:
                break
            end = len(lines)
        raw = lines[consumed:end]
        consumed = min(end + 1, len(lines))
        if not raw.strip():
            continue
        try:
            event = json.loads(raw)
        except ValueError:
            if consumed < len(lines) or raw.endswith(b"}"):
                _log.warning("skipping a malformed event log line: %.80r", raw)
            continue  # else: the last line, cut off by a crash
        if not isinstance(event, dict) or "Event" not in event:
            continue
        try:
            store.on_event(event)
        except Exception:  # one event the store cannot take must not hide the application
            _log.exception("event %s could not be replayed", event.get("Event"))
    return consumed


@dataclass
class _Log:
    """One application's log as last replayed."""

    app_id: str
    path: str
    size: int
    mtime_ns: int
    inode: int
    offset: int  # bytes replayed
    store: Any
    head: bytes = b""  # the file's first bytes: tells a grown log from a new one

    @property
    def completed_file(self) -> bool:
        return not self.path.endswith(IN_PROGRESS)


class FsHistoryProvider:
    """The StoreProvider of the history server: one replayed store per event log.

    ``get(app_id)`` and ``list()`` are what ``sparklet.ui.server``/``sparklet.ui.api`` call;
    both rescan the directory when the last scan is older than ``update_interval`` seconds
    (0: on every call; :meth:`refresh` forces one). ``store_factory`` makes the empty store a
    log is replayed into (default ``AppStatusStore(conf, live=False)``: the history
    server's configuration decides how many jobs, stages, tasks and batches it keeps)."""

    def __init__(self, log_dir: str, *, update_interval: float = 10.0,
                 store_factory: Callable[[], Any] | None = None,
                 conf: dict[str, str] | None = None):
        self.log_dir_url = log_dir
        self.log_dir = resolve_log_dir(log_dir, "spark.history.fs.logDirectory")
        if not os.path.isdir(self.log_dir):
            raise FileNotFoundError("Log directory specified does not exist: %s "
                                    "(spark.history.fs.logDirectory)" % log_dir)
        self.update_interval = update_interval
        self._store_factory = store_factory or _store_factory(conf)
        self._logs: dict[str, _Log] = {}
        self._lock = threading.RLock()
        self._last_scan: float | None = None

    # -- the StoreProvider interface --------------------------------------------------------

    def get(self, app_id: str) -> Any | None:
        self._maybe_refresh()
        with self._lock:
            entry = self._logs.get(app_id)
            if entry is None or entry.store.app_id != app_id:
                # the id as the store knows it, should the file have been renamed
                entry = next((e for e in self._logs.values() if e.store.app_id == app_id),
                             None)
            return None if entry is None else entry.store

    def list(self) -> list[Any]:
        """Every application, the latest started first (the history page's order). Files
        without a ``SparkListenerApplicationStart`` (not event logs, or empty ones) are not
        applications and are left out, as Spark's history server does."""
        self._maybe_refresh()
        with self._lock:
            entries = [e for e in self._logs.values() if e.store.app_id is not None]
        return [e.store for e in sorted(entries, key=self._start_time, reverse=True)]

    # -- scanning ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Rescan the directory now: new logs are replayed, grown ones continued, changed
        ones replayed afresh and vanished ones dropped."""
        with self._lock:
            found: dict[str, str] = {}
            with os.scandir(self.log_dir) as it:
                for entry in it:
                    if not entry.is_file() or entry.name.startswith("."):
                        continue
                    app_id = entry.name.removesuffix(IN_PROGRESS)
                    # A complete log wins over a stale in-progress one of the same app.
                    if app_id not in found or not entry.name.endswith(IN_PROGRESS):
                        found[app_id] = entry.path
            for app_id in list(self._logs):
                if app_id not in found:
                    del self._logs[app_id]
            for app_id, path in found.items():
                try:
                    self._load(app_id, path)
                except OSError as e:  # removed or renamed while we looked: next scan
                    _log.debug("cannot read %s: %s", path, e)
            self._last_scan = time.monotonic()

    def _maybe_refresh(self) -> None:
        last = self._last_scan
        if last is None or time.monotonic() - last >= self.update_interval:
            self.refresh()

    def _load(self, app_id: str, path: str) -> None:
        st = os.stat(path)
        old = self._logs.get(app_id)
        if old is not None and (old.path, old.size, old.mtime_ns) == (path, st.st_size,
                                                                      st.st_mtime_ns):
            return
        with open(path, "rb") as f:
            # The same file (an in-progress log that grew, or was renamed on completion) is
            # continued from where its replay stopped; anything else -- also a new log that
            # got a deleted one's inode -- is replayed from scratch.
            if (old is not None and old.inode == st.st_ino and st.st_size >= old.offset
                    and f.read(len(old.head)) == old.head):
                entry, start = old, old.offset
            else:
                entry = _Log(app_id, path, 0, 0, st.st_ino, 0, self._store_factory())
                start = 0
            f.seek(start)
            data = f.read()
        if start == 0:
            entry.head = data[:_HEAD_BYTES]
        final = not path.endswith(IN_PROGRESS)
        entry.offset = start + replay(data, entry.store, final=final)
        entry.path, entry.size, entry.mtime_ns = path, start + len(data), st.st_mtime_ns
        self._logs[app_id] = entry

    @staticmethod
    def _start_time(entry: _Log) -> Any:
        try:
            attempts = entry.store.application_info().get("attempts") or [{}]
            return attempts[0].get("startTimeEpoch") or 0
        except Exception:
            return 0

    def log_paths(self) -> dict[str, str]:
        """``{app id: log path}`` of the applications found (for tests and tools)."""
        self._maybe_refresh()
        with self._lock:
            return {k: e.path for k, e in self._logs.items()}


class HistoryServer:
    """A running history server: the provider, the web app and its uvicorn thread.

    ``app_factory``/``server_factory`` default to ``sparklet.ui.server``'s ``create_app``
    and ``UIServer``; ``store_factory`` to ``AppStatusStore(live=False)``."""

    def __init__(self, log_dir: str, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 token: str | None = None, update_interval: float = 10.0,
                 store_factory: Callable[[], Any] | None = None,
                 app_factory: Callable[..., Any] | None = None,
                 server_factory: Callable[..., Any] | None = None,
                 conf: dict[str, str] | None = None):
        self.provider = FsHistoryProvider(log_dir, update_interval=update_interval,
                                          store_factory=store_factory, conf=conf)
        if app_factory is None:
            from sparklet.ui.server import create_app as app_factory
        if server_factory is None:
            from sparklet.ui.server import UIServer as server_factory

        self.app = app_factory(self.provider, history=True, token=token)
        self._server = server_factory(self.app, host=host, port=port)
        self.port: int | None = None

    def start(self) -> str:
        """Bind and serve from a daemon thread; returns the URL."""
        self.port = self._server.start()
        return self.url

    @property
    def url(self) -> str:
        return self._server.url

    def stop(self) -> None:
        self._server.stop()


# -- command line ----------------------------------------------------------------------------

def add_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The history server's options (shared by ``sparklet history`` and
    ``sparklet-history-server``)."""
    p.add_argument("log_dir", nargs="?", metavar="DIR",
                   help="the event log directory (default: spark.history.fs.logDirectory, "
                        "else %s)" % DEFAULT_LOG_DIR)
    p.add_argument("--host", default=None,
                   help="address to bind (default: spark.ui.host, else 127.0.0.1)")
    p.add_argument("--port", type=int, default=None,
                   help="port (default: spark.history.ui.port, else %d; 0: any free port)"
                        % DEFAULT_PORT)
    p.add_argument("--token", default=None,
                   help="require this bearer token (default: spark.ui.auth.token)")
    p.add_argument("--update-interval", default=None, metavar="DURATION",
                   help="rescan the directory at most this often, e.g. 10s "
                        "(default: spark.history.fs.update.interval, else 10s)")
    return p


def _defaults() -> dict[str, str]:
    """spark-defaults.conf and sparklet-submit's configuration, as SparkConf() loads them."""
    from sparklet.conf import SparkConf

    return dict(SparkConf().getAll())


def run(args: argparse.Namespace, *, ready: Callable[[HistoryServer], None] | None = None,
        stop_event: threading.Event | None = None) -> int:
    """Start the server from parsed ``args``, print its URL and serve until Ctrl-C (or
    ``stop_event``)."""
    conf = _defaults()
    log_dir = args.log_dir or conf.get("spark.history.fs.logDirectory") or DEFAULT_LOG_DIR
    port = args.port if args.port is not None else int(
        conf.get("spark.history.ui.port", DEFAULT_PORT))
    host = args.host or conf.get("spark.ui.host") or "127.0.0.1"
    token = args.token or conf.get("spark.ui.auth.token") or None
    interval = parse_seconds(args.update_interval or conf.get(
        "spark.history.fs.update.interval", DEFAULT_UPDATE_INTERVAL))
    try:
        server = HistoryServer(log_dir, host=host, port=port, token=token,
                               update_interval=interval, conf=conf)
    except (FileNotFoundError, ValueError) as e:
        print("sparklet history: %s" % e, file=sys.stderr)
        return 2
    url = server.start()
    print("History server for %s listening on %s" % (server.provider.log_dir, url),
          flush=True)
    if ready is not None:
        ready(server)
    stop_event = stop_event or threading.Event()
    try:
        while not stop_event.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    """``sparklet-history-server [DIR] [--host H] [--port P] [--token T]``."""
    p = add_arguments(argparse.ArgumentParser(
        prog="sparklet-history-server",
        description="Serve the web UI of finished and running applications from their "
                    "event logs."))
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
