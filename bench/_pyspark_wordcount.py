"""PySpark side of bench/rdd_wordcount.py; runs inside bench/.venv-pyspark, not the project venv.

It runs in its own interpreter because PySpark (and its JVM) must not be imported into the
process that benchmarks sparklet. It depends only on the standard library, PySpark and
bench/_common.py (itself standard library only), performs the same word count as the sparklet
variant, and writes one JSON document to ``--result``:

    {"import_s": ..., "startup_s": ..., "job_s": [...], "cpu_s": [...], "stop_s": ...,
     "counts": {word: n}}

``cpu_s`` is the CPU time of this driver's whole process tree (the JVM and its Python workers)
per job.

Timings are taken inside the driver so that the JVM launch (part of ``startup_s``) is reported
apart from the job itself, exactly as for sparklet.
"""

from __future__ import annotations

import argparse
import json
import time
from operator import add

import _common as common  # bench/ is this script's directory, so first on sys.path


def parse_args() -> argparse.Namespace:
    """Command line: the parent benchmark passes everything explicitly."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("path", help="text file to count words in")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--result", required=True, help="where to write the JSON result")
    return p.parse_args()


def word_count(sc, path: str) -> list[tuple[str, int]]:
    """The benchmarked job; keep it textually identical to the sparklet variant."""
    return (
        sc.textFile(path)
        .flatMap(lambda line: line.split())
        .map(lambda word: (word, 1))
        .reduceByKey(add)
        .collect()
    )


def main() -> None:
    """Start Spark, run warm-up + timed repeats, stop Spark, write the JSON result."""
    args = parse_args()

    t0 = time.perf_counter()
    from pyspark import SparkConf, SparkContext

    t1 = time.perf_counter()
    conf = (
        SparkConf()
        .setMaster(args.master)
        .setAppName("sparklet-bench-wordcount")
        .set("spark.ui.showConsoleProgress", "false")
        # No web UI and loopback only: nothing to serve, and nothing should leave the machine.
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
    )
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    t2 = time.perf_counter()
    version = sc.version

    result = None
    for _ in range(args.warmup):
        result = word_count(sc, args.path)
    cpu_s: list[float] = []
    job_s, result = common.time_repeats(lambda: word_count(sc, args.path), args.repeat, 0, cpu_s)

    t3 = time.perf_counter()
    sc.stop()
    stop_s = time.perf_counter() - t3

    payload = {
        "pyspark_version": version,
        "import_s": t1 - t0,
        "startup_s": t2 - t1,
        "job_s": job_s,
        "cpu_s": cpu_s,
        "stop_s": stop_s,
        "counts": dict(result or []),
    }
    with open(args.result, "w", encoding="utf-8") as f:
        json.dump(payload, f)


if __name__ == "__main__":
    main()
