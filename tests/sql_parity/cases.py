"""The programs of the Spark SQL differential table (observed results live beside, in JSON).

Each case is a short program written against PySpark's public API. It runs in a namespace
holding ``spark`` (session time zone UTC, ANSI on: PySpark 4's defaults), ``F``
(``pyspark.sql.functions``), ``T`` (``pyspark.sql.types``), ``Row``, ``Window``, ``tmp`` (a
fresh empty directory) and the helpers of ``PRELUDE``. The value of its last line is the
observation: a DataFrame is collected (its rows' reprs and its ``dtypes``), anything else is
kept as its repr; whatever it prints (``show``, ``printSchema``) is kept too, and so is the
class, error condition and message of an exception it raises.

``record_pyspark.py`` runs every case on real PySpark 4.x and writes ``pyspark_results.json``;
``record_sqlframe.py`` runs the same programs on SQLFrame's DuckDB engine and writes
``sqlframe_results.json`` plus a per-area match summary. A future ``sparklet.sql`` is tested
by running each program with ``sparklet.sql`` in place of ``pyspark.sql`` and comparing.
These cases were written for this table; none is taken from Spark's own tests.
"""
# ruff: noqa: E501
# (a data table of one-line programs: long lines read best here)

from __future__ import annotations

CASES: list[dict] = []

# Helpers every case may use; written against the public API only, so that the same text runs
# on PySpark, on SQLFrame and on sparklet.sql.
PRELUDE = '''
def people():
    return spark.createDataFrame(
        [(1, "Alice", 34, "NY"), (2, "Bob", None, "SF"), (3, "Cara", 29, None), (4, None, 51, "NY"), (5, "Dan", 29, "SF")],
        "id INT, name STRING, age INT, city STRING")

def orders():
    return spark.createDataFrame(
        [(10, 1, 2.5), (11, 1, 7.25), (12, 2, 1.0), (13, 6, 3.0), (14, None, 4.0)],
        "oid INT, pid INT, amount DOUBLE")

def nums():
    return spark.createDataFrame([(1, "a", 10), (2, "a", 20), (3, "b", 5), (4, "b", None), (5, "c", 7), (6, "a", 20)],
                                 "k INT, g STRING, v INT")

def sql1(expr):
    return spark.sql("SELECT " + expr + " AS r")
'''


def add(area: str, name: str, code: str, unordered: bool = False) -> None:
    """Add a case; ``unordered`` marks one whose rows may come back in any order."""
    key = f"{area}.{name}"
    assert not any(c["id"] == key for c in CASES), key
    CASES.append({"id": key, "area": area, "name": name, "code": code.strip("\n"), "unordered": unordered})


def exprs(area: str, prefix: str, items: list[str]) -> None:
    """One case per SQL expression: ``SELECT <expr> AS r`` (its value and its type)."""
    for i, e in enumerate(items):
        add(area, f"{prefix}_{i:02d}", f"sql1({e!r})")


# ---------------------------------------------------------------- createDataFrame, schemas
A = "create"
add(A, "tuples_ddl", 'spark.createDataFrame([(1, "a"), (2, "b")], "x INT, y STRING")')
add(A, "tuples_names", 'spark.createDataFrame([(1, "a"), (2, "b")], ["x", "y"])')
add(A, "tuples_noschema", 'spark.createDataFrame([(1, "a", 2.5, True)])')
add(A, "rows", 'spark.createDataFrame([Row(a=1, b="x"), Row(a=2, b=None)])')
add(A, "dicts", 'spark.createDataFrame([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}])')
add(A, "dicts_ddl", 'spark.createDataFrame([{"a": 1, "b": "x"}], "a LONG, b STRING")')
add(A, "structtype", 'spark.createDataFrame([(1, "a")], T.StructType([T.StructField("x", T.IntegerType(), False), T.StructField("y", T.StringType())]))')
add(A, "ddl_types", 'spark.createDataFrame([(1, 2, 3, 4.0, 5.0, "s", True)], "a TINYINT, b SMALLINT, c BIGINT, d FLOAT, e DOUBLE, f STRING, g BOOLEAN")')
add(A, "ddl_decimal", 'import decimal\nspark.createDataFrame([(decimal.Decimal("1.50"),)], "d DECIMAL(10,2)")')
add(A, "ddl_date_ts", 'import datetime\nspark.createDataFrame([(datetime.date(2024, 2, 29), datetime.datetime(2024, 3, 1, 12, 30, 0))], "d DATE, t TIMESTAMP")')
add(A, "ddl_array_map_struct", 'spark.createDataFrame([([1, 2], {"k": 1}, (1, "z"))], "a ARRAY<INT>, m MAP<STRING,INT>, s STRUCT<i: INT, s: STRING>")')
add(A, "infer_nested", 'spark.createDataFrame([([1, 2], {"k": "v"}, Row(i=1))])')
add(A, "infer_none_column", 'spark.createDataFrame([(1, None), (2, "b")], ["x", "y"])')
add(A, "infer_int_is_long", 'spark.createDataFrame([(1,)], ["x"]).dtypes')
add(A, "infer_mixed_int_float_fails", 'spark.createDataFrame([(1,), (2.5,)], ["x"])')
add(A, "ddl_wrong_type", 'spark.createDataFrame([("a",)], "x INT")')
add(A, "empty_with_schema", 'spark.createDataFrame([], "x INT, y STRING")')
add(A, "empty_no_schema", 'spark.createDataFrame([])')
add(A, "range1", 'spark.range(5)')
add(A, "range3", 'spark.range(2, 11, 3)')
add(A, "range_dtypes", 'spark.range(3).dtypes')
add(A, "columns", 'people().columns')
add(A, "dtypes", 'people().dtypes')
add(A, "count", 'people().count()')
add(A, "schema_repr", 'people().schema')
add(A, "schema_simple", 'people().schema.simpleString()')
add(A, "schema_json", 'spark.createDataFrame([(1, "a")], "x INT NOT NULL, y STRING").schema.json()')
add(A, "row_repr", 'Row(a=1, b="x")')
add(A, "row_asdict", 'people().orderBy("id").first().asDict()')
add(A, "row_getattr", 'r = people().orderBy("id").first()\n(r.name, r["age"], r[0], len(r))')
add(A, "row_fields_order", 'Row(b=1, a=2)')
add(A, "pandas_roundtrip", 'import pandas as pd\nspark.createDataFrame(pd.DataFrame({"a": [1, 2], "b": ["x", None]})).orderBy("a")')
add(A, "topandas", 'people().orderBy("id").toPandas().to_dict("list")')
add(A, "head_take_first", 'df = people().orderBy("id")\n(df.head(), df.head(2), df.take(1), df.first())')
add(A, "collect_empty", 'people().filter("id > 100").collect()')
add(A, "first_empty", 'people().filter("id > 100").first()')
add(A, "to_df_rename", 'people().toDF("a", "b", "c", "d").columns')
add(A, "createdf_bool_none", 'spark.createDataFrame([(True,), (None,), (False,)], "b BOOLEAN").orderBy("b")')

# ---------------------------------------------------------------- show()
A = "show"
add(A, "default", 'people().orderBy("id").show()')
add(A, "n2", 'people().orderBy("id").show(2)')
add(A, "n1_singular", 'people().orderBy("id").show(1)')
add(A, "truncate_false", 'spark.createDataFrame([("x" * 30, 1)], "s STRING, n INT").show(truncate=False)')
add(A, "truncate_default", 'spark.createDataFrame([("x" * 30, 1)], "s STRING, n INT").show()')
add(A, "truncate_5", 'spark.createDataFrame([("abcdefghij", 1), ("ab", 22)], "s STRING, n INT").show(truncate=5)')
add(A, "truncate_3", 'spark.createDataFrame([("abcdefghij", 1)], "s STRING, n INT").show(truncate=3)')
add(A, "vertical", 'people().orderBy("id").show(vertical=True)')
add(A, "vertical_n2", 'people().orderBy("id").show(2, vertical=True)')
add(A, "vertical_truncate", 'spark.createDataFrame([("x" * 30, 1)], "s STRING, n INT").show(vertical=True, truncate=4)')
add(A, "empty", 'spark.createDataFrame([], "x INT, y STRING").show()')
add(A, "empty_vertical", 'spark.createDataFrame([], "x INT, y STRING").show(vertical=True)')
add(A, "floats", 'spark.createDataFrame([(1.0, 2.5, 1e20, 1e-5, float("nan"), float("inf"))], "a DOUBLE, b DOUBLE, c DOUBLE, d DOUBLE, e DOUBLE, f DOUBLE").show()')
add(A, "float32", 'spark.createDataFrame([(0.1, 3.0)], "a FLOAT, b FLOAT").show()')
add(A, "decimals", 'import decimal\nspark.createDataFrame([(decimal.Decimal("1.5"), decimal.Decimal("-0.001"))], "a DECIMAL(10,2), b DECIMAL(6,4)").show()')
add(A, "booleans_nulls", 'spark.createDataFrame([(True, None), (False, "x")], "b BOOLEAN, s STRING").show()')
add(A, "dates_ts", 'import datetime\nspark.createDataFrame([(datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 5, 7, 8, 9), datetime.datetime(2024, 1, 5, 7, 8, 9, 120000))], "d DATE, t TIMESTAMP, u TIMESTAMP").show()')
add(A, "arrays_maps_structs", 'spark.createDataFrame([([1, None, 3], {"a": 1, "b": None}, (1, "z"), [[1], []])], "a ARRAY<INT>, m MAP<STRING,INT>, s STRUCT<i: INT, s: STRING>, n ARRAY<ARRAY<INT>>").show()')
add(A, "array_of_strings", 'spark.createDataFrame([(["a", "b"], [])], "a ARRAY<STRING>, e ARRAY<STRING>").show()')
add(A, "binary", 'spark.createDataFrame([(bytearray(b"ab\\x00"),)], "b BINARY").show()')
add(A, "unicode", 'spark.createDataFrame([("héllo", "日本語"), ("x", "y")], "a STRING, b STRING").show()')
add(A, "numbers_align", 'spark.createDataFrame([(1, -22, 333333333333)], "a INT, b INT, c BIGINT").show()')
add(A, "wide_header", 'spark.createDataFrame([(1,)], "a_very_long_column_name INT").show()')
add(A, "more_than_20", 'spark.range(25).show()')
add(A, "range_show", 'spark.range(3).show()')
add(A, "expr_header", 'spark.range(1).select(F.col("id") + 1, F.lit("x"), F.upper(F.lit("a"))).show()')
add(A, "agg_header", 'nums().groupBy("g").agg(F.sum("v"), F.avg("v"), F.count("*")).orderBy("g").show()')
add(A, "sql_headers", 'spark.sql("SELECT 1 + 1, \'a\' || \'b\', CAST(1 AS DOUBLE), NULL, array(1,2), map(\'k\', 1), named_struct(\'a\', 1)").show()')
add(A, "nested_struct_null", 'spark.createDataFrame([((None, "z"),), (None,)], "s STRUCT<i: INT, s: STRING>").show()')
add(A, "map_nested", 'spark.createDataFrame([({"a": [1, 2]},)], "m MAP<STRING,ARRAY<INT>>").show()')
add(A, "truncate_unicode", 'spark.createDataFrame([("日本語日本語日本語日本語日本語日本語日本語",)], "s STRING").show()')
add(A, "ts_ntz", 'import datetime\nspark.createDataFrame([(datetime.datetime(2024, 1, 5, 7, 8, 9),)], "t TIMESTAMP_NTZ").show()')
add(A, "show_sql_range", 'spark.sql("SELECT id, id * 2 AS twice FROM range(3)").show()')

