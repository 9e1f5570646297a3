"""SparkConf: an application's configuration, Spark's ``spark.*`` keys as plain strings.

Defaults come from ``$SPARK_CONF_DIR/spark-defaults.conf`` (the same "key value" file Spark
reads) and from the ``--conf`` pairs that ``sparklet-submit`` passes down in
``SPARKLET_SUBMIT_CONF``.
"""

from __future__ import annotations

import os
import re
from typing import overload

from sparklet.internal import units
from sparklet.util import parse_bytes, parse_seconds  # noqa: F401  (callers import them here)

__all__ = ["SparkConf"]

_DEFAULTS_FILE = "spark-defaults.conf"
# sparklet-submit hands --conf pairs to the application through this variable (one per line).
SUBMIT_CONF_ENV = "SPARKLET_SUBMIT_CONF"


def _read_defaults_file(path: str) -> list[tuple[str, str]]:
    """Parse a spark-defaults.conf: ``key value`` or ``key=value`` lines, ``#`` comments."""
    pairs = []
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"(\S+?)\s*(?:=|\s)\s*(.*)$", line)
            if m is None:
                pairs.append((line, ""))
            else:
                pairs.append((m.group(1), m.group(2).strip()))
    return pairs


def load_default_pairs() -> list[tuple[str, str]]:
    """``spark.*`` defaults visible to this process, lowest precedence first: under
    sparklet-submit, the properties it resolved (spark-defaults.conf included, unless a
    ``--properties-file`` replaced it), else ``$SPARK_CONF_DIR/spark-defaults.conf``."""
    pairs: list[tuple[str, str]] = []
    submitted = os.environ.get(SUBMIT_CONF_ENV)
    conf_dir = os.environ.get("SPARK_CONF_DIR")
    if conf_dir and submitted is None:
        path = os.path.join(conf_dir, _DEFAULTS_FILE)
        if os.path.isfile(path):
            pairs.extend(_read_defaults_file(path))
    if submitted:
        for line in submitted.splitlines():
            key, sep, value = line.partition("=")
            if sep:
                pairs.append((key, value))
    return [(k, v) for k, v in pairs if k.startswith("spark.")]


