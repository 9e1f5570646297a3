"""``sparklet.sql.functions``' surface: PySpark's names and argument conventions, Spark's
generated column names, and the semantics the parity table does not pin down (decimal
averages, sum overflow, generators, ``na``/``stat``)."""

from __future__ import annotations

import decimal
import inspect

import pytest

from sparklet.errors import AnalysisException, PySparkTypeError
from sparklet.sql import SparkSession, Window
from sparklet.sql import functions as F


@pytest.fixture(scope="module")
def spark():
    return SparkSession.builder.getOrCreate()


def test_pyspark_names_and_signatures():
    for name in ("substring", "concat_ws", "date_add", "regexp_extract", "percentile_approx",
                 "transform", "from_json", "nth_value", "grouping_id", "json_tuple"):
        assert callable(getattr(F, name)), name
    assert list(inspect.signature(F.substring).parameters) == ["str", "pos", "len"]
    assert list(inspect.signature(F.lag).parameters) == ["col", "offset", "default"]
    assert len(F.__all__) > 500


def test_column_or_name_type_error():
    with pytest.raises(PySparkTypeError) as e:
        F.upper(1)
    assert e.value.getCondition() == "NOT_EXPECTED_TYPE"  # PySpark 4's _to_java_column
    assert str(e.value) == "[NOT_EXPECTED_TYPE] Argument `col` should be Column or str, got int."
    with pytest.raises(PySparkTypeError):
        F.concat_ws(1, "a")


@pytest.mark.parametrize("column, name", [
    (F.sum("v"), "sum(v)"), (F.count("*"), "count(1)"), (F.mean("v"), "avg(v)"),
    (F.countDistinct("a", "b"), "count(DISTINCT a, b)"), (F.round("v"), "round(v, 0)"),
    (F.lag("v"), "lag(v, 1, NULL)"), (F.explode("a"), "col"), (F.posexplode("a"), "pos, col"),
    (F.isnotnull("a"), "(a IS NOT NULL)"), (F.struct("a", F.col("b").alias("c")),
                                             "struct(a, b AS c)"),
    (F.row_number().over(Window.partitionBy("g").orderBy("k")),
     "row_number() OVER (PARTITION BY g ORDER BY k ASC NULLS FIRST ROWS BETWEEN UNBOUNDED "
     "PRECEDING AND CURRENT ROW)"),
    (F.sum("v").over(Window.partitionBy("g")),
     "sum(v) OVER (PARTITION BY g ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"),
    (F.sum("v").over(Window.orderBy("k")),
     "sum(v) OVER (ORDER BY k ASC NULLS FIRST RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT "
     "ROW)"),
])
def test_generated_names(column, name):
    assert repr(column) == f"Column<'{name}'>"


def test_decimal_aggregates(spark):
    df = spark.createDataFrame([(decimal.Decimal("1.10"),), (decimal.Decimal("2.25"),),
                                (decimal.Decimal("-0.01"),)], "d DECIMAL(10,2)")
    out = df.agg(F.sum("d"), F.avg("d"))
    assert out.dtypes == [("sum(d)", "decimal(20,2)"), ("avg(d)", "decimal(14,6)")]
    assert out.collect()[0] == (decimal.Decimal("3.34"), decimal.Decimal("1.113333"))


def test_sum_overflow_raises_in_ansi(spark):
    df = spark.createDataFrame([(2**63 - 1,), (1,)], "v BIGINT")
    with pytest.raises(Exception, match="ARITHMETIC_OVERFLOW"):
        df.agg(F.sum("v")).collect()


def test_rank_without_order_is_an_analysis_error(spark):
    df = spark.createDataFrame([("a", 1)], "g STRING, v INT")
    with pytest.raises(AnalysisException) as e:
        df.select(F.rank().over(Window.partitionBy("g")))
    assert e.value.getCondition() == "WINDOW_FUNCTION_FRAME_NOT_ORDERED"


def test_generators_in_select(spark):
    df = spark.createDataFrame([(1, [1, 2], {"a": 1})], "k INT, a ARRAY<INT>, m MAP<STRING,INT>")
    assert df.select("k", F.posexplode("a")).collect() == [(1, 0, 1), (1, 1, 2)]
    assert df.select(F.explode("m")).columns == ["key", "value"]
    assert df.select(F.explode("a").alias("x")).collect() == [(1,), (2,)]


def test_na_and_stat(spark):
    df = spark.createDataFrame([(1, None, 1.5), (None, "x", None)], "a INT, s STRING, f DOUBLE")
    assert df.na.fill(2.7).collect() == [(1, None, 1.5), (2, "x", 2.7)]
    assert df.na.drop(thresh=2).collect() == [(1, None, 1.5)]
    assert df.na.replace("x", "y").collect()[1].s == "y"
    assert df.describe("f").collect()[1] == ("mean", "1.5")
    assert spark.range(100).stat.approxQuantile("id", [0.25, 0.5], 0.0) == [24.0, 49.0]


