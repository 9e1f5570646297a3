"""sparklet.errors against PySpark 4.3.0.

Two references, both recorded from real PySpark: ``pyspark_errors.json`` (by
``record_errors.py``: the class hierarchy, the exceptions PySpark itself builds from a
Python-side condition, and, from a live session, the UNRESOLVED_COLUMN proposals for
chosen misspellings) and ``../sql_parity/pyspark_results.json`` (what a real session
raised: engine-side conditions with SQLSTATE, positions and query contexts, and
Python-side ones). Each such case here names the parameters Spark passes for it; the
expected text is the recorded one.
"""

import json
import pathlib
import pickle
import re
import subprocess
import sys
import warnings

import pytest

import sparklet.errors as E
from sparklet.errors import (
    AnalysisException,
    DataFrameQueryContext,
    SQLQueryContext,
    order_suggestions,
    unresolved_column,
)
from sparklet.errors.suggestions import levenshtein

HERE = pathlib.Path(__file__).parent
RECORDED = json.loads((HERE / "pyspark_errors.json").read_text())
REAL = json.loads((HERE.parent / "sql_parity" / "pyspark_results.json").read_text())["cases"]

ANSI = '"spark.sql.ansi.enabled"'
SEARCH_PATH = "[`system`.`builtin`, `system`.`session`, `spark_catalog`.`default`]"


# ---- classes ----------------------------------------------------------------------------

def test_every_pyspark_name_is_exported():
    missing = [n for n in RECORDED["classes"] if n not in E.__all__ or not hasattr(E, n)]
    assert missing == []


@pytest.mark.parametrize("name", sorted(RECORDED["classes"]))
def test_class_hierarchy_is_pysparks(name):
    expected = RECORDED["classes"][name]
    mro = [c.__name__ for c in getattr(E, name).__mro__]
    # sparklet may add its own bases (PythonException is also a SparkException), nothing else.
    assert [n for n in mro if n in expected] == expected
    assert set(mro) - set(expected) <= {"SparkException", "ABC"}


# ---- exceptions PySpark builds in Python ------------------------------------------------

@pytest.mark.parametrize("case", RECORDED["cases"], ids=lambda c: f"{c['class']}-{c['condition']}")
def test_python_side_exception_is_pysparks(case):
    cls = getattr(E, case["class"])
    if case["condition"] is None:
        exc = cls(case["message"])
    else:
        exc = cls(errorClass=case["condition"], messageParameters=case["parameters"])
    assert str(exc) == case["str"]
    assert exc.getMessage() == case["getMessage"]
    assert exc.getCondition() == case["getCondition"]
    assert exc.getSqlState() == case["getSqlState"]
    assert exc.getMessageParameters() == case["getMessageParameters"]


def test_get_error_class_is_deprecated_alias():
    exc = E.PySparkValueError(errorClass="CANNOT_INFER_EMPTY_SCHEMA", messageParameters={})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert exc.getErrorClass() == "CANNOT_INFER_EMPTY_SCHEMA"
    assert [w.category for w in caught] == [FutureWarning]


def test_bad_condition_or_parameters_are_refused():
    with pytest.raises(ValueError, match="Cannot find main error class 'NO_SUCH'"):
        E.PySparkException(errorClass="NO_SUCH", messageParameters={})
    with pytest.raises(ValueError, match="Cannot find sub error class 'NOPE'"):
        E.AnalysisException(errorClass="UNRESOLVED_COLUMN.NOPE", messageParameters={})
    with pytest.raises(ValueError, match="Undefined error message parameter"):
        E.PySparkTypeError(errorClass="NOT_ITERABLE", messageParameters={"wrong": "x"})


def test_exceptions_pickle():
    for exc in (E.PySparkTypeError(errorClass="NOT_ITERABLE",
                                   messageParameters={"objectName": "c"}),
                E.ParseException(errorClass="PARSE_SYNTAX_ERROR",
                                 messageParameters={"error": "'x'", "hint": ""},
                                 command="x", line=1, startPosition=0),
                E.PythonException("boom", "Traceback ..."),
                E.PySparkAssertionError("differs", data=[1, 2])):
        back = pickle.loads(pickle.dumps(exc))
        assert type(back) is type(exc)
        assert str(back) == str(exc)
        assert back.getCondition() == exc.getCondition()


