"""Spark SQL types ↔ DuckDB types ↔ Arrow types.

Spark's ``timestamp`` is an instant shown in the session time zone: DuckDB's
``TIMESTAMP WITH TIME ZONE`` (whose ``TimeZone`` setting the session keeps equal to
``spark.sql.session.timeZone``); ``timestamp_ntz`` is DuckDB's plain ``TIMESTAMP``.

>>> to_duckdb_type(T._parse_datatype_string("a int, b array<map<string, decimal(5,2)>>"))
'STRUCT("a" INTEGER, "b" MAP(VARCHAR, DECIMAL(5,2))[])'
>>> from_duckdb_type('STRUCT("a" INTEGER, b MAP(VARCHAR, DECIMAL(5,2))[])').simpleString()
'struct<a:int,b:array<map<string,decimal(5,2)>>>'
"""

from __future__ import annotations

import re
from typing import Any

from sparklet.sql import types as T

_TO_DUCKDB: dict[type, str] = {
    T.NullType: "INTEGER",  # DuckDB cannot store its NULL type; the Spark schema keeps void
    T.BooleanType: "BOOLEAN",
    T.ByteType: "TINYINT",
    T.ShortType: "SMALLINT",
    T.IntegerType: "INTEGER",
    T.LongType: "BIGINT",
    T.FloatType: "FLOAT",
    T.DoubleType: "DOUBLE",
    T.StringType: "VARCHAR",
    T.CharType: "VARCHAR",
    T.VarcharType: "VARCHAR",
    T.BinaryType: "BLOB",
    T.DateType: "DATE",
    T.TimestampType: "TIMESTAMP WITH TIME ZONE",
    T.TimestampNTZType: "TIMESTAMP",
    T.DayTimeIntervalType: "INTERVAL",
    T.YearMonthIntervalType: "INTERVAL",
    T.CalendarIntervalType: "INTERVAL",
}

