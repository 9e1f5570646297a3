"""examples/rdd: the RDD guide's example programs, each run as a user runs it (a fresh
interpreter with sparklet's sources on the path), its printed lines checked against the
same computation done in plain Python here."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "rdd"

pytestmark = pytest.mark.timeout(300)

TEXT = """\
to be or not to be
that is the question
whether tis nobler in the mind to suffer

the slings and arrows of outrageous fortune
to be or not to be
or to take arms against a sea of troubles
"""


def run(name: str, *args: str) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *args], env=env,
                          capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.fixture
def text_file(tmp_path) -> Path:
    path = tmp_path / "hamlet.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_word_count(text_file):
    counts = Counter(TEXT.split())
    top = sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))[:5]
    out = run("word_count.py", str(text_file), "--top", "5")
    assert out == [f"{w} {c}" for w, c in top] + [
        f"distinct words: {len(counts)}", f"total words: {sum(counts.values())}"]
    assert out[0] == "to 6"  # hand-checked: the text's most frequent word


def test_line_lengths(text_file):
    lengths = [len(line) for line in TEXT.splitlines()]
    assert run("line_lengths.py", str(text_file)) == [
        f"lines: {len(lengths)}", f"total length: {sum(lengths)}",
        f"longest line: {max(lengths)}"]


def test_closures_counter():
    # The driver's counter is never touched by the tasks; the accumulator gets every add.
    assert run("closures_counter.py", "200") == ["counter: 0", f"accumulator: {200 * 201 // 2}"]


def test_key_value_pairs(text_file):
    counts = Counter(TEXT.splitlines())
    out = run("key_value_pairs.py", str(text_file))
    assert out[:len(counts)] == [f"{c}\t{line}" for line, c in sorted(counts.items())]
    orders = [("alice", 3), ("bob", 5), ("alice", 4), ("carol", 1), ("bob", 2)]
    cities = dict([("alice", "Paris"), ("bob", "Oslo"), ("dave", "Rome")])
    joined = sorted((k, (v, cities[k])) for k, v in orders if k in cities)
    grouped = defaultdict(list)
    for k, v in orders:
        grouped[k].append(v)
    assert out[len(counts):] == [
        f"join: {joined}",
        f"groupByKey: {sorted((k, sorted(vs)) for k, vs in grouped.items())}",
        f"averages: {sorted((k, sum(vs) / len(vs)) for k, vs in grouped.items())}"]


def test_broadcast_accumulator():
    names = {"fr": "France", "no": "Norway", "it": "Italy", "jp": "Japan"}
    codes = ["fr", "it", "xx", "no", "fr", "jp", "zz", "it", "fr"]
    assert run("broadcast_accumulator.py") == [
        f"names: {[names.get(c, '?') for c in codes]}",
        f"unknown codes: {sum(c not in names for c in codes)}",
        f"letters: {sum(len(names[c]) for c in codes if c in names)}"]


@pytest.mark.parametrize("level", ["MEMORY_ONLY", "DISK_ONLY"])
def test_persistence(level):
    n = 500
    assert run("persistence.py", str(n), "--level", level) == [
        f"not persisted, evaluations after two actions: {2 * n}",
        f"sum: {sum(x * x for x in range(n))}",
        f"persisted, evaluations after one action: {n}",
        f"count: {n}",
        f"persisted, evaluations after two actions: {n}",
        "storage level: " + {"MEMORY_ONLY": "Memory Serialized 1x Replicated",
                             "DISK_ONLY": "Disk Serialized 1x Replicated"}[level],
        "after unpersist: cached=False, level NONE=True"]


def test_pi():
    partitions, seed = 3, 7
    n = 100000 * partitions
    inside = 0
    for i in range(1, n + 1):
        rng = random.Random(seed + i)
        x, y = rng.random() * 2 - 1, rng.random() * 2 - 1
        inside += x * x + y * y <= 1
    out = run("pi.py", str(partitions), "--seed", str(seed))
    assert out == [f"inside: {inside} of {n}", f"Pi is roughly {4.0 * inside / n:f}"]
    assert abs(4.0 * inside / n - 3.14159) < 0.02


def test_external_datasets(tmp_path):
    files = {"a.txt": "apple\nbanana\n", "b.txt": "cherry\n", "c.txt": "date\nelder\nfig\n"}
    lines = sorted(line for text in files.values() for line in text.splitlines())
    out = run("external_datasets.py", str(tmp_path))
    assert out == [
        f"lines: {lines}",
        f"lines of a*.txt: {files['a.txt'].split()}",
        f"files: {sorted((name, len(text)) for name, text in files.items())}",
        f"saved text: {sorted(s.upper() for s in lines)}",
        f"saved pickles: {sorted((s, len(s)) for s in lines)}"]
    assert sorted(p.name for p in (tmp_path / "upper").iterdir() if p.name.startswith("part-"))
