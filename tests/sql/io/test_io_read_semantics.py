"""Spark's reading semantics: JSON schema inference and parse modes, corrupt records, CSV
options, inference and modes, text line separators."""

from __future__ import annotations

import datetime
import decimal

import duckdb
import pytest
from iohelpers import collect, con, dtypes, utc  # noqa: E402, F401 - fixtures (autouse: utc)

from sparklet.errors import PySparkException
from sparklet.sql import types as T
from sparklet.sql.io import read


def load(con, tmp_path, name, text, fmt, schema=None, **options):
    path = tmp_path / name
    path.write_text(text)
    if isinstance(schema, str):
        schema = T._parse_datatype_string(schema)
    sql, got = read(con, [str(path)], fmt, schema, options)
    return got, sql


# ---------------------------------------------------------------- JSON


def test_json_inference_merges_types(con, tmp_path):
    text = ('{"i": 1, "f": 1, "s": 1, "n": null, "st": {"b": 1}, "arr": [1], "big": 1}\n'
            '{"i": 2, "f": 2.5, "s": "x", "st": {"a": "y"}, "arr": [1.5, null],'
            ' "big": 99999999999999999999, "e": [], "o": {}}\n')
    schema, sql = load(con, tmp_path, "in.json", text, "json")
    assert dtypes(schema) == [
        ("arr", "array<double>"), ("big", "decimal(20,0)"), ("e", "array<string>"),
        ("f", "double"), ("i", "bigint"), ("n", "string"), ("s", "string"),
        ("st", "struct<a:string,b:bigint>")]
    rows = collect(con, sql, schema, "i")
    assert rows[0] == ([1.0], decimal.Decimal(1), None, 1.0, 1, None, "1", (None, 1))
    assert rows[1] == ([1.5, None], decimal.Decimal("99999999999999999999"), [], 2.5, 2, None,
                       "x", ("y", None))


def test_json_primitives_as_string_and_prefers_decimal(con, tmp_path):
    text = '{"a": 1, "b": 2.50, "c": true, "d": null}\n'
    schema, sql = load(con, tmp_path, "in.json", text, "json", primitivesAsString=True)
    assert dtypes(schema) == [("a", "string"), ("b", "string"), ("c", "string"),
                              ("d", "string")]
    assert collect(con, sql, schema) == [("1", "2.50", "true", None)]
    schema, _ = load(con, tmp_path, "in2.json", text, "json", prefersDecimal=True)
    assert dtypes(schema)[1] == ("b", "decimal(3,2)")


def test_json_corrupt_records_permissive(con, tmp_path):
    text = '{"a": 1}\n{oops\n\n   \n[1, 2]\n{"a": 2}\n'
    schema, sql = load(con, tmp_path, "in.json", text, "json")
    assert dtypes(schema) == [("_corrupt_record", "string"), ("a", "bigint")]
    assert collect(con, sql, schema, "a NULLS LAST, 1") == [
        (None, 1), (None, 2), ("[1, 2]", None), ("{oops", None)]
    schema, sql = load(con, tmp_path, "in2.json", text, "json",
                       columnNameOfCorruptRecord="bad")
    assert dtypes(schema)[0] == ("a", "bigint") and dtypes(schema)[1] == ("bad", "string")


def test_json_dropmalformed_and_failfast(con, tmp_path):
    text = '{"a": 1}\n{oops\n'
    schema, sql = load(con, tmp_path, "in.json", text, "json", mode="DROPMALFORMED")
    assert dtypes(schema) == [("a", "bigint")]
    assert collect(con, sql, schema) == [(1,)]
    with pytest.raises(PySparkException) as info:
        load(con, tmp_path, "in2.json", text, "json", mode="FAILFAST")
    assert info.value.getCondition().startswith("MALFORMED_RECORD_IN_PARSING")


def test_json_user_schema_conversions(con, tmp_path):
    text = ('{"i": 1, "d": "NaN", "m": 1.005, "t": "2024-01-05T07:08:09Z", "dt": "2024-1-5",'
            ' "s": {"x": [1]}, "b": "AP8=", "n": "2024-01-05 07:08:09.5"}\n'
            '{"i": 1.5, "d": "x", "m": "big", "t": 5, "dt": 3, "s": 7, "b": 1, "n": "no"}\n'
            '{"i": 3000000000}\n')
    ddl = ("i INT, d DOUBLE, m DECIMAL(4,2), t TIMESTAMP, dt DATE, s STRING, b BINARY, "
           "n TIMESTAMP_NTZ, _corrupt_record STRING")
    schema, sql = load(con, tmp_path, "in.json", text, "json", ddl)
    rows = collect(con, sql, schema)
    first, second, third = rows
    assert first[:8] == (1, first[1], decimal.Decimal("1.01"),
                         datetime.datetime(2024, 1, 5, 7, 8, 9), datetime.date(2024, 1, 5),
                         '{"x":[1]}', bytearray(b"\x00\xff"),
                         datetime.datetime(2024, 1, 5, 7, 8, 9, 500000))
    assert str(first[1]) == "nan" and first[8] is None
    # each value that does not convert is NULL, and the record is kept as corrupt;
    # an integer is seconds since the epoch for a timestamp
    assert second[:8] == (None, None, None, datetime.datetime(1970, 1, 1, 0, 0, 5), None, "7",
                          None, None)
    assert second[8].startswith('{"i": 1.5')
    assert third[0] is None and third[8] == '{"i": 3000000000}'


