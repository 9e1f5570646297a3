"""DataFrame transformations against a plain-Python model of the same computation.

Generated tables with NULLs and duplicate keys go through joins (every type), set
operations, ordering with Spark's NULL placement, filters, distinct and dropDuplicates; each
result is compared with the same computation written over Python lists.
"""

from __future__ import annotations

import pytest

pytest.importorskip("duckdb", reason="sparklet.sql needs the 'sql' extra")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sparklet.sql import SparkSession  # noqa: E402
from sparklet.sql import functions as F  # noqa: E402

keys = st.one_of(st.none(), st.integers(0, 4))
values = st.one_of(st.none(), st.integers(-50, 50))
left_rows = st.lists(st.tuples(keys, values), max_size=12)
right_rows = st.lists(st.tuples(keys, st.one_of(st.none(), st.text("xyz", max_size=2))),
                      max_size=12)
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def spark():
    session = SparkSession.builder.create()
    yield session
    session.stop()


def frames(spark, left, right):
    a = spark.createDataFrame(left, "k INT, v INT")
    b = spark.createDataFrame(right, "k INT, w STRING")
    return a, b


def bag(rows):
    return sorted((tuple(r) for r in rows), key=repr)


def join_model(left, right, how):
    """Rows of ``a.join(b, a.k == b.k, how)``: SQL equality never matches a NULL key."""
    out = []
    matched_right = set()
    for lk, lv in left:
        hits = [(j, r) for j, r in enumerate(right) if lk is not None and r[0] == lk]
        if how in ("semi", "anti"):
            if bool(hits) == (how == "semi"):
                out.append((lk, lv))
            continue
        for j, (rk, rw) in hits:
            matched_right.add(j)
            out.append((lk, lv, rk, rw))
        if not hits and how in ("left", "full"):
            out.append((lk, lv, None, None))
    if how in ("right", "full"):
        for j, (rk, rw) in enumerate(right):
            if j not in matched_right:
                out.append((None, None, rk, rw))
    return out


@SETTINGS
@given(left=left_rows, right=right_rows,
       how=st.sampled_from(["inner", "left", "right", "full", "semi", "anti"]))
def test_join_on_condition(spark, left, right, how):
    a, b = frames(spark, left, right)
    got = a.join(b, a.k == b.k, how).collect()
    assert bag(got) == bag(join_model(left, right, how))


@SETTINGS
@given(left=left_rows, right=right_rows, how=st.sampled_from(["inner", "left", "right", "full"]))
def test_join_using_keeps_one_key(spark, left, right, how):
    a, b = frames(spark, left, right)
    got = a.join(b, "k", how).collect()
    want = []
    for lk, lv, rk, rw in join_model(left, right, how):
        # USING: the key is the left's, the right's for a right join, either for a full one
        key = rk if how == "right" else (lk if lk is not None or how != "full" else rk)
        want.append((key, lv, rw))
    assert bag(got) == bag(want)
    assert got == [] or list(got[0].__fields__) == ["k", "v", "w"]


@SETTINGS
@given(left=left_rows, right=left_rows)
def test_null_safe_join(spark, left, right):
    a = spark.createDataFrame(left, "k INT, v INT")
    b = spark.createDataFrame(right, "k INT, v INT").withColumnRenamed("v", "w")
    got = a.join(b, a.k.eqNullSafe(b.k)).collect()
    want = [(lk, lv, rk, rw) for lk, lv in left for rk, rw in right if lk == rk]
    assert bag(got) == bag(want)


@SETTINGS
@given(left=left_rows, right=left_rows)
def test_set_operations(spark, left, right):
    a = spark.createDataFrame(left, "k INT, v INT")
    b = spark.createDataFrame(right, "k INT, v INT")
    assert bag(a.union(b).collect()) == bag(left + right)
    assert bag(a.intersect(b).collect()) == bag(set(left) & set(right))
    assert bag(a.subtract(b).collect()) == bag(set(left) - set(right))
    remaining = list(right)
    except_all = []
    for r in left:
        if r in remaining:
            remaining.remove(r)
        else:
            except_all.append(r)
    assert bag(a.exceptAll(b).collect()) == bag(except_all)
    assert bag(a.distinct().collect()) == bag(set(left))


@SETTINGS
@given(rows=left_rows, ascending=st.booleans())
def test_order_by_nulls(spark, rows, ascending):
    df = spark.createDataFrame(rows, "k INT, v INT")
    got = [tuple(r) for r in df.orderBy(F.col("k").asc() if ascending else F.col("k").desc(),
                                        F.col("v").asc()).collect()]

    # Spark: ascending puts NULLs first, descending puts them last
    def key(r):
        k, v = r
        k_key = (k is not None, k if k is not None else 0)
        if not ascending:
            k_key = (k is None, -(k or 0))
        return (k_key, (v is not None, v if v is not None else 0))
    assert got == sorted(rows, key=key)


@SETTINGS
@given(rows=left_rows, bound=st.integers(-50, 50))
def test_filter_three_valued(spark, rows, bound):
    df = spark.createDataFrame(rows, "k INT, v INT")
    got = df.filter((df.v > bound) | df.k.isNull()).collect()
    assert bag(got) == bag([r for r in rows if (r[1] is not None and r[1] > bound)
                            or r[0] is None])


@SETTINGS
@given(rows=left_rows)
def test_drop_duplicates_keeps_first(spark, rows):
    df = spark.createDataFrame(rows, "k INT, v INT")
    seen, want = set(), []
    for r in rows:
        if r[0] not in seen:
            seen.add(r[0])
            want.append(r)
    assert bag(df.dropDuplicates(["k"]).collect()) == bag(want)


def test_self_join_keeps_sides_apart(spark):
    df = spark.createDataFrame([(1, 10), (2, 20)], "k INT, v INT")
    other = df.withColumnRenamed("v", "w")
    got = df.join(other, df.k == other.k).select(df.v, other.w).orderBy("v").collect()
    assert [tuple(r) for r in got] == [(10, 10), (20, 20)]


def test_ambiguous_reference(spark):
    from sparklet.errors import AnalysisException

    a = spark.createDataFrame([(1, 10)], "k INT, v INT")
    b = spark.createDataFrame([(1, 30)], "k INT, v INT")
    with pytest.raises(AnalysisException) as info:
        a.join(b, a.k == b.k).select("v")
    assert info.value.getCondition() == "AMBIGUOUS_REFERENCE"
