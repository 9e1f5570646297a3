"""``spark.createDataFrame`` from Python data: PySpark 4's inference and verification.

Beyond the recorded cases (test_bridge_parity.py), each expectation here is what PySpark 4's
own code gives for the input: ``session.py`` (``_inferSchemaFromList``, ``_inferSchema``,
``_createFromLocal``), ``types.py`` (``_infer_schema``, ``_merge_type``,
``_make_type_verifier``, ``_create_converter``) and the messages of
``python/pyspark/errors/error-conditions.json``; each test names the rule it checks.
"""

from __future__ import annotations

import array
import datetime
import decimal
from collections import namedtuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparklet.errors import PySparkTypeError, PySparkValueError
from sparklet.sql import Row
from sparklet.sql import types as T


def rows_and_types(df):
    return df.collect(), df.dtypes


# -- inference ----------------------------------------------------------------------------

def test_dicts_are_maps_unless_infer_nested_dict_as_struct(spark):
    data = [{"a": {"k": 1}}]
    assert rows_and_types(spark.createDataFrame(data)) == (
        [Row(a={"k": 1})], [("a", "map<string,bigint>")])
    spark.conf.set("spark.sql.pyspark.inferNestedDictAsStruct.enabled", "true")
    assert rows_and_types(spark.createDataFrame(data)) == (
        [Row(a=Row(k=1))], [("a", "struct<k:bigint>")])


def test_dict_keys_sorted_then_renamed_by_position(spark):
    # _infer_schema sorts a dict's keys; a list of names renames the fields by position
    df = spark.createDataFrame([{"b": 1, "a": "x"}], ["p", "q"])
    assert rows_and_types(df) == ([Row(p="x", q=1)], [("p", "string"), ("q", "bigint")])


def test_row_with_and_without_names_namedtuple_and_object(spark):
    assert spark.createDataFrame([Row(x=1, y="a")]).dtypes == [("x", "bigint"), ("y", "string")]
    # Row("a", 1) is a plain tuple of values: _1, _2
    assert rows_and_types(spark.createDataFrame([Row("a", 1)])) == (
        [Row(_1="a", _2=1)], [("_1", "string"), ("_2", "bigint")])
    Point = namedtuple("Point", "x y")
    assert rows_and_types(spark.createDataFrame([Point(1, 2.5)])) == (
        [Row(x=1, y=2.5)], [("x", "bigint"), ("y", "double")])

    class Obj:
        def __init__(self):
            self.z = True
            self.a = datetime.date(2024, 1, 2)

    # an object's __dict__, keys sorted
    assert rows_and_types(spark.createDataFrame([Obj()])) == (
        [Row(a=datetime.date(2024, 1, 2), z=True)], [("a", "date"), ("z", "boolean")])


def test_inference_merges_every_row(spark):
    df = spark.createDataFrame([(None, [None]), (1, [2]), (None, None)], ["a", "b"])
    assert df.dtypes == [("a", "bigint"), ("b", "array<bigint>")]
    assert df.collect() == [Row(a=None, b=[None]), Row(a=1, b=[2]), Row(a=None, b=None)]


def test_inferred_types_of_python_values(spark):
    row = (True, 1, 1.5, "s", bytearray(b"\x00"), decimal.Decimal("1.5"),
           datetime.date(2024, 1, 1), datetime.datetime(2024, 1, 1, 1, 2, 3),
           datetime.timedelta(days=1, microseconds=5), array.array("i", [1]), {"k": [1.0]})
    df = spark.createDataFrame([row])
    assert [t for _, t in df.dtypes] == [
        "boolean", "bigint", "double", "string", "binary", "decimal(38,18)", "date",
        "timestamp", "interval day to second", "array<int>", "map<string,array<double>>"]
    got = df.collect()[0]
    assert got[5] == decimal.Decimal("1.500000000000000000")
    assert got[8] == datetime.timedelta(days=1, microseconds=5)
    assert got[4] == b"\x00" and type(got[4]) is bytes and got[9] == [1] and got[10] == {"k": [1.0]}


def test_prefer_timestamp_ntz(spark):
    spark.conf.set("spark.sql.timestampType", "TIMESTAMP_NTZ")
    df = spark.createDataFrame([(datetime.datetime(2024, 1, 1, 5),)])
    assert df.dtypes == [("_1", "timestamp_ntz")]
    assert df.collect() == [Row(_1=datetime.datetime(2024, 1, 1, 5))]


