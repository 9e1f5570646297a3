"""``show()`` and ``printSchema()`` text (``sparklet.sql.show``, ``StructType.treeString``).

Each recorded case of areas ``show`` and ``schema`` in ``tests/sql_parity/pyspark_results.json``
is rebuilt by hand: the schema and the rows ``collect()`` gives for the case's ``code`` are
written here (from the code, not from the output) and the text must equal the ``stdout`` real
PySpark 4.3 printed, less the newline ``print()`` adds. Rules no recorded case covers are
checked against text derived from Spark's source (``Dataset.showString``, ``ToStringBase``,
``IntervalUtils``, ``SchemaUtils.escapeMetaCharacters``) or PySpark's ``_show_string``; each
such test says so.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from sparklet.errors import PySparkTypeError
from sparklet.sql.show import (
    java_double_string,
    java_float_string,
    show_string,
    value_to_string,
)
from sparklet.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    ByteType,
    CalendarIntervalType,
    DateType,
    DayTimeIntervalType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    MapType,
    NullType,
    Row,
    ShortType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
    TimeType,
    YearMonthIntervalType,
    _parse_datatype_string,
)

_RESULTS = Path(__file__).parents[1] / "sql_parity" / "pyspark_results.json"
CASES = json.loads(_RESULTS.read_text())["cases"]


def recorded(case: str) -> str:
    """What PySpark printed for ``case``, without the newline print() adds."""
    out = CASES[case]["stdout"]
    assert out.endswith("\n")
    return out[:-1]


def ddl(text: str) -> StructType:
    schema = _parse_datatype_string(text)
    assert isinstance(schema, StructType)
    return schema


PEOPLE = ddl("id INT, name STRING, age INT, city STRING")
PEOPLE_ROWS = [
    Row(id=1, name="Alice", age=34, city="NY"),
    Row(id=2, name="Bob", age=None, city="SF"),
    Row(id=3, name="Cara", age=29, city=None),
    Row(id=4, name=None, age=51, city="NY"),
    Row(id=5, name="Dan", age=29, city="SF"),
]


def fields(*specs: tuple) -> StructType:
    """A schema of (name, type[, nullable]) for headers DDL cannot spell (``(1 + 1)``)."""
    return StructType([StructField(*spec) for spec in specs])


# (case, schema, rows, show() keywords): rows are what collect() returns for the case's code,
# one more than n where the DataFrame has more (showString fetches n + 1 rows).
SHOW_CASES = [
    ("show.agg_header",
     fields(("g", StringType()), ("sum(v)", LongType()), ("avg(v)", DoubleType()),
            ("count(1)", LongType(), False)),
     [("a", 50, 50 / 3, 3), ("b", 5, 5.0, 2), ("c", 7, 7.0, 1)], {}),
    ("show.array_of_strings", ddl("a ARRAY<STRING>, e ARRAY<STRING>"), [(["a", "b"], [])], {}),
    ("show.arrays_maps_structs",
     ddl("a ARRAY<INT>, m MAP<STRING,INT>, s STRUCT<i: INT, s: STRING>, n ARRAY<ARRAY<INT>>"),
     [([1, None, 3], {"a": 1, "b": None}, Row(i=1, s="z"), [[1], []])], {}),
    ("show.binary", ddl("b BINARY"), [(bytearray(b"ab\x00"),)], {}),
    ("show.booleans_nulls", ddl("b BOOLEAN, s STRING"), [(True, None), (False, "x")], {}),
    ("show.dates_ts", ddl("d DATE, t TIMESTAMP, u TIMESTAMP"),
     [(datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 5, 7, 8, 9),
       datetime.datetime(2024, 1, 5, 7, 8, 9, 120000))], {}),
    ("show.decimal_zero_scale", ddl("a DECIMAL(10,0), b DECIMAL(3,3), c DECIMAL(5,2)"),
     [(Decimal("5"), Decimal("0.500"), Decimal("-1.25"))], {}),
    ("show.decimals", ddl("a DECIMAL(10,2), b DECIMAL(6,4)"),
     [(Decimal("1.50"), Decimal("-0.0010"))], {}),
    ("show.default", PEOPLE, PEOPLE_ROWS, {}),
    ("show.double_formats", ddl("a DOUBLE, b DOUBLE, c DOUBLE, d DOUBLE, e DOUBLE"),
     [(0.1 + 0.2, 1e7, 1.5e-4, 123456789.125, -0.0)], {}),
    ("show.empty", ddl("x INT, y STRING"), [], {}),
    ("show.empty_vertical", ddl("x INT, y STRING"), [], {"vertical": True}),
    ("show.expr_header",
     fields(("(id + 1)", LongType(), False), ("x", StringType(), False),
            ("upper(a)", StringType(), False)),
     [(1, "x", "A")], {}),
    # collect() gives the float32 values widened to double.
    ("show.float32", ddl("a FLOAT, b FLOAT"), [(0.10000000149011612, 3.0)], {}),
    ("show.floats", ddl("a DOUBLE, b DOUBLE, c DOUBLE, d DOUBLE, e DOUBLE, f DOUBLE"),
     [(1.0, 2.5, 1e20, 1e-5, float("nan"), float("inf"))], {}),
    ("show.interval_show",
     fields(("a", DayTimeIntervalType(0, 0), False), ("b", YearMonthIntervalType(0, 1), False)),
     [(datetime.timedelta(days=3), 14)], {}),
    ("show.map_nested", ddl("m MAP<STRING,ARRAY<INT>>"), [({"a": [1, 2]},)], {}),
    ("show.more_than_20", fields(("id", LongType(), False)), [(i,) for i in range(21)], {}),
    ("show.n0", PEOPLE, PEOPLE_ROWS[:1], {"n": 0}),
    ("show.n1_singular", PEOPLE, PEOPLE_ROWS[:2], {"n": 1}),
    ("show.n2", PEOPLE, PEOPLE_ROWS[:3], {"n": 2}),
    ("show.negative_and_long", ddl("a INT, b DOUBLE, c BIGINT"), [(-1, -2.5, 12345678901234)],
     {}),
    ("show.nested_struct_null", ddl("s STRUCT<i: INT, s: STRING>"),
     [(Row(i=None, s="z"),), (None,)], {}),
    ("show.numbers_align", ddl("a INT, b INT, c BIGINT"), [(1, -22, 333333333333)], {}),
    ("show.range_show", fields(("id", LongType(), False)), [(0,), (1,), (2,)], {}),
    ("show.show_null_only_column", fields(("n", NullType()), ("one", IntegerType(), False)),
     [(None, 1)], {}),
    ("show.show_sql_range", fields(("id", LongType(), False), ("twice", LongType(), False)),
     [(0, 0), (1, 2), (2, 4)], {}),
    ("show.sql_headers",
     fields(("(1 + 1)", IntegerType(), False), ("concat(a, b)", StringType(), False),
            ("CAST(1 AS DOUBLE)", DoubleType(), False), ("NULL", NullType()),
            ("array(1, 2)", ArrayType(IntegerType(), False), False),
            ("map(k, 1)", MapType(StringType(), IntegerType(), False), False),
            ("named_struct(a, 1)", ddl("a INT NOT NULL"), False)),
     [(2, "ab", 1.0, None, [1, 2], {"k": 1}, Row(a=1))], {}),
    ("show.truncate_3", ddl("s STRING, n INT"), [("abcdefghij", 1)], {"truncate": 3}),
    ("show.truncate_5", ddl("s STRING, n INT"), [("abcdefghij", 1), ("ab", 22)],
     {"truncate": 5}),
    ("show.truncate_default", ddl("s STRING, n INT"), [("x" * 30, 1)], {}),
    ("show.truncate_false", ddl("s STRING, n INT"), [("x" * 30, 1)], {"truncate": False}),
    ("show.truncate_false_nested", ddl("a ARRAY<STRING>, m MAP<STRING,STRING>"),
     [(["a" * 25], {"k": "v" * 25})], {"truncate": False}),
    ("show.truncate_nested_default", ddl("a ARRAY<INT>"), [(list(range(10)),)], {}),
    ("show.truncate_unicode", ddl("s STRING"), [("日本語" * 7,)], {}),
    ("show.ts_micros", ddl("t TIMESTAMP"), [(datetime.datetime(2024, 1, 5, 7, 8, 9, 123456),)],
     {"truncate": False}),
    ("show.ts_ntz", ddl("t TIMESTAMP_NTZ"), [(datetime.datetime(2024, 1, 5, 7, 8, 9),)], {}),
    ("show.unicode", ddl("a STRING, b STRING"), [("héllo", "日本語"), ("x", "y")], {}),
    ("show.vertical", PEOPLE, PEOPLE_ROWS, {"vertical": True}),
    ("show.vertical_n2", PEOPLE, PEOPLE_ROWS[:3], {"n": 2, "vertical": True}),
    ("show.vertical_truncate", ddl("s STRING, n INT"), [("x" * 30, 1)],
     {"vertical": True, "truncate": 4}),
    ("show.vertical_wide_values", ddl("a_long_name STRING, b INT"), [("x" * 30, 1)],
     {"vertical": True, "truncate": False}),
    ("show.wide_header", ddl("a_very_long_column_name INT"), [(1,)], {}),
]  # fmt: skip


def test_every_recorded_show_case_is_rebuilt():
    recorded_cases = {k for k, v in CASES.items() if v["area"] == "show"}
    assert recorded_cases == {case for case, *_ in SHOW_CASES}


@pytest.mark.parametrize(("case", "schema", "rows", "kwargs"), SHOW_CASES,
                         ids=[c[0] for c in SHOW_CASES])  # fmt: skip
def test_recorded_show(case, schema, rows, kwargs):
    assert show_string(schema, rows, **kwargs) == recorded(case)


def test_has_more_without_the_extra_row():
    # The DataFrame may say "more" instead of passing row n + 1.
    rows = [(i,) for i in range(20)]
    schema = fields(("id", LongType(), False))
    assert show_string(schema, rows, has_more=True) == recorded("show.more_than_20")
    assert show_string(PEOPLE, [], n=0, has_more=True) == recorded("show.n0")


def test_decimal_takes_the_type_scale():
    # The case's code passes Decimal("1.5") for DECIMAL(10,2); Spark stores it as 1.50.
    rows = [(Decimal("1.5"), Decimal("-0.001"))]
    assert show_string(ddl("a DECIMAL(10,2), b DECIMAL(6,4)"), rows) == recorded("show.decimals")


# ---------------------------------------------------------------- printSchema (treeString)

TREE_CASES = [
    ("schema.print_all_types",
     fields(("a", ByteType(), False), ("b", ShortType(), False), ("c", IntegerType(), False),
            ("d", LongType(), False), ("e", FloatType(), False), ("f", DoubleType(), False),
            ("g", DecimalType(2, 1), False), ("h", StringType(), False),
            ("i", BooleanType(), False), ("j", DateType(), False),
            ("k", TimestampType(), False), ("l", BinaryType(), False),
            ("m", TimestampNTZType(), False)), {}),
    ("schema.print_flat", PEOPLE, {}),
    ("schema.print_level", ddl("s STRUCT<a: INT, b: STRUCT<c: INT, d: INT>>"), {"maxDepth": 2}),
    ("schema.print_nested", ddl("a ARRAY<INT>, m MAP<STRING,INT>, s STRUCT<i: INT, t: "
                                "ARRAY<STRING>>"), {}),
    ("schema.print_notnull", ddl("x INT NOT NULL, y STRING"), {}),
    ("schema.print_range", fields(("id", LongType(), False)), {}),
    ("schema.print_sql_literals",
     fields(("i", IntegerType(), False), ("s", StringType(), False), ("n", NullType()),
            ("d", DecimalType(2, 1), False), ("a", ArrayType(IntegerType(), False), False)), {}),
]  # fmt: skip


def test_every_recorded_print_schema_case_is_rebuilt():
    recorded_cases = {k for k, v in CASES.items() if "printSchema" in v["code"]}
    assert recorded_cases == {case for case, *_ in TREE_CASES}


@pytest.mark.parametrize(("case", "schema", "kwargs"), TREE_CASES,
                         ids=[c[0] for c in TREE_CASES])  # fmt: skip
def test_recorded_print_schema(case, schema, kwargs):
    assert schema.treeString(**kwargs) == recorded(case)


def test_tree_string_names_and_levels_from_spark_source():
    # Derived from StructField.buildFormattedString (names through escapeMetaCharacters) and
    # the interval/char types' typeName; level <= 0 prints everything.
    schema = fields(("a\tb\n", ArrayType(MapType(StringType(), DayTimeIntervalType(0, 3)))),
                    ("c", _parse_datatype_string("char(3)")),
                    ("y", YearMonthIntervalType(0, 1)), ("t", TimeType(6)))
    assert schema.treeString(0) == (
        "root\n"
        " |-- a\\tb\\n: array (nullable = true)\n"
        " |    |-- element: map (containsNull = true)\n"
        " |    |    |-- key: string\n"
        " |    |    |-- value: interval day to second (valueContainsNull = true)\n"
        " |-- c: char(3) (nullable = true)\n"
        " |-- y: interval year to month (nullable = true)\n"
        " |-- t: time(6) (nullable = true)\n"
    )
    assert schema.treeString(1).count("\n") == 5


# ---------------------------------------------------------------- rules no case records


def test_truncate_zero_and_negative_are_whole_and_left_aligned():
    # Dataset.showString: truncate > 0 right-aligns and cuts, anything else does neither.
    schema = ddl("s STRING, n INT")
    rows = [("x" * 30, 1)]
    whole = recorded("show.truncate_false")
    assert show_string(schema, rows, truncate=0) == whole
    assert show_string(schema, rows, truncate=-1) == whole


def test_truncate_counts_java_units_and_wide_characters():
    # Derived from getRows (String.length, substring) and Utils.stringHalfWidth: a
    # character outside the BMP is two UTF-16 units; a wide CJK character is two half widths.
    schema = ddl("s STRING")
    emoji = "\U0001f600"
    assert show_string(schema, [(emoji * 3,)], truncate=4) == (
        "+----+\n|   s|\n+----+\n|?...|\n+----+\n"
    )
    assert show_string(schema, [(emoji,)]) == "+---+\n|  s|\n+---+\n| " + emoji + "|\n+---+\n"
    assert show_string(schema, [("ｱ한a",)], truncate=2) == (
        "+---+\n|  s|\n+---+\n|ｱ한|\n+---+\n"
    )


def test_meta_characters_are_escaped_in_names_and_cells():
    # Derived from getRows: SchemaUtils.escapeMetaCharacters on field names and on each cell
    # before it is cut (so "\n" counts two characters).
    schema = fields(("a\nb", StringType()))
    assert show_string(schema, [("x\ty\u0007",)]) == (
        "+------+\n|  a\\nb|\n+------+\n|x\\ty\\a|\n+------+\n"
    )
    assert show_string(schema, [("\n\n\n",)], truncate=4) == (
        "+----+\n|a\\nb|\n+----+\n|\\...|\n+----+\n"
    )


def test_vertical_layout_from_spark_source():
    # Derived from showString's vertical branch: both columns at least 3 wide, the record
    # title padded with "-" to name + data + 5 and never cut, cells left-aligned by half width.
    schema = fields(("k", StringType()))
    rows = [("日本",)] + [("a",)] * 1000
    text = show_string(schema, rows, n=1001, vertical=True)
    lines = text.split("\n")
    assert lines[:2] == ["-RECORD 0---", " k   | 日本 "]
    assert lines[-5:] == ["-RECORD 999-", " k   | a    ", "-RECORD 1000", " k   | a    ", ""]
    assert show_string(fields(("k", StringType())), [("a",)] * 1001, n=1001, vertical=True
                       ).split("\n")[-3:] == ["-RECORD 1000", " k   | a   ", ""]
    # No data row shown: "(0 rows)" alone, even when more rows exist.
    assert show_string(schema, rows, n=0, vertical=True) == "(0 rows)"


def test_timestamps_from_spark_source():
    # TimestampFormatter.getFractionFormatter: seconds always, the fraction without trailing
    # zeros; an aware value is shown in the session time zone.
    ts = datetime.datetime(2024, 1, 5, 7, 8, 9, 5000)
    assert value_to_string(ts, TimestampType()) == "2024-01-05 07:08:09.005"
    assert value_to_string(datetime.datetime(1, 1, 1), TimestampNTZType()) == "0001-01-01 00:00:00"
    aware = datetime.datetime(2024, 1, 5, 12, 0, tzinfo=datetime.UTC)
    assert value_to_string(aware, TimestampType(), time_zone="Asia/Tokyo") == "2024-01-05 21:00:00"
    assert value_to_string(datetime.time(7, 8, 9, 100), TimeType(6)) == "07:08:09.0001"


def test_ansi_intervals_from_spark_source():
    # IntervalUtils.toDayTimeIntervalString / toYearMonthIntervalString, ANSI style.
    d = datetime.timedelta(days=3, hours=4, minutes=5, seconds=6, microseconds=789000)
    cases = {
        (0, 0): "INTERVAL '3' DAY",
        (0, 1): "INTERVAL '3 04' DAY TO HOUR",
        (0, 2): "INTERVAL '3 04:05' DAY TO MINUTE",
        (0, 3): "INTERVAL '3 04:05:06.789' DAY TO SECOND",
        (1, 1): "INTERVAL '76' HOUR",
        (1, 3): "INTERVAL '76:05:06.789' HOUR TO SECOND",
        (2, 3): "INTERVAL '4565:06.789' MINUTE TO SECOND",
        (3, 3): "INTERVAL '273906.789' SECOND",
    }
    for (start, end), text in cases.items():
        assert value_to_string(d, DayTimeIntervalType(start, end)) == text
    assert value_to_string(-datetime.timedelta(seconds=5), DayTimeIntervalType()) == (
        "INTERVAL '-0 00:00:05' DAY TO SECOND"
    )
    assert value_to_string(-14, YearMonthIntervalType(0, 1)) == "INTERVAL '-1-2' YEAR TO MONTH"
    assert value_to_string(-14, YearMonthIntervalType(0, 0)) == "INTERVAL '-1' YEAR"
    assert value_to_string(-14, YearMonthIntervalType(1, 1)) == "INTERVAL '-14' MONTH"
    # CalendarInterval.toString.
    assert value_to_string((14, 3, 3_723_500_000), CalendarIntervalType()) == (
        "1 years 2 months 3 days 1 hours 2 minutes 3.5 seconds"
    )
    assert value_to_string((0, 0, 0), CalendarIntervalType()) == "0 seconds"
    # Arrow's month-day-nano intervals (what DuckDB hands over) are read the same way.
    mdn = pa.scalar((14, 3, 3_723_500_000_000), pa.month_day_nano_interval()).as_py()
    assert value_to_string(mdn, CalendarIntervalType()) == (
        "1 years 2 months 3 days 1 hours 2 minutes 3.5 seconds"
    )
    assert value_to_string(mdn, YearMonthIntervalType()) == "INTERVAL '1-2' YEAR TO MONTH"
    day = pa.scalar((0, 3, 5_000_000_000), pa.month_day_nano_interval()).as_py()
    assert value_to_string(day, DayTimeIntervalType()) == "INTERVAL '3 00:00:05' DAY TO SECOND"


def test_cast_to_string_differs_from_pretty():
    # Cast (ToStringBase with nullString "null", binary as UTF-8) against ToPrettyString.
    dt = ddl("a ARRAY<INT>, b BINARY")
    value = Row(a=[1, None], b=b"hi")
    assert value_to_string(value, dt) == "{[1, NULL], [68 69]}"
    assert value_to_string(value, dt, pretty=False) == "{[1, null], hi}"
    assert value_to_string(None, IntegerType()) == "NULL"
    assert value_to_string(None, IntegerType(), pretty=False) is None
    # Maps may come as (key, value) pairs; struct values as dicts.
    assert value_to_string([("k", None)], MapType(StringType(), IntegerType())) == "{k -> NULL}"
    assert value_to_string({"i": 1, "s": "z"}, ddl("i INT, s STRING")) == "{1, z}"


def test_java_number_text():
    # Java's Double.toString / Float.toString as Java 17 (the reference PySpark's JVM) prints
    # them: plain from 1e-3 up to 1e7, else d.dE[-]n. The expected texts are what OpenJDK
    # 17.0.15 printed for these values (Java 19+ would print the shortest decimals instead:
    # 2.0E23, -1.6130484589462314E17, 4.99827441E11 ...).
    doubles = {
        0.001: "0.001", 9.5e-4: "9.5E-4", 9999999.0: "9999999.0", 1e7: "1.0E7",
        -1e-300: "-1.0E-300", 5e-324: "4.9E-324", 1e23: "9.999999999999999E22",
        2e23: "1.9999999999999998E23", -1.6130484589462314e17: "-1.61304845894623136E17",
        2.0**-44: "5.6843418860808015E-14", 2.0**62: "4.6116860184273879E18",
        float("-inf"): "-Infinity",
    }  # fmt: skip
    assert {v: java_double_string(v) for v in doubles} == doubles
    floats = {
        1.100000023841858: "1.1", 16777216.0: "1.6777216E7", 1e-45: "1.4E-45",
        3.4028234663852886e38: "3.4028235E38", 499827441664.0: "4.99827442E11",
        1247833.75: "1247833.8", 1e39: "Infinity",
    }  # fmt: skip
    assert {v: java_float_string(v) for v in floats} == floats


def test_argument_checks_as_pyspark():
    # PySpark's DataFrame._show_string: NOT_INT for n, NOT_BOOL for vertical and a truncate
    # that int() refuses; a truncate int() accepts ("5", 5.9) is used as a number.
    schema = ddl("s STRING, n INT")
    with pytest.raises(PySparkTypeError) as e:
        show_string(schema, [], n="3")
    assert e.value.getCondition() == "NOT_INT"
    assert str(e.value) == "[NOT_INT] Argument `n` should be an int, got str."
    with pytest.raises(PySparkTypeError) as e:
        show_string(schema, [], n=True)
    assert e.value.getCondition() == "NOT_INT"
    with pytest.raises(PySparkTypeError) as e:
        show_string(schema, [], vertical=1)
    assert str(e.value) == "[NOT_BOOL] Argument `vertical` should be a bool, got int."
    with pytest.raises(PySparkTypeError) as e:
        show_string(schema, [], truncate="x")
    assert e.value.getCondition() == "NOT_BOOL"
    rows = [("abcdefghij", 1), ("ab", 22)]
    assert show_string(schema, rows, truncate="5") == recorded("show.truncate_5")
    assert show_string(schema, rows, truncate=5.9) == recorded("show.truncate_5")
