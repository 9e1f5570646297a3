"""``spark.createDataFrame``: rows from Python, an RDD, pandas or Arrow, into DuckDB via Arrow.

Data never becomes SQL literals: it is converted to one Arrow table and registered on the
session's DuckDB. What reaches Arrow is decided as PySpark 4 decides it (its non-Arrow path,
the default):

- **no schema, or a list of names**: the schema is inferred from *every* row of a local list
  (``_infer_schema`` merged with ``_merge_type``; ``CANNOT_MERGE_TYPE``,
  ``CANNOT_DETERMINE_TYPE``, ``CANNOT_INFER_EMPTY_SCHEMA``), from the first row of an RDD
  (then up to 100 rows while a type is still unknown) or from a ``samplingRatio`` sample of
  it. Dicts are maps, unless ``spark.sql.pyspark.inferNestedDictAsStruct.enabled``; names
  rename the inferred fields by position. Rows are not verified.
- **a StructType or DDL string**: every row is verified as ``_make_type_verifier`` does
  (``FIELD_DATA_TYPE_UNACCEPTABLE[_WITH_NAME]``, ``FIELD_NOT_NULLABLE[_WITH_NAME]``,
  ``FIELD_STRUCT_LENGTH_MISMATCH``, ``VALUE_OUT_OF_BOUNDS``), unless ``verifySchema=False``;
  tuples and Rows are matched to the fields by position, dicts and objects by name.
- **another DataType** (``"int"``): each item is one row of a single column ``value``.
- **pandas**: the rows pandas gives (``int64`` → long, ``float64`` → double with NaN kept,
  ``object`` → inferred from the values, ``datetime64`` → timestamp, a categorical → its
  values, nullable ``Int64``/``boolean``/``string`` with ``pd.NA`` → NULL), then as above.
- **a pyarrow Table**: its own types (``from_arrow_type``), or cast to the schema given.
- **an RDD**: each partition is verified and converted to an Arrow IPC stream on the
  executors; the driver only concatenates the streams.

>>> from sparklet.sql import SparkSession
>>> spark = SparkSession.builder.getOrCreate()
>>> spark.createDataFrame([(1, "a")], ["x", "y"]).dtypes
[('x', 'bigint'), ('y', 'string')]
>>> spark.createDataFrame([("a",)], "x INT")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
PySparkTypeError: [FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME] field x: IntegerType() can not \
accept object 'a' in type <class 'str'>.
"""

from __future__ import annotations

import array
import datetime
import decimal
from collections.abc import Callable
from functools import reduce
from typing import Any

from sparklet.errors import PySparkTypeError, PySparkValueError
from sparklet.sql import types as T
from sparklet.sql.conversion import pyspark_error
from sparklet.sql.infer import _infer_schema, _merge_type

__all__ = ["create_dataframe", "make_type_verifier", "infer_schema_from_rows"]


# -- PySpark's errors from inference (infer.py raises TypeError("[CONDITION] message")) -----

def _as_pyspark(exc: TypeError) -> Exception:
    """infer.py's ``TypeError("[CONDITION] text")`` as PySpark's ``PySparkTypeError``."""
    text = str(exc)
    if text.startswith("[") and "] " in text:
        condition, message = text[1:].split("] ", 1)
        return PySparkTypeError(message=message, errorClass=condition,
                                messageParameters=_params_of(condition, message))
    return exc


def _params_of(condition: str, message: str) -> dict[str, str]:
    import re

    names = re.findall(r"`([^`]*)`", message)
    if condition == "CANNOT_MERGE_TYPE" and len(names) == 2:
        return {"data_type1": names[0], "data_type2": names[1]}
    if condition == "CANNOT_INFER_TYPE_FOR_FIELD" and names:
        return {"field_name": names[0]}
    if condition in ("CANNOT_INFER_SCHEMA_FOR_TYPE", "UNSUPPORTED_DATA_TYPE") and names:
        return {"data_type": names[0]}
    return {}


# -- verification: PySpark's _make_type_verifier --------------------------------------------

