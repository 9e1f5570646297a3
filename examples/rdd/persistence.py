"""RDD persistence: the first action computes a persisted RDD's partitions and keeps them;
later actions read them back instead of recomputing the lineage. An accumulator counts how
many times the map function ran, which shows the difference.

    python examples/rdd/persistence.py [N] [--level MEMORY_ONLY] [--master local[2]]

Prints the evaluations after each action, with and without persisting, and the storage
level before and after ``unpersist``.
"""

from __future__ import annotations

import argparse

from sparklet import SparkConf, SparkContext, StorageLevel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--level", default="MEMORY_ONLY",
                        choices=["MEMORY_ONLY", "MEMORY_AND_DISK", "DISK_ONLY"])
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    conf = SparkConf().setMaster(args.master).setAppName("PythonPersistence")
    with SparkContext(conf=conf) as sc:
        evaluations = sc.accumulator(0)

        def square(x: int) -> int:
            evaluations.add(1)
            return x * x

        plain = sc.parallelize(range(args.n), 4).map(square)
        plain.count()
        plain.sum()
        print(f"not persisted, evaluations after two actions: {evaluations.value}")

        evaluations.value = 0
        cached = sc.parallelize(range(args.n), 4).map(square)
        cached.persist(getattr(StorageLevel, args.level))
        print(f"sum: {cached.sum()}")
        print(f"persisted, evaluations after one action: {evaluations.value}")
        print(f"count: {cached.count()}")
        print(f"persisted, evaluations after two actions: {evaluations.value}")
        print(f"storage level: {cached.getStorageLevel()}")
        cached.unpersist()
        print(f"after unpersist: cached={cached.is_cached}, "
              f"level NONE={cached.getStorageLevel() == StorageLevel.NONE}")


if __name__ == "__main__":
    main()
