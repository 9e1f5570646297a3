"""Every Spark type round-trips Python → createDataFrame → DuckDB → collect / toPandas /
toArrow without loss, as PySpark gives the values back: the same Python values, except
``binary`` as ``bytes`` (PySpark 4.3: ``b'x'`` in the recorded cases), a struct as ``Row``,
a ``float`` rounded to 32 bits, a decimal rounded to its scale, and a ``timestamp`` as the
naive local time of its instant (``datetime.fromtimestamp``) whatever the session time
zone. Example-based tests pin the edges; hypothesis tests generate schemas and rows and
compare ``collect()`` with a model of those rules."""

from __future__ import annotations

import datetime
import decimal
import math
import struct as _struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparklet.sql import Row
from sparklet.sql import types as T

UTC = datetime.UTC
ZONES = ["UTC", "America/Los_Angeles", "Asia/Kolkata", "Australia/Lord_Howe"]


def f32(x: float) -> float:
    return _struct.unpack("f", _struct.pack("f", x))[0]


def local(v: datetime.datetime) -> datetime.datetime:
    """PySpark's collect() of a timestamp: the naive local time of the instant (a naive
    input is already local time)."""
    return v if v.tzinfo is None else v.astimezone().replace(tzinfo=None)


def expect(dt: T.DataType, v):
    """The value collect() gives for Python value ``v`` of type ``dt`` (PySpark's rules)."""
    if v is None:
        return None
    if isinstance(dt, T.BinaryType):
        return bytes(v)
    if isinstance(dt, T.FloatType):
        return f32(v)
    if isinstance(dt, T.DecimalType):
        return v.quantize(decimal.Decimal(1).scaleb(-dt.scale), rounding=decimal.ROUND_HALF_UP,
                          context=decimal.Context(prec=80))
    if isinstance(dt, T.TimestampType):
        return local(v)
    if isinstance(dt, T.ArrayType):
        return [expect(dt.elementType, x) for x in v]
    if isinstance(dt, T.MapType):
        return {expect(dt.keyType, k): expect(dt.valueType, x) for k, x in v.items()}
    if isinstance(dt, T.StructType):
        values = [v.get(f.name) for f in dt.fields] if isinstance(v, dict) else list(v)
        return Row(**{f.name: expect(f.dataType, x) for f, x in zip(dt.fields, values,
                                                                     strict=True)})
    return v


EXAMPLES = [
    ("tinyint", [-128, 0, 127, None]),
    ("smallint", [-32768, 32767, None]),
    ("int", [-(2**31), 2**31 - 1, None]),
    ("bigint", [-(2**63), 2**63 - 1, 0, None]),
    ("float", [1.5, -0.0, 3.4028234663852886e38, float("inf"), 1e-45, 0.1, None]),
    ("double", [1e308, 5e-324, -0.0, float("-inf"), 0.1, None]),
    ("decimal(38,0)", [decimal.Decimal("9" * 38), decimal.Decimal("-" + "9" * 38), None]),
    ("decimal(38,18)", [decimal.Decimal("12345678901234567890.123456789012345678"), None]),
    ("decimal(10,2)", [decimal.Decimal("-99999999.99"), decimal.Decimal("0.00"), None]),
    ("decimal(5,5)", [decimal.Decimal("0.12345"), None]),
    ("string", ["", "héllo wörld", "日本語", "emoji 🎉", "tab\tnew\nline", "nul\x00byte", None]),
    ("binary", [b"", b"\x00\xff\x10", bytearray(b"abc"), None]),
    ("boolean", [True, False, None]),
    ("date", [datetime.date(1, 1, 1), datetime.date(1970, 1, 1), datetime.date(9999, 12, 31),
              datetime.date(2024, 2, 29), None]),
    ("timestamp_ntz", [datetime.datetime(1, 1, 1), datetime.datetime(2024, 2, 29, 23, 59, 59,
                                                                     999999),
                       datetime.datetime(9999, 12, 31, 23, 59, 59), None]),
    ("interval day to second", [datetime.timedelta(0), datetime.timedelta(days=-3, seconds=5),
                                datetime.timedelta(days=10**6, microseconds=1), None]),
    ("array<int>", [[], [1, None, 3], None]),
    ("array<array<string>>", [[["a"], [], None], None]),
    ("map<string,bigint>", [{}, {"a": 1, "b": None}, None]),
    ("map<int,array<double>>", [{1: [1.5, None]}, None]),
    ("struct<a:int,b:struct<c:string,d:array<date>>>",
     [(1, ("x", [datetime.date(2024, 1, 1)])), {"a": None, "b": None}, None]),
    ("array<struct<k:string,v:map<string,binary>>>", [[("k", {"x": b"\x01"}), None], None]),
]


