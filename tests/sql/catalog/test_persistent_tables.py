"""Persistent tables: the warehouse layout Spark uses, a catalog that survives the session
(seen by a second session and by a new process), save modes, partitions, caching, DDL.

Expected values are the rows the tests put in, Spark's documented layout and outputs, and,
where PySpark 4.3 was recorded (``tests/sql_parity/pyspark_results.json``), its messages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("duckdb", reason="sparklet.sql needs the 'sql' extra")

from sparklet.errors import AnalysisException  # noqa: E402
from sparklet.sql import Row, SparkSession  # noqa: E402

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "src"))
PARITY = os.path.join(os.path.dirname(__file__), "..", "..", "sql_parity")
with open(os.path.join(PARITY, "pyspark_results.json")) as f:
    RECORDED = json.load(f)["cases"]


def session(warehouse) -> SparkSession:
    return SparkSession.builder.config("spark.sql.warehouse.dir", str(warehouse)) \
        .config("spark.sql.session.timeZone", "UTC").create()


@pytest.fixture
def spark(tmp_path):
    s = session(tmp_path / "wh")
    yield s
    s.stop()


def people(spark):
    return spark.createDataFrame(
        [(1, "Alice", 34, "NY"), (2, "Bob", None, "SF"), (3, "Cara", 29, None)],
        "id INT, name STRING, age INT, city STRING")


def parquet_files(path):
    return sorted(os.path.relpath(os.path.join(d, f), path) for d, _, fs in os.walk(path)
                  for f in fs if f.endswith(".parquet"))


def test_managed_tables_are_directories_of_parquet_part_files(spark, tmp_path):
    wh = tmp_path / "wh"
    spark.sql("CREATE TABLE t (a INT, b STRING) USING parquet")
    spark.sql("INSERT INTO t VALUES (1, 'x'), (2, 'y')")
    files = parquet_files(wh / "t")
    assert len(files) == 1 and files[0].startswith("part-00000-")
    import pyarrow.parquet as pq

    # plain parquet files, as Spark reads them
    assert pq.read_table(wh / "t" / files[0]).to_pylist() == [{"a": 1, "b": "x"},
                                                                {"a": 2, "b": "y"}]
    spark.sql("CREATE DATABASE db")
    assert (wh / "db.db").is_dir()
    spark.sql("CREATE TABLE db.u USING parquet AS SELECT 7 AS v")
    assert parquet_files(wh / "db.db" / "u")
    spark.sql("DROP TABLE t")
    assert not (wh / "t").exists()
    spark.sql("DROP DATABASE db CASCADE")
    assert not (wh / "db.db").exists()
    # nothing left to remember: the catalog file is gone too
    assert not (wh / "_sparklet_catalog.json").exists()


def test_a_second_session_sees_the_tables_at_once(tmp_path):
    a, b = session(tmp_path / "wh"), session(tmp_path / "wh")
    try:
        a.sql("CREATE TABLE shared (x INT) USING parquet")
        a.sql("INSERT INTO shared VALUES (1), (2)")
        assert b.catalog.tableExists("shared")
        assert b.table("shared").orderBy("x").collect() == [Row(x=1), Row(x=2)]
        b.sql("INSERT INTO shared SELECT 3")
        assert a.sql("SELECT sum(x) AS s FROM shared").collect() == [Row(s=6)]
        b.sql("DROP TABLE shared")
        assert not a.catalog.tableExists("shared")
    finally:
        a.stop()
        b.stop()


def test_tables_survive_the_process(tmp_path):
    wh = tmp_path / "wh"
    first = session(wh)
    first.sql("CREATE DATABASE sales COMMENT 'money'")
    first.sql("CREATE TABLE sales.orders (id INT, amount DOUBLE, day STRING) USING parquet "
              "PARTITIONED BY (day)")
    first.sql("INSERT INTO sales.orders VALUES (1, 2.5, '2024-01-01'), (2, 4.0, '2024-01-02')")
    first.sql("CREATE TABLE kv USING parquet AS SELECT 'k' AS k, 1 AS v")
    first.sql("CREATE VIEW kv_view AS SELECT k FROM kv")
    first.stop()
    program = f"""