def test_builtin_bases_catch_them():
    with pytest.raises(TypeError):
        raise E.PySparkTypeError(errorClass="NOT_ITERABLE", messageParameters={"objectName": "c"})
    with pytest.raises(KeyError):
        raise E.PySparkKeyError(errorClass="NOT_IMPLEMENTED", messageParameters={"feature": "k"})
    with pytest.raises(E.SparkException):  # sparklet's job failure, as before
        raise E.PythonException("ZeroDivisionError: division by zero")


def test_imports_without_optional_dependencies():
    code = ("import sys, sparklet.errors; "
            "print(sorted(m for m in ('pyspark', 'duckdb', 'sqlglot', 'pyarrow', 'pandas', "
            "'confluent_kafka', 'psycopg') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(HERE.parent.parent / "src")})
    assert out.stdout.strip() == "[]"


# ---- exceptions a real session raised ----------------------------------------------------

def sql_ctx(text, fragment):
    start = text.index(fragment)
    return [SQLQueryContext(text, start, start + len(fragment) - 1)]


def df_ctx(fragment, case):
    return [DataFrameQueryContext(fragment, f"<{case}>:1")]


def cast_input(value, source, target):
    return {"expression": value, "sourceType": f'"{source}"', "targetType": f'"{target}"'}


def overflow(alternative):
    return {"message": "overflow", "alternative": alternative, "config": ANSI}


# case id -> (class, condition, parameters, keyword arguments)
REAL_CASES = {
    "ansi.df_cast_bad": ("NumberFormatException", "CAST_INVALID_INPUT",
                         cast_input("'x'", "STRING", "INT"),
                         {"contexts": df_ctx("cast", "ansi.df_cast_bad")}),
    "ansi.df_div_zero": ("ArithmeticException", "DIVIDE_BY_ZERO", {"config": ANSI},
                         {"contexts": df_ctx("__truediv__", "ansi.df_div_zero")}),
    "ansi.df_overflow_sum": ("ArithmeticException", "ARITHMETIC_OVERFLOW",
                             overflow(" Use 'try_add' to tolerate overflow and return NULL "
                                      "instead."), {}),
    "ansi.sql_00": ("ArithmeticException", "DIVIDE_BY_ZERO", {"config": ANSI},
                    {"contexts": sql_ctx("SELECT 1 / 0 AS r", "1 / 0")}),
    "ansi.sql_01": ("ArithmeticException", "REMAINDER_BY_ZERO", {"config": ANSI},
                    {"contexts": sql_ctx("SELECT 1 % 0 AS r", "1 % 0")}),
    "ansi.sql_06": ("NumberFormatException", "CAST_INVALID_INPUT",
                    cast_input("'abc'", "STRING", "INT"),
                    {"contexts": sql_ctx("SELECT CAST('abc' AS INT) AS r", "CAST('abc' AS INT)")}),
    "ansi.sql_15": ("SparkRuntimeException", "CAST_INVALID_INPUT",
                    cast_input("'maybe'", "STRING", "BOOLEAN"),
                    {"contexts": sql_ctx("SELECT CAST('maybe' AS BOOLEAN) AS r",
                                         "CAST('maybe' AS BOOLEAN)")}),
    "ansi.sql_18": ("ArithmeticException", "CAST_OVERFLOW",
                    {"value": "3000000000L", "sourceType": '"BIGINT"', "targetType": '"INT"'},
                    {}),
    "ansi.sql_24": ("ArithmeticException", "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION",
                    {"value": "123.45", "precision": "3", "scale": "1", "config": ANSI},
                    {"contexts": sql_ctx("SELECT CAST(123.45 AS DECIMAL(3,1)) AS r",
                                         "CAST(123.45 AS DECIMAL(3,1))")}),
    "ansi.sql_30": ("ArithmeticException", "ARITHMETIC_OVERFLOW", overflow(""), {}),
    "ansi.sql_32": ("ArithmeticException", "BINARY_ARITHMETIC_OVERFLOW",
                    {"value1": "127S", "symbol": "+", "value2": "1S",
                     "functionName": "`try_add`"}, {}),
    "ansi.sql_34": ("ArrayIndexOutOfBoundsException", "INVALID_ARRAY_INDEX_IN_ELEMENT_AT",
                    {"indexValue": "3", "arraySize": "1"},
                    {"contexts": sql_ctx("SELECT element_at(array(1), 3) AS r",
                                         "element_at(array(1), 3)")}),
    "ansi.sql_35": ("ArrayIndexOutOfBoundsException", "INVALID_ARRAY_INDEX",
                    {"indexValue": "3", "arraySize": "1"},
                    {"contexts": sql_ctx("SELECT array(1)[3] AS r", "array(1)[3]")}),
    "ansi.sql_36": ("DateTimeException", "CAST_INVALID_INPUT",
                    cast_input("'2024-02-30'", "STRING", "DATE"),
                    {"contexts": sql_ctx("SELECT CAST('2024-02-30' AS DATE) AS r",
                                         "CAST('2024-02-30' AS DATE)")}),
    "ansi.sql_40": ("DateTimeException", "CANNOT_PARSE_TIMESTAMP",
                    {"message": "Text 'x' could not be parsed at index 0",
                     "func": "`try_to_timestamp`"}, {}),
    "agg.agg_nonagg_col_error": ("AnalysisException", "MISSING_AGGREGATION",
                                 {"expression": '"v"', "expressionAnyValue": '"any_value(v)"'},
                                 {}),
    "errors.agg_in_where": ("AnalysisException", "INVALID_WHERE_CONDITION",
                            {"condition": '"(sum(v) > 1)"', "expressionList": "sum(n.v)"},
                            {"line": 1, "startPosition": 0}),
    "errors.bad_ddl_schema": ("ParseException", "UNSUPPORTED_DATATYPE",
                              {"typeName": '"INTEGR"'},
                              {"command": "x INTEGR", "line": 1, "startPosition": 2}),
    "errors.col_not_bool_in_filter": ("AnalysisException", "DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN",
                                      {"sqlExpr": '"name"', "filter": '"name"',
                                       "type": '"STRING"'}, {}),
    "errors.parse_error": ("ParseException", "PARSE_SYNTAX_ERROR",
                           {"error": "'t'", "hint": ": extra input 't'"},
                           {"command": "SELECT * FORM t", "line": 1, "startPosition": 14}),
    "errors.parse_error_in_expr": ("ParseException", "PARSE_SYNTAX_ERROR",
                                   {"error": "end of input", "hint": ""},
                                   {"command": "id +", "line": 1, "startPosition": 4}),
    "errors.type_mismatch": ("AnalysisException", "DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES",
                             {"sqlExpr": '"(array(1) + 1)"', "left": '"ARRAY<INT>"',
                              "right": '"INT"'}, {"line": 1, "startPosition": 7}),
    "errors.unionByName_missing": ("AnalysisException", "UNRESOLVED_COLUMN_AMONG_FIELD_NAMES",
                                   {"colName": "b", "fieldNames": "a"}, {}),
    "errors.union_mismatch": ("AnalysisException", "NUM_COLUMNS_MISMATCH",
                              {"operator": "UNION", "firstNumColumns": "1",
                               "invalidOrdinalNum": "second", "invalidNumColumns": "2"}, {}),
    "errors.unknown_function": ("AnalysisException", "UNRESOLVED_ROUTINE",
                                {"routineName": "`no_such_fn`", "searchPath": SEARCH_PATH},
                                {"line": 1, "startPosition": 7}),
    "errors.unknown_table": ("AnalysisException", "TABLE_OR_VIEW_NOT_FOUND",
                             {"relationName": "`no_such_table`", "searchPath": SEARCH_PATH},
                             {"line": 1, "startPosition": 14}),
    "errors.unknown_table_read": ("AnalysisException", "TABLE_OR_VIEW_NOT_FOUND",
                                  {"relationName": "`no_such_table`",
                                   "searchPath": SEARCH_PATH}, {}),
    "errors.view_exists": ("AnalysisException", "TEMP_TABLE_OR_VIEW_ALREADY_EXISTS",
                           {"relationName": "`dup_v`"}, {}),
    "errors.wrong_arg_count": ("AnalysisException", "WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                               {"functionName": "`upper`", "expectedNum": "1",
                                "actualNum": "2"}, {"line": 1, "startPosition": 7}),
    "io.read_missing_path": ("AnalysisException", "PATH_NOT_FOUND",
                             {"path": "file:<tmp>/missing"}, {}),
    "io.write_bad_mode": ("AnalysisException", "INVALID_SAVE_MODE", {"mode": '"nope"'}, {}),
    "joins.ambiguous_ref": ("AnalysisException", "AMBIGUOUS_REFERENCE",
                            {"name": "`v`", "referenceNames": "[`v`, `v`]"}, {}),
    "window.rank_no_order_error": ("AnalysisException", "WINDOW_FUNCTION_FRAME_NOT_ORDERED",
                                   {"wf_name": "rank", "wf_expr": "RANK()"}, {}),
    "ansi.df_int_add_overflow": ("ArithmeticException", "ARITHMETIC_OVERFLOW",
                                 overflow(" Use 'try_add' to tolerate overflow and return NULL "
                                          "instead."),
                                 {"contexts": df_ctx("__add__", "ansi.df_int_add_overflow")}),
    "ansi.sql_25": ("ArithmeticException", "ARITHMETIC_OVERFLOW",
                    overflow(" Use 'try_add' to tolerate overflow and return NULL instead."),
                    {"contexts": sql_ctx("SELECT 2147483647 + 1 AS r", "2147483647 + 1")}),
    "catalog.saveAsTable_exists_error": ("AnalysisException", "TABLE_OR_VIEW_ALREADY_EXISTS",
                                         {"relationName": "`spark_catalog`.`default`.`pt2`"},
                                         {}),
    "collections.map_duplicate_key": ("SparkRuntimeException", "DUPLICATED_MAP_KEY",
                                      {"key": "1",
                                       "mapKeyDedupPolicy": '"spark.sql.mapKeyDedupPolicy"'}, {}),
    "io.parquet_mode_error": ("AnalysisException", "PATH_ALREADY_EXISTS",
                              {"outputPath": "file:<tmp>/p"}, {}),
    "window.count_distinct_window_error": (
        "AnalysisException", "DISTINCT_WINDOW_FUNCTION_UNSUPPORTED",
        {"windowExpr": '"count(DISTINCT v) OVER (PARTITION BY g ROWS BETWEEN UNBOUNDED '
                       'PRECEDING AND UNBOUNDED FOLLOWING)"'}, {}),
    # raised by PySpark itself: no SQLSTATE in the text
    "create.ddl_wrong_type": ("PySparkTypeError", "FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME",
                              {"field_name": "field x", "data_type": "IntegerType()",
                               "obj": "'a'", "obj_type": "<class 'str'>"}, {}),
    "create.empty_no_schema": ("PySparkValueError", "CANNOT_INFER_EMPTY_SCHEMA", {}, {}),
    "create.infer_mixed_int_float_fails": ("PySparkTypeError", "CANNOT_MERGE_TYPE",
                                           {"data_type1": "LongType",
                                            "data_type2": "DoubleType"}, {}),
    "dataframe.col_str_in_bool": ("PySparkValueError", "CANNOT_CONVERT_COLUMN_INTO_BOOL",
                                  {"column": "a"}, {}),
    "datetime.sql_59": ("PySparkNotImplementedError", "NOT_IMPLEMENTED",
                        {"feature": "CalendarIntervalType.fromInternal"}, {}),
    "errors.unknown_column_getattr": ("PySparkAttributeError", "ATTRIBUTE_NOT_SUPPORTED",
                                      {"attr_name": "nmae"}, {}),
}


