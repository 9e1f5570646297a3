"""Stateful streams: ``updateStateByKey`` (PySpark's) and ``mapWithState`` (Spark's Scala
API, which PySpark never offered).

Each batch's state RDD is built from the previous batch's, so lineage would grow without
bound; both kinds persist their RDDs and checkpoint them every checkpoint interval (by
default the first multiple of the batch interval of at least 10 s for updateStateByKey,
ten batch intervals for mapWithState, as in Spark), which needs
``StreamingContext.checkpoint(directory)``.

State stays in the executors between batches, deserialized (``MEMORY_ONLY_DESER``), one
map per partition (:mod:`sparklet.streaming.statemap`), so a batch reads the previous
batch's state without unpickling it. Once a batch's state block is stored, the previous
batch's block of that partition is released at once rather than after the remember
duration: nothing reads it any more, and were it needed (a lost block recomputed from
lineage) it would be recomputed from its own parents or checkpoint.

Mutation safety: ``mapWithState`` never changes a stored map (a batch adds a layer over
it). ``updateStateByKey``, which rewrites every key's state each batch, takes the previous
block out of the store and updates its map in place, so a batch holds one map and not
two -- but only when nothing else holds it (reference counts tell), and only after every
user call of the batch succeeded; if one raises, the block goes back unchanged and the
task's retry finds it as the first attempt did. Otherwise it builds a new map.

>>> spec = StateSpec.function(lambda key, value, state: (key, value)).numPartitions(4)
>>> spec.getNumPartitions(), spec.getTimeoutInterval()
(4, None)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sparklet.dependency import OneToOneDependency
from sparklet.env import SparkEnv
from sparklet.partitioner import Partitioner, portable_hash
from sparklet.rdd import RDD
from sparklet.storage.blockmanager import rdd_block_id
from sparklet.storagelevel import MEMORY_ONLY_DESER
from sparklet.streaming.dstream import DStream, _num_positional, _rebind_rdd, _to_datetime
from sparklet.streaming.statemap import DEFAULT_DELTA_CHAIN_THRESHOLD, MISSING, PairMap, StateMap

__all__ = ["StateDStream", "StateSpec", "State", "MapWithStateDStream"]


class StateDStream(DStream):
    """``updateStateByKey``: ``func(time, previousState | initialRDD | None, batch)`` gives
    the new state RDD; a batch without an RDD keeps the previous state (PySpark's
    PythonStateDStream)."""

    def __init__(self, parent: DStream, func: Callable, initial_rdd: RDD | None):
        super().__init__(parent._ssc, [parent])
        self.func = func
        self.initial_rdd = initial_rdd
        self._must_checkpoint = True
        self._storage_level = MEMORY_ONLY_DESER

    def _attach(self, ssc) -> None:
        super()._attach(ssc)
        if self.initial_rdd is not None:
            _rebind_rdd(self.initial_rdd, ssc._sc)

    def _compute(self, time_ms: int) -> RDD | None:
        last = self._get_or_compute(time_ms - self._slide_ms)
        rdd = self._parents[0]._get_or_compute(time_ms)
        if rdd is None:
            return last
        previous = last if last is not None else self.initial_rdd
        state = self.func(_to_datetime(time_ms), previous, rdd)
        if last is not None and isinstance(state, UpdateStateRDD) and state.prev is last:
            state.release_prev = True
        elif (last is None and state is not None and state.partitioner is not None
              and not isinstance(state, KeyedStateRDD)):
            # The first state without an initial RDD (groupByKey's pairs, unique keys):
            # held as one map per partition like every later state.
            state = KeyedStateRDD(state)
        return state


def _block_manager():
    """This process's block manager, where a state RDD's blocks live (None outside an
    executor or a driver running tasks)."""
    env = SparkEnv.get()
    return None if env is None else env.block_manager


class _StateBlocks:
    """Block-manager hooks of a state RDD whose partition ``i`` reads partition ``i`` of
    ``self.prev``, the previous batch's state."""

    release_prev = False  # set when ``prev`` is this stream's own previous state RDD

    def _block_stored(self, split, context) -> None:
        """This partition's state is stored: the previous batch's block of it can go."""
        prev = getattr(self, "prev", None)
        if not self.release_prev or prev is None:
            return
        blocks = _block_manager()
        if blocks is not None:
            blocks.remove_block(rdd_block_id(prev.id(), split.index), context)


