"""bench/tpch_data.py (the TPC-H-style generator) and bench/tpch_queries.py on SF 0.001.

The tables are checked against the TPC-H specification's rules (schemas, cardinalities, key
integrity, the value rules the queries depend on), and Q1 and Q6, run by DuckDB on the
parquet files exactly as bench/sql.py's limit engine runs them, against the same queries
computed in plain Python (Decimal arithmetic) over the rows. Then all 22 queries, on DuckDB
and on sparklet.sql (``read.parquet`` + temp views + ``spark.sql``, as the bench runs them),
against PySpark 4.3's answers on the same data (recorded by record_tpch_pyspark.py).
"""

from __future__ import annotations

import datetime
import decimal
import json
import math
import pathlib
import sys
from collections import defaultdict

import duckdb
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "bench"))

import tpch_data  # noqa: E402
import tpch_queries  # noqa: E402

SF = 0.001
D = decimal.Decimal


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> pathlib.Path:
    return tpch_data.ensure_tpch(SF, root=tmp_path_factory.mktemp("tpch"), log=lambda _: None)


@pytest.fixture(scope="module")
def tables(data_dir) -> dict[str, list[dict]]:
    return {t: pq.read_table(p).to_pylist() for t, p in tpch_data.table_paths(data_dir).items()}


@pytest.fixture(scope="module")
def con(data_dir):
    c = duckdb.connect()
    for name, path in tpch_data.table_paths(data_dir).items():
        c.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM read_parquet('{path}')")
    yield c
    c.close()


def test_schemas_and_cardinalities(data_dir, tables):
    for name, path in tpch_data.table_paths(data_dir).items():
        assert pq.read_schema(path).remove_metadata() == tpch_data.SCHEMAS[name], name
    expected = {"region": 5, "nation": 25, "supplier": 10, "part": 200, "partsupp": 800,
                "customer": 150, "orders": 1500}
    assert {t: len(tables[t]) for t in expected} == expected
    # 1..7 lines per order, 4 on average
    assert 1500 <= len(tables["lineitem"]) <= 7 * 1500
    assert abs(len(tables["lineitem"]) / 1500 - 4) < 0.2


def test_keys(tables):
    def keys(table, *cols):
        return [tuple(r[c] for c in cols) for r in tables[table]]

    for table, cols in (("region", ["r_regionkey"]), ("nation", ["n_nationkey"]),
                        ("supplier", ["s_suppkey"]), ("part", ["p_partkey"]),
                        ("customer", ["c_custkey"]), ("orders", ["o_orderkey"]),
                        ("partsupp", ["ps_partkey", "ps_suppkey"]),
                        ("lineitem", ["l_orderkey", "l_linenumber"])):
        assert len(set(keys(table, *cols))) == len(tables[table]), f"{table} key not unique"
    orders = set(keys("orders", "o_orderkey"))
    assert set(keys("lineitem", "l_orderkey")) == orders  # every order has lines
    assert set(keys("lineitem", "l_partkey", "l_suppkey")) <= set(
        keys("partsupp", "ps_partkey", "ps_suppkey"))
    assert set(keys("partsupp", "ps_partkey")) == set(keys("part", "p_partkey"))
    assert set(keys("partsupp", "ps_suppkey")) <= set(keys("supplier", "s_suppkey"))
    assert set(keys("orders", "o_custkey")) <= set(keys("customer", "c_custkey"))
    assert all(k % 3 != 0 for (k,) in keys("orders", "o_custkey"))  # a third never order
    nations = set(keys("nation", "n_nationkey"))
    assert set(keys("customer", "c_nationkey")) <= nations
    assert set(keys("supplier", "s_nationkey")) <= nations
    assert set(keys("nation", "n_regionkey")) == set(keys("region", "r_regionkey"))
    # sparse order keys: 8 used in every 32
    assert sorted(k for (k,) in orders)[:10] == [1, 2, 3, 4, 5, 6, 7, 8, 33, 34]


