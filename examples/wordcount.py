"""Word count: the RDD programming guide's first example, on the bundled text.

Run:  python examples/wordcount.py [path-or-glob] [--master local[2]]
"""

from __future__ import annotations

import argparse
import os
from operator import add

from sparklet import SparkConf, SparkContext

BUNDLED = os.path.join(os.path.dirname(__import__("sparklet").__file__), "data", "README.txt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default=BUNDLED)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    conf = SparkConf().setMaster(args.master).setAppName("PythonWordCount")
    with SparkContext(conf=conf) as sc:
        lines = sc.textFile(args.path)
        counts = (lines.flatMap(lambda line: line.lower().split())
                  .map(lambda word: (word.strip(".,;:'-?!"), 1))
                  .filter(lambda pair: pair[0])
                  .reduceByKey(add))
        print("%d lines, %d distinct words; the 15 most frequent:" % (
            lines.count(), counts.count()))
        for word, count in counts.takeOrdered(15, key=lambda wc: (-wc[1], wc[0])):
            print("%-12s %d" % (word, count))


if __name__ == "__main__":
    main()
