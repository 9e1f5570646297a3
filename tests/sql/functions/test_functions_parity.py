"""The recorded PySpark 4.3 cases of the aggregate, window and null/ordering areas (and the
cases of other areas that the functions, generators and ``df.na``/``df.stat`` serve), run on
sparklet.sql and judged against the recording by ``tests/sql_parity/compare.py``.

Each case runs through ``runner.run_case`` with ``record_sparklet.sparklet_namespace()``, as
``record_sparklet.py`` does; ``KNOWN`` lists the cases that do not match yet, each with the
reason.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

PARITY = os.path.join(os.path.dirname(__file__), "..", "..", "sql_parity")
sys.path.insert(0, os.path.abspath(PARITY))

import compare  # noqa: E402
import record_sparklet  # noqa: E402
import runner  # noqa: E402

with open(os.path.join(PARITY, "pyspark_results.json")) as f:
    RECORDED = json.load(f)["cases"]

AREAS = ("agg.", "window.", "nulls_order.")
# cases of other areas that the functions, generators, na/stat and aggregate rules serve
OTHERS = ("dataframe.describe_cols", "dataframe.stat_corr", "dataframe.summary_default_rows",
          "ansi.df_try_divide", "ansi.sql_46", "collections.create_map_df",
          "collections.explode_map_df", "collections.explode_outer_df", "collections.generator_4",
          "collections.posexplode_df", "collections.to_json_df", "collections.transform_df",
          "schema.dtypes_agg", "sql.pivot_sql")

KNOWN = {
    "sql.pivot_sql": "sum(v) in a SQL PIVOT: the numeric rules' typed sum is not one aggregate "
                     "call, which DuckDB's PIVOT needs, so the column stays untyped (HUGEINT)",
}

CASES = {c["id"]: c for c in runner.CASES}
IDS = sorted(k for k in RECORDED if k.startswith(AREAS) or k in OTHERS)


@pytest.fixture(scope="module")
def namespace():
    with record_sparklet.sparklet_namespace() as ns:
        yield ns


@pytest.fixture(autouse=True)
def _reset(namespace):
    yield
    record_sparklet.reset(namespace)


@pytest.mark.parametrize("case_id", IDS)
def test_recorded_case(case_id, namespace):
    case = CASES[case_id]
    got = dict(runner.run_case(case, namespace), code=case["code"], area=case["area"],
               unordered=case["unordered"])
    verdict = compare.verdict(RECORDED[case_id], got)
    if case_id in KNOWN:
        if verdict == "match":
            pytest.fail(f"{case_id} matches now: drop it from KNOWN")
        pytest.xfail(KNOWN[case_id])
    want = RECORDED[case_id]
    assert verdict == "match", (
        f"{verdict}\nwant: {want.get('error') or want.get('rows') or want.get('value')}"
        f" {want.get('dtypes')}\ngot:  {got.get('error') or got.get('rows') or got.get('value')}"
        f" {got.get('dtypes')}")
