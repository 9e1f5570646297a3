"""Our ``pyspark.testing.utils``: the base test cases and helpers PySpark's unit tests use,
with the behaviour PySpark's own have (a ``local[4]`` context per class or per test), written
for sparklet."""

from __future__ import annotations

import logging
import os
import struct
import sys
import time
import unittest

from sparklet import SparkConf, SparkContext

SPARK_HOME = os.environ.get("SPARK_HOME", "")


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


have_numpy = _importable("numpy")
have_scipy = _importable("scipy")
have_pandas = _importable("pandas")
have_pyarrow = _importable("pyarrow")


def read_int(b: bytes) -> int:
    return struct.unpack("!i", b)[0]


def write_int(i: int) -> bytes:
    return struct.pack("!i", i)


class ByteArrayOutput:
    """A write-only stream collecting bytes in ``buffer``."""

    def __init__(self):
        self.buffer = bytearray()

    def write(self, b):
        self.buffer += b

    def close(self):
        pass


def eventually(condition, timeout: float = 30.0, catch_assertions: bool = False):
    """Poll ``condition`` until it returns True (or, with ``catch_assertions``, stops
    raising AssertionError) or ``timeout`` seconds pass."""
    start = time.time()
    last = None
    while time.time() - start < timeout:
        try:
            if condition():
                return
        except AssertionError as error:
            if not catch_assertions:
                raise
            last = error
        time.sleep(0.01)
    if last is not None:
        raise last
    raise AssertionError("condition did not hold within %s seconds" % timeout)


def search_jar(project_relative_path, sbt_jar_name_prefix, mvn_jar_name_prefix):
    return None  # sparklet has no jars


class QuietTest:
    """Silence sparklet's logging for the duration (PySpark silences log4j)."""

    def __init__(self, sc=None):
        self.logger = logging.getLogger("sparklet")

    def __enter__(self):
        self.old_level = self.logger.level
        self.logger.setLevel(logging.CRITICAL + 1)

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.logger.setLevel(self.old_level)


class PySparkTestCase(unittest.TestCase):
    """A fresh ``local[4]`` context per test; sys.path restored after it."""

    def setUp(self):
        self._old_sys_path = list(sys.path)
        self.sc = SparkContext("local[4]", self.__class__.__name__)

    def tearDown(self):
        self.sc.stop()
        sys.path = self._old_sys_path


class ReusedPySparkTestCase(unittest.TestCase):
    """One ``local[4]`` context for all tests of the class."""

    @classmethod
    def conf(cls):
        return SparkConf()

    @classmethod
    def setUpClass(cls):
        cls.sc = SparkContext("local[4]", cls.__name__, conf=cls.conf())

    @classmethod
    def tearDownClass(cls):
        cls.sc.stop()
