"""How stateful streams hold their state between batches, as blocks of the block manager.

``updateStateByKey`` keeps one partition's state as a :class:`PairMap`: a plain dict from
key to state, iterated as (key, state) pairs. A dict has no per-entry tuple objects, so it
is smaller than a list of pairs and gives the cyclic garbage collector nothing to traverse.

``mapWithState`` keeps it as a :class:`StateMap`: a small map of the keys one batch
touched, layered over the previous batch's map (Spark's delta maps), so a batch costs in
proportion to the keys it touches, not to all the state. Every ``threshold`` layers the
chain is compacted into one map, keeping lookups short and letting old layers go.

Both are kept deserialized in memory and never mutated once a batch's task has built
them: the next batch reads its parent's map and builds a new one, so a retried task finds
what the first attempt found. Both pickle as their merged entries, so a block evicted to
disk or a checkpoint holds the state, never a chain of layers.

>>> base = StateMap.from_pairs([("a", 1), ("b", 2)])
>>> top = base.child(threshold=20)
>>> top.put("a", 10); top.remove("b"); top.put("c", 3)
>>> list(top.items()), list(base.items())
([('a', 10), ('c', 3)], [('a', 1), ('b', 2)])
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["PairMap", "StateMap", "MISSING"]

# Spark's spark.streaming.sessionByKey.deltaChainThreshold default.
DEFAULT_DELTA_CHAIN_THRESHOLD = 20


class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def __reduce__(self):
        return self.name  # pickled by reference: the module-level singleton


MISSING = _Sentinel("MISSING")
_REMOVED = _Sentinel("_REMOVED")


def _entry_size(items: Iterable[tuple[Any, Any]]) -> int:
    """Average deep size of a sample of entries (key and value objects, not shared ints)."""
    from sparklet.shuffle.aggregator import estimate_size

    sample = list(itertools.islice(items, 16))
    if not sample:
        return 0
    return sum(estimate_size(k) + estimate_size(v) for k, v in sample) // len(sample)


class PairMap:
    """One partition of ``updateStateByKey`` state: ``{key: state}``, iterated as pairs.

    >>> m = PairMap({"a": 1})
    >>> list(m), len(m), PairMap.__module__
    ([('a', 1)], 1, 'sparklet.streaming.statemap')
    """

    __slots__ = ("map",)

    def __init__(self, mapping: dict):
        self.map = mapping

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return iter(self.map.items())

    def __len__(self) -> int:
        return len(self.map)

    def __sizeof__(self) -> int:
        # The block manager sizes blocks with sys.getsizeof: this map owns its entries.
        return sys.getsizeof(self.map) + len(self.map) * _entry_size(self.map.items())

    def __reduce__(self):
        return (PairMap, (self.map,))


class StateMap:
    """``mapWithState`` state of one partition: key -> entry, as a chain of layers.

    A root map holds a dict of every entry. A layer holds, over its parent, the entries of
    keys the parent has that changed (``_updates``, a removal marked) and of keys the parent
    lacks (``_fresh``). Iteration order is that of one dict mutated in place batch after
    batch: surviving keys where they were, new (or removed and re-added) keys at the end.
    Only the newest layer, while its task builds it, is ever mutated.

    >>> root = StateMap.from_pairs([("a", 1), ("b", 2)])
    >>> top = root.child(20)
    >>> top.remove("a"); top.put("a", 5); top.put("b", 6)
    >>> list(top.items()), top.get("a"), top.get("z") is MISSING, len(top)
    ([('b', 6), ('a', 5)], 5, True, 2)
    """

    __slots__ = ("_base", "_parent", "_updates", "_fresh", "_depth", "_entry_bytes", "timed",
                 "_len")

    def __init__(self, base: dict | None = None, parent: StateMap | None = None,
                 timed: bool = False):
        self._parent = parent
        if parent is None:
            self._base = {} if base is None else base
            self._depth = 0
            self._entry_bytes = -1  # sampled lazily, once the map is filled
            # Whether entries are (state, last_updated_ms) pairs (a timeout is set).
            self.timed = timed
        else:
            self._base = parent._base
            self._depth = parent._depth + 1
            self._entry_bytes = parent._entry_bytes
            self.timed = parent.timed
        self._updates: dict = {}
        self._fresh: dict = {}
        self._len = -1  # memo, set once a child layer exists (this layer is then final)

    @staticmethod
    def from_pairs(pairs: Iterable[tuple[Any, Any]], timed: bool = False) -> StateMap:
        """A root map of the given (key, entry) pairs (a later pair of a key wins)."""
        return StateMap(dict(pairs), timed=timed)

    def child(self, threshold: int) -> StateMap:
        """A new, empty layer over this map to record one batch's changes; once the chain
        is ``threshold`` layers deep, a compacted root map (a copy) instead."""
        if self._depth + 1 >= threshold:
            return StateMap(dict(self.items()), timed=self.timed)
        return StateMap(parent=self)

    # -- reading ---------------------------------------------------------------------------

    def get(self, key: Any) -> Any:
        """The key's entry, or :data:`MISSING`."""
        m: StateMap | None = self
        while m is not None and m._parent is not None:
            fresh = m._fresh.get(key, MISSING)
            if fresh is not MISSING:
                return fresh
            u = m._updates.get(key, MISSING)
            if u is not MISSING:
                return MISSING if u is _REMOVED else u
            m = m._parent
        return self._base.get(key, MISSING)

    def items(self) -> Iterator[tuple[Any, Any]]:
        """Every (key, entry), in the order described in the class docstring."""
        if self._parent is None:
            return iter(self._base.items())
        return self._merged_items()

    def _merged_items(self) -> Iterator[tuple[Any, Any]]:
        layers = []
        m: StateMap | None = self
        while m is not None and m._parent is not None:
            layers.append(m)
            m = m._parent
        # Replay the layers oldest first over the root: `over` holds the root's keys whose
        # entry changed, `tail` the keys appended after the root's, in order.
        over: dict = {}
        tail: dict = {}
        for layer in reversed(layers):
            for k, u in layer._updates.items():
                if k in tail:
                    if u is _REMOVED:
                        del tail[k]
                    else:
                        tail[k] = u
                else:
                    over[k] = u
            tail.update(layer._fresh)
        if over:
            get = over.get
            for k, v in self._base.items():
                u = get(k, MISSING)
                if u is MISSING:
                    yield k, v
                elif u is not _REMOVED:
                    yield k, u
        else:
            yield from self._base.items()
        yield from tail.items()

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return self.items()

    def __len__(self) -> int:
        # Counted from the layers, not by merging them (the UI asks every batch): a removal
        # mark is a key the parent has; a fresh key is new, or re-added after that mark.
        if self._parent is None:
            return len(self._base)
        parent = self._parent
        if parent._len < 0:
            parent._len = len(parent)
        removed = sum(1 for u in self._updates.values() if u is _REMOVED)
        return parent._len + len(self._fresh) - removed

    # -- the newest layer's changes --------------------------------------------------------

    def put(self, key: Any, entry: Any) -> None:
        if self._parent is None:
            self._base[key] = entry
        elif key in self._fresh:
            self._fresh[key] = entry
        elif key in self._updates:
            if self._updates[key] is _REMOVED:  # removed, now re-added: it goes to the end
                self._fresh[key] = entry
            else:
                self._updates[key] = entry
        elif self._parent.get(key) is not MISSING:
            self._updates[key] = entry
        else:
            self._fresh[key] = entry

    def remove(self, key: Any) -> None:
        if self._parent is None:
            self._base.pop(key, None)
        elif key in self._fresh:
            # Fresh means the parent lacks it, or it was removed here first (marked already).
            del self._fresh[key]
        elif key in self._updates or self._parent.get(key) is not MISSING:
            self._updates[key] = _REMOVED

    # -- sizing and serialization ----------------------------------------------------------

    def __sizeof__(self) -> int:
        # What keeping this map alive holds: its root and every layer (the block manager
        # sizes blocks with sys.getsizeof; earlier batches' blocks of the chain are released).
        if self._entry_bytes <= 0:
            # Sampled once there are entries: a chain over an empty root (the first batch
            # of a stream without initial state) samples its own layer's new keys.
            root = self
            while root._parent is not None:
                root = root._parent
            sample = _entry_size(itertools.chain(self._base.items(), self._fresh.items()))
            if sample > 0:
                root._entry_bytes = self._entry_bytes = sample
        entries = len(self._base)
        m: StateMap | None = self
        while m is not None and m._parent is not None:
            entries += len(m._updates) + len(m._fresh)
            m = m._parent
        return sys.getsizeof(self._base) + entries * max(self._entry_bytes, 0)

    def __reduce__(self):
        if self._parent is None:
            return (StateMap, (self._base, None, self.timed))
        # A chain pickles its merged entries straight from the layers (pickle sets them one
        # by one on an empty root, __setitem__): no merged copy of the whole map in memory.
        return (StateMap, (None, None, self.timed), None, None, self.items())

    __setitem__ = put  # what unpickling a chain calls on its new root

    def states(self) -> Iterator[tuple[Any, Any]]:
        """Every (key, state), without the timestamps of a timed map."""
        if self.timed:
            return ((k, s) for k, (s, _) in self.items())
        return self.items()

    def __repr__(self) -> str:
        return f"StateMap(depth={self._depth}, base={len(self._base)} entries)"