@pytest.mark.parametrize("case", sorted(REAL_CASES))
def test_exception_matches_real_session(case):
    cls_name, condition, params, kwargs = REAL_CASES[case]
    real = REAL[case]["error"]
    assert (real["type"], real["condition"]) == (cls_name, condition)
    exc = getattr(E, cls_name)(errorClass=condition, messageParameters=params, **kwargs)
    assert str(exc) == real["message"]
    assert exc.getCondition() == condition
    # The class PySpark raises the condition with, found from the condition alone.
    chosen = E.exception_for(condition, params, **kwargs)
    assert type(chosen) is type(exc) and str(chosen) == str(exc)
    state = re.search(r"SQLSTATE: (\w+)", real["message"])
    if state is not None:
        assert exc.getSqlState() == state.group(1)
    assert isinstance(exc, E.PySparkException)


def test_exception_class_of_every_recorded_condition():
    # Every error of the parity table that carries a condition sparklet knows.
    from sparklet.errors.error_conditions import ERROR_CONDITIONS

    checked = 0
    for case in REAL.values():
        error = case.get("error") or {}
        condition = error.get("condition")
        if not condition or condition.split(".")[0] not in ERROR_CONDITIONS:
            continue
        target = re.search(r"cannot be cast to (\"[A-Z_]+\")", error["message"])
        params = {"targetType": target.group(1)} if target else {}
        assert E.exception_class_for(condition, params).__name__ == error["type"], condition
        checked += 1
    assert checked >= 60