import json
from sparklet.sql import SparkSession
spark = SparkSession.builder.config("spark.sql.warehouse.dir", {str(wh)!r}).create()
print(json.dumps({{
    "dbs": [d.name for d in spark.catalog.listDatabases()],
    "tables": [(t.name, t.tableType) for t in spark.catalog.listTables()],
    "orders": [tuple(r) for r in spark.sql(
        "SELECT * FROM sales.orders ORDER BY id").collect()],
    "dtypes": spark.table("sales.orders").dtypes,
    "view": [tuple(r) for r in spark.table("kv_view").collect()],
    "partitions": [r[0] for r in spark.sql("SHOW PARTITIONS sales.orders").collect()],
}}))
"""
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                         check=False, env={**os.environ, "PYTHONPATH": SRC}, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout)
    assert got["dbs"] == ["default", "sales"]
    assert got["tables"] == [["kv", "MANAGED"], ["kv_view", "VIEW"]]
    assert got["orders"] == [[1, 2.5, "2024-01-01"], [2, 4.0, "2024-01-02"]]
    assert got["dtypes"] == [["id", "int"], ["amount", "double"], ["day", "string"]]
    assert got["view"] == [["k"]]
    assert got["partitions"] == ["day=2024-01-01", "day=2024-01-02"]
    # the subprocess left no warehouse in its working directory
    assert not (tmp_path / "spark-warehouse").exists()


def test_save_modes_of_saveAsTable(spark):
    catalog = spark.catalog
    catalog._save_as_table(people(spark), "pt", None, None, None, None)
    with pytest.raises(AnalysisException) as info:
        catalog._save_as_table(people(spark), "pt", None, "errorifexists", None, None)
    want = RECORDED["catalog.saveAsTable_exists_error"]["error"]["message"]
    assert str(info.value) == want.replace("`pt2`", "`pt`")
    catalog._save_as_table(people(spark), "pt", None, "append", None, None)
    assert spark.table("pt").count() == 6
    catalog._save_as_table(people(spark).limit(1), "pt", None, "ignore", None, None)
    assert spark.table("pt").count() == 6
    catalog._save_as_table(people(spark).select("id"), "pt", None, "overwrite", None, None)
    assert spark.table("pt").orderBy("id").collect() == [Row(id=1), Row(id=2), Row(id=3)]
    # a saved table's columns are nullable, as Spark's file source tables are
    assert [c.nullable for c in catalog.listColumns("pt")] == [True]


def test_partitioned_saveAsTable_puts_partition_columns_last(spark, tmp_path):
    spark.catalog._save_as_table(people(spark), "pp", "parquet", "overwrite", ["city"], None)
    dirs = sorted(os.listdir(tmp_path / "wh" / "pp"))
    assert [d for d in dirs if not d.startswith("_")] == [
        "city=NY", "city=SF", "city=__HIVE_DEFAULT_PARTITION__"]
    assert spark.table("pp").columns == ["id", "name", "age", "city"]
    assert spark.sql("SELECT id, city FROM pp ORDER BY id").collect() == [
        Row(id=1, city="NY"), Row(id=2, city="SF"), Row(id=3, city=None)]
    assert [(c.name, c.isPartition) for c in spark.catalog.listColumns("pp")][-1] == \
        ("city", True)


def test_insert_into_static_and_dynamic_partitions(spark):
    spark.sql("CREATE TABLE ev (id INT, kind STRING, day INT) USING parquet "
              "PARTITIONED BY (day)")
    spark.sql("INSERT INTO ev PARTITION (day = 1) VALUES (1, 'a'), (2, 'b')")
    spark.sql("INSERT INTO ev SELECT 3, 'c', 2")
    spark.sql("INSERT OVERWRITE ev PARTITION (day = 1) SELECT 9, 'z'")
    assert spark.sql("SELECT * FROM ev ORDER BY id").collect() == [
        Row(id=3, kind="c", day=2), Row(id=9, kind="z", day=1)]
    spark.sql("INSERT OVERWRITE ev SELECT 5, 'e', 3")
    assert spark.table("ev").collect() == [Row(id=5, kind="e", day=3)]
    with pytest.raises(AnalysisException) as info:
        spark.sql("INSERT INTO ev SELECT 1")
    assert info.value.getCondition() == "INSERT_COLUMN_ARITY_MISMATCH.NOT_ENOUGH_DATA_COLUMNS"


def test_insert_into_by_position_and_column_list(spark):
    spark.sql("CREATE TABLE pos (a INT, b STRING) USING parquet")
    spark.catalog._insert_into(spark.createDataFrame([("x", 1)], "b STRING, a INT")
                               .select("a", "b"), "pos")
    spark.sql("INSERT INTO pos (b, a) VALUES ('y', 2)")
    spark.sql("INSERT INTO pos (a) VALUES (3)")
    assert spark.table("pos").orderBy("a").collect() == [
        Row(a=1, b="x"), Row(a=2, b="y"), Row(a=3, b=None)]


def test_describe_partitioned_table_as_sparks_docs(spark):
    # the example of Spark's DESCRIBE TABLE reference page (sql-ref-syntax-aux-describe-table)
    spark.sql("CREATE TABLE customer (cust_id INT, state STRING, name STRING COMMENT "
              "'Short name') USING parquet PARTITIONED BY (state)")
    spark.sql("INSERT INTO customer PARTITION (state = 'AR') VALUES (100, 'Mike')")
    rows = spark.sql("DESCRIBE TABLE customer").collect()
    assert [tuple(r) for r in rows] == [
        ("cust_id", "int", None), ("name", "string", "Short name"), ("state", "string", None),
        ("# Partition Information", "", ""), ("# col_name", "data_type", "comment"),
        ("state", "string", None)]
    extended = [tuple(r) for r in spark.sql("DESCRIBE EXTENDED customer").collect()]
    assert ("# Detailed Table Information", "", "") in extended
    details = {r[0]: r[1] for r in extended[extended.index(("", "", "")) + 2:]}
    assert details["Database"] == "default" and details["Table"] == "customer"
    assert details["Type"] == "MANAGED" and details["Provider"] == "parquet"
    assert details["Location"].startswith("file:/") and details["Location"].endswith(
        "/customer")
    assert spark.sql("SELECT * FROM customer").collect() == [
        Row(cust_id=100, name="Mike", state="AR")]
    col = spark.sql("DESCRIBE customer name").collect()
    assert [tuple(r) for r in col] == [("col_name", "name"), ("data_type", "string"),
                                       ("comment", "Short name")]


def test_cache_persistent_table(spark):
    spark.sql("CREATE TABLE c (x INT) USING parquet")
    spark.sql("INSERT INTO c VALUES (1)")
    spark.sql("CACHE TABLE c")
    assert spark.catalog.isCached("c")
    spark.sql("INSERT INTO c VALUES (2)")  # a cached table written to is cached again
    assert spark.table("c").count() == 2
    spark.catalog.clearCache()
    assert not spark.catalog.isCached("c")
    spark.sql("CACHE TABLE c2 AS SELECT x * 10 AS y FROM c")
    assert spark.catalog.isCached("c2")
    assert spark.sql("SELECT sum(y) AS s FROM c2").collect()[0].s == 30
    spark.sql("UNCACHE TABLE IF EXISTS nothing_here")


def test_alter_truncate_rename(spark):
    spark.sql("CREATE TABLE al (a INT) USING parquet")
    spark.sql("INSERT INTO al VALUES (1)")
    spark.sql("ALTER TABLE al ADD COLUMNS (b STRING)")
    spark.sql("INSERT INTO al VALUES (2, 'two')")
    assert spark.table("al").orderBy("a").collect() == [Row(a=1, b=None), Row(a=2, b="two")]
    spark.sql("ALTER TABLE al RENAME TO al2")
    assert not spark.catalog.tableExists("al")
    assert spark.table("al2").count() == 2
    spark.sql("TRUNCATE TABLE al2")
    assert spark.table("al2").collect() == []
    assert spark.table("al2").columns == ["a", "b"]


def test_catalog_entries(spark):
    spark.sql("CREATE TABLE e1 (a INT) USING parquet")
    people(spark).createOrReplaceTempView("tv")
    tables = spark.catalog.listTables()
    assert [(t.name, t.namespace, t.tableType, t.isTemporary) for t in tables] == [
        ("e1", ["default"], "MANAGED", False), ("tv", [], "TEMPORARY", True)]
    assert spark.catalog.getTable("e1").catalog == "spark_catalog"
    assert spark.catalog.tableExists("e1", "default")
    assert spark.catalog.tableExists("default.e1")
    assert not spark.catalog.tableExists("e1", "nodb")
    assert spark.catalog.listCatalogs()[0].name == "spark_catalog"
    assert spark.catalog.functionExists("upper")
    with pytest.raises(AnalysisException) as info:
        spark.catalog.setCurrentDatabase("nodb")
    assert info.value.getCondition() == "SCHEMA_NOT_FOUND"
    rows = spark.sql("SHOW TABLES").collect()
    assert rows == [Row(namespace="default", tableName="e1", isTemporary=False),
                    Row(namespace="", tableName="tv", isTemporary=True)]


def test_external_table_and_file_queries(spark, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = tmp_path / "ext"
    data.mkdir()
    pq.write_table(pa.table({"n": pa.array([1, 2], pa.int32())}), data / "part-0.parquet")
    df = spark.catalog.createTable("ext", path=str(data), source="parquet")
    assert df.collect() == [Row(n=1), Row(n=2)]
    assert spark.catalog.getTable("ext").tableType == "EXTERNAL"
    assert spark.sql(f"SELECT sum(n) AS s FROM parquet.`{data}`").collect() == [Row(s=3)]
    spark.sql("DROP TABLE ext")
    assert (data / "part-0.parquet").exists()  # an external table's files stay


def test_global_temp_views_in_sql(spark):
    spark.sql("CREATE GLOBAL TEMPORARY VIEW g AS SELECT 1 AS one")
    assert spark.sql("SELECT one FROM global_temp.g").collect() == [Row(one=1)]
    assert [t.name for t in spark.catalog.listTables("global_temp")] == ["g"]
    spark.sql("DROP VIEW global_temp.g")
    assert spark.catalog.dropGlobalTempView("g") is False


def test_parameters(spark):
    assert spark.sql("SELECT :a * :b AS p", args={"a": 6, "b": 7}).collect() == [Row(p=42)]
    assert spark.sql("SELECT ? || ? AS s", args=["x", "y"]).collect() == [Row(s="xy")]
    with pytest.raises(AnalysisException) as info:
        spark.sql("SELECT :missing")
    assert info.value.getCondition() == "UNBOUND_SQL_PARAMETER"


def test_databases_use_and_show_like(spark):
    # the patterns of Spark's SHOW TABLES reference page: `*` any text, `|` alternatives
    spark.sql("CREATE SCHEMA userdb")
    spark.sql("USE userdb")
    for name in ("sam", "sam1", "suj", "other"):
        spark.sql(f"CREATE TABLE {name} (x INT) USING parquet")
    assert spark.catalog.currentDatabase() == "userdb"
    names = [r.tableName for r in spark.sql("SHOW TABLES LIKE 'sam*|suj'").collect()]
    assert names == ["sam", "sam1", "suj"]
    spark.sql("USE default")
    rows = spark.sql("SHOW TABLES IN userdb LIKE 'sam*'").collect()
    assert rows == [Row(namespace="userdb", tableName="sam", isTemporary=False),
                    Row(namespace="userdb", tableName="sam1", isTemporary=False)]
    assert [r.namespace for r in spark.sql("SHOW DATABASES").collect()] == ["default", "userdb"]
    with pytest.raises(AnalysisException) as info:
        spark.sql("DROP DATABASE userdb")
    assert info.value.getCondition() == "SCHEMA_NOT_EMPTY"
    spark.sql("DROP SCHEMA userdb CASCADE")
    assert not spark.catalog.databaseExists("userdb")


def test_createTable_with_a_schema_is_managed_and_empty(spark, tmp_path):
    from sparklet.sql import types as T

    schema = T.StructType([T.StructField("k", T.StringType()), T.StructField("v", T.LongType())])
    df = spark.catalog.createTable("made", schema=schema)
    assert df.collect() == [] and df.dtypes == [("k", "string"), ("v", "bigint")]
    assert spark.catalog.getTable("made").tableType == "MANAGED"
    assert (tmp_path / "wh" / "made").is_dir()
    spark.sql("INSERT INTO made VALUES ('a', 1)")
    spark.catalog.refreshTable("made")
    spark.catalog.recoverPartitions("made")
    assert spark.table("made").collect() == [Row(k="a", v=1)]
    assert spark.catalog.getFunction("upper").name == "upper"
    with pytest.raises(AnalysisException) as info:
        spark.catalog.refreshTable("not_made")
    assert info.value.getCondition() == "TABLE_OR_VIEW_NOT_FOUND"


def test_direct_queries_of_json_and_csv_files(spark, tmp_path):
    lines = tmp_path / "people.json"
    lines.write_text('{"name": "a", "age": 3}\n{"name": "b", "age": 4}\n')
    # Spark infers JSON integers as bigint and orders the inferred fields by name
    df = spark.sql(f"SELECT * FROM json.`{lines}`")
    assert df.dtypes == [("age", "bigint"), ("name", "string")]
    assert df.orderBy("age").collect() == [Row(age=3, name="a"), Row(age=4, name="b")]
    table = tmp_path / "t.csv"
    table.write_text("1,x\n2,y\n")
    # without options a CSV file is string columns _c0, _c1, ...
    csv = spark.sql(f"SELECT * FROM csv.`{table}`")
    assert csv.dtypes == [("_c0", "string"), ("_c1", "string")]
    assert csv.collect() == [Row(_c0="1", _c1="x"), Row(_c0="2", _c1="y")]
    with pytest.raises(AnalysisException) as info:
        spark.sql(f"SELECT * FROM parquet.`{tmp_path / 'missing'}`")
    assert info.value.getCondition() == "PATH_NOT_FOUND"


def test_partitions_properties_and_views_altered(spark):
    spark.sql("CREATE TABLE pa (a INT, p STRING) USING parquet PARTITIONED BY (p) "
              "TBLPROPERTIES ('owner.team' = 'x')")
    spark.sql("INSERT INTO pa VALUES (1, 'x'), (2, 'y')")
    spark.sql("ALTER TABLE pa DROP PARTITION (p = 'x')")
    assert spark.table("pa").collect() == [Row(a=2, p="y")]
    spark.sql("ALTER TABLE pa SET TBLPROPERTIES ('k' = 'v')")
    assert spark.sql("SHOW TBLPROPERTIES pa").collect() == [
        Row(key="k", value="v"), Row(key="owner.team", value="x")]
    with pytest.raises(AnalysisException) as info:  # parquet (v1) tables cannot drop columns
        spark.sql("ALTER TABLE pa DROP COLUMN a")
    assert info.value.getCondition() == "UNSUPPORTED_FEATURE.TABLE_OPERATION"
    spark.sql("CREATE VIEW va AS SELECT a FROM pa")
    spark.sql("ALTER VIEW va AS SELECT a * 10 AS b FROM pa")
    assert spark.table("va").collect() == [Row(b=20)]
    people(spark).createOrReplaceTempView("tmp_people")
    with pytest.raises(AnalysisException) as info:  # a persistent view outlives temp views
        spark.sql("CREATE VIEW bad AS SELECT * FROM tmp_people")
    assert info.value.getCondition() == "INVALID_TEMP_OBJ_REFERENCE"
