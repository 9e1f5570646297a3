"""Arrays, maps, structs, higher-order functions and generators of the Spark-on-DuckDB dialect,
judged against what PySpark 4.3 recorded (``tests/sql_parity/pyspark_results.json``).

- every single-statement SQL case of the ``collections`` area that is not about JSON (those
  are in ``test_json.py``), through the harness: ``verdict(case, run_sql(query))``;
- the area's DataFrame-API cases, as the SQL a DataFrame plan will hand the dialect (typed
  column references over a table holding the case's rows), against the same recordings;
- the recorded errors of array indexes and map keys (``ansi`` and ``collections`` areas) and
  the casts of nested values to strings (``string`` area) that these rules provide.
"""

from __future__ import annotations

import json
import re

import pytest
from tests.sql.dialect.harness import RESULTS, connection, run_sql, sql_cases
from tests.sql.dialect.typed_frames import run_typed
from tests.sql_parity.compare import verdict

from sparklet.sql import types as T
from sparklet.sql.dialect import SparkOnDuckDB
from sparklet.sql.dialect.arrays import nested_to_string_sql

with open(RESULTS) as _f:
    RECORDED = json.load(_f)["cases"]


def _is_json(case: dict) -> bool:
    return "json" in case["query"].lower()


CASES = {cid: c for cid, c in sql_cases("collections").items() if not _is_json(c)}

KNOWN: dict[str, str] = {}


@pytest.mark.parametrize("cid", sorted(CASES))
def test_recorded_sql_case(cid):
    case = CASES[cid]
    if cid in KNOWN:
        pytest.xfail(KNOWN[cid])
    got = run_sql(case["query"])
    assert verdict(case, got) == "match", (case.get("rows") or case.get("error"), got)


# --------------------------------------------------------------------------------------------
# errors: the condition Spark names (the class once execution_errors translates DuckDB's error)
# --------------------------------------------------------------------------------------------

def _condition(got: dict) -> str | None:
    err = got.get("error") or {}
    if err.get("condition"):
        return err["condition"]
    m = re.search(r"\[([A-Z_.]+)\]", err.get("message", ""))
    return m.group(1) if m else None


def _sql1(cid: str) -> str:
    """The query of a recorded ``sql1("<expr>").collect()`` case."""
    m = re.fullmatch(r'sql1\("(.*)"\)\.collect\(\)', RECORDED[cid]["code"].strip())
    assert m, RECORDED[cid]["code"]
    return f"SELECT {m.group(1)} AS r"


def _assert_error_like(want: dict, got: dict) -> None:
    assert "error" in got, got
    assert _condition(got) == want["error"]["condition"], got
    if got["error"]["type"] not in ("InvalidInputException",):  # translated by then
        assert got["error"]["type"] == want["error"]["type"], got


@pytest.mark.parametrize("cid", ["ansi.sql_34", "ansi.sql_35"])
def test_recorded_index_errors(cid):
    case = RECORDED[cid]
    got = run_sql(sql_cases("ansi")[cid]["query"])
    _assert_error_like(case, got)
    # Spark's message text, the values filled in
    want_text = case["error"]["message"].split(" SQLSTATE")[0]
    assert want_text in got["error"]["message"]


@pytest.mark.parametrize("cid", ["collections.array_index_out_of_bounds",
                                 "collections.element_at_out_of_bounds",
                                 "collections.map_duplicate_key",
                                 "collections.map_missing_key"])
def test_recorded_collect_cases(cid):
    case = RECORDED[cid]
    got = run_sql(_sql1(cid))
    if "error" in case:
        _assert_error_like(case, got)
    else:
        assert "[" + ", ".join(got["rows"]) + "]" == case["value"], got


# --------------------------------------------------------------------------------------------
# the DataFrame-API cases, as SQL over typed columns
# --------------------------------------------------------------------------------------------

_LIST_ROWS = [(1, [1, 2]), (2, []), (3, None)]

