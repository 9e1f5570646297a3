"""RDDs ↔ DataFrames on a real ``local[2]`` SparkContext (the shared ``sc`` fixture):
``createDataFrame(rdd)`` / ``rdd.toDF`` (PySpark's ``_inferSchema``: the first row, then up
to 100 rows while a type is unknown, or a ``samplingRatio`` sample; each partition verified
and converted to Arrow on the executors), and ``df.rdd`` (Rows, ``spark.default.parallelism``
partitions unless ``repartition``/``coalesce`` said otherwise), ``toPandas``, ``toArrow`` and
``toLocalIterator``."""

from __future__ import annotations

import datetime
import decimal
import os

import pytest

from sparklet.errors import PySparkValueError
from sparklet.sql import Row


@pytest.fixture
def session(sc, spark):
    assert spark.sparkContext is sc
    return spark


def test_create_from_rdd_of_tuples_rows_and_values(session, sc):
    rdd = sc.parallelize([(1, "a"), (2, None), (3, "c")], 2)
    df = session.createDataFrame(rdd, ["x", "y"])
    assert df.dtypes == [("x", "bigint"), ("y", "string")]
    assert df.collect() == [Row(x=1, y="a"), Row(x=2, y=None), Row(x=3, y="c")]
    assert rdd.toDF().columns == ["_1", "_2"]
    assert rdd.toDF("x int, y string").dtypes == [("x", "int"), ("y", "string")]
    words = sc.parallelize(["a", "b", "a"], 3).map(lambda w: Row(word=w))
    assert sorted(session.createDataFrame(words).collect()) == [
        Row(word="a"), Row(word="a"), Row(word="b")]
    assert session.createDataFrame(sc.parallelize([1, 2]), "int").collect() == [
        Row(value=1), Row(value=2)]


def test_partitions_are_converted_on_the_executors(session, sc):
    # each partition's conversion runs in an executor process, not in the driver
    pids = sc.parallelize(range(4), 2).mapPartitions(lambda it: [os.getpid()]).collect()
    assert os.getpid() not in pids
    df = session.createDataFrame(sc.parallelize([(i, str(i)) for i in range(100)], 4),
                                 "i INT, s STRING")
    assert df.count() == 100 and df.orderBy("i").first() == Row(i=0, s="0")


def test_inference_reads_more_rows_while_a_type_is_unknown(session, sc):
    rdd = sc.parallelize([(None, 1), (None, 2), ("z", 3)], 2)
    assert rdd.toDF(["a", "b"]).dtypes == [("a", "string"), ("b", "bigint")]
    with pytest.raises(PySparkValueError) as info:
        sc.parallelize([(None,)] * 3).toDF()
    assert str(info.value) == ("[CANNOT_DETERMINE_TYPE] Some of types cannot be determined "
                               "after inferring.")
    with pytest.raises(PySparkValueError) as info:
        sc.parallelize([()]).toDF()
    assert info.value.getCondition() == "CANNOT_INFER_EMPTY_SCHEMA"


def test_sample_ratio_merges_the_sample(session, sc):
    rdd = sc.parallelize([(None,)] * 10 + [(1,)], 2)
    # a ratio of 1 reads every row (no sampling above 0.99), so the long is found
    assert rdd.toDF(["v"], sampleRatio=1.0).dtypes == [("v", "bigint")]
    assert session.createDataFrame(rdd, ["v"], samplingRatio=1.0).count() == 11


def test_rdd_rows_verified_on_the_executors(session, sc):
    with pytest.raises(Exception) as info:
        sc.parallelize([("a",)]).toDF("x int").collect()
    assert ("[FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME] field x: IntegerType() can not accept "
            "object 'a' in type <class 'str'>.") in str(info.value)


