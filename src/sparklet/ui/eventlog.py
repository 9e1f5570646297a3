"""The event log: every listener event of an application, one JSON object per line.

With ``spark.eventLog.enabled=true`` the driver registers an :class:`EventLoggingListener`
on its listener bus. It writes ``{spark.eventLog.dir}/{appId}.inprogress`` while the
application runs and renames it to ``{appId}`` when the application ends, so the history
server (:mod:`sparklet.ui.history`) can tell finished applications from running or crashed
ones by the name alone, as Spark's does. The lines are the SPEC's event dicts as they are,
after a first ``SparkListenerLogStart`` line naming the version that wrote them.

Like Spark, the log directory is not created: a missing directory fails the application at
start (a typo in ``spark.eventLog.dir`` should not silently scatter logs elsewhere). An
existing log for the same application id fails too, unless ``spark.eventLog.overwrite``.

Only local directories (plain paths and ``file:`` URLs) are supported: appending to and
renaming a growing file is what the log needs, and object stores offer neither.
``spark.eventLog.compress`` is accepted and ignored with a warning: Spark's codecs (lz4,
lzf, snappy, zstd) have no implementation in Python 3.11's standard library, and a gzip log
would be one no Spark tool reads.

>>> import tempfile, os
>>> d = tempfile.mkdtemp()
>>> log = EventLoggingListener({"spark.eventLog.dir": d}, "local-1")
>>> log.start()
>>> os.listdir(d)
['local-1.inprogress']
>>> log.on_event({"Event": "SparkListenerApplicationEnd", "time": 5})
>>> os.listdir(d)
['local-1']
>>> [json.loads(line)["Event"] for line in open(os.path.join(d, "local-1"))]
['SparkListenerLogStart', 'SparkListenerApplicationEnd']
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Mapping
from typing import IO, Any

from sparklet.filesystems import local_path
from sparklet.util import parse_bytes

__all__ = ["EventLoggingListener", "IN_PROGRESS", "maybe_start_event_log",
           "log_file_name", "DEFAULT_LOG_DIR"]

_log = logging.getLogger(__name__)

IN_PROGRESS = ".inprogress"
DEFAULT_LOG_DIR = "file:///tmp/spark-events"

# Events that come by the thousand (one per task or block): left in the buffer, which is
# written out when full. Every other event is flushed at once, so a history server looking
# at a running application, or the log of one that crashed, is at most a few tasks behind.
_UNFLUSHED = frozenset({"SparkListenerTaskStart", "SparkListenerTaskEnd",
                        "SparkListenerBlockUpdated", "SparkListenerExecutorMetricsUpdate",
                        "SparkletStreamingProgress", "SparkletDashboardUpdate"})

_SEPARATORS = (",", ":")


def _conf_get(conf: Any, key: str, default: str | None = None) -> str | None:
    """A key from a SparkConf or a plain mapping (both have ``get(key, default)``)."""
    if conf is None:
        return default
    value = conf.get(key, default)
    return default if value is None else str(value)


def _is_true(conf: Any, key: str, default: bool = False) -> bool:
    return (_conf_get(conf, key, str(default)) or "").strip().lower() == "true"


def _buffer_bytes(text: str) -> int:
    """``spark.eventLog.buffer.kb``: a bare number is KiB (the key's unit), else a size."""
    text = text.strip()
    return int(text) * 1024 if text.isdigit() else parse_bytes(text)


def log_file_name(app_id: str) -> str:
    """A file name safe on every file system for ``app_id`` (dots and separators become
    ``_``/``-``, as Spark's names do: the log of ``local-17`` is ``local-17``)."""
    name = re.sub(r"[ :/\\]", "-", app_id)
    return re.sub(r"[.${}'\"]", "_", name).lower()


def resolve_log_dir(url: str, key: str = "spark.eventLog.dir") -> str:
    """The local path of a log directory given as a plain path or a ``file:`` URL."""
    path = local_path(url)
    if path is None:
        raise ValueError("%s=%s: sparklet writes and reads event logs in local directories "
                         "only (a path or a file:// URL)" % (key, url))
    return path


class EventLoggingListener:
    """A listener-bus listener writing the application's events to its event log.

    ``conf`` is the application's SparkConf (or a dict of its keys), ``app_id`` its
    ``sc.applicationId``. :meth:`start` opens the log (and raises if it cannot);
    :meth:`on_event` is called by the bus thread for every event, in order;
    ``SparkListenerApplicationEnd`` (or :meth:`stop`) closes the log and drops its
    ``.inprogress`` suffix.
    """

    def __init__(self, conf: Mapping[str, str] | Any, app_id: str,
                 spark_version: str | None = None):
        self.app_id = app_id
        url = _conf_get(conf, "spark.eventLog.dir", DEFAULT_LOG_DIR) or DEFAULT_LOG_DIR
        self.log_dir_url = url
        self.log_dir = resolve_log_dir(url)
        self.overwrite = _is_true(conf, "spark.eventLog.overwrite")
        # Spark leaves block updates out unless asked: there is one per cached partition,
        # and the history server's Storage tab is empty without them, as Spark's is.
        self.log_block_updates = _is_true(conf, "spark.eventLog.logBlockUpdates.enabled")
        self.buffer_size = _buffer_bytes(_conf_get(conf, "spark.eventLog.buffer.kb", "100k")
                                         or "100k")
        if _is_true(conf, "spark.eventLog.compress"):
            _log.warning("spark.eventLog.compress=true is not supported by sparklet (none of "
                         "Spark's codecs is in Python's standard library): writing the event "
                         "log uncompressed")
        if spark_version is None:
            from sparklet.context import __version__ as spark_version  # the API level
        self.spark_version = spark_version
        #: the log's name once complete; while running it carries the ``.inprogress`` suffix
        self.log_path = os.path.join(self.log_dir, log_file_name(app_id))
        self.in_progress_path = self.log_path + IN_PROGRESS
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        self._stopped = False

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Open ``{dir}/{appId}.inprogress`` and write the ``SparkListenerLogStart`` line.

        Raises FileNotFoundError/NotADirectoryError naming ``spark.eventLog.dir`` when the
        directory is missing, FileExistsError when a log of this application id exists and
        ``spark.eventLog.overwrite`` is not set."""
        if not os.path.exists(self.log_dir):
            raise FileNotFoundError(
                "Event log directory %s does not exist: create it, or point "
                "spark.eventLog.dir at an existing directory (or set "
                "spark.eventLog.enabled=false)" % self.log_dir_url)
        if not os.path.isdir(self.log_dir):
            raise NotADirectoryError("spark.eventLog.dir=%s is not a directory"
                                     % self.log_dir_url)
        for path in (self.log_path, self.in_progress_path):
            if os.path.exists(path):
                if not self.overwrite:
                    raise FileExistsError(
                        "Target log file already exists (%s); set "
                        "spark.eventLog.overwrite=true to replace it" % path)
                _log.warning("Event log %s already exists. Overwriting...", path)
                os.remove(path)
        # Python's buffered writer writes its buffer out whenever it fills up: that is the
        # spark.eventLog.buffer.kb bound; the per-event flushes below come on top.
        self._file = open(self.in_progress_path, "x", encoding="utf-8",
                          buffering=max(self.buffer_size, 1024))
        _log.info("Logging events to %s", self.in_progress_path)
        from sparklet import __version__ as sparklet_version

        self._write({"Event": "SparkListenerLogStart", "sparkVersion": self.spark_version,
                     "sparkletVersion": sparklet_version}, flush=True)

    def on_event(self, event: dict) -> None:
        """Append ``event`` (called by the listener bus's thread, in posting order)."""
        name = event.get("Event")
        if name == "SparkListenerBlockUpdated" and not self.log_block_updates:
            return
        with self._lock:
            if self._file is None:
                return  # not started, or stopped: later events have nowhere to go
            self._write(event, flush=name not in _UNFLUSHED)
        if name == "SparkListenerApplicationEnd":
            self.stop()

    def stop(self) -> None:
        """Flush and close the log, renaming it to its final name (idempotent)."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            f, self._file = self._file, None
            if f is None:
                return
            f.close()
            if os.path.exists(self.log_path):
                if not self.overwrite:
                    # Another application of the same id finished meanwhile: keep both.
                    _log.error("Target log file already exists (%s): leaving %s", self.log_path,
                               self.in_progress_path)
                    return
                os.remove(self.log_path)
            os.replace(self.in_progress_path, self.log_path)

    @property
    def stopped(self) -> bool:
        return self._stopped

    # -- writing -----------------------------------------------------------------------------

    def _write(self, event: dict, flush: bool) -> None:
        assert self._file is not None
        # default=str: a value a producer forgot to convert (a datetime, a Time) is logged as
        # text rather than losing the whole event -- and with it the bus thread.
        self._file.write(json.dumps(event, separators=_SEPARATORS, default=str) + "\n")
        if flush:
            self._file.flush()


def maybe_start_event_log(sc: Any) -> EventLoggingListener | None:
    """What SparkContext start-up calls: with ``spark.eventLog.enabled=true``, open the
    event log and register its listener on ``sc._listener_bus``; otherwise None.

    Call it after the bus exists and before the first event is posted, so the log starts
    with ``SparkListenerApplicationStart``. Errors (missing directory, existing log)
    propagate: Spark fails the context in those cases too. ``sc.stop()`` should stop the
    returned listener after the bus delivered ``SparkListenerApplicationEnd`` (harmless if
    that already renamed the log)."""
    conf = sc._conf
    if not _is_true(conf, "spark.eventLog.enabled"):
        return None
    listener = EventLoggingListener(conf, sc.applicationId)
    listener.start()
    bus = getattr(sc, "_listener_bus", None)
    if bus is not None:
        bus.add_listener(listener)
    return listener
