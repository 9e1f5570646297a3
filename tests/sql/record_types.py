"""Records PySpark's answers to the cases in type_cases.py into pyspark_types.json.

Run with a PySpark 4 installation (the DDL cases need a JVM: they start a local session)::

    /work/venv-pyspark/bin/python tests/sql/record_types.py
"""

import json
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import types_eval  # noqa: E402


def main() -> None:
    os.environ["TZ"] = "UTC"  # TimestampType's conversions use the local zone
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    import time

    time.tzset()
    import pyspark
    import pyspark.sql.types as types
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.master("local[1]").appName("record-types").getOrCreate()
    try:
        results = types_eval.evaluate(types, types._parse_datatype_string)
    finally:
        spark.stop()
    results["pyspark_version"] = pyspark.__version__
    out = pathlib.Path(__file__).with_name("pyspark_types.json")
    out.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
