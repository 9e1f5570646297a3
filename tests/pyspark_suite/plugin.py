"""pytest plugin of the peer suite (loaded by run.py with ``-p pyspark_suite.plugin``).

- installs the import shim and lays out ``SPARK_HOME/python/test_support`` (the small data
  files PySpark's tests read, written here from what the tests assert about them);
- skips the tests listed in ``expectations.NOT_APPLICABLE`` with their reason;
- with ``--pyspark-strict``, marks ``expectations.EXPECTED_FAILURES`` as strict xfail, so an
  unexpected pass fails the run as surely as an unexpected failure;
- records every test's outcome and writes the table to ``--pyspark-results`` (JSON).
"""

from __future__ import annotations

import ast
import json
import os
import tempfile
import zipfile

import pytest

from pyspark_suite import expectations, shim

_results: dict[str, dict] = {}


def pytest_addoption(parser):
    group = parser.getgroup("pyspark peer suite")
    group.addoption("--pyspark-strict", action="store_true",
                    help="expected failures are strict xfail (the suite must then be green)")
    group.addoption("--pyspark-results", default=None, help="write the per-test table here")


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def make_spark_home() -> str:
    """A SPARK_HOME holding ``python/test_support`` as PySpark's tests expect it."""
    home = tempfile.mkdtemp(prefix="sparklet-pyspark-home-")
    support = os.path.join(home, "python", "test_support")
    _write(os.path.join(support, "hello", "hello.txt"), "Hello World!\n")
    _write(os.path.join(support, "hello", "sub_hello", "sub_hello.txt"), "Sub Hello World!\n")
    _write(os.path.join(support, "userlibrary.py"),
           'class UserClass:\n    def hello(self):\n        return "Hello World!"\n')
    # A module that replaces a name nothing else defines; its __name__ tells it apart.
    _write(os.path.join(support, "SimpleHTTPServer.py"), '__name__ = "My Server"\n')
    with zipfile.ZipFile(os.path.join(support, "userlib-0.1.zip"), "w") as archive:
        archive.writestr("userlib/__init__.py",
                         "class UserClass:\n    def hello(self):\n"
                         '        return "Hello World from inside a package!"\n')
    return home


def pytest_configure(config):
    shim.install()
    if not os.environ.get("SPARK_HOME"):
        os.environ["SPARK_HOME"] = make_spark_home()


def test_key(nodeid: str) -> str:
    """``pyspark/tests/test_rdd.py::RDDTests::test_range`` -> ``tests/test_rdd.py::...``."""
    return nodeid.split("pyspark/", 1)[-1]


def pytest_collection_modifyitems(config, items):
    strict = config.getoption("--pyspark-strict")
    for item in items:
        key = test_key(item.nodeid)
        reason = expectations.not_applicable(key)
        if reason:
            item.add_marker(pytest.mark.skip(reason="not applicable: " + reason))
            continue
        failure = expectations.EXPECTED_FAILURES.get(key)
        if strict and failure:
            owner, why = failure
            item.add_marker(pytest.mark.xfail(strict=True, reason=f"[{owner}] {why}"))


def _declared_tests(path: str) -> list[str]:
    """``Class::test`` for each test method of each class in a file pytest could not import
    (so a module-level ImportError counts against every test it hides)."""
    with open(path) as f:
        tree = ast.parse(f.read())
    return ["%s::%s" % (node.name, item.name) for node in tree.body
            if isinstance(node, ast.ClassDef) for item in node.body
            if isinstance(item, ast.FunctionDef) and item.name.startswith("test")]


def pytest_collectreport(report):
    if report.failed and report.nodeid.endswith(".py"):
        path = os.path.join(str(shim.tests_root()), report.nodeid)
        message = _message(report)
        for name in _declared_tests(path):
            key = test_key(report.nodeid) + "::" + name
            reason = expectations.not_applicable(key)
            _results[key] = ({"outcome": "not_applicable", "message": reason} if reason else
                             {"outcome": "error", "message": "collection: " + message})


def _message(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return crash.message.splitlines()[0][:300] if crash.message else ""
    if isinstance(report.longrepr, tuple):  # a skip: (file, line, reason)
        return str(report.longrepr[2])
    return str(report.longrepr).splitlines()[-1][:300] if report.longrepr else ""


def pytest_runtest_logreport(report):
    key = test_key(report.nodeid)
    entry = _results.setdefault(key, {"outcome": "passed", "message": ""})
    if report.when == "call" and hasattr(report, "wasxfail"):
        entry["outcome"] = "xpassed" if report.passed else "xfailed"
        entry["message"] = report.wasxfail if report.passed else _message(report)
    elif report.skipped and entry["outcome"] == "passed":
        reason = _message(report)
        if reason.startswith("Skipped: "):
            reason = reason[len("Skipped: "):]
        outcome = "not_applicable" if reason.startswith("not applicable") else "skipped"
        entry.update(outcome=outcome, message=reason)
    elif report.failed:
        if entry["outcome"] in ("passed", "skipped"):
            entry.update(outcome="failed" if report.when == "call" else "error",
                         message=_message(report))


def summarize(results: dict[str, dict]) -> dict:
    counts: dict[str, int] = {}
    for entry in results.values():
        counts[entry["outcome"]] = counts.get(entry["outcome"], 0) + 1
    passed = counts.get("passed", 0) + counts.get("xpassed", 0)
    failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("xfailed", 0)
    applicable = passed + failed
    return {"total": len(results), "applicable": applicable, "passed": passed,
            "failed": failed, "not_applicable": counts.get("not_applicable", 0),
            "skipped": counts.get("skipped", 0), "xfailed": counts.get("xfailed", 0),
            "xpassed": counts.get("xpassed", 0),
            "pass_rate": round(100.0 * passed / applicable, 1) if applicable else 0.0}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    summary = summarize(_results)
    path = config.getoption("--pyspark-results")
    if path:
        with open(path, "w") as f:
            json.dump({"summary": summary, "tests": dict(sorted(_results.items()))}, f,
                      indent=1)
    write = terminalreporter.write_line
    write("")
    write("PySpark peer suite: %(applicable)d applicable, %(passed)d passed, %(failed)d failed, "
          "%(not_applicable)d not applicable, %(skipped)d skipped (environment); "
          "pass rate %(pass_rate).1f%%" % summary)
    if path:
        write("per-test results: " + path)
