"""sparklet.sql.types against PySpark 4's recorded answers, plus round-trip properties."""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import types_eval  # noqa: E402

from sparklet.sql import types as T  # noqa: E402

RECORDED = json.loads(pathlib.Path(__file__).with_name("pyspark_types.json").read_text())


@pytest.fixture(scope="module")
def ours():
    # The recording ran with TZ=UTC: TimestampType converts naive datetimes in local time.
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield types_eval.evaluate(T, T._parse_datatype_string)
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def test_recording_is_pyspark_4():
    assert RECORDED["pyspark_version"].startswith("4.")


@pytest.mark.parametrize(
    "section", ["types", "equality", "expressions", "infer", "schemas", "ddl", "random"]
)
def test_matches_pyspark(ours, section):
    expected, got = RECORDED[section], ours[section]
    assert set(got) == set(expected), "type_cases.py changed: rerun record_types.py"
    diffs = {case: (expected[case], got[case]) for case in expected if got[case] != expected[case]}
    assert not diffs, json.dumps(diffs, indent=1)


def _without_positions(outcome):
    return {k: v for k, v in outcome.items() if k != "message"}


def test_random_types_parse_as_in_pyspark(ours):
    # Random types' DDL: the same type or the same error class as PySpark. Where a random
    # string fails, the position ANTLR blames (its prediction's start) is not compared.
    expected, got = RECORDED["random_ddl"], ours["random_ddl"]
    assert set(got) == set(expected), "type_cases.py changed: rerun record_types.py"
    diffs = {
        src: (expected[src], got[src])
        for src in expected
        if [_without_positions(o) for o in got[src]]
        != [_without_positions(o) for o in expected[src]]
    }
    assert not diffs, json.dumps(diffs, indent=1)


# Random nested types: the strategy builds them from the same constructors a user calls.
_atomic = st.sampled_from(
    [
        T.NullType(),
        T.StringType(),
        T.BinaryType(),
        T.BooleanType(),
        T.DateType(),
        T.TimestampType(),
        T.TimestampNTZType(),
        T.DoubleType(),
        T.FloatType(),
        T.ByteType(),
        T.ShortType(),
        T.IntegerType(),
        T.LongType(),
        T.DayTimeIntervalType(),
        T.DayTimeIntervalType(1, 2),
        T.YearMonthIntervalType(1),
        T.TimeType(3),
        T.CalendarIntervalType(),
        T.CharType(4),
    ]  # fmt: skip
) | st.builds(lambda p, s: T.DecimalType(p, min(s, p)), st.integers(1, 38), st.integers(0, 38))
_names = st.text(st.characters(codec="utf-8", exclude_characters="`"), min_size=1, max_size=6)


def _struct(children):
    fields = st.lists(
        st.builds(
            T.StructField, _names, children, st.booleans(), st.none() | st.just({"comment": "c"})
        ),  # fmt: skip
        max_size=4,
        unique_by=lambda f: f.name,
    )
    return fields.map(T.StructType)


_types = st.recursive(
    _atomic,
    lambda children: (
        st.builds(T.ArrayType, children, st.booleans())
        | st.builds(T.MapType, children, children, st.booleans())
        | _struct(children)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(_types)
def test_json_round_trip(dtype):
    back = T._parse_datatype_json_string(dtype.json())
    assert back == dtype
    assert hash(back) == hash(dtype)
    assert back.json() == dtype.json()


def _nullable_everywhere(dtype):
    # DDL has no syntax for containsNull / valueContainsNull (always true), and simpleString
    # drops field nullability and metadata.
    if isinstance(dtype, T.ArrayType):
        return T.ArrayType(_nullable_everywhere(dtype.elementType), True)
    if isinstance(dtype, T.MapType):
        return T.MapType(_nullable_everywhere(dtype.keyType), _nullable_everywhere(dtype.valueType))
    if isinstance(dtype, T.StructType):
        return T.StructType([T.StructField(f.name, _nullable_everywhere(f.dataType))
                             for f in dtype.fields])  # fmt: skip
    return dtype


_ddl_names = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True).filter(
    lambda n: n not in {"not", "comment"}
)


def _plain(t):
    # simpleString does not quote names, so only plain identifiers survive it.
    if isinstance(t, T.StructType):
        return all(n.isidentifier() and n.isascii() and n.lower() not in {"not", "comment"}
                   for n in t.names) and all(_plain(f.dataType) for f in t)  # fmt: skip
    if isinstance(t, T.ArrayType):
        return _plain(t.elementType)
    if isinstance(t, T.MapType):
        return _plain(t.keyType) and _plain(t.valueType)
    return True


@settings(max_examples=200, deadline=None)
@given(_types.filter(_plain))
def test_simple_string_round_trip(dtype):
    assert T._parse_datatype_string(dtype.simpleString()) == _nullable_everywhere(dtype)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_ddl_names, _types.filter(_plain)), min_size=1, max_size=4,
                unique_by=lambda p: p[0]))  # fmt: skip
def test_column_list_round_trip(columns):
    # "name type NOT NULL, ..." as createDataFrame's schema strings take them.
    ddl = ", ".join("`%s` %s NOT NULL" % (n, t.simpleString()) for n, t in columns)
    expected = T.StructType([T.StructField(n, _nullable_everywhere(t), False) for n, t in columns])
    assert T._parse_datatype_string(ddl) == expected


_EPOCH = datetime.datetime(1970, 1, 1)


@settings(max_examples=200, deadline=None)
@given(
    st.dates(),
    st.datetimes(min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30)),
    st.timedeltas(),
    st.lists(st.none() | st.dates(), max_size=4),
)
def test_internal_round_trip(d, ts, delta, dates):
    # Internal values as plain arithmetic on the epoch: days, microseconds.
    schema = T.StructType(
        [
            T.StructField("d", T.DateType()),
            T.StructField("ts", T.TimestampNTZType()),
            T.StructField("delta", T.DayTimeIntervalType()),
            T.StructField("dates", T.ArrayType(T.DateType())),
            T.StructField("n", T.LongType()),
        ]
    )
    internal = schema.toInternal({"d": d, "ts": ts, "delta": delta, "dates": dates, "n": 7})
    micros = (ts - _EPOCH) // datetime.timedelta(microseconds=1)
    days = [None if x is None else (x - _EPOCH.date()).days for x in dates]
    assert internal == (
        (d - _EPOCH.date()).days,
        micros,
        delta // datetime.timedelta(microseconds=1),
        days,
        7,
    )
    row = schema.fromInternal(internal)
    assert row == T.Row(d=d, ts=ts, delta=delta, dates=dates, n=7)
    assert row.asDict() == {"d": d, "ts": ts, "delta": delta, "dates": dates, "n": 7}
