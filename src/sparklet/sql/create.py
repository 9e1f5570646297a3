"""``spark.createDataFrame``: rows from Python, an RDD, pandas or Arrow, into DuckDB via Arrow.

Data never becomes SQL literals: it is converted to one Arrow table (PySpark's type
inference and verification first) and registered on the session's DuckDB.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

from sparklet.errors import PySparkTypeError, PySparkValueError
from sparklet.sql import types as T
from sparklet.sql.infer import _infer_schema, _merge_type


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


def _infer_from_rows(rows: list[Any], names: list[str] | None) -> T.StructType:
    if not rows:
        raise PySparkValueError(errorClass="CANNOT_INFER_EMPTY_SCHEMA", messageParameters={})
    schemas = [_infer_schema(r, names) for r in rows]
    schema = reduce(_merge_type, schemas)
    if _has_null_type(schema):
        raise PySparkValueError(errorClass="CANNOT_DETERMINE_TYPE", messageParameters={})
    return schema  # type: ignore[return-value]


def _parse_schema(schema: Any) -> tuple[T.StructType | None, list[str] | None, bool]:
    """(struct schema or None, names or None, whether rows are bare values)."""
    if schema is None:
        return None, None, False
    if isinstance(schema, str):
        schema = T._parse_datatype_string(schema)
    if isinstance(schema, T.StructType):
        return schema, None, False
    if isinstance(schema, T.DataType):
        return T.StructType([T.StructField("value", schema, True)]), None, True
    if isinstance(schema, (list, tuple)):
        if all(isinstance(n, str) for n in schema):
            return None, list(schema), False
    raise PySparkTypeError(errorClass="NOT_LIST_OR_NONE_OR_STRUCT", messageParameters={
        "arg_name": "schema", "arg_type": type(schema).__name__})


def create_dataframe(session: Any, data: Any, schema: Any, samplingRatio: float | None,
                     verifySchema: bool) -> Any:
    import pyarrow as pa

    from sparklet.sql.dataframe import DataFrame

    if isinstance(data, DataFrame):
        raise PySparkTypeError(errorClass="INVALID_TYPE", messageParameters={
            "arg_name": "data", "arg_type": "DataFrame"})
    struct, names, bare = _parse_schema(schema)
    if _is_pandas(data):
        data = pa.Table.from_pandas(data, preserve_index=False)
    if isinstance(data, pa.Table):
        return _from_arrow(session, data, struct, names)
    if hasattr(data, "mapPartitions") and hasattr(data, "collect"):  # an RDD
        return _from_rdd(session, data, struct, names, bare, samplingRatio)
    rows = list(data)
    if bare:
        rows = [(r,) for r in rows]
    elif rows and struct is None and not isinstance(rows[0], (tuple, list, dict)) \
            and not hasattr(rows[0], "__dict__"):
        raise PySparkTypeError(errorClass="CANNOT_INFER_SCHEMA_FOR_TYPE", messageParameters={
            "data_type": type(rows[0]).__name__})
    if struct is None:
        sample = rows
        if samplingRatio is not None and samplingRatio < 1 and rows:
            import random

            sample = [r for r in rows if random.random() < samplingRatio] or rows[:1]
        struct = _infer_from_rows(sample, names)
        if names:
            struct = T.StructType([T.StructField(n, f.dataType, f.nullable) for n, f in
                                   zip(names + struct.names[len(names):], struct.fields,
                                       strict=False)])
    elif rows and verifySchema:
        _check_lengths(rows, struct)
    from sparklet.sql.conversion import to_arrow_table

    try:
        table = to_arrow_table(rows, struct)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError) as exc:
        raise PySparkTypeError(errorClass="CANNOT_ACCEPT_OBJECT_IN_TYPE", messageParameters={
                                   "data_type": struct.simpleString(), "obj_name": str(exc),
                                   "obj_type": type(exc).__name__}) from exc
    return session._register_arrow(table, struct)


def _infer_from_rdd(rdd: Any, names: list[str] | None, samplingRatio: float | None
                    ) -> T.StructType:
    """PySpark's rule: the first row, then up to 100 rows while a type is still unknown; or
    a sample of ``samplingRatio``."""
    if samplingRatio is not None:
        sample = rdd.sample(False, samplingRatio).collect() or rdd.take(1)
        return _infer_from_rows(sample, names)
    first = rdd.take(1)
    if not first:
        raise PySparkValueError(errorClass="CANNOT_INFER_EMPTY_SCHEMA", messageParameters={})
    schema = _infer_schema(first[0], names)
    if _has_null_type(schema):
        return _infer_from_rows(rdd.take(100), names)
    return schema


def _from_rdd(session: Any, rdd: Any, struct: T.StructType | None, names: list[str] | None,
              bare: bool, samplingRatio: float | None) -> Any:
    """Each partition becomes an Arrow IPC stream on the executors; the driver only
    concatenates them."""
    import pyarrow as pa

    if bare:
        rdd = rdd.map(lambda v: (v,))
    if struct is None:
        struct = _infer_from_rdd(rdd, names, samplingRatio)
        if names:
            struct = T.StructType([T.StructField(n, f.dataType, f.nullable) for n, f in
                                   zip(names + struct.names[len(names):], struct.fields,
                                       strict=False)])
    schema = struct

    def to_ipc(rows: Any) -> Any:
        import pyarrow as pa

        from sparklet.sql.conversion import to_arrow_table

        table = to_arrow_table(list(rows), schema)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        yield sink.getvalue().to_pybytes()

    parts = rdd.mapPartitions(to_ipc).collect()
    tables = [pa.ipc.open_stream(p).read_all() for p in parts]
    from sparklet.sql.conversion import to_arrow_table

    table = pa.concat_tables(tables) if tables else to_arrow_table([], schema)
    return session._register_arrow(table, schema)


def _check_lengths(rows: list[Any], struct: T.StructType) -> None:
    n = len(struct.fields)
    for r in rows:
        if isinstance(r, (tuple, list)) and not hasattr(r, "__fields__") and len(r) != n:
            raise PySparkValueError(errorClass="LENGTH_SHOULD_BE_THE_SAME", messageParameters={
                "arg1": "obj", "arg2": "fields", "arg1_length": str(len(r)),
                "arg2_length": str(n)})


def _is_pandas(data: Any) -> bool:
    return type(data).__module__.startswith("pandas") and hasattr(data, "to_records")


def _from_arrow(session: Any, table: Any, struct: T.StructType | None,
                names: list[str] | None) -> Any:
    from sparklet.sql.typemap import from_arrow_type, to_arrow_type

    if struct is None:
        fields = [T.StructField(n, from_arrow_type(t), True)
                  for n, t in zip(names or table.column_names, table.schema.types, strict=False)]
        struct = T.StructType(fields)
        if names:
            table = table.rename_columns(names)
    else:
        import pyarrow as pa

        table = table.rename_columns(struct.names)
        table = table.cast(pa.schema([pa.field(f.name, to_arrow_type(f.dataType), True)
                                      for f in struct.fields]))
    return session._register_arrow(table, struct)
