"""Record PySpark's error layer as data, in the PySpark venv (no JVM needed).

    /work/venv-pyspark/bin/python tests/sql/record_errors.py

writes ``tests/sql/pyspark_errors.json``: every ``pyspark.errors`` class with its MRO, and
``str()``/``getCondition()``/``getSqlState()``/``getMessageParameters()`` of exceptions built
with the Python-side conditions and parameters listed in CASES.

    /work/venv-pyspark/bin/python tests/sql/record_errors.py --conditions

rewrites ``src/sparklet/errors/error_conditions.py``, the subset of Spark's message
templates sparklet uses: the JVM conditions from the ``error-conditions.json`` inside the
``spark-common-utils`` jar, and the Python-side ones from ``pyspark/errors``.

    /work/venv-pyspark/bin/python tests/sql/record_errors.py --suggestions

starts a ``local[1]`` session (Java needed, about a minute) and records, under
``suggestions`` in the same JSON file, the UNRESOLVED_COLUMN messages Spark gives for the
misspelt names of SUGGESTION_PROBES.
"""

import inspect
import json
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Conditions raised by Spark's analyzer, parser and executors (messages rendered by the JVM).
JVM_CONDITIONS = [
    "AMBIGUOUS_REFERENCE", "ARITHMETIC_OVERFLOW", "BINARY_ARITHMETIC_OVERFLOW",
    "CANNOT_PARSE_TIMESTAMP", "CAST_INVALID_INPUT", "CAST_OVERFLOW", "DATATYPE_MISMATCH",
    "DISTINCT_WINDOW_FUNCTION_UNSUPPORTED", "DIVIDE_BY_ZERO", "DUPLICATED_MAP_KEY",
    "INVALID_ARRAY_INDEX", "INVALID_ARRAY_INDEX_IN_ELEMENT_AT", "INVALID_SAVE_MODE",
    "INVALID_WHERE_CONDITION", "MISSING_AGGREGATION", "NUM_COLUMNS_MISMATCH",
    "NUMERIC_VALUE_OUT_OF_RANGE", "PARSE_SYNTAX_ERROR", "PATH_ALREADY_EXISTS",
    "PATH_NOT_FOUND", "REMAINDER_BY_ZERO", "SCHEMA_NOT_FOUND", "TABLE_OR_VIEW_ALREADY_EXISTS",
    "TABLE_OR_VIEW_NOT_FOUND", "TEMP_TABLE_OR_VIEW_ALREADY_EXISTS", "UNRESOLVED_COLUMN",
    "UNRESOLVED_COLUMN_AMONG_FIELD_NAMES", "UNRESOLVED_FIELD", "UNRESOLVED_ROUTINE",
    "UNSUPPORTED_DATATYPE", "WINDOW_FUNCTION_FRAME_NOT_ORDERED", "WRONG_NUM_ARGS",
    "INCOMPATIBLE_COLUMN_TYPE", "GROUP_BY_POS_OUT_OF_RANGE", "ORDER_BY_POS_OUT_OF_RANGE",
]

# Conditions PySpark raises on the Python side (rendered by pyspark.errors itself).
PYTHON_CONDITIONS = [
    "ATTRIBUTE_NOT_SUPPORTED", "CANNOT_CONVERT_COLUMN_INTO_BOOL", "CANNOT_DETERMINE_TYPE",
    "CANNOT_INFER_EMPTY_SCHEMA", "CANNOT_INFER_SCHEMA_FOR_TYPE", "CANNOT_MERGE_TYPE",
    "FIELD_DATA_TYPE_UNACCEPTABLE", "FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME",
    "FIELD_NOT_NULLABLE_WITH_NAME", "INVALID_TYPE", "LENGTH_SHOULD_BE_THE_SAME",
    "NOT_EXPECTED_TYPE", "NOT_IMPLEMENTED", "NOT_ITERABLE", "NOT_NUMERIC_COLUMNS",
    "NOT_SAME_TYPE", "ONLY_ALLOWED_FOR_SINGLE_COLUMN", "UNSUPPORTED_DATA_TYPE",
    "CANNOT_INFER_TYPE_FOR_FIELD", "NO_ACTIVE_SESSION", "SESSION_ALREADY_EXIST",
]