@pytest.mark.parametrize("data, cls, message", [
    ([], PySparkValueError,
     "[CANNOT_INFER_EMPTY_SCHEMA] Can not infer schema from an empty dataset."),
    ([(None,)], PySparkValueError,
     "[CANNOT_DETERMINE_TYPE] Some of types cannot be determined after inferring."),
    ([(1,), ("a", )], None, None),  # atomic + string merge to string (PySpark 4)
    ([(1,), (1.5,)], PySparkTypeError,
     "[CANNOT_MERGE_TYPE] Can not merge type `LongType` and `DoubleType`."),
    ([([1],), ({"a": 1},)], PySparkTypeError,
     "[CANNOT_MERGE_TYPE] Can not merge type `ArrayType` and `MapType`."),
])
def test_inference_errors(spark, data, cls, message):
    if cls is None:
        df = spark.createDataFrame(data, ["x"])
        assert rows_and_types(df) == ([Row(x="1"), Row(x="a")], [("x", "string")])
        return
    with pytest.raises(cls) as info:
        spark.createDataFrame(data, ["x"])
    assert str(info.value) == message


def test_local_data_ignores_sampling_ratio(spark):
    # _createFromLocal infers from every row whatever samplingRatio says
    df = spark.createDataFrame([(None,)] * 50 + [(7,)], ["x"], samplingRatio=0.01)
    assert df.dtypes == [("x", "bigint")] and df.count() == 51


# -- verification against a schema --------------------------------------------------------

@pytest.mark.parametrize("data, schema, cls, message", [
    ([("a",)], "x INT", PySparkTypeError,
     "[FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME] field x: IntegerType() can not accept object "
     "'a' in type <class 'str'>."),
    ([(True,)], "x INT", PySparkTypeError,
     "[FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME] field x: IntegerType() can not accept object "
     "True in type <class 'bool'>."),
    ([(1,)], "x DOUBLE", PySparkTypeError,
     "[FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME] field x: DoubleType() can not accept object 1 "
     "in type <class 'int'>."),
    ([(1, None)], "a INT, b INT NOT NULL", PySparkValueError,
     "[FIELD_NOT_NULLABLE_WITH_NAME] field b: This field is not nullable, but got None."),
    ([(1,)], "a INT, b INT", PySparkValueError,
     "[FIELD_STRUCT_LENGTH_MISMATCH] Length of object (1) does not match with length of "
     "fields (2)."),
    ([(300,)], "a TINYINT", PySparkValueError,
     "[VALUE_OUT_OF_BOUNDS] Value for `obj` must be between -128 and 127 (inclusive), got 300"),
    ([(2**31,)], "a INT", PySparkValueError,
     "[VALUE_OUT_OF_BOUNDS] Value for `obj` must be between -2147483648 and 2147483647 "
     "(inclusive), got 2147483648"),
    ([({None: 1},)], "m MAP<STRING,INT>", PySparkValueError,
     "[FIELD_NOT_NULLABLE_WITH_NAME] key of map field m: This field is not nullable, but got "
     "None."),
    ([([1, "x"],)], "a ARRAY<INT>", PySparkTypeError,
     "[FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME] element in array field a: IntegerType() can "
     "not accept object 'x' in type <class 'str'>."),
    ([((1, 2),)], "s STRUCT<i: INT>", PySparkValueError,
     "[FIELD_STRUCT_LENGTH_MISMATCH_WITH_NAME] field s: Length of object (2) does not match "
     "with length of fields (1)."),
    ([({"i": "z"},)], "s STRUCT<i: INT>", PySparkTypeError,
     "[FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME] field i in field s: IntegerType() can not "
     "accept object 'z' in type <class 'str'>."),
    ([1], "a INT", PySparkTypeError,
     "[FIELD_DATA_TYPE_UNACCEPTABLE] StructType([StructField('a', IntegerType(), True)]) can "
     "not accept object 1 in type <class 'int'>."),
    (["a"], "int", PySparkTypeError,
     "[FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME] field value: IntegerType() can not accept "
     "object 'a' in type <class 'str'>."),
])
def test_verification_errors(spark, data, schema, cls, message):
    with pytest.raises(cls) as info:
        spark.createDataFrame(data, schema)
    assert str(info.value) == message


