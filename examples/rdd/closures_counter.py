"""Understanding closures, the guide's counter example: a driver variable changed inside
``foreach`` stays unchanged on the driver, because every task works on its own copy of the
function's closure. An accumulator is the way to add up values from tasks.

    python examples/rdd/closures_counter.py [N] [--master local[2]]

Prints the plain counter (0: the tasks' increments never reach the driver) and the
accumulator's value (the sum of 1..N).
"""

from __future__ import annotations

import argparse

from sparklet import SparkConf, SparkContext

counter = 0


def increment_counter(x: int) -> None:
    # Wrong: this runs in a task, on a copy of the module's globals shipped with the
    # function; the driver's ``counter`` never changes.
    global counter
    counter += x


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", nargs="?", type=int, default=100)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    conf = SparkConf().setMaster(args.master).setAppName("PythonClosures")
    with SparkContext(conf=conf) as sc:
        rdd = sc.parallelize(range(1, args.n + 1), 4)
        rdd.foreach(increment_counter)
        print(f"counter: {counter}")

        # Right: tasks add to their own copy of the accumulator; the driver merges the
        # copies when each task finishes.
        accum = sc.accumulator(0)
        rdd.foreach(lambda x: accum.add(x))
        print(f"accumulator: {accum.value}")


if __name__ == "__main__":
    main()
