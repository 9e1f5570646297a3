"""Run PySpark's own unit tests against sparklet (``make test-pyspark``).

The test files are PySpark's (apache/spark, python/pyspark/tests and
python/pyspark/streaming/tests); they are never copied into this repository. They are read
from a test-source directory (default ``~/.cache/sparklet/pyspark-tests``, or
``$SPARKLET_PYSPARK_TESTS``) laid out as ``pyspark/tests/*.py`` and
``pyspark/streaming/tests/*.py``. When files are missing the runner fills the directory from

1. ``$SPARK_SOURCE``: an Apache Spark source tree (a checkout of a 3.5.x tag), else
2. a shallow sparse ``git clone`` of Spark's ``v3.5.3`` tag, where the network allows it.

(PyPI's ``pyspark`` distribution ships ``pyspark/testing`` but not the test modules.) With
none of these it says so and exits 2.

It then runs the modules with pytest through the import shim (``shim.py``) and prints the
applicable tests, passed, failed, not applicable and the pass rate; the per-test table goes
to ``~/.cache/sparklet/pyspark-suite-results.json`` (``--results``). ``--strict`` turns the
expected-failures list into strict xfail so the run is green exactly when the list is right.

Usage: python tests/pyspark_suite/run.py [--strict] [--results PATH] [pytest args...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests"))

MODULES = [
    "pyspark/tests/test_rdd.py",
    "pyspark/tests/test_context.py",
    "pyspark/tests/test_join.py",
    "pyspark/tests/test_shuffle.py",
    "pyspark/tests/test_broadcast.py",
    "pyspark/tests/test_conf.py",
    "pyspark/tests/test_statcounter.py",
    "pyspark/tests/test_rddsampler.py",
    "pyspark/tests/test_taskcontext.py",
    "pyspark/tests/test_serializers.py",
    "pyspark/streaming/tests/test_dstream.py",
    "pyspark/streaming/tests/test_context.py",
    "pyspark/streaming/tests/test_listener.py",
]
SPARK_TAG = "v3.5.3"
SPARK_GIT = "https://github.com/apache/spark.git"


def tests_root() -> str:
    return os.environ.get("SPARKLET_PYSPARK_TESTS") or os.path.expanduser(
        "~/.cache/sparklet/pyspark-tests")


def missing(root: str) -> list[str]:
    return [m for m in MODULES if not os.path.exists(os.path.join(root, m))]


def copy_from_source(source: str, root: str) -> None:
    for module in missing(root):
        src = os.path.join(source, "python", module)
        if os.path.exists(src):
            os.makedirs(os.path.dirname(os.path.join(root, module)), exist_ok=True)
            shutil.copyfile(src, os.path.join(root, module))


def fetch(root: str) -> None:
    source = os.environ.get("SPARK_SOURCE")
    if source:
        copy_from_source(source, root)
    if not missing(root) or not shutil.which("git"):
        return
    clone = tempfile.mkdtemp(prefix="sparklet-spark-src-")
    try:
        steps = [["git", "clone", "--quiet", "--depth", "1", "--branch", SPARK_TAG,
                  "--filter=blob:none", "--sparse", SPARK_GIT, clone],
                 ["git", "-C", clone, "sparse-checkout", "set",
                  "python/pyspark/tests", "python/pyspark/streaming/tests"]]
        for step in steps:
            if subprocess.run(step, timeout=300, stdin=subprocess.DEVNULL).returncode != 0:
                return
        copy_from_source(clone, root)
    except (OSError, subprocess.TimeoutExpired):
        return
    finally:
        shutil.rmtree(clone, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true",
                        help="run the expected failures as strict xfail")
    parser.add_argument("--results", default=os.path.expanduser(
        "~/.cache/sparklet/pyspark-suite-results.json"))
    args, pytest_args = parser.parse_known_args(argv)

    root = tests_root()
    if missing(root):
        fetch(root)
    absent = missing(root)
    if absent:
        print("PySpark's test modules are not available in %s (missing: %s).\n"
              "Set SPARK_SOURCE to an Apache Spark 3.5.x source tree, or put the files there "
              "(see tests/pyspark_suite/run.py)." % (root, ", ".join(absent)), file=sys.stderr)
        return 2
    # Package markers, so pytest imports the files as pyspark.tests.X (through the shim),
    # as PySpark's workers would, and tells the two test_context modules apart.
    for package in ("pyspark", "pyspark/tests", "pyspark/streaming", "pyspark/streaming/tests"):
        open(os.path.join(root, package, "__init__.py"), "a").close()
    os.makedirs(os.path.dirname(args.results), exist_ok=True)

    env = dict(os.environ)
    env["SPARKLET_PYSPARK_SHIM"] = "1"
    env["SPARKLET_PYSPARK_TESTS"] = root
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (os.path.join(HERE, "site"), os.path.join(REPO, "tests"),
                    os.path.join(REPO, "src"), env.get("PYTHONPATH")) if p)
    # As PySpark's own runner does, each module runs in a process of its own, so a context
    # one module leaks cannot fail the next; no output capture (-s), as under unittest.
    base = [sys.executable, "-m", "pytest", "-p", "pyspark_suite.plugin", "-s",
            "-c", os.path.join(HERE, "pytest.ini"), "--rootdir", root,
            "-p", "no:cacheprovider"]
    if args.strict:
        base.append("--pyspark-strict")
    targets = pytest_args or [os.path.join(root, m) for m in MODULES]
    tables: dict[str, dict] = {}
    codes = []
    with tempfile.TemporaryDirectory() as scratch:
        for n, target in enumerate(targets):
            part = os.path.join(scratch, "%d.json" % n)
            codes.append(subprocess.call(base + ["--pyspark-results", part, target],
                                         env=env, cwd=root))
            if os.path.exists(part):
                with open(part) as f:
                    tables.update(json.load(f)["tests"])
    from pyspark_suite.plugin import summarize

    summary = summarize(tables)
    with open(args.results, "w") as f:
        json.dump({"summary": summary, "tests": dict(sorted(tables.items()))}, f, indent=1)
    print("\nPySpark peer suite (%d modules): %d applicable, %d passed, %d failed, "
          "%d not applicable, %d skipped (environment); pass rate %.1f%%"
          % (len(targets), summary["applicable"], summary["passed"], summary["failed"],
             summary["not_applicable"], summary["skipped"], summary["pass_rate"]))
    print("per-test results: " + args.results)
    if not args.strict:
        # 5 is pytest's "no tests collected" (a module all of whose tests are not applicable).
        return 0 if all(code in (0, 5) for code in codes) else 1
    return check_expectations(tables)


def check_expectations(tables: dict[str, dict]) -> int:
    """Green exactly when the failures are the expected ones: an unexpected failure and an
    unexpected pass (a fixed test still listed) both fail the run."""
    from pyspark_suite.expectations import EXPECTED_FAILURES

    failing = {"failed", "error", "xfailed"}
    unexpected_failures = sorted(k for k, v in tables.items()
                                 if v["outcome"] in failing and k not in EXPECTED_FAILURES)
    unexpected_passes = sorted(k for k, v in tables.items()
                               if v["outcome"] in ("passed", "xpassed") and k in EXPECTED_FAILURES)
    for key in unexpected_failures:
        print("UNEXPECTED FAILURE %s: %s" % (key, tables[key]["message"]))
    for key in unexpected_passes:
        print("UNEXPECTED PASS %s: remove it from EXPECTED_FAILURES in "
              "tests/pyspark_suite/expectations.py" % key)
    return 1 if unexpected_failures or unexpected_passes else 0

if __name__ == "__main__":
    sys.exit(main())