def test_not_nullable_without_name():
    from sparklet.sql.create import make_type_verifier

    with pytest.raises(PySparkValueError) as info:
        make_type_verifier(T.IntegerType(), nullable=False)(None)
    assert str(info.value) == "[FIELD_NOT_NULLABLE] Field is not nullable, but got None."


def test_rows_and_tuples_match_a_schema_by_position_dicts_and_objects_by_name(spark):
    # _make_type_verifier / StructType.toInternal: tuples (Rows too) by position
    df = spark.createDataFrame([Row(b="x", a=1)], "p STRING, q INT")
    assert df.collect() == [Row(p="x", q=1)]
    df = spark.createDataFrame([{"q": 2, "p": "y"}], "p STRING, q INT")
    assert df.collect() == [Row(p="y", q=2)]

    class Thing:
        def __init__(self):
            self.q, self.p = 3, "z"

    assert spark.createDataFrame([Thing()], "p STRING, q INT").collect() == [Row(p="z", q=3)]


def test_string_columns_take_any_value(spark):
    df = spark.createDataFrame([(1,), (True,), (1.5,)], "s STRING")
    assert df.collect() == [Row(s="1"), Row(s="true"), Row(s="1.5")]


def test_nested_values_with_a_schema(spark):
    schema = "a ARRAY<STRUCT<x: INT, y: MAP<STRING, DATE>>>, b BINARY, d DATE"
    data = [([(1, {"k": datetime.date(2024, 2, 29)}), {"x": 2, "y": None}], b"\x01\x02",
             datetime.datetime(2024, 3, 1, 23, 59))]
    got = spark.createDataFrame(data, schema).collect()
    # a datetime is accepted for a date (its date part)
    assert got == [Row(a=[Row(x=1, y={"k": datetime.date(2024, 2, 29)}), Row(x=2, y=None)],
                       b=b"\x01\x02", d=datetime.date(2024, 3, 1))]


def test_verify_schema_false_skips_the_checks(spark):
    # unverified values of another type reach the JVM's EvaluatePython: NULL
    df = spark.createDataFrame([("a",), (1,)], "x INT", verifySchema=False)
    assert df.collect() == [Row(x=None), Row(x=1)]
    df = spark.createDataFrame([(1, None)], "a INT, b INT NOT NULL", verifySchema=False)
    assert df.count() == 1


def test_decimals_rounded_half_up_to_the_scale(spark):
    df = spark.createDataFrame([(decimal.Decimal("1.005"),), (decimal.Decimal("-2.5"),)],
                               "d DECIMAL(4,2)")
    assert df.collect() == [Row(d=decimal.Decimal("1.01")), Row(d=decimal.Decimal("-2.50"))]


def test_bad_schema_argument(spark):
    with pytest.raises(PySparkTypeError) as info:
        spark.createDataFrame([(1,)], 5)
    assert str(info.value) == ("[NOT_LIST_OR_NONE_OR_STRUCT] Argument `schema` should be a "
                               "list, None or StructType, got int.")


def test_empty_with_schema_and_with_names(spark):
    df = spark.createDataFrame([], "a INT, b ARRAY<STRING>")
    assert rows_and_types(df) == ([], [("a", "int"), ("b", "array<string>")])
    with pytest.raises(PySparkValueError):
        spark.createDataFrame([], ["a"])


# -- pandas, numpy, Arrow ------------------------------------------------------------------

def test_pandas_dtypes_as_pyspark(spark):
    import numpy as np
    import pandas as pd

    pdf = pd.DataFrame({
        "i": np.array([1, 2], dtype="int64"), "i32": np.array([1, 2], dtype="int32"),
        "f": [1.5, np.nan], "s": ["x", None], "b": [True, False],
        "t": pd.to_datetime(["2024-01-01 10:00:00", None]),
        "c": pd.Categorical(["u", "v"]), "n": pd.array([7, None], dtype="Int64"),
        "d": [datetime.date(2024, 1, 1), None],
    })
    df = spark.createDataFrame(pdf)
    # the non-Arrow path (PySpark's default): the records' Python values are inferred
    assert df.dtypes == [("i", "bigint"), ("i32", "bigint"), ("f", "double"), ("s", "string"),
                         ("b", "boolean"), ("t", "timestamp"), ("c", "string"),
                         ("n", "bigint"), ("d", "date")]
    first, second = df.collect()
    assert first == Row(i=1, i32=1, f=1.5, s="x", b=True, t=datetime.datetime(2024, 1, 1, 10),
                        c="u", n=7, d=datetime.date(2024, 1, 1))
    assert second.f != second.f  # NaN stays NaN, not NULL
    assert (second.s, second.t, second.n, second.d) == (None, None, None, None)


