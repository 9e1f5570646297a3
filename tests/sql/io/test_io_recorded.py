"""The ``io`` cases of tests/sql_parity recorded on PySpark 4.3, replayed at the data source
level: what the DataFrame would hand ``write`` (an Arrow table and its schema) and what
``read`` gives back (a DuckDB relation and its schema), against PySpark's rows and dtypes."""

from __future__ import annotations

import datetime
import decimal
import os
import pathlib

import pytest
from iohelpers import (  # noqa: E402, F401 - fixtures (autouse: utc)
    collect,
    con,
    dtypes,
    frame,
    part_files,
    part_lines,
    people,
    recorded,
    recorded_value,
    utc,
)

from sparklet.errors import AnalysisException
from sparklet.sql import types as T
from sparklet.sql.io import read, write


def _write_people(path, fmt="parquet", **kw):
    table, schema = people()
    write(table, schema, str(path), fmt, **kw)


def test_csv_all_types_text(tmp_path):
    table, schema = frame(
        [(1, 2.5, decimal.Decimal("6.70"), "a,b", True, datetime.date(2024, 1, 5),
          datetime.datetime(2024, 1, 5, 7, 8, 9), None)],
        "a INT, b DOUBLE, c DECIMAL(5,2), d STRING, e BOOLEAN, f DATE, g TIMESTAMP, h STRING")
    write(table, schema, str(tmp_path / "c"), "csv")
    assert part_lines(tmp_path / "c") == recorded_value("csv_all_types_text")


def test_csv_header_infer(tmp_path, con):
    (tmp_path / "in.csv").write_text("a,b,c\n1,x,2.5\n2,,\n")
    sql, schema = read(con, [str(tmp_path / "in.csv")], "csv", None,
                       {"header": True, "inferSchema": True})
    assert (dtypes(schema), collect(con, sql, schema, "a")) == recorded_value("csv_header_infer")


def test_csv_infer_types(tmp_path, con):
    (tmp_path / "in.csv").write_text(
        "a,b,c,d,e\n1,2.5,true,2024-01-05,2024-01-05 07:08:09\n"
        "3000000000,x,false,2024-01-06,2024-01-06 00:00:00\n")
    _, schema = read(con, [str(tmp_path / "in.csv")], "csv", None,
                     {"header": True, "inferSchema": True})
    assert dtypes(schema) == recorded_value("csv_infer_types")


def test_csv_no_header(tmp_path, con):
    (tmp_path / "in.csv").write_text("1,x\n2,y\n")
    sql, schema = read(con, [str(tmp_path / "in.csv")], "csv", None, {})
    assert (dtypes(schema), collect(con, sql, schema, "_c0")) == recorded_value("csv_no_header")


def test_csv_options(tmp_path, con):
    (tmp_path / "in.csv").write_text('a;b\n1;"x;y"\nNA;z\n')
    sql, schema = read(con, [str(tmp_path / "in.csv")], "csv", None,
                       {"header": True, "sep": ";", "nullValue": "NA"})
    assert collect(con, sql, schema, "b") == recorded_value("csv_options")


def test_csv_schema(tmp_path, con):
    (tmp_path / "in.csv").write_text("1,x\nbad,y\n")
    sql, schema = read(con, [str(tmp_path / "in.csv")], "csv",
                       T._parse_datatype_string("a INT, b STRING"), {})
    assert collect(con, sql, schema, "b") == recorded_value("csv_schema")


def test_csv_write_read(tmp_path, con):
    _write_people(tmp_path / "c", "csv", options={"header": True})
    sql, schema = read(con, [str(tmp_path / "c")], "csv", None, {"header": "true"})
    assert collect(con, sql, schema, "id") == recorded_value("csv_write_read")


def test_csv_write_text(tmp_path):
    _write_people(tmp_path / "c", "csv", options={"header": True})
    assert part_lines(tmp_path / "c") == recorded_value("csv_write_text")


def test_format_load(tmp_path, con):
    _write_people(tmp_path / "p", "PARQUET")
    sql, schema = read(con, [str(tmp_path / "p")], "parquet", None, {})
    assert con.sql(f"SELECT count(*) FROM ({sql})").fetchall()[0][0] == \
        recorded_value("format_load")


