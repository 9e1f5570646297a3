"""Estimate pi by throwing darts, Spark's Pi example: sample points in the square
[-1, 1] x [-1, 1] and count the share that falls inside the unit circle (pi / 4).

    python examples/rdd/pi.py [partitions] [--seed 42] [--master local[2]]

Sample ``i`` draws from ``random.Random(seed + i)``, so the count does not depend on how
the samples are split into partitions or on the master: the output is the same every run.
"""

from __future__ import annotations

import argparse
import random
from operator import add

from sparklet import SparkConf, SparkContext


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("partitions", nargs="?", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    n = 100000 * args.partitions
    seed = args.seed

    def inside(i: int) -> int:
        rng = random.Random(seed + i)
        x = rng.random() * 2 - 1
        y = rng.random() * 2 - 1
        return 1 if x ** 2 + y ** 2 <= 1 else 0

    conf = SparkConf().setMaster(args.master).setAppName("PythonPi")
    with SparkContext(conf=conf) as sc:
        count = sc.parallelize(range(1, n + 1), args.partitions).map(inside).reduce(add)
        print(f"inside: {count} of {n}")
        print(f"Pi is roughly {4.0 * count / n:f}")


if __name__ == "__main__":
    main()