def test_pandas_with_a_schema_is_verified(spark):
    import pandas as pd

    pdf = pd.DataFrame({"a": [1.0]})
    with pytest.raises(PySparkTypeError) as info:
        spark.createDataFrame(pdf, "a INT")
    assert str(info.value) == ("[FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME] field a: "
                               "IntegerType() can not accept object 1.0 in type <class "
                               "'float'>.")
    assert spark.createDataFrame(pdf, ["z"]).collect() == [Row(z=1.0)]


def test_numpy_array(spark):
    import numpy as np

    df = spark.createDataFrame(np.array([[1, 2], [3, 4]]))
    assert rows_and_types(df) == ([Row(**{"0": 1, "1": 2}), Row(**{"0": 3, "1": 4})],
                                  [("0", "bigint"), ("1", "bigint")])


def test_pyarrow_table_keeps_its_types_or_takes_the_schema(spark):
    import pyarrow as pa

    table = pa.table({"a": pa.array([1, None], pa.int32()), "b": pa.array(["x", "y"]),
                      "m": pa.array([[("k", 1.5)], None], pa.map_(pa.string(), pa.float64()))})
    df = spark.createDataFrame(table)
    assert rows_and_types(df) == ([Row(a=1, b="x", m={"k": 1.5}), Row(a=None, b="y", m=None)],
                                  [("a", "int"), ("b", "string"), ("m", "map<string,double>")])
    df = spark.createDataFrame(table.select(["a"]), "z BIGINT")
    assert rows_and_types(df) == ([Row(z=1), Row(z=None)], [("z", "bigint")])


# -- the column-wise inference is the row-by-row merge ---------------------------------------

_ATOM = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
         | st.text(max_size=3) | st.dates() | st.datetimes()
         | st.decimals(allow_nan=False, allow_infinity=False) | st.binary(max_size=2)
         | st.timedeltas())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_ATOM, _ATOM), min_size=1, max_size=6), st.booleans())
def test_column_inference_equals_the_row_merge(rows, ntz):
    from functools import reduce

    from sparklet.sql.create import _infer_columns
    from sparklet.sql.infer import _infer_schema, _merge_type

    flags = {"prefer_timestamp_ntz": ntz}
    try:
        slow = reduce(_merge_type, (_infer_schema(r, ["a"], **flags) for r in rows))
    except TypeError:
        slow = None
    fast = _infer_columns(rows, ["a"], flags)
    assert fast == slow


def test_pandas_through_arrow_when_enabled(spark):
    # spark.sql.execution.arrow.pyspark.enabled: PySpark's _create_from_pandas_with_arrow --
    # the columns' Arrow types (int32 stays int), NaN and None are NULL, naive timestamps
    # are wall-clock times of the session time zone
    import numpy as np
    import pandas as pd

    spark.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
    spark.conf.set("spark.sql.session.timeZone", "America/New_York")
    try:
        pdf = pd.DataFrame({"i": np.array([1, 2], dtype="int32"), "f": [1.5, np.nan],
                            "s": ["x", None], "t": pd.to_datetime(["2024-01-01 10:00", None]),
                            "c": pd.Categorical(["a", "b"])})
        df = spark.createDataFrame(pdf)
        assert df.dtypes == [("i", "int"), ("f", "double"), ("s", "string"),
                             ("t", "timestamp"), ("c", "string")]
        first, second = df.collect()
        assert (first.i, first.f, first.s, first.c) == (1, 1.5, "x", "a")
        assert (second.f, second.s, second.t) == (None, None, None)
        instant = datetime.datetime(2024, 1, 1, 15, tzinfo=datetime.UTC)  # 10:00 in New York
        assert first.t == instant.astimezone().replace(tzinfo=None)
        # an empty frame, or one Arrow cannot take, goes the non-Arrow way
        assert spark.createDataFrame(pdf.iloc[:0], "i INT").count() == 0
        mixed = pd.DataFrame({"m": [1, "a"]})
        assert spark.createDataFrame(mixed).collect() == [Row(m="1"), Row(m="a")]
    finally:
        spark.conf.unset("spark.sql.execution.arrow.pyspark.enabled")