def _read_state_map(rdd: RDD, split, context) -> dict:
    """Partition ``split`` of a state RDD as ``{key: state}``: the cached map itself when
    there is one (read only), else built from the partition's pairs."""
    if rdd.getStorageLevel().keeps_objects:
        blocks = _block_manager()
        if blocks is not None:
            block = blocks.get_or_compute_block(rdd, split, context)
            if isinstance(block, PairMap):
                return block.map
            return _first_wins(block)
    return _first_wins(rdd.iterator(split, context))


def _first_wins(pairs) -> dict:
    """``{key: first state}`` of (key, state) pairs, keys where they first appear (an
    initial state may hold a key twice; a state RDD never does)."""
    state: dict = {}
    for k, s in pairs:
        if k not in state:
            state[k] = s
    return state


class KeyedStateRDD(_StateBlocks, RDD):
    """A state RDD of (key, state) pairs with unique keys, cached as one :class:`PairMap`
    per partition."""

    def __init__(self, prev: RDD):
        super().__init__(prev.ctx, [OneToOneDependency(prev)])
        self.prev = prev
        self.partitioner = prev.partitioner

    def _get_partitions(self):
        return self.prev.partitions()

    def _state_map(self, split, context) -> dict:
        return dict(self.prev.iterator(split, context))

    def compute(self, split, context) -> Iterator:
        return iter(self._state_map(split, context).items())

    def _block_values(self, split, context) -> PairMap:
        if self._checkpoint_rdd is not None:
            return PairMap(dict(self._checkpoint_rdd.iterator(split, context)))
        return PairMap(self._state_map(split, context))


class UpdateStateRDD(KeyedStateRDD):
    """One batch of ``updateStateByKey``: partition ``i`` is ``update(previous_state_map,
    batch_records)`` over partition ``i`` of the previous state and of the batch (both
    partitioned alike), a new ``{key: state}`` (the previous map is only read)."""

    def __init__(self, prev: RDD, data: RDD, update: Callable[[dict, Iterator, bool], dict]):
        RDD.__init__(self, prev.ctx, [OneToOneDependency(prev), OneToOneDependency(data)])
        self.prev, self.data, self.update = prev, data, update
        self.partitioner = prev.partitioner

    def _get_partitions(self):
        from sparklet.rdds import _ParentsPartition

        return [_ParentsPartition(i, [a, b]) for i, (a, b) in
                enumerate(zip(self.prev.partitions(), self.data.partitions(), strict=True))]

    def _state_map(self, split, context) -> dict:
        prev_split, data_split = split.parents
        records = self.data.iterator(data_split, context)
        owned = self._take_previous(prev_split, context) if self.release_prev else None
        if owned is None:
            return self.update(_read_state_map(self.prev, prev_split, context), records, False)
        block, level = owned
        try:
            return self.update(block.map, records, True)
        except BaseException:
            # The update makes every user call before it changes the map: put it back as
            # it was, for the task's retry.
            _block_manager().put_values(  # type: ignore[union-attr]
                rdd_block_id(self.prev.id(), prev_split.index), block, level, context)
            raise

    def _take_previous(self, prev_split, context) -> tuple[PairMap, Any] | None:
        """The previous batch's state block of this partition, taken out of the block
        store to be updated in place -- one map per partition instead of two while a batch
        runs -- if nothing else holds it; else None (the update builds a new map)."""
        level = self.prev.getStorageLevel()
        if not level.keeps_objects:
            return None
        blocks = _block_manager()
        if blocks is None:
            return None
        block_id = rdd_block_id(self.prev.id(), prev_split.index)
        block = blocks.take_values(block_id, context)
        if block is None:
            return None
        # Once out of the store, only readers that already had it can see it: another task
        # reading the previous state (threads backend, concurrent jobs) or this task's own
        # iterator over it. CPython's reference counts tell: this frame and getrefcount's
        # argument are the only references of an unshared block and, besides the block,
        # of its map.
        if not isinstance(block, PairMap) or sys.getrefcount(block) > 2 \
                or sys.getrefcount(block.map) > 2:
            blocks.put_values(block_id, block, level, context)
            return None
        return block, level