_FROM_DUCKDB: dict[str, T.DataType] = {
    "BOOLEAN": T.BooleanType(),
    "TINYINT": T.ByteType(),
    "SMALLINT": T.ShortType(),
    "INTEGER": T.IntegerType(),
    "BIGINT": T.LongType(),
    # DuckDB's unsigned and 128-bit integers have no Spark type: the nearest wider one
    "UTINYINT": T.ShortType(),
    "USMALLINT": T.IntegerType(),
    "UINTEGER": T.LongType(),
    "UBIGINT": T.DecimalType(20, 0),
    "HUGEINT": T.DecimalType(38, 0),
    "UHUGEINT": T.DecimalType(38, 0),
    "FLOAT": T.FloatType(),
    "DOUBLE": T.DoubleType(),
    "VARCHAR": T.StringType(),
    "BLOB": T.BinaryType(),
    "DATE": T.DateType(),
    "TIMESTAMP WITH TIME ZONE": T.TimestampType(),
    "TIMESTAMP": T.TimestampNTZType(),
    "TIMESTAMP_S": T.TimestampNTZType(),
    "TIMESTAMP_MS": T.TimestampNTZType(),
    "TIMESTAMP_NS": T.TimestampNTZType(),
    "INTERVAL": T.DayTimeIntervalType(),
    "UUID": T.StringType(),
    "JSON": T.StringType(),
    "NULL": T.NullType(),
    '"NULL"': T.NullType(),
    "BIT": T.BinaryType(),
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def to_duckdb_type(dt: T.DataType) -> str:
    """The DuckDB type SQL that holds Spark type ``dt``."""
    if isinstance(dt, T.DecimalType):
        return f"DECIMAL({dt.precision},{dt.scale})"
    if isinstance(dt, T.ArrayType):
        return to_duckdb_type(dt.elementType) + "[]"
    if isinstance(dt, T.MapType):
        return f"MAP({to_duckdb_type(dt.keyType)}, {to_duckdb_type(dt.valueType)})"
    if isinstance(dt, T.StructType):
        return "STRUCT(" + ", ".join(
            f"{_quote(f.name)} {to_duckdb_type(f.dataType)}" for f in dt.fields) + ")"
    try:
        return _TO_DUCKDB[type(dt)]
    except KeyError:
        raise TypeError(f"no DuckDB type for Spark type {dt!r}") from None


def _split_top(text: str) -> list[str]:
    """Split ``a, b(c, d), "e,f" g`` at the top-level commas."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)$")


def from_duckdb_type(t: Any) -> T.DataType:
    """The Spark type of a DuckDB type (a ``DuckDBPyType`` or its text)."""
    text = str(t).strip()
    upper = text.upper()
    if upper.endswith("[]"):
        return T.ArrayType(from_duckdb_type(text[:-2]))
    array = re.match(r"(.*)\[(\d+)\]$", text, re.S)
    if array:  # a fixed-size ARRAY
        return T.ArrayType(from_duckdb_type(array.group(1)))
    m = _DECIMAL.match(upper)
    if m:
        return T.DecimalType(int(m.group(1)), int(m.group(2)))
    if upper == "DECIMAL":
        return T.DecimalType(18, 3)
    if upper.startswith("MAP(") and upper.endswith(")"):
        key, value = _split_top(text[4:-1])
        return T.MapType(from_duckdb_type(key), from_duckdb_type(value))
    if upper.startswith("STRUCT(") and upper.endswith(")"):
        fields = []
        for part in _split_top(text[7:-1]):
            if part.startswith('"'):
                end = part.index('"', 1)
                while end + 1 < len(part) and part[end + 1] == '"':  # a doubled quote
                    end = part.index('"', end + 2)
                name, rest = part[1:end].replace('""', '"'), part[end + 1:]
            else:
                name, _, rest = part.partition(" ")
            fields.append(T.StructField(name, from_duckdb_type(rest.strip())))
        return T.StructType(fields)
    if upper.startswith("UNION(") or upper.startswith("ENUM("):
        return T.StringType()
    try:
        return _FROM_DUCKDB[upper]
    except KeyError:
        raise TypeError(f"no Spark type for DuckDB type {text}") from None


def to_arrow_type(dt: T.DataType) -> Any:
    """The Arrow type that carries Spark type ``dt`` (what ``toArrow()`` gives)."""
    import pyarrow as pa

    simple = {
        T.NullType: pa.null(), T.BooleanType: pa.bool_(), T.ByteType: pa.int8(),
        T.ShortType: pa.int16(), T.IntegerType: pa.int32(), T.LongType: pa.int64(),
        T.FloatType: pa.float32(), T.DoubleType: pa.float64(), T.StringType: pa.string(),
        T.CharType: pa.string(), T.VarcharType: pa.string(), T.BinaryType: pa.binary(),
        T.DateType: pa.date32(), T.TimestampType: pa.timestamp("us", tz="UTC"),
        T.TimestampNTZType: pa.timestamp("us"), T.DayTimeIntervalType: pa.duration("us"),
    }
    if type(dt) in simple:
        return simple[type(dt)]
    if isinstance(dt, T.DecimalType):
        return pa.decimal128(dt.precision, dt.scale)
    if isinstance(dt, T.ArrayType):
        return pa.list_(to_arrow_type(dt.elementType))
    if isinstance(dt, T.MapType):
        return pa.map_(to_arrow_type(dt.keyType), to_arrow_type(dt.valueType))
    if isinstance(dt, T.StructType):
        return pa.struct([pa.field(f.name, to_arrow_type(f.dataType), f.nullable)
                          for f in dt.fields])
    raise TypeError(f"no Arrow type for Spark type {dt!r}")


def from_arrow_type(at: Any) -> T.DataType:
    """The Spark type of an Arrow type."""
    import pyarrow.types as pt

    if pt.is_null(at):
        return T.NullType()
    if pt.is_boolean(at):
        return T.BooleanType()
    for check, dt in ((pt.is_int8, T.ByteType()), (pt.is_int16, T.ShortType()),
                      (pt.is_int32, T.IntegerType()), (pt.is_int64, T.LongType()),
                      (pt.is_uint8, T.ShortType()), (pt.is_uint16, T.IntegerType()),
                      (pt.is_uint32, T.LongType()), (pt.is_uint64, T.DecimalType(20, 0)),
                      (pt.is_float16, T.FloatType()), (pt.is_float32, T.FloatType()),
                      (pt.is_float64, T.DoubleType()), (pt.is_date, T.DateType())):
        if check(at):
            return dt
    if pt.is_string(at) or pt.is_large_string(at) or getattr(pt, "is_string_view", None) and \
            pt.is_string_view(at):
        return T.StringType()
    if pt.is_binary(at) or pt.is_large_binary(at) or pt.is_fixed_size_binary(at):
        return T.BinaryType()
    if pt.is_timestamp(at):
        return T.TimestampType() if at.tz is not None else T.TimestampNTZType()
    if pt.is_duration(at):
        return T.DayTimeIntervalType()
    if pt.is_decimal(at):
        return T.DecimalType(at.precision, at.scale)
    if pt.is_dictionary(at):
        return from_arrow_type(at.value_type)
    if pt.is_map(at):
        return T.MapType(from_arrow_type(at.key_type), from_arrow_type(at.item_type),
                         at.item_field.nullable)
    if pt.is_list(at) or pt.is_large_list(at) or pt.is_fixed_size_list(at):
        return T.ArrayType(from_arrow_type(at.value_type), at.value_field.nullable)
    if pt.is_struct(at):
        return T.StructType([T.StructField(at.field(i).name, from_arrow_type(at.field(i).type),
                                           at.field(i).nullable)
                             for i in range(at.num_fields)])
    raise TypeError(f"no Spark type for Arrow type {at}") from None


__all__ = ["to_duckdb_type", "from_duckdb_type", "to_arrow_type", "from_arrow_type"]
