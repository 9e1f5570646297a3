"""Parquet and ORC, through pyarrow (writing) and DuckDB / pyarrow (reading).

Parquet is written by ``pyarrow.parquet`` (snappy unless ``compression`` says otherwise, as
Spark) and read by DuckDB's ``read_parquet`` — lazily, with projection and filter pushdown;
the schema comes from the first file's footer, or from all of them with ``mergeSchema``
(``union_by_name``). Spark's ``timestamp`` is stored as an instant (``isAdjustedToUTC``),
``timestamp_ntz`` as a local one, so the two come back apart; INT96 columns (what Spark
itself writes for ``timestamp``) are read as instants in UTC, as Spark reads them.

ORC has no DuckDB reader: ``pyarrow.orc`` reads each file into Arrow (cast to the Spark
schema's Arrow types) and the table is registered on the connection; it is written with
``zstd``, Spark 4's default ORC codec.
"""

from __future__ import annotations

from sparklet.errors import AnalysisException
from sparklet.sql import types as T
from sparklet.sql.io.files import register_arrow
from sparklet.sql.io.options import Options

_PARQUET_CODECS = {"none": None, "uncompressed": None, "snappy": "snappy", "gzip": "gzip",
                   "zstd": "zstd", "lz4": "lz4", "lz4_raw": "lz4", "brotli": "brotli"}
_PARQUET_EXT = {"snappy": ".snappy", "gzip": ".gz", "zstd": ".zstd", "lz4": ".lz4hadoop",
                "lz4_raw": ".lz4raw", "brotli": ".br"}
_ORC_CODECS = {"none": "uncompressed", "uncompressed": "uncompressed", "snappy": "snappy",
               "zlib": "zlib", "lz4": "lz4", "zstd": "zstd"}


def _codec(opts: Options, names: dict, default: str, key: str) -> str:
    codec = (opts.first(("compression", key), default) or default).lower()
    if codec not in names:
        raise AnalysisException(message=(
            f"Codec [{codec}] is not available. Known codecs are "
            f"{', '.join(sorted(names))}."))
    return codec


def parquet_extension(opts: Options) -> str:
    codec = _codec(opts, _PARQUET_CODECS, "snappy", "parquet.compression")
    return _PARQUET_EXT.get(codec, "") + ".parquet"


def write_parquet(table, schema: T.StructType, path: str, opts: Options) -> None:
    import pyarrow.parquet as pq

    codec = _codec(opts, _PARQUET_CODECS, "snappy", "parquet.compression")
    pq.write_table(table, path, compression=_PARQUET_CODECS[codec] or "none")


def orc_extension(opts: Options) -> str:
    codec = _codec(opts, _ORC_CODECS, "zstd", "orc.compress")
    return ("" if _ORC_CODECS[codec] == "uncompressed" else "." + codec) + ".orc"


def write_orc(table, schema: T.StructType, path: str, opts: Options) -> None:
    import pyarrow.orc as orc

    codec = _codec(opts, _ORC_CODECS, "zstd", "orc.compress")
    orc.write_table(table, path, compression=_ORC_CODECS[codec])


# ---------------------------------------------------------------- reading

def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _scan(files: list[str]) -> str:
    return ("read_parquet([" + ", ".join(_sql_string(f) for f in files) +
            "], union_by_name = true, hive_partitioning = false)")


def _int96_columns(path: str) -> set[str]:
    """Top-level columns stored as INT96 (Spark's legacy timestamps)."""
    try:
        import pyarrow.parquet as pq

        schema = pq.ParquetFile(path).schema
        return {schema.column(i).path for i in range(len(schema))
                if schema.column(i).physical_type == "INT96" and "." not in
                schema.column(i).path}
    except Exception:  # noqa: BLE001 - a file pyarrow cannot read: DuckDB will say why
        return set()


def _describe(con, relation: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.sql(f"DESCRIBE SELECT * FROM {relation}").fetchall()]


def read_parquet(con, groups: list[list[str]], schema: T.StructType | None, opts: Options
                 ) -> tuple[list[str], T.StructType]:
    """One relation per group of files (a partition directory) and the data schema."""
    from sparklet.sql.typemap import from_duckdb_type, to_duckdb_type

    files = [f for g in groups for f in g]
    if schema is None:
        if not files:
            raise _cannot_infer("Parquet")
        merge = opts.bool("mergeSchema", False)
        described = _describe(con, _scan(files if merge else files[:1]))
        int96 = _int96_columns(files[0])
        fields = []
        for name, dtype in described:
            dt = T.TimestampType() if name in int96 else from_duckdb_type(dtype)
            fields.append(T.StructField(name, dt, True))
        schema = T.StructType(fields)
    int96 = _int96_columns(files[0]) if files else set()
    relations = []
    for group in groups:
        present = dict(_describe(con, _scan(group)))
        exprs = []
        for f in schema.fields:
            target = to_duckdb_type(f.dataType)
            name = next((n for n in present if n == f.name), None) or \
                next((n for n in present if n.lower() == f.name.lower()), None)
            if name is None:
                exprs.append(f"CAST(NULL AS {target}) AS {_quote(f.name)}")
            elif name in int96 and isinstance(f.dataType, T.TimestampType):
                exprs.append(f"timezone('UTC', {_quote(name)}) AS {_quote(f.name)}")
            elif present[name] == target:
                exprs.append(f"{_quote(name)} AS {_quote(f.name)}")
            else:
                exprs.append(f"CAST({_quote(name)} AS {target}) AS {_quote(f.name)}")
        relations.append(f"SELECT {', '.join(exprs)} FROM {_scan(group)}")
    return relations, schema


def _cannot_infer(fmt: str) -> AnalysisException:
    return AnalysisException(
        message=f"Unable to infer schema for {fmt}. It must be specified manually.",
        errorClass="UNABLE_TO_INFER_SCHEMA", messageParameters={"format": fmt})


def _orc_spark_type(at) -> T.DataType:
    from sparklet.sql.typemap import from_arrow_type

    return from_arrow_type(at)


def read_orc(con, groups: list[list[str]], schema: T.StructType | None, opts: Options
             ) -> tuple[list[str], T.StructType]:
    """One registered Arrow table per group of files and the data schema."""
    import pyarrow as pa
    import pyarrow.orc as orc

    from sparklet.sql.typemap import to_arrow_type

    tables = [[orc.read_table(f) for f in g] for g in groups]
    if schema is None:
        flat = [t for g in tables for t in g]
        if not flat:
            raise _cannot_infer("ORC")
        if opts.bool("mergeSchema", False):
            arrow_schema = pa.unify_schemas([t.schema for t in flat],
                                            promote_options="permissive")
        else:
            arrow_schema = flat[0].schema
        schema = T.StructType([T.StructField(f.name, _orc_spark_type(f.type), True)
                               for f in arrow_schema])
    target = pa.schema([pa.field(f.name, to_arrow_type(f.dataType)) for f in schema.fields])
    relations = []
    for group in tables:
        parts = []
        for t in group:
            names = {n.lower(): n for n in t.column_names}
            cols = []
            for field in target:
                src = names.get(field.name.lower())
                if src is None:
                    cols.append(pa.nulls(t.num_rows, field.type))
                else:
                    cols.append(t.column(src).cast(field.type))
            parts.append(pa.Table.from_arrays(cols, schema=target))
        table = pa.concat_tables(parts) if parts else target.empty_table()
        relations.append("SELECT * FROM " + register_arrow(con, table))
    return relations, schema