FRAMES = {
    "collections.explode_df": (
        "SELECT k, explode(a) AS x FROM t ORDER BY k, x", "k INT, a ARRAY<INT>", _LIST_ROWS),
    "collections.explode_outer_df": (
        "SELECT k, explode_outer(a) AS x FROM t ORDER BY k, x", "k INT, a ARRAY<INT>",
        _LIST_ROWS),
    "collections.explode_map_df": (
        "SELECT k, explode(m) FROM t ORDER BY key", "k INT, m MAP<STRING,INT>",
        [(1, {"a": 1, "b": 2})]),
    "collections.posexplode_df": (
        "SELECT k, posexplode(a) FROM t", "k INT, a ARRAY<STRING>", [(1, ["a", "b"])]),
    "collections.getitem": (
        "SELECT a[1] AS x, a[0] AS y, m['a'] AS z, m['b'] AS w FROM t",
        "a ARRAY<INT>, m MAP<STRING,INT>", [([1, 2], {"a": 3})]),
    "collections.transform_df": (
        "SELECT transform(a, x -> x * 2) AS t, filter(a, x -> x % 2 = 1) AS f, "
        "aggregate(a, 0, (s, x) -> s + x) AS s FROM t", "a ARRAY<INT>", [([1, 2, 3],)]),
    "collections.struct_fields_df": (
        "SELECT s.i AS i, s.t AS t, s['i'] AS ii, s.t AS tt FROM t",
        "s STRUCT<i: INT, t: STRING>", [((1, "z"),)]),
    "collections.create_map_df": (
        "SELECT map('k', id) AS m, array(id, 9) AS a, struct(id AS x) AS s FROM t "
        "ORDER BY a[0]", "id BIGINT", [(0,), (1,)]),
}


@pytest.mark.parametrize("cid", sorted(FRAMES))
def test_recorded_dataframe_case(cid):
    query, ddl, rows = FRAMES[cid]
    got = run_typed(query, ddl, rows)
    assert verdict(RECORDED[cid], got) == "match", got


def test_recorded_lateral_view():
    # spark.sql over a view: the column references carry names only, no types
    case = RECORDED["collections.lateral_view"]
    query = re.search(r'spark\.sql\("(.*)"\)', case["code"]).group(1)
    got = run_typed(query, "k INT, a ARRAY<INT>", [(1, [1, 2])], typed=False)
    assert verdict(case, got) == "match", got


# --------------------------------------------------------------------------------------------
# casts of arrays, maps and structs to strings (the ANSI helper's cast rule calls this)
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cid, spark_type", [
    ("string.sql_64", T.ArrayType(T.IntegerType())),
    ("string.sql_65", T.MapType(T.StringType(), T.IntegerType())),
    ("string.sql_66", T.StructType([T.StructField("a", T.IntegerType()),
                                    T.StructField("b", T.StringType())])),
])
def test_recorded_nested_to_string(cid, spark_type):
    case = sql_cases("string")[cid]
    inner = re.fullmatch(r"SELECT cast\((.*) as string\) AS r", case["query"], re.I).group(1)
    gen = SparkOnDuckDB(ansi=True).generator()
    from sparklet.sql.dialect import parse_expression
    value_sql = gen.sql(parse_expression(inner))
    text = nested_to_string_sql(gen, value_sql, spark_type)
    (value,), = connection().sql(f"SELECT {text}").fetchall()
    assert [f"Row(r={value!r})"] == case["rows"]


# --------------------------------------------------------------------------------------------
# semantics the recordings do not cover, as Spark's documentation states them
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, rows", [
    # ANSI off (spark.sql.ansi.enabled=false): out-of-bounds indexes give NULL, and
    # size(NULL) is -1 (spark.sql.legacy.sizeOfNull, which applies only without ANSI)
    ("SELECT array(1)[3] AS r", ["Row(r=None)"]),
    ("SELECT element_at(array(1), 3) AS r", ["Row(r=None)"]),
    ("SELECT size(NULL) AS r", ["Row(r=-1)"]),
])
def test_non_ansi(query, rows):
    assert run_sql(query, ansi=False)["rows"] == rows