# ---------------------------------------------------------------- printSchema / schema
A = "schema"
add(A, "print_flat", 'people().printSchema()')
add(A, "print_notnull", 'spark.createDataFrame([(1, "a")], "x INT NOT NULL, y STRING").printSchema()')
add(A, "print_nested", 'spark.createDataFrame([([1], {"k": 1}, (1, ["z"]))], "a ARRAY<INT>, m MAP<STRING,INT>, s STRUCT<i: INT, t: ARRAY<STRING>>").printSchema()')
add(A, "print_all_types", 'spark.sql("SELECT CAST(1 AS TINYINT) a, CAST(1 AS SMALLINT) b, 1 c, 1L d, 1.0F e, 1.0D f, 1.5BD g, \'s\' h, true i, DATE\'2024-01-01\' j, TIMESTAMP\'2024-01-01 00:00:00\' k, X\'01\' l, TIMESTAMP_NTZ\'2024-01-01 00:00:00\' m").printSchema()')
add(A, "print_level", 'spark.createDataFrame([((1, (2, 3)),)], "s STRUCT<a: INT, b: STRUCT<c: INT, d: INT>>").printSchema(level=2)')
add(A, "print_range", 'spark.range(1).printSchema()')
add(A, "print_sql_literals", 'spark.sql("SELECT 1 AS i, \'a\' AS s, NULL AS n, 1.5 AS d, array(1) AS a").printSchema()')
add(A, "dtypes_sql_literals", 'spark.sql("SELECT 1 AS i, \'a\' AS s, NULL AS n, 1.5 AS d, 1e3 AS e, array(1) AS a, map(1, \'a\') AS m, struct(1 AS x) AS st").dtypes')
add(A, "dtypes_agg", 'nums().groupBy("g").agg(F.sum("v").alias("s"), F.avg("v").alias("a"), F.count("v").alias("c"), F.max("v").alias("m"), F.collect_list("v").alias("l")).dtypes')
add(A, "schema_field_access", 'people().schema["age"]')
add(A, "schema_names", 'people().schema.names')
add(A, "structtype_repr", 'T.StructType([T.StructField("a", T.ArrayType(T.IntegerType())), T.StructField("m", T.MapType(T.StringType(), T.DoubleType(), False))])')
add(A, "datatype_simple", '[t.simpleString() for t in [T.IntegerType(), T.LongType(), T.DecimalType(10, 2), T.ArrayType(T.StringType()), T.MapType(T.StringType(), T.IntegerType()), T.TimestampType(), T.TimestampNTZType(), T.DateType(), T.BinaryType()]]')
add(A, "fromDDL", 'T._parse_datatype_string("a INT, b ARRAY<STRING>")')
add(A, "nullable_after_ops", 'df = people().select(F.col("id"), F.coalesce("age", F.lit(0)).alias("a"), F.lit(1).alias("one"))\n[(f.name, f.dataType.simpleString(), f.nullable) for f in df.schema.fields]')
add(A, "dtypes_arith", 'spark.createDataFrame([(1, 2, 1.5)], "i INT, l BIGINT, d DOUBLE").select((F.col("i") + F.col("l")).alias("il"), (F.col("i") / F.col("i")).alias("div"), (F.col("i") * F.col("d")).alias("id")).dtypes')

# ---------------------------------------------------------------- nulls and ordering
A = "nulls_order"
add(A, "asc_default_nulls_first", 'people().select("age").orderBy("age")')
add(A, "desc_default_nulls_last", 'people().select("age").orderBy(F.desc("age"))')
add(A, "asc_nulls_last", 'people().select("age").orderBy(F.col("age").asc_nulls_last())')
add(A, "desc_nulls_first", 'people().select("age").orderBy(F.col("age").desc_nulls_first())')
add(A, "orderBy_ascending_list", 'people().select("city", "id").orderBy(["city", "id"], ascending=[False, True])')
add(A, "sort_multi", 'people().select("age", "id").sort(F.col("age").desc(), "id")')
add(A, "sql_order_nulls", 'people().createOrReplaceTempView("p")\nspark.sql("SELECT name FROM p ORDER BY name DESC NULLS FIRST")')
add(A, "sql_order_default", 'people().createOrReplaceTempView("p")\nspark.sql("SELECT name FROM p ORDER BY name")')
add(A, "nan_ordering", 'spark.createDataFrame([(1.0,), (float("nan"),), (None,), (-1.0,), (float("inf"),)], "x DOUBLE").orderBy("x")')
add(A, "nan_equality", 'spark.sql("SELECT CAST(\'NaN\' AS DOUBLE) = CAST(\'NaN\' AS DOUBLE) AS r")')
add(A, "null_eq", 'spark.sql("SELECT NULL = NULL AS a, NULL <=> NULL AS b, 1 <=> NULL AS c, NULL AND false AS d, NULL OR true AS e")')
add(A, "filter_null_drops", 'people().filter(F.col("age") > 30).select("id").orderBy("id")')
add(A, "isnull_isnotnull", 'people().select("id", F.col("age").isNull().alias("n"), F.isnotnull("city").alias("c")).orderBy("id")')
add(A, "coalesce", 'people().select("id", F.coalesce("name", "city", F.lit("?")).alias("c")).orderBy("id")')
add(A, "na_fill_int", 'people().na.fill(0).orderBy("id")')
add(A, "na_fill_str", 'people().na.fill("none").orderBy("id")')
add(A, "na_fill_dict", 'people().na.fill({"age": -1, "city": "?"}).orderBy("id")')
add(A, "fillna_subset", 'people().fillna(0, subset=["age"]).orderBy("id")')
add(A, "na_drop_any", 'people().na.drop().orderBy("id")')
add(A, "na_drop_subset", 'people().dropna(subset=["city"]).orderBy("id")')
add(A, "na_drop_thresh", 'people().dropna(thresh=4).orderBy("id")')
add(A, "na_replace", 'people().na.replace("NY", "New York", "city").orderBy("id")')
add(A, "nvl_ifnull_nullif", 'spark.sql("SELECT nvl(NULL, 1) a, ifnull(2, 1) b, nullif(1, 1) c, nvl2(NULL, 1, 2) d")')
add(A, "null_in_agg", 'nums().agg(F.sum("v"), F.count("v"), F.count("*"), F.avg("v"))')
add(A, "eqNullSafe_filter", 'people().filter(F.col("city").eqNullSafe(None)).select("id")')
add(A, "null_string_concat", 'spark.sql("SELECT concat(\'a\', NULL) a, concat_ws(\'-\', \'a\', NULL, \'b\') b")')
add(A, "distinct_nulls", 'people().select("city").distinct().orderBy("city")')
add(A, "groupby_null_key", 'people().groupBy("city").count().orderBy("city")')
add(A, "sort_strings_case", 'spark.createDataFrame([("b",), ("B",), ("a",), ("A",), ("_",), ("1",)], "s STRING").orderBy("s")')

# ---------------------------------------------------------------- joins
A = "joins"
for how in ["inner", "left", "right", "full", "outer", "left_outer", "right_outer", "full_outer", "leftsemi", "left_semi", "semi", "leftanti", "left_anti", "anti", "cross"]:
    add(A, f"expr_{how}", f'p, o = people(), orders()\np.join(o, p.id == o.pid, "{how}").orderBy(*p.columns, *([] if "semi" in "{how}" or "anti" in "{how}" else o.columns))')
for how in ["inner", "left", "right", "full"]:
    add(A, f"using_{how}", f'a = spark.createDataFrame([(1, "x"), (2, "y"), (None, "n")], "k INT, a STRING")\nb = spark.createDataFrame([(1, "p"), (3, "q"), (None, "m")], "k INT, b STRING")\na.join(b, "k", "{how}").orderBy("k", "a", "b")')
    add(A, f"using_{how}_columns", f'a = spark.createDataFrame([(1, "x")], "k INT, a STRING")\nb = spark.createDataFrame([(1, "p")], "k INT, b STRING")\na.join(b, ["k"], "{how}").columns')
add(A, "nullsafe", 'a = spark.createDataFrame([(1, "x"), (None, "n")], "k INT, a STRING")\nb = spark.createDataFrame([(1, "p"), (None, "m")], "k INT, b STRING")\na.join(b, a.k.eqNullSafe(b.k)).select("a", "b").orderBy("a")')
add(A, "nullsafe_sql", 'spark.createDataFrame([(1,), (None,)], "k INT").createOrReplaceTempView("a")\nspark.createDataFrame([(1,), (None,)], "k INT").createOrReplaceTempView("b")\nspark.sql("SELECT a.k, b.k FROM a JOIN b ON a.k <=> b.k ORDER BY a.k")')
add(A, "multi_key", 'a = spark.createDataFrame([(1, 1, "x"), (1, 2, "y")], "k1 INT, k2 INT, a STRING")\nb = spark.createDataFrame([(1, 2, "p")], "k1 INT, k2 INT, b STRING")\na.join(b, ["k1", "k2"])')
add(A, "crossJoin", 'spark.range(2).crossJoin(spark.range(2).withColumnRenamed("id", "j")).orderBy("id", "j")')
add(A, "self_join_alias", 'p = people()\np.alias("a").join(p.alias("b"), F.col("a.age") == F.col("b.age")).select(F.col("a.id"), F.col("b.id").alias("bid")).orderBy("id", "bid")')
add(A, "dup_column_names", 'a = spark.createDataFrame([(1, "x")], "k INT, v STRING")\nb = spark.createDataFrame([(1, "y")], "k INT, v STRING")\na.join(b, a.k == b.k).columns')
add(A, "ambiguous_ref", 'a = spark.createDataFrame([(1, "x")], "k INT, v STRING")\nb = spark.createDataFrame([(1, "y")], "k INT, v STRING")\na.join(b, a.k == b.k).select("v").collect()')
add(A, "sql_left_join", 'people().createOrReplaceTempView("p")\norders().createOrReplaceTempView("o")\nspark.sql("SELECT p.id, o.oid FROM p LEFT JOIN o ON p.id = o.pid ORDER BY p.id, o.oid")')
add(A, "sql_using", 'people().createOrReplaceTempView("p")\norders().withColumnRenamed("pid", "id").createOrReplaceTempView("o")\nspark.sql("SELECT * FROM p FULL JOIN o USING (id) ORDER BY id, oid")')
add(A, "join_condition_list", 'p, o = people(), orders()\np.join(o, [p.id == o.pid, o.amount > 2]).select("id", "oid").orderBy("oid")')
add(A, "broadcast_hint", 'p, o = people(), orders()\np.join(F.broadcast(o), p.id == o.pid).select("id", "oid").orderBy("oid")')
add(A, "join_on_string_default_inner", 'people().join(orders().withColumnRenamed("pid", "id"), "id").select("id", "oid").orderBy("oid")')

# ---------------------------------------------------------------- groupBy / agg
A = "agg"
add(A, "count", 'nums().groupBy("g").count().orderBy("g")')
add(A, "sum_avg", 'nums().groupBy("g").agg(F.sum("v"), F.avg("v")).orderBy("g")')
add(A, "min_max", 'nums().groupBy("g").agg(F.min("v").alias("mn"), F.max("v").alias("mx")).orderBy("g")')
add(A, "agg_dict", 'nums().groupBy("g").agg({"v": "max", "k": "count"}).orderBy("g")')
add(A, "countDistinct", 'nums().groupBy("g").agg(F.countDistinct("v").alias("d")).orderBy("g")')
add(A, "count_distinct_sql", 'nums().createOrReplaceTempView("n")\nspark.sql("SELECT g, count(DISTINCT v) d, count(*) c, count(v) cv FROM n GROUP BY g ORDER BY g")')
add(A, "collect_list_sorted", 'nums().groupBy("g").agg(F.sort_array(F.collect_list("v")).alias("l")).orderBy("g")')
add(A, "collect_set_sorted", 'nums().groupBy("g").agg(F.array_sort(F.collect_set("v")).alias("s")).orderBy("g")')
add(A, "first_last_ignorenulls", 'nums().orderBy("k").groupBy("g").agg(F.first("v", ignorenulls=True).alias("f")).orderBy("g")')
add(A, "global_agg", 'nums().agg(F.sum("v").alias("s"), F.max("k").alias("m"))')
add(A, "agg_empty", 'nums().filter("k > 100").agg(F.sum("v"), F.count("v"), F.avg("v"), F.max("v"))')
add(A, "groupby_empty", 'nums().filter("k > 100").groupBy("g").count()')
add(A, "stddev_var", 'nums().agg(F.round(F.stddev("v"), 6).alias("sd"), F.round(F.variance("v"), 6).alias("var"), F.round(F.stddev_pop("v"), 6).alias("sdp"))')
add(A, "stddev_single", 'spark.createDataFrame([(1,)], "v INT").agg(F.stddev("v"))')
add(A, "sum_int_type", 'spark.createDataFrame([(1,), (2,)], "v INT").agg(F.sum("v")).dtypes')
add(A, "sum_decimal_type", 'import decimal\nspark.createDataFrame([(decimal.Decimal("1.10"),)], "v DECIMAL(10,2)").agg(F.sum("v"), F.avg("v"))')
add(A, "avg_int", 'spark.createDataFrame([(1,), (2,)], "v INT").agg(F.avg("v"))')
add(A, "rollup", 'nums().rollup("g").agg(F.sum("v").alias("s")).orderBy(F.col("g").asc_nulls_last())')
add(A, "cube", 'spark.createDataFrame([("a", "x", 1), ("a", "y", 2), ("b", "x", 3)], "p STRING, q STRING, v INT").cube("p", "q").agg(F.sum("v").alias("s")).orderBy("p", "q")')
add(A, "grouping_id", 'spark.createDataFrame([("a", 1), ("b", 2)], "p STRING, v INT").rollup("p").agg(F.grouping_id().alias("gid"), F.sum("v").alias("s")).orderBy("gid", "p")')
add(A, "pivot", 'spark.createDataFrame([("a", "x", 1), ("a", "y", 2), ("b", "x", 3), ("a", "x", 4)], "p STRING, q STRING, v INT").groupBy("p").pivot("q").sum("v").orderBy("p")')
add(A, "pivot_values", 'spark.createDataFrame([("a", "x", 1), ("a", "y", 2), ("b", "x", 3)], "p STRING, q STRING, v INT").groupBy("p").pivot("q", ["y", "z"]).sum("v").orderBy("p")')
add(A, "pivot_multi_agg", 'spark.createDataFrame([("a", "x", 1), ("b", "y", 2)], "p STRING, q STRING, v INT").groupBy("p").pivot("q").agg(F.sum("v"), F.max("v")).orderBy("p").columns')
add(A, "having_sql", 'nums().createOrReplaceTempView("n")\nspark.sql("SELECT g, sum(v) s FROM n GROUP BY g HAVING sum(v) > 10 ORDER BY g")')
add(A, "group_by_ordinal", 'nums().createOrReplaceTempView("n")\nspark.sql("SELECT g, count(*) FROM n GROUP BY 1 ORDER BY 1")')
add(A, "group_by_all", 'nums().createOrReplaceTempView("n")\nspark.sql("SELECT g, max(v) FROM n GROUP BY ALL ORDER BY g")')
add(A, "approx_count_distinct", 'nums().agg(F.approx_count_distinct("g").alias("a"))')
add(A, "percentile", 'nums().agg(F.percentile_approx("v", 0.5).alias("m"), F.median("v").alias("med"))')
add(A, "count_if_sum_distinct", 'nums().agg(F.count_if(F.col("v") > 6).alias("c"), F.sum_distinct("v").alias("sd"))')
add(A, "max_by_min_by", 'nums().agg(F.max_by("k", F.col("v") * 10 + F.col("k")).alias("a"), F.min_by("k", "v").alias("b"))')
add(A, "bool_and_or", 'nums().agg(F.bool_and(F.col("k") > 0).alias("a"), F.bool_or(F.col("k") > 5).alias("b"))')
add(A, "groupby_expr", 'nums().groupBy((F.col("k") % 2).alias("odd")).agg(F.count("*").alias("c")).orderBy("odd")')
add(A, "agg_nonagg_col_error", 'nums().createOrReplaceTempView("n")\nspark.sql("SELECT g, v FROM n GROUP BY g").collect()')
add(A, "mean_alias", 'nums().groupBy("g").mean("v").orderBy("g")')
add(A, "groupby_sum_all", 'nums().groupBy("g").sum().orderBy("g")')
add(A, "describe", 'nums().describe().orderBy("summary")')
add(A, "summary", 'nums().select("v").summary("count", "min", "max").collect()')

