"""Values between Python, Arrow and DuckDB, as PySpark converts them.

``collect()`` gives PySpark's Python values: ``Row`` for structs, ``dict`` for maps,
``bytes`` for binary (PySpark 4; 3.x gave ``bytearray``), and for ``timestamp`` a naive
``datetime`` in the Python process's local time zone (PySpark converts the instant with
``datetime.fromtimestamp``).
``to_arrow_table`` turns the rows given to ``createDataFrame`` into Arrow (tuples and Rows by
position, dicts and objects by name; naive datetimes are local time); ``to_pandas`` and
``to_arrow`` are ``toPandas()`` and ``toArrow()`` with PySpark's dtypes and Arrow types.

>>> schema = T._parse_datatype_string("a int, s struct<x:int,y:string>, b binary")
>>> to_row = row_converter(schema)
>>> to_row((1, {"x": 2, "y": "z"}, b"ab"))
Row(a=1, s=Row(x=2, y='z'), b=b'ab')
>>> to_arrow_table([(1, (2, "z"), b"ab")], schema).to_pylist()
[{'a': 1, 's': {'x': 2, 'y': 'z'}, 'b': b'ab'}]
"""

from __future__ import annotations

import datetime
import decimal
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
        return lambda v: v if v is None or type(v) is bytes else bytes(v)
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


def pyspark_error(cls: type, condition: str, params: dict[str, str]) -> Exception:
    """``cls(errorClass=condition, ...)`` with PySpark's message, also for the Python-side
    conditions sparklet's error table does not carry (their templates are here)."""
    from sparklet.errors.conditions import get_error_message

    try:
        message = get_error_message(condition, params)
    except ValueError:
        template = _PYTHON_TEMPLATES.get(condition)
        if template is None:
            raise
        message = template
        for k, v in params.items():
            message = message.replace(f"<{k}>", str(v))
    return cls(message=message, errorClass=condition, messageParameters=params)


# PySpark 4's messages (python/pyspark/errors/error-conditions.json) of the conditions that
# createDataFrame and the UDFs raise and sparklet.errors does not list yet.
_PYTHON_TEMPLATES = {
    "FIELD_NOT_NULLABLE": "Field is not nullable, but got None.",
    "FIELD_STRUCT_LENGTH_MISMATCH":
        "Length of object (<object_length>) does not match with length of fields "
        "(<field_length>).",
    "FIELD_STRUCT_LENGTH_MISMATCH_WITH_NAME":
        "<field_name>: Length of object (<object_length>) does not match with length of "
        "fields (<field_length>).",
    "VALUE_OUT_OF_BOUNDS":
        "Value for `<arg_name>` must be between <lower_bound> and <upper_bound> (inclusive), "
        "got <actual>",
    "CANNOT_ACCEPT_OBJECT_IN_TYPE":
        "`<data_type>` can not accept object `<obj_name>` in type `<obj_type>`.",
    "NOT_LIST_OR_NONE_OR_STRUCT":
        "Argument `<arg_name>` should be a list, None or StructType, got <arg_type>.",
    "NOT_DATATYPE_OR_STR": "Argument `<arg_name>` should be a DataType or str, got <arg_type>.",
    "NOT_CALLABLE": "Argument `<arg_name>` should be a callable, got <arg_type>.",
    "NOT_STRUCT": "Argument `<arg_name>` should be a struct type, got <arg_type>.",
    "INVALID_PANDAS_UDF_TYPE":
        "`<arg_name>` should be one of the values from PandasUDFType, got <arg_type>",
    "INVALID_RETURN_TYPE_FOR_PANDAS_UDF":
        "Pandas UDF should return StructType for <eval_type>, got <return_type>.",
    "RESULT_LENGTH_MISMATCH_FOR_SCALAR_ITER_PANDAS_UDF":
        "The length of output in Scalar iterator pandas UDF should be the same with the "
        "input's; however, the length of output was <output_length> and the length of input "
        "was <input_length>.",
    "SCHEMA_MISMATCH_FOR_PANDAS_UDF":
        "Result vector from <udf_type> was not the required length: expected <expected>, "
        "got <actual>.",
    "RESULT_COLUMNS_MISMATCH_FOR_PANDAS_UDF":
        "Column names of the returned pandas.DataFrame do not match specified "
        "schema.<missing><extra>",
    "RESULT_LENGTH_MISMATCH_FOR_PANDAS_UDF":
        "Number of columns of the returned pandas.DataFrame doesn't match specified schema. "
        "Expected: <expected> Actual: <actual>",
    "UNSUPPORTED_OPERATION": "<operation> is not supported.",
    "UDF_RETURN_TYPE":
        "Return type of the user-defined function should be <expected>, but is <actual>.",
    "CANNOT_SPECIFY_RETURN_TYPE_FOR_UDF":
        "returnType can not be specified when `<arg_name>` is a user-defined function, but "
        "got <return_type>.",
    "STOP_ITERATION_OCCURRED_FROM_SCALAR_ITER_PANDAS_UDF":
        "pandas iterator UDF should exhaust the input iterator.",
}