ALL_JSON = ("a BIGINT, b DOUBLE, c DECIMAL(5,2), d STRING, e BOOLEAN, f DATE, g TIMESTAMP, "
            "h ARRAY<INT>, i MAP<STRING,INT>, j STRUCT<x: INT, y: STRING>")
ALL_ROW = (1, 2.5, decimal.Decimal("6.70"), "s", True, datetime.date(2024, 1, 5),
           datetime.datetime(2024, 1, 5, 7, 8, 9), [1, 2], {"k": 1}, (1, "a"))


def test_json_all_types(tmp_path, con):
    table, schema = frame([ALL_ROW], ALL_JSON)
    write(table, schema, str(tmp_path / "j"), "json")
    sql, schema = read(con, [str(tmp_path / "j")], "json", None, {})
    assert (dtypes(schema), collect(con, sql, schema)) == recorded_value("json_all_types")


def test_json_all_types_schema(tmp_path, con):
    ddl = "a BIGINT, c DECIMAL(5,2), f DATE, g TIMESTAMP, h ARRAY<INT>, i MAP<STRING,INT>"
    table, schema = frame([(1, decimal.Decimal("6.70"), datetime.date(2024, 1, 5),
                            datetime.datetime(2024, 1, 5, 7, 8, 9), [1, 2], {"k": 1})], ddl)
    write(table, schema, str(tmp_path / "j"), "json")
    sql, schema = read(con, [str(tmp_path / "j")], "json", T._parse_datatype_string(ddl), {})
    assert collect(con, sql, schema) == recorded_value("json_all_types_schema")


def test_json_corrupt_record(tmp_path, con):
    (tmp_path / "in.json").write_text('{"a": 1}\n{oops\n')
    _, schema = read(con, [str(tmp_path / "in.json")], "json", None, {})
    assert dtypes(schema) == recorded_value("json_corrupt_record")


def test_json_lines_text(tmp_path):
    _write_people(tmp_path / "j", "json")
    assert part_lines(tmp_path / "j") == recorded_value("json_lines_text")


def test_json_multiline(tmp_path, con):
    (tmp_path / "in.json").write_text('[{"a": 1}, {"a": 2}]')
    sql, schema = read(con, [str(tmp_path / "in.json")], "json", None, {"multiLine": True})
    assert collect(con, sql, schema, "a") == recorded_value("json_multiline")


def test_json_read_infer(tmp_path, con):
    (tmp_path / "in.json").write_text(
        '{"a": 1, "b": "x", "c": [1, 2], "d": {"e": 1.5}}\n{"a": 2, "f": null}\n')
    sql, schema = read(con, [str(tmp_path / "in.json")], "json", None, {})
    assert (dtypes(schema), collect(con, sql, schema, "a")) == recorded_value("json_read_infer")


def test_json_read_schema(tmp_path, con):
    (tmp_path / "in.json").write_text('{"a": 1, "b": "x"}\n{"a": "bad"}\n')
    sql, schema = read(con, [str(tmp_path / "in.json")], "json",
                       T._parse_datatype_string("a INT, b STRING"), {})
    assert collect(con, sql, schema, "b NULLS FIRST") == recorded_value("json_read_schema")


def test_json_text_types(tmp_path):
    table, schema = frame([(decimal.Decimal("6.70"), datetime.date(2024, 1, 5),
                            datetime.datetime(2024, 1, 5, 7, 8, 9, 5000), 1.0, float("nan"))],
                          "c DECIMAL(5,2), f DATE, g TIMESTAMP, d DOUBLE, n DOUBLE")
    write(table, schema, str(tmp_path / "j"), "json")
    assert part_lines(tmp_path / "j") == recorded_value("json_text_types")


def test_json_write_read(tmp_path, con):
    _write_people(tmp_path / "j", "json")
    sql, schema = read(con, [str(tmp_path / "j")], "json", None, {})
    assert (dtypes(schema), collect(con, sql, schema, "id")) == recorded_value("json_write_read")


ALL_ORC = ("a BIGINT, b DOUBLE, c DECIMAL(5,2), d STRING, e BOOLEAN, f DATE, g TIMESTAMP, "
           "h ARRAY<INT>, i MAP<STRING,INT>, j STRUCT<x: INT, y: STRING>")