# ---------------------------------------------------------------- window functions
A = "window"
W = 'w = Window.partitionBy("g").orderBy("k")\n'
add(A, "row_number", W + 'nums().select("k", F.row_number().over(w).alias("rn")).orderBy("k")')
add(A, "rank_dense", 'w = Window.partitionBy("g").orderBy("v")\nnums().select("k", F.rank().over(w).alias("r"), F.dense_rank().over(w).alias("d")).orderBy("k")')
add(A, "lag_lead", W + 'nums().select("k", F.lag("v").over(w).alias("lag"), F.lead("v", 1, -1).over(w).alias("lead")).orderBy("k")')
add(A, "running_sum", W + 'nums().select("k", F.sum("v").over(w).alias("s")).orderBy("k")')
add(A, "running_sum_ties", 'w = Window.partitionBy("g").orderBy("v")\nnums().select("k", F.sum("k").over(w).alias("s")).orderBy("k")')
add(A, "rows_between", 'w = Window.partitionBy("g").orderBy("k").rowsBetween(-1, 1)\nnums().select("k", F.sum("k").over(w).alias("s")).orderBy("k")')
add(A, "rows_unbounded", 'w = Window.partitionBy("g").orderBy("k").rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing)\nnums().select("k", F.max("v").over(w).alias("m"), F.last("k").over(w).alias("l")).orderBy("k")')
add(A, "range_between", 'w = Window.orderBy("k").rangeBetween(-2, 0)\nnums().select("k", F.sum("k").over(w).alias("s")).orderBy("k")')
add(A, "no_order_whole_partition", 'w = Window.partitionBy("g")\nnums().select("k", F.count("*").over(w).alias("c"), F.sum("v").over(w).alias("s")).orderBy("k")')
add(A, "ntile", 'w = Window.orderBy("k")\nnums().select("k", F.ntile(4).over(w).alias("t")).orderBy("k")')
add(A, "percent_rank_cume_dist", 'w = Window.orderBy("v")\nnums().select("k", F.round(F.percent_rank().over(w), 4).alias("p"), F.round(F.cume_dist().over(w), 4).alias("c")).orderBy("k")')
add(A, "first_value_default_frame", W + 'nums().select("k", F.first("v").over(w).alias("f"), F.last("v").over(w).alias("l")).orderBy("k")')
add(A, "nth_value", W + 'nums().select("k", F.nth_value("v", 2).over(w).alias("n")).orderBy("k")')
add(A, "sql_window", 'nums().createOrReplaceTempView("n")\nspark.sql("SELECT k, avg(v) OVER (PARTITION BY g ORDER BY k ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) a FROM n ORDER BY k")')
add(A, "sql_qualify_like_filter", 'nums().createOrReplaceTempView("n")\nspark.sql("SELECT * FROM (SELECT k, g, row_number() OVER (PARTITION BY g ORDER BY v DESC, k) rn FROM n) WHERE rn = 1 ORDER BY g")')
add(A, "window_desc_nulls", 'w = Window.orderBy(F.desc("v"), "k")\nnums().select("k", F.row_number().over(w).alias("rn")).orderBy("k")')
add(A, "window_dtypes", W + 'nums().select(F.row_number().over(w).alias("rn"), F.rank().over(w).alias("r"), F.sum("v").over(w).alias("s"), F.avg("v").over(w).alias("a")).dtypes')
add(A, "rank_no_order_error", 'w = Window.partitionBy("g")\nnums().select(F.rank().over(w)).collect()')

# ---------------------------------------------------------------- string functions
exprs("string", "sql", [
    "upper('aBc')", "lower('aBc')", "length('héllo')", "char_length('abc')", "octet_length('é')",
    "substring('hello', 2, 3)", "substring('hello', -3)", "substring('hello', 0, 2)", "substr('hello', 2)",
    "concat('a', 'b', 'c')", "concat_ws(',', 'a', 'b')", "'a' || 'b'", "trim('  x  ')", "ltrim('  x')", "rtrim('x  ')",
    "trim(BOTH 'x' FROM 'xxaxx')", "lpad('7', 3, '0')", "rpad('7', 3, '0')", "lpad('hello', 2, '0')",
    "instr('hello', 'l')", "locate('l', 'hello', 4)", "replace('aaa', 'a', 'b')", "translate('abc', 'ab', 'xy')",
    "reverse('abc')", "repeat('ab', 3)", "split('a,b,,c', ',')", "split('a1b2c', '[0-9]')", "split('a,b,c', ',', 2)",
    "regexp_replace('a1b22', '[0-9]+', '#')", "regexp_extract('a1b22', '([a-z])([0-9]+)', 2)", "regexp_extract('abc', '([0-9]+)', 1)",
    "regexp_extract_all('a1b22', '[0-9]+', 0)", "'abc' RLIKE '^a'", "'abc' LIKE 'a%'", "'a_c' LIKE 'a\\\\_c'", "'ABC' ILIKE 'a%'",
    "initcap('hello wORLD')", "ascii('A')", "chr(65)", "base64('abc')", "unbase64('YWJj')", "hex('abc')", "hex(255)",
    "md5('abc')", "sha1('abc')", "sha2('abc', 256)", "crc32('abc')", "format_string('%05d|%s', 42, 'x')",
    "format_number(1234567.891, 2)", "left('hello', 2)", "right('hello', 2)", "soundex('Robert')", "levenshtein('kitten', 'sitting')",
    "split_part('a.b.c', '.', 2)", "startswith('hello', 'he')", "endswith('hello', 'lo')", "contains('hello', 'ell')",
    "position('l', 'hello')", "overlay('hello' PLACING 'XY' FROM 2)", "string(1.50)", "cast(1.0 as string)",
    "cast(1e10 as string)", "cast(0.1 as double) || ''", "cast(true as string)", "cast(array(1, 2) as string)",
    "cast(map('a', 1) as string)", "cast(named_struct('a', 1, 'b', 'x') as string)", "elt(2, 'a', 'b')", "btrim('xax', 'x')",
    "encode('abc', 'UTF-8')", "decode(encode('abc', 'UTF-8'), 'UTF-8')", "uuid() IS NOT NULL", "printf('%s-%s', 'a', 1)",
    "mask('AbC-123')", "sentences('Hi there. Bye.')", "substring_index('a.b.c', '.', 2)", "find_in_set('b', 'a,b,c')",
])
A = "string"
add(A, "df_functions", 'df = spark.createDataFrame([("  Hello World  ",)], "s STRING")\ndf.select(F.upper("s"), F.trim("s").alias("t"), F.length("s").alias("n"), F.regexp_replace("s", "o", "0").alias("r"), F.split(F.trim("s"), " ").alias("sp"), F.substring("s", 3, 5).alias("sub"))')
add(A, "df_col_methods", 'df = spark.createDataFrame([("hello",), ("world",), (None,)], "s STRING")\ndf.select(F.col("s").startswith("he").alias("a"), F.col("s").contains("or").alias("b"), F.col("s").like("%l%").alias("c"), F.col("s").rlike("d$").alias("d"), F.col("s").substr(2, 2).alias("e"), F.col("s").isin("hello", "x").alias("f")).collect()')
add(A, "df_concat_types", 'spark.range(2).select(F.concat(F.lit("n"), F.col("id")).alias("c"), F.concat_ws("-", F.lit("a"), F.col("id").cast("string")).alias("w")).orderBy("c")')
add(A, "string_plus_number", 'sql1("\'1\' + 1")')
add(A, "string_compare_number", 'sql1("\'10\' > 9")')

# ---------------------------------------------------------------- date and time functions
exprs("datetime", "sql", [
    "to_date('2024-02-29')", "to_date('02/29/2024', 'MM/dd/yyyy')", "to_date('2024-13-01')", "to_timestamp('2024-01-05 07:08:09')",
    "to_timestamp('2024-01-05T07:08:09.123Z')", "to_timestamp('05.01.2024 07:08', 'dd.MM.yyyy HH:mm')", "date_format(DATE'2024-01-05', 'yyyy/MM/dd EEE')",
    "date_format(TIMESTAMP'2024-01-05 07:08:09', 'HH:mm:ss.SSS a')", "date_add(DATE'2024-02-28', 2)", "date_sub(DATE'2024-03-01', 1)",
    "datediff(DATE'2024-03-01', DATE'2024-02-01')", "months_between(DATE'2024-03-31', DATE'2024-02-29')", "months_between(TIMESTAMP'2024-03-15 12:00:00', DATE'2024-02-01')",
    "add_months(DATE'2024-01-31', 1)", "last_day(DATE'2024-02-10')", "next_day(DATE'2024-01-05', 'Mon')", "trunc(DATE'2024-05-17', 'MM')",
    "trunc(DATE'2024-05-17', 'year')", "date_trunc('hour', TIMESTAMP'2024-01-05 07:08:09')", "date_trunc('week', TIMESTAMP'2024-01-05 07:08:09')",
    "year(DATE'2024-01-05')", "month(DATE'2024-01-05')", "dayofmonth(DATE'2024-01-05')", "dayofweek(DATE'2024-01-07')", "dayofyear(DATE'2024-12-31')",
    "weekofyear(DATE'2024-01-01')", "quarter(DATE'2024-08-01')", "hour(TIMESTAMP'2024-01-05 07:08:09')", "minute(TIMESTAMP'2024-01-05 07:08:09')",
    "second(TIMESTAMP'2024-01-05 07:08:09')", "unix_timestamp(TIMESTAMP'2024-01-01 00:00:00')", "unix_timestamp('2024-01-01', 'yyyy-MM-dd')",
    "from_unixtime(0)", "from_unixtime(86400, 'yyyy-MM-dd')", "timestamp_seconds(1700000000)", "to_unix_timestamp('1970-01-02', 'yyyy-MM-dd')",
    "make_date(2024, 2, 29)", "make_timestamp(2024, 1, 5, 7, 8, 9.5)", "from_utc_timestamp(TIMESTAMP'2024-07-01 12:00:00', 'America/New_York')",
    "to_utc_timestamp(TIMESTAMP'2024-07-01 12:00:00', 'Asia/Tokyo')", "TIMESTAMP'2024-01-05 07:08:09+02:00'", "TIMESTAMP_NTZ'2024-01-05 07:08:09'",
    "CAST(TIMESTAMP'2024-01-05 07:08:09' AS DATE)", "CAST(DATE'2024-01-05' AS TIMESTAMP)", "CAST('2024-01-05' AS DATE)", "CAST('2024-01-05 07:08' AS TIMESTAMP)",
    "CAST(TIMESTAMP'2024-01-05 07:08:09' AS STRING)", "CAST(TIMESTAMP'2024-01-05 07:08:09' AS LONG)", "CAST(0 AS TIMESTAMP)",
    "DATE'2024-01-31' + INTERVAL 1 MONTH", "TIMESTAMP'2024-01-05 07:08:09' + INTERVAL 2 HOURS", "TIMESTAMP'2024-01-05 00:00:00' - TIMESTAMP'2024-01-04 12:00:00'",
    "DATE'2024-01-05' - DATE'2024-01-01'", "date_diff(DATE'2024-03-01', DATE'2024-02-01')", "extract(YEAR FROM DATE'2024-01-05')", "date_part('MONTH', DATE'2024-01-05')",
    "current_date() IS NOT NULL", "current_timestamp() > TIMESTAMP'2020-01-01 00:00:00'", "to_date('2024-01-05 10:00:00')",
    "make_interval(1, 2, 0, 3)", "window(TIMESTAMP'2024-01-05 07:08:09', '10 minutes')", "try_to_timestamp('not a date')", "unix_date(DATE'1970-01-10')",
    "date_from_unix_date(10)", "timestampadd(HOUR, 3, TIMESTAMP'2024-01-05 07:08:09')", "timestampdiff(MINUTE, TIMESTAMP'2024-01-05 07:00:00', TIMESTAMP'2024-01-05 08:30:00')",
])
A = "datetime"
add(A, "df_date_functions", 'import datetime\ndf = spark.createDataFrame([(datetime.date(2024, 2, 29), datetime.datetime(2024, 2, 29, 23, 59, 59))], "d DATE, t TIMESTAMP")\ndf.select(F.year("d"), F.month("d"), F.date_add("d", 1).alias("a"), F.date_format("t", "yyyy-MM-dd HH:mm").alias("f"), F.to_date("t").alias("td"), F.datediff(F.lit("2024-03-10"), "d").alias("dd"))')
add(A, "ts_python_roundtrip", 'import datetime\nspark.createDataFrame([(datetime.datetime(2024, 1, 5, 7, 8, 9, 123456),)], "t TIMESTAMP").collect()')
add(A, "ts_aware_input", 'import datetime\nspark.createDataFrame([(datetime.datetime(2024, 1, 5, 7, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),)], "t TIMESTAMP").collect()')
add(A, "ts_ntz_roundtrip", 'import datetime\nspark.createDataFrame([(datetime.datetime(2024, 1, 5, 7, 8, 9),)], "t TIMESTAMP_NTZ").collect()')
add(A, "session_tz_change", 'spark.conf.set("spark.sql.session.timeZone", "America/Los_Angeles")\nr = spark.sql("SELECT CAST(TIMESTAMP\'2024-01-05 07:08:09\' AS STRING) s, hour(TIMESTAMP\'2024-01-05 07:08:09+00:00\') h").collect()\nspark.conf.set("spark.sql.session.timeZone", "UTC")\nr')
add(A, "infer_datetime_type", 'import datetime\nspark.createDataFrame([(datetime.datetime(2024, 1, 5), datetime.date(2024, 1, 5))]).dtypes')
add(A, "current_timezone", 'sql1("current_timezone()")')
add(A, "interval_type", 'sql1("INTERVAL 3 DAYS").dtypes')
add(A, "bad_date_ansi", 'sql1("CAST(\'2024-02-30\' AS DATE)").collect()')
add(A, "bad_format_ansi", 'sql1("to_date(\'x\', \'yyyy\')").collect()')