# -- mapWithState --------------------------------------------------------------------------


class State:
    """The state of one key inside a ``mapWithState`` function.

    >>> s = State(); s._wrap(None)
    >>> s.exists(), s.getOption()
    (False, None)
    >>> s.update(3); s.get(), s.isUpdated()
    (3, True)
    >>> s._wrap_timing_out(5); s.isTimingOut()
    True
    >>> s.update(6)
    Traceback (most recent call last):
        ...
    ValueError: requirement failed: Cannot update the state that is timing out
    """

    __slots__ = ("_state", "_defined", "_timing_out", "_updated", "_removed")

    def __init__(self) -> None:
        self._wrap(None, False)

    def _wrap(self, state: Any, defined: bool | None = None) -> None:
        self._state = state
        self._defined = state is not None if defined is None else defined
        self._timing_out = self._updated = self._removed = False

    def _wrap_timing_out(self, state: Any) -> None:
        self._state, self._defined, self._timing_out = state, True, True
        self._updated = self._removed = False

    def exists(self) -> bool:
        """Whether the key has state."""
        return self._defined

    def get(self) -> Any:
        """The state; raises if there is none."""
        if not self._defined:
            raise KeyError("State is not set")
        return self._state

    def getOption(self) -> Any:
        """The state, or None."""
        return self._state if self._defined else None

    def __call__(self) -> Any:
        return self.get()

    def update(self, newState: Any) -> None:
        """Set the key's state (not allowed for a key that is timing out)."""
        if self._removed:
            raise ValueError("requirement failed: Cannot update the state after it has been "
                             "removed")
        if self._timing_out:
            raise ValueError("requirement failed: Cannot update the state that is timing out")
        self._state, self._defined, self._updated = newState, True, True

    def remove(self) -> None:
        """Drop the key's state."""
        if self._timing_out:
            raise ValueError("requirement failed: Cannot remove the state that is timing out")
        if self._removed:
            raise ValueError("requirement failed: Cannot remove the state that has already "
                             "been removed")
        self._defined, self._updated, self._removed = False, False, True

    def isTimingOut(self) -> bool:
        """True when the function is called because the key timed out (value is None)."""
        return self._timing_out

    def isRemoved(self) -> bool:
        return self._removed

    def isUpdated(self) -> bool:
        return self._updated

    def __repr__(self) -> str:
        return f"State({self._state!r})" if self._defined else "State(<none>)"


