"""Differential parity with PySpark 4.3: the 893 programs of ``tests/sql_parity/cases.py``.

Each case was run on real PySpark 4.3.0 (``record_pyspark.py``; the observations are in
``pyspark_results.json``: rows and dtypes of a DataFrame, a value's repr, printed text, or
the exception's class). Here the very same program runs on ``sparklet.sql`` and
``compare.verdict`` must say ``match``, except for the cases in ``known_differences.py``
(case id → what differs and why), which are run but not asserted — a known case that starts
to match is reported, so that the list only shrinks. Needs neither PySpark nor Java.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

pytest.importorskip("duckdb", reason="sparklet.sql needs the 'sql' extra")

HERE = os.path.dirname(os.path.abspath(__file__))
PARITY = os.path.join(HERE, "..", "sql_parity")
sys.path.insert(0, PARITY)

import compare  # noqa: E402
import record_sparklet  # noqa: E402
import runner  # noqa: E402
from known_differences import KNOWN  # noqa: E402

with open(os.path.join(PARITY, "pyspark_results.json")) as f:
    RECORDED = json.load(f)["cases"]


@pytest.fixture(scope="module")
def namespace(tmp_path_factory):
    with record_sparklet.sparklet_namespace(str(tmp_path_factory.mktemp("warehouse"))) as ns:
        yield ns


@pytest.mark.parametrize("case_id", sorted(RECORDED))
def test_case(case_id, namespace):
    want = RECORDED[case_id]
    case = {"id": case_id, "code": want["code"]}
    try:
        got = runner.run_case(case, namespace)
    finally:
        record_sparklet.reset(namespace)
    verdict = compare.verdict(want, got)
    if case_id in KNOWN:
        if verdict == "match":
            pytest.fail(f"{case_id} now matches PySpark: remove it from known_differences.py")
        pytest.xfail(KNOWN[case_id])
    assert verdict == "match", (
        f"{verdict}: PySpark gave {json.dumps({k: want.get(k) for k in ('rows', 'dtypes', 'value', 'error', 'stdout') if want.get(k)})[:800]}\n"  # noqa: E501
        f"sparklet gave {json.dumps({k: got.get(k) for k in ('rows', 'dtypes', 'value', 'error', 'stdout') if got.get(k)}, default=str)[:800]}")  # noqa: E501