# ---- UNRESOLVED_COLUMN suggestions -------------------------------------------------------

PEOPLE = ["id", "name", "age", "city"]  # tests/sql_parity/cases.py people()
UNRESOLVED = {case: v["error"] for case, v in REAL.items()
              if v.get("error", {}).get("condition", "").startswith("UNRESOLVED_COLUMN.")}
MESSAGE = re.compile(r"with name `(?P<name>[^`]+)` cannot be resolved\. Did you mean one of "
                     r"the following\? \[(?P<proposal>[^\]]*)\]\. SQLSTATE: 42703"
                     r"(?:; line (?P<line>\d+) pos (?P<pos>\d+))?$")


def test_recorded_unresolved_cases_are_known():
    assert sorted(UNRESOLVED) == ["errors.unknown_column_filter", "errors.unknown_column_select",
                                  "errors.unknown_column_sql"]


@pytest.mark.parametrize("case", sorted(UNRESOLVED))
def test_unresolved_column_message_is_sparks(case):
    m = MESSAGE.search(UNRESOLVED[case]["message"])
    name, real = m["name"], m["proposal"].split(", ")
    # Spark orders by this distance: the real list is sorted by it.
    distances = [levenshtein(q, name) for q in real]
    assert distances == sorted(distances)
    kwargs = {"line": int(m["line"]), "startPosition": int(m["pos"])} if m["line"] else {}
    exc = unresolved_column(name, PEOPLE, **kwargs)
    assert str(exc) == UNRESOLVED[case]["message"]
    assert type(exc) is AnalysisException


