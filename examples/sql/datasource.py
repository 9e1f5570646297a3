"""The Spark SQL guide's "Data Sources" on sparklet.sql: generic load and save with a format
and options, parquet (partition discovery, schema merging, SQL over a parquet view), JSON
lines and multi-line JSON, CSV with a header and a separator, text, ORC, persistent tables,
generic file source options and SQL run on files directly.

    python examples/sql/datasource.py

Everything is written under a temporary directory the script makes (and removes); each part
prints a ``-- title`` line before its output.

Not shown, as sparklet lacks them: ``bucketBy`` / ``sortBy`` (bucketed tables), the ORC
writer's bloom-filter and dictionary options, the ``modifiedBefore`` / ``modifiedAfter``
and ``ignoreCorruptFiles`` / ``ignoreMissingFiles`` file source options, JDBC, Avro, Hive
tables.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from sparklet.sql import Row, SparkSession

HERE = os.path.dirname(os.path.abspath(__file__))
PEOPLE_JSON = os.path.join(HERE, "people.json")


def section(title: str) -> None:
    print(f"-- {title}")


def generic_load_save(spark: SparkSession, out: str) -> None:
    # a format's short name and the default format (spark.sql.sources.default: parquet)
    people = spark.read.format("json").load(PEOPLE_JSON)
    people.select("name", "age").write.save(os.path.join(out, "names_and_ages.parquet"))
    section("generic load of the default format")
    spark.read.load(os.path.join(out, "names_and_ages.parquet")).show()

    # options are passed through to the format: CSV with a header line and ';' between fields
    people.write.format("csv").option("header", True).option("sep", ";").save(
        os.path.join(out, "people.csv"))
    csv = (spark.read.format("csv").option("sep", ";").option("inferSchema", "true")
           .option("header", "true").load(os.path.join(out, "people.csv")))
    section("CSV with header and sep")
    csv.orderBy("name").show()
    section("CSV schema inferred")
    csv.printSchema()
    # without a header line the columns are _c0, _c1, ... and every value is a string
    section("CSV without header")
    spark.read.csv(os.path.join(out, "people.csv"), sep=";").printSchema()

    section("ORC round trip")
    people.write.orc(os.path.join(out, "people.orc"))
    spark.read.orc(os.path.join(out, "people.orc")).orderBy("name").show()

    # SELECT straight from files: the format is the "database", the path the "table"
    section("SQL on a parquet file")
    spark.sql(f"SELECT name FROM parquet.`{os.path.join(out, 'names_and_ages.parquet')}` "
              "WHERE age IS NOT NULL ORDER BY name").show()


def parquet_files(spark: SparkSession, out: str) -> None:
    people = spark.read.json(PEOPLE_JSON)
    # parquet keeps the schema, so reading it back needs no inference
    people.write.parquet(os.path.join(out, "people.parquet"))
    parquet_file = spark.read.parquet(os.path.join(out, "people.parquet"))
    parquet_file.createOrReplaceTempView("parquetFile")
    teenagers = spark.sql("SELECT name FROM parquetFile WHERE age >= 13 AND age <= 19")
    section("teenagers from parquet")
    teenagers.show()

    # partitionBy writes one key=value directory per value; a read discovers the column
    by_age = os.path.join(out, "people_by_age")
    people.write.partitionBy("age").parquet(by_age)
    section("partition directories")
    for name in sorted(os.listdir(by_age)):
        if os.path.isdir(os.path.join(by_age, name)):
            print(name)
    section("partition discovery schema")
    spark.read.parquet(by_age).printSchema()


def parquet_schema_merging(spark: SparkSession, out: str) -> None:
    sc = spark.sparkContext
    table = os.path.join(out, "test_table")
    squares = spark.createDataFrame(sc.parallelize(range(1, 6))
                                    .map(lambda i: Row(single=i, double=i ** 2)))
    squares.write.parquet(os.path.join(table, "key=1"))
    # another partition with one column more and one column fewer
    cubes = spark.createDataFrame(sc.parallelize(range(6, 11))
                                  .map(lambda i: Row(single=i, triple=i ** 3)))
    cubes.write.parquet(os.path.join(table, "key=2"))

    merged = spark.read.option("mergeSchema", "true").parquet(table)
    section("merged schema")
    merged.printSchema()
    section("merged rows")
    merged.orderBy("single").show()


def json_datasets(spark: SparkSession) -> None:
    people = spark.read.json(PEOPLE_JSON)
    people.createOrReplaceTempView("people")
    section("JSON lines, teenagers")
    spark.sql("SELECT name FROM people WHERE age BETWEEN 13 AND 19").show()

    # a JSON document spread over several lines (here an array of objects) needs multiLine
    path = os.path.join(HERE, "addresses.json")
    addresses = spark.read.option("multiLine", True).json(path)
    section("multi-line JSON schema")
    addresses.printSchema()
    section("multi-line JSON addresses")
    addresses.select("name", "address.city", "address.state").show()

    # JSON strings held in an RDD, one object per string
    strings = spark.sparkContext.parallelize(
        ['{"name": "Zoe", "address": {"city": "Oslo", "state": "Oslo"}}'])
    section("JSON from an RDD of strings")
    spark.read.json(strings).select("name", "address.state").show()


def text_files(spark: SparkSession, out: str) -> None:
    path = os.path.join(out, "people.txt")
    shutil.copy(os.path.join(HERE, "people.txt"), path)
    # each line is one row of a single string column, value
    section("text lines")
    spark.read.text(path).show()
    section("text with lineSep")
    spark.read.text(path, lineSep=",").show()
    section("text as whole files")
    print(repr(spark.read.text(path, wholetext=True).first().value))
    spark.read.text(path).write.text(os.path.join(out, "people_copy"))
    section("text written and read back")
    print(spark.read.text(os.path.join(out, "people_copy")).count())


def generic_file_options(spark: SparkSession, out: str) -> None:
    nested = os.path.join(out, "nested")
    os.makedirs(os.path.join(nested, "dir1", "dir2"))
    spark.createDataFrame([("file1.parquet",)], "file STRING").write.parquet(
        os.path.join(nested, "dir1", "dir2", "data"))
    spark.createDataFrame([("file2.parquet",)], "file STRING").write.parquet(
        os.path.join(nested, "dir1", "data"))
    with open(os.path.join(nested, "dir1", "file3.json"), "w") as f:
        f.write('{"file": "file3.json"}\n')
    # every file under the directory tree whichever its directories' names, here only the
    # parquet ones (file3.json is not parquet)
    section("recursiveFileLookup")
    (spark.read.format("parquet").option("recursiveFileLookup", "true")
     .option("pathGlobFilter", "*.parquet").load(nested).orderBy("file").show())
    # only the files whose name matches the glob
    section("pathGlobFilter")
    spark.read.json(os.path.join(nested, "dir1"), pathGlobFilter="*.json").show()


def persistent_tables(spark: SparkSession) -> None:
    people = spark.read.json(PEOPLE_JSON)
    people.write.saveAsTable("people_table")
    # partitionBy works for tables as for files
    people.write.partitionBy("age").format("parquet").saveAsTable("people_partitioned")
    section("persistent table")
    spark.sql("SELECT name, age FROM people_table WHERE age > 20").show()
    section("tables in the catalog")
    for t in spark.catalog.listTables():
        if t.isTemporary:
            continue
        print(t.name, t.tableType)
    section("partitioned table")
    spark.table("people_partitioned").orderBy("name").show()


def main() -> None:
    out = tempfile.mkdtemp(prefix="sparklet-datasource-")
    try:
        spark = (SparkSession.builder.appName("Python Spark SQL data source example")
                 .config("spark.sql.warehouse.dir", os.path.join(out, "warehouse"))
                 .getOrCreate())
        generic_load_save(spark, out)
        parquet_files(spark, out)
        parquet_schema_merging(spark, out)
        json_datasets(spark)
        text_files(spark, out)
        generic_file_options(spark, out)
        persistent_tables(spark)
        spark.stop()
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