# ---------------------------------------------------------------- arrays, maps, structs, JSON
exprs("collections", "sql", [
    "array(1, 2, 3)", "array()", "array(1, NULL)", "size(array(1, 2))", "size(NULL)", "cardinality(map(1, 2))", "array_contains(array(1, 2), 2)",
    "array_contains(array(1, NULL), 3)", "element_at(array(1, 2, 3), -1)", "element_at(map('a', 1), 'a')", "array(1, 2, 3)[0]", "map('a', 1)['a']",
    "sort_array(array(3, NULL, 1))", "sort_array(array(3, NULL, 1), false)", "array_sort(array(3, NULL, 1))", "array_distinct(array(1, 1, 2))",
    "array_union(array(1, 2), array(2, 3))", "array_intersect(array(1, 2), array(2, 3))", "array_except(array(1, 2), array(2, 3))",
    "array_join(array('a', NULL, 'b'), ',')", "array_join(array('a', NULL, 'b'), ',', '?')", "array_max(array(1, 5, 3))", "array_min(array(1, 5, 3))",
    "array_position(array(3, 4), 4)", "array_remove(array(1, 2, 1), 1)", "array_repeat('x', 3)", "slice(array(1, 2, 3, 4), 2, 2)",
    "flatten(array(array(1), array(2, 3)))", "sequence(1, 5)", "sequence(5, 1, -2)", "sequence(DATE'2024-01-01', DATE'2024-01-03', INTERVAL 1 DAY)",
    "arrays_zip(array(1, 2), array('a', 'b'))", "concat(array(1), array(2))", "reverse(array(1, 2))", "shuffle(array(1)) ",
    "transform(array(1, 2), x -> x * 10)", "transform(array(1, 2), (x, i) -> x + i)", "filter(array(1, 2, 3), x -> x > 1)", "exists(array(1, 2), x -> x > 1)",
    "forall(array(1, 2), x -> x > 1)", "aggregate(array(1, 2, 3), 0, (acc, x) -> acc + x)", "zip_with(array(1, 2), array(10, 20), (a, b) -> a + b)",
    "map(1, 'a', 2, 'b')", "map_keys(map(1, 'a', 2, 'b'))", "map_values(map(1, 'a', 2, 'b'))", "map_entries(map(1, 'a'))", "map_from_arrays(array(1, 2), array('a', 'b'))",
    "map_from_entries(array(struct(1, 'a')))", "map_concat(map(1, 'a'), map(2, 'b'))", "map_filter(map(1, 0, 2, 5), (k, v) -> v > 1)",
    "transform_values(map(1, 2), (k, v) -> v * 10)", "transform_keys(map(1, 2), (k, v) -> k + 1)", "map_contains_key(map(1, 'a'), 1)", "str_to_map('a:1,b:2')",
    "struct(1, 'a')", "struct(1 AS x, 'a' AS y)", "named_struct('x', 1, 'y', 'a').y", "named_struct('x', 1).x", "array(struct(1 AS a)).a",
    "to_json(named_struct('a', 1, 'b', array(1, 2)))", "to_json(map('a', 1))", "to_json(array(named_struct('a', NULL)))", "from_json('{\"a\": 1, \"b\": \"x\"}', 'a INT, b STRING')",
    "from_json('[1, 2]', 'ARRAY<INT>')", "from_json('bad', 'a INT')", "get_json_object('{\"a\": {\"b\": [1, 2]}}', '$.a.b[1]')", "json_tuple('{\"a\": 1, \"b\": 2}', 'a', 'b')",
    "schema_of_json('{\"a\": 1, \"b\": [\"x\"]}')", "json_array_length('[1, 2, 3]')", "json_object_keys('{\"a\": 1, \"b\": 2}')",
    "array_compact(array(1, NULL, 2))", "array_append(array(1), 2)", "array_prepend(array(1), 0)", "array_insert(array(1, 3), 2, 2)", "arrays_overlap(array(1, 2), array(2))",
    "try_element_at(array(1), 5)", "inline(array(struct(1, 'a'), struct(2, 'b')))", "posexplode(array('a', 'b'))", "explode(map('a', 1))",
])
A = "collections"
for i, e in enumerate(["json_tuple('{\"a\": 1, \"b\": 2}', 'a', 'b')", "inline(array(struct(1, 'a'), struct(2, 'b')))",
                       "posexplode(array('a', 'b'))", "explode(map('a', 1))", "explode(array(1, 2))"]):
    add(A, f"generator_{i}", f"spark.sql({'SELECT ' + e!r})")
add(A, "explode_df", 'spark.createDataFrame([(1, [1, 2]), (2, []), (3, None)], "k INT, a ARRAY<INT>").select("k", F.explode("a").alias("x")).orderBy("k", "x")')
add(A, "explode_outer_df", 'spark.createDataFrame([(1, [1, 2]), (2, []), (3, None)], "k INT, a ARRAY<INT>").select("k", F.explode_outer("a").alias("x")).orderBy("k", "x")')
add(A, "posexplode_df", 'spark.createDataFrame([(1, ["a", "b"])], "k INT, a ARRAY<STRING>").select("k", F.posexplode("a"))')
add(A, "explode_map_df", 'spark.createDataFrame([(1, {"a": 1, "b": 2})], "k INT, m MAP<STRING,INT>").select("k", F.explode("m")).orderBy("key")')
add(A, "lateral_view", 'spark.createDataFrame([(1, [1, 2])], "k INT, a ARRAY<INT>").createOrReplaceTempView("t")\nspark.sql("SELECT k, x FROM t LATERAL VIEW explode(a) e AS x ORDER BY x")')
add(A, "struct_fields_df", 'df = spark.createDataFrame([((1, "z"),)], "s STRUCT<i: INT, t: STRING>")\ndf.select("s.i", F.col("s.t"), F.col("s")["i"].alias("ii"), F.col("s").getField("t").alias("tt"))')
add(A, "struct_star", 'spark.createDataFrame([((1, "z"),)], "s STRUCT<i: INT, t: STRING>").select("s.*")')
add(A, "getitem", 'spark.createDataFrame([([1, 2], {"a": 3})], "a ARRAY<INT>, m MAP<STRING,INT>").select(F.col("a")[1].alias("x"), F.col("a").getItem(0).alias("y"), F.col("m")["a"].alias("z"), F.col("m").getItem("b").alias("w"))')
add(A, "array_index_out_of_bounds", 'sql1("array(1, 2)[5]").collect()')
add(A, "element_at_out_of_bounds", 'sql1("element_at(array(1, 2), 5)").collect()')
add(A, "map_missing_key", 'sql1("map(\'a\', 1)[\'b\']").collect()')
add(A, "row_struct_collect", 'spark.createDataFrame([((1, [2]), {"k": (3,)})], "s STRUCT<a: INT, b: ARRAY<INT>>, m MAP<STRING,STRUCT<c: INT>>").collect()')
add(A, "create_map_df", 'spark.range(2).select(F.create_map(F.lit("k"), F.col("id")).alias("m"), F.array(F.col("id"), F.lit(9)).alias("a"), F.struct(F.col("id").alias("x")).alias("s")).orderBy(F.col("a")[0])')
add(A, "transform_df", 'spark.createDataFrame([([1, 2, 3],)], "a ARRAY<INT>").select(F.transform("a", lambda x: x * 2).alias("t"), F.filter("a", lambda x: x % 2 == 1).alias("f"), F.aggregate("a", F.lit(0), lambda s, x: s + x).alias("s"))')
add(A, "from_json_df", 'spark.createDataFrame([(\'{"a": 1, "b": [1, 2]}\',), ("{bad",)], "j STRING").select(F.from_json("j", "a INT, b ARRAY<INT>").alias("p")).collect()')
add(A, "to_json_df", 'spark.createDataFrame([(1, "x")], "a INT, b STRING").select(F.to_json(F.struct("a", "b")).alias("j"))')
add(A, "map_duplicate_key", 'sql1("map(1, \'a\', 1, \'b\')").collect()')
add(A, "withField_dropFields", 'df = spark.createDataFrame([((1, 2),)], "s STRUCT<a: INT, b: INT>")\ndf.select(F.col("s").withField("c", F.lit(3)).alias("x"), F.col("s").dropFields("a").alias("y"))')

# ---------------------------------------------------------------- ANSI mode
A = "ansi"
exprs(A, "sql", [
    "1 / 0", "1 % 0", "1 DIV 0", "CAST(1 AS DOUBLE) / 0", "try_divide(1, 0)", "try_mod(1, 0)", "CAST('abc' AS INT)", "try_cast('abc' AS INT)",
    "CAST('12' AS INT)", "CAST(' 12 ' AS INT)", "CAST('1.5' AS INT)", "CAST('1e3' AS DOUBLE)", "CAST('abc' AS DOUBLE)", "CAST('true' AS BOOLEAN)",
    "CAST('yes' AS BOOLEAN)", "CAST('maybe' AS BOOLEAN)", "CAST(3.9 AS INT)", "CAST(-3.9 AS INT)", "CAST(3000000000 AS INT)", "CAST(1e20 AS BIGINT)",
    "CAST(300 AS TINYINT)", "try_cast(300 AS TINYINT)", "CAST(CAST('NaN' AS DOUBLE) AS INT)", "CAST(12.345 AS DECIMAL(4,2))", "CAST(123.45 AS DECIMAL(3,1))",
    "2147483647 + 1", "CAST(2147483647 AS INT) * 2", "9223372036854775807 + 1", "try_add(9223372036854775807, 1)", "try_multiply(2147483647, 2)",
    "-(-2147483648)", "abs(-2147483648)", "CAST(127 AS TINYINT) + CAST(1 AS TINYINT)", "try_subtract(-9223372036854775808, 1)",
    "element_at(array(1), 3)", "array(1)[3]", "CAST('2024-02-30' AS DATE)", "try_cast('2024-02-30' AS DATE)", "CAST('x' AS TIMESTAMP)",
    "to_date('x')", "unix_timestamp('x', 'yyyy')", "CAST(1 AS STRING) = 1", "'a' = 1", "1 = '1'", "true = 'true'", "CAST(NULL AS INT) / 0",
    "try_sum(9223372036854775807)", "9223372036854775807L * 2", "CAST(9.99 AS DECIMAL(2,1))", "CAST(array('1', 'x') AS ARRAY<INT>)", "try_to_number('x', '999')",
    "sqrt(-1)", "ln(0)", "log(10, 100)", "pow(2, 1000)", "exp(1000)",
])
for key, e in [("div0", "1 / 0"), ("cast", "CAST('abc' AS INT)"), ("overflow", "2147483647 + 1"), ("cast_overflow", "CAST(3000000000 AS INT)"),
               ("index", "array(1)[3]"), ("element_at", "element_at(array(1), 3)"), ("decimal", "CAST(123.45 AS DECIMAL(3,1))"),
               ("date", "CAST('2024-02-30' AS DATE)"), ("str_int_cmp", "'a' = 1"), ("long_overflow", "9223372036854775807L * 2"),
               ("mod0", "1 % 0"), ("bool", "CAST('yes' AS BOOLEAN)")]:
    add(A, f"off_{key}", f'spark.conf.set("spark.sql.ansi.enabled", "false")\ntry:\n    r = sql1({e!r}).collect()\nfinally:\n    spark.conf.set("spark.sql.ansi.enabled", "true")\nr')