VIEWS = {"p": PEOPLE, "q": ["k", "v"]}  # record_errors.py's temp views


def probe_candidates(probe):
    if isinstance(probe["source"], list):
        return probe["source"]
    views = [v for v in VIEWS if f" {v}" in probe["source"].split("FROM")[1]]
    return [[v, c] for v in views for c in VIEWS[v]]


@pytest.mark.parametrize("probe", RECORDED["suggestions"], ids=lambda p: p["id"])
def test_suggestions_match_recorded_session(probe):
    exc = unresolved_column(probe["name"], probe_candidates(probe))
    assert exc.getCondition() == probe["condition"]
    assert exc.getMessageParameters() == probe["parameters"]
    if isinstance(probe["source"], list):  # no position for a DataFrame's column
        # A live session's message goes on with ";" and the analyzed plan; sparklet's stops.
        assert str(exc) == probe["message"].removesuffix(";")


def test_suggestions_qualifiers_and_limit():
    # One qualifier for all: dropped; two tables in one database: the table kept.
    assert order_suggestions("a", [["t", "a1"], ["t", "b"]]) == ["`a1`", "`b`"]
    assert order_suggestions("a", [["db", "t", "a"], ["db", "u", "b"]]) == ["`t`.`a`", "`u`.`b`"]
    assert order_suggestions("x.y.a", [["db", "t", "a"], ["db", "u", "b"]]) == [
        "`db`.`t`.`a`", "`db`.`u`.`b`"]
    exc = unresolved_column("c", [f"c{i}" for i in range(8)])
    assert exc.getMessageParameters()["proposal"].count("`") == 10  # five names
    # The empty sub-message leaves two spaces before SQLSTATE, as in PySpark's own tests.
    assert str(unresolved_column("x", [])) == (
        "[UNRESOLVED_COLUMN.WITHOUT_SUGGESTION] A column, variable, or function parameter with "
        "name `x` cannot be resolved.  SQLSTATE: 42703")


def test_levenshtein_against_plain_model():
    from hypothesis import given
    from hypothesis import strategies as st

    def model(a, b):  # the textbook recursion, memoised
        from functools import lru_cache

        @lru_cache(None)
        def d(i, j):
            if i == 0 or j == 0:
                return i + j
            return min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))
        return d(len(a), len(b))

    @given(st.text("ab`c", max_size=7), st.text("ab`c", max_size=7))
    def check(a, b):
        assert levenshtein(a, b) == model(a, b)

    check()
