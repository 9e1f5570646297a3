"""The Spark SQL example programs run and print what the guide's versions print."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("duckdb", reason="sparklet.sql needs the 'sql' extra")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_sql_basic_example():
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    out = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "sql", "basic.py")],
                         capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    # the guide's outputs for people.json: the age + 1 column, the filter, the teenagers
    assert "|   name|(age + 1)|" in out.stdout
    assert "|Michael|     NULL|" in out.stdout
    assert "| 30|Andy|" in out.stdout
    assert "['Name: Justin']" in out.stdout
    assert " |-- age: integer (nullable = true)" in out.stdout
