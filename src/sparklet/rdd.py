"""RDD: a lazily computed, partitioned collection with lineage.

An RDD knows its partitions, its dependencies and how to compute one partition from its
parents; nothing runs until an action asks the scheduler for results. The methods here
are PySpark's, name for name and result for result. This module holds the lineage,
persistence and the transformations; the actions (which run jobs) live in
:mod:`sparklet.actions`, key-value methods in :mod:`sparklet.pairs`, numeric ones in
:mod:`sparklet.numeric`, all mixed in.
"""

from __future__ import annotations

import itertools
import os
import random
import shlex
import sys
from collections.abc import Callable, Iterable, Iterator
from subprocess import PIPE, Popen
from threading import Thread
from typing import Any, Generic, TypeVar

from sparklet.actions import RDDActions
from sparklet.barrier import RDDBarrier  # (pyspark.rdd exports it)
from sparklet.dependency import Dependency, Partition, ShuffleDependency
from sparklet.hadoop import HadoopRDDFunctions
from sparklet.numeric import DoubleRDDFunctions
from sparklet.pairs import PairRDDFunctions
from sparklet.partitioner import portable_hash  # noqa: F401  (pyspark.rdd exports it)
from sparklet.sampler import RDDRangeSampler, RDDSampler
from sparklet.storagelevel import StorageLevel
from sparklet.util import fail_on_stopiteration, flat_map

__all__ = ["RDD"]

T = TypeVar("T")
U = TypeVar("U")

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _call_site() -> str:
    """``method at file:line`` of the user code that created an RDD (for debug strings)."""
    frame = sys._getframe(1)
    method = "RDD"
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR):
            return "%s at %s:%d" % (method, filename, frame.f_lineno)
        if not frame.f_code.co_name.startswith("_"):
            method = frame.f_code.co_name
        frame = frame.f_back
    return method


# PySpark's message for an RDD broadcast or used inside a task (SPARK-5063).
_RDD_IN_TASK = (
    "It appears that you are attempting to broadcast an RDD or reference an RDD from an "
    "action or transformation. RDD transformations and actions can only be invoked by the "
    "driver, not inside of other transformations; for example, "
    "rdd1.map(lambda x: rdd2.values.count() * x) is invalid because the values "
    "transformation and count action cannot be performed inside of the rdd1.map "
    "transformation. For more information, see SPARK-5063.")


def __getattr__(name: str) -> Any:
    # pyspark.rdd exports PipelinedRDD, the class of Python-side transformations' results;
    # here that is MapPartitionsRDD (imported lazily: sparklet.rdds imports this module).
    if name == "PipelinedRDD":
        from sparklet.rdds import MapPartitionsRDD

        return MapPartitionsRDD
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