def test_df_rdd_partitions(session, sc):
    assert session.range(0, 6, 1, 3).rdd.glom().collect() == [
        [Row(id=0), Row(id=1)], [Row(id=2), Row(id=3)], [Row(id=4), Row(id=5)]]
    df = session.range(10)
    assert df.rdd.getNumPartitions() == sc.defaultParallelism
    assert df.repartition(5).rdd.getNumPartitions() == 5
    assert df.coalesce(1).rdd.getNumPartitions() == 1
    assert df.rdd.map(lambda r: r.id * 2).sum() == 90
    # and back: an RDD of Row to a DataFrame
    again = df.rdd.map(lambda r: Row(id=r.id, sq=r.id * r.id)).toDF()
    assert again.dtypes == [("id", "bigint"), ("sq", "bigint")]
    assert again.orderBy("id").collect()[3] == Row(id=3, sq=9)


def test_to_pandas_dtypes(session):
    df = session.createDataFrame(
        [(1, None, 1.5, True, "x", datetime.datetime(2024, 1, 1, 12), datetime.date(2024, 1, 2),
          decimal.Decimal("1.50"), 7, [1], {"k": 1}, (1, "a"), bytearray(b"z"),
          datetime.timedelta(seconds=3)),
         (2, 3, None, None, None, None, None, None, 8, None, None, None, None, None)],
        "a INT, b INT, f DOUBLE, t BOOLEAN, s STRING, ts TIMESTAMP, d DATE, m DECIMAL(5,2), "
        "l BIGINT, arr ARRAY<INT>, mp MAP<STRING,INT>, st STRUCT<i:INT,j:STRING>, bin BINARY, "
        "iv INTERVAL DAY TO SECOND")
    pdf = df.toPandas()
    assert {k: str(v) for k, v in pdf.dtypes.items()} == {
        "a": "int32", "b": "float64", "f": "float64", "t": "object", "s": "object",
        "ts": "datetime64[ns]", "d": "object", "m": "object", "l": "int64", "arr": "object",
        "mp": "object", "st": "object", "bin": "object", "iv": "timedelta64[ns]"}
    first = pdf.iloc[0]
    assert pdf["b"].isna().tolist() == [True, False]
    assert first["d"] == datetime.date(2024, 1, 2) and first["m"] == decimal.Decimal("1.50")
    assert first["arr"] == [1] and first["mp"] == {"k": 1} and first["st"] == Row(i=1, j="a")
    assert first["bin"] == b"z" and type(first["bin"]) is bytes
    assert str(first["ts"]) == "2024-01-01 12:00:00"
    assert session.createDataFrame([(True,)], "t BOOLEAN").toPandas()["t"].dtype == bool
    empty = session.createDataFrame([], "a INT, s STRING").toPandas()
    assert list(empty.columns) == ["a", "s"] and str(empty["a"].dtype) == "int32"


def test_to_pandas_timestamps_are_naive_in_the_session_time_zone(session):
    instant = datetime.datetime(2024, 6, 1, 12, tzinfo=datetime.UTC)
    df = session.createDataFrame([(instant,)], "ts TIMESTAMP")
    assert str(df.toPandas()["ts"][0]) == "2024-06-01 12:00:00"
    session.conf.set("spark.sql.session.timeZone", "America/Los_Angeles")
    assert str(df.toPandas()["ts"][0]) == "2024-06-01 05:00:00"
    session.conf.set("spark.sql.session.timeZone", "Asia/Kolkata")
    assert str(df.toPandas()["ts"][0]) == "2024-06-01 17:30:00"


def test_to_arrow_keeps_spark_types(session):
    import pyarrow as pa

    df = session.createDataFrame([(1, 2, "x", [1.5], datetime.date(2024, 1, 1))],
                                 "a INT, b TINYINT, s STRING, f ARRAY<FLOAT>, d DATE")
    table = df.toArrow()
    assert table.schema.types == [pa.int32(), pa.int8(), pa.string(), pa.list_(pa.float32()),
                                  pa.date32()]
    assert table.to_pylist() == [{"a": 1, "b": 2, "s": "x", "f": [1.5],
                                  "d": datetime.date(2024, 1, 1)}]
    ts = session.sql("SELECT TIMESTAMP '2024-01-01 00:00:00' AS t").toArrow()
    assert ts.schema.types == [pa.timestamp("us", tz="UTC")]


def test_to_local_iterator(session):
    df = session.range(5)
    it = df.toLocalIterator()
    assert next(it) == Row(id=0)
    assert list(it) == [Row(id=i) for i in range(1, 5)]
