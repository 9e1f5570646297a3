"""Property tests: groupBy/agg and window functions on generated data against a plain-Python
model of Spark's semantics (NULLs skipped by aggregates, NULLs first in ascending window
order, ranks with ties)."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparklet.sql import SparkSession, Window
from sparklet.sql import functions as F

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

rows_strategy = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", None]),
              st.one_of(st.none(), st.integers(-1000, 1000))),
    min_size=0, max_size=25)


@pytest.fixture(scope="module")
def spark():
    return SparkSession.builder.getOrCreate()


def frame(spark, rows):
    data = [(g, k, v) for k, (g, v) in enumerate(rows)]
    return spark.createDataFrame(data, "g STRING, k INT, v INT")


def groups(rows):
    out: dict = {}
    for k, (g, v) in enumerate(rows):
        out.setdefault(g, []).append((k, v))
    return out


@SETTINGS
@given(rows=rows_strategy)
def test_group_by_aggregates_match_model(spark, rows):
    df = frame(spark, rows)
    got = df.groupBy("g").agg(F.sum("v"), F.count("v"), F.count("*"), F.avg("v"),
                              F.min("v"), F.max("v"), F.collect_list("v")).collect()
    assert df.groupBy("g").agg(F.sum("v"), F.avg("v"), F.count("*")).dtypes == [
        ("g", "string"), ("sum(v)", "bigint"), ("avg(v)", "double"), ("count(1)", "bigint")]
    model = {}
    for g, members in groups(rows).items():
        vs = [v for _, v in members if v is not None]
        model[g] = (sum(vs) if vs else None, len(vs), len(members),
                    sum(vs) / len(vs) if vs else None, min(vs, default=None),
                    max(vs, default=None), sorted(vs))
    assert {r[0] for r in got} == set(model)
    for r in got:
        want = model[r[0]]
        assert (r[1], r[2], r[3], r[5], r[6]) == (want[0], want[1], want[2], want[4], want[5])
        assert (r[4] is None) == (want[3] is None)
        if want[3] is not None:
            assert math.isclose(r[4], want[3], rel_tol=1e-12, abs_tol=1e-12)
        assert sorted(r[7]) == want[6]  # collect_list drops NULLs


@SETTINGS
@given(rows=rows_strategy)
def test_global_aggregate_of_no_rows_or_some(spark, rows):
    df = frame(spark, rows)
    r = df.agg(F.sum("v").alias("s"), F.count("*").alias("n"),
               F.collect_set("v").alias("cs")).collect()[0]
    vs = [v for _, v in rows if v is not None]
    assert r.s == (sum(vs) if vs else None)
    assert r.n == len(rows)
    assert sorted(r.cs) == sorted(set(vs))


def _spark_key(v):
    # ascending with NULLs first, as Spark's default window order
    return (v is not None, v if v is not None else 0)


@SETTINGS
@given(rows=rows_strategy)
def test_window_functions_match_model(spark, rows):
    df = frame(spark, rows)
    by_k = Window.partitionBy("g").orderBy("k")
    by_v = Window.partitionBy("g").orderBy("v")
    got = df.select("k", F.row_number().over(by_k).alias("rn"),
                    F.rank().over(by_v).alias("r"), F.dense_rank().over(by_v).alias("d"),
                    F.lag("v", 1).over(by_k).alias("lag"),
                    F.lead("v", 1, -1).over(by_k).alias("lead"),
                    F.sum("v").over(by_k).alias("run")).collect()
    want = {}
    for members in groups(rows).values():
        ordered = sorted(members)  # by k
        keys = sorted({_spark_key(v) for _, v in members})
        running = None
        for i, (k, v) in enumerate(ordered):
            if v is not None:
                running = v if running is None else running + v
            rank = 1 + sum(1 for _, w in members if _spark_key(w) < _spark_key(v))
            dense = 1 + keys.index(_spark_key(v))
            lag = ordered[i - 1][1] if i > 0 else None
            lead = ordered[i + 1][1] if i + 1 < len(ordered) else -1
            want[k] = (i + 1, rank, dense, lag, lead, running)
    assert {r.k: (r.rn, r.r, r.d, r.lag, r.lead, r.run) for r in got} == want


def test_window_dtypes(spark):
    df = frame(spark, [("a", 1), ("a", None), ("b", 3)])
    w = Window.partitionBy("g").orderBy("k")
    assert df.select(F.row_number().over(w).alias("rn"), F.ntile(2).over(w).alias("t"),
                     F.percent_rank().over(w).alias("p"), F.sum("v").over(w).alias("s")
                     ).dtypes == [("rn", "int"), ("t", "int"), ("p", "double"), ("s", "bigint")]


@SETTINGS
@given(values=st.lists(st.one_of(st.none(), st.decimals(min_value=-10**6, max_value=10**6,
                                                         places=2, allow_nan=False)),
                       max_size=20))
def test_decimal_sum_and_avg_are_exact(spark, values):
    import decimal

    df = spark.createDataFrame([(v,) for v in values], "d DECIMAL(10,2)")
    r = df.agg(F.sum("d").alias("s"), F.avg("d").alias("a")).collect()[0]
    present = [v for v in values if v is not None]
    if not present:
        assert (r.s, r.a) == (None, None)
        return
    total = sum(present, decimal.Decimal(0))
    mean = (total / len(present)).quantize(decimal.Decimal("0.000001"),
                                           rounding=decimal.ROUND_HALF_UP)
    assert (r.s, r.a) == (total, mean)


@SETTINGS
@given(rows=rows_strategy)
def test_frames_and_distribution_functions_match_model(spark, rows):
    df = frame(spark, rows)
    by_k = Window.partitionBy("g").orderBy("k")
    by_v = Window.partitionBy("g").orderBy("v")
    got = df.select("k", F.sum("v").over(by_k.rowsBetween(-1, 1)).alias("s"),
                    F.percent_rank().over(by_v).alias("p"),
                    F.cume_dist().over(by_v).alias("c"),
                    F.first("v", ignorenulls=True).over(
                        by_k.rowsBetween(Window.unboundedPreceding, 0)).alias("f")).collect()
    want = {}
    for members in groups(rows).values():
        ordered = sorted(members)
        n = len(members)
        for i, (k, v) in enumerate(ordered):
            near = [w for _, w in ordered[max(i - 1, 0):i + 2] if w is not None]
            less = sum(1 for _, w in members if _spark_key(w) < _spark_key(v))
            upto = sum(1 for _, w in members if _spark_key(w) <= _spark_key(v))
            seen = [w for _, w in ordered[:i + 1] if w is not None]
            want[k] = (sum(near) if near else None, less / (n - 1) if n > 1 else 0.0,
                       upto / n, seen[0] if seen else None)
    for r in got:
        s, p, c, f = want[r.k]
        assert (r.s, r.f) == (s, f)
        assert math.isclose(r.p, p) and math.isclose(r.c, c)