add(A, "df_div_zero", 'spark.createDataFrame([(1, 0)], "a INT, b INT").select(F.col("a") / F.col("b")).collect()')
add(A, "df_cast_bad", 'spark.createDataFrame([("x",)], "s STRING").select(F.col("s").cast("int")).collect()')
add(A, "df_try_divide", 'spark.createDataFrame([(1, 0), (4, 2)], "a INT, b INT").select(F.try_divide("a", "b").alias("r")).orderBy("r")')
add(A, "df_try_cast", 'spark.createDataFrame([("x",), ("7",)], "s STRING").select(F.col("s").try_cast("int").alias("r")).orderBy("r")')
add(A, "df_overflow_sum", 'spark.createDataFrame([(9223372036854775807,), (1,)], "v BIGINT").agg(F.sum("v")).collect()')
add(A, "df_overflow_sum_int", 'spark.createDataFrame([(2147483647,), (1,)], "v INT").agg(F.sum("v")).collect()')
add(A, "df_int_add_overflow", 'spark.createDataFrame([(2147483647,)], "v INT").select(F.col("v") + 1).collect()')
add(A, "ansi_conf_default", 'spark.conf.get("spark.sql.ansi.enabled")')

# ---------------------------------------------------------------- numbers, decimals
exprs("numeric", "sql", [
    "7 / 2", "7 DIV 2", "-7 DIV 2", "7 % 3", "-7 % 3", "pmod(-7, 3)", "mod(7.5, 2)", "round(2.5)", "round(-2.5)", "round(2.345, 2)", "bround(2.5)",
    "bround(3.5)", "round(1234.5, -2)", "round(CAST(2.5 AS DOUBLE))", "floor(-1.5)", "ceil(1.2)", "ceil(1.234, 1)", "abs(-3)", "sign(-2.0)", "sqrt(2)", "cbrt(27)", "exp(0)",
    "ln(exp(1))", "log10(1000)", "log2(8)", "log(2, 8)", "power(2, 10)", "2 * 3.0", "1.1 + 2.2", "CAST(1.1 AS DOUBLE) + CAST(2.2 AS DOUBLE)", "0.1 * 3",
    "CAST(1 AS DECIMAL(10,2)) / 3", "CAST(1 AS DECIMAL(10,2)) * CAST(3 AS DECIMAL(10,2))", "CAST(10.5 AS DECIMAL(38,10)) * CAST(3.25 AS DECIMAL(38,10))",
    "1.5BD + 1", "CAST(1 AS DECIMAL(38,0)) + 0.5", "123456789012345678901234567890.12", "1e308 * 10", "CAST('Infinity' AS DOUBLE)", "CAST('NaN' AS DOUBLE) + 1",
    "greatest(1, NULL, 3)", "least(1.5, 2)", "factorial(5)", "conv('ff', 16, 10)", "bin(5)", "shiftleft(1, 3)", "shiftright(-8, 1)", "5 & 3", "5 | 3", "5 ^ 3", "~5",
    "degrees(pi())", "radians(180)", "sin(0)", "atan2(1, 1)", "hypot(3, 4)", "rand(42) < 1", "width_bucket(5.3, 0.2, 10.6, 5)", "negative(5)", "positive(-5)",
    "CAST(1.0 AS FLOAT)", "CAST(0.1 AS FLOAT)", "CAST(16777217 AS FLOAT)", "CAST(1.23456789012 AS DOUBLE)", "1/3", "CAST(1/3 AS FLOAT)", "100000000000000000000.0D",
    "0.00001D", "1e-7D", "12345678.0D", "123456789.0D", "CAST(1e15 AS DOUBLE)", "CAST(1e16 AS DOUBLE)", "e()", "isnan(CAST('NaN' AS DOUBLE))", "nanvl(CAST('NaN' AS DOUBLE), 1.0)",
    "try_divide(10, 4)", "div(10, 4)", "typeof(1)", "typeof(1L)", "typeof(1.5)", "typeof(1.5D)", "typeof(1e1)", "typeof(7 / 2)", "typeof(CAST(1 AS TINYINT) + CAST(1 AS TINYINT))",
])
A = "numeric"
add(A, "df_int_division", 'spark.createDataFrame([(7, 2)], "a INT, b INT").select((F.col("a") / F.col("b")).alias("d"), (F.col("a") % F.col("b")).alias("m"), F.floor(F.col("a") / F.col("b")).alias("f"))')
add(A, "df_decimal_arith", 'import decimal\ndf = spark.createDataFrame([(decimal.Decimal("1.10"), decimal.Decimal("3.333"))], "a DECIMAL(10,2), b DECIMAL(12,3)")\nr = df.select((F.col("a") + F.col("b")).alias("s"), (F.col("a") * F.col("b")).alias("p"), (F.col("a") / F.col("b")).alias("q"))\n(r.dtypes, r.collect())')
add(A, "df_round_half", 'spark.createDataFrame([(0.5,), (1.5,), (2.5,), (-0.5,)], "x DOUBLE").select("x", F.round("x").alias("r"), F.bround("x").alias("b")).orderBy("x")')
add(A, "df_cast_types", 'spark.createDataFrame([("42",)], "s STRING").select(F.col("s").cast("int").alias("i"), F.col("s").cast(T.LongType()).alias("l"), F.col("s").cast("double").alias("d"), F.col("s").cast("decimal(5,1)").alias("dec"), F.col("s").cast("boolean").alias("b"))')
add(A, "df_float_collect", 'spark.createDataFrame([(0.1,)], "f FLOAT").collect()')
add(A, "df_byte_short", 'spark.createDataFrame([(1, 2)], "a TINYINT, b SMALLINT").select((F.col("a") + F.col("b")).alias("s")).dtypes')
add(A, "df_long_limits", 'spark.createDataFrame([(9223372036854775807, -9223372036854775808)], "a BIGINT, b BIGINT").collect()')
add(A, "decimal_infer", 'import decimal\nspark.createDataFrame([(decimal.Decimal("1.5"),)]).dtypes')
add(A, "decimal_big_collect", 'sql1("CAST(\'12345678901234567890.123456789\' AS DECIMAL(38,9))").collect()')

# ---------------------------------------------------------------- errors
A = "errors"
add(A, "unknown_column_select", 'people().select("nmae").collect()')
add(A, "unknown_column_filter", 'people().filter(F.col("agee") > 1).collect()')
add(A, "unknown_column_sql", 'people().createOrReplaceTempView("p")\nspark.sql("SELECT nme FROM p").collect()')
add(A, "unknown_column_getattr", 'people().nmae')
add(A, "unknown_table", 'spark.sql("SELECT * FROM no_such_table").collect()')
add(A, "unknown_table_read", 'spark.table("no_such_table").collect()')
add(A, "unknown_function", 'spark.sql("SELECT no_such_fn(1)").collect()')
add(A, "parse_error", 'spark.sql("SELECT * FORM t")')
add(A, "parse_error_unclosed", 'spark.sql("SELECT (1 + 2")')
add(A, "parse_error_keyword", 'spark.sql("SELEC 1")')
add(A, "parse_error_in_expr", 'people().selectExpr("id +")')
add(A, "wrong_arg_count", 'spark.sql("SELECT upper(\'a\', \'b\')").collect()')
add(A, "type_mismatch", 'spark.sql("SELECT array(1) + 1").collect()')
add(A, "union_mismatch", 'spark.range(1).union(spark.createDataFrame([(1, 2)], "a INT, b INT")).collect()')
add(A, "unionByName_missing", 'spark.createDataFrame([(1, 2)], "a INT, b INT").unionByName(spark.createDataFrame([(1,)], "a INT")).collect()')
add(A, "view_exists", 'people().createTempView("dup_v")\ntry:\n    people().createTempView("dup_v")\nfinally:\n    spark.catalog.dropTempView("dup_v")')
add(A, "agg_in_where", 'nums().createOrReplaceTempView("n")\nspark.sql("SELECT g FROM n WHERE sum(v) > 1").collect()')
add(A, "bad_ddl_schema", 'spark.createDataFrame([(1,)], "x INTEGR")')
add(A, "exception_hierarchy", 'from pyspark.errors import AnalysisException\ntry:\n    people().select("nope").collect()\nexcept AnalysisException as e:\n    r = (type(e).__mro__[1].__name__, e.getCondition(), sorted(e.getMessageParameters()))\nr')
add(A, "parse_exception_is_analysis", 'from pyspark.errors import AnalysisException, ParseException\ntry:\n    spark.sql("SELEC 1")\nexcept ParseException as e:\n    r = (isinstance(e, AnalysisException), e.getCondition())\nr')
add(A, "col_not_bool_in_filter", 'people().filter(F.col("name")).collect()')
add(A, "divide_by_zero_class", 'from pyspark.errors import ArithmeticException\ntry:\n    sql1("1 / 0").collect()\nexcept ArithmeticException as e:\n    r = (type(e).__name__, e.getCondition(), e.getSqlState())\nr')
add(A, "cast_error_class", 'from pyspark.errors import NumberFormatException\ntry:\n    sql1("CAST(\'x\' AS INT)").collect()\nexcept NumberFormatException as e:\n    r = (type(e).__name__, e.getCondition(), e.getSqlState())\nr')
add(A, "withColumnRenamed_missing_ok", 'people().withColumnRenamed("nope", "x").columns')
add(A, "drop_missing_ok", 'people().drop("nope").columns')
add(A, "select_star_dup", 'people().select("*", "id").columns')
add(A, "case_insensitive", 'people().select("ID", "Name").orderBy("id").limit(1)')

