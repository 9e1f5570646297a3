"""SparkConf: an application's configuration, Spark's ``spark.*`` keys as plain strings.

Defaults come from ``$SPARK_CONF_DIR/spark-defaults.conf`` (the same "key value" file Spark
reads) and from the ``--conf`` pairs that ``sparklet-submit`` passes down in
``SPARKLET_SUBMIT_CONF``.
"""

from __future__ import annotations

import os
import re
from typing import overload

from sparklet.util import parse_bytes, parse_seconds

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

    # -- typed readers used inside sparklet; user code reads strings like in Spark --------

    def getInt(self, key: str, default: int) -> int:
        value = self._conf.get(key)
        return default if value is None else int(value)

    def getBoolean(self, key: str, default: bool) -> bool:
        value = self._conf.get(key)
        return default if value is None else value.strip().lower() == "true"

    def getSizeAsBytes(self, key: str, default: str) -> int:
        return parse_bytes(self._conf.get(key, default))

    def getTimeAsSeconds(self, key: str, default: str) -> float:
        return parse_seconds(self._conf.get(key, default))