class StateSpec:
    """What ``mapWithState`` needs: the mapping function and optional initial state,
    partitioning and timeout. Build with ``StateSpec.function(f)``.

    ``f(key, value, state)`` returns the record to emit for every input record; a
    four-argument ``f(time, key, value, state)`` returns the record or None to emit nothing.
    On timeout ``f`` is called with ``value=None`` and ``state.isTimingOut()`` true. As in
    Spark, timed-out keys are found when the state RDD is checkpointed (every checkpoint
    interval: call ``checkpoint(...)`` on the mapped stream to make that more often).
    """

    def __init__(self, func: Callable):
        if _num_positional(func) == 4:
            self._func = func
        elif _num_positional(func) == 3:
            self._func = lambda t, k, v, s: [func(k, v, s)]
        else:
            raise TypeError("The mapping function takes (key, value, state) or "
                            "(time, key, value, state)")
        self._four_args = _num_positional(func) == 4
        self._initial: RDD | Iterable | None = None
        self._num_partitions: int | None = None
        self._partitioner: Partitioner | None = None
        self._timeout_ms: int | None = None

    @staticmethod
    def function(mappingFunction: Callable) -> StateSpec:
        return StateSpec(mappingFunction)

    def initialState(self, rdd: RDD | Iterable) -> StateSpec:
        """Initial (key, state) pairs: an RDD or a local collection."""
        self._initial = rdd
        return self

    def numPartitions(self, numPartitions: int) -> StateSpec:
        self._num_partitions = int(numPartitions)
        self._partitioner = None
        return self

    def partitioner(self, partitioner: Partitioner) -> StateSpec:
        self._partitioner = partitioner
        self._num_partitions = None
        return self

    def timeout(self, idleDuration: float) -> StateSpec:
        """Time a key out after ``idleDuration`` seconds without data."""
        self._timeout_ms = int(idleDuration * 1000)
        return self

    def getNumPartitions(self) -> int | None:
        return self._num_partitions

    def getTimeoutInterval(self) -> float | None:
        return None if self._timeout_ms is None else self._timeout_ms / 1000.0

    def _mapping(self, time_ms: int):
        func = self._func
        if self._four_args:
            t = _to_datetime(time_ms)

            def call(k, v, s):
                out = func(t, k, v, s)
                return () if out is None else (out,)
            return call
        return lambda k, v, s: func(None, k, v, s)


class MapWithStateRDD(_StateBlocks, RDD):
    """One record per partition: ``(state_map, mapped_records)``, where ``state_map`` is a
    :class:`StateMap` of ``key -> state`` (``key -> (state, last_updated_ms)`` with a
    timeout), a layer over the previous state RDD's map holding just the keys this batch
    touched, and the batch's data partition (both partitioned alike)."""

    def __init__(self, prev: RDD, data: RDD, mapping: Callable, time_ms: int,
                 timeout_threshold: int | None,
                 chain_threshold: int = DEFAULT_DELTA_CHAIN_THRESHOLD):
        super().__init__(prev.ctx, [OneToOneDependency(prev), OneToOneDependency(data)])
        self.prev, self.data, self.mapping = prev, data, mapping
        self.time_ms, self.timeout_threshold = time_ms, timeout_threshold
        self.chain_threshold = chain_threshold
        self.partitioner = prev.partitioner
        self.full_scan = False

    def checkpoint(self) -> None:
        super().checkpoint()
        # Spark scans for timed-out keys only in batches whose state RDD is checkpointed.
        self.full_scan = True

    def _get_partitions(self):
        from sparklet.rdds import _ParentsPartition

        return [_ParentsPartition(i, [a, b]) for i, (a, b) in
                enumerate(zip(self.prev.partitions(), self.data.partitions(), strict=True))]

    def compute(self, split, context) -> Iterator:
        prev_split, data_split = split.parents
        previous = next(iter(self.prev.iterator(prev_split, context)), None)
        timed = self.timeout_threshold is not None
        if previous is None:
            state_map = StateMap(timed=timed)
        else:
            state_map = _with_timestamps(previous[0], timed, self.time_ms).child(
                self.chain_threshold)
        mapped: list = []
        call = self.mapping
        state = State()
        now = self.time_ms
        get, put = state_map.get, state_map.put
        for key, value in self.data.iterator(data_split, context):
            old = get(key)
            if old is MISSING:
                state._wrap(None, False)
            else:
                state._wrap(old[0] if timed else old, True)
            mapped.extend(call(key, value, state))
            if state._removed:
                state_map.remove(key)
            elif state._updated or (timed and state._defined):
                put(key, (state._state, now) if timed else state._state)
        if self.full_scan and timed:
            expired = [(k, v) for k, (v, updated) in state_map.items()
                       if updated < self.timeout_threshold]
            for key, value in expired:
                state._wrap_timing_out(value)
                mapped.extend(call(key, None, state))
                state_map.remove(key)
        yield (state_map, mapped)


def _with_timestamps(state_map: StateMap, timed: bool, time_ms: int) -> StateMap:
    """``state_map`` with entries as this spec stores them: a state recovered from a
    checkpoint written without a timeout gains timestamps (now), and loses them when the
    timeout went away."""
    if state_map.timed == timed:
        return state_map
    if timed:
        return StateMap({k: (s, time_ms) for k, s in state_map.items()}, timed=True)
    return StateMap(dict(state_map.states()))