@pytest.mark.parametrize("query, rows", [
    # from the examples of Spark's SQL function reference
    ("SELECT array_distinct(array(1, 2, 3, NULL, 3)) AS r", ["Row(r=[1, 2, 3, None])"]),
    ("SELECT array_union(array(1, 2, 3), array(1, 3, 5)) AS r", ["Row(r=[1, 2, 3, 5])"]),
    ("SELECT array_intersect(array(1, 2, 3), array(1, 3, 5)) AS r", ["Row(r=[1, 3])"]),
    ("SELECT array_except(array(1, 2, 3), array(1, 3, 5)) AS r", ["Row(r=[2])"]),
    ("SELECT array_remove(array(1, 2, 3, NULL, 3), 3) AS r", ["Row(r=[1, 2, None])"]),
    ("SELECT arrays_overlap(array(1, 2, 3), array(3, 4, 5)) AS r", ["Row(r=True)"]),
    ("SELECT exists(array(1, NULL, 3), x -> x % 2 == 0) AS r", ["Row(r=None)"]),
    ("SELECT forall(array(2, NULL, 8), x -> x % 2 == 0) AS r", ["Row(r=None)"]),
    ("SELECT forall(array(1, NULL, 8), x -> x % 2 == 0) AS r", ["Row(r=False)"]),
    ("SELECT filter(array(0, 2, 3), (x, i) -> x > i) AS r", ["Row(r=[2, 3])"]),
    ("SELECT aggregate(array(1, 2, 3), 0, (acc, x) -> acc + x, acc -> acc * 10) AS r",
     ["Row(r=60)"]),
    ("SELECT zip_with(array(1, 2, 3), array('a', 'b', 'c'), (x, y) -> (y, x)) AS r",
     ["Row(r=[Row(y='a', x=1), Row(y='b', x=2), Row(y='c', x=3)])"]),
    ("SELECT array_sort(array(5, 6, 1), (left, right) -> CASE WHEN left < right THEN -1 "
     "WHEN left > right THEN 1 ELSE 0 END) AS r", ["Row(r=[1, 5, 6])"]),
    ("SELECT sort_array(array('b', 'd', NULL, 'c', 'a'), false) AS r",
     ["Row(r=['d', 'c', 'b', 'a', None])"]),
    ("SELECT sequence(5, 1) AS r", ["Row(r=[5, 4, 3, 2, 1])"]),
    ("SELECT sequence(DATE'2018-01-01', DATE'2018-03-01', INTERVAL 1 MONTH) AS r",
     ["Row(r=[datetime.date(2018, 1, 1), datetime.date(2018, 2, 1), "
      "datetime.date(2018, 3, 1)])"]),
    ("SELECT flatten(array(array(1, 2), NULL)) AS r", ["Row(r=None)"]),
    ("SELECT array_repeat('123', 2) AS r", ["Row(r=['123', '123'])"]),
    ("SELECT map_filter(map(1, 0, 2, 2, 3, -1), (k, v) -> k > v) AS r",
     ["Row(r={1: 0, 3: -1})"]),
    ("SELECT map_zip_with(map(1, 'a', 2, 'b'), map(1, 'x', 2, 'y'), "
     "(k, v1, v2) -> concat(v1, v2)) AS r", ["Row(r={1: 'ax', 2: 'by'})"]),
    ("SELECT str_to_map('a:1,b:2,c:3', ',', ':') AS r",
     ["Row(r={'a': '1', 'b': '2', 'c': '3'})"]),
    ("SELECT get(array(1, 2, 3), 3) AS r", ["Row(r=None)"]),
    ("SELECT slice(array(1, 2, 3, 4), -2, 2) AS r", ["Row(r=[3, 4])"]),
    ("SELECT array_insert(array(1, 2, 3, 4), 5, 5) AS r", ["Row(r=[1, 2, 3, 4, 5])"]),
    ("SELECT array_insert(array(5, 4, 3, 2), -1, 1) AS r", ["Row(r=[5, 4, 3, 2, 1])"]),
    ("SELECT array_insert(array(5, 3, 2, 1), -4, 4) AS r", ["Row(r=[5, 4, 3, 2, 1])"]),
    ("SELECT map_from_entries(array(struct(1, 'a'), struct(2, 'b'))) AS r",
     ["Row(r={1: 'a', 2: 'b'})"]),
    ("SELECT explode_outer(array(10, 20))", ["Row(col=10)", "Row(col=20)"]),
    ("SELECT posexplode_outer(array(10, 20))", ["Row(pos=0, col=10)", "Row(pos=1, col=20)"]),
    ("SELECT inline_outer(array(struct(1, 'a'), struct(2, 'b')))",
     ["Row(col1=1, col2='a')", "Row(col1=2, col2='b')"]),
    ("SELECT element_at(array(1, 2, 3), -1) AS r", ["Row(r=3)"]),
])
def test_documented_examples(query, rows):
    got = run_sql(query)
    assert got.get("rows") == rows, got


@pytest.mark.parametrize("cid", ["collections.sql_66", "collections.sql_76",
                                 "collections.sql_77", "collections.sql_78"])
def test_generator_alias_message(cid):
    # a multi-column generator under one alias: Spark's whole message
    case = CASES.get(cid) or sql_cases("collections")[cid]
    assert run_sql(case["query"])["error"]["message"] == case["error"]["message"]


