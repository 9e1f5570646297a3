"""Line lengths, the guide's first look at transformations and actions: ``map`` each line
of a text file to its length (lazily), then ``reduce`` the lengths to their sum.

    python examples/rdd/line_lengths.py PATH [--master local[2]]

``lineLengths`` is persisted before the first action, so the second action (the longest
line) reads the cached partitions instead of reading and mapping the file again.
"""

from __future__ import annotations

import argparse

from sparklet import SparkConf, SparkContext


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    conf = SparkConf().setMaster(args.master).setAppName("PythonLineLengths")
    with SparkContext(conf=conf) as sc:
        lines = sc.textFile(args.path)               # nothing is read yet
        lineLengths = lines.map(lambda s: len(s))    # nor computed: a transformation
        lineLengths.persist()
        totalLength = lineLengths.reduce(lambda a, b: a + b)  # the action runs the job
        print(f"lines: {lineLengths.count()}")
        print(f"total length: {totalLength}")
        print(f"longest line: {lineLengths.max()}")


if __name__ == "__main__":
    main()
