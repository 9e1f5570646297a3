"""The Spark SQL guide's getting-started program on sparklet.sql: DataFrames from JSON,
untyped DataFrame operations, SQL over a temporary view, a DataFrame from an RDD of Rows with
its schema inferred, and one with a schema given as a string.

    python examples/sql/basic.py
"""

from __future__ import annotations

import os

from sparklet.sql import Row, SparkSession
from sparklet.sql import functions as F

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    spark = SparkSession.builder.appName("Python Spark SQL basic example").getOrCreate()

    df = spark.read.json(os.path.join(HERE, "people.json"))
    df.show()
    df.printSchema()
    df.select("name").show()
    df.select(df["name"], df["age"] + 1).show()
    df.filter(df["age"] > 21).show()
    df.groupBy("age").count().orderBy(F.col("age").asc_nulls_first()).show()

    df.createOrReplaceTempView("people")
    spark.sql("SELECT * FROM people WHERE age BETWEEN 13 AND 19").show()

    # RDD -> DataFrame, the schema inferred from Rows
    sc = spark.sparkContext
    lines = sc.parallelize(["Michael, 29", "Andy, 30", "Justin, 19"])
    people = lines.map(lambda line: line.split(",")).map(
        lambda p: Row(name=p[0], age=int(p[1].strip())))
    schema_people = spark.createDataFrame(people)
    schema_people.createOrReplaceTempView("people_rdd")
    teenagers = spark.sql("SELECT name FROM people_rdd WHERE age >= 13 AND age <= 19")
    print(teenagers.rdd.map(lambda row: "Name: " + row.name).collect())

    # ... and with the schema given as a DDL string
    typed = spark.createDataFrame(lines.map(lambda line: line.split(", ")),
                                  "name STRING, age STRING")
    typed.withColumn("age", F.col("age").cast("int")).printSchema()

    spark.stop()


if __name__ == "__main__":
    main()