# -- Python values → Arrow (createDataFrame, UDF results) --------------------------------------

def _java_string(v: Any) -> str:
    """A non-string value as the JVM's ``toString`` shows it in a string column."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


_INT_BOUNDS = {T.ByteType: 7, T.ShortType: 15, T.IntegerType: 31, T.LongType: 63}


def _to_arrow_value(dt: T.DataType, lenient: bool = False) -> Converter:
    """A function: Python value (as a user gives it to createDataFrame) → what pyarrow takes
    for ``dt``. ``lenient`` (an unverified schema): a value of another type is NULL, as the
    JVM's ``EvaluatePython`` makes it."""
    if isinstance(dt, (T.StringType, T.CharType, T.VarcharType)):
        return lambda v: v if v is None or isinstance(v, str) else _java_string(v)
    if type(dt) in _INT_BOUNDS:
        if not lenient:
            return None
        bits = _INT_BOUNDS[type(dt)]

        def integral(v: Any) -> Any:
            if type(v) is not int or not -(2**bits) <= v < 2**bits:
                return None
            return v
        return integral
    if isinstance(dt, (T.FloatType, T.DoubleType)):
        if not lenient:
            return None
        return lambda v: v if type(v) is float else None
    if isinstance(dt, T.BooleanType):
        return (lambda v: v if type(v) is bool else None) if lenient else None
    if isinstance(dt, T.DecimalType):
        quantum = decimal.Decimal(1).scaleb(-dt.scale)
        limit = decimal.Decimal(10).scaleb(dt.precision - dt.scale - 1)
        context = decimal.Context(prec=80)  # 38 digits need more than the default 28

        def dec(v: Any) -> Any:
            if not isinstance(v, decimal.Decimal):
                return None
            if not v.is_finite():
                return None
            # Spark's Decimal.set: rounded HALF_UP to the scale; too many digits: NULL
            q = v.quantize(quantum, rounding=decimal.ROUND_HALF_UP, context=context)
            return q if q.copy_abs() < limit else None
        return dec
    if isinstance(dt, T.TimestampType):
        def timestamp(v: Any) -> Any:
            if isinstance(v, datetime.datetime):
                if v.tzinfo is None:
                    return v.astimezone(datetime.UTC)  # naive = local time, as PySpark
                return v
            return None
        return timestamp
    if isinstance(dt, T.TimestampNTZType):
        return lambda v: v if isinstance(v, datetime.datetime) else None
    if isinstance(dt, T.DateType):
        def date(v: Any) -> Any:
            if isinstance(v, datetime.datetime):
                return v.date()
            return v if isinstance(v, datetime.date) else None
        return date
    if isinstance(dt, T.BinaryType):
        return lambda v: bytes(v) if isinstance(v, (bytearray, memoryview)) else (
            v if isinstance(v, bytes) else None)
    if isinstance(dt, T.ArrayType):
        inner = _to_arrow_value(dt.elementType, lenient)

        def arr(v: Any) -> Any:
            if v is None:
                return None
            if inner is None:
                return list(v)
            return [None if x is None else inner(x) for x in v]
        return arr
    if isinstance(dt, T.MapType):
        kc = _to_arrow_value(dt.keyType, lenient) or (lambda x: x)
        vc = _to_arrow_value(dt.valueType, lenient) or (lambda x: x)
        return lambda v: None if v is None else [
            (kc(k), None if x is None else vc(x)) for k, x in v.items()]
    if isinstance(dt, T.StructType):
        fields = [(f.name, _to_arrow_value(f.dataType, lenient) or (lambda x: x))
                  for f in dt.fields]

        def struct(v: Any) -> Any:
            if v is None:
                return None
            if isinstance(v, dict):
                values = [v.get(n) for n, _ in fields]
            elif isinstance(v, (tuple, list)):  # Rows too: by position, as PySpark
                values = list(v)
            elif hasattr(v, "__dict__"):
                values = [v.__dict__.get(n) for n, _ in fields]
            else:
                return None
            return {n: None if x is None else c(x)
                    for (n, c), x in zip(fields, values, strict=False)}
        return struct
    return None


def columns_of(rows: Iterable[Any], schema: T.StructType) -> list[list[Any]]:
    """Rows → one list of values per field of ``schema``: dicts and objects by name, tuples
    and Rows by position (as PySpark matches them to a schema)."""
    names = schema.names
    cols: list[list[Any]] = [[] for _ in names]
    n = len(names)
    for row in rows:
        if isinstance(row, dict):
            values = [row.get(k) for k in names]
        elif isinstance(row, (tuple, list)):
            values = list(row)[:n]
            if len(values) < n:
                values += [None] * (n - len(values))
        elif hasattr(row, "__dict__"):
            values = [row.__dict__.get(k) for k in names]
        else:
            values = [row] + [None] * (n - 1)
        for col, value in zip(cols, values, strict=True):
            col.append(value)
    return cols


