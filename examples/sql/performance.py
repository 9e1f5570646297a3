"""The Spark SQL guide's "Performance Tuning" on sparklet.sql, the parts that apply: caching
a table or a DataFrame, a broadcast join from the DataFrame API, and the partition count.

    python examples/sql/performance.py

Each part prints a ``-- title`` line before its output.

Not shown, as sparklet lacks them: SQL hints (``/*+ BROADCAST(t) */``, ``MERGE``,
``SHUFFLE_HASH``, ``REPARTITION(n)``, ``COALESCE(n)``, ...) -- sparklet ignores the
partitioning hints and fails on join hints naming an alias -- and adaptive query execution's
settings (DuckDB plans each statement itself). ``repartition(n, col)`` and ``coalesce(n)``
set only the partition count of ``df.rdd``: the rows are not hash-partitioned by the column
(DuckDB, not partitions, runs the query), and ``spark_partition_id`` is missing.
"""

from __future__ import annotations

import os

from sparklet.sql import SparkSession
from sparklet.sql import functions as F

HERE = os.path.dirname(os.path.abspath(__file__))


def section(title: str) -> None:
    print(f"-- {title}")


def caching(spark: SparkSession) -> None:
    employees = spark.read.json(os.path.join(HERE, "employees.json"))
    employees.createOrReplaceTempView("employees")

    # a cached table is computed once and its rows kept for the queries that follow
    spark.catalog.cacheTable("employees")
    section("cached after cacheTable")
    print(spark.catalog.isCached("employees"))
    section("head count per department from the cache")
    spark.sql("SELECT dept, count(*) AS staff FROM employees GROUP BY dept ORDER BY dept").show()
    spark.catalog.uncacheTable("employees")
    section("cached after uncacheTable")
    print(spark.catalog.isCached("employees"))

    # the SQL form: cache the result of a query under a name
    spark.sql("CACHE TABLE sales AS SELECT name, salary FROM employees WHERE dept = 'sales'")
    section("CACHE TABLE ... AS SELECT")
    print(spark.catalog.isCached("sales"))
    spark.sql("SELECT sum(salary) AS payroll FROM sales").show()
    spark.sql("UNCACHE TABLE sales")

    # a DataFrame's cache (memory, spilling to disk) lasts until unpersist
    cached = employees.cache()
    section("DataFrame.cache")
    print(cached.is_cached, cached.count())
    cached.unpersist()


def joins_and_partitions(spark: SparkSession) -> None:
    employees = spark.read.json(os.path.join(HERE, "employees.json"))
    departments = spark.read.json(os.path.join(HERE, "departments.json"))

    # broadcast marks the small side of a join to be sent whole to every task
    section("broadcast join")
    employees.join(F.broadcast(departments), "dept").select("name", "city").orderBy(
        "name").show()

    # the partition count an RDD of the DataFrame's rows gets
    by_dept = employees.repartition(4, "dept")
    section("repartition")
    print(by_dept.rdd.getNumPartitions())
    section("coalesce")
    print(by_dept.coalesce(1).rdd.getNumPartitions())


def main() -> None:
    spark = SparkSession.builder.appName("Python Spark SQL performance example").getOrCreate()
    caching(spark)
    joins_and_partitions(spark)
    spark.stop()


if __name__ == "__main__":
    main()
