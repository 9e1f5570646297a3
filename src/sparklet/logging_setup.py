"""Spark's log levels on Python's :mod:`logging`: defaults, ``logging.conf``, ``setLogLevel``.

Every sparklet module logs to a child of the ``sparklet`` logger, so one level there
(``sc.setLogLevel``) governs them all, as Spark's root logger level governs
``org.apache.spark.*``. When a SparkContext starts, :func:`initialize_logging` sets the
process up once, the way Spark initializes log4j once per JVM:

- ``$SPARK_CONF_DIR/logging.conf`` -- the place of Spark's ``log4j2.properties``, in
  :func:`logging.config.fileConfig` format -- is applied if present;
- otherwise the ``sparklet`` logger gets WARN, unless the application set a level on it
  first, and a console handler on stderr in Spark's layout (``yy/MM/dd HH:mm:ss LEVEL
  logger: message``) that stays silent while the root logger has handlers of its own (an
  application's ``logging.basicConfig``), so no record is shown twice.

Why WARN for applications too: Spark 4's own default profile sets the root logger to INFO,
but ``spark-submit`` -- and so ``pyspark`` and every application it runs -- starts logging
as an interpreter does, where the shell's level (WARN, the ``org.apache.spark.repl.Main``
logger's) takes over the console. sparklet applications and ``sparklet-shell`` alike
therefore start quiet; ``sparklet-shell`` prints Spark's hint line about it.

Then, on every start, ``spark.log.level`` is applied as if ``setLogLevel`` were called (as
Spark 3.5+ does).

>>> import logging
>>> spark_level("warn") == logging.WARNING, spark_level("TRACE"), spark_level("FATAL")
(True, 5, 50)
>>> spark_level("LOUD")
Traceback (most recent call last):
    ...
ValueError: Supplied level LOUD did not match one of: ALL,DEBUG,ERROR,FATAL,INFO,OFF,TRACE,WARN
"""

from __future__ import annotations

import logging
import logging.config
import os
import sys
import threading

__all__ = ["CONF_FILE", "DEFAULT_LEVEL", "LEVELS", "TRACE", "initialize_logging",
           "set_log_level", "spark_level"]

#: log4j's TRACE, below DEBUG; Python has none of its own
TRACE = 5
#: above every level a record is logged at (CRITICAL, which is FATAL), so nothing passes
OFF = logging.CRITICAL + 10
#: Spark's level names (``SparkContext.VALID_LOG_LEVELS``) and the numbers they map to. ALL
#: is 1, not NOTSET: a NOTSET logger would take its level from the root logger.
LEVELS = {"ALL": 1, "DEBUG": logging.DEBUG, "ERROR": logging.ERROR, "FATAL": logging.FATAL,
          "INFO": logging.INFO, "OFF": OFF, "TRACE": TRACE, "WARN": logging.WARNING}
DEFAULT_LEVEL = "WARN"
#: the file in ``$SPARK_CONF_DIR`` applied at the first SparkContext start
CONF_FILE = "logging.conf"
LOGGER = "sparklet"

logging.addLevelName(TRACE, "TRACE")
logging.addLevelName(OFF, "OFF")

_lock = threading.Lock()
_initialized = False
#: whether the default level was applied (sparklet-shell then prints Spark's hint)
default_level_applied = False


def spark_level(name: str) -> int:
    """The :mod:`logging` level of Spark log level ``name`` (any case); ValueError, with
    Spark's message, for a name Spark does not know."""
    level = LEVELS.get(str(name).upper())
    if level is None:
        raise ValueError("Supplied level %s did not match one of: %s"
                         % (name, ",".join(sorted(LEVELS))))
    return level


def set_log_level(name: str) -> None:
    """Set the ``sparklet`` logger -- and so every ``sparklet.*`` logger without a level of
    its own -- to Spark log level ``name``; what ``SparkContext.setLogLevel`` does."""
    logging.getLogger(LOGGER).setLevel(spark_level(name))


class _SparkFormatter(logging.Formatter):
    """Spark's console layout, with log4j's level names (WARN, FATAL)."""

    _NAMES = {logging.WARNING: "WARN", logging.CRITICAL: "FATAL"}

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(sparkLevel)s %(name)s: %(message)s",
                         datefmt="%y/%m/%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        record.sparkLevel = self._NAMES.get(record.levelno, record.levelname)
        return super().format(record)


class ConsoleHandler(logging.StreamHandler):
    """sparklet's default console handler: stderr (as it is at each record, so a
    redirected ``sys.stderr`` gets it), and nothing while the root logger has handlers,
    which the record reaches anyway."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(_SparkFormatter())

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:  # StreamHandler.__init__ assigns one
        pass

    def emit(self, record: logging.LogRecord) -> None:
        if not logging.getLogger().handlers:
            super().emit(record)


def _conf_file() -> str | None:
    conf_dir = os.environ.get("SPARK_CONF_DIR")
    path = os.path.join(conf_dir, CONF_FILE) if conf_dir else None
    return path if path and os.path.isfile(path) else None


def initialize_logging(conf=None) -> None:
    """Called when a SparkContext starts: the once-per-process set-up above, then
    ``spark.log.level`` from ``conf`` (a SparkConf) if set."""
    global _initialized, default_level_applied
    with _lock:
        if not _initialized:
            logger = logging.getLogger(LOGGER)
            path = _conf_file()
            if path is not None:
                # Loggers created before (every sparklet module's) keep working.
                logging.config.fileConfig(path, disable_existing_loggers=False)
            else:  # as Spark's default profile, which a log4j2.properties replaces
                if logger.level == logging.NOTSET:
                    logger.setLevel(spark_level(DEFAULT_LEVEL))
                    default_level_applied = True
                if not logger.handlers:
                    logger.addHandler(ConsoleHandler())
            _initialized = True
    level = conf.get("spark.log.level") if conf is not None else None
    if level:
        set_log_level(level)


def _uninitialize() -> None:
    """Forget the set-up (for tests, as Spark's ``Logging.uninitialize``): the next start
    applies it afresh."""
    global _initialized, default_level_applied
    with _lock:
        logger = logging.getLogger(LOGGER)
        for handler in [h for h in logger.handlers if isinstance(h, ConsoleHandler)]:
            logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
        _initialized = default_level_applied = False
