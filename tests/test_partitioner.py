"""Partitioners: bulk bucketing (``partition_ids``) gives exactly ``portable_hash(k) % n``.

The shuffle writer buckets plain-typed keys with the builtin ``hash`` in C; these tests pin
that the partition layout is bit-identical to PySpark's ``portable_hash`` rule, in this
process and in a process with ``PYTHONHASHSEED=0`` (the executors'), and that the seed-0
string hash a random-seed driver computes in pure Python is CPython's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparklet import partitioner as partitioner_module
from sparklet.partitioner import (
    HashPartitioner,
    Partitioner,
    RangePartitioner,
    partition_ids,
    portable_hash,
)

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=-3, max_value=3),  # -1 hashes to -2: the edge of the rule
    st.floats(allow_nan=True, allow_infinity=True),
    _TEXT,
    st.binary(max_size=20),
)
KEYS = st.recursive(_SCALARS, lambda inner: st.tuples(inner, inner) | st.tuples(inner),
                    max_leaves=6)
PLAIN_KEYS = st.one_of(st.booleans(), st.integers(), st.floats(), _TEXT, st.binary())


def _model(keys, n):
    return [portable_hash(k) % n for k in keys]


@settings(max_examples=300, deadline=None)
@given(st.lists(KEYS, max_size=60), st.integers(min_value=1, max_value=40))
def test_partition_ids_of_mixed_keys_are_portable_hash_mod_n(keys, n):
    p = HashPartitioner(n)
    assert list(partition_ids(p, keys)) == _model(keys, n) == [p(k) for k in keys]


@settings(max_examples=300, deadline=None)
@given(st.lists(PLAIN_KEYS, max_size=60), st.integers(min_value=1, max_value=40))
def test_partition_ids_of_plain_keys_are_portable_hash_mod_n(keys, n):
    # All one plain type or a mix of them: the builtin-hash path when the process allows it.
    p = Partitioner(n, portable_hash)
    assert list(partition_ids(p, keys)) == _model(keys, n)
    view = dict.fromkeys(keys).keys()  # the writer passes the combined map's key view
    assert list(partition_ids(p, view)) == _model(view, n)


@given(st.lists(st.integers(), max_size=40), st.integers(min_value=1, max_value=9))
def test_partition_ids_with_other_functions_match_calling_the_partitioner(keys, n):
    custom = Partitioner(n, lambda k: k * 7 + 1)
    ranges = RangePartitioner(sorted({k % 50 for k in keys})[: n - 1])

    class Reversed(HashPartitioner):
        def __call__(self, k):
            return self.numPartitions - 1 - super().__call__(k)

    for p in (custom, ranges, Reversed(n)):
        assert list(partition_ids(p, keys)) == [p(k) for k in keys]


def test_partition_ids_reject_a_non_integer_partition_function():
    # As PySpark, a partitionFunc returning a float cannot index a bucket.
    p = Partitioner(2, lambda k: 1.5)
    buckets = [[], []]
    with pytest.raises(TypeError):
        [buckets[i] for i in partition_ids(p, [1])]


def _run_seed(seed: str, code: str, stdin: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    done = subprocess.run([sys.executable, "-c", code], input=stdin, capture_output=True,
                          text=True, env=env, check=True, timeout=120)
    return done.stdout


@pytest.mark.parametrize("seed", ["0", "12345"])
def test_partition_ids_match_portable_hash_in_a_process_with_another_seed(seed):
    # The executors run with seed 0 (str/bytes take the builtin-hash path there); a driver
    # with a random seed takes the pure-Python one. Both must give this process's layout.
    keys = ["", "a", "word", "héllo", "日本語", "\U0001F600", b"", b"xy", 0, -1, -2, 2**64,
            1.5, -0.0, True, False]
    keys = keys + [(k, None) for k in keys] + [None]
    code = (
        "import pickle, sys\n"
        "from sparklet.partitioner import HashPartitioner, partition_ids, portable_hash\n"
        "keys = pickle.loads(bytes.fromhex(sys.stdin.read()))\n"
        "print([[list(partition_ids(HashPartitioner(n), keys)),\n"
        "        [portable_hash(k) % n for k in keys]] for n in (1, 2, 7, 64)])\n"
    )
    import pickle

    got = _run_seed(seed, code, pickle.dumps(keys).hex())
    expected = [[_model(keys, n), _model(keys, n)] for n in (1, 2, 7, 64)]
    assert got.strip() == repr(expected)


@settings(max_examples=20, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=50), st.lists(st.binary(max_size=40), max_size=20))
def test_pure_python_seed_zero_hash_is_cpythons(texts, blobs):
    from sparklet.partitioner import _seed0_hash, _str_data

    code = ("import json, sys\n"
            "texts, blobs = json.load(sys.stdin)\n"
            "print(json.dumps([[hash(t) for t in texts],"
            " [hash(bytes.fromhex(b)) for b in blobs]]))\n")
    expected = json.loads(_run_seed("0", code, json.dumps([texts, [b.hex() for b in blobs]])))
    assert [[_seed0_hash(_str_data(t)) for t in texts],
            [_seed0_hash(b) for b in blobs]] == expected


def test_seed_zero_memo_stays_bounded_and_exact(monkeypatch):
    from sparklet.partitioner import _seed0_hash, _seed0_hash_memo, _str_data

    monkeypatch.setattr(partitioner_module, "_SEED0_MEMO", {})
    monkeypatch.setattr(partitioner_module, "_SEED0_MEMO_ENTRIES", 50)
    monkeypatch.setattr(partitioner_module, "_SEED0_MEMO_KEY_LENGTH", 8)
    words = ["w%d" % i for i in range(120)] + ["long-key-%d" % i for i in range(5)]
    for _ in range(2):  # the second pass reads memoised values
        for w in words:
            assert _seed0_hash_memo(w) == _seed0_hash(_str_data(w))
            assert len(partitioner_module._SEED0_MEMO) <= 50
    assert not any(k.startswith("long") for k in partitioner_module._SEED0_MEMO)
    assert _seed0_hash_memo(b"bytes") == _seed0_hash(b"bytes")