# Python types each Spark type accepts (exact types: a subclass is refused, as in PySpark)
_ACCEPTABLE: dict[type, tuple[type, ...]] = {
    T.NullType: (type(None),),
    T.BooleanType: (bool,),
    T.ByteType: (int,), T.ShortType: (int,), T.IntegerType: (int,), T.LongType: (int,),
    T.FloatType: (float,), T.DoubleType: (float,),
    T.DecimalType: (decimal.Decimal,),
    T.StringType: (str,), T.CharType: (str,), T.VarcharType: (str,),
    T.BinaryType: (bytearray, bytes),
    T.DateType: (datetime.date, datetime.datetime),
    T.TimestampType: (datetime.datetime,), T.TimestampNTZType: (datetime.datetime,),
    T.DayTimeIntervalType: (datetime.timedelta,),
    T.ArrayType: (list, tuple, array.array),
    T.MapType: (dict,),
    T.StructType: (tuple, list, dict),
}  # fmt: skip
if hasattr(T, "TimeType"):
    _ACCEPTABLE[T.TimeType] = (datetime.time,)

_BOUNDS: dict[type, tuple[int, int]] = {
    T.ByteType: (-(2**7), 2**7 - 1), T.ShortType: (-(2**15), 2**15 - 1),
    T.IntegerType: (-(2**31), 2**31 - 1), T.LongType: (-(2**63), 2**63 - 1),
}  # fmt: skip


def make_type_verifier(dt: T.DataType, nullable: bool = True,
                       name: str | None = None) -> Callable[[Any], None]:
    """A function that raises PySpark's error when a Python value does not fit ``dt``.

    ``name`` is how the errors call the value (``field x``, ``element in array field a``).

    >>> make_type_verifier(T.ByteType())(1234)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    PySparkValueError: [VALUE_OUT_OF_BOUNDS] Value for `obj` must be between -128 and 127 \
(inclusive), got 1234
    """
    def field_name(n: str) -> str:
        return f"field {n}" if name is None else f"field {n} in {name}"

    def unacceptable(obj: Any) -> Exception:
        params = {"data_type": str(dt), "obj": repr(obj), "obj_type": str(type(obj))}
        if name is not None:
            return pyspark_error(PySparkTypeError, "FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME",
                                 {"field_name": str(name), **params})
        return pyspark_error(PySparkTypeError, "FIELD_DATA_TYPE_UNACCEPTABLE", params)

    accepted = _ACCEPTABLE.get(type(dt))

    def check_type(obj: Any) -> None:
        if accepted is None:
            raise AssertionError(f"unknown datatype: {dt} for object {obj!r}" if name is None
                                 else f"{name}: unknown datatype: {dt} for object {obj!r}")
        if type(obj) not in accepted:
            raise unacceptable(obj)

    value: Callable[[Any], None]
    if isinstance(dt, (T.StringType, T.CharType, T.VarcharType)):
        def value(obj: Any) -> None:  # a string column takes anything (str() of it)
            return None
    elif type(dt) in _BOUNDS:
        low, high = _BOUNDS[type(dt)]

        def value(obj: Any) -> None:
            check_type(obj)
            if obj < low or obj > high:
                raise pyspark_error(PySparkValueError, "VALUE_OUT_OF_BOUNDS", {
                    "arg_name": "obj", "lower_bound": str(low), "upper_bound": str(high),
                    "actual": str(obj)})
    elif isinstance(dt, T.ArrayType):
        element = make_type_verifier(dt.elementType, dt.containsNull,
                                     f"element in array {name}")

        def value(obj: Any) -> None:
            check_type(obj)
            for item in obj:
                element(item)
    elif isinstance(dt, T.MapType):
        key = make_type_verifier(dt.keyType, False, f"key of map {name}")
        val = make_type_verifier(dt.valueType, dt.valueContainsNull, f"value of map {name}")

        def value(obj: Any) -> None:
            check_type(obj)
            for k, v in obj.items():
                key(k)
                val(v)
    elif isinstance(dt, T.StructType):
        fields = [(f.name, make_type_verifier(f.dataType, f.nullable, field_name(f.name)))
                  for f in dt.fields]

        def value(obj: Any) -> None:
            if isinstance(obj, dict):
                for n, verify in fields:
                    verify(obj.get(n))
            elif isinstance(obj, (tuple, list)):
                if len(obj) != len(fields):
                    params = {"object_length": str(len(obj)), "field_length": str(len(fields))}
                    if name is not None:
                        raise pyspark_error(PySparkValueError,
                                            "FIELD_STRUCT_LENGTH_MISMATCH_WITH_NAME",
                                            {"field_name": str(name), **params})
                    raise pyspark_error(PySparkValueError, "FIELD_STRUCT_LENGTH_MISMATCH",
                                        params)
                for v, (_, verify) in zip(obj, fields, strict=True):
                    verify(v)
            elif hasattr(obj, "__dict__"):
                d = obj.__dict__
                for n, verify in fields:
                    verify(d.get(n))
            else:
                raise unacceptable(obj)
    else:
        value = check_type

    def verify(obj: Any) -> None:
        if obj is None:
            if nullable:
                return
            if name is not None:
                raise pyspark_error(PySparkValueError, "FIELD_NOT_NULLABLE_WITH_NAME",
                                    {"field_name": str(name)})
            raise pyspark_error(PySparkValueError, "FIELD_NOT_NULLABLE", {})
        value(obj)
    return verify