def test_orc_all_types(tmp_path, con):
    row = ALL_ROW[:7] + ([1],) + ALL_ROW[8:]
    table, schema = frame([row], ALL_ORC)
    write(table, schema, str(tmp_path / "o"), "orc")
    sql, schema = read(con, [str(tmp_path / "o")], "orc", None, {})
    assert (dtypes(schema), collect(con, sql, schema)) == recorded_value("orc_all_types")


def test_orc_roundtrip(tmp_path, con):
    _write_people(tmp_path / "o", "orc")
    sql, schema = read(con, [str(tmp_path / "o")], "orc", None, {})
    assert collect(con, sql, schema, "id") == recorded_value("orc_roundtrip")


def test_parquet_all_types(tmp_path, con):
    table, schema = frame(
        [(1, 2, 3, 4.5, 5.5, decimal.Decimal("6.70"), "s", True, datetime.date(2024, 1, 5),
          datetime.datetime(2024, 1, 5, 7, 8, 9), bytearray(b"x"), [1], {"k": 1}, (1, "a"))],
        "a TINYINT, b SMALLINT, c BIGINT, d FLOAT, e DOUBLE, f DECIMAL(5,2), g STRING, "
        "h BOOLEAN, i DATE, j TIMESTAMP, k BINARY, l ARRAY<INT>, m MAP<STRING,INT>, "
        "n STRUCT<x: INT, y: STRING>")
    write(table, schema, str(tmp_path / "t"), "parquet")
    sql, schema = read(con, [str(tmp_path / "t")], "parquet", None, {})
    assert (dtypes(schema), collect(con, sql, schema)) == recorded_value("parquet_all_types")


def test_parquet_merge_schema(tmp_path, con):
    t1, s1 = frame([(1,)], "a INT")
    t2, s2 = frame([(2, "x")], "a INT, b STRING")
    write(t1, s1, str(tmp_path / "p" / "k=1"), "parquet")
    write(t2, s2, str(tmp_path / "p" / "k=2"), "parquet")
    sql, schema = read(con, [str(tmp_path / "p")], "parquet", None, {"mergeSchema": True})
    assert collect(con, sql, schema, "a") == recorded_value("parquet_merge_schema")


def _count(con, path) -> int:
    sql, _ = read(con, [str(path)], "parquet", None, {})
    return con.sql(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]


def test_parquet_mode_append(tmp_path, con):
    _write_people(tmp_path / "p")
    _write_people(tmp_path / "p", mode="append")
    assert _count(con, tmp_path / "p") == recorded_value("parquet_mode_append")


def test_parquet_mode_error(tmp_path):
    _write_people(tmp_path / "p")
    with pytest.raises(AnalysisException) as info:
        _write_people(tmp_path / "p")
    error = recorded("parquet_mode_error")["error"]
    assert info.value.getCondition() == error["condition"]
    assert str(info.value) == error["message"].replace("<tmp>", str(tmp_path))


def test_parquet_mode_ignore(tmp_path, con):
    table, schema = people()
    write(table.slice(0, 1), schema, str(tmp_path / "p"), "parquet")
    _write_people(tmp_path / "p", mode="ignore")
    assert _count(con, tmp_path / "p") == recorded_value("parquet_mode_ignore")


def test_parquet_mode_overwrite(tmp_path, con):
    table, schema = people()
    _write_people(tmp_path / "p")
    write(table.slice(0, 1), schema, str(tmp_path / "p"), "parquet", mode="overwrite")
    assert _count(con, tmp_path / "p") == recorded_value("parquet_mode_overwrite")


def test_parquet_partition_by(tmp_path, con):
    _write_people(tmp_path / "p", partition_by=["city"])
    sql, schema = read(con, [str(tmp_path / "p")], "parquet", None, {})
    assert (dtypes(schema), collect(con, sql, schema, "id")) == \
        recorded_value("parquet_partitionBy")


def test_parquet_partition_dirs(tmp_path):
    _write_people(tmp_path / "p", partition_by=["city"])
    listing = sorted(d for d in os.listdir(tmp_path / "p") if not d.startswith((".", "_")))
    assert listing == recorded_value("parquet_partition_dirs")


def test_parquet_partition_int_infer(tmp_path, con):
    table, schema = frame([(1, 10), (2, 20)], "a INT, y INT")
    write(table, schema, str(tmp_path / "p"), "parquet", partition_by=["y"])
    _, schema = read(con, [str(tmp_path / "p")], "parquet", None, {})
    assert dtypes(schema) == recorded_value("parquet_partition_int_infer")


