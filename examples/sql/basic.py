"""The Spark SQL guide's "Getting Started" on sparklet.sql: a SparkSession, a DataFrame from
JSON, untyped DataFrame operations, SQL over a temporary view and over a global temporary
view, and the two ways to turn an RDD into a DataFrame (the schema inferred from ``Row``
objects, or given programmatically as a ``StructType``).

    python examples/sql/basic.py

Each part prints a ``-- title`` line before its output.

Not shown: the guide reads the global temporary view from ``spark.newSession()`` as well; a
sparklet session is its own DuckDB database, so a new session does not see another
session's ``global_temp`` views.
"""

from __future__ import annotations

import os

from sparklet.sql import Row, SparkSession
from sparklet.sql import functions as F
from sparklet.sql.types import StringType, StructField, StructType

HERE = os.path.dirname(os.path.abspath(__file__))


def section(title: str) -> None:
    print(f"-- {title}")


def dataframe_operations(spark: SparkSession) -> None:
    df = spark.read.json(os.path.join(HERE, "people.json"))
    section("people.json")
    df.show()
    section("schema")
    df.printSchema()
    section("names")
    df.select("name").show()
    section("everybody a year older")
    df.select(df["name"], df["age"] + 1).show()
    section("older than 21")
    df.filter(df["age"] > 21).show()
    section("count by age")
    df.groupBy("age").count().orderBy(F.col("age").asc_nulls_first()).show()

    # a temporary view lives as long as the session that made it
    df.createOrReplaceTempView("people")
    section("SQL over a temporary view")
    spark.sql("SELECT * FROM people WHERE age BETWEEN 13 AND 19").show()

    # a global temporary view is qualified with the reserved database global_temp
    df.createGlobalTempView("people")
    section("SQL over a global temporary view")
    spark.sql("SELECT name, age FROM global_temp.people WHERE age IS NOT NULL "
              "ORDER BY age DESC").show()


def schema_inference(spark: SparkSession) -> None:
    sc = spark.sparkContext
    lines = sc.textFile(os.path.join(HERE, "people.txt"))
    parts = lines.map(lambda line: line.split(","))
    people = parts.map(lambda p: Row(name=p[0], age=int(p[1].strip())))

    # the column names and types come from the Rows
    schema_people = spark.createDataFrame(people)
    schema_people.createOrReplaceTempView("people_rdd")
    teenagers = spark.sql("SELECT name FROM people_rdd WHERE age >= 13 AND age <= 19")
    section("teenagers, schema inferred from Rows")
    for name in teenagers.rdd.map(lambda row: "Name: " + row.name).collect():
        print(name)
    section("inferred schema")
    schema_people.printSchema()


def programmatic_schema(spark: SparkSession) -> None:
    sc = spark.sparkContext
    lines = sc.textFile(os.path.join(HERE, "people.txt"))
    people = lines.map(lambda line: line.split(",")).map(lambda p: (p[0], p[1].strip()))

    # the schema is known only at run time, e.g. read from a string
    schema_string = "name age"
    fields = [StructField(field_name, StringType(), True) for field_name in schema_string.split()]
    schema = StructType(fields)
    schema_people = spark.createDataFrame(people, schema)
    schema_people.createOrReplaceTempView("people_typed")
    section("names, schema given as a StructType")
    spark.sql("SELECT name FROM people_typed").show()

    # the same schema as a DDL string, then a cast of the text column
    typed = spark.createDataFrame(people, "name STRING, age STRING")
    section("age cast to int")
    typed.withColumn("age", F.col("age").cast("int")).printSchema()


def main() -> None:
    spark = (SparkSession.builder
             .appName("Python Spark SQL basic example")
             .config("spark.sql.session.timeZone", "UTC")
             .getOrCreate())
    dataframe_operations(spark)
    schema_inference(spark)
    programmatic_schema(spark)
    spark.stop()


if __name__ == "__main__":
    main()