# ---------------------------------------------------------------- spark.sql dialect
A = "sql"
add(A, "cte", 'people().createOrReplaceTempView("p")\nspark.sql("WITH a AS (SELECT id, age FROM p WHERE age IS NOT NULL) SELECT max(age) m, count(*) c FROM a")')
add(A, "subquery_in", 'people().createOrReplaceTempView("p")\norders().createOrReplaceTempView("o")\nspark.sql("SELECT id FROM p WHERE id IN (SELECT pid FROM o) ORDER BY id")')
add(A, "not_in_with_null", 'people().createOrReplaceTempView("p")\norders().createOrReplaceTempView("o")\nspark.sql("SELECT id FROM p WHERE id NOT IN (SELECT pid FROM o) ORDER BY id")')
add(A, "exists", 'people().createOrReplaceTempView("p")\norders().createOrReplaceTempView("o")\nspark.sql("SELECT id FROM p WHERE EXISTS (SELECT 1 FROM o WHERE o.pid = p.id) ORDER BY id")')
add(A, "scalar_subquery", 'people().createOrReplaceTempView("p")\nspark.sql("SELECT id, (SELECT max(age) FROM p) m FROM p ORDER BY id LIMIT 2")')
add(A, "case_when", 'people().createOrReplaceTempView("p")\nspark.sql("SELECT id, CASE WHEN age > 30 THEN \'old\' WHEN age IS NULL THEN \'?\' ELSE \'young\' END c FROM p ORDER BY id")')
add(A, "values", 'spark.sql("SELECT * FROM VALUES (1, \'a\'), (2, \'b\') AS t(x, y) ORDER BY x")')
add(A, "values_dtypes", 'spark.sql("SELECT * FROM VALUES (1, \'a\'), (2, \'b\') AS t(x, y)").dtypes')
add(A, "double_quoted_string", 'spark.sql("SELECT \\"abc\\" AS s")')
add(A, "backticks", 'spark.createDataFrame([(1,)], "`a b` INT").createOrReplaceTempView("bt")\nspark.sql("SELECT `a b` + 1 AS `x y` FROM bt")')
add(A, "range_tvf", 'spark.sql("SELECT sum(id) FROM range(10)")')
add(A, "range_tvf_dtypes", 'spark.sql("SELECT * FROM range(1, 4)").dtypes')
add(A, "union_all", 'spark.sql("SELECT 1 AS x UNION ALL SELECT 1 UNION SELECT 2 ORDER BY x")')
add(A, "intersect_except", 'spark.sql("(SELECT 1 x UNION SELECT 2) EXCEPT SELECT 2")')
add(A, "limit_offset", 'spark.sql("SELECT id FROM range(10) ORDER BY id LIMIT 3 OFFSET 2")')
add(A, "distinct", 'spark.sql("SELECT DISTINCT id % 3 AS m FROM range(10) ORDER BY m")')
add(A, "between_in", 'spark.sql("SELECT id FROM range(10) WHERE id BETWEEN 2 AND 4 OR id IN (8, 9) ORDER BY id")')
add(A, "sort_by_alias", 'spark.sql("SELECT id * -1 AS n FROM range(3) ORDER BY n")')
add(A, "if_iff", 'spark.sql("SELECT if(1 > 2, \'a\', \'b\') a, iff(true, 1, 2) b")')
add(A, "cast_shorthand", 'spark.sql("SELECT \'1\'::INT a, INT(\'2\') b, DOUBLE(\'1.5\') c")')
add(A, "interval_arith", 'spark.sql("SELECT DATE\'2024-01-01\' + INTERVAL \'2\' DAY a")')
add(A, "string_escape", 'spark.sql("SELECT \'it\\\\\'s\' a, \'tab\\\\there\' b")')
add(A, "tablesample_count", 'spark.sql("SELECT count(*) FROM range(100) TABLESAMPLE (100 PERCENT)")')
add(A, "transform_clause_filter", 'spark.sql("SELECT count(*) FILTER (WHERE id > 5) c FROM range(10)")')
add(A, "pivot_sql", 'spark.createDataFrame([("a", "x", 1), ("a", "y", 2), ("b", "x", 3)], "p STRING, q STRING, v INT").createOrReplaceTempView("pv")\nspark.sql("SELECT * FROM pv PIVOT (sum(v) FOR q IN (\'x\', \'y\')) ORDER BY p")')
add(A, "describe_query", 'people().createOrReplaceTempView("p")\nspark.sql("DESCRIBE p").collect()')
add(A, "show_tables", 'people().createOrReplaceTempView("p")\nspark.sql("SHOW TABLES").filter("tableName = \'p\'").collect()')
add(A, "set_conf", 'spark.sql("SET spark.sql.shuffle.partitions=3").collect()')
add(A, "explain_text_type", 'type(spark.sql("EXPLAIN SELECT 1").collect()[0][0]).__name__')
add(A, "create_view_sql", 'spark.sql("CREATE OR REPLACE TEMP VIEW v1 AS SELECT 1 AS a")\nspark.sql("SELECT a + 1 AS b FROM v1")')
add(A, "select_no_from", 'spark.sql("SELECT 1, 2.5, \'x\'")')
add(A, "stack", 'spark.sql("SELECT stack(2, 1, \'a\', 2, \'b\') AS (n, s) ORDER BY n")')
add(A, "named_args_params", 'spark.sql("SELECT :x + 1 AS r", args={"x": 41})')
add(A, "positional_params", 'spark.sql("SELECT ? * 2 AS r", args=[21])')
add(A, "sql_kwargs_df", 'spark.sql("SELECT max(age) m FROM {df}", df=people())')
add(A, "selectExpr", 'people().selectExpr("id", "upper(name) AS u", "age * 2 AS a2").orderBy("id")')
add(A, "filter_string", 'people().filter("age > 30 AND city = \'NY\'").select("id")')
add(A, "expr_fn", 'people().select(F.expr("coalesce(age, 0) + 1").alias("x")).orderBy("x")')
add(A, "regexp_backslash", 'spark.sql("SELECT regexp_replace(\'a.b\', \'\\\\\\\\.\', \'-\') r")')

# ---------------------------------------------------------------- DataFrame operations
A = "dataframe"
add(A, "select_cols", 'people().select("id", F.col("name"), people().age).orderBy("id")')
add(A, "withColumn", 'people().withColumn("a2", F.col("age") * 2).orderBy("id")')
add(A, "withColumn_replace", 'people().withColumn("age", F.lit(0)).columns')
add(A, "withColumns", 'people().withColumns({"x": F.lit(1), "y": F.col("id") + 1}).orderBy("id").limit(2)')
add(A, "withColumnRenamed", 'people().withColumnRenamed("name", "n").columns')
add(A, "withColumnsRenamed", 'people().withColumnsRenamed({"name": "n", "age": "a"}).columns')
add(A, "drop", 'people().drop("age", "city").orderBy("id")')
add(A, "drop_col_obj", 'p = people()\np.drop(p.age).columns')
add(A, "alias_col", 'people().select(F.col("id").alias("i"), (F.col("id") + 1).name("j")).orderBy("i").limit(2)')
add(A, "union", 'people().select("id").union(orders().select("oid")).orderBy("id")')
add(A, "union_positional", 'spark.createDataFrame([(1, "a")], "x INT, y STRING").union(spark.createDataFrame([("b", 2)], "y STRING, x INT")).collect()')
add(A, "unionByName", 'spark.createDataFrame([(1, "a")], "x INT, y STRING").unionByName(spark.createDataFrame([("b", 2)], "y STRING, x INT")).orderBy("x")')
add(A, "unionByName_missing", 'spark.createDataFrame([(1, "a")], "x INT, y STRING").unionByName(spark.createDataFrame([(2,)], "x INT"), allowMissingColumns=True).orderBy("x")')
add(A, "union_type_widening", 'spark.createDataFrame([(1,)], "x INT").union(spark.createDataFrame([(2.5,)], "x DOUBLE")).orderBy("x")')
add(A, "intersect", 'spark.createDataFrame([(1,), (2,), (2,), (3,)], "x INT").intersect(spark.createDataFrame([(2,), (2,), (3,)], "x INT")).orderBy("x")')
add(A, "intersectAll", 'spark.createDataFrame([(1,), (2,), (2,), (3,)], "x INT").intersectAll(spark.createDataFrame([(2,), (2,), (3,)], "x INT")).orderBy("x")')
add(A, "subtract", 'spark.createDataFrame([(1,), (2,), (2,), (3,)], "x INT").subtract(spark.createDataFrame([(3,)], "x INT")).orderBy("x")')
add(A, "exceptAll", 'spark.createDataFrame([(1,), (2,), (2,), (3,)], "x INT").exceptAll(spark.createDataFrame([(2,)], "x INT")).orderBy("x")')
add(A, "distinct", 'nums().select("g").distinct().orderBy("g")')
add(A, "dropDuplicates", 'nums().dropDuplicates(["g"]).count()')
add(A, "dropDuplicates_all", 'spark.createDataFrame([(1, 1), (1, 1), (1, 2)], "a INT, b INT").dropDuplicates().orderBy("b")')
add(A, "limit", 'people().orderBy("id").limit(2)')
add(A, "limit0", 'people().limit(0)')
add(A, "offset", 'people().orderBy("id").offset(3)')
add(A, "sample_full", 'spark.range(10).sample(fraction=1.0).count()')
add(A, "when_otherwise", 'people().select("id", F.when(F.col("age") > 30, "old").when(F.col("age").isNull(), "?").otherwise("young").alias("c")).orderBy("id")')
add(A, "when_no_otherwise", 'people().select("id", F.when(F.col("age") > 30, 1).alias("c")).orderBy("id")')
add(A, "between_isin", 'people().filter(F.col("age").between(29, 34) & ~F.col("id").isin(5)).select("id").orderBy("id")')
add(A, "lit_types", 'spark.range(1).select(F.lit(1).alias("i"), F.lit(2**40).alias("l"), F.lit(1.5).alias("d"), F.lit("s").alias("s"), F.lit(True).alias("b"), F.lit(None).alias("n")).dtypes')
add(A, "col_arith_ops", 'spark.range(1, 2).select((F.col("id") + 1).alias("a"), (F.col("id") - 1).alias("b"), (F.col("id") * 2).alias("c"), (F.col("id") / 2).alias("d"), (F.col("id") % 2).alias("e"), (-F.col("id")).alias("f"), (F.col("id") ** 2).alias("g"))')
add(A, "col_repr", 'repr(F.col("a") + 1)')
add(A, "col_str_in_bool", 'bool(F.col("a"))')
add(A, "df_getitem", 'p = people()\np.select(p["id"], p[1]).orderBy("id").limit(1)')
add(A, "sort_within_partitions_count", 'people().sortWithinPartitions("id").count()')
add(A, "repartition_count", 'people().repartition(3).count()')
add(A, "coalesce_partitions", 'people().coalesce(1).rdd.getNumPartitions()')
add(A, "cache_count", 'df = people().cache()\n(df.count(), df.is_cached)')
add(A, "isEmpty", '(people().isEmpty(), people().limit(0).isEmpty())')
add(A, "tail", 'people().orderBy("id").tail(2)')
add(A, "foreach_collect_local", 'list(people().orderBy("id").toLocalIterator())[:2]')
add(A, "rdd_map", 'people().rdd.map(lambda r: r.id * 10).collect()', unordered=True)
add(A, "rdd_type", 'people().rdd.first()')
add(A, "toDF_from_rdd", 'spark.sparkContext.parallelize([(1, "a"), (2, "b")]).toDF(["x", "y"]).orderBy("x")')
add(A, "createdf_from_rdd_rows", 'spark.createDataFrame(spark.sparkContext.parallelize([Row(a=1), Row(a=2)])).orderBy("a")')
add(A, "explain_runs", 'import io, contextlib\nb = io.StringIO()\nwith contextlib.redirect_stdout(b):\n    people().explain()\n"== Physical Plan ==" in b.getvalue()')
add(A, "crosstab", 'nums().crosstab("g", "k").columns')
add(A, "stat_corr", 'round(spark.createDataFrame([(1, 2), (2, 4), (3, 7)], "a INT, b INT").stat.corr("a", "b"), 6)')
add(A, "approxQuantile", 'spark.range(100).approxQuantile("id", [0.5], 0.0)')
add(A, "transform_method", 'people().transform(lambda d: d.select("id")).orderBy("id").limit(1)')
add(A, "colRegex", 'people().select(people().colRegex("`^(id|age)$`")).columns')
add(A, "freqItems_cols", 'nums().freqItems(["g"]).columns')
add(A, "melt", 'spark.createDataFrame([(1, 10, 20)], "id INT, a INT, b INT").unpivot("id", ["a", "b"], "var", "val").orderBy("var")')
add(A, "hint_noop", 'people().hint("broadcast").count()')
add(A, "schema_after_select_star_alias", 'people().alias("p").select("p.*").columns')

# ---------------------------------------------------------------- temp views, catalog
A = "catalog"
add(A, "temp_view_roundtrip", 'people().createOrReplaceTempView("cv1")\nspark.table("cv1").orderBy("id").limit(1)')
add(A, "list_tables_names", 'people().createOrReplaceTempView("cv2")\nsorted(t.name for t in spark.catalog.listTables() if t.name == "cv2")')
add(A, "list_tables_entry", 'people().createOrReplaceTempView("cv3")\n[t for t in spark.catalog.listTables() if t.name == "cv3"]')
add(A, "table_exists", 'people().createOrReplaceTempView("cv4")\n(spark.catalog.tableExists("cv4"), spark.catalog.tableExists("nope_cv"))')
add(A, "drop_temp_view", 'people().createOrReplaceTempView("cv5")\n(spark.catalog.dropTempView("cv5"), spark.catalog.dropTempView("cv5"), spark.catalog.tableExists("cv5"))')
add(A, "current_database", 'spark.catalog.currentDatabase()')
add(A, "list_databases", '[d.name for d in spark.catalog.listDatabases()]')
add(A, "current_catalog", 'spark.catalog.currentCatalog()')
add(A, "global_temp_view", 'people().createOrReplaceGlobalTempView("gv1")\nspark.sql("SELECT count(*) FROM global_temp.gv1")')
add(A, "list_columns", 'people().createOrReplaceTempView("cv6")\n[(c.name, c.dataType, c.nullable) for c in spark.catalog.listColumns("cv6")]')
add(A, "sql_drop_view", 'people().createOrReplaceTempView("cv7")\nspark.sql("DROP VIEW cv7")\nspark.catalog.tableExists("cv7")')
add(A, "view_is_snapshot_of_plan", 'df = spark.createDataFrame([(1,)], "x INT")\ndf.createOrReplaceTempView("cv8")\ndf2 = spark.table("cv8")\nspark.createDataFrame([(2,)], "x INT").createOrReplaceTempView("cv8")\ndf2.collect()')
add(A, "list_functions_has_upper", 'any(f.name == "upper" for f in spark.catalog.listFunctions())')
add(A, "saveAsTable", 'people().write.saveAsTable("pt1", mode="overwrite")\nr = spark.table("pt1").orderBy("id").limit(2).collect()\nspark.sql("DROP TABLE pt1")\nr')
add(A, "create_table_using_parquet", 'spark.sql("CREATE TABLE ct1 (a INT, b STRING) USING parquet")\nspark.sql("INSERT INTO ct1 VALUES (1, \'x\'), (2, \'y\')")\nr = spark.table("ct1").orderBy("a").collect()\nspark.sql("DROP TABLE ct1")\nr')
add(A, "insert_into_select", 'spark.sql("CREATE TABLE ct2 (a INT) USING parquet")\nspark.sql("INSERT INTO ct2 SELECT id FROM range(3)")\nspark.sql("INSERT OVERWRITE ct2 SELECT 7")\nr = spark.table("ct2").collect()\nspark.sql("DROP TABLE ct2")\nr')
add(A, "list_tables_persistent", 'spark.sql("CREATE TABLE ct3 (a INT) USING parquet")\nr = [(t.name, t.tableType, t.isTemporary) for t in spark.catalog.listTables() if t.name == "ct3"]\nspark.sql("DROP TABLE ct3")\nr')

