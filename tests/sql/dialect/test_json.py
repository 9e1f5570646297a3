"""JSON functions of the Spark-on-DuckDB dialect, judged against what PySpark 4.3 recorded
(the ``collections`` area's JSON cases, SQL text and DataFrame API) and against the examples
of Spark's SQL function reference for what the recordings do not cover."""

from __future__ import annotations

import json

import pytest
from tests.sql.dialect.harness import RESULTS, run_sql, sql_cases
from tests.sql.dialect.typed_frames import run_typed
from tests.sql_parity.compare import verdict

with open(RESULTS) as _f:
    RECORDED = json.load(_f)["cases"]

CASES = {cid: c for cid, c in sql_cases("collections").items()
         if "json" in c["query"].lower()}

KNOWN: dict[str, str] = {}


def test_the_json_cases_are_these():
    # to_json, from_json, get_json_object, json_tuple (also as a generator),
    # schema_of_json, json_array_length, json_object_keys
    assert len(CASES) == 12


@pytest.mark.parametrize("cid", sorted(CASES))
def test_recorded_sql_case(cid):
    case = CASES[cid]
    if cid in KNOWN:
        pytest.xfail(KNOWN[cid])
    got = run_sql(case["query"])
    assert verdict(case, got) == "match", (case.get("rows") or case.get("error"), got)


def test_recorded_to_json_df():
    case = RECORDED["collections.to_json_df"]
    got = run_typed("SELECT to_json(struct(a, b)) AS j FROM t", "a INT, b STRING", [(1, "x")])
    assert verdict(case, got) == "match", got


def test_recorded_from_json_df():
    # PERMISSIVE: text that is not JSON gives a struct of NULLs
    case = RECORDED["collections.from_json_df"]
    got = run_typed("SELECT from_json(j, 'a INT, b ARRAY<INT>') AS p FROM t", "j STRING",
                    [('{"a": 1, "b": [1, 2]}',), ("{bad",)])
    assert "[" + ", ".join(got["rows"]) + "]" == case["value"], got


@pytest.mark.parametrize("query, rows", [
    # from the examples of Spark's SQL function reference
    ("SELECT to_json(named_struct('a', 1, 'b', 2)) AS r", ["Row(r='{\"a\":1,\"b\":2}')"]),
    ("SELECT to_json(array(named_struct('a', 1, 'b', 2))) AS r",
     ["Row(r='[{\"a\":1,\"b\":2}]')"]),
    ("SELECT to_json(map('a', named_struct('b', 1))) AS r", ["Row(r='{\"a\":{\"b\":1}}')"]),
    ("SELECT to_json(array(map('a', 1))) AS r", ["Row(r='[{\"a\":1}]')"]),
    ("SELECT from_json('{\"a\":1, \"b\":0.8}', 'a INT, b DOUBLE') AS r",
     ["Row(r=Row(a=1, b=0.8))"]),
    ("SELECT from_json('{\"teacher\": \"Alice\", \"student\": [{\"name\": \"Bob\", "
     "\"rank\": 1}, {\"name\": \"Charlie\", \"rank\": 2}]}', "
     "'STRUCT<teacher: STRING, student: ARRAY<STRUCT<name: STRING, rank: INT>>>') AS r",
     ["Row(r=Row(teacher='Alice', student=[Row(name='Bob', rank=1), "
      "Row(name='Charlie', rank=2)]))"]),
    ("SELECT to_json(named_struct('time', to_timestamp('2015-08-26', 'yyyy-MM-dd')), "
     "map('timestampFormat', 'dd/MM/yyyy')) AS r", ["Row(r='{\"time\":\"26/08/2015\"}')"]),
    ("SELECT get_json_object('{\"a\":\"b\"}', '$.a') AS r", ["Row(r='b')"]),
    ("SELECT from_json('{\"a\":1}', schema_of_json('{\"a\":0}')) AS r",
     ["Row(r=Row(a=1))"]),
    ("SELECT schema_of_json('[{\"col\":0}]') AS r", ["Row(r='ARRAY<STRUCT<col: BIGINT>>')"]),
    ("SELECT json_array_length('[1,2,3,{\"f1\":1,\"f2\":[5,6]},4]') AS r", ["Row(r=5)"]),
    ("SELECT json_array_length('[1,2') AS r", ["Row(r=None)"]),
    ("SELECT json_object_keys('{}') AS r", ["Row(r=[])"]),
    ("SELECT json_object_keys('{\"f1\":\"abc\",\"f2\":{\"f3\":\"a\", \"f4\":\"b\"}}') AS r",
     ["Row(r=['f1', 'f2'])"]),
])
def test_documented_examples(query, rows):
    got = run_sql(query)
    assert got.get("rows") == rows, got
