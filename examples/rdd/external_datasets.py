"""External datasets: write a few text files, read them back as lines (``textFile`` on a
directory) and as whole files (``wholeTextFiles``), save an RDD as text and as pickled
objects, and read both back.

    python examples/rdd/external_datasets.py [DIR] [--master local[2]]

Works in ``DIR`` (a fresh temporary directory by default). Prints what each read returns.
"""

from __future__ import annotations

import argparse
import os
import tempfile

from sparklet import SparkConf, SparkContext

FILES = {"a.txt": "apple\nbanana\n", "b.txt": "cherry\n", "c.txt": "date\nelder\nfig\n"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", nargs="?", default=None)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    base = args.dir or tempfile.mkdtemp(prefix="sparklet-external-")
    inputs = os.path.join(base, "input")
    os.makedirs(inputs, exist_ok=True)
    for name, text in FILES.items():
        with open(os.path.join(inputs, name), "w", encoding="utf-8") as f:
            f.write(text)

    conf = SparkConf().setMaster(args.master).setAppName("PythonExternalDatasets")
    with SparkContext(conf=conf) as sc:
        lines = sc.textFile(inputs)  # a directory, a glob or a comma-separated list
        print("lines:", sorted(lines.collect()))
        print("lines of a*.txt:", sorted(sc.textFile(os.path.join(inputs, "a*.txt")).collect()))
        whole = sc.wholeTextFiles(inputs)  # (path, content) pairs, one per file
        print("files:", sorted((os.path.basename(p), len(t)) for p, t in whole.collect()))

        upper = os.path.join(base, "upper")
        lines.map(str.upper).saveAsTextFile(upper)  # one part-NNNNN file per partition
        print("saved text:", sorted(sc.textFile(upper).collect()))

        pickled = os.path.join(base, "pairs")
        lines.map(lambda s: (s, len(s))).saveAsPickleFile(pickled)
        print("saved pickles:", sorted(sc.pickleFile(pickled).collect()))


if __name__ == "__main__":
    main()