# ---------------------------------------------------------------- read / write
A = "io"
add(A, "parquet_roundtrip", 'people().write.parquet(tmp + "/p")\nspark.read.parquet(tmp + "/p").orderBy("id")')
add(A, "parquet_schema", 'people().write.parquet(tmp + "/p")\nspark.read.parquet(tmp + "/p").dtypes')
add(A, "parquet_all_types", 'import datetime, decimal\ndf = spark.createDataFrame([(1, 2, 3, 4.5, 5.5, decimal.Decimal("6.70"), "s", True, datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 5, 7, 8, 9), bytearray(b"x"), [1], {"k": 1}, (1, "a"))], "a TINYINT, b SMALLINT, c BIGINT, d FLOAT, e DOUBLE, f DECIMAL(5,2), g STRING, h BOOLEAN, i DATE, j TIMESTAMP, k BINARY, l ARRAY<INT>, m MAP<STRING,INT>, n STRUCT<x: INT, y: STRING>")\ndf.write.parquet(tmp + "/t")\nr = spark.read.parquet(tmp + "/t")\n(r.dtypes, r.collect())')
add(A, "parquet_mode_error", 'people().write.parquet(tmp + "/p")\npeople().write.parquet(tmp + "/p")')
add(A, "parquet_mode_append", 'people().write.parquet(tmp + "/p")\npeople().write.mode("append").parquet(tmp + "/p")\nspark.read.parquet(tmp + "/p").count()')
add(A, "parquet_mode_overwrite", 'people().write.parquet(tmp + "/p")\npeople().limit(1).write.mode("overwrite").parquet(tmp + "/p")\nspark.read.parquet(tmp + "/p").count()')
add(A, "parquet_mode_ignore", 'people().limit(1).write.parquet(tmp + "/p")\npeople().write.mode("ignore").parquet(tmp + "/p")\nspark.read.parquet(tmp + "/p").count()')
add(A, "parquet_partitionBy", 'people().write.partitionBy("city").parquet(tmp + "/p")\ndf = spark.read.parquet(tmp + "/p")\n(df.dtypes, df.orderBy("id").collect())')
add(A, "parquet_partition_dirs", 'import os\npeople().write.partitionBy("city").parquet(tmp + "/p")\nsorted(d for d in os.listdir(tmp + "/p") if not d.startswith((".", "_")))')
add(A, "json_write_read", 'people().write.json(tmp + "/j")\ndf = spark.read.json(tmp + "/j")\n(df.dtypes, df.orderBy("id").collect())')
add(A, "json_lines_text", 'import glob\npeople().coalesce(1).orderBy("id").write.json(tmp + "/j")\nopen(glob.glob(tmp + "/j/part-*")[0]).read().splitlines()')
add(A, "json_read_infer", 'open(tmp + "/in.json", "w").write(\'{"a": 1, "b": "x", "c": [1, 2], "d": {"e": 1.5}}\\n{"a": 2, "f": null}\\n\')\ndf = spark.read.json(tmp + "/in.json")\n(df.dtypes, df.orderBy("a").collect())')
add(A, "json_read_schema", 'open(tmp + "/in.json", "w").write(\'{"a": 1, "b": "x"}\\n{"a": "bad"}\\n\')\nspark.read.schema("a INT, b STRING").json(tmp + "/in.json").orderBy("b").collect()')
add(A, "json_corrupt_record", 'open(tmp + "/in.json", "w").write(\'{"a": 1}\\n{oops\\n\')\nspark.read.json(tmp + "/in.json").dtypes')
add(A, "json_multiline", 'open(tmp + "/in.json", "w").write(\'[{"a": 1}, {"a": 2}]\')\nspark.read.option("multiLine", True).json(tmp + "/in.json").orderBy("a").collect()')
add(A, "csv_header_infer", 'open(tmp + "/in.csv", "w").write("a,b,c\\n1,x,2.5\\n2,,\\n")\ndf = spark.read.csv(tmp + "/in.csv", header=True, inferSchema=True)\n(df.dtypes, df.orderBy("a").collect())')
add(A, "csv_no_header", 'open(tmp + "/in.csv", "w").write("1,x\\n2,y\\n")\ndf = spark.read.csv(tmp + "/in.csv")\n(df.dtypes, df.orderBy("_c0").collect())')
add(A, "csv_schema", 'open(tmp + "/in.csv", "w").write("1,x\\nbad,y\\n")\nspark.read.schema("a INT, b STRING").csv(tmp + "/in.csv").orderBy("b").collect()')
add(A, "csv_options", 'open(tmp + "/in.csv", "w").write("a;b\\n1;\\"x;y\\"\\nNA;z\\n")\nspark.read.options(header=True, sep=";", nullValue="NA").csv(tmp + "/in.csv").orderBy("b").collect()')
add(A, "csv_write_read", 'people().write.option("header", True).csv(tmp + "/c")\nspark.read.option("header", True).csv(tmp + "/c").orderBy("id").collect()')
add(A, "csv_write_text", 'import glob\npeople().coalesce(1).orderBy("id").write.csv(tmp + "/c", header=True)\nopen(glob.glob(tmp + "/c/part-*")[0]).read().splitlines()')
add(A, "text_read", 'open(tmp + "/in.txt", "w").write("hello\\nworld\\n")\nspark.read.text(tmp + "/in.txt").orderBy("value")')
add(A, "text_write", 'import glob\nspark.createDataFrame([("a",), ("b",)], "value STRING").coalesce(1).orderBy("value").write.text(tmp + "/t")\nopen(glob.glob(tmp + "/t/part-*")[0]).read().splitlines()')
add(A, "format_load", 'people().write.format("parquet").save(tmp + "/p")\nspark.read.format("parquet").load(tmp + "/p").count()')
add(A, "write_files_layout", 'import os\npeople().coalesce(1).write.parquet(tmp + "/p")\nsorted(f.split("-")[0] if f.startswith("part-") else f for f in os.listdir(tmp + "/p") if not f.startswith("."))')
add(A, "read_missing_path", 'spark.read.parquet(tmp + "/missing").collect()')
add(A, "sql_on_file", 'people().write.parquet(tmp + "/p")\nspark.sql("SELECT count(*) FROM parquet.`" + tmp + "/p`")')
add(A, "orc_roundtrip", 'people().write.orc(tmp + "/o")\nspark.read.orc(tmp + "/o").orderBy("id").collect()')

# ---------------------------------------------------------------- Python UDFs
A = "udf"
add(A, "udf_default_string", 'f = F.udf(lambda x: x * 2)\npeople().select("id", f("id").alias("r")).orderBy("id").limit(2)')
add(A, "udf_default_string_dtypes", 'f = F.udf(lambda x: x * 2)\npeople().select(f("id").alias("r")).dtypes')
add(A, "udf_int", 'f = F.udf(lambda x: x * 2, T.IntegerType())\npeople().select("id", f("id").alias("r")).orderBy("id")')
add(A, "udf_ddl_return", 'f = F.udf(lambda x: [x, x], "array<int>")\npeople().select(f("id").alias("r")).orderBy("r").limit(2)')
add(A, "udf_null_input", 'f = F.udf(lambda x: x is None, "boolean")\npeople().select("id", f("age").alias("r")).orderBy("id")')
add(A, "udf_returns_none", 'f = F.udf(lambda x: None, "int")\nspark.range(2).select(f("id").alias("r")).collect()')
add(A, "udf_wrong_type_null", 'f = F.udf(lambda x: "str", "int")\nspark.range(1).select(f("id").alias("r")).collect()')
add(A, "udf_decorator", '@F.udf(returnType=T.StringType())\ndef up(s):\n    return s.upper() if s else s\npeople().select(up("name").alias("u")).orderBy("u")')
add(A, "udf_register_sql", 'spark.udf.register("plus1", lambda x: x + 1, "int")\nspark.sql("SELECT plus1(41) AS r")')
add(A, "udf_register_default_type", 'spark.udf.register("plus2", lambda x: x + 2)\nspark.sql("SELECT plus2(40) AS r").dtypes')
add(A, "udf_exception", 'f = F.udf(lambda x: 1 // 0, "int")\nspark.range(1).select(f("id")).collect()')
add(A, "udf_multi_args", 'f = F.udf(lambda a, b: f"{a}-{b}", "string")\npeople().select(f("id", "name").alias("r")).orderBy("r").limit(2)')
add(A, "udf_struct_return", 'f = F.udf(lambda x: (x, str(x)), "struct<a: int, b: string>")\nspark.range(1).select(f("id").alias("s")).collect()')
add(A, "udf_header_name", 'f = F.udf(lambda x: x, "long")\nspark.range(1).select(f("id")).columns')
add(A, "pandas_udf_series", 'import pandas as pd\n@F.pandas_udf("long")\ndef add1(s: pd.Series) -> pd.Series:\n    return s + 1\nspark.range(3).select(add1("id").alias("r")).orderBy("r")')
add(A, "pandas_udf_agg", 'import pandas as pd\n@F.pandas_udf("double")\ndef mean_(s: pd.Series) -> float:\n    return s.mean()\nnums().groupBy("g").agg(mean_("k").alias("m")).orderBy("g")')
add(A, "udf_in_filter", 'f = F.udf(lambda x: x % 2 == 0, "boolean")\npeople().filter(f("id")).select("id").orderBy("id")')
add(A, "mapInPandas", 'def f(it):\n    for pdf in it:\n        yield pdf[pdf.id > 2]\npeople().mapInPandas(f, people().schema).orderBy("id").select("id")')
add(A, "applyInPandas", 'def f(pdf):\n    return pdf.assign(v=pdf.v.sum())\nnums().groupBy("g").applyInPandas(f, "k INT, g STRING, v LONG").orderBy("k")')

# ---------------------------------------------------------------- second batch: round trips, edges
A = "io"
add(A, "json_all_types", 'import datetime, decimal\ndf = spark.createDataFrame([(1, 2.5, decimal.Decimal("6.70"), "s", True, datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 5, 7, 8, 9), [1, 2], {"k": 1}, (1, "a"))], "a BIGINT, b DOUBLE, c DECIMAL(5,2), d STRING, e BOOLEAN, f DATE, g TIMESTAMP, h ARRAY<INT>, i MAP<STRING,INT>, j STRUCT<x: INT, y: STRING>")\ndf.write.json(tmp + "/j")\nr = spark.read.json(tmp + "/j")\n(r.dtypes, r.collect())')
add(A, "json_all_types_schema", 'import datetime, decimal\nddl = "a BIGINT, c DECIMAL(5,2), f DATE, g TIMESTAMP, h ARRAY<INT>, i MAP<STRING,INT>"\ndf = spark.createDataFrame([(1, decimal.Decimal("6.70"), datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 5, 7, 8, 9), [1, 2], {"k": 1})], ddl)\ndf.write.json(tmp + "/j")\nspark.read.schema(ddl).json(tmp + "/j").collect()')
add(A, "json_text_types", 'import datetime, decimal, glob\nspark.createDataFrame([(decimal.Decimal("6.70"), datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 5, 7, 8, 9, 5000), 1.0, float("nan"))], "c DECIMAL(5,2), f DATE, g TIMESTAMP, d DOUBLE, n DOUBLE").coalesce(1).write.json(tmp + "/j")\nopen(glob.glob(tmp + "/j/part-*")[0]).read().splitlines()')
add(A, "csv_all_types_text", 'import datetime, decimal, glob\nspark.createDataFrame([(1, 2.5, decimal.Decimal("6.70"), "a,b", True, datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 5, 7, 8, 9), None)], "a INT, b DOUBLE, c DECIMAL(5,2), d STRING, e BOOLEAN, f DATE, g TIMESTAMP, h STRING").coalesce(1).write.csv(tmp + "/c")\nopen(glob.glob(tmp + "/c/part-*")[0]).read().splitlines()')
add(A, "csv_infer_types", 'open(tmp + "/in.csv", "w").write("a,b,c,d,e\\n1,2.5,true,2024-01-05,2024-01-05 07:08:09\\n3000000000,x,false,2024-01-06,2024-01-06 00:00:00\\n")\nspark.read.csv(tmp + "/in.csv", header=True, inferSchema=True).dtypes')
add(A, "orc_all_types", 'import datetime, decimal\ndf = spark.createDataFrame([(1, 2.5, decimal.Decimal("6.70"), "s", True, datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 5, 7, 8, 9), [1], {"k": 1}, (1, "a"))], "a BIGINT, b DOUBLE, c DECIMAL(5,2), d STRING, e BOOLEAN, f DATE, g TIMESTAMP, h ARRAY<INT>, i MAP<STRING,INT>, j STRUCT<x: INT, y: STRING>")\ndf.write.orc(tmp + "/o")\nr = spark.read.orc(tmp + "/o")\n(r.dtypes, r.collect())')
add(A, "parquet_ts_ntz", 'import datetime\nspark.createDataFrame([(datetime.datetime(2024, 1, 5, 7, 8, 9),)], "t TIMESTAMP_NTZ").write.parquet(tmp + "/p")\nr = spark.read.parquet(tmp + "/p")\n(r.dtypes, r.collect())')
add(A, "parquet_read_partition_filter", 'people().write.partitionBy("city").parquet(tmp + "/p")\nspark.read.parquet(tmp + "/p").filter("city = \'SF\'").select("id").orderBy("id").collect()')
add(A, "parquet_partition_int_infer", 'spark.createDataFrame([(1, 10), (2, 20)], "a INT, y INT").write.partitionBy("y").parquet(tmp + "/p")\nspark.read.parquet(tmp + "/p").dtypes')
add(A, "parquet_merge_schema", 'spark.createDataFrame([(1,)], "a INT").write.parquet(tmp + "/p/k=1")\nspark.createDataFrame([(2, "x")], "a INT, b STRING").write.parquet(tmp + "/p/k=2")\nspark.read.option("mergeSchema", True).parquet(tmp + "/p").orderBy("a").collect()')
add(A, "save_mode_errorifexists_text", 'people().write.parquet(tmp + "/p")\ntry:\n    people().write.mode("errorifexists").parquet(tmp + "/p")\nexcept Exception as e:\n    r = type(e).__name__\nr')
add(A, "write_bad_mode", 'people().write.mode("nope").parquet(tmp + "/p")')
add(A, "read_text_wholetext", 'open(tmp + "/in.txt", "w").write("a\\nb\\n")\nspark.read.text(tmp + "/in.txt", wholetext=True).collect()')
add(A, "read_csv_multiple_files", 'open(tmp + "/a.csv", "w").write("x\\n1\\n")\nopen(tmp + "/b.csv", "w").write("x\\n2\\n")\nspark.read.csv([tmp + "/a.csv", tmp + "/b.csv"], header=True).orderBy("x").collect()')