def test_value_rules(tables):
    current = datetime.date(1995, 6, 17)
    start, end = datetime.date(1992, 1, 1), datetime.date(1998, 12, 31)
    orders = {o["o_orderkey"]: o for o in tables["orders"]}
    price = {p["p_partkey"]: p["p_retailprice"] for p in tables["part"]}
    lines = defaultdict(list)
    for li in tables["lineitem"]:
        lines[li["l_orderkey"]].append(li)
        o = orders[li["l_orderkey"]]
        assert 1 <= (li["l_shipdate"] - o["o_orderdate"]).days <= 121
        assert 30 <= (li["l_commitdate"] - o["o_orderdate"]).days <= 90
        assert 1 <= (li["l_receiptdate"] - li["l_shipdate"]).days <= 30
        assert li["l_receiptdate"] <= end
        assert li["l_returnflag"] in (("R", "A") if li["l_receiptdate"] <= current else ("N",))
        assert li["l_linestatus"] == ("O" if li["l_shipdate"] > current else "F")
        assert li["l_extendedprice"] == li["l_quantity"] * price[li["l_partkey"]]
        assert D("0.00") <= li["l_discount"] <= D("0.10")
        assert D("0.00") <= li["l_tax"] <= D("0.08")
        assert 1 <= li["l_quantity"] <= 50
    for key, o in orders.items():
        assert start <= o["o_orderdate"] <= end - datetime.timedelta(days=151)
        statuses = {li["l_linestatus"] for li in lines[key]}
        assert o["o_orderstatus"] == ("F" if statuses == {"F"} else
                                      "O" if statuses == {"O"} else "P")
        total = sum(li["l_extendedprice"] * (1 + li["l_tax"]) * (1 - li["l_discount"])
                    for li in lines[key])
        assert abs(o["o_totalprice"] - total) <= D("0.01") * len(lines[key])
        assert sorted(li["l_linenumber"] for li in lines[key]) == list(
            range(1, len(lines[key]) + 1))
    for p in tables["part"]:  # the spec's retail-price formula
        k = p["p_partkey"]
        assert p["p_retailprice"] == D(90000 + (k // 10) % 20001 + 100 * (k % 1000)) / 100
        assert len(set(p["p_name"].split())) == 5
    assert [n["n_name"] for n in tables["nation"]][:3] == ["ALGERIA", "ARGENTINA", "BRAZIL"]
    assert {r["r_name"] for r in tables["region"]} == {
        "AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"}
    assert {c["c_mktsegment"] for c in tables["customer"]} == set(tpch_data.SEGMENTS)
    for c in tables["customer"]:
        assert c["c_phone"].startswith(f"{c['c_nationkey'] + 10}-")
    complaints = [s for s in tables["supplier"] if "Customer Complaints" in s["s_comment"]]
    assert len(complaints) == 1  # SF * 5, at least one


def test_deterministic(data_dir, tmp_path):
    again = tmp_path / "again"
    tpch_data.generate(SF, again, log=lambda _: None)
    for name, path in tpch_data.table_paths(data_dir).items():
        assert pq.read_table(again / f"{name}.parquet").equals(pq.read_table(path)), name


def test_cache_is_reused(data_dir):
    stamp = {p: p.stat().st_mtime_ns for p in tpch_data.table_paths(data_dir).values()}
    assert tpch_data.ensure_tpch(SF, root=data_dir.parent, log=lambda _: None) == data_dir
    assert {p: p.stat().st_mtime_ns for p in stamp} == stamp


def test_q6_against_plain_python(tables, con):
    lo, hi = datetime.date(1994, 1, 1), datetime.date(1995, 1, 1)
    expected = sum((li["l_extendedprice"] * li["l_discount"] for li in tables["lineitem"]
                    if lo <= li["l_shipdate"] < hi and D("0.05") <= li["l_discount"] <= D("0.07")
                    and li["l_quantity"] < 24), D(0))
    assert expected > 0
    (got,), = con.execute(tpch_queries.query(6, SF)).fetchall()
    assert got == expected


def test_q1_against_plain_python(tables, con):
    cutoff = datetime.date(1998, 12, 1) - datetime.timedelta(days=90)
    groups = defaultdict(list)
    for li in tables["lineitem"]:
        if li["l_shipdate"] <= cutoff:
            groups[(li["l_returnflag"], li["l_linestatus"])].append(li)
    expected = []
    for (flag, status), rows in sorted(groups.items()):
        qty = sum(r["l_quantity"] for r in rows)
        base = sum(r["l_extendedprice"] for r in rows)
        disc = sum(r["l_extendedprice"] * (1 - r["l_discount"]) for r in rows)
        charge = sum(r["l_extendedprice"] * (1 - r["l_discount"]) * (1 + r["l_tax"])
                     for r in rows)
        n = len(rows)
        expected.append([flag, status, qty, base, disc, charge, qty / n, base / n,
                         sum(r["l_discount"] for r in rows) / n, n])
    assert [(r[0], r[1]) for r in expected] == [("A", "F"), ("N", "F"), ("N", "O"), ("R", "F")]
    got = con.execute(tpch_queries.query(1, SF)).fetchall()
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert list(g[:6]) == e[:6] and g[9] == e[9]  # sums and counts: exact decimals
        averages = zip(g[6:9], e[6:9], strict=True)  # DuckDB: doubles
        assert all(math.isclose(a, float(b), rel_tol=1e-12) for a, b in averages)
    # and the bench's own comparison accepts it, with Spark-like 6-digit averages
    spark_like = [[*e[:6], *(round(x, 6) for x in e[6:9]), e[9]] for e in expected]
    assert tpch_queries.compare_rows(tpch_queries.normalize_rows(got),
                                     tpch_queries.normalize_rows(spark_like)) is None


def test_compare_rows_catches_differences():
    a = tpch_queries.normalize_rows([("A", D("1.50"), datetime.date(1995, 1, 2), 3)])
    assert a == [["A", 1.5, "1995-01-02", 3]]
    assert tpch_queries.compare_rows(a, [["A", 1.5 * (1 + 1e-9), "1995-01-02", 3]]) is None
    assert tpch_queries.compare_rows(a, [["A", 1.51, "1995-01-02", 3]]) is not None
    assert tpch_queries.compare_rows(a, [["A", 1.5, "1995-01-03", 3]]) is not None
    assert tpch_queries.compare_rows(a, a + a) == "1 rows vs 2"


def test_headline_queries_return_rows(con):
    # Even at SF 0.001 the five queries of the bench's table select something (at SF 0.1
    # all 22 do; Q2, Q7, Q11, Q18, Q20 and Q21 need more than 10 suppliers).
    counts = {n: len(con.execute(tpch_queries.query(n, SF)).fetchall())
              for n in tpch_queries.DEFAULT}
    assert counts[1] == 4 and counts[6] == 1 and all(counts.values()), counts


# --------------------------------------------------------------------------------------------
# The 22 queries against PySpark 4.3's recorded answers (record_tpch_pyspark.py)
# --------------------------------------------------------------------------------------------

RECORDED = json.loads(pathlib.Path(__file__).with_name("pyspark_tpch_sf0.001.json").read_text())

# Queries whose sparklet result types are not yet PySpark's (decimal sum/avg precision,
# extract() as bigint, a sum of integer CASEs as decimal, decimal division as double).
DTYPE_GAPS = {1, 7, 8, 9, 11, 12, 14, 17, 18, 22}


def test_recording_is_of_this_data():
    meta = RECORDED["meta"]
    assert (meta["generator_version"], meta["seed"], meta["sf"]) == (
        tpch_data.GENERATOR_VERSION, tpch_data.DEFAULT_SEED, SF), \
        "the generator changed: re-run tests/bench/record_tpch_pyspark.py"
    assert sorted(map(int, RECORDED["queries"])) == list(tpch_queries.ALL)


@pytest.mark.parametrize("n", tpch_queries.ALL)
def test_duckdb_matches_pyspark(con, n):
    got = tpch_queries.normalize_rows(con.execute(tpch_queries.query(n, SF)).fetchall())
    assert tpch_queries.compare_rows(got, RECORDED["queries"][str(n)]["rows"]) is None


@pytest.fixture(scope="module")
def spark(data_dir):
    try:
        from sparklet.sql import SparkSession

        session = SparkSession.builder.master("local[2]").create()
        reader = session.read
    except Exception as exc:  # noqa: BLE001  (the SQL layer lands in pieces)
        pytest.skip(f"sparklet.sql has no SparkSession.read yet: {type(exc).__name__}: {exc}")
    for name, path in tpch_data.table_paths(data_dir).items():
        reader.parquet(str(path)).createOrReplaceTempView(name)
    yield session
    session.stop()


@pytest.mark.parametrize("n", tpch_queries.ALL)
def test_sparklet_rows_match_pyspark(spark, n):
    got = tpch_queries.normalize_rows(spark.sql(tpch_queries.query(n, SF)).collect())
    assert tpch_queries.compare_rows(got, RECORDED["queries"][str(n)]["rows"]) is None


@pytest.mark.parametrize("n", [
    pytest.param(n, marks=pytest.mark.xfail(reason="sparklet.sql result types", strict=False))
    if n in DTYPE_GAPS else n for n in tpch_queries.ALL])
def test_sparklet_dtypes_match_pyspark(spark, n):
    got = [list(d) for d in spark.sql(tpch_queries.query(n, SF)).dtypes]
    assert got == RECORDED["queries"][str(n)]["dtypes"]
