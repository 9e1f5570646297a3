"""Word count, the RDD guide's running example: split the lines of a text file into words,
pair each word with 1 and add the ones up per word with ``reduceByKey``.

    python examples/rdd/word_count.py PATH [--top N] [--master local[2]]

Prints ``WORD COUNT`` for the ``N`` most frequent words (ties by word), then the totals.
Words are the runs of characters between white space, as ``str.split()`` cuts them.
"""

from __future__ import annotations

import argparse
from operator import add

from sparklet import SparkConf, SparkContext


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    conf = SparkConf().setMaster(args.master).setAppName("PythonWordCount")
    with SparkContext(conf=conf) as sc:
        counts = (sc.textFile(args.path)
                  .flatMap(lambda line: line.split())
                  .map(lambda word: (word, 1))
                  .reduceByKey(add))
        # takeOrdered sorts on the executors and ships only the top N to the driver.
        for word, count in counts.takeOrdered(args.top, key=lambda wc: (-wc[1], wc[0])):
            print(f"{word} {count}")
        print(f"distinct words: {counts.count()}")
        print(f"total words: {counts.values().sum()}")


if __name__ == "__main__":
    main()