@pytest.mark.parametrize("query, condition", [
    ("SELECT slice(array(1, 2), 0, 1) AS r", "INVALID_PARAMETER_VALUE.START"),
    ("SELECT slice(array(1, 2), 1, -1) AS r", "INVALID_PARAMETER_VALUE.LENGTH"),
    ("SELECT array_insert(array(1), 0, 2) AS r", "INVALID_INDEX_OF_ZERO"),
    ("SELECT map_from_arrays(array(1, 2), array('a')) AS r",
     "INVALID_PARAMETER_VALUE.ARRAY_LENGTH_MISMATCH"),
    ("SELECT map(NULL, 1) AS r", "NULL_MAP_KEY"),
    ("SELECT map_from_entries(array(struct(1, 'a'), struct(1, 'b'))) AS r",
     "DUPLICATED_MAP_KEY"),
    ("SELECT map_concat(map(1, 'a'), map(1, 'b')) AS r", "DUPLICATED_MAP_KEY"),
])
def test_documented_errors(query, condition):
    # raised whatever spark.sql.ansi.enabled says
    for ansi in (True, False):
        assert _condition(run_sql(query, ansi=ansi)) == condition


def test_duplicate_key_from_transform_keys():
    got = run_sql("SELECT transform_keys(map(1, 2, 3, 4), (k, v) -> 0) AS r")
    assert _condition(got) == "DUPLICATED_MAP_KEY"


def test_index_of_zero():
    got = run_sql("SELECT element_at(array(1, 2), 0) AS r")
    assert _condition(got) == "INVALID_INDEX_OF_ZERO"


# --------------------------------------------------------------------------------------------
# generator_projection: a DataFrame select's generator as named columns
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cid, generator, ddl, rows, order", [
    ("collections.explode_map_df", "explode(m)", "k INT, m MAP<STRING,INT>",
     [(1, {"a": 1, "b": 2})], "ORDER BY key"),
    ("collections.posexplode_df", "posexplode(a)", "k INT, a ARRAY<STRING>",
     [(1, ["a", "b"])], ""),
])
def test_generator_projection(cid, generator, ddl, rows, order):
    from sqlglot import exp

    from sparklet.sql.dialect import parse_expression
    from sparklet.sql.dialect.arrays import generator_projection
    from sparklet.sql.typemap import to_duckdb_type
    from sparklet.sql.types import _parse_datatype_string

    schema = _parse_datatype_string(ddl)
    tree = parse_expression(generator)
    for col in list(tree.find_all(exp.Column)):  # typed, as a DataFrame plan has them
        col.type = exp.DataType.build(to_duckdb_type(schema[col.name].dataType),
                                      dialect="duckdb")
    cols = generator_projection(tree)
    items = ", ".join(f"{sql} AS {name}" for sql, name in cols)
    con = connection()
    from sparklet.sql.conversion import to_arrow_table
    con.register("gen_t", to_arrow_table(rows, schema))
    try:
        rel = con.sql(f"SELECT k, {items} FROM gen_t {order}")
        got = [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]
    finally:
        con.unregister("gen_t")
    want = RECORDED[cid]["rows"]
    assert [f"Row({', '.join(f'{k}={v!r}' for k, v in r.items())})" for r in got] == want
    with pytest.raises(Exception) as info:
        generator_projection(tree, ["only_one"])
    assert info.value.getCondition() == "UDTF_ALIAS_NUMBER_MISMATCH"


def test_lateral_view_of_an_untyped_map():
    # a spark.sql view's column has no type: two names say it is a map (key, value)
    got = run_typed("SELECT k, kk, vv FROM t LATERAL VIEW explode(m) e AS kk, vv ORDER BY kk",
                    "k INT, m MAP<STRING,INT>", [(1, {"a": 1, "b": 2})], typed=False)
    assert got["rows"] == ["Row(k=1, kk='a', vv=1)", "Row(k=1, kk='b', vv=2)"]


def test_recorded_stack():
    case = sql_cases("sql")["sql.stack"]
    assert verdict(case, run_sql(case["query"])) == "match"


def test_same_expression_same_sql_in_group_by():
    # DuckDB matches SELECT items to GROUP BY keys by their SQL: lambda names must not differ
    got = run_typed("SELECT array_distinct(a) AS d, count(*) AS n FROM t "
                    "GROUP BY array_distinct(a) ORDER BY n",
                    "a ARRAY<INT>", [([1, 1, 2],), ([2, 1],), ([1, 1, 2],)])
    assert got["rows"] == ["Row(d=[2, 1], n=1)", "Row(d=[1, 2], n=2)"], got