def _dtype(text: str) -> T.DataType:
    return T._parse_datatype_string(text)


def _equal(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b) or (
            math.isnan(a) and math.isnan(b))
    return a == b and type(a) is type(b) or (isinstance(a, tuple) and a == b)


@pytest.mark.parametrize("ddl, values", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_round_trip_collect(spark, ddl, values):
    dt = _dtype(ddl)
    df = spark.createDataFrame([(v,) for v in values], f"c {ddl}")
    assert df.schema["c"].dataType == dt
    got = [r.c for r in df.collect()]
    want = [expect(dt, v) for v in values]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert _equal(g, w), (g, w)


@pytest.mark.parametrize("ddl, values", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_round_trip_to_arrow_and_back(spark, ddl, values):
    from sparklet.sql.typemap import to_arrow_type

    dt = _dtype(ddl)
    df = spark.createDataFrame([(v,) for v in values], f"c {ddl}")
    table = df.toArrow()
    assert table.schema.field("c").type == to_arrow_type(dt)
    # the Arrow table made into a DataFrame again gives the same rows
    again = spark.createDataFrame(table)
    assert again.schema == df.schema.__class__([T.StructField("c", dt, True)])
    for g, w in zip((r.c for r in again.collect()), (r.c for r in df.collect()), strict=True):
        assert _equal(g, w), (g, w)


@pytest.mark.parametrize("zone", ZONES)
def test_timestamps_in_session_time_zones(spark, zone):
    spark.conf.set("spark.sql.session.timeZone", zone)
    instants = [datetime.datetime(2024, 3, 10, 10, 30, tzinfo=UTC),  # a US DST change day
                datetime.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
                datetime.datetime(2262, 4, 11, tzinfo=UTC),
                datetime.datetime(2024, 10, 6, 15, 45, tzinfo=UTC)]  # Lord Howe's half hour
    df = spark.createDataFrame([(t,) for t in instants], "t TIMESTAMP")
    assert [r.t for r in df.collect()] == [local(t) for t in instants]
    import zoneinfo

    wall = [t.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None) for t in instants[:2]]
    pdf = spark.createDataFrame([(t,) for t in instants[:2]], "t TIMESTAMP").toPandas()
    assert [ts.to_pydatetime() for ts in pdf["t"]] == wall
    # the session time zone shows in SQL: the wall clock of the instant there
    there = [t.astimezone(zoneinfo.ZoneInfo(zone)) for t in instants]
    assert [tuple(r) for r in df.selectExpr("hour(t)", "minute(t)").collect()] == [
        (t.hour, t.minute) for t in there]
    arrow = df.toArrow().column("t").to_pylist()
    assert arrow == instants


def test_nulls_everywhere(spark):
    ddl = ("a int, b array<int>, m map<string,struct<x:int>>, s struct<p:array<string>>, "
           "d decimal(38,10), t timestamp")
    rows = [(None, [None], {"k": None}, (None,), None, None), (None, None, None, None, None,
                                                                None)]
    df = spark.createDataFrame(rows, ddl)
    assert df.collect() == [Row(a=None, b=[None], m={"k": None}, s=Row(p=None), d=None, t=None),
                            Row(a=None, b=None, m=None, s=None, d=None, t=None)]
    pdf = df.toPandas()
    assert pdf["a"].isna().all() and str(pdf["a"].dtype) == "float64"


def test_duckdb_holds_the_spark_types(spark):
    ddl = ("a tinyint, b smallint, c int, d bigint, e float, f double, g decimal(38,2), "
           "h string, i binary, j boolean, k date, l timestamp, m timestamp_ntz, "
           "n array<int>, o map<string,int>, p struct<x:int>, q interval day to second")
    df = spark.createDataFrame([], ddl)
    spark.createDataFrame([], ddl).createOrReplaceTempView("typed")
    _, types = spark._bind("SELECT * FROM typed")  # the view's DuckDB column types
    assert [str(t) for t in types] == [
        "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "FLOAT", "DOUBLE", "DECIMAL(38,2)",
        "VARCHAR", "BLOB", "BOOLEAN", "DATE", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP",
        "INTEGER[]", "MAP(VARCHAR, INTEGER)", 'STRUCT(x INTEGER)', "INTERVAL"]
    assert df.dtypes == [
        ("a", "tinyint"), ("b", "smallint"), ("c", "int"), ("d", "bigint"), ("e", "float"),
        ("f", "double"), ("g", "decimal(38,2)"), ("h", "string"), ("i", "binary"),
        ("j", "boolean"), ("k", "date"), ("l", "timestamp"), ("m", "timestamp_ntz"),
        ("n", "array<int>"), ("o", "map<string,int>"), ("p", "struct<x:int>"),
        ("q", "interval day to second")]


# -- property tests -----------------------------------------------------------------------

def _decimals(p: int, s: int):
    exact = decimal.Context(prec=80)  # the default 28 digits would round 38-digit values
    return st.integers(-(10**p) + 1, 10**p - 1).map(
        lambda i: decimal.Decimal(i).scaleb(-s, context=exact))


ATOMS = {
    "tinyint": st.integers(-128, 127), "smallint": st.integers(-(2**15), 2**15 - 1),
    "int": st.integers(-(2**31), 2**31 - 1), "bigint": st.integers(-(2**63), 2**63 - 1),
    "float": st.floats(width=32, allow_nan=False), "double": st.floats(allow_nan=False),
    "decimal(38,0)": _decimals(38, 0), "decimal(38,18)": _decimals(38, 18),
    "decimal(9,3)": _decimals(9, 3),
    "string": st.text(max_size=12), "binary": st.binary(max_size=8), "boolean": st.booleans(),
    "date": st.dates(),
    "timestamp": st.datetimes(datetime.datetime(1900, 1, 1), datetime.datetime(2200, 1, 1),
                              timezones=st.just(UTC)),
    "timestamp_ntz": st.datetimes(),
    "interval day to second": st.timedeltas(datetime.timedelta(days=-10**6),
                                            datetime.timedelta(days=10**6)),
}
KEYS = ["string", "int", "bigint"]


def _type_and_values():
    """A (DDL, strategy of its Python values) pair: atoms, arrays, maps, structs, nested."""
    atoms = st.sampled_from(sorted(ATOMS)).map(lambda t: (t, ATOMS[t]))

    def extend(inner):
        def array(t):
            return (f"array<{t[0]}>", st.lists(st.none() | t[1], max_size=4))

        def mapping(pair):
            k, t = pair
            return (f"map<{k},{t[0]}>", st.dictionaries(ATOMS[k], st.none() | t[1],
                                                        max_size=3))

        def struct(ts):
            ddl = ",".join(f"f{i}:{t[0]}" for i, t in enumerate(ts))
            return (f"struct<{ddl}>", st.tuples(*[st.none() | t[1] for t in ts]))

        return (inner.map(array) | st.tuples(st.sampled_from(KEYS), inner).map(mapping)
                | st.lists(inner, min_size=1, max_size=3).map(struct))

    return st.recursive(atoms, extend, max_leaves=4)


@st.composite
def frames(draw):
    columns = draw(st.lists(_type_and_values(), min_size=1, max_size=4))
    ddl = ", ".join(f"c{i} {t}" for i, (t, _) in enumerate(columns))
    rows = draw(st.lists(st.tuples(*[st.none() | s for _, s in columns]), max_size=6))
    return ddl, rows


SLOW = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(frames())
def test_property_collect_equals_the_input(spark, frame):
    ddl, rows = frame
    schema = T._parse_datatype_string(ddl)
    df = spark.createDataFrame(rows, schema)
    assert df.schema == schema
    want = [Row(**{f.name: expect(f.dataType, v) for f, v in zip(schema.fields, r,
                                                                  strict=True)})
            for r in rows]
    assert df.collect() == want
    assert df.count() == len(rows)


@settings(max_examples=40, deadline=None, suppress_health_check=SLOW)
@given(st.lists(st.tuples(st.none() | ATOMS["bigint"], st.none() | ATOMS["string"],
                          st.none() | ATOMS["double"], st.none() | ATOMS["date"]),
                min_size=1, max_size=8))
def test_property_inferred_schema_round_trip(spark, rows):
    from hypothesis import assume

    assume(all(any(r[i] is not None for r in rows) for i in range(4)))
    df = spark.createDataFrame(rows)
    assert df.dtypes == [("_1", "bigint"), ("_2", "string"), ("_3", "double"), ("_4", "date")]
    assert [tuple(r) for r in df.collect()] == rows
    pdf = df.toPandas()
    assert pdf["_2"].tolist() == [r[1] for r in rows]
    nulls = any(r[0] is None for r in rows)
    assert str(pdf["_1"].dtype) == ("float64" if nulls else "int64")
