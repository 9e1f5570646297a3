"""Run the programs of ``cases.py`` on SQLFrame's DuckDB engine and compare with PySpark.

Run in a throw-away venv with ``sqlframe[duckdb]``, ``pandas`` and ``pyarrow``, from this
folder, after ``record_pyspark.py`` has written ``pyspark_results.json``::

    python3 -m venv /work/venv-sqlframe
    /work/venv-sqlframe/bin/pip install 'sqlframe[duckdb]' pandas pyarrow
    cd tests/sql_parity && /work/venv-sqlframe/bin/python record_sqlframe.py

``sqlframe.activate("duckdb")`` makes the programs' own ``pyspark.sql`` imports resolve to
SQLFrame, so the very same text runs. Writes ``sqlframe_results.json`` (arguments: case id
prefixes to re-run and merge) and prints the match summary of ``compare.py``.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
import time


def main() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    started = time.perf_counter()
    import duckdb
    import sqlframe

    sqlframe.activate("duckdb", config={"spark.sql.session.timeZone": "UTC"})
    from pyspark.sql import Row, SparkSession, Window
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    import_seconds = time.perf_counter() - started
    spark = SparkSession.builder.getOrCreate()

    import compare
    import runner

    ns = {"spark": spark, "F": F, "T": T, "Row": Row, "Window": Window}
    only = sys.argv[1:]
    results = runner.run_all(ns, only=only)
    meta = {"engine": "sqlframe-duckdb", "version": importlib.metadata.version("sqlframe"),
            "duckdb": duckdb.__version__, "python": sys.version.split()[0],
            "import_seconds": round(import_seconds, 2)}
    out = "sqlframe_results.json"
    runner.write(out, meta, results, merge=bool(only))
    if os.path.exists("pyspark_results.json"):
        print(compare.summary_markdown(compare.compare_files("pyspark_results.json", out)))


if __name__ == "__main__":
    main()
