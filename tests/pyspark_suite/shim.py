"""The import shim: ``import pyspark.X`` gives sparklet's ``sparklet.X``.

A meta-path finder placed first on ``sys.meta_path`` answers for four kinds of name:

- ``pyspark.tests`` and ``pyspark.streaming.tests`` (and their modules): PySpark's own test
  files, loaded from the test-source directory named by ``SPARKLET_PYSPARK_TESTS`` (they are
  never copied into this repository);
- ``pyspark.testing...``: our replacements in ``pyspark_suite.pyspark_testing``;
- a few stand-ins for JVM plumbing that PySpark's test modules import at the top
  (``py4j.protocol``, ``pyspark.java_gateway``) and for PySpark-private modules sparklet does
  not have (``pyspark.shuffle``), so that one such import does not hide a whole module's
  applicable tests; the tests that use them are listed as not applicable;
- every other ``pyspark.X``: the module object ``sparklet.X`` itself (same object, so
  ``isinstance`` and identity checks behave), with ``pyspark.rddsampler`` ->
  ``sparklet.sampler`` and ``pyspark.cloudpickle`` -> ``cloudpickle`` renamed.

A name sparklet does not have is left to fail with ``ModuleNotFoundError``, as it should.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types

RENAMED = {
    "pyspark.rddsampler": "sparklet.sampler",
    "pyspark.cloudpickle": "cloudpickle",
}
TEST_PACKAGES = ("pyspark.tests", "pyspark.streaming.tests")
TESTING = "pyspark.testing"
OUR_TESTING = "pyspark_suite.pyspark_testing"


def tests_root() -> str:
    """The directory holding ``pyspark/tests/*.py`` and ``pyspark/streaming/tests/*.py``."""
    return os.environ.get("SPARKLET_PYSPARK_TESTS") or os.path.expanduser(
        "~/.cache/sparklet/pyspark-tests")


class _AliasLoader(importlib.abc.Loader):
    """Loads a name as an already importable module object (no copy, no re-execution)."""

    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module):
        pass


class _StubLoader(importlib.abc.Loader):
    def __init__(self, build):
        self.build = build

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        self.build(module)


def _py4j(module: types.ModuleType) -> None:
    module.__path__ = []


def _py4j_protocol(module: types.ModuleType) -> None:
    from sparklet.errors import SparkException

    # PySpark surfaces a job that failed on the executors as Py4JJavaError on the driver;
    # sparklet raises SparkException (PythonException for user errors) in the same place.
    module.Py4JJavaError = SparkException
    module.Py4JError = SparkException


def _java_gateway(module: types.ModuleType) -> None:
    def launch_gateway(*args, **kwargs):
        raise NotImplementedError("sparklet has no JVM: there is no Py4J gateway to launch")

    module.launch_gateway = launch_gateway


def _shuffle(module: types.ModuleType) -> None:
    # pyspark.shuffle is PySpark's private spilling machinery (ExternalMerger & co.). sparklet
    # spills in sparklet.shuffle with other classes; the tests of these classes are listed as
    # not applicable, and these names only let the module's other tests import.
    import sparklet.shuffle as ours

    module.__dict__.update({k: v for k, v in vars(ours).items() if not k.startswith("__")})

    def private(name):
        def __init__(self, *args, **kwargs):
            raise NotImplementedError(f"pyspark.shuffle.{name} is PySpark-private; "
                                      "sparklet has no such class")

        return type(name, (), {"__init__": __init__})

    for name in ("Aggregator", "SimpleAggregator", "Merger", "ExternalMerger",
                 "ExternalSorter", "ExternalGroupBy", "ExternalListOfList", "GroupByKey"):
        setattr(module, name, private(name))
    module.DiskBytesSpilled = 0
    module.MemoryBytesSpilled = 0


STUBS = {
    "py4j": (_py4j, True),
    "py4j.protocol": (_py4j_protocol, False),
    "pyspark.java_gateway": (_java_gateway, False),
    "pyspark.shuffle": (_shuffle, False),
}


class PySparkFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname in STUBS:
            build, is_package = STUBS[fullname]
            return importlib.machinery.ModuleSpec(fullname, _StubLoader(build),
                                                  is_package=is_package)
        if not (fullname == "pyspark" or fullname.startswith("pyspark.")):
            return None
        for package in TEST_PACKAGES:
            if fullname == package or fullname.startswith(package + "."):
                return self._test_spec(fullname)
        if fullname == TESTING or fullname.startswith(TESTING + "."):
            return self._alias_spec(fullname, OUR_TESTING + fullname[len(TESTING):])
        target_name = RENAMED.get(fullname, "sparklet" + fullname[len("pyspark"):])
        return self._alias_spec(fullname, target_name)

    @staticmethod
    def _alias_spec(fullname, target_name):
        try:
            found = importlib.util.find_spec(target_name)
        except ModuleNotFoundError:
            return None
        if found is None:
            return None
        return importlib.machinery.ModuleSpec(
            fullname, _AliasLoader(target_name),
            is_package=found.submodule_search_locations is not None)

    @staticmethod
    def _test_spec(fullname):
        base = os.path.join(tests_root(), *fullname.split("."))
        if os.path.isdir(base):
            init = os.path.join(base, "__init__.py")
            if not os.path.exists(init):
                open(init, "w").close()
            return importlib.util.spec_from_file_location(
                fullname, init, submodule_search_locations=[base])
        if os.path.exists(base + ".py"):
            return importlib.util.spec_from_file_location(fullname, base + ".py")
        return None


_FINDER = PySparkFinder()


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (idempotent)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    from sparklet import SparkContext

    # PySpark's test clean-up code probes ``SparkContext._jvm`` to stop a JVM-side context
    # left behind; sparklet has no JVM, which is what None says there.
    if not hasattr(SparkContext, "_jvm"):
        SparkContext._jvm = None