def test_json_custom_formats(con, tmp_path):
    text = '{"d": "05/01/2024", "t": "05/01/2024 07:08"}\n'
    schema, sql = load(con, tmp_path, "in.json", text, "json", "d DATE, t TIMESTAMP",
                       dateFormat="dd/MM/yyyy", timestampFormat="dd/MM/yyyy HH:mm")
    assert collect(con, sql, schema) == [(datetime.date(2024, 1, 5),
                                          datetime.datetime(2024, 1, 5, 7, 8))]


def test_json_multiline_object_and_line_sep(con, tmp_path):
    schema, sql = load(con, tmp_path, "in.json", '{\n  "a": 1,\n  "b": [1,\n 2]\n}\n', "json",
                       multiLine=True)
    assert collect(con, sql, schema) == [(1, [1, 2])]
    schema, sql = load(con, tmp_path, "in2.json", '{"a": 1}|{"a": 2}', "json", lineSep="|")
    assert collect(con, sql, schema, "a") == [(1,), (2,)]


# ---------------------------------------------------------------- CSV


def test_csv_infer_widening(con, tmp_path):
    text = ("i,l,d,n,b,t,dt,m,s\n"
            "1,1,1,,true,2024-01-05,2024-01-05,99999999999999999999,1\n"
            "2,3000000000,2.5,,FALSE,2024-01-05 07:08:09,2024-01-06,1,x\n")
    schema, sql = load(con, tmp_path, "in.csv", text, "csv", header=True, inferSchema=True)
    assert dtypes(schema) == [("i", "int"), ("l", "bigint"), ("d", "double"), ("n", "string"),
                              ("b", "boolean"), ("t", "timestamp"), ("dt", "date"),
                              ("m", "decimal(20,0)"), ("s", "string")]
    assert collect(con, sql, schema, "i") == [
        (1, 1, 1.0, None, True, datetime.datetime(2024, 1, 5), datetime.date(2024, 1, 5),
         decimal.Decimal("99999999999999999999"), "1"),
        (2, 3000000000, 2.5, None, False, datetime.datetime(2024, 1, 5, 7, 8, 9),
         datetime.date(2024, 1, 6), decimal.Decimal(1), "x")]


def test_csv_quote_escape_and_empty_values(con, tmp_path):
    text = 'a,b,c\n"x\\"y","",\n\'q\',"1,2",z\n'
    schema, sql = load(con, tmp_path, "in.csv", text, "csv", header=True)
    # a quoted "" is emptyValue (""), which equals the default nullValue (""): NULL
    assert collect(con, sql, schema, "a") == [("'q'", "1,2", "z"), ('x"y', None, None)]
    schema, sql = load(con, tmp_path, "in3.csv", 'a,b\n"",\nNA,"NA"\n', "csv", header=True,
                       nullValue="NA")
    assert collect(con, sql, schema, "a NULLS FIRST") == [(None, None), ("", None)]
    schema, sql = load(con, tmp_path, "in2.csv", "'a;b'|c\n", "csv", sep="|", quote="'")
    assert collect(con, sql, schema) == [("a;b", "c")]


def test_csv_short_and_long_rows(con, tmp_path):
    schema, sql = load(con, tmp_path, "in.csv", "a,b\n1\n2,3,4\n", "csv", header=True)
    assert collect(con, sql, schema, "a") == [("1", None), ("2", "3")]


def test_csv_schema_wider_than_file(con, tmp_path):
    schema, sql = load(con, tmp_path, "in.csv", "1,x\n", "csv", "a INT, b STRING, c DOUBLE")
    assert collect(con, sql, schema) == [(1, "x", None)]


def test_csv_modes(con, tmp_path):
    text = "1,x\nbad,y\n"
    schema, sql = load(con, tmp_path, "in.csv", text, "csv", "a INT, b STRING",
                       mode="DROPMALFORMED")
    assert collect(con, sql, schema) == [(1, "x")]
    schema, sql = load(con, tmp_path, "in2.csv", text, "csv", "a INT, b STRING",
                       mode="FAILFAST")
    with pytest.raises(duckdb.Error, match="MALFORMED_RECORD_IN_PARSING"):
        con.sql(sql).fetchall()


