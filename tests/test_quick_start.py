"""The quick start (docs/quick-start.md and its Chinese twin): the shell session its
``>>>`` lines make runs and gives the answers a plain-Python model gives, and SimpleApp
(examples/simple_app.py) run with sparklet-submit counts the lines with a and b."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "docs" / "quick-start.md", ROOT / "docs" / "quick-start.zh.md"]

# A README of sparklet's shape, different enough to tell the counts apart.
README = """\
# sparklet

Apache Spark's programming model in pure Python.
A PySpark program runs on sparklet by changing its imports.

Spark Streaming, GraphX and MLlib are here too: a big list.
no vowel a here? yes there is one
brr
"""


def session_code(doc: Path) -> list[str]:
    """The statements a reader types, in order: each ``>>>`` line with its ``...`` lines."""
    statements: list[str] = []
    for block in re.findall(r"```python\n(.*?)```", doc.read_text(encoding="utf-8"), re.S):
        for line in block.splitlines():
            if line.startswith(">>> "):
                statements.append(line[4:])
            elif line.startswith("... ") and statements:
                statements[-1] += "\n" + line[4:]
    return statements


def model(text: str) -> dict:
    lines = text.splitlines()
    return {"count": len(lines), "first": lines[0],
            "spark": [line for line in lines if "Spark" in line],
            "most_words": max(len(line.split()) for line in lines),
            "words": Counter(word for line in lines for word in line.split())}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_the_interactive_session_gives_the_models_answers(sc, tmp_path, monkeypatch, doc):
    pytest.importorskip("duckdb")  # the session has a DataFrame step (the sql extra)
    from sparklet.sql import SparkSession

    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the guide reads "README.md" where the shell started
    statements = session_code(doc)
    assert len(statements) >= 10, statements
    spark = SparkSession.builder.getOrCreate()
    namespace = {"sc": sc, "spark": spark, "__name__": "__main__"}
    shown: list = []  # what the shell would print after each expression
    monkeypatch.setattr(sys, "displayhook", lambda value: shown.append(value))
    logger = logging.getLogger("sparklet")
    level = logger.level  # the guide shows setLogLevel too
    try:
        for statement in statements:
            exec(compile(statement, "<console>", "single"), namespace)
        want = model(README)
        assert shown[:2] == [want["count"], want["first"]]
        assert len(want["spark"]) in shown and want["most_words"] in shown
        # (before spark.stop(), which may stop the context the session runs on)
        assert namespace["linesWithSpark"].collect() == want["spark"]
        assert dict(namespace["wordCounts"].collect()) == want["words"]
    finally:
        spark.stop()  # the shared sc is started again for the next test
        logger.setLevel(level)


def test_both_guides_type_the_same_session():
    english, chinese = (session_code(doc) for doc in DOCS)
    assert english == chinese


def run_simple_app(tmp_path: Path, readme: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "SPARKLET_SUBMIT_CONF"}
    env["PYTHONPATH"] = str(ROOT / "src")
    env["SPARK_CONF_DIR"] = str(tmp_path)  # none of the machine's defaults
    done = subprocess.run(
        [sys.executable, "-m", "sparklet.cli", "--master", "local[2]",
         "--conf", "spark.ui.enabled=false", str(ROOT / "examples" / "simple_app.py"),
         str(readme)], env=env, capture_output=True, text=True, timeout=120, cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.integration
@pytest.mark.parametrize("which", ["written", "repository"])
def test_simple_app_counts_lines_with_a_and_b(tmp_path, which):
    if which == "written":
        readme = tmp_path / "README.md"
        readme.write_text(README, encoding="utf-8")
    else:
        readme = ROOT / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines()
    num_as = sum("a" in line for line in lines)
    num_bs = sum("b" in line for line in lines)
    assert run_simple_app(tmp_path, readme).splitlines() == [
        "Lines with a: %d, lines with b: %d" % (num_as, num_bs)]
