"""Python UDFs beyond the recorded cases (test_bridge_parity.py), each against what PySpark 4
gives: Arrow-optimised UDFs (the default) cast the results safely with pyarrow (the recorded
``udf_*`` cases); pickled UDFs (``useArrow=False``) take results as the JVM's
``EvaluatePython.makeFromJava`` does (another type is NULL, a long into an int is narrowed);
pandas UDFs follow ``python/pyspark/worker.py`` (lengths checked, an iterator UDF sees the
batches of a partition); a failing function is a ``PythonException`` with PySpark's text."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pandas as pd
import pytest

from sparklet.sql import Row
from sparklet.sql import functions as F
from sparklet.sql.udf import PythonEvalType, PythonException


def one(spark, f, *cols):
    return [r[0] for r in spark.range(1).select(f(*cols).alias("r")).collect()]


@pytest.mark.parametrize("value, ddl, arrow, pickled", [
    (1.5, "int", 1, None),                # Arrow truncates; EvaluatePython: a Double → NULL
    (2**40, "int", "error", 0),           # Arrow: out of range; JVM Long.toInt: 0
    (300, "tinyint", "error", 44),        # 300.toByte
    (True, "int", 1, None),               # a Boolean is not an Int
    (3, "double", 3.0, None),             # an Int is not a Double
    (3, "string", "3", "3"),              # toString
    (True, "string", "true", "true"),
    ("x", "binary", b"x", b"x"),  # a String becomes its UTF-8 bytes
    ([1, "a"], "array<string>", ["1", "a"], ["1", "a"]),
    ({"k": 1.5}, "map<string,int>", {"k": 1}, {"k": None}),
])
def test_arrow_and_pickled_result_conversions(spark, value, ddl, arrow, pickled):
    got_pickled = one(spark, F.udf(lambda _: value, ddl, useArrow=False), "id")
    assert got_pickled == [pickled] and type(got_pickled[0]) is type(pickled)
    spark.conf.set("spark.sql.execution.pythonUDF.arrow.enabled", "false")
    assert one(spark, F.udf(lambda _: value, ddl), "id") == [pickled]
    spark.conf.unset("spark.sql.execution.pythonUDF.arrow.enabled")
    for f in (F.udf(lambda _: value, ddl), F.udf(lambda _: value, ddl, useArrow=True)):
        if arrow == "error":
            with pytest.raises(PythonException) as info:
                one(spark, f, "id")
            assert str(info.value).splitlines()[-1].startswith("pyarrow.lib.ArrowInvalid: ")
        else:
            got = one(spark, f, "id")
            assert got == [arrow] and type(got[0]) is type(arrow)


def test_eval_types(spark):
    assert F.udf(lambda x: x).evalType == PythonEvalType.SQL_BATCHED_UDF
    assert F.udf(lambda x: x, useArrow=True).evalType == PythonEvalType.SQL_ARROW_BATCHED_UDF

    @F.pandas_udf("long")
    def it(batches: Iterator[pd.Series]) -> Iterator[pd.Series]:
        yield from batches

    assert it.evalType == PythonEvalType.SQL_SCALAR_PANDAS_ITER_UDF


def test_python_exception_text(spark):
    def fails(x):
        raise ValueError(f"bad {x}")

    with pytest.raises(PythonException) as info:
        spark.range(1).select(F.udf(fails, "int")("id")).collect()
    lines = str(info.value).splitlines()
    assert lines[0] == "An exception was thrown from the Python worker:"
    assert lines[1] == "Traceback (most recent call last):"
    assert "in fails" in lines[-3] and lines[-1] == "ValueError: bad 0"
    assert info.value.getCondition() == "PYTHON_EXCEPTION"
    assert "sparklet" not in "\n".join(lines[:-1])  # only the user's frames


def test_as_nondeterministic_runs_per_row(spark):
    calls = []

    def tick():
        calls.append(1)
        return len(calls)

    f = F.udf(tick, "int").asNondeterministic()
    assert f.deterministic is False
    rows = spark.range(3).select(f().alias("r")).collect()
    assert sorted(r.r for r in rows) == [1, 2, 3]


def test_struct_array_map_in_and_out(spark):
    df = spark.createDataFrame(
        [((1, [1, 2]), {"a": [1.5]}, [Row(x=1), None])],
        "s STRUCT<i: INT, l: ARRAY<INT>>, m MAP<STRING, ARRAY<DOUBLE>>, a ARRAY<STRUCT<x: INT>>")
    seen = []

    def inspect(s, m, a):
        seen.append((s, m, a))
        return {"total": s.i + sum(s.l), "keys": list(m), "xs": [r.x if r else None for r in a]}

    f = F.udf(inspect, "struct<total: int, keys: array<string>, xs: array<int>>")
    assert df.select(f("s", "m", "a").alias("r")).collect() == [
        Row(r=Row(total=4, keys=["a"], xs=[1, None]))]
    s, m, a = seen[0]
    assert s == Row(i=1, l=[1, 2]) and s.i == 1 and m == {"a": [1.5]} and a == [Row(x=1), None]


def test_date_timestamp_and_binary(spark):
    df = spark.createDataFrame([(datetime.datetime(2024, 1, 1, 23, 30), bytearray(b"ab"))],
                               "t TIMESTAMP, b BINARY")
    f = F.udf(lambda t: t + datetime.timedelta(hours=1), "timestamp")
    g = F.udf(lambda b: bytes(reversed(b)), "binary")
    h = F.udf(lambda t: t.date(), "date")
    assert df.select(f("t").alias("t"), g("b").alias("b"), h("t").alias("d")).collect() == [
        Row(t=datetime.datetime(2024, 1, 2, 0, 30), b=b"ba",
            d=datetime.date(2024, 1, 1))]


def test_default_return_type_is_string(spark):
    f = F.udf(lambda x: [x])
    assert spark.range(1).select(f("id").alias("r")).dtypes == [("r", "string")]
    assert one(spark, f, "id") == ["[0]"]
    spark.udf.register("twice", lambda x: x * 2)
    assert spark.sql("SELECT twice(21) AS r").collect() == [Row(r="42")]
    u = spark.udf.register("inc", F.udf(lambda x: x + 1, "int"))
    assert spark.sql("SELECT inc(1) AS r").dtypes == [("r", "int")]
    assert u.returnType.simpleString() == "int"


def test_register_twice_replaces(spark):
    spark.udf.register("pick", lambda x: x, "int")
    spark.udf.register("pick", lambda x: -x, "int")
    assert spark.sql("SELECT pick(3) AS r").collect() == [Row(r=-3)]


def test_pandas_scalar_and_iterator_udfs(spark):
    @F.pandas_udf("double")
    def half(s: pd.Series) -> pd.Series:
        return s / 2

    batches = []

    @F.pandas_udf("long")
    def plus(it: Iterator[pd.Series]) -> Iterator[pd.Series]:
        for s in it:
            batches.append(len(s))
            yield s + 10

    df = spark.range(5)
    assert [r.h for r in df.select(half("id").alias("h")).collect()] == [0, 0.5, 1, 1.5, 2]
    assert [r.p for r in df.select(plus("id").alias("p")).collect()] == [10, 11, 12, 13, 14]
    assert sum(batches) == 5

    @F.pandas_udf("long")
    def shorter(it: Iterator[pd.Series]) -> Iterator[pd.Series]:
        for s in it:
            yield s[:1]

    with pytest.raises(PythonException) as info:
        df.select(shorter("id")).collect()
    assert ("[RESULT_LENGTH_MISMATCH_FOR_SCALAR_ITER_PANDAS_UDF] The length of output in "
            "Scalar iterator pandas UDF should be the same with the input's; however, the "
            "length of output was 1 and the length of input was 5.") in str(info.value)


def test_pandas_udf_series_length_checked(spark):
    @F.pandas_udf("long")
    def first(s: pd.Series) -> pd.Series:
        return s[:1]

    with pytest.raises(PythonException) as info:
        spark.range(3).select(first("id")).collect()
    assert ("[SCHEMA_MISMATCH_FOR_PANDAS_UDF] Result vector from pandas_udf was not the "
            "required length: expected 3, got 1.") in str(info.value)


def test_pandas_struct_result(spark):
    @F.pandas_udf("struct<a: long, b: string>")
    def split(s: pd.Series) -> pd.DataFrame:
        return pd.DataFrame({"a": s * 2, "b": s.astype(str)})

    assert spark.range(2).select(split("id").alias("r")).collect() == [
        Row(r=Row(a=0, b="0")), Row(r=Row(a=2, b="1"))]


def test_pandas_timestamps_naive_in_the_session_time_zone(spark):
    spark.conf.set("spark.sql.session.timeZone", "Asia/Kolkata")
    seen = []

    @F.pandas_udf("long")
    def hours(s: pd.Series) -> pd.Series:
        seen.append(s.iloc[0])
        return s.dt.hour

    instant = datetime.datetime(2024, 1, 1, 0, 0, tzinfo=datetime.UTC)
    df = spark.createDataFrame([(instant,)], "t TIMESTAMP")
    assert df.select(hours("t").alias("h")).collect() == [Row(h=5)]
    assert str(seen[0]) == "2024-01-01 05:30:00"


def test_grouped_agg_apply_and_map_in_pandas(spark):
    df = spark.createDataFrame([(1, "a", 1.0), (2, "a", 3.0), (3, "b", 5.0)],
                               "k INT, g STRING, v DOUBLE")

    @F.pandas_udf("double")
    def mean(v: pd.Series) -> float:
        return v.mean()

    assert df.groupBy("g").agg(mean("v").alias("m")).orderBy("g").collect() == [
        Row(g="a", m=2.0), Row(g="b", m=5.0)]

    def centre(pdf):
        return pdf.assign(v=pdf.v - pdf.v.mean())

    got = df.groupBy("g").applyInPandas(centre, "k INT, g STRING, v DOUBLE").orderBy("k")
    assert got.collect() == [Row(k=1, g="a", v=-1.0), Row(k=2, g="a", v=1.0),
                             Row(k=3, g="b", v=0.0)]

    def evens(it):
        for pdf in it:
            yield pdf[pdf.k % 2 == 0][["k"]]

    assert df.mapInPandas(evens, "k INT").collect() == [Row(k=2)]


def test_a_udf_works_in_every_session():
    from sparklet.sql import SparkSession

    f = F.udf(lambda x: x + 1, "long")
    for _ in range(3):
        session = SparkSession.builder.create()
        try:
            assert session.range(2).select(f("id").alias("r")).collect() == [Row(r=1), Row(r=2)]
        finally:
            session.stop()


def test_zero_argument_udfs_in_sql_and_the_dataframe_api(spark):
    calls = []

    def seven():
        calls.append(1)
        return 7

    spark.udf.register("seven", F.udf(seven, "int").asNondeterministic())
    assert spark.sql("SELECT seven() AS r FROM range(3)").collect() == [Row(r=7)] * 3
    assert len(calls) == 3  # non-deterministic: once per row
    struct = F.udf(lambda: {"a": 1, "b": [2.5]}, "struct<a: long, b: array<double>>")
    assert spark.range(2).select(struct().alias("s")).collect() == [
        Row(s=Row(a=1, b=[2.5]))] * 2

    def fails():
        raise KeyError("k")

    with pytest.raises(PythonException) as info:
        spark.range(1).select(F.udf(fails)()).collect()
    assert str(info.value).splitlines()[-1] == "KeyError: 'k'"


def test_map_in_pandas_batches_of_max_records_per_batch(spark):
    sizes = []

    def count(it):
        for pdf in it:
            sizes.append(len(pdf))
            yield pdf.assign(id=pdf.id * 2)

    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "4")
    try:
        got = spark.range(10).mapInPandas(count, "id LONG").collect()
    finally:
        spark.conf.unset("spark.sql.execution.arrow.maxRecordsPerBatch")
    assert sorted(r.id for r in got) == [2 * i for i in range(10)]
    assert sizes == [4, 4, 2]