def test_csv_custom_formats_and_specials(con, tmp_path):
    text = "05/01/2024,05/01/2024 07:08,NaN,Inf,-Inf,1e3\n"
    schema, sql = load(con, tmp_path, "in.csv", text, "csv",
                       "d DATE, t TIMESTAMP, x DOUBLE, p DOUBLE, n DOUBLE, e DOUBLE",
                       dateFormat="dd/MM/yyyy", timestampFormat="dd/MM/yyyy HH:mm")
    (row,) = collect(con, sql, schema)
    assert row[:2] == (datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 5, 7, 8))
    assert [repr(v) for v in row[2:]] == ["nan", "inf", "-inf", "1000.0"]


def test_csv_header_names(con, tmp_path):
    schema, _ = load(con, tmp_path, "in.csv", "a,,a,b\n1,2,3,4\n", "csv", header=True)
    assert [f.name for f in schema.fields] == ["a0", "_c1", "a2", "b"]


# ---------------------------------------------------------------- text


def test_text_line_separators(con, tmp_path):
    schema, sql = load(con, tmp_path, "in.txt", "a\r\nb\rc\n\nd", "text")
    assert [r[0] for r in con.sql(sql).fetchall()] == ["a", "b", "c", "", "d"]
    schema, sql = load(con, tmp_path, "in2.txt", "a,b,", "text", lineSep=",")
    assert [r[0] for r in con.sql(sql).fetchall()] == ["a", "b"]
    schema, sql = load(con, tmp_path, "in3.txt", "x\n", "text", "line STRING")
    assert dtypes(schema) == [("line", "string")]


def test_csv_values_parse_as_java_does(con, tmp_path):
    # Integer.parseInt and new BigDecimal refuse spaces; Double.parseDouble trims them
    text = " 1,1 , 2.5 ,1.005, true\n"
    schema, sql = load(con, tmp_path, "in.csv", text, "csv",
                       "a INT, b INT, c DOUBLE, d DECIMAL(4,2), e BOOLEAN")
    assert collect(con, sql, schema) == [(None, None, 2.5, decimal.Decimal("1.01"), None)]


def test_json_drop_field_if_all_null(con, tmp_path):
    schema, _ = load(con, tmp_path, "in.json", '{"a": 1, "n": null, "e": []}\n', "json",
                     dropFieldIfAllNull=True)
    assert dtypes(schema) == [("a", "bigint")]


def test_csv_comment_and_encoding(con, tmp_path):
    (tmp_path / "in.csv").write_bytes("#skip\na,é\n".encode("latin-1"))
    sql, schema = read(con, [str(tmp_path / "in.csv")], "csv", None,
                       {"comment": "#", "encoding": "latin-1"})
    assert collect(con, sql, schema) == [("a", "é")]


def test_csv_backslashes_stay_unless_before_a_quote(con, tmp_path):
    # univocity (Spark's CSV parser) only unescapes \" inside quotes: C:\dir keeps its
    # backslash, quoted or not
    text = 'p,q\n"C:\\dir\\x","say \\"hi\\""\nC:\\tmp,"a,b"\n,""\n'
    schema, sql = load(con, tmp_path, "in.csv", text, "csv", header=True)
    assert collect(con, sql, schema, "q NULLS LAST") == [
        ("C:\\tmp", "a,b"), ("C:\\dir\\x", 'say "hi"'), (None, None)]


def test_csv_written_backslashes_round_trip(con, tmp_path):
    from iohelpers import frame

    from sparklet.sql.io import write

    table, schema = frame([('a\\b "c"', 1), ("x\\", 2)], "s STRING, i INT")
    write(table, schema, str(tmp_path / "c"), "csv")
    sql, got = read(con, [str(tmp_path / "c")], "csv", schema, {})
    assert collect(con, sql, got, "i") == [('a\\b "c"', 1), ("x\\", 2)]


def test_json_single_quotes_allowed_by_default(con, tmp_path):
    text = "{'a': 1, 'b': 'it\\'s'}\n"
    schema, sql = load(con, tmp_path, "in.json", text, "json")
    assert collect(con, sql, schema) == [(1, "it's")]
    schema, _ = load(con, tmp_path, "in2.json", text, "json", allowSingleQuotes=False)
    assert dtypes(schema) == [("_corrupt_record", "string")]


def test_csv_corrupt_record_column(con, tmp_path):
    text = "1,x\nbad,y\n"
    schema, sql = load(con, tmp_path, "in.csv", text, "csv",
                       "a INT, _corrupt_record STRING, b STRING")
    assert collect(con, sql, schema, "b") == [(1, None, "x"), (None, "bad,y", "y")]


def test_empty_json_and_csv_have_an_empty_schema(con, tmp_path):
    for name, fmt in (("e.json", "json"), ("e.csv", "csv")):
        schema, sql = load(con, tmp_path, name, "", fmt)
        assert schema.fields == [] and con.sql(sql).fetchall() == []