A = "show"
add(A, "n0", 'people().show(0)')
add(A, "negative_and_long", 'spark.createDataFrame([(-1, -2.5, 12345678901234)], "a INT, b DOUBLE, c BIGINT").show()')
add(A, "truncate_false_nested", 'spark.createDataFrame([(["a" * 25], {"k": "v" * 25})], "a ARRAY<STRING>, m MAP<STRING,STRING>").show(truncate=False)')
add(A, "truncate_nested_default", 'spark.createDataFrame([(list(range(10)),)], "a ARRAY<INT>").show()')
add(A, "ts_micros", 'import datetime\nspark.createDataFrame([(datetime.datetime(2024, 1, 5, 7, 8, 9, 123456),)], "t TIMESTAMP").show(truncate=False)')
add(A, "double_formats", 'spark.createDataFrame([(0.1 + 0.2, 1e7, 1.5e-4, 123456789.125, -0.0)], "a DOUBLE, b DOUBLE, c DOUBLE, d DOUBLE, e DOUBLE").show()')
add(A, "decimal_zero_scale", 'spark.sql("SELECT CAST(5 AS DECIMAL(10,0)) a, CAST(0.5 AS DECIMAL(3,3)) b, CAST(-1.25 AS DECIMAL(5,2)) c").show()')
add(A, "interval_show", 'spark.sql("SELECT INTERVAL 3 DAYS a, INTERVAL \'1-2\' YEAR TO MONTH b").show()')
add(A, "vertical_wide_values", 'spark.createDataFrame([("x" * 30, 1)], "a_long_name STRING, b INT").show(vertical=True, truncate=False)')
add(A, "show_null_only_column", 'spark.sql("SELECT NULL AS n, 1 AS one").show()')

A = "window"
add(A, "range_unbounded_current", 'w = Window.partitionBy("g").orderBy("v").rangeBetween(Window.unboundedPreceding, Window.currentRow)\nnums().select("k", F.sum("k").over(w).alias("s")).orderBy("k")')
add(A, "rows_current_following", 'w = Window.orderBy("k").rowsBetween(Window.currentRow, 1)\nnums().select("k", F.collect_list("k").over(w).alias("l")).orderBy("k")')
add(A, "lag_default_offset2", 'w = Window.orderBy("k")\nnums().select("k", F.lag("k", 2, 0).over(w).alias("l")).orderBy("k")')
add(A, "first_ignorenulls_window", 'w = Window.orderBy("k").rowsBetween(Window.unboundedPreceding, Window.currentRow)\nnums().select("k", F.last("v", ignorenulls=True).over(w).alias("l")).orderBy("k")')
add(A, "count_distinct_window_error", 'w = Window.partitionBy("g")\nnums().select(F.countDistinct("v").over(w)).collect()')
add(A, "window_in_sql_named", 'nums().createOrReplaceTempView("n")\nspark.sql("SELECT k, sum(v) OVER w s FROM n WINDOW w AS (PARTITION BY g ORDER BY k) ORDER BY k")')
add(A, "avg_window_dtypes_decimal", 'import decimal\ndf = spark.createDataFrame([(1, decimal.Decimal("1.10")), (1, decimal.Decimal("2.20"))], "g INT, d DECIMAL(5,2)")\ndf.select(F.avg("d").over(Window.partitionBy("g")).alias("a"), F.sum("d").over(Window.partitionBy("g")).alias("s")).dtypes')
add(A, "row_number_no_partition_desc_nulls_last", 'w = Window.orderBy(F.col("v").desc_nulls_last(), "k")\nnums().select("k", F.row_number().over(w).alias("rn")).orderBy("k")')
add(A, "column_over_header", 'w = Window.partitionBy("g").orderBy("k")\nnums().select(F.row_number().over(w)).columns')

A = "udf"
add(A, "udf_map_return", 'f = F.udf(lambda x: {"k": x}, "map<string,long>")\nspark.range(2).select(f("id").alias("m")).orderBy("id").collect()')
add(A, "udf_array_input", 'f = F.udf(lambda a: sum(a), "long")\nspark.createDataFrame([([1, 2, 3],)], "a ARRAY<BIGINT>").select(f("a").alias("s")).collect()')
add(A, "udf_struct_input", 'f = F.udf(lambda r: r.x + len(r.y), "long")\nspark.createDataFrame([((1, "ab"),)], "s STRUCT<x: BIGINT, y: STRING>").select(f("s").alias("n")).collect()')
add(A, "udf_date_io", 'import datetime\nf = F.udf(lambda d: d + datetime.timedelta(days=1), "date")\nspark.createDataFrame([(datetime.date(2024, 2, 28),)], "d DATE").select(f("d").alias("n")).collect()')
add(A, "udf_register_returns_udf", 'u = spark.udf.register("times3", lambda x: x * 3, "long")\nspark.range(2).select(u("id").alias("r")).orderBy("r").collect()')
add(A, "udf_nondeterministic", 'f = F.udf(lambda: 7, "int").asNondeterministic()\nspark.range(1).select(f().alias("r")).collect()')
add(A, "udf_int_overflow_return", 'f = F.udf(lambda x: 2 ** 40, "int")\nspark.range(1).select(f("id").alias("r")).collect()')
add(A, "udf_returns_float_for_int", 'f = F.udf(lambda x: 1.5, "int")\nspark.range(1).select(f("id").alias("r")).collect()')
add(A, "pandas_udf_two_args", 'import pandas as pd\n@F.pandas_udf("double")\ndef mul(a: pd.Series, b: pd.Series) -> pd.Series:\n    return a * b\nspark.createDataFrame([(2, 1.5)], "a INT, b DOUBLE").select(mul("a", "b").alias("r")).collect()')

A = "catalog"
add(A, "global_temp_list", 'people().createOrReplaceGlobalTempView("gv2")\n[t.name for t in spark.catalog.listTables("global_temp") if t.name == "gv2"]')
add(A, "drop_global_temp_view", 'people().createOrReplaceGlobalTempView("gv3")\n(spark.catalog.dropGlobalTempView("gv3"), spark.catalog.dropGlobalTempView("gv3"))')
add(A, "create_database", 'spark.sql("CREATE DATABASE IF NOT EXISTS db1")\nr = sorted(d.name for d in spark.catalog.listDatabases())\nspark.sql("DROP DATABASE db1")\nr')
add(A, "set_current_database", 'spark.sql("CREATE DATABASE IF NOT EXISTS db2")\nspark.catalog.setCurrentDatabase("db2")\nr = spark.catalog.currentDatabase()\nspark.catalog.setCurrentDatabase("default")\nspark.sql("DROP DATABASE db2")\nr')
add(A, "table_in_database", 'spark.sql("CREATE DATABASE IF NOT EXISTS db3")\npeople().write.saveAsTable("db3.t1")\nr = (spark.catalog.tableExists("db3.t1"), spark.table("db3.t1").count())\nspark.sql("DROP TABLE db3.t1")\nspark.sql("DROP DATABASE db3")\nr')
add(A, "saveAsTable_exists_error", 'people().write.saveAsTable("pt2")\ntry:\n    people().write.saveAsTable("pt2")\nfinally:\n    spark.sql("DROP TABLE pt2")')
add(A, "saveAsTable_append", 'people().write.saveAsTable("pt3")\npeople().write.mode("append").saveAsTable("pt3")\nr = spark.table("pt3").count()\nspark.sql("DROP TABLE pt3")\nr')
add(A, "insertInto", 'spark.sql("CREATE TABLE ct4 (a INT, b STRING) USING parquet")\nspark.createDataFrame([(1, "x")], "a INT, b STRING").write.insertInto("ct4")\nr = spark.table("ct4").collect()\nspark.sql("DROP TABLE ct4")\nr')
add(A, "drop_table_if_exists", 'spark.sql("DROP TABLE IF EXISTS no_such_tbl").collect()')
add(A, "cache_table", 'people().createOrReplaceTempView("cv9")\nspark.catalog.cacheTable("cv9")\nr = (spark.catalog.isCached("cv9"), spark.table("cv9").count())\nspark.catalog.uncacheTable("cv9")\nr')

A = "dataframe"
add(A, "toPandas_nullable_int", 'df = people().orderBy("id").toPandas()\n(str(df["age"].dtype), df["age"].tolist()[:3], str(df["id"].dtype))')
add(A, "toArrow_schema", 'str(people().toArrow().schema)')
add(A, "range_partitions", 'spark.range(0, 10, 1, 3).rdd.getNumPartitions()')
add(A, "rdd_glom_range", 'spark.range(0, 6, 1, 3).rdd.map(lambda r: r.id).glom().collect()')
add(A, "createdf_rdd_samplingRatio", 'rdd = spark.sparkContext.parallelize([(1, None), (2, "b")], 2)\nspark.createDataFrame(rdd, ["x", "y"], samplingRatio=1.0).dtypes')
add(A, "createdf_rdd_ddl", 'rdd = spark.sparkContext.parallelize([(1, "a"), (2, "b")], 2)\nspark.createDataFrame(rdd, "x INT, y STRING").orderBy("x").collect()')
add(A, "describe_cols", 'nums().describe("v").collect()')
add(A, "summary_default_rows", '[r.summary for r in nums().select("v").summary().collect()]')
add(A, "persist_storage_level", 'df = people().persist()\n(str(df.storageLevel), df.count())')
add(A, "withColumn_ambiguous_case", 'people().withColumn("ID", F.lit(0)).columns')
add(A, "select_expr_star_except", 'people().selectExpr("* EXCEPT (age, city)").columns')
add(A, "drop_duplicates_within_watermark_absent", 'hasattr(people(), "dropDuplicatesWithinWatermark")')
add(A, "randomSplit_sizes", 'sum(d.count() for d in spark.range(100).randomSplit([0.5, 0.5], seed=1))')
add(A, "sample_seeded_count_bounds", '0 < spark.range(1000).sample(fraction=0.5, seed=3).count() < 1000')
add(A, "explain_extended_prints", 'import io, contextlib\nb = io.StringIO()\nwith contextlib.redirect_stdout(b):\n    people().filter("id > 1").explain(True)\n[line for line in b.getvalue().splitlines() if line.startswith("==")]')

A = "agg"
add(A, "agg_alias_star", 'nums().agg(F.count("*").alias("n"), F.countDistinct("g", "v").alias("d"))')
add(A, "collect_list_order_after_sort", 'nums().orderBy("k").coalesce(1).groupBy("g").agg(F.collect_list("k").alias("l")).orderBy("g")')
add(A, "first_last_group", 'nums().orderBy("k").coalesce(1).groupBy("g").agg(F.first("k").alias("f"), F.last("k").alias("l")).orderBy("g")')
add(A, "agg_decimal_avg_types", 'import decimal\nspark.createDataFrame([(decimal.Decimal("1.10"),), (decimal.Decimal("2.25"),)], "d DECIMAL(10,2)").agg(F.avg("d").alias("a"), F.sum("d").alias("s"), F.max("d").alias("m")).collect()')
add(A, "pivot_no_values_order", 'spark.createDataFrame([("a", "z", 1), ("a", "b", 2)], "p STRING, q STRING, v INT").groupBy("p").pivot("q").sum("v").columns')
add(A, "groupby_no_cols", 'nums().groupBy().sum("v").collect()')