# (class name, condition, parameters) built in PySpark and in sparklet, str() compared.
CASES = [
    ("PySparkTypeError", "NOT_EXPECTED_TYPE",
     {"arg_name": "col", "expected_type": "a Column or str", "arg_type": "int"}),
    ("PySparkTypeError", "NOT_ITERABLE", {"objectName": "Column<'x'>"}),
    ("PySparkTypeError", "INVALID_TYPE", {"arg_name": "schema", "arg_type": "set"}),
    ("PySparkAttributeError", "ATTRIBUTE_NOT_SUPPORTED", {"attr_name": "nmae"}),
    ("PySparkValueError", "CANNOT_INFER_EMPTY_SCHEMA", {}),
    ("PySparkTypeError", "CANNOT_MERGE_TYPE",
     {"data_type1": "LongType()", "data_type2": "StringType()"}),
    ("PySparkNotImplementedError", "NOT_IMPLEMENTED",
     {"feature": "CalendarIntervalType.fromInternal"}),
    ("PySparkValueError", "CANNOT_CONVERT_COLUMN_INTO_BOOL", {"column": "Column<'(a > 1)'>"}),
    ("PySparkTypeError", "FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME",
     {"field_name": "x", "data_type": "IntegerType()", "obj": "'a'", "obj_type": "<class 'str'>"}),
    ("PySparkTypeError", "CANNOT_INFER_SCHEMA_FOR_TYPE", {"data_type": "'set'"}),
    ("PySparkRuntimeError", "NOT_IMPLEMENTED", {"feature": "x"}),
    ("PySparkIndexError", "NOT_IMPLEMENTED", {"feature": "y"}),
    ("PySparkKeyError", "NOT_IMPLEMENTED", {"feature": "z"}),
    ("PySparkAssertionError", "NOT_IMPLEMENTED", {"feature": "w"}),
    ("AnalysisException", "NOT_IMPLEMENTED", {"feature": "v"}),
]


PEOPLE = ["id", "name", "age", "city"]

# (id, columns of a DataFrame, or SQL over the views p (PEOPLE) and q (k, v); the misspelt
# name; the candidates Spark sees, as qualifier parts + name).
SUGGESTION_PROBES = [
    ("df.agee", PEOPLE, "agee"),
    ("df.nmae", PEOPLE, "nmae"),
    ("df.qqqq", PEOPLE, "qqqq"),
    ("df.x", PEOPLE, "x"),
    ("df.limit", ["f1", "e1", "d1", "c1", "b1", "a1"], "zz"),
    ("df.ties", ["b2", "a1_", "B1", "a1"], "zzzzz"),
    ("sql.one_view", "SELECT nme FROM p", "nme"),
    ("sql.join", "SELECT nmae FROM p JOIN q ON p.id = q.k", "nmae"),
    ("sql.qualified", "SELECT p.nmae FROM p JOIN q ON p.id = q.k", "p.nmae"),
]


def record_suggestions():
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.errors import AnalysisException
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[1]").appName("record-errors")
             .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate())
    spark.createDataFrame([(1, "A", 2, "N")], "id INT, name STRING, age INT, city STRING") \
        .createOrReplaceTempView("p")
    spark.createDataFrame([(1, "x")], "k INT, v STRING").createOrReplaceTempView("q")
    out = []
    for case, source, name in SUGGESTION_PROBES:
        try:
            if isinstance(source, str):
                spark.sql(source).collect()
            else:
                spark.createDataFrame([tuple(range(len(source)))], source).select(name).collect()
            raise AssertionError(f"{case}: no error")
        except AnalysisException as e:
            out.append({"id": case, "source": source, "name": name,
                        "condition": e.getCondition(),
                        "parameters": e.getMessageParameters(),
                        "message": str(e).split("\n")[0]})
    spark.stop()
    path = os.path.join(HERE, "pyspark_errors.json")
    with open(path) as f:
        recorded = json.load(f)
    recorded["suggestions"] = out
    _write(recorded)


def _write(recorded):
    with open(os.path.join(HERE, "pyspark_errors.json"), "w") as f:
        json.dump(recorded, f, indent=1, sort_keys=True)
        f.write("\n")


def _mro(cls):
    return [f"{c.__module__.split('.')[0]}.{c.__name__}" if c.__module__ != "builtins"
            else c.__name__ for c in inspect.getmro(cls)]


