"""Spark SQL types inferred from Python values, as ``createDataFrame`` infers a schema."""

from __future__ import annotations

import array
import datetime
import decimal
from functools import reduce
from typing import Any

from sparklet.sql import types as T

_type_mappings: dict[type, type[T.DataType]] = {
    type(None): T.NullType, bool: T.BooleanType, int: T.LongType, float: T.DoubleType,
    str: T.StringType, bytearray: T.BinaryType, bytes: T.BinaryType,
    datetime.date: T.DateType, datetime.datetime: T.TimestampType,
    datetime.timedelta: T.DayTimeIntervalType, datetime.time: T.TimeType,
}  # fmt: skip

# array.array type codes whose items fit a Spark type without loss (JVM types are signed,
# so an unsigned code needs the next wider type; 'L', 'q' and 'Q' may not fit a long).
_array_type_mappings: dict[str, type[T.DataType]] = {
    "f": T.FloatType, "d": T.DoubleType, "b": T.ByteType, "h": T.ShortType,
    "i": T.IntegerType, "l": T.LongType, "B": T.ShortType, "H": T.IntegerType,
    "I": T.LongType, "u": T.StringType,
}  # fmt: skip


def _infer_type(
    obj: Any,
    infer_dict_as_struct: bool = False,
    infer_array_from_first_element: bool = False,
    infer_map_from_first_pair: bool = False,
    prefer_timestamp_ntz: bool = False,
) -> T.DataType:
    """The Spark type of a Python value; a list's element type merges all its elements'.

    >>> _infer_type([1, None, 3])
    ArrayType(LongType(), True)
    >>> _infer_type({"a": decimal.Decimal("1.5")})
    MapType(StringType(), DecimalType(38,18), True)
    """
    flags = (infer_dict_as_struct, infer_array_from_first_element, infer_map_from_first_pair,
             prefer_timestamp_ntz)  # fmt: skip

    def infer(v: Any) -> T.DataType:
        return _infer_type(v, *flags)

    # Exact types, as PySpark: a bool is not inferred as an int, nor a subclass as its base.
    known = _type_mappings.get(type(obj))
    if known is not None:
        if known is T.TimestampType and prefer_timestamp_ntz and obj.tzinfo is None:
            return T.TimestampNTZType()
        return known()
    if isinstance(obj, decimal.Decimal):
        return T.DecimalType(38, 18)
    if isinstance(obj, dict):
        pairs = [(k, v) for k, v in obj.items() if k is not None and v is not None]
        if infer_dict_as_struct:
            return T.StructType([T.StructField(k, infer(v), True) for k, v in pairs])
        if infer_map_from_first_pair:
            if pairs:
                return T.MapType(infer(pairs[0][0]), infer(pairs[0][1]), True)
            return T.MapType(T.NullType(), T.NullType(), True)
        key_type: T.DataType = T.NullType()
        value_type: T.DataType = T.NullType()
        for k, v in obj.items():
            if k is not None:
                key_type = _merge_type(key_type, infer(k))
            if v is not None:
                value_type = _merge_type(value_type, infer(v))
        return T.MapType(key_type, value_type, True)
    if isinstance(obj, list):
        if not obj:
            return T.ArrayType(T.NullType(), True)

        # PySpark 4 passes its flags to a list's elements one place off: prefer_timestamp_ntz
        # arrives as infer_map_from_first_pair, so elements never prefer TIMESTAMP_NTZ.
        def element(v: Any) -> T.DataType:
            return _infer_type(v, infer_dict_as_struct, infer_array_from_first_element,
                               prefer_timestamp_ntz)  # fmt: skip

        if infer_array_from_first_element:
            return T.ArrayType(element(obj[0]), True)
        return T.ArrayType(reduce(_merge_type, (element(v) for v in obj)), True)
    if isinstance(obj, array.array):
        if obj.typecode in _array_type_mappings:
            return T.ArrayType(_array_type_mappings[obj.typecode](), False)
        raise TypeError("[UNSUPPORTED_DATA_TYPE] Unsupported DataType `array(%s)`." % obj.typecode)
    try:
        return _infer_schema(obj, None, *flags)
    except TypeError:
        raise TypeError(
            "[UNSUPPORTED_DATA_TYPE] Unsupported DataType `%s`." % type(obj).__name__
        ) from None


