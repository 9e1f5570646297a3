"""``spark.read`` / ``df.write`` (sparklet.sql.readwriter) on a real session: the recorded
``io`` cases run as written for PySpark, and the reader/writer API around them."""

from __future__ import annotations

import gc
import os
import pathlib
import sys

import pytest
from iohelpers import RECORDED, con, utc  # noqa: E402, F401 - fixtures (autouse: utc)

sys.path.insert(0, str(pathlib.Path(__file__).parents[2] / "sql_parity"))

import compare  # noqa: E402
import runner  # noqa: E402

from sparklet.errors import AnalysisException, PySparkTypeError  # noqa: E402
from sparklet.sql import Row, SparkSession  # noqa: E402
from sparklet.sql import functions as F  # noqa: E402
from sparklet.sql import types as T  # noqa: E402
from sparklet.sql.readwriter import DataFrameReader, DataFrameWriter  # noqa: E402


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    # a session of its own, with its warehouse in a temporary directory
    session = (SparkSession.builder.config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("warehouse")))
               .create())
    yield session
    session.stop()


IO_CASES = [c for c in runner.CASES if c["area"] == "io"]


@pytest.mark.parametrize("case", IO_CASES, ids=[c["id"] for c in IO_CASES])
def test_recorded_case(spark, case):
    namespace = {"spark": spark, "F": F, "T": T, "Row": Row}
    got = runner.run_case(case, namespace)
    want = RECORDED[case["id"]]
    assert compare.verdict(want, got) == "match", (got, want)


def test_reader_and_writer_classes(spark):
    assert isinstance(spark.read, DataFrameReader)
    assert isinstance(spark.range(1).write, DataFrameWriter)


def test_reader_options_schema_and_load(spark, tmp_path):
    (tmp_path / "in.csv").write_text("a|b\n1|x\n")
    df = (spark.read.format("csv").option("header", True).options(sep="|")
          .schema("a INT, b STRING").load(str(tmp_path / "in.csv")))
    assert df.dtypes == [("a", "int"), ("b", "string")]
    assert df.collect() == [Row(a=1, b="x")]
    df = spark.read.load(str(tmp_path / "in.csv"), format="csv", header="true", sep="|",
                         inferSchema=True)
    assert df.collect() == [Row(a=1, b="x")] and df.dtypes[0] == ("a", "int")
    schema = T.StructType([T.StructField("a", T.LongType()), T.StructField("b", T.StringType())])
    df = spark.read.csv(str(tmp_path / "in.csv"), sep="|", header=True, schema=schema)
    assert df.dtypes == [("a", "bigint"), ("b", "string")]
    with pytest.raises(PySparkTypeError):
        spark.read.schema(123)
    with pytest.raises(PySparkTypeError):
        spark.read.json(123)


def test_writer_chain_and_default_source(spark, tmp_path):
    df = spark.createDataFrame([(1, "a"), (2, "b"), (3, None)], "i INT, k STRING")
    df.write.mode("overwrite").format("json").partitionBy("k").save(str(tmp_path / "j"))
    assert sorted(os.listdir(tmp_path / "j")) == ["_SUCCESS", "k=__HIVE_DEFAULT_PARTITION__",
                                                  "k=a", "k=b"]
    back = spark.read.json(str(tmp_path / "j"))
    assert back.dtypes == [("i", "bigint"), ("k", "string")]
    assert sorted(back.collect(), key=lambda r: r.i) == [Row(i=1, k="a"), Row(i=2, k="b"),
                                                          Row(i=3, k=None)]
    df.write.save(str(tmp_path / "p"))  # spark.sql.sources.default: parquet
    assert spark.read.load(str(tmp_path / "p")).count() == 3
    df.write.save(str(tmp_path / "p"), mode="append")
    assert spark.read.parquet(str(tmp_path / "p")).count() == 6
    df.write.parquet(str(tmp_path / "p"), mode="ignore")
    assert spark.read.parquet(str(tmp_path / "p")).count() == 6
    with pytest.raises(AnalysisException) as info:
        df.write.mode("nope")
    assert info.value.getCondition() == "INVALID_SAVE_MODE"
    df.write.format("noop").mode("overwrite").save(str(tmp_path / "nothing"))
    assert not (tmp_path / "nothing").exists()


def test_writer_format_methods_options(spark, tmp_path):
    import datetime
    df = spark.createDataFrame([(datetime.datetime(2024, 1, 5, 7, 8, 9), None)],
                               "t TIMESTAMP, s STRING")
    df.write.csv(str(tmp_path / "c"), nullValue="NULL", timestampFormat="yyyy-MM-dd HH:mm",
                 header=True)
    (part,) = (tmp_path / "c").glob("part-*.csv")
    assert part.read_text() == "t,s\n2024-01-05 07:08,NULL\n"
    df.write.json(str(tmp_path / "j"), ignoreNullFields=False, compression="gzip")
    (part,) = (tmp_path / "j").glob("part-*.json.gz")
    import gzip
    assert gzip.decompress(part.read_bytes()) == b'{"t":"2024-01-05T07:08:09.000Z","s":null}\n'
    spark.conf.set("spark.sql.session.timeZone", "America/Los_Angeles")
    try:
        df.write.json(str(tmp_path / "la"))
        (part,) = (tmp_path / "la").glob("part-*.json")
        assert part.read_text() == '{"t":"2024-01-04T23:08:09.000-08:00"}\n'
        back = spark.read.schema("t TIMESTAMP").json(str(tmp_path / "la"))
        assert back.select(F.hour("t")).collect()[0][0] == 23
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")


def test_read_table_and_text_methods(spark, tmp_path):
    spark.createDataFrame([(1,)], "a INT").createOrReplaceTempView("io_rw_view")
    assert spark.read.table("io_rw_view").collect() == [Row(a=1)]
    (tmp_path / "t.txt").write_text("x\ny\n")
    assert spark.read.text(str(tmp_path / "t.txt")).collect() == [Row(value="x"),
                                                                   Row(value="y")]
    spark.createDataFrame([("p",)], "v STRING").write.text(str(tmp_path / "out"))
    assert spark.read.text(str(tmp_path / "out")).collect() == [Row(value="p")]


def test_registered_arrow_tables_go_with_their_frames(spark, tmp_path):
    (tmp_path / "in.json").write_text('{"a": 1}\n')

    def registered() -> set[str]:
        with spark._lock:
            return {r[0] for r in spark._con.sql(
                "SELECT view_name FROM duckdb_views() WHERE view_name LIKE '__sparklet_io_%'"
            ).fetchall()}

    before = registered()
    df = spark.read.json(str(tmp_path / "in.json"))
    assert df.collect() == [Row(a=1)]
    assert len(registered() - before) == 1
    del df
    gc.collect()
    # the session drops collected tables at its next registration (a finalizer may run on a
    # DuckDB thread mid-query, where it must not call DuckDB)
    spark.createDataFrame([(1,)], "a INT")
    assert registered() - before == set()


def test_save_as_table_needs_the_catalog(spark, tmp_path):
    df = spark.createDataFrame([(1,)], "a INT")
    if getattr(spark.catalog, "_save_as_table", None) is None:
        with pytest.raises(NotImplementedError):
            df.write.saveAsTable("io_rw_table")
        with pytest.raises(NotImplementedError):
            df.write.insertInto("io_rw_table")
    else:
        df.write.mode("overwrite").saveAsTable("io_rw_table")
        df.write.insertInto("io_rw_table")
        assert spark.table("io_rw_table").count() == 2
