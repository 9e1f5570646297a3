"""Every Spark type written and read back through every format that can carry it.

Parquet and ORC keep their schema in the files; JSON and CSV are read back with the
writer's schema (as ``spark.read.schema(df.schema)`` would); text holds one string column.
"""

from __future__ import annotations

import datetime
import decimal

import pytest
from iohelpers import collect, con, dtypes, frame, utc  # noqa: E402, F401 - fixtures (autouse: utc)

from sparklet.errors import AnalysisException
from sparklet.sql.io import read, write

FLAT = ("b TINYINT, s SMALLINT, i INT, l BIGINT, f FLOAT, d DOUBLE, m DECIMAL(20,4), "
        "t STRING, o BOOLEAN, dt DATE, ts TIMESTAMP, ntz TIMESTAMP_NTZ")
FLAT_ROWS = [
    (-128, -32768, -2147483648, -9223372036854775808, 1.5, -0.0, decimal.Decimal("-1.0001"),
     'a "q", b', True, datetime.date(1, 1, 1), datetime.datetime(1970, 1, 1),
     datetime.datetime(2024, 2, 29, 23, 59, 59, 999999)),
    (127, 32767, 2147483647, 9223372036854775807, 3.25, 1e300,
     decimal.Decimal("9999999999999999.9999"), "ünï\tcode", False, datetime.date(9999, 12, 31),
     datetime.datetime(2024, 1, 5, 7, 8, 9, 123456), datetime.datetime(1900, 1, 1)),
    (None,) * 12,
]
NESTED = ("a ARRAY<INT>, aa ARRAY<ARRAY<STRING>>, mp MAP<STRING,DOUBLE>, "
          "st STRUCT<x: INT, y: STRUCT<z: STRING>, w: ARRAY<DATE>>, bin BINARY")
NESTED_ROWS = [
    ([1, None, 3], [["x"], [], None], {"k": 1.5, "n": None},
     (1, ("z",), [datetime.date(2024, 1, 5), None]), bytearray(b"\x00\xffab")),
    ([], None, {}, (None, None, None), bytearray(b"")),
    (None, None, None, None, None),
]


def roundtrip(con, tmp_path, fmt, ddl, rows, with_schema, options=None):
    table, schema = frame(rows, ddl)
    write(table, schema, str(tmp_path / fmt), fmt, options=options)
    sql, got = read(con, [str(tmp_path / fmt)], fmt, schema if with_schema else None,
                    options or {})
    order = ", ".join(f'"{f.name}" NULLS LAST' for f in schema.fields[:1])
    return schema, got, collect(con, sql, got, order)


@pytest.mark.parametrize("fmt", ["parquet", "orc"])
def test_flat_types_keep_schema(con, tmp_path, fmt):
    schema, got, rows = roundtrip(con, tmp_path, fmt, FLAT, FLAT_ROWS, with_schema=False)
    assert dtypes(got) == dtypes(schema)
    assert rows == [tuple(r) for r in frame_rows(FLAT_ROWS, schema)]


@pytest.mark.parametrize("fmt", ["parquet", "orc"])
def test_nested_types_keep_schema(con, tmp_path, fmt):
    schema, got, rows = roundtrip(con, tmp_path, fmt, NESTED, NESTED_ROWS, with_schema=False)
    assert dtypes(got) == dtypes(schema)
    by_len = {(len(r.a) if r.a is not None else None): r for r in rows}
    assert sorted(by_len, key=repr) == [0, 3, None]
    first = by_len[3]
    assert first.a == [1, None, 3] and first.aa == [["x"], [], None]
    assert first.mp == {"k": 1.5, "n": None}
    assert first.st.x == 1 and first.st.y.z == "z"
    assert first.st.w == [datetime.date(2024, 1, 5), None]
    assert bytes(first.bin) == b"\x00\xffab"
    empty = by_len[0]
    assert empty.mp == {} and tuple(empty.st) == (None, None, None) and bytes(empty.bin) == b""
    assert tuple(by_len[None]) == (None,) * 5


