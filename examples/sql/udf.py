"""Python functions in Spark SQL on sparklet.sql, after the guide's "Scalar User Defined
Functions", the pandas UDF pages and the window functions of its SQL reference: a Python UDF
on a column and registered for SQL, pandas UDFs (Series to Series, and Series to scalar as a
grouped aggregate, and Iterator of Series to Iterator of Series), a grouped map with
``applyInPandas``, ``mapInPandas``, the Arrow conversions between pandas and DataFrames, and
ranking and aggregate window functions from the DataFrame API and from SQL.

    python examples/sql/udf.py

Each part prints a ``-- title`` line before its output.

Not shown, as sparklet lacks them: a grouped-aggregate pandas UDF used as a window function
(``mean_udf(v).over(w)``), co-grouped maps (``groupBy().cogroup().applyInPandas``), Python
UDTFs (``udtf``) and ``mapInArrow``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pandas as pd

from sparklet.sql import SparkSession, Window
from sparklet.sql import functions as F
from sparklet.sql.functions import pandas_udf, udf

HERE = os.path.dirname(os.path.abspath(__file__))


def section(title: str) -> None:
    print(f"-- {title}")


def python_udfs(spark: SparkSession, employees) -> None:
    # a UDF takes and returns Python values, one row at a time
    name_length = udf(lambda s: len(s), "int")

    @udf(returnType="string")
    def initials(name: str) -> str:
        return name[0].upper() + "."

    section("udf on columns")
    employees.select("name", name_length("name").alias("length"),
                     initials("name").alias("initial")).orderBy("name").show()

    # registered under a name, the function is callable from SQL text
    spark.udf.register("strlen", lambda s: len(s), "int")
    employees.createOrReplaceTempView("employees")
    section("udf registered for SQL")
    spark.sql("SELECT name, strlen(name) AS length FROM employees "
              "WHERE strlen(name) > 4 ORDER BY name").show()


def pandas_udfs(spark: SparkSession, employees) -> None:
    # Series to Series: the function sees a whole batch of values at once
    @pandas_udf("long")
    def bonus(salary: pd.Series) -> pd.Series:
        return salary // 10

    section("pandas_udf Series to Series")
    employees.select("name", "salary", bonus("salary").alias("bonus")).orderBy("name").show()

    # Series to scalar: a grouped aggregate, one value per group
    @pandas_udf("double")
    def mean_salary(salary: pd.Series) -> float:
        return salary.mean()

    section("pandas_udf grouped aggregate")
    employees.groupBy("dept").agg(mean_salary("salary").alias("mean_salary")).orderBy(
        "dept").show()

    # grouped map: each group as a pandas DataFrame, the result rows in the given schema
    def above_dept_mean(pdf: pd.DataFrame) -> pd.DataFrame:
        return pdf.assign(above=pdf.salary - pdf.salary.mean())[["dept", "name", "above"]]

    section("applyInPandas")
    employees.groupBy("dept").applyInPandas(
        above_dept_mean, schema="dept string, name string, above double").orderBy(
        "dept", "name").show()


def arrow_and_pandas(spark: SparkSession, employees) -> None:
    # toPandas and createDataFrame(pandas) go through Arrow
    spark.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
    pdf = employees.select("name", "salary").orderBy("name").toPandas()
    pdf["salary_k"] = pdf["salary"] / 1000
    from_pandas = spark.createDataFrame(pdf)
    section("DataFrame from pandas, schema")
    from_pandas.printSchema()
    section("DataFrame from pandas")
    from_pandas.show()

    # Iterator of Series to Iterator of Series: set-up once, then one call per batch
    @pandas_udf("long")
    def with_raise(batches: Iterator[pd.Series]) -> Iterator[pd.Series]:
        raise_by = 100  # e.g. state loaded once for all batches
        for salary in batches:
            yield salary + raise_by

    section("pandas_udf Iterator of Series")
    employees.select("name", with_raise("salary").alias("raised")).orderBy("name").show()

    # mapInPandas: each batch of rows as a pandas DataFrame, any number of rows out
    def engineers(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pdf in batches:
            yield pdf[pdf.dept == "engineering"][["name", "salary"]]

    section("mapInPandas")
    employees.mapInPandas(engineers, schema="name string, salary long").orderBy("name").show()


def window_functions(spark: SparkSession, employees) -> None:
    # ranking within each department by salary: ties share a rank
    by_salary = Window.partitionBy("dept").orderBy(F.desc("salary"))
    # row_number needs a total order to be deterministic, hence the name
    by_salary_then_name = Window.partitionBy("dept").orderBy(F.desc("salary"), "name")
    section("ranking window functions")
    employees.select(
        "dept", "name", "salary",
        F.rank().over(by_salary).alias("rank"),
        F.dense_rank().over(by_salary).alias("dense_rank"),
        F.row_number().over(by_salary_then_name).alias("row_number"),
    ).orderBy("dept", "row_number").show()

    # the same ranking in SQL: the two best-paid salaries of each department
    section("top salaries per department in SQL")
    spark.sql("""
        SELECT dept, name, salary FROM (
            SELECT dept, name, salary,
                   DENSE_RANK() OVER (PARTITION BY dept ORDER BY salary DESC) AS r
            FROM employees)
        WHERE r <= 2
        ORDER BY dept, salary DESC, name
    """).show()

    # aggregates over a window: a running total within the department and its whole total
    running = by_salary_then_name.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    whole = Window.partitionBy("dept")
    section("aggregate window functions")
    employees.select(
        "dept", "name", "salary",
        F.sum("salary").over(running).alias("running_total"),
        F.sum("salary").over(whole).alias("dept_total"),
    ).orderBy("dept", F.desc("salary"), "name").show()


def main() -> None:
    spark = SparkSession.builder.appName("Python Spark SQL UDF example").getOrCreate()
    employees = spark.read.json(os.path.join(HERE, "employees.json"))
    python_udfs(spark, employees)
    pandas_udfs(spark, employees)
    arrow_and_pandas(spark, employees)
    window_functions(spark, employees)
    spark.stop()


if __name__ == "__main__":
    main()