class RDD(RDDActions, PairRDDFunctions, DoubleRDDFunctions, HadoopRDDFunctions,
          Generic[T]):
    """A Resilient Distributed Dataset, the basic abstraction in Spark.

    >>> from sparklet import SparkContext
    >>> sc = SparkContext.getOrCreate()
    >>> rdd = sc.parallelize(range(10), 3)
    >>> rdd.map(lambda x: x * x).filter(lambda x: x % 2 == 0).collect()
    [0, 4, 16, 36, 64]
    >>> rdd.glom().collect()
    [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]]
    """

    def __init__(self, ctx, deps: list[Dependency]):
        if ctx is None:
            raise RuntimeError(_RDD_IN_TASK)
        self.ctx = ctx
        if not self._lazy_id:
            self._id = ctx._new_rdd_id()
        self._deps = deps
        self.partitioner = None
        self._partitions: list[Partition] | None = None
        self._storage_level = StorageLevel.NONE
        self.is_cached = False
        self.is_checkpointed = False
        self._checkpoint_requested: str | None = None   # "reliable" or "local"
        self._checkpoint_rdd: RDD | None = None
        self._name: str | None = None
        self._creation_site = _call_site()

    # -- lineage ---------------------------------------------------------------------------

    def _get_partitions(self) -> list[Partition]:
        raise NotImplementedError

    def compute(self, split: Partition, context) -> Iterator[T]:
        raise NotImplementedError

    def partitions(self) -> list[Partition]:
        if self._checkpoint_rdd is not None:
            return self._checkpoint_rdd.partitions()
        if self._partitions is None:
            self._partitions = self._get_partitions()
        return self._partitions

    def dependencies(self) -> list[Dependency]:
        if self._checkpoint_rdd is not None:
            from sparklet.dependency import OneToOneDependency

            return [OneToOneDependency(self._checkpoint_rdd)]
        return self._deps

    def iterator(self, split: Partition, context) -> Iterator[T]:
        """Read a partition: from the block store when persisted, else compute it."""
        if self._storage_level != StorageLevel.NONE:
            from sparklet.env import SparkEnv

            env = SparkEnv.get()
            if env is not None:
                return env.block_manager.get_or_compute(self, split, context)
        return self._compute_or_checkpoint(split, context)

    def _compute_or_checkpoint(self, split: Partition, context) -> Iterator[T]:
        if self._checkpoint_rdd is not None:
            return self._checkpoint_rdd.iterator(split, context)
        return self.compute(split, context)

    def _clear_dependencies(self) -> None:
        """Forget the parents once the checkpoint is written (Spark's markCheckpointed).

        Everything is read from the checkpoint from now on; keeping the old lineage would
        keep every RDD, shuffle and cached block before it alive on the driver -- for a
        stateful stream, one more of each every batch, forever.
        """
        from sparklet.dependency import Dependency

        def is_lineage(value) -> bool:
            if isinstance(value, (list, tuple)):
                return bool(value) and all(isinstance(v, (RDD, Dependency)) for v in value)
            return isinstance(value, (RDD, Dependency))

        for name, value in list(self.__dict__.items()):
            if name not in ("ctx", "_checkpoint_rdd") and is_lineage(value):
                self.__dict__[name] = type(value)() if isinstance(value, (list, tuple)) else None
        self._deps = []
        self._partitions = None

    def _transient(self) -> tuple[str, ...]:
        """Attributes that stay on the driver when the lineage is shipped to executors."""
        return ("ctx", "_partitions", "_creation_site")

    def __getstate__(self) -> dict:
        self._id  # an RDD leaves the driver with its id taken  # noqa: B018
        if self._checkpoint_rdd is not None:
            # Checkpointed: executors need only the checkpoint, not the old lineage.
            keep = ("_id", "_checkpoint_rdd", "_storage_level", "partitioner", "_deps")
            state = {k: self.__dict__[k] for k in keep}
            state["_deps"] = []
            return {"__checkpointed__": True, **state}
        drop = self._transient()
        return {k: v for k, v in self.__dict__.items() if k not in drop}

    def __setstate__(self, state: dict) -> None:
        if state.pop("__checkpointed__", False):
            self.__class__ = RDD
        self.__dict__.update(state)
        self.ctx = None
        self._partitions = None

    def __reduce_ex__(self, protocol):
        from sparklet import broadcast

        if getattr(broadcast._dumping, "active", False):
            raise RuntimeError(_RDD_IN_TASK)
        return (object.__new__, (type(self),), self.__getstate__())

    # -- identity and metadata -------------------------------------------------------------

    def id(self) -> int:
        """A unique ID for this RDD (within its SparkContext)."""
        return self._id

    # A chain of narrow transformations is one PipelinedRDD in PySpark, whose id is taken
    # only when the RDD is first used, so ``rdd.map(f).filter(g).id()`` is ``rdd.id() + 1``;
    # RDD classes standing for such a step (MapPartitionsRDD) take their id lazily too.
    _lazy_id = False

    @property
    def _id(self) -> int:
        rdd_id = self.__dict__.get("_id")
        if rdd_id is None:
            rdd_id = self.__dict__["_id"] = self.ctx._new_rdd_id()
        return rdd_id

    @_id.setter
    def _id(self, value: int) -> None:
        self.__dict__["_id"] = value

    @property
    def context(self):
        """The :class:`SparkContext` that this RDD was created on."""
        return self.ctx

    def _class_name(self) -> str:
        return type(self).__name__

    def __getattr__(self, name: str) -> Any:
        # Reached only when normal lookup fails. Name the class PySpark users know ('RDD',
        # or 'PipelinedRDD' for Python-side transformations), not sparklet's internal one:
        # internal names belong in toDebugString.
        from sparklet.rdds import MapPartitionsRDD

        public = "PipelinedRDD" if isinstance(self, MapPartitionsRDD) else "RDD"
        raise AttributeError("'%s' object has no attribute '%s'" % (public, name), name=name,
                             obj=self)

    def __repr__(self) -> str:
        return "%s[%d] at %s" % (self._class_name(), self._id, self._creation_site)

    def name(self) -> str | None:
        """The name of this RDD, if set."""
        return self._name

    def setName(self, name: str) -> RDD[T]:
        """Assign a name to this RDD.

        >>> sc.parallelize([1, 2]).setName('RDD1').name()
        'RDD1'
        """
        self._name = name
        return self

    def getNumPartitions(self) -> int:
        """Number of partitions in this RDD.

        >>> sc.parallelize([1, 2, 3, 4], 2).getNumPartitions()
        2
        """
        return len(self.partitions())

    def toDebugString(self) -> bytes:
        """A description of this RDD and its recursive dependencies, for debugging."""
        lines: list[str] = []

        def describe(rdd: RDD, prefix: str, first_prefix: str) -> None:
            level = rdd.getStorageLevel()
            storage = " [%s]" % level if level != StorageLevel.NONE else " []"
            lines.append("%s(%d) %r%s" % (first_prefix, rdd.getNumPartitions(), rdd, storage))
            for dep in rdd.dependencies():
                if isinstance(dep, ShuffleDependency):
                    describe(dep.rdd, prefix + "   ", prefix + " +-")
                else:
                    describe(dep.rdd, prefix + " |  ", prefix + " |  ")

        describe(self, "", "")
        return "\n".join(lines).encode("utf-8")

    # -- persistence -----------------------------------------------------------------------

    def cache(self) -> RDD[T]:
        """Persist this RDD with the default storage level (MEMORY_ONLY).

        >>> rdd = sc.parallelize(["b", "a", "c"]).cache()
        >>> rdd.is_cached, str(rdd.getStorageLevel())
        (True, 'Memory Serialized 1x Replicated')
        """
        return self.persist(StorageLevel.MEMORY_ONLY)

    def persist(self, storageLevel: StorageLevel = StorageLevel.MEMORY_ONLY) -> RDD[T]:
        """Keep this RDD's partitions after they are first computed.

        >>> from sparklet import StorageLevel
        >>> rdd = sc.parallelize(range(4), 2).persist(StorageLevel.DISK_ONLY)
        >>> rdd.sum(), rdd.getStorageLevel() == StorageLevel.DISK_ONLY
        (6, True)
        >>> _ = rdd.unpersist()
        """
        if (self._storage_level != StorageLevel.NONE and storageLevel != self._storage_level):
            raise ValueError("Cannot change storage level of an RDD after it was already "
                             "assigned a level")
        self.is_cached = True
        self._storage_level = storageLevel
        self.ctx._register_persisted(self)  # its blocks go when it becomes unreachable
        return self

    def unpersist(self, blocking: bool = False) -> RDD[T]:
        """Mark the RDD as non-persistent, and remove all blocks for it."""
        self.is_cached = False
        self._storage_level = StorageLevel.NONE
        self.ctx._unpersist_rdd(self._id)
        return self

    def getStorageLevel(self) -> StorageLevel:
        """The RDD's current storage level.

        >>> print(sc.parallelize([1, 2]).getStorageLevel())
        Serialized 1x Replicated
        """
        return self._storage_level

    def checkpoint(self) -> None:
        """Save this RDD to the checkpoint directory after the next job that computes it,
        and cut its lineage. ``SparkContext.setCheckpointDir`` must be called first."""
        if self.ctx._checkpoint_dir is None:
            raise RuntimeError("Checkpoint directory has not been set in the SparkContext")
        if self._checkpoint_rdd is None:
            self._checkpoint_requested = "reliable"

    def localCheckpoint(self) -> None:
        """Cut lineage using executor-local storage (faster; lost if the app stops)."""
        if self._checkpoint_rdd is None:
            self._checkpoint_requested = "local"

    def isCheckpointed(self) -> bool:
        """Whether this RDD is checkpointed and materialized, reliably or locally."""
        return self._checkpoint_rdd is not None

    def isLocallyCheckpointed(self) -> bool:
        """Whether this RDD is marked for (or materialized by) local checkpointing."""
        return self._checkpoint_requested == "local"

    def getCheckpointFile(self) -> str | None:
        """The directory this RDD was reliably checkpointed to, if it was."""
        if self._checkpoint_rdd is not None and self._checkpoint_requested == "reliable":
            return self._checkpoint_rdd.path  # type: ignore[attr-defined]
        return None

    def cleanShuffleDependencies(self, blocking: bool = False) -> None:
        """Remove the shuffle files of this RDD's direct shuffle dependencies."""
        for dep in self._deps:
            if isinstance(dep, ShuffleDependency):
                self.ctx._cleanup_shuffle(dep.shuffle_id)

    # -- narrow transformations ------------------------------------------------------------

    def mapPartitionsWithIndex(self, f: Callable[[int, Iterable[T]], Iterable[U]],
                               preservesPartitioning: bool = False) -> RDD[U]:
        """Apply ``f(partitionIndex, iterator)`` to each partition.

        >>> def f(split, it): yield split
        >>> sc.parallelize([1, 2, 3, 4], 4).mapPartitionsWithIndex(f).sum()
        6
        """
        from sparklet.rdds import MapPartitionsRDD

        return MapPartitionsRDD(self, fail_on_stopiteration(f, 2), preservesPartitioning)

    def barrier(self):
        """Mark the current stage as a barrier stage: an :class:`RDDBarrier` whose
        ``mapPartitions`` tasks all start together and may synchronise with
        :class:`~sparklet.taskcontext.BarrierTaskContext`.

        >>> sc.parallelize(range(4), 2).barrier().mapPartitions(lambda it: [sum(it)]).collect()
        [1, 5]
        """
        return RDDBarrier(self)

    def mapPartitionsWithSplit(self, f, preservesPartitioning: bool = False) -> RDD[U]:
        """Deprecated alias of :meth:`mapPartitionsWithIndex`."""
        return self.mapPartitionsWithIndex(f, preservesPartitioning)

    def mapPartitions(self, f: Callable[[Iterable[T]], Iterable[U]],
                      preservesPartitioning: bool = False) -> RDD[U]:
        """Apply ``f(iterator)`` to each partition.

        >>> def f(it): yield sum(it)
        >>> sc.parallelize([1, 2, 3, 4], 2).mapPartitions(f).collect()
        [3, 7]
        """
        return self.mapPartitionsWithIndex(lambda _, it: f(it), preservesPartitioning)

    def map(self, f: Callable[[T], U], preservesPartitioning: bool = False) -> RDD[U]:
        """Apply ``f`` to each element.

        >>> sorted(sc.parallelize(["b", "a", "c"]).map(lambda x: (x, 1)).collect())
        [('a', 1), ('b', 1), ('c', 1)]
        """
        return self._element_wise(map, f, preservesPartitioning)

    def flatMap(self, f: Callable[[T], Iterable[U]],
                preservesPartitioning: bool = False) -> RDD[U]:
        """Apply ``f`` to each element and flatten the results.

        >>> sorted(sc.parallelize([2, 3, 4]).flatMap(lambda x: range(1, x)).collect())
        [1, 1, 1, 2, 2, 3]
        """
        return self._element_wise(flat_map, f, preservesPartitioning)

    def filter(self, f: Callable[[T], bool]) -> RDD[T]:
        """Keep the elements satisfying ``f``.

        >>> sc.parallelize([1, 2, 3, 4, 5]).filter(lambda x: x % 2 == 0).collect()
        [2, 4]
        """
        return self._element_wise(filter, f, True)

    def _element_wise(self, apply: Callable, f: Callable,
                      preservesPartitioning: bool) -> RDD:
        # ``apply(f, iterator)`` with builtin iterators over the raw user function: the
        # StopIteration check is per partition (util.pipelined), not a wrapper per element.
        from sparklet.rdds import MapPartitionsRDD

        return MapPartitionsRDD(self, None, preservesPartitioning, steps=((apply, f),))

    def glom(self) -> RDD[list[T]]:
        """Each partition as one list.

        >>> sorted(sc.parallelize([1, 2, 3, 4], 2).glom().collect())
        [[1, 2], [3, 4]]
        """
        return self.mapPartitionsWithIndex(lambda _, it: [list(it)])

    def keyBy(self, f: Callable[[T], Any]) -> RDD[tuple[Any, T]]:
        """Pair each element with the key ``f(element)``.

        >>> sc.parallelize(range(3)).keyBy(lambda x: x * x).collect()
        [(0, 0), (1, 1), (4, 2)]
        """
        return self.map(lambda x: (f(x), x))

    def sample(self, withReplacement: bool, fraction: float, seed: int | None = None) -> RDD[T]:
        """A random sample: each element kept with probability ``fraction`` (or drawn a
        Poisson(fraction) number of times with replacement).

        >>> rdd = sc.parallelize(range(100), 4)
        >>> 6 <= rdd.sample(False, 0.1, 81).count() <= 14
        True
        """
        if not fraction >= 0:
            raise ValueError("Fraction must be nonnegative.")
        return self.mapPartitionsWithIndex(RDDSampler(withReplacement, fraction, seed).func,
                                           True)

    def randomSplit(self, weights: list[float], seed: int | None = None) -> list[RDD[T]]:
        """Split randomly with the given (normalized) weights.

        >>> rdd = sc.parallelize(range(500), 1)
        >>> a, b = rdd.randomSplit([2, 3], 17)
        >>> a.count() + b.count(), sorted(a.collect() + b.collect()) == list(range(500))
        (500, True)
        """
        if not all(w >= 0 for w in weights):
            raise ValueError("Weights must be nonnegative")
        total = float(sum(weights))
        if not total > 0:
            raise ValueError("Sum of weights must be positive")
        bounds = [0.0]
        for w in weights:
            bounds.append(bounds[-1] + w / total)
        if seed is None:
            seed = random.randint(0, 2**32 - 1)
        return [self.mapPartitionsWithIndex(RDDRangeSampler(lb, ub, seed).func, True)
                for lb, ub in zip(bounds, bounds[1:], strict=False)]

    def union(self, other: RDD[U]) -> RDD[T | U]:
        """All elements of both RDDs (duplicates kept).

        >>> rdd = sc.parallelize([1, 1, 2, 3])
        >>> rdd.union(rdd).collect()
        [1, 1, 2, 3, 1, 1, 2, 3]
        """
        return self.ctx.union([self, other])

    def __add__(self, other: RDD[U]) -> RDD[T | U]:
        if not isinstance(other, RDD):
            raise TypeError("unsupported operand type(s) for +: 'RDD' and '%s'"
                            % type(other).__name__)
        return self.union(other)

    def cartesian(self, other: RDD[U]) -> RDD[tuple[T, U]]:
        """All pairs ``(a, b)`` with ``a`` in self and ``b`` in other.

        >>> sorted(sc.parallelize([1, 2]).cartesian(sc.parallelize([1, 2])).collect())
        [(1, 1), (1, 2), (2, 1), (2, 2)]
        """
        from sparklet.rdds import CartesianRDD

        return CartesianRDD(self, other)

    def zip(self, other: RDD[U]) -> RDD[tuple[T, U]]:
        """Pair the i-th elements; both RDDs need the same partition and element counts.

        >>> x = sc.parallelize(range(0, 5))
        >>> y = sc.parallelize(range(1000, 1005))
        >>> x.zip(y).collect()
        [(0, 1000), (1, 1001), (2, 1002), (3, 1003), (4, 1004)]
        """
        from sparklet.rdds import ZippedPartitionsRDD

        return ZippedPartitionsRDD(self, other)

    def zipWithIndex(self) -> RDD[tuple[T, int]]:
        """Pair each element with its index (partition order, then position).

        >>> sc.parallelize(["a", "b", "c", "d"], 3).zipWithIndex().collect()
        [('a', 0), ('b', 1), ('c', 2), ('d', 3)]
        """
        starts = [0]
        if self.getNumPartitions() > 1:
            counts = self.mapPartitions(lambda it: [sum(1 for _ in it)]).collect()
            for n in counts[:-1]:
                starts.append(starts[-1] + n)
        return self.mapPartitionsWithIndex(lambda k, it: zip(it, itertools.count(starts[k])))

    def zipWithUniqueId(self) -> RDD[tuple[T, int]]:
        """Pair each element with a unique id: the k-th element of partition p gets k*n+p.

        >>> sc.parallelize(["a", "b", "c", "d", "e"], 3).zipWithUniqueId().collect()
        [('a', 0), ('b', 1), ('c', 4), ('d', 2), ('e', 5)]
        """
        n = self.getNumPartitions()
        return self.mapPartitionsWithIndex(
            lambda k, it: ((v, i * n + k) for i, v in enumerate(it)))

    def coalesce(self, numPartitions: int, shuffle: bool = False) -> RDD[T]:
        """Reduce the number of partitions, without a shuffle unless ``shuffle=True``.

        >>> sc.parallelize([1, 2, 3, 4, 5], 3).coalesce(1).glom().collect()
        [[1, 2, 3, 4, 5]]
        """
        if not numPartitions > 0:
            raise ValueError("Number of partitions must be positive.")
        if shuffle:
            from sparklet.partitioner import HashPartitioner

            def distribute(index: int, it):
                position = random.Random(index).randrange(numPartitions)
                for x in it:
                    position += 1
                    yield position, x
            shuffled = self._shuffle(self.mapPartitionsWithIndex(distribute),
                                     HashPartitioner(numPartitions))
            return shuffled.values()
        from sparklet.rdds import CoalescedRDD

        return CoalescedRDD(self, numPartitions)

    def repartition(self, numPartitions: int) -> RDD[T]:
        """Exactly ``numPartitions`` partitions, redistributing data with a shuffle.

        >>> sc.parallelize([1, 2, 3, 4, 5, 6, 7], 4).repartition(2).getNumPartitions()
        2
        """
        return self.coalesce(numPartitions, shuffle=True)

    def pipe(self, command: str, env: dict[str, str] | None = None,
             checkCode: bool = False) -> RDD[str]:
        """Pipe each partition through an external command, one element per line.

        >>> sc.parallelize(['1', '2', '', '3']).pipe('cat').collect()
        ['1', '2', '', '3']
        """
        env = {} if env is None else env

        def run(iterator):
            proc = Popen(shlex.split(command), env=env, stdin=PIPE, stdout=PIPE)

            failures: list[BaseException] = []

            def feed(out):
                try:
                    for obj in iterator:
                        out.write((str(obj).rstrip("\n") + "\n").encode("utf-8"))
                except BrokenPipeError:
                    pass  # the command exited without reading all its input: its choice
                except BaseException as e:  # noqa: BLE001 - re-raised in the task below
                    failures.append(e)
                finally:
                    try:
                        out.close()
                    except BrokenPipeError:
                        pass

            Thread(target=feed, args=(proc.stdin,), daemon=True).start()
            for line in iter(proc.stdout.readline, b""):
                yield line.rstrip(b"\n").decode("utf-8")
            proc.wait()
            if failures:  # the parent partition failed: the task fails, not silently short
                raise failures[0]
            if checkCode and proc.returncode:
                raise RuntimeError("Pipe function `%s' exited with error code %d"
                                   % (command, proc.returncode))

        return self.mapPartitions(run)

    def sortBy(self, keyfunc: Callable[[T], Any], ascending: bool = True,
               numPartitions: int | None = None) -> RDD[T]:
        """Sort by ``keyfunc``; stable, and globally ordered across partitions.

        >>> tmp = [('a', 1), ('b', 2), ('1', 3), ('d', 4), ('2', 5)]
        >>> sc.parallelize(tmp).sortBy(lambda x: x[0]).collect()
        [('1', 3), ('2', 5), ('a', 1), ('b', 2), ('d', 4)]
        """
        return self.keyBy(keyfunc).sortByKey(ascending, numPartitions).values()

    def groupBy(self, f: Callable[[T], Any], numPartitions: int | None = None,
                partitionFunc: Callable[[Any], int] | None = None):
        """Group elements by ``f(element)``.

        >>> rdd = sc.parallelize([1, 1, 2, 3, 5, 8])
        >>> sorted((k, sorted(v)) for k, v in rdd.groupBy(lambda x: x % 2).collect())
        [(0, [2, 8]), (1, [1, 1, 3, 5])]
        """
        return self.map(lambda x: (f(x), x)).groupByKey(numPartitions, partitionFunc)

    def distinct(self, numPartitions: int | None = None) -> RDD[T]:
        """The distinct elements.

        >>> sorted(sc.parallelize([1, 1, 2, 3]).distinct().collect())
        [1, 2, 3]
        """
        return (self.map(lambda x: (x, None)).reduceByKey(lambda x, _: x, numPartitions)
                .map(lambda kv: kv[0]))

    def intersection(self, other: RDD[T]) -> RDD[T]:
        """The distinct elements present in both RDDs.

        >>> a = sc.parallelize([1, 10, 2, 3, 4, 5])
        >>> b = sc.parallelize([1, 6, 2, 3, 7, 8])
        >>> sorted(a.intersection(b).collect())
        [1, 2, 3]
        """
        return (self.map(lambda v: (v, None)).cogroup(other.map(lambda v: (v, None)))
                .filter(lambda kv: all(kv[1])).keys())

    def subtract(self, other: RDD[T], numPartitions: int | None = None) -> RDD[T]:
        """Elements of self that are not in other (duplicates in self kept).

        >>> x = sc.parallelize([("a", 1), ("b", 4), ("b", 5), ("a", 3)])
        >>> y = sc.parallelize([("a", 3), ("c", None)])
        >>> sorted(x.subtract(y).collect())
        [('a', 1), ('b', 4), ('b', 5)]
        """
        marked = other.map(lambda x: (x, True))
        return self.map(lambda x: (x, True)).subtractByKey(marked, numPartitions).keys()