# -- inference ------------------------------------------------------------------------------

def _has_null_type(dt: T.DataType) -> bool:
    if isinstance(dt, T.NullType):
        return True
    if isinstance(dt, T.StructType):
        return any(_has_null_type(f.dataType) for f in dt.fields)
    if isinstance(dt, T.ArrayType):
        return _has_null_type(dt.elementType)
    if isinstance(dt, T.MapType):
        return _has_null_type(dt.keyType) or _has_null_type(dt.valueType)
    return False


def _infer_flags(session: Any) -> dict[str, bool]:
    """The session settings PySpark's inference reads."""
    def flag(key: str) -> bool:
        return str(session.conf.get(key, "false")).strip().lower() == "true"

    ntz = str(session.conf.get("spark.sql.timestampType", "TIMESTAMP_LTZ")).upper()
    return {
        "infer_dict_as_struct": flag("spark.sql.pyspark.inferNestedDictAsStruct.enabled"),
        "infer_array_from_first_element":
            flag("spark.sql.pyspark.legacy.inferArrayTypeFromFirstElement.enabled"),
        "infer_map_from_first_pair":
            flag("spark.sql.pyspark.legacy.inferMapTypeFromFirstPair.enabled"),
        "prefer_timestamp_ntz": ntz == "TIMESTAMP_NTZ",
    }


def _infer_one(row: Any, names: list[str] | None, flags: dict[str, bool]) -> T.StructType:
    try:
        return _infer_schema(row, names, **flags)
    except TypeError as exc:
        raise _as_pyspark(exc) from None


def _merge(a: T.DataType, b: T.DataType) -> T.DataType:
    try:
        return _merge_type(a, b)
    except TypeError as exc:
        raise _as_pyspark(exc) from None


def infer_schema_from_rows(rows: list[Any], names: list[str] | None,
                           flags: dict[str, bool] | None = None) -> T.StructType:
    """PySpark's ``_inferSchemaFromList``: every row's schema, merged."""
    if not rows:
        raise pyspark_error(PySparkValueError, "CANNOT_INFER_EMPTY_SCHEMA", {})
    flags = flags or {}
    schema = _infer_columns(rows, names, flags)
    if schema is None:
        schema = reduce(_merge, (_infer_one(r, names, flags) for r in rows))
    if _has_null_type(schema):
        raise pyspark_error(PySparkValueError, "CANNOT_DETERMINE_TYPE", {})
    return schema  # type: ignore[return-value]


# Python types whose inferred Spark type depends on the type alone (not on the value)
_BY_TYPE = (type(None), bool, int, float, str, bytes, bytearray, decimal.Decimal,
            datetime.date, datetime.timedelta)