def to_arrow_table(rows: Iterable[Any], schema: T.StructType, lenient: bool = False) -> Any:
    """A ``pyarrow.Table`` of ``rows`` with the Arrow types of ``schema``."""
    import pyarrow as pa

    from sparklet.sql.typemap import to_arrow_type

    arrays = []
    for field, values in zip(schema.fields, columns_of(rows, schema), strict=True):
        convert = _to_arrow_value(field.dataType, lenient)
        if convert is not None:
            values = [None if v is None else convert(v) for v in values]
        arrays.append(pa.array(values, type=to_arrow_type(field.dataType)))
    fields = [pa.field(f.name, a.type, f.nullable) for f, a in zip(schema.fields, arrays,
                                                                    strict=True)]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


# -- DataFrame → Arrow ------------------------------------------------------------------------

def to_arrow(df: Any) -> Any:
    """``df.toArrow()``: a ``pyarrow.Table`` with Spark's Arrow types (``int`` is int32,
    ``timestamp`` is ``timestamp[us, tz=UTC]``, a day-time interval ``duration[us]``), the
    columns under their Spark names."""
    import pyarrow as pa

    from sparklet.sql.typemap import to_arrow_type

    items = []
    for a in df._attrs:
        ref = _quote(a.phys)
        if isinstance(a.dataType, T.DayTimeIntervalType):
            # DuckDB exports INTERVAL as month-day-nano, whose nanoseconds overflow past
            # 106 751 days; Spark's interval is a long of microseconds: take those exactly
            ref = f"epoch_us({ref})"
        items.append(f"{ref} AS {_quote(a.name)}")
    table = df._session._arrow(f"SELECT {', '.join(items)} FROM ({df._sql}) AS _t")
    fields = [pa.field(a.name, to_arrow_type(a.dataType), a.nullable) for a in df._attrs]
    columns = []
    for f, col in zip(fields, table.columns, strict=True):
        if col.type != f.type:
            try:
                col = col.cast(f.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
                f = pa.field(f.name, col.type, f.nullable)  # kept as DuckDB gave it
        columns.append((f, col))
    schema = pa.schema([f for f, _ in columns])
    return pa.Table.from_arrays([c for _, c in columns], schema=schema)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- DataFrame → pandas -----------------------------------------------------------------------

_PANDAS_INTS = {T.ByteType: "int8", T.ShortType: "int16", T.IntegerType: "int32",
                T.LongType: "int64"}


def to_pandas(df: Any) -> Any:
    """``df.toPandas()`` as PySpark 4's (non-Arrow) conversion: integer columns are
    ``int8``…``int64`` (``float64`` with NaN once a NULL is in them), floats ``float32`` /
    ``float64``, booleans ``bool`` (``object`` with a NULL), timestamps ``datetime64[ns]``
    naive in the session time zone, day-time intervals ``timedelta64[ns]``; dates, decimals,
    strings, binary (bytes), arrays (list), maps (dict) and structs (Row) are objects."""
    import zoneinfo

    import numpy as np
    import pandas as pd

    schema = df.schema
    raw = df._session._fetchall(df._sql)
    zone = zoneinfo.ZoneInfo(df._session._time_zone)
    series = []
    for i, f in enumerate(schema.fields):
        dt = f.dataType
        values = [r[i] for r in raw]
        has_null = any(v is None for v in values)
        if type(dt) in _PANDAS_INTS:
            s = pd.Series(values, dtype="float64" if has_null else _PANDAS_INTS[type(dt)])
        elif isinstance(dt, (T.FloatType, T.DoubleType)):
            s = pd.Series([np.nan if v is None else v for v in values],
                          dtype="float32" if isinstance(dt, T.FloatType) else "float64")
        elif isinstance(dt, T.BooleanType):
            s = pd.Series(values, dtype=object if has_null else bool)
        elif isinstance(dt, T.TimestampType):
            wall = [None if v is None else (v.astimezone(zone).replace(tzinfo=None)
                                            if v.tzinfo else v) for v in values]
            s = pd.Series(wall, dtype="datetime64[ns]")
        elif isinstance(dt, T.TimestampNTZType):
            s = pd.Series(values, dtype="datetime64[ns]")
        elif isinstance(dt, T.DayTimeIntervalType):
            s = pd.Series(values, dtype="timedelta64[ns]")
        else:
            convert = _value_converter(dt)
            if convert is not None:
                values = [convert(v) for v in values]
            s = pd.Series(values, dtype=object)
        s.name = f.name
        series.append(s)
    if not series:
        return pd.DataFrame(index=range(len(raw)))
    out = pd.concat(series, axis=1)
    out.columns = schema.names
    return out


__all__ = ["row_converter", "to_arrow_table", "columns_of", "to_pandas", "pyspark_error"]