def frame_rows(rows, schema):
    """What collect() gives for rows as written (timestamps are naive UTC here)."""
    return [tuple(r) for r in rows]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_flat_types_with_schema(con, tmp_path, fmt):
    schema, got, rows = roundtrip(con, tmp_path, fmt, FLAT, FLAT_ROWS, with_schema=True)
    assert dtypes(got) == dtypes(schema)
    expected = [list(r) for r in FLAT_ROWS]
    if fmt in ("json", "csv"):
        # Spark's default JSON/CSV timestamp formats keep milliseconds only
        for r in expected:
            for i in (10, 11):
                if r[i] is not None:
                    r[i] = r[i].replace(microsecond=r[i].microsecond // 1000 * 1000)
    if fmt == "csv":
        # the CSV writer trims values (ignoreLeading/TrailingWhiteSpace on write)
        expected[1][7] = "ünï\tcode"
    assert [list(r) for r in rows] == expected


def test_nested_types_json_with_schema(con, tmp_path):
    schema, got, rows = roundtrip(con, tmp_path, "json", NESTED, NESTED_ROWS, with_schema=True)
    assert dtypes(got) == dtypes(schema)
    by_len = {(len(r.a) if r.a is not None else None): r for r in rows}
    first = by_len[3]
    assert (first.a, first.aa, first.mp) == ([1, None, 3], [["x"], [], None],
                                             {"k": 1.5, "n": None})
    assert (first.st.x, first.st.y.z, first.st.w) == (1, "z", [datetime.date(2024, 1, 5), None])
    assert bytes(first.bin) == b"\x00\xffab"
    assert by_len[0].mp == {} and bytes(by_len[0].bin) == b""
    assert tuple(by_len[None]) == (None,) * 5


def test_text_roundtrip(con, tmp_path):
    rows = [("a",), ("",), (None,), ("ü x",)]
    schema, got, out = roundtrip(con, tmp_path, "text", "value STRING", rows, with_schema=False)
    assert dtypes(got) == [("value", "string")]
    # NULL is written as an empty line, so it reads back as ""
    assert sorted(r.value for r in out) == sorted(["a", "", "", "ü x"])


def test_float_and_double_specials(con, tmp_path):
    rows = [(float("nan"), float("inf")), (float("-inf"), 0.1)]
    for fmt in ("parquet", "json", "csv", "orc"):
        table, schema = frame(rows, "f FLOAT, d DOUBLE")
        write(table, schema, str(tmp_path / fmt), fmt)
        sql, got = read(con, [str(tmp_path / fmt)], fmt, schema, {})
        values = sorted(con.sql(sql).fetchall(), key=repr)
        assert [repr(v) for row in values for v in row] == ["-inf", "0.1", "nan", "inf"], fmt


@pytest.mark.parametrize("ddl", ["b BINARY", "a ARRAY<INT>", "m MAP<STRING,INT>",
                                 "s STRUCT<x: INT>"])
def test_csv_refuses_non_flat_types(tmp_path, ddl):
    table, schema = frame([(None,)], ddl)
    with pytest.raises(AnalysisException) as info:
        write(table, schema, str(tmp_path / "c"), "csv")
    assert info.value.getCondition() == "UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE"
    assert not (tmp_path / "c").exists()


def test_text_needs_one_string_column(tmp_path):
    table, schema = frame([(1, "a")], "i INT, s STRING")
    with pytest.raises(AnalysisException, match="supports only a single column"):
        write(table, schema, str(tmp_path / "t"), "text")
    table, schema = frame([(1,)], "i INT")
    with pytest.raises(AnalysisException) as info:
        write(table, schema, str(tmp_path / "t"), "text")
    assert info.value.getCondition() == "UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE"


def test_compression_codecs(con, tmp_path):
    table, schema = frame([(1, "a"), (2, "b")], "i INT, s STRING")
    cases = [("parquet", "gzip", ".gz.parquet"), ("parquet", "none", "-c000.parquet"),
             ("parquet", "zstd", ".zstd.parquet"), ("orc", "snappy", ".snappy.orc"),
             ("json", "gzip", ".json.gz"), ("csv", "bzip2", ".csv.bz2"),
             ("json", "deflate", ".json.deflate")]
    for fmt, codec, suffix in cases:
        path = tmp_path / f"{fmt}-{codec}"
        write(table, schema, str(path), fmt, options={"compression": codec})
        (name,) = [p.name for p in path.iterdir() if p.name.startswith("part-")]
        assert name.endswith(suffix), (fmt, codec, name)
        sql, got = read(con, [str(path)], fmt, schema, {})
        assert sorted(con.sql(sql).fetchall()) == [(1, "a"), (2, "b")], (fmt, codec)
    with pytest.raises(AnalysisException):
        write(table, schema, str(tmp_path / "x"), "json", options={"compression": "nope"})


def test_timestamps_in_another_session_zone(con, tmp_path):
    # An instant is written in the session zone's wall time and read back as the same instant.
    table, schema = frame([(datetime.datetime(2024, 1, 5, 7, 8, 9),)], "t TIMESTAMP")
    opts = {"timeZone": "America/Los_Angeles"}
    write(table, schema, str(tmp_path / "j"), "json", options=opts)
    (part,) = (tmp_path / "j").glob("part-*")
    assert part.read_text() == '{"t":"2024-01-04T23:08:09.000-08:00"}\n'
    write(table, schema, str(tmp_path / "c"), "csv", options=opts)
    (part,) = (tmp_path / "c").glob("part-*")
    assert part.read_text() == "2024-01-04T23:08:09.000-08:00\n"
    for fmt in ("json", "csv"):
        sql, got = read(con, [str(tmp_path / fmt[0])], fmt, schema, {})
        assert collect(con, sql, got) == [(datetime.datetime(2024, 1, 5, 7, 8, 9),)]
    # without an offset the text is read in the session time zone
    (tmp_path / "in.json").write_text('{"t": "2024-01-05 07:08:09"}\n')
    con.execute("SET TimeZone = 'America/Los_Angeles'")
    sql, got = read(con, [str(tmp_path / "in.json")], "json", schema, {})
    con.execute("SET TimeZone = 'UTC'")
    assert collect(con, sql, got) == [(datetime.datetime(2024, 1, 5, 15, 8, 9),)]


def test_int96_timestamps_read_as_instants(con, tmp_path):
    # Spark writes `timestamp` as INT96 by default; such files read back as timestamp (UTC)
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "p").mkdir()
    table = pa.table({"t": pa.array([datetime.datetime(2024, 1, 5, 7, 8, 9)], pa.timestamp("us"))})
    pq.write_table(table, tmp_path / "p" / "part-0.parquet", use_deprecated_int96_timestamps=True)
    con.execute("SET TimeZone = 'America/Los_Angeles'")
    sql, got = read(con, [str(tmp_path / "p")], "parquet", None, {})
    assert dtypes(got) == [("t", "timestamp")]
    assert con.sql(f"SELECT CAST(t AS VARCHAR) FROM ({sql})").fetchall() == \
        [("2024-01-04 23:08:09-08",)]


def test_void_columns(con, tmp_path):
    # JSON and CSV hold a NULL-only column (never written / nullValue); parquet and ORC refuse
    table, schema = frame([(1, None)], "i INT, n VOID")
    write(table, schema, str(tmp_path / "j"), "json")
    assert [p.read_text() for p in (tmp_path / "j").glob("part-*")] == ['{"i":1}\n']
    write(table, schema, str(tmp_path / "c"), "csv")
    assert [p.read_text() for p in (tmp_path / "c").glob("part-*")] == ["1,\n"]
    for fmt in ("parquet", "orc"):
        with pytest.raises(AnalysisException) as info:
            write(table, schema, str(tmp_path / fmt), fmt)
        assert info.value.getCondition() == "UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE"
