"""Working with key-value pairs: count how often each line of a text file occurs
(``reduceByKey``), sort the counts by line (``sortByKey``), and join two small pair RDDs.

    python examples/rdd/key_value_pairs.py PATH [--master local[2]]

Prints ``COUNT<TAB>LINE`` for every distinct line in line order, then the join, the
grouped values and the per-key averages of the fixed pairs below, one per line, sorted.
"""

from __future__ import annotations

import argparse

from sparklet import SparkConf, SparkContext

ORDERS = [("alice", 3), ("bob", 5), ("alice", 4), ("carol", 1), ("bob", 2)]
CITIES = [("alice", "Paris"), ("bob", "Oslo"), ("dave", "Rome")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    conf = SparkConf().setMaster(args.master).setAppName("PythonKeyValuePairs")
    with SparkContext(conf=conf) as sc:
        lines = sc.textFile(args.path)
        pairs = lines.map(lambda s: (s, 1))
        counts = pairs.reduceByKey(lambda a, b: a + b)
        for line, count in counts.sortByKey().collect():
            print(f"{count}\t{line}")

        orders = sc.parallelize(ORDERS, 2)
        cities = sc.parallelize(CITIES, 2)
        print("join:", sorted(orders.join(cities).collect()))
        print("groupByKey:", sorted(orders.groupByKey().mapValues(sorted).collect()))
        # (sum, count) per key in one shuffle, then the average: aggregateByKey's pattern.
        sums = orders.aggregateByKey((0, 0), lambda acc, v: (acc[0] + v, acc[1] + 1),
                                     lambda a, b: (a[0] + b[0], a[1] + b[1]))
        print("averages:", sorted(sums.mapValues(lambda sc_: sc_[0] / sc_[1]).collect()))


if __name__ == "__main__":
    main()
