"""``write``: an Arrow table to a Spark-layout directory in one of Spark's file formats."""

from __future__ import annotations

import datetime
import os
import shutil
from typing import Any

from sparklet.errors import AnalysisException
from sparklet.sql import types as T
from sparklet.sql.io import columnar, csvfmt, jsonfmt, layout, textfmt
from sparklet.sql.io import values as V
from sparklet.sql.io.files import codec_extension, unsupported_type, write_bytes
from sparklet.sql.io.options import Options, check_format


def _check_types(schema: T.StructType, fmt: str) -> None:
    """Refuse, before anything is written, a type the format cannot hold (as Spark's
    planning does): CSV holds no binary, arrays, maps, structs or intervals."""
    if fmt == "text":
        textfmt.check_text_schema(schema)
        return
    if fmt == "csv":
        ctx = csvfmt._Dialect(Options(), write=True)
        for f in schema.fields:
            csvfmt._csv_text(f.dataType, ctx, f.name)
    if fmt == "json":
        ctx = jsonfmt._WriteContext(Options())
        for f in schema.fields:
            jsonfmt.json_encoder(f.dataType, ctx, f.name)
    if fmt in ("parquet", "orc"):  # neither file format has a type for void
        for f in schema.fields:
            if _has_void(f.dataType):
                raise unsupported_type(f.name, f.dataType, fmt)


def _has_void(dt: T.DataType) -> bool:
    if isinstance(dt, T.NullType):
        return True
    if isinstance(dt, T.ArrayType):
        return _has_void(dt.elementType)
    if isinstance(dt, T.MapType):
        return _has_void(dt.keyType) or _has_void(dt.valueType)
    if isinstance(dt, T.StructType):
        return any(_has_void(f.dataType) for f in dt.fields)
    return False


def _partition_text(value: Any, dt: T.DataType, tz: datetime.tzinfo) -> str | None:
    """A partition value as Spark casts it to a string for its directory name."""
    if value is None:
        return None
    if isinstance(dt, T.BooleanType):
        return "true" if value else "false"
    if isinstance(dt, T.DoubleType):
        return V.java_double(value)
    if isinstance(dt, T.FloatType):
        return V.java_float(value)
    if isinstance(dt, (T.TimestampType, T.TimestampNTZType)):
        if isinstance(dt, T.TimestampType):
            value = value.astimezone(tz)
        text = value.strftime("%Y-%m-%d %H:%M:%S")
        if value.microsecond:
            text += f".{value.microsecond:06d}".rstrip("0")
        return text
    if isinstance(dt, T.DateType):
        return value.isoformat()
    if isinstance(dt, T.BinaryType):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def _file_writer(fmt: str, opts: Options):
    """(extension, function(table, schema, path)) for a format."""
    if fmt == "parquet":
        return columnar.parquet_extension(opts), \
            lambda t, s, p: columnar.write_parquet(t, s, p, opts)
    if fmt == "orc":
        return columnar.orc_extension(opts), lambda t, s, p: columnar.write_orc(t, s, p, opts)
    codec = opts.first(("compression", "codec"))
    ext = codec_extension(codec)
    encode = {"json": jsonfmt.write_json, "csv": csvfmt.write_csv,
              "text": textfmt.write_text}[fmt]
    suffix = {"json": ".json", "csv": ".csv", "text": ".txt"}[fmt]
    return suffix + ext, lambda t, s, p: write_bytes(p, encode(t, s, opts), codec)


def write(table, schema: T.StructType, path: str, format: str,
          mode: str = "errorifexists", partition_by: list[str] | None = None,
          options: dict | None = None) -> None:
    """Write ``table`` (columns in the order and with the names of ``schema``) to directory
    ``path`` as Spark does: ``part-00000-<uuid>-c000.<ext>`` files and ``_SUCCESS``,
    ``partition_by`` columns as ``key=value`` sub-directories, the save ``mode``'s handling
    of an existing path. ``options`` are the writer's (``header``, ``compression``, ...;
    ``timeZone`` is the session time zone the JSON and CSV text is written in)."""
    import pyarrow as pa

    from sparklet.sql.typemap import to_arrow_type

    fmt = format.lower()
    mode = layout.normalize_save_mode(mode)
    check_format(format)
    opts = Options(options)
    partition_by = list(partition_by or [])
    by_lower = {f.name.lower(): i for i, f in enumerate(schema.fields)}
    part_idx = []
    for name in partition_by:
        if name.lower() not in by_lower:
            raise AnalysisException(message=(
                f"Partition column `{name}` not found in schema {schema.simpleString()}."))
        part_idx.append(by_lower[name.lower()])
    if partition_by and len(part_idx) == len(schema.fields):
        raise AnalysisException(message="Cannot use all columns for partition columns.")
    data_idx = [i for i in range(len(schema.fields)) if i not in part_idx]
    data_schema = T.StructType([schema.fields[i] for i in data_idx])
    _check_types(data_schema, fmt)
    dynamic = bool(part_idx) and mode == "overwrite" and \
        (opts.get("partitionOverwriteMode") or "static").lower() == "dynamic"
    # dynamic overwrite replaces only the partitions written to; static (Spark's default)
    # the whole path
    if not layout.prepare_output(path, "append" if dynamic else mode):
        return

    arrow_schema = pa.schema([pa.field(f.name, to_arrow_type(f.dataType)) for f in
                              schema.fields])
    table = pa.Table.from_arrays([table.column(i).cast(arrow_schema.field(i).type)
                                  for i in range(len(schema.fields))], schema=arrow_schema)
    ext, write_file = _file_writer(fmt, opts)
    job = layout.new_job_id()
    root = layout.local_path(path)
    limit = int(opts.get("maxRecordsPerFile") or 0)

    def write_files(directory: str, rows) -> None:
        # maxRecordsPerFile splits a task's output into part-…-c000, c001, …
        step = limit if limit > 0 else max(rows.num_rows, 1)
        for count, start in enumerate(range(0, max(rows.num_rows, 1), step)):
            name = layout.part_file_name(0, job, ext).replace("-c000", f"-c{count:03d}")
            write_file(rows.slice(start, step), data_schema, os.path.join(directory, name))

    data_table = table.select(data_idx)
    if not part_idx:
        write_files(root, data_table)
    else:
        tz = V.zone(opts.get("timeZone"))
        names = [schema.fields[i].name for i in part_idx]
        types = [schema.fields[i].dataType for i in part_idx]
        columns = [[_partition_text(v, types[k], tz) for v in table.column(i).to_pylist()]
                   for k, i in enumerate(part_idx)]
        # rows go by directory name: NULL and "" share the default partition's directory
        rows: dict[str, list[int]] = {}
        for row, texts in enumerate(zip(*columns, strict=True)):
            rows.setdefault(layout.partition_directory(names, list(texts)), []).append(row)
        for relative, indices in rows.items():
            directory = os.path.join(root, relative)
            if dynamic and os.path.isdir(directory):
                shutil.rmtree(directory)
            os.makedirs(directory, exist_ok=True)
            write_files(directory, data_table.take(pa.array(indices, pa.int64())))
    layout.mark_success(path)
