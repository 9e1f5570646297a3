"""Every recorded case of areas ``create`` and ``udf`` (tests/sql_parity/pyspark_results.json,
real PySpark 4.3) run on sparklet.sql must match: rows and dtypes, values, or the exception's
class -- and its message: exactly, or for a ``PythonException`` its first line (PySpark's
description) and last line (the user's exception), the frames between being paths of the
machine that recorded it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

PARITY = Path(__file__).parents[2] / "sql_parity"
sys.path.insert(0, str(PARITY))

import compare  # noqa: E402
import runner  # noqa: E402
from cases import CASES  # noqa: E402

IDS = [c["id"] for c in CASES if c["area"] in ("create", "udf")]


@pytest.fixture
def namespace(spark):
    from sparklet.sql import Row, Window
    from sparklet.sql import functions as F
    from sparklet.sql import types as T

    return {"spark": spark, "F": F, "T": T, "Row": Row, "Window": Window}


@pytest.mark.parametrize("case_id", IDS)
def test_recorded_case_matches(case_id, namespace, recorded):
    case = next(c for c in CASES if c["id"] == case_id)
    want = recorded[case_id]
    got = runner.run_case(case, namespace)
    assert compare.verdict(want, got) == "match", (want, got)
    if "error" in want:
        w, g = want["error"]["message"], got["error"]["message"]
        assert got["error"]["condition"] == want["error"]["condition"]
        if want["error"]["type"] == "PythonException":
            assert g.splitlines()[0] == w.splitlines()[0]
            assert g.splitlines()[-1] == w.splitlines()[-1]
        else:
            assert g == w


def test_all_cases_of_both_areas_are_here(recorded):
    assert len(IDS) == sum(1 for v in recorded.values() if v["area"] in ("create", "udf")) == 66
