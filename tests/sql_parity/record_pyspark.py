"""Record what real PySpark 4.x gives for every program of ``cases.py``.

Run in a throw-away venv that has ``pyspark``, ``pandas`` and ``pyarrow`` (and Java 17 on
the PATH), from this folder::

    python3 -m venv /work/venv-pyspark
    /work/venv-pyspark/bin/pip install pyspark pandas pyarrow
    cd tests/sql_parity && /work/venv-pyspark/bin/python record_pyspark.py

One session, ``local[1]``, loopback only, session time zone UTC (and TZ=UTC for the Python
side, which turns timestamps into naive local datetimes), ANSI mode at PySpark 4's default.
Writes ``pyspark_results.json``. With arguments (case id prefixes, e.g. ``ansi. show.default``)
it runs only the cases whose id starts so and merges them into the existing table.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time


def main() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYTHONHASHSEED"] = "0"
    import pyspark
    import runner
    from pyspark.sql import Row, SparkSession, Window
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    warehouse = tempfile.mkdtemp(prefix="sqlparity-warehouse-")
    conf = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "1",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.sql.warehouse.dir": warehouse,
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={warehouse}",
    }
    builder = SparkSession.builder.master("local[1]").appName("sql-parity")
    for k, v in conf.items():
        builder = builder.config(k, v)
    started = time.perf_counter()
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    startup = time.perf_counter() - started

    def reset():
        spark.conf.set("spark.sql.session.timeZone", "UTC")
        spark.conf.unset("spark.sql.ansi.enabled")

    ns = {"spark": spark, "F": F, "T": T, "Row": Row, "Window": Window}
    only = sys.argv[1:]
    results = runner.run_all(ns, after_each=reset, only=only)
    meta = {"engine": "pyspark", "version": pyspark.__version__, "master": "local[1]",
            "conf": {k: v for k, v in conf.items() if "warehouse" not in k + v},
            "python": sys.version.split()[0], "startup_seconds": round(startup, 2)}
    if only:
        meta.pop("startup_seconds")
    runner.write("pyspark_results.json", meta, results, merge=bool(only))
    spark.stop()


if __name__ == "__main__":
    main()
