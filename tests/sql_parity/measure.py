"""Start-up and per-query overhead of PySpark, SQLFrame-DuckDB and plain DuckDB.

    /work/venv-pyspark/bin/python measure.py pyspark
    /work/venv-sqlframe/bin/python measure.py sqlframe

Prints JSON: the median import time (fresh interpreters), session start, and for a few tiny
queries the median wall time of one ``collect()``; for SQLFrame also how much of it is
building the SQL text (sqlglot) and how much is DuckDB running that text. Medians over
REPEAT runs, after a warm-up, because the machine is shared and noisy.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

REPEAT = 30
IMPORTS = {
    "pyspark": "import pyspark.sql, pyspark.sql.functions",
    "sqlframe": "import duckdb, sqlframe.duckdb, sqlframe.duckdb.functions",
    "duckdb": "import duckdb",
}


def median_import(stmt: str, n: int = 5) -> float:
    code = f"import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
    runs = [float(subprocess.check_output([sys.executable, "-c", code]).decode().split()[-1])
            for _ in range(n)]
    return round(statistics.median(runs), 4)


def timed(fn, repeat: int = REPEAT) -> float:
    fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return round(statistics.median(runs) * 1000, 3)


def queries(spark, F):
    rows = [(1, "a", 2.0), (2, "b", 3.0), (3, "a", 4.0)]
    df = spark.createDataFrame(rows, "x INT, g STRING, v DOUBLE")
    return {
        "select_1": lambda: spark.sql("SELECT 1 AS r").collect(),
        "filter_select": lambda: df.filter(F.col("x") > 1).select("g").collect(),
        "groupby_agg": lambda: df.groupBy("g").agg(F.sum("v").alias("s")).orderBy("g").collect(),
        "create_and_collect": lambda: spark.createDataFrame([(1, "a")], "x INT, g STRING")
        .collect(),
        "chain_10_withColumn": lambda: _chain(df, F).collect(),
    }


def _chain(df, F):
    for i in range(10):
        df = df.withColumn(f"c{i}", F.col("x") + i)
    return df


def main() -> None:
    engine = sys.argv[1]
    out = {"engine": engine, "import_seconds": median_import(IMPORTS[engine])}
    if engine == "sqlframe":
        out["import_duckdb_alone_seconds"] = median_import(IMPORTS["duckdb"])
        t = time.perf_counter()
        from sqlframe.duckdb import DuckDBSession
        from sqlframe.duckdb import functions as F
        spark = DuckDBSession()
        out["session_seconds"] = round(time.perf_counter() - t, 3)
        out["collect_ms"] = {k: timed(f) for k, f in queries(spark, F).items()}
        # Split one query: sqlglot translation vs DuckDB executing the generated text.
        df = spark.createDataFrame([(1, "a", 2.0), (2, "b", 3.0)], "x INT, g STRING, v DOUBLE")
        q = df.groupBy("g").agg(F.sum("v").alias("s")).orderBy("g")
        sql = q.sql(optimize=False)
        out["groupby_translate_ms"] = timed(lambda: q.sql(optimize=False))
        out["groupby_translate_optimized_ms"] = timed(lambda: q.sql())
        out["groupby_duckdb_exec_ms"] = timed(lambda: spark._conn.execute(sql).fetchall())
        out["groupby_build_plan_ms"] = timed(
            lambda: df.groupBy("g").agg(F.sum("v").alias("s")).orderBy("g"))
        out["schema_ms"] = timed(lambda: q.schema)
        out["sql_text_chars"] = len(sql)
        import duckdb
        import sqlglot
        spark_sql = ("SELECT g, sum(v) AS s FROM t WHERE x > 1 GROUP BY g "
                     "HAVING count(*) > 0 ORDER BY g NULLS LAST")
        out["sqlglot_transpile_spark_to_duckdb_ms"] = timed(
            lambda: sqlglot.transpile(spark_sql, read="spark", write="duckdb"))
        t = time.perf_counter()
        rows = [(i, str(i % 7), float(i)) for i in range(20000)]
        spark.createDataFrame(rows, "x INT, g STRING, v DOUBLE").count()
        out["createDataFrame_20k_rows_literal_seconds"] = round(time.perf_counter() - t, 2)
        import pyarrow as pa
        t = time.perf_counter()
        con_ = spark._conn
        con_.register("big_arrow", pa.table({"x": [r[0] for r in rows], "g": [r[1] for r in rows],
                                             "v": [r[2] for r in rows]}))
        con_.execute("CREATE OR REPLACE VIEW big AS SELECT * FROM big_arrow")
        spark.table("big").count()
        out["createDataFrame_20k_rows_arrow_view_seconds"] = round(time.perf_counter() - t, 3)
        con = duckdb.connect()
        con.execute("CREATE TABLE t AS SELECT * FROM (VALUES (1, 'a', 2.0), (2, 'b', 3.0),"
                    " (3, 'a', 4.0)) t(x, g, v)")
        one = ("SELECT g, sum(v) AS s FROM (SELECT g, v FROM (SELECT * FROM t WHERE x > 1))"
               " GROUP BY g ORDER BY g")
        out["duckdb_one_statement_4_ops_ms"] = timed(lambda: con.execute(one).fetchall())
        out["duckdb_bind_only_ms"] = timed(lambda: con.sql(one).types)
        tb = con.table("t")
        out["duckdb_relational_chain_4_ops_ms"] = timed(
            lambda: tb.filter("x > 1").project("g, v").aggregate("g, sum(v) AS s", "g")
            .order("g").fetchall())
        nested = "SELECT * FROM t"
        for i in range(10):
            nested = f"SELECT *, x + {i} AS c{i} FROM ({nested})"
        out["duckdb_10_nested_selects_ms"] = timed(lambda: con.execute(nested).fetchall())

        def chain10():
            r = tb
            for i in range(10):
                r = r.project(f"*, x + {i} AS c{i}")
            return r.fetchall()
        out["duckdb_relational_10_projects_ms"] = timed(chain10)
        out["duckdb_select_1_ms"] = timed(lambda: con.execute("SELECT 1 AS r").fetchall())
        rel = con.sql("SELECT * FROM (VALUES (1, 'a', 2.0), (2, 'b', 3.0)) t(x, g, v)")
        out["duckdb_relational_groupby_ms"] = timed(
            lambda: rel.aggregate("g, sum(v) AS s", "g").order("g").fetchall())
    else:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        t = time.perf_counter()
        from pyspark.sql import SparkSession
        from pyspark.sql import functions as F
        spark = (SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .config("spark.driver.host", "127.0.0.1")
                 .config("spark.driver.bindAddress", "127.0.0.1")
                 .config("spark.sql.shuffle.partitions", "1").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        out["session_seconds"] = round(time.perf_counter() - t, 3)
        out["collect_ms"] = {k: timed(f, 10) for k, f in queries(spark, F).items()}
        spark.stop()
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
