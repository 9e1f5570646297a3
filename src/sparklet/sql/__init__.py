"""Spark SQL for sparklet: ``sparklet.sql`` mirrors ``pyspark.sql`` (PySpark 4.x semantics,
ANSI mode on by default), executed by DuckDB through sqlglot. Needs the ``sql`` extra
(``pip install 'sparklet[sql]'``) for everything but the types and ``Row``.

>>> from sparklet.sql import Row, SparkSession
>>> Row(name="Alice", age=11)
Row(name='Alice', age=11)
>>> spark = SparkSession.builder.getOrCreate()
>>> spark.createDataFrame([Row(name="Alice", age=11)]).collect()
[Row(name='Alice', age=11)]
"""

from sparklet.sql.types import Row

__all__ = ["Row", "SparkSession", "DataFrame", "Column", "GroupedData", "Window",
           "WindowSpec", "functions", "types", "Catalog", "DataFrameReader", "DataFrameWriter"]

_LAZY = {
    "SparkSession": ("sparklet.sql.session", "SparkSession"),
    "DataFrame": ("sparklet.sql.dataframe", "DataFrame"),
    "Column": ("sparklet.sql.column", "Column"),
    "GroupedData": ("sparklet.sql.group", "GroupedData"),
    "Window": ("sparklet.sql.window", "Window"),
    "WindowSpec": ("sparklet.sql.window", "WindowSpec"),
    "Catalog": ("sparklet.sql.catalog", "Catalog"),
    "DataFrameReader": ("sparklet.sql.readwriter", "DataFrameReader"),
    "DataFrameWriter": ("sparklet.sql.readwriter", "DataFrameWriter"),
    "SQLContext": ("sparklet.sql.session", "SparkSession"),
}


def __getattr__(name: str):
    # the DataFrame layer imports duckdb, sqlglot and pyarrow: only when asked for, so that
    # ``sparklet.sql.types`` works without the sql extra
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sparklet.sql' has no attribute {name!r}")
