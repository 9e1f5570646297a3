"""Larger-than-memory queries: ``spark.sql.sparklet.memoryLimit`` / ``spark.driver.memory`` /
``spark.executor.memory`` become DuckDB's ``memory_limit`` and ``spark.local.dir`` its
``temp_directory`` (at builder time and with ``spark.conf.set``); a groupBy, a full sort and
a join over ~300 MB of generated rows under a 64 MiB limit complete with the result a plain
Python computation of the same rows gives, and DuckDB's spill files are in the configured
directory."""

from __future__ import annotations

import os

import pytest

from sparklet.sql import SparkSession
from sparklet.sql import functions as F

N = 3_000_000          # rows: ~290 MB in DuckDB (two bigints and a ~80-character string)
GROUPS = 100_003
STEP = 7_919           # prime, so (id * STEP) % N is a permutation of 0..N-1


def setting(spark, name: str) -> str:
    with spark._lock:
        return spark._con.sql(f"SELECT current_setting('{name}')").fetchall()[0][0]


@pytest.fixture
def small(tmp_path):
    """A session of its own, limited to 64 MiB, spilling to ``tmp_path / 'local'``."""
    local = tmp_path / "local"
    session = (SparkSession.builder.config("spark.sql.sparklet.memoryLimit", "64m")
               .config("spark.local.dir", str(local)).create())
    yield session, local
    session.stop()


def test_settings_reach_duckdb(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    session = (SparkSession.builder.config("spark.driver.memory", "1g")
               .config("spark.local.dir", f"{a},{b}").create())
    try:
        assert setting(session, "memory_limit") == "1.0 GiB"
        assert setting(session, "temp_directory") == str(a)  # the first of Spark's list
        # DuckDB's own limit wins over the driver's, which wins over the executors'
        session.conf.set("spark.sql.sparklet.memoryLimit", "300m")
        session.conf.set("spark.executor.memory", "2g")
        session.conf.set("spark.driver.memory", "3g")
        assert setting(session, "memory_limit") == "300.0 MiB"
        session.conf.set("spark.local.dir", str(b))
        assert setting(session, "temp_directory") == str(b)
    finally:
        session.stop()
    session = SparkSession.builder.config("spark.executor.memory", "512m").create()
    try:
        assert setting(session, "memory_limit") == "512.0 MiB"
        # A bare number is MiB for the driver's and executors' memory, as in Spark
        session.conf.set("spark.driver.memory", "700")
        assert setting(session, "memory_limit") == "700.0 MiB"
    finally:
        session.stop()


def model():
    """The same rows in plain Python: per group count, sum of ids, max string; the total
    string length; the id at each sort position is the inverse of the permutation."""
    count = [0] * GROUPS
    total = [0] * GROUPS
    best = [""] * GROUPS
    length = 0
    for i in range(N):
        k = i % GROUPS
        s = str(i) * 12
        count[k] += 1
        total[k] += i
        if s > best[k]:
            best[k] = s
        length += len(s)
    return count, total, best, length


@pytest.mark.timeout(120)
def test_group_sort_and_join_beyond_the_memory_limit(small):
    spark, local = small
    assert setting(spark, "memory_limit") == "64.0 MiB"
    rows = spark.range(N).select(
        "id", (F.col("id") % GROUPS).alias("k"), ((F.col("id") * STEP) % N).alias("key"),
        F.expr("repeat(CAST(id AS STRING), 12)").alias("s"))
    big = rows.persist()
    assert big.count() == N
    # the cached rows do not fit in 64 MiB: DuckDB keeps them in its spill files, there
    files = os.listdir(local)
    assert any(f.startswith("duckdb_temp") for f in files), files
    with spark._lock:
        spilled = spark._con.sql("SELECT path, size FROM duckdb_temporary_files()").fetchall()
    assert spilled and all(os.path.dirname(p) == str(local) for p, _ in spilled)
    assert sum(size for _, size in spilled) > 64 * 2**20

    count, total, best, length = model()

    groups = big.groupBy("k").agg(F.count("*").alias("n"), F.sum("id").alias("t"),
                                  F.max("s").alias("m")).orderBy("k").collect()
    assert len(groups) == GROUPS
    assert [r.n for r in groups] == count
    assert [r.t for r in groups] == total
    assert [r.m for r in groups] == best

    # a full sort of the wide rows by key: position p holds the id the permutation sends to p
    inverse = pow(STEP, -1, N)
    ordered = big.orderBy("key").select("id", F.length("s").alias("l")).toArrow()
    ids = ordered.column("id").to_pylist()
    assert ids == [p * inverse % N for p in range(N)]
    assert ordered.column("l").to_pylist()[:1000] == [12 * len(str(i)) for i in ids[:1000]]

    other = big.select(F.col("key").alias("id2"), F.col("s").alias("s2"))
    joined = big.join(other, F.col("id") == F.col("id2")).agg(
        F.count("*").alias("n"), F.sum(F.length("s2")).alias("l")).collect()
    assert [tuple(r) for r in joined] == [(N, length)]
