"""Plain text: one string column, a line per row (``value``), or a row per file
(``wholetext``).

Written and read in Python: DuckDB's ``read_text`` gives whole files only and
``read_csv`` would interpret quotes and separators; Spark splits at ``\\n``, ``\\r\\n`` or
``\\r`` (or ``lineSep``) and a final line break ends the last line rather than adding an
empty one.
"""

from __future__ import annotations

import re

from sparklet.errors import AnalysisException
from sparklet.sql import types as T
from sparklet.sql.io.files import read_text, register_arrow, unsupported_type
from sparklet.sql.io.options import Options

_LINES = re.compile(r"\r\n|\r|\n")


def check_text_schema(schema: T.StructType) -> None:
    """Spark's text source writes exactly one string column."""
    if len(schema.fields) != 1:
        raise AnalysisException(
            message=("Text data source supports only a single column, and you have "
                     f"{len(schema.fields)} columns."))
    f = schema.fields[0]
    if not isinstance(f.dataType, (T.StringType, T.CharType, T.VarcharType)):
        raise unsupported_type(f.name, f.dataType, "text")


def write_text(table, schema: T.StructType, opts: Options) -> bytes:
    """A line per value (NULL: an empty line), each ended by ``lineSep`` (``\\n``)."""
    sep = opts.get("lineSep", "\n")
    values = table.column(0).to_pylist()
    return "".join(("" if v is None else v) + sep for v in values).encode("utf-8")


def _lines(text: str, sep: str | None) -> list[str]:
    parts = text.split(sep) if sep else _LINES.split(text)
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def read_text_files(con, groups: list[list[str]], schema: T.StructType | None, opts: Options
                    ) -> tuple[list[str], T.StructType]:
    """One registered Arrow table per group of files and the schema (``value: string``)."""
    import pyarrow as pa

    name = schema.fields[0].name if schema is not None and schema.fields else "value"
    schema = T.StructType([T.StructField(name, T.StringType(), True)])
    whole = opts.bool("wholetext", False)
    sep = opts.get("lineSep")
    relations = []
    for files in groups:
        values: list[str] = []
        for path in files:
            text = read_text(path, opts.get("encoding"))
            if whole:
                values.append(text)
            else:
                values.extend(_lines(text, sep))
        table = pa.table({name: pa.array(values, pa.string())})
        relations.append("SELECT * FROM " + register_arrow(con, table))
    return relations, schema