def _infer_columns(rows: list[Any], names: list[str] | None,
                   flags: dict[str, bool]) -> T.StructType | None:
    """The merge of every row's schema, column by column, for plain tuples of atomic values
    (what pandas and most lists give): the same result as merging row by row, without a
    schema per row. None when the rows are anything else or a column does not merge (the
    row-by-row merge then names the conflict PySpark names)."""
    first = rows[0]
    if type(first) not in (tuple, list):
        return None
    n = len(first)
    if any(type(r) not in (tuple, list) or len(r) != n for r in rows):
        return None
    fields = list(names or [])[:n]
    fields += ["_%d" % i for i in range(len(fields) + 1, n + 1)]
    # preferring TIMESTAMP_NTZ, a datetime's type depends on its tzinfo: inferred each time
    ntz = flags.get("prefer_timestamp_ntz")
    by_type = _BY_TYPE if ntz else (*_BY_TYPE, datetime.datetime)
    out = []
    for j in range(n):
        dt: T.DataType = T.NullType()
        seen: set[type] = set()
        for r in rows:
            v = r[j]
            t = type(v)
            if t in seen:
                continue
            if t not in by_type:
                if t is not datetime.datetime:
                    return None
            else:
                seen.add(t)  # its type is known: merging it again changes nothing
            if v is None:
                continue
            try:
                vt = _infer_schema((v,), None, **flags).fields[0].dataType
                dt = _merge_type(dt, vt)
            except TypeError:
                return None
        out.append(T.StructField(fields[j], dt, True))
    return T.StructType(out)


def _rename(struct: T.StructType, names: list[str] | None) -> T.StructType:
    """The inferred fields renamed by position (PySpark: more names than fields fail)."""
    if not names:
        return struct
    fields = list(struct.fields)
    for i, n in enumerate(names):
        f = fields[i]  # IndexError for a name too many, as PySpark's loop
        fields[i] = T.StructField(n, f.dataType, f.nullable, f.metadata)
    return T.StructType(fields)


# -- the entry point -------------------------------------------------------------------------

def _parse_schema(schema: Any) -> tuple[T.StructType | None, list[str] | None, T.DataType | None]:
    """(struct schema, names, a non-struct DataType given as the schema)."""
    if schema is None:
        return None, None, None
    if isinstance(schema, str):
        schema = T._parse_datatype_string(schema)
    if isinstance(schema, T.StructType):
        return schema, None, None
    if isinstance(schema, T.DataType):
        return T.StructType([T.StructField("value", schema, True)]), None, schema
    if isinstance(schema, (list, tuple)):
        return None, [n if isinstance(n, str) else str(n) for n in schema], None
    raise pyspark_error(PySparkTypeError, "NOT_LIST_OR_NONE_OR_STRUCT", {
        "arg_name": "schema", "arg_type": type(schema).__name__})


def _is_rdd(data: Any) -> bool:
    return hasattr(data, "mapPartitions") and hasattr(data, "glom") and hasattr(data, "collect")


def create_dataframe(session: Any, data: Any, schema: Any, samplingRatio: float | None,
                     verifySchema: bool) -> Any:
    """``spark.createDataFrame(data, schema, samplingRatio, verifySchema)``."""
    import pyarrow as pa

    from sparklet.sql.dataframe import DataFrame

    if isinstance(data, DataFrame):
        raise pyspark_error(PySparkTypeError, "INVALID_TYPE", {
            "arg_name": "data", "arg_type": "DataFrame"})
    struct, names, single = _parse_schema(schema)
    verify = verifySchema is not False
    if _is_numpy(data):
        import pandas as pd

        data = pd.DataFrame(data)
        if names is None and struct is None:
            names = [str(c) for c in data.columns]
    if _is_pandas(data) and _conf_true(session, "spark.sql.execution.arrow.pyspark.enabled") \
            and len(data) > 0:
        try:
            return _from_arrow(session, _pandas_to_arrow(session, data), struct, names)
        except Exception:
            # PySpark falls back to the non-Arrow conversion unless told not to
            if not _conf_true(session, "spark.sql.execution.arrow.pyspark.fallback.enabled",
                              "true"):
                raise
    if _is_pandas(data):
        rows, pandas_names = _pandas_rows(data)
        if struct is None and names is None:
            names = pandas_names
        data = rows
    if isinstance(data, (pa.Table, pa.RecordBatch)):
        if isinstance(data, pa.RecordBatch):
            data = pa.Table.from_batches([data])
        return _from_arrow(session, data, struct, names)
    if _is_rdd(data):
        return _from_rdd(session, data, struct, names, single, samplingRatio, verify)
    rows = list(data)
    flags = _infer_flags(session)
    if struct is None:
        struct = infer_schema_from_rows(rows, names, flags)
        rows = [_to_tuple(r, struct) for r in rows]
        struct = _rename(struct, names)
        # unverified, as PySpark's inferred rows: what does not fit (a long past 64 bits)
        # is NULL, as the JVM's EvaluatePython makes it
        return session._register_arrow(_arrow_of(rows, struct, False), struct)
    rows = _prepared(rows, struct, single, verify)
    return session._register_arrow(_arrow_of(rows, struct, verify), struct)