def test_pivot_cells(spark):
    df = spark.createDataFrame([("a", "x", 1), ("a", "y", 2), ("b", "x", 3), ("a", "x", 4)],
                               "p STRING, q STRING, v INT")
    # a missing cell is NULL, for count too; aggregates inside expressions are pivoted
    assert df.groupBy("p").pivot("q").count().orderBy("p").collect() == [
        ("a", 2, 1), ("b", 1, None)]
    out = df.groupBy("p").pivot("q", ["x"]).agg(F.round(F.avg("v"), 1), F.max("v").alias("m"))
    assert out.columns == ["p", "x_round(avg(v), 1)", "x_m"]
    assert out.orderBy("p").collect() == [("a", 2.5, 4), ("b", 3.0, 3)]


def test_rollup_cube_grouping(spark):
    df = spark.createDataFrame([("a", "x", 1), ("b", "y", 2)], "p STRING, q STRING, v INT")
    rows = df.cube("p", "q").agg(F.grouping_id().alias("gid"), F.sum("v").alias("s"))
    assert sorted((r.gid, r.s) for r in rows.collect()) == [
        (0, 1), (0, 2), (1, 1), (1, 2), (2, 1), (2, 2), (3, 3)]
    assert df.rollup("p").agg(F.grouping("p")).dtypes[1] == ("grouping(p)", "tinyint")
    assert df.groupBy("p").agg({"v": "max"}).columns == ["p", "max(v)"]


def test_sum_wraps_without_ansi(spark):
    df = spark.createDataFrame([(2**63 - 1,), (1,)], "v BIGINT")
    spark.conf.set("spark.sql.ansi.enabled", "false")
    try:
        assert df.agg(F.sum("v")).collect()[0][0] == -(2**63)
    finally:
        spark.conf.set("spark.sql.ansi.enabled", "true")


def test_sql_text_aggregates_typed_from_views(spark):
    spark.createDataFrame([("a", 1), ("a", 2)], "g STRING, v INT").createOrReplaceTempView("fv")
    try:
        out = spark.sql("SELECT g, sum(v), avg(v), count_if(v > 1), grouping_id() FROM fv "
                        "GROUP BY ROLLUP(g) ORDER BY g")
        assert out.dtypes == [("g", "string"), ("sum(v)", "bigint"), ("avg(v)", "double"),
                              ("count_if((v > 1))", "bigint"), ("grouping_id()", "bigint")]
        assert out.collect() == [(None, 3, 1.5, 1, 1), ("a", 3, 1.5, 1, 0)]
    finally:
        spark.catalog.dropTempView("fv")


def test_generator_errors(spark):
    df = spark.createDataFrame([(1, [1, 2], {"k": 1})], "k INT, a ARRAY<INT>, m MAP<STRING,INT>")
    with pytest.raises(AnalysisException) as e:
        df.select(F.explode("a"), F.explode("m"))
    assert e.value.getCondition() == "UNSUPPORTED_GENERATOR.MULTI_GENERATOR"
    with pytest.raises(AnalysisException):
        df.select(F.explode("m").alias("only_one"))
    assert df.withColumn("x", F.explode("a")).select("x").collect() == [(1,), (2,)]


@pytest.mark.parametrize("text, name", [
    ("count(*)", "count(1)"), ("sum(DISTINCT v)", "sum(DISTINCT v)"),
    ("percentile_approx(v, 0.5)", "percentile_approx(v, 0.5, 10000)"),
    ("date_format(d, 'yyyy/MM')", "date_format(d, yyyy/MM)"), ("lpad(s, 3, '*')", "lpad(s, 3, *)"),
    ("year(d)", "year(d)"), ("filter(a, x -> x > 1)", "filter(a, lambdafunction((x > 1), x))"),
    ("lag(v) OVER (ORDER BY k)",
     "lag(v, 1, NULL) OVER (ORDER BY k ASC NULLS FIRST ROWS BETWEEN -1 FOLLOWING AND -1 "
     "FOLLOWING)"),
    ("max_by(a, b)", "max_by(a, b)"),
    ("CASE WHEN v > 1 THEN 'a' END", "CASE WHEN (v > 1) THEN a END"),
])
def test_sql_text_names(text, name):
    from sparklet.sql.dialect import parse_expression
    from sparklet.sql.naming import spark_name

    assert spark_name(parse_expression(text)) == name