def test_parquet_read_partition_filter(tmp_path, con):
    _write_people(tmp_path / "p", partition_by=["city"])
    sql, schema = read(con, [str(tmp_path / "p")], "parquet", None, {})
    rows = con.sql(f"SELECT id FROM ({sql}) WHERE city = 'SF' ORDER BY id").fetchall()
    assert rows == [tuple(r) for r in recorded_value("parquet_read_partition_filter")]


def test_parquet_roundtrip(tmp_path, con):
    _write_people(tmp_path / "p")
    sql, schema = read(con, [str(tmp_path / "p")], "parquet", None, {})
    case = recorded("parquet_roundtrip")
    assert [list(d) for d in dtypes(schema)] == case["dtypes"]
    assert [repr(r) for r in collect(con, sql, schema, "id")] == case["rows"]


def test_parquet_schema(tmp_path, con):
    _write_people(tmp_path / "p")
    _, schema = read(con, [str(tmp_path / "p")], "parquet", None, {})
    assert dtypes(schema) == recorded_value("parquet_schema")


def test_parquet_ts_ntz(tmp_path, con):
    table, schema = frame([(datetime.datetime(2024, 1, 5, 7, 8, 9),)], "t TIMESTAMP_NTZ")
    write(table, schema, str(tmp_path / "p"), "parquet")
    sql, schema = read(con, [str(tmp_path / "p")], "parquet", None, {})
    assert (dtypes(schema), collect(con, sql, schema)) == recorded_value("parquet_ts_ntz")


def test_read_csv_multiple_files(tmp_path, con):
    (tmp_path / "a.csv").write_text("x\n1\n")
    (tmp_path / "b.csv").write_text("x\n2\n")
    sql, schema = read(con, [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")], "csv", None,
                       {"header": True})
    assert collect(con, sql, schema, "x") == recorded_value("read_csv_multiple_files")


def test_read_missing_path(tmp_path, con):
    with pytest.raises(AnalysisException) as info:
        read(con, [str(tmp_path / "missing")], "parquet", None, {})
    error = recorded("read_missing_path")["error"]
    assert info.value.getCondition() == error["condition"]
    assert str(info.value) == error["message"].replace("<tmp>", str(tmp_path))


def test_read_text_wholetext(tmp_path, con):
    (tmp_path / "in.txt").write_text("a\nb\n")
    sql, schema = read(con, [str(tmp_path / "in.txt")], "text", None, {"wholetext": True})
    assert collect(con, sql, schema) == recorded_value("read_text_wholetext")


def test_save_mode_errorifexists_text(tmp_path):
    _write_people(tmp_path / "p")
    with pytest.raises(AnalysisException) as info:
        _write_people(tmp_path / "p", mode="errorifexists")
    assert type(info.value).__name__ == recorded_value("save_mode_errorifexists_text")


def test_text_read(tmp_path, con):
    (tmp_path / "in.txt").write_text("hello\nworld\n")
    sql, schema = read(con, [str(tmp_path / "in.txt")], "text", None, {})
    case = recorded("text_read")
    assert [list(d) for d in dtypes(schema)] == case["dtypes"]
    assert [repr(r) for r in collect(con, sql, schema, "value")] == case["rows"]


def test_text_write(tmp_path):
    table, schema = frame([("a",), ("b",)], "value STRING")
    write(table, schema, str(tmp_path / "t"), "text")
    assert part_lines(tmp_path / "t") == recorded_value("text_write")


def test_write_bad_mode(tmp_path):
    with pytest.raises(AnalysisException) as info:
        _write_people(tmp_path / "p", mode="nope")
    error = recorded("write_bad_mode")["error"]
    assert info.value.getCondition() == error["condition"]
    assert str(info.value) == error["message"]
    assert not (tmp_path / "p").exists()


def test_write_files_layout(tmp_path):
    _write_people(tmp_path / "p")
    names = sorted(f.split("-")[0] if f.startswith("part-") else f
                   for f in os.listdir(tmp_path / "p") if not f.startswith("."))
    assert names == recorded_value("write_files_layout")
    assert len(part_files(tmp_path / "p")) == 1
    assert pathlib.Path(tmp_path / "p" / "_SUCCESS").read_bytes() == b""