def _prepared(rows: list[Any], struct: T.StructType, single: T.DataType | None,
              verify: bool) -> list[Any]:
    """Rows verified against the schema given (and wrapped when it is not a struct)."""
    if single is not None:
        if verify:
            check = make_type_verifier(single, name="field value")
            for r in rows:
                check(r)
        return [(r,) for r in rows]
    if verify:
        check = make_type_verifier(struct)
        for r in rows:
            check(r)
    return rows


def _to_tuple(row: Any, struct: T.StructType) -> tuple:
    """PySpark's ``_create_converter``: dicts and objects by the inferred names, tuples and
    Rows as they are."""
    if isinstance(row, (tuple, list)):
        return tuple(row)
    d = row if isinstance(row, dict) else row.__dict__
    return tuple(d.get(n) for n in struct.names)


def _arrow_of(rows: list[Any], struct: T.StructType, verified: bool) -> Any:
    from sparklet.sql.conversion import to_arrow_table

    return to_arrow_table(rows, struct, lenient=not verified)


def _infer_from_rdd(rdd: Any, names: list[str] | None, samplingRatio: float | None,
                    flags: dict[str, bool]) -> T.StructType:
    """PySpark's ``_inferSchema``: the first row, then up to 100 rows while a type is still
    unknown; or the merge over a ``samplingRatio`` sample."""
    first = rdd.first()
    if hasattr(first, "__len__") and len(first) == 0:
        raise pyspark_error(PySparkValueError, "CANNOT_INFER_EMPTY_SCHEMA", {})
    if samplingRatio is None:
        schema = _infer_one(first, names, flags)
        if _has_null_type(schema):
            for row in rdd.take(100)[1:]:
                schema = _merge(schema, _infer_one(row, names, flags))
                if not _has_null_type(schema):
                    break
            else:
                raise pyspark_error(PySparkValueError, "CANNOT_DETERMINE_TYPE", {})
        return schema  # type: ignore[return-value]
    sample = rdd.sample(False, float(samplingRatio)) if samplingRatio < 0.99 else rdd
    schemas = sample.map(lambda row: _infer_schema(row, names, **flags)).collect()
    if not schemas:
        raise pyspark_error(PySparkValueError, "CANNOT_INFER_EMPTY_SCHEMA", {})
    return reduce(_merge, schemas)  # type: ignore[return-value]


def _from_rdd(session: Any, rdd: Any, struct: T.StructType | None, names: list[str] | None,
              single: T.DataType | None, samplingRatio: float | None, verify: bool) -> Any:
    """Each partition is verified and becomes an Arrow IPC stream on the executors; the
    driver only concatenates them."""
    import pyarrow as pa

    flags = _infer_flags(session)
    inferred = struct is None
    if inferred:
        struct = _infer_from_rdd(rdd, names, samplingRatio, flags)
    schema: T.StructType = struct  # type: ignore[assignment]
    final = _rename(schema, names) if inferred else schema

    def to_ipc(rows: Any) -> Any:
        import pyarrow as pa

        from sparklet.sql.conversion import to_arrow_table
        from sparklet.sql.create import _prepared, _to_tuple

        rows = list(rows)
        if inferred:
            rows = [_to_tuple(r, schema) for r in rows]
        else:
            rows = _prepared(rows, schema, single, verify)
        table = to_arrow_table(rows, final, lenient=inferred or not verify)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        yield sink.getvalue().to_pybytes()

    parts = rdd.mapPartitions(to_ipc).collect()
    tables = [pa.ipc.open_stream(p).read_all() for p in parts]
    from sparklet.sql.conversion import to_arrow_table

    table = pa.concat_tables(tables) if tables else to_arrow_table([], final)
    return session._register_arrow(table, final)


# -- pandas, numpy and Arrow ------------------------------------------------------------------