def _infer_schema(
    row: Any,
    names: list[str] | None = None,
    infer_dict_as_struct: bool = False,
    infer_array_from_first_element: bool = False,
    infer_map_from_first_pair: bool = False,
    prefer_timestamp_ntz: bool = False,
) -> T.StructType:
    """The schema of one record: a dict (keys sorted), Row, namedtuple, tuple or object.

    >>> _infer_schema((1, "x"))
    StructType([StructField('_1', LongType(), True), StructField('_2', StringType(), True)])
    >>> _infer_schema({"b": 1.0, "a": None})
    StructType([StructField('a', NullType(), True), StructField('b', DoubleType(), True)])
    """
    if isinstance(row, dict):
        items: Any = sorted(row.items())
    elif isinstance(row, (tuple, list)):
        if hasattr(row, "__fields__"):
            items = zip(row.__fields__, tuple(row), strict=False)
        elif hasattr(row, "_fields"):
            items = zip(row._fields, tuple(row), strict=False)
        else:
            names = list(names or [])
            names.extend("_%d" % i for i in range(len(names) + 1, len(row) + 1))
            items = zip(names, row, strict=False)
    elif hasattr(row, "__dict__"):
        items = sorted(row.__dict__.items())
    else:
        raise TypeError(
            "[CANNOT_INFER_SCHEMA_FOR_TYPE] Can not infer schema for type: `%s`."
            % type(row).__name__
        )
    fields = []
    for k, v in items:
        try:
            dtype = _infer_type(v, infer_dict_as_struct, infer_array_from_first_element,
                                infer_map_from_first_pair, prefer_timestamp_ntz)  # fmt: skip
        except TypeError:
            raise TypeError(
                "[CANNOT_INFER_TYPE_FOR_FIELD] Unable to infer the type of the field `%s`." % k
            ) from None
        fields.append(T.StructField(k, dtype, True))
    return T.StructType(fields)


def _merge_type(a: T.DataType, b: T.DataType, name: str | None = None) -> T.DataType:
    """The type holding values of both ``a`` and ``b`` (PySpark's rules, no widening of numbers).

    >>> _merge_type(T.LongType(), T.NullType()), _merge_type(T.LongType(), T.StringType())
    (LongType(), StringType())
    """
    if isinstance(a, T.NullType):
        return b
    if isinstance(b, T.NullType):
        return a
    if isinstance(a, T.TimestampType) and isinstance(b, T.TimestampNTZType):
        return a
    if isinstance(a, T.TimestampNTZType) and isinstance(b, T.TimestampType):
        return b
    if isinstance(a, T.AtomicType) and isinstance(b, T.StringType):
        return b
    if isinstance(a, T.StringType) and isinstance(b, T.AtomicType):
        return a
    if type(a) is not type(b):
        raise TypeError(
            "[CANNOT_MERGE_TYPE] Can not merge type `%s` and `%s`."
            % (type(a).__name__, type(b).__name__)
        )

    def inner(n: str) -> str:
        return "field %s" % n if name is None else "field %s in %s" % (n, name)

    if isinstance(a, T.StructType):
        assert isinstance(b, T.StructType)
        theirs = {f.name: f.dataType for f in b.fields}
        fields = [
            T.StructField(
                f.name, _merge_type(f.dataType, theirs.get(f.name, T.NullType()), inner(f.name))
            )
            for f in a.fields
        ]
        fields += [T.StructField(n, t) for n, t in theirs.items() if n not in a.names]
        return T.StructType(fields)
    if isinstance(a, T.ArrayType):
        assert isinstance(b, T.ArrayType)
        return T.ArrayType(
            _merge_type(a.elementType, b.elementType, "element in array " + str(name)), True
        )
    if isinstance(a, T.MapType):
        assert isinstance(b, T.MapType)
        return T.MapType(
            _merge_type(a.keyType, b.keyType, "key of map " + str(name)),
            _merge_type(a.valueType, b.valueType, "value of map " + str(name)),
            True,
        )
    return a
