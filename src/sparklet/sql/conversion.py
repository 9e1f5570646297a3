"""Values between Python, Arrow and DuckDB, as PySpark converts them.

``collect()`` gives PySpark's Python values: ``Row`` for structs, ``dict`` for maps,
``bytearray`` for binary, and for ``timestamp`` a naive ``datetime`` in the Python process's
local time zone (PySpark converts the instant with ``datetime.fromtimestamp``).

>>> schema = T._parse_datatype_string("a int, s struct<x:int,y:string>, b binary")
>>> to_row = row_converter(schema)
>>> to_row((1, {"x": 2, "y": "z"}, b"ab"))
Row(a=1, s=Row(x=2, y='z'), b=bytearray(b'ab'))
>>> to_arrow_table([(1, (2, "z"), b"ab")], schema).to_pylist()
[{'a': 1, 's': {'x': 2, 'y': 'z'}, 'b': b'ab'}]
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from sparklet.sql import types as T
from sparklet.sql.row import Row, _create_row

Converter = Callable[[Any], Any] | None


def _value_converter(dt: T.DataType) -> Converter:
    """A function DuckDB value → PySpark value, or None where they are the same."""
    if isinstance(dt, T.TimestampType):
        def timestamp(v: Any) -> Any:
            if v is None or v.tzinfo is None:
                return v
            return v.astimezone().replace(tzinfo=None)
        return timestamp
    if isinstance(dt, T.BinaryType):
        return lambda v: None if v is None else bytearray(v)
    if isinstance(dt, T.ArrayType):
        inner = _value_converter(dt.elementType)
        if inner is None:
            return None
        return lambda v: None if v is None else [inner(x) for x in v]
    if isinstance(dt, T.MapType):
        kc, vc = _value_converter(dt.keyType), _value_converter(dt.valueType)
        if kc is None and vc is None:
            return None
        kc = kc or (lambda x: x)
        vc = vc or (lambda x: x)
        return lambda v: None if v is None else {kc(k): vc(x) for k, x in v.items()}
    if isinstance(dt, T.StructType):
        to_row = row_converter(dt)

        def struct(v: Any) -> Any:
            if v is None:
                return None
            return to_row(tuple(v.values()) if isinstance(v, dict) else v)
        return struct
    return None


def row_converter(schema: T.StructType) -> Callable[[tuple], Row]:
    """A function: one DuckDB result tuple → PySpark's ``Row``."""
    names = schema.names
    converters = [(i, c) for i, f in enumerate(schema.fields)
                  if (c := _value_converter(f.dataType)) is not None]
    if not converters:
        return lambda values: _create_row(names, values)

    def convert(values: tuple) -> Row:
        values = list(values)
        for i, c in converters:
            values[i] = c(values[i])
        return _create_row(names, values)
    return convert


def _to_arrow_value(dt: T.DataType) -> Converter:
    """A function Python value (as a user gives it to createDataFrame) → what pyarrow takes."""
    if isinstance(dt, T.TimestampType):
        def timestamp(v: Any) -> Any:
            if isinstance(v, datetime.datetime) and v.tzinfo is None:
                return v.astimezone(datetime.UTC)  # naive = local time, as PySpark
            return v
        return timestamp
    if isinstance(dt, T.BinaryType):
        return lambda v: bytes(v) if isinstance(v, bytearray) else v
    if isinstance(dt, T.ArrayType):
        inner = _to_arrow_value(dt.elementType)
        if inner is None:
            return None
        return lambda v: None if v is None else [inner(x) for x in v]
    if isinstance(dt, T.MapType):
        kc = _to_arrow_value(dt.keyType) or (lambda x: x)
        vc = _to_arrow_value(dt.valueType) or (lambda x: x)
        return lambda v: None if v is None else [(kc(k), vc(x)) for k, x in v.items()]
    if isinstance(dt, T.StructType):
        fields = [(f.name, _to_arrow_value(f.dataType) or (lambda x: x)) for f in dt.fields]

        def struct(v: Any) -> Any:
            if v is None:
                return None
            if isinstance(v, dict):
                return {n: c(v.get(n)) for n, c in fields}
            if isinstance(v, Row) and hasattr(v, "__fields__"):
                d = dict(zip(v.__fields__, v, strict=False))
                return {n: c(d.get(n)) for n, c in fields}
            if hasattr(v, "__dict__") and not isinstance(v, tuple):
                return {n: c(getattr(v, n, None)) for n, c in fields}
            return {n: c(x) for (n, c), x in zip(fields, v, strict=False)}
        return struct
    return None


def columns_of(rows: Iterable[Any], schema: T.StructType) -> list[list[Any]]:
    """Rows (tuples, Rows, dicts or objects) → one list of values per field of ``schema``."""
    names = schema.names
    cols: list[list[Any]] = [[] for _ in names]
    for row in rows:
        if isinstance(row, dict):
            values = [row.get(n) for n in names]
        elif isinstance(row, Row) and hasattr(row, "__fields__"):
            d = dict(zip(row.__fields__, row, strict=False))
            values = [d.get(n) for n in names] if set(names) <= d.keys() else list(row)
        elif isinstance(row, (tuple, list)):
            values = list(row)
        elif hasattr(row, "__dict__"):
            values = [getattr(row, n, None) for n in names]
        else:
            values = [row]
        for col, value in zip(cols, values, strict=False):
            col.append(value)
    return cols


def to_arrow_table(rows: Iterable[Any], schema: T.StructType) -> Any:
    """A ``pyarrow.Table`` of ``rows`` with the Arrow types of ``schema``."""
    import pyarrow as pa

    from sparklet.sql.typemap import to_arrow_type

    arrays = []
    for field, values in zip(schema.fields, columns_of(rows, schema), strict=True):
        convert = _to_arrow_value(field.dataType)
        if convert is not None:
            values = [convert(v) for v in values]
        arrays.append(pa.array(values, type=to_arrow_type(field.dataType)))
    fields = [pa.field(f.name, a.type, f.nullable) for f, a in zip(schema.fields, arrays,
                                                                    strict=True)]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


__all__ = ["row_converter", "to_arrow_table", "columns_of"]
