"""The exact text Spark's JSON and CSV writers produce (from the recorded cases' rules and
Spark's documented defaults: ``ignoreNullFields``, ``escape`` ``\\``, ``emptyValue``
``""``, trimmed values, Java number strings, the default datetime patterns)."""

from __future__ import annotations

import datetime
import decimal

from iohelpers import con, frame, part_lines, utc  # noqa: E402, F401 - fixtures (autouse: utc)

from sparklet.sql.io import write


def json_lines(tmp_path, rows, ddl, **options):
    table, schema = frame(rows, ddl)
    write(table, schema, str(tmp_path / "j"), "json", options=options)
    return part_lines(tmp_path / "j")


def csv_lines(tmp_path, rows, ddl, **options):
    table, schema = frame(rows, ddl)
    write(table, schema, str(tmp_path / "c"), "csv", options=options)
    return part_lines(tmp_path / "c")


def test_json_numbers_as_java_prints_them(tmp_path):
    rows = [(0.1, 0.1, 1e20, 1e-5, 123456789.0, decimal.Decimal("0.00000010"), -0.0)]
    ddl = "f FLOAT, d DOUBLE, big DOUBLE, small DOUBLE, mid DOUBLE, m DECIMAL(10,8), z DOUBLE"
    assert json_lines(tmp_path, rows, ddl) == [
        '{"f":0.1,"d":0.1,"big":1.0E20,"small":1.0E-5,"mid":1.23456789E8,"m":1.0E-7,'
        '"z":-0.0}']


def test_json_specials_strings_and_binary(tmp_path):
    rows = [(float("inf"), float("-inf"), 'a"b\\c\nd\te\x01ü', bytearray(b"\x00\xffab"))]
    assert json_lines(tmp_path, rows, "p DOUBLE, n FLOAT, s STRING, b BINARY") == [
        '{"p":"Infinity","n":"-Infinity","s":"a\\"b\\\\c\\nd\\te\\u0001ü","b":"AP9hYg=="}']


def test_json_nested_values(tmp_path):
    rows = [([1, None, 3], {"k": 1.5, "n": None}, (1, None, [datetime.date(2024, 1, 5)]),
             {1: "x"})]
    ddl = ("a ARRAY<INT>, m MAP<STRING,DOUBLE>, s STRUCT<x: INT, y: STRING, z: ARRAY<DATE>>, "
           "im MAP<INT,STRING>")
    assert json_lines(tmp_path, rows, ddl) == [
        '{"a":[1,null,3],"m":{"k":1.5,"n":null},"s":{"x":1,"z":["2024-01-05"]},'
        '"im":{"1":"x"}}']


def test_json_timestamps_and_null_fields(tmp_path):
    rows = [(datetime.datetime(2024, 1, 5, 7, 8, 9, 123456),
             datetime.datetime(2024, 1, 5, 7, 8, 9), None)]
    ddl = "t TIMESTAMP, n TIMESTAMP_NTZ, x INT"
    assert json_lines(tmp_path, rows, ddl) == [
        '{"t":"2024-01-05T07:08:09.123Z","n":"2024-01-05T07:08:09.000"}']
    assert json_lines(tmp_path / "2", rows, ddl, ignoreNullFields=False,
                      timestampFormat="yyyy/MM/dd HH:mm", dateFormat="dd.MM.yyyy") == [
        '{"t":"2024/01/05 07:08","n":"2024-01-05T07:08:09.000","x":null}']


def test_csv_quoting_rules(tmp_path):
    rows = [("plain", "a,b", 'x"y', "", None, "  padded  ", "line\nbreak")]
    ddl = "a STRING, b STRING, c STRING, d STRING, e STRING, f STRING, g STRING"
    assert csv_lines(tmp_path, rows, ddl) == ['plain,"a,b","x\\"y","",,padded,"line', 'break"']


def test_csv_options(tmp_path):
    rows = [(1, None, "a;b", datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 5, 7, 8, 9))]
    ddl = "i INT, n STRING, s STRING, d DATE, t TIMESTAMP"
    assert csv_lines(tmp_path, rows, ddl, sep=";", nullValue="NULL", header=True,
                     dateFormat="MM/dd/yyyy", timestampFormat="yyyy-MM-dd HH:mm:ss") == [
        "i;n;s;d;t", '1;NULL;"a;b";01/05/2024;2024-01-05 07:08:09']
    assert csv_lines(tmp_path / "q", [("a", 1)], "s STRING, i INT", quoteAll=True) == \
        ['"a","1"']
    assert csv_lines(tmp_path / "e", [('x"y',)], "s STRING", quote="'", escape="\\") == \
        ['x"y']
    assert csv_lines(tmp_path / "n", [('x"y',)], "s STRING", escapeQuotes=False) == ['x"y']


def test_csv_numbers(tmp_path):
    rows = [(1e20, 0.1, decimal.Decimal("6.70"), True, -5)]
    assert csv_lines(tmp_path, rows, "d DOUBLE, f FLOAT, m DECIMAL(5,2), b BOOLEAN, l BIGINT") \
        == ["1.0E20,0.1,6.70,true,-5"]


def test_empty_frame_still_writes_a_part_file(tmp_path):
    table, schema = frame([], "a INT, b STRING")
    write(table, schema, str(tmp_path / "c"), "csv", options={"header": True})
    assert part_lines(tmp_path / "c") == ["a,b"]
    write(table, schema, str(tmp_path / "j"), "json")
    assert part_lines(tmp_path / "j") == []