def _state_rdd_from_pairs(pairs: RDD, partitioner: Partitioner, time_ms: int,
                          timed: bool) -> RDD:
    def to_record(it):
        if timed:
            yield (StateMap({k: (s, time_ms) for k, s in it}, timed=True), [])
        else:
            yield (StateMap(dict(it)), [])
    shuffled = pairs.partitionBy(partitioner.numPartitions, partitioner.partitionFunc)
    return shuffled.mapPartitions(to_record, preservesPartitioning=True)


class InternalMapWithStateDStream(DStream):
    """Generates the :class:`MapWithStateRDD` of every batch."""

    def __init__(self, parent: DStream, spec: StateSpec):
        super().__init__(parent._ssc, [parent])
        self.spec = spec
        if spec._partitioner is not None:
            self.partitioner = spec._partitioner
        else:
            n = spec._num_partitions or self._sc.defaultParallelism
            self.partitioner = Partitioner(n, portable_hash)
        self._must_checkpoint = True
        self._storage_level = MEMORY_ONLY_DESER

    def _attach(self, ssc) -> None:
        super()._attach(ssc)
        if isinstance(self.spec._initial, RDD):
            _rebind_rdd(self.spec._initial, ssc._sc)

    def _initialize(self, zero_time: int) -> None:
        if self._checkpoint_duration is None:
            self._checkpoint_duration = self._slide_ms * 10
        super()._initialize(zero_time)

    def _compute(self, time_ms: int) -> RDD | None:
        p = self.partitioner
        timed = self.spec._timeout_ms is not None
        last = prev = self._get_or_compute(time_ms - self._slide_ms)
        if prev is None:
            initial = self.spec._initial
            if initial is None:
                initial = self._sc.emptyRDD()
            elif not isinstance(initial, RDD):
                initial = self._sc.parallelize(initial)
            prev = _state_rdd_from_pairs(initial, p, time_ms, timed)
        elif prev.partitioner != p:
            pairs = prev.flatMap(lambda record: record[0].states())
            prev = _state_rdd_from_pairs(pairs, p, time_ms, timed)
        data = self._parents[0]._get_or_compute(time_ms)
        if data is None:
            data = self._sc.emptyRDD()
        partitioned = data.partitionBy(p.numPartitions, p.partitionFunc)
        threshold = None
        if timed:
            threshold = time_ms - self.spec._timeout_ms
        chain = int(self._sc.getConf().get("spark.streaming.sessionByKey.deltaChainThreshold",
                                           str(DEFAULT_DELTA_CHAIN_THRESHOLD)))
        rdd = MapWithStateRDD(prev, partitioned, self.spec._mapping(time_ms), time_ms,
                              threshold, chain)
        rdd.release_prev = prev is last
        return rdd


class MapWithStateDStream(DStream):
    """The records emitted by the mapping function; ``stateSnapshots()`` gives the state."""

    def __init__(self, parent: DStream, spec: StateSpec):
        internal = InternalMapWithStateDStream(parent, spec)
        super().__init__(parent._ssc, [internal])
        self._internal = internal

    def _compute(self, time_ms: int) -> RDD | None:
        rdd = self._parents[0]._get_or_compute(time_ms)
        if rdd is None:
            return None
        return rdd.flatMap(lambda record: record[1])

    def stateSnapshots(self) -> DStream:
        """Every batch, all (key, state) pairs after the batch."""
        return self._internal.flatMap(lambda record: record[0].states())

    def setName(self, name: str) -> DStream:
        # The internal stream holds the state a checkpoint keys by name: name it too.
        self._internal.setName(f"{name}.state")
        return super().setName(name)

    def checkpoint(self, interval: int) -> DStream:
        # The state stream is the one that builds on itself; checkpoint it.
        self._internal.checkpoint(interval)
        self.is_checkpointed = True
        return self
