"""The string rules of the Spark-on-DuckDB dialect against PySpark 4.3.

Every recorded single-statement case of the ``string`` area (tests/sql_parity) must match
PySpark's rows and types, except the ones in ``KNOWN`` (each with the reason it cannot yet);
``DOCUMENTED`` holds examples from Spark's SQL function reference.
"""

from __future__ import annotations

import os
import re
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "sql_parity"))

from compare import verdict  # noqa: E402

from sparklet.errors import exception_class_for  # noqa: E402

from .harness import run_sql, sql_cases  # noqa: E402

_CONDITION = re.compile(r"\[([A-Z_]+(?:\.[A-Z_]+)?)\] ")
_TARGET = re.compile(r'cannot be cast to ("[A-Z_]+")')


# A recorded PySpark error is judged by its class. Until sparklet.sql.execution_errors
# (the ANSI helper's) is on the branch, an error raised through DuckDB's
# error('[CONDITION] ...') gets the class sparklet.errors.exception_class_for picks for that
# condition, which is what its translate does.


def observe(query: str, ansi: bool = True) -> dict:
    """``run_sql``, with a ``[CONDITION]`` DuckDB error classed as PySpark would class it."""
    got = run_sql(query, ansi=ansi)
    err = got.get("error")
    if err and err["condition"] is None:
        m = _CONDITION.search(err["message"])
        if m:
            t = _TARGET.search(err["message"])
            params = {"targetType": t.group(1)} if t else {}
            err["type"] = exception_class_for(m.group(1), params).__name__
            err["condition"] = m.group(1)
    return got


def judge(case: dict) -> str:
    """The verdict of ``case`` (a recorded case with its ``query``) on the dialect."""
    return verdict(case, observe(case["query"]))


CASES = sql_cases("string")

KNOWN = {
    "string.string_plus_number": "'1' + 1 (string promoted to a number): the ANSI helper's "
                                 "arithmetic and implicit cast rules",
}


def _params():
    for cid in sorted(CASES):
        marks = [pytest.mark.xfail(reason=KNOWN[cid], strict=False)] if cid in KNOWN else []
        yield pytest.param(cid, marks=marks, id=cid)


@pytest.mark.parametrize("cid", list(_params()))
def test_recorded_case(cid):
    assert judge(CASES[cid]) == "match"


def test_known_are_recorded_cases():
    assert set(KNOWN) <= set(CASES)


# Examples of Spark's SQL function reference (docs/sql-ref-functions-builtin, the
# ExpressionDescription examples), as rows of ``SELECT <expr> AS r``.
DOCUMENTED = [
    ("soundex('Miller')", "Row(r='M460')"),
    ("format_number(12332.123456, 4)", "Row(r='12,332.1235')"),
    ("substring_index('www.apache.org', '.', 2)", "Row(r='www.apache')"),
    ("mask('AbCD123-@$#')", "Row(r='XxXXnnn-@$#')"),
    ("mask('AbCD123-@$#', 'Q', 'q')", "Row(r='QqQQnnn-@$#')"),
    ("mask('AbCD123-@$#', 'Q', 'q', 'd', 'o')", "Row(r='QqQQdddoooo')"),
    ("sentences('Hi there! Good morning.')", "Row(r=[['Hi', 'there'], ['Good', 'morning']])"),
    ("crc32('Spark')", "Row(r=1557323817)"),
    ("elt(1, 'scala', 'java')", "Row(r='scala')"),
    ("find_in_set('ab','abc,b,ab,c,def')", "Row(r=3)"),
    ("split('oneAtwoBthreeC', '[ABC]', 2)", "Row(r=['one', 'twoBthreeC'])"),
    ("split('oneAtwoBthreeC', '[ABC]', -1)", "Row(r=['one', 'two', 'three', ''])"),
    ("regexp_extract('100-200', '(\\\\d+)-(\\\\d+)', 1)", "Row(r='100')"),
    ("regexp_extract_all('100-200, 300-400', '(\\\\d+)-(\\\\d+)', 1)", "Row(r=['100', '300'])"),
    ("regexp_replace('100-200', '(\\\\d+)', 'num')", "Row(r='num-num')"),
    ("initcap('sPark sql')", "Row(r='Spark Sql')"),
    ("levenshtein('kitten', 'sitting', 2)", "Row(r=-1)"),
    ("locate('bar', 'foobarbar', 5)", "Row(r=7)"),
    ("instr('SparkSQL', 'SQL')", "Row(r=6)"),
    ("format_string('Hello World %d %s', 100, 'days')", "Row(r='Hello World 100 days')"),
    ("printf('Hello World %d %s', 100, 'days')", "Row(r='Hello World 100 days')"),
    ("substring('Spark SQL', -3)", "Row(r='SQL')"),
    ("substring('Spark SQL', 5, 1)", "Row(r='k')"),
    ("btrim('    SparkSQL   ')", "Row(r='SparkSQL')"),
    ("btrim('SSparkSQLS', 'SL')", "Row(r='parkSQ')"),
    ("to_number('454', '999')", "Row(r=Decimal('454'))"),
    ("to_number('$78.12', '$99.99')", "Row(r=Decimal('78.12'))"),
    ("split_part('11.12.13', '.', 3)", "Row(r='13')"),
    ("concat_ws('s')", "Row(r='')"),
    ("concat_ws('/', 'foo', null, 'bar')", "Row(r='foo/bar')"),
    ("concat_ws(null, 'Spark', 'SQL')", "Row(r=None)"),
    ("concat('Spark', NULL)", "Row(r=None)"),
    ("overlay('Spark SQL' PLACING 'ANSI ' FROM 7 FOR 0)", "Row(r='Spark ANSI SQL')"),
    ("overlay('Spark SQL' PLACING 'tructured' FROM 2 FOR 4)", "Row(r='Structured SQL')"),
    ("lpad('hi', 1, '??')", "Row(r='h')"),
    ("octet_length('Spark SQL')", "Row(r=9)"),
    ("bit_length('Spark SQL')", "Row(r=72)"),
    ("ascii(2)", "Row(r=50)"),
    ("rlike('%SystemDrive%\\\\Users\\\\John', '%SystemDrive%\\\\\\\\Users.*')", "Row(r=True)"),
    ("'%SystemDrive%/Users/John' like '/%SystemDrive/%//Users%' ESCAPE '/'", "Row(r=True)"),
    ("ilike('Spark', '_Park')", "Row(r=True)"),
]


@pytest.mark.parametrize("expr, row", DOCUMENTED)
def test_documented_example(expr, row):
    assert observe(f"SELECT {expr} AS r")["rows"] == [row]


def test_elt_out_of_range_raises_under_ansi_and_is_null_without():
    # Spark 4: elt's index out of range is INVALID_ARRAY_INDEX with ANSI on, NULL off
    err = observe("SELECT elt(3, 'a', 'b') AS r")["error"]
    assert err["condition"] == "INVALID_ARRAY_INDEX"
    assert err["type"] == "ArrayIndexOutOfBoundsException"
    assert observe("SELECT elt(3, 'a', 'b') AS r", ansi=False)["rows"] == ["Row(r=None)"]