def record():
    # Imported here: pytest imports this module (--doctest-modules) where PySpark is absent.
    import pyspark
    import pyspark.errors as E

    classes = {name: [c.split(".")[-1] for c in _mro(getattr(E, name))]
               for name in E.__all__ if inspect.isclass(getattr(E, name))}
    cases = []
    for cls_name, condition, params in CASES:
        exc = getattr(E, cls_name)(errorClass=condition, messageParameters=params)
        cases.append({"class": cls_name, "condition": condition, "parameters": params,
                      "str": str(exc), "getCondition": exc.getCondition(),
                      "getSqlState": exc.getSqlState(),
                      "getMessageParameters": exc.getMessageParameters(),
                      "getMessage": exc.getMessage()})
    plain = E.PySparkException("plain message")
    cases.append({"class": "PySparkException", "condition": None, "parameters": None,
                  "message": "plain message", "str": str(plain), "getCondition": None,
                  "getSqlState": plain.getSqlState(), "getMessageParameters": None,
                  "getMessage": plain.getMessage()})
    out = {"pyspark": pyspark.__version__, "classes": classes, "cases": cases}
    path = os.path.join(HERE, "pyspark_errors.json")
    if os.path.exists(path):  # keep what --suggestions recorded
        with open(path) as f:
            out["suggestions"] = json.load(f).get("suggestions", [])
    _write(out)


def used_conditions() -> set[str]:
    """The main error conditions sparklet's source raises (``errorClass="..."`` and the
    ``[CONDITION]`` prefixes of the dialect's runtime errors)."""
    import re

    found = set()
    for folder, _, files in os.walk(os.path.join(ROOT, "src", "sparklet")):
        for name in files:
            if not name.endswith(".py") or name == "error_conditions.py":
                continue
            with open(os.path.join(folder, name)) as f:
                text = f.read()
            for pattern in (r'errorClass\s*=\s*"([A-Z_][A-Z0-9_]+)',
                            r"error\('\[([A-Z_][A-Z0-9_]+)",
                            r'(?:exception_for|_raw_error|_type_error|_value_error)\(\s*"'
                            r'([A-Z_][A-Z0-9_]+)'):
                found.update(m.group(1) for m in re.finditer(pattern, text))
    return found


def conditions():
    import pyspark

    pyspark_dir = os.path.dirname(pyspark.__file__)
    jar = [n for n in os.listdir(os.path.join(pyspark_dir, "jars"))
           if n.startswith("spark-common-utils_")][0]
    with zipfile.ZipFile(os.path.join(pyspark_dir, "jars", jar)) as z:
        jvm = json.loads(z.read("error/error-conditions.json"))
    with open(os.path.join(pyspark_dir, "errors", "error-conditions.json")) as f:
        py = json.load(f)
    table = {}
    # and every condition sparklet's code names, from whichever file has it
    listed = set(JVM_CONDITIONS) | set(PYTHON_CONDITIONS)
    scanned = sorted(used_conditions() - listed)
    extra_py = [n for n in scanned if n in py]
    extra_jvm = [n for n in scanned if n not in py and n in jvm]
    unknown = [n for n in scanned if n not in py and n not in jvm]
    if unknown:
        print("conditions in sparklet that Spark does not have:", unknown, file=sys.stderr)
    for origin, names, source in (("jvm", JVM_CONDITIONS + extra_jvm, jvm),
                                  ("python", PYTHON_CONDITIONS + extra_py, py)):
        for name in names:
            entry = source[name]
            kept = {"origin": origin, "message": entry["message"]}
            if "sqlState" in entry:
                kept["sqlState"] = entry["sqlState"]
            subs = entry.get("subClass") or entry.get("sub_class")
            if subs:
                kept["subClass"] = {k: {"message": v["message"]} for k, v in subs.items()}
            table[name] = kept
    text = json.dumps(table, indent=1, sort_keys=True)
    assert '"""' not in text
    path = os.path.join(ROOT, "src", "sparklet", "errors", "error_conditions.py")
    with open(path, "w") as f:
        f.write(MODULE.format(version=pyspark.__version__, table=text))


MODULE = '''# ruff: noqa: E501
"""Spark's message templates and SQLSTATEs for the error conditions sparklet raises.

Generated by ``tests/sql/record_errors.py --conditions`` from Spark {version}'s
``error-conditions.json`` files (message data, not code); ``origin`` says whether Spark renders
the condition on the JVM (``[CONDITION] message SQLSTATE: ...``) or in Python (``[CONDITION]
message``). Add a condition there, not here.
"""

import json

ERROR_CONDITIONS: dict = json.loads(r"""
{table}
""")
'''


if __name__ == "__main__":
    if "--conditions" in sys.argv:
        conditions()
    elif "--suggestions" in sys.argv:
        record_suggestions()
    else:
        record()