def _is_pandas(data: Any) -> bool:
    return type(data).__module__.startswith("pandas") and hasattr(data, "to_records")


def _is_numpy(data: Any) -> bool:
    return type(data).__module__ == "numpy" and hasattr(data, "ndim")


def _pandas_rows(pdf: Any) -> tuple[list[tuple], list[str]]:
    """The rows PySpark's ``_convert_from_pandas`` gives: Python values per column (numpy
    scalars made Python, datetimes as naive ``datetime``, ``pd.NA``/``NaT`` as None, NaN of a
    float column kept)."""
    import pandas as pd

    columns = []
    for _, series in pdf.items():
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            series = series.astype(object)
            dtype = series.dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            # an instant: kept as an aware datetime (UTC), which TimestampType takes as is
            values = [None if v is pd.NaT else v.to_pydatetime() for v in
                      series.dt.tz_convert("UTC")]
        elif pd.api.types.is_datetime64_dtype(dtype):
            values = [None if v is pd.NaT else v.to_pydatetime() for v in series]
        elif pd.api.types.is_timedelta64_dtype(dtype):
            values = [None if v is pd.NaT else v.to_pytimedelta() for v in series]
        elif isinstance(dtype, pd.StringDtype):
            # pandas' string columns (pandas 3's default ``str``): NaN or pd.NA is missing
            values = [None if v is None or v is pd.NA or v != v else str(v)
                      for v in series.astype(object)]
        elif isinstance(dtype, pd.api.extensions.ExtensionDtype):
            # nullable Int64 / boolean / string / Float64: pd.NA is NULL
            values = [None if v is pd.NA or v is None else _py(v)
                      for v in series.astype(object)]
        elif pd.api.types.is_object_dtype(dtype):
            values = [None if v is None or v is pd.NA or v is pd.NaT else _py(v)
                      for v in series]
        else:
            values = series.tolist()  # numpy numbers and bools: Python's, NaN kept
        columns.append(values)
    rows = list(zip(*columns, strict=True)) if columns else [() for _ in range(len(pdf))]
    return rows, [str(c) for c in pdf.columns]


def _conf_true(session: Any, key: str, default: str = "false") -> bool:
    return str(session.conf.get(key, default)).strip().lower() == "true"


def _pandas_to_arrow(session: Any, pdf: Any) -> Any:
    """PySpark's Arrow path for pandas (``spark.sql.execution.arrow.pyspark.enabled``): the
    columns' own Arrow types (int32 stays int, NaN and None are NULL), naive timestamps
    read in the session time zone."""
    import pandas as pd
    import pyarrow as pa

    columns = {}
    for name, series in pdf.items():
        if pd.api.types.is_datetime64_dtype(series.dtype) and \
                not isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_localize(session._time_zone, ambiguous="NaT",
                                           nonexistent="NaT")
        columns[str(name)] = series
    table = pa.Table.from_pandas(pd.DataFrame(columns), preserve_index=False)
    cast = []
    for f in table.schema:
        t = f.type
        if pa.types.is_timestamp(t):
            t = pa.timestamp("us", tz="UTC")
        elif pa.types.is_large_string(t) or getattr(pa.types, "is_string_view", bool)(t):
            t = pa.string()
        cast.append(pa.field(f.name, t, True))
    return table.cast(pa.schema(cast))


def _py(v: Any) -> Any:
    """A numpy scalar as the Python value PySpark's ``tolist()`` gives."""
    item = getattr(v, "item", None)
    if item is not None and type(v).__module__ == "numpy":
        return item()
    return v


def _from_arrow(session: Any, table: Any, struct: T.StructType | None,
                names: list[str] | None) -> Any:
    import pyarrow as pa

    from sparklet.sql.typemap import from_arrow_type, to_arrow_type

    if struct is None:
        if names:
            table = table.rename_columns(names + table.column_names[len(names):])
        struct = T.StructType([T.StructField(f.name, from_arrow_type(f.type), True)
                               for f in table.schema])
    else:
        table = table.rename_columns(struct.names)
    target = pa.schema([pa.field(f.name, to_arrow_type(f.dataType), f.nullable)
                        for f in struct.fields])
    table = table.cast(target)
    return session._register_arrow(table, struct)