class SparkConf:
    """Configuration for a Spark application, as key-value pairs.

    >>> conf = SparkConf(loadDefaults=False).setMaster("local[2]").setAppName("demo")
    >>> conf.set("spark.executor.memory", 512).get("spark.executor.memory")
    '512'
    >>> conf.get("spark.missing", "fallback")
    'fallback'
    >>> print(conf.toDebugString())
    spark.app.name=demo
    spark.executor.memory=512
    spark.master=local[2]
    """

    def __init__(self, loadDefaults: bool = True, _jvm=None, _jconf=None):
        self._conf: dict[str, str] = {}
        if _jconf is not None:  # a SparkConf or dict handed over internally
            self._conf.update(dict(_jconf.getAll() if isinstance(_jconf, SparkConf) else _jconf))
        elif loadDefaults:
            self.setAll(load_default_pairs())

    def set(self, key: str, value) -> SparkConf:
        """Set a configuration property (stored as a string, like Spark's)."""
        self._conf[key] = str(value)
        return self

    def setIfMissing(self, key: str, value) -> SparkConf:
        """Set a configuration property, if not already set."""
        if self.get(key) is None:
            self.set(key, value)
        return self

    def setMaster(self, value: str) -> SparkConf:
        """Set master URL to connect to (``local``, ``local[N]``, ``local[*]``, ``dask://...``)."""
        return self.set("spark.master", value)

    def setAppName(self, value: str) -> SparkConf:
        """Set application name."""
        return self.set("spark.app.name", value)

    def setSparkHome(self, value: str) -> SparkConf:
        """Set path where Spark is installed on worker nodes (kept for compatibility)."""
        return self.set("spark.home", value)

    def setExecutorEnv(self, key: str | None = None, value: str | None = None,
                       pairs: list[tuple[str, str]] | None = None) -> SparkConf:
        """Set an environment variable to be passed to executors."""
        if (key is None) == (pairs is None):
            raise ValueError("Either pass one key-value pair or a list of pairs")
        for k, v in [(key, value)] if key is not None else pairs:  # type: ignore[list-item]
            self.set("spark.executorEnv.%s" % k, v)
        return self

    def setAll(self, pairs) -> SparkConf:
        """Set multiple parameters, passed as a list of key-value pairs."""
        for k, v in pairs:
            self.set(k, v)
        return self

    @overload
    def get(self, key: str) -> str | None: ...

    @overload
    def get(self, key: str, defaultValue: str) -> str: ...

    def get(self, key: str, defaultValue: str | None = None) -> str | None:
        """Get the configured value for some key, or return a default otherwise."""
        return self._conf.get(key, defaultValue)

    def getAll(self) -> list[tuple[str, str]]:
        """Get all values as a list of key-value pairs."""
        return list(self._conf.items())

    def contains(self, key: str) -> bool:
        """Does this configuration contain a given key?"""
        return key in self._conf

    def toDebugString(self) -> str:
        """Printable configuration: ``key=value`` lines sorted by key, as Spark prints it."""
        return "\n".join("%s=%s" % kv for kv in sorted(self._conf.items()))

    def copy(self) -> SparkConf:
        return SparkConf(_jconf=self)

    # -- typed readers, as Scala's SparkConf (PySpark's has only get): a value that does not
    # parse raises ValueError("Illegal value for config key <key>: ..."), a missing key
    # without a default raises KeyError, as Spark's NoSuchElementException.

    def _typed(self, key: str, default, parse):
        value = self._conf.get(key)
        if value is None:
            if default is None:
                raise KeyError(key)
            if not isinstance(default, str):
                return default
            value = default
        try:
            return parse(value)
        except ValueError as e:
            raise ValueError("Illegal value for config key %s: %s" % (key, e)) from None

    def getInt(self, key: str, default: int) -> int:
        """The value of ``key`` as an int, or ``default`` when it is not set.

        >>> conf = SparkConf(loadDefaults=False).set("spark.ui.port", "4050")
        >>> conf.getInt("spark.ui.port", 4040), conf.getInt("spark.ui.retainedJobs", 1000)
        (4050, 1000)
        """
        return self._typed(key, default, _parse_int)

    def getLong(self, key: str, default: int) -> int:
        """The value of ``key`` as an integer (Python's ints are Scala's longs too)."""
        return self._typed(key, default, _parse_int)

    def getDouble(self, key: str, default: float) -> float:
        """The value of ``key`` as a float, or ``default`` when it is not set.

        >>> SparkConf(loadDefaults=False).set("spark.memory.fraction", "0.5").getDouble(
        ...     "spark.memory.fraction", 0.6)
        0.5
        """
        return self._typed(key, default, float)

    def getBoolean(self, key: str, default: bool) -> bool:
        """The value of ``key`` as a boolean: ``true`` or ``false`` in any case, as Scala's
        ``toBoolean``; anything else raises ValueError.

        >>> conf = SparkConf(loadDefaults=False).set("spark.ui.enabled", "FALSE")
        >>> conf.getBoolean("spark.ui.enabled", True), conf.getBoolean("spark.ui.killEnabled",
        ...                                                             False)
        (False, False)
        """
        return self._typed(key, default, _parse_bool)

    def getSizeAsBytes(self, key: str, default: str | int | None = None) -> int:
        """A size in bytes (``512m``, ``2g``; a bare number is bytes), as Spark parses it.
        ``default`` is a size string, or a number of bytes.

        >>> conf = SparkConf(loadDefaults=False).set("spark.python.worker.memory", "2m")
        >>> conf.getSizeAsBytes("spark.python.worker.memory"), conf.getSizeAsBytes("x", "1k")
        (2097152, 1024)
        """
        return self._typed(key, default, units.byte_string_as_bytes)

    def getSizeAsKb(self, key: str, default: str | None = None) -> int:
        """A size in KiB (truncated); a bare number is KiB."""
        return self._typed(key, default, units.byte_string_as_kb)

    def getSizeAsMb(self, key: str, default: str | None = None) -> int:
        """A size in MiB (truncated); a bare number is MiB.

        >>> SparkConf(loadDefaults=False).set("spark.executor.memory", "2g").getSizeAsMb(
        ...     "spark.executor.memory")
        2048
        """
        return self._typed(key, default, units.byte_string_as_mb)

    def getSizeAsGb(self, key: str, default: str | None = None) -> int:
        """A size in GiB (truncated); a bare number is GiB."""
        return self._typed(key, default, units.byte_string_as_gb)

    def getTimeAsMs(self, key: str, default: str | None = None) -> int:
        """A duration in milliseconds (``5s``, ``1min``; a bare number is milliseconds).

        >>> SparkConf(loadDefaults=False).set("spark.locality.wait", "1min").getTimeAsMs(
        ...     "spark.locality.wait")
        60000
        """
        return self._typed(key, default, units.time_string_as_ms)

    def getTimeAsSeconds(self, key: str, default: str | None = None) -> float:
        """A duration in seconds (a bare number is seconds). Spark's grammar, but the result
        keeps fractions (``100ms`` is 0.1, where Spark truncates to 0): sparklet's waits take
        float seconds.

        >>> conf = SparkConf(loadDefaults=False).set("spark.ui.liveUpdate.period", "100ms")
        >>> conf.getTimeAsSeconds("spark.ui.liveUpdate.period"), conf.getTimeAsSeconds("x", "2")
        (0.1, 2.0)
        """
        return self._typed(key, default, units.time_string_as_float_seconds)


def _parse_int(text: str) -> int:
    return int(text.strip())


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise ValueError("For input string: %r (expected true or false)" % text)
    return lowered == "true"
