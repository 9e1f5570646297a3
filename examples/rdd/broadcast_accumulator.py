"""Shared variables: a broadcast lookup table, read by every task, and accumulators that
tasks add to and the driver reads.

    python examples/rdd/broadcast_accumulator.py [--master local[2]]

Maps country codes to names through the broadcast table, counting the codes it does not
know with one accumulator and the characters of the known names with another.
"""

from __future__ import annotations

import argparse

from sparklet import SparkConf, SparkContext

NAMES = {"fr": "France", "no": "Norway", "it": "Italy", "jp": "Japan"}
CODES = ["fr", "it", "xx", "no", "fr", "jp", "zz", "it", "fr"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    conf = SparkConf().setMaster(args.master).setAppName("PythonSharedVariables")
    with SparkContext(conf=conf) as sc:
        names = sc.broadcast(NAMES)  # shipped to each executor once, not with every task
        unknown = sc.accumulator(0)
        letters = sc.accumulator(0)

        def lookup(code: str) -> str:
            name = names.value.get(code)
            if name is None:
                unknown.add(1)
                return "?"
            letters.add(len(name))
            return name

        # Updates made in a transformation count each time its stage runs: here once, as
        # one action computes the map. Only updates made in actions (foreach) are
        # guaranteed to count once even when a task is re-run.
        looked_up = sc.parallelize(CODES, 3).map(lookup)
        print("names:", looked_up.collect())
        print(f"unknown codes: {unknown.value}")
        print(f"letters: {letters.value}")
        names.unpersist()  # drop the executors' copies; names.value still works here


if __name__ == "__main__":
    main()
