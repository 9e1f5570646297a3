"""CSV, as Spark writes and reads it.

Written in Python with Spark's (univocity's) rules: a value is quoted when it holds the
separator, the quote, a line break or starts with the quote; quotes inside are escaped with
``escape`` (default ``\\``); values are trimmed (``ignoreLeading/TrailingWhiteSpace`` default
true on write); NULL is ``nullValue`` (empty, unquoted), an empty string ``""``; timestamps
are ``2024-01-05T07:08:09.000Z`` in the session time zone.

Read with DuckDB's ``read_csv`` with every column as VARCHAR and the dialect given
explicitly (DuckDB's sniffer and type detection differ from Spark's: ``column0`` names,
``bigint`` for small integers); the header line is read in Python for the column names.
Everything is ``string`` unless ``inferSchema``, whose types (int, bigint, decimal,
double, date, timestamp, boolean, string) one aggregate query over the strings decides;
with a schema or inferred types each column is cast with a guard, so a value Spark could
not parse is NULL (PERMISSIVE), drops its row (DROPMALFORMED) or fails (FAILFAST).
"""

from __future__ import annotations

import csv
import io
import mmap
import os
import re
from collections.abc import Callable
from typing import Any

from sparklet.sql import types as T
from sparklet.sql.io import values as V
from sparklet.sql.io.files import (
    duckdb_readable,
    is_compressed,
    read_text,
    register_arrow,
    unsupported_type,
)
from sparklet.sql.io.options import Options

# ---------------------------------------------------------------- writing


class _Dialect:
    def __init__(self, opts: Options, write: bool):
        self.sep = opts.first(("sep", "delimiter"), ",")
        if self.sep == "\\t":
            self.sep = "\t"
        self.quote = opts.char("quote", '"')
        self.escape = opts.char("escape", "\\")
        self.null_value = opts.get("nullValue", "")
        self.empty_value = opts.get("emptyValue", '""' if write else "")
        self.quote_all = opts.bool("quoteAll", False)
        self.escape_quotes = opts.bool("escapeQuotes", True)
        self.trim_leading = opts.bool("ignoreLeadingWhiteSpace", write)
        self.trim_trailing = opts.bool("ignoreTrailingWhiteSpace", write)
        self.header = opts.bool("header", False)
        self.encoding = opts.get("encoding") or opts.get("charset")
        self.comment = opts.char("comment", "\0")
        self.line_sep = opts.get("lineSep", "\n")
        self.tz = V.zone(opts.get("timeZone"))
        self.date_format = opts.get("dateFormat", V.DEFAULT_DATE_FORMAT)
        self.ts_format = opts.get("timestampFormat", V.DEFAULT_TIMESTAMP_FORMAT)
        self.ntz_format = opts.get("timestampNTZFormat", V.DEFAULT_TIMESTAMP_NTZ_FORMAT)


def _csv_text(dt: T.DataType, d: _Dialect, column: str) -> Callable[[Any], str]:
    """A function: a non-null value of ``dt`` → its CSV field text (before quoting)."""
    if isinstance(dt, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
        return str
    if isinstance(dt, T.NullType):  # only NULLs, written as nullValue
        return lambda v: ""
    if isinstance(dt, T.BooleanType):
        return lambda v: "true" if v else "false"
    if isinstance(dt, T.DoubleType):
        return V.java_double
    if isinstance(dt, T.FloatType):
        return V.java_float
    if isinstance(dt, T.DecimalType):
        return V.java_decimal
    if isinstance(dt, (T.StringType, T.CharType, T.VarcharType)):
        return str
    if isinstance(dt, T.DateType):
        return lambda v: V.format_datetime(v, d.date_format)
    if isinstance(dt, T.TimestampType):
        return lambda v: V.format_datetime(v.astimezone(d.tz), d.ts_format)
    if isinstance(dt, T.TimestampNTZType):
        return lambda v: V.format_datetime(v, d.ntz_format)
    raise unsupported_type(column, dt, "csv")


def _quoter(d: _Dialect) -> Callable[[str], str]:
    # escapeQuotes (default on): a value holding the quote character is quoted, and its
    # quotes escaped; off, it is written as it is
    specials = [d.sep, "\n", "\r"] + ([d.quote] if d.quote != "\0" and d.escape_quotes
                                        else [])
    needs_quotes = re.compile("|".join(re.escape(x) for x in specials if x))
    trim_leading, trim_trailing = d.trim_leading, d.trim_trailing
    quote_all, quote, escape = d.quote_all, d.quote, d.escape

    def field(text: str) -> str:
        if trim_leading:
            text = text.lstrip()
        if trim_trailing:
            text = text.rstrip()
        if quote == "\0":
            return text
        if not quote_all and needs_quotes.search(text) is None:
            return text
        if escape != "\0":
            text = text.replace(quote, escape + quote)
        return quote + text + quote
    return field


def write_csv(table, schema: T.StructType, opts: Options) -> bytes:
    """The CSV text of an Arrow table (columns in the order of ``schema``)."""
    d = _Dialect(opts, write=True)
    quote = _quoter(d)
    texts = [_csv_text(f.dataType, d, f.name) for f in schema.fields]
    out = []
    if d.header:
        out.append(d.sep.join(quote(f.name) for f in schema.fields) + d.line_sep)
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    for row in zip(*columns, strict=False):
        fields = []
        for text, v in zip(texts, row, strict=False):
            if v is None:
                fields.append(d.null_value)
            else:
                s = text(v)
                fields.append(d.empty_value if s == "" else quote(s))
        out.append(d.sep.join(fields) + d.line_sep)
    return "".join(out).encode(opts.get("encoding") or opts.get("charset") or "utf-8")


# ---------------------------------------------------------------- reading


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _header_names(path: str, d: _Dialect, encoding: str | None) -> list[str]:
    """The fields of a file's first line (the header, or just the column count)."""
    if is_compressed(path):
        text = read_text(path, encoding)
    else:
        with open(path, encoding=encoding or "utf-8", errors="replace", newline="") as f:
            text = f.read(1 << 16)
    if d.comment not in ("", "\0"):
        text = "".join(line for line in text.splitlines(keepends=True)
                       if not line.startswith(d.comment))
    if not text:
        return []
    reader = csv.reader(io.StringIO(text), delimiter=d.sep,
                        quotechar=d.quote if d.quote != "\0" else None,
                        escapechar=d.escape if d.escape not in ("\0", d.quote) else None,
                        doublequote=d.escape == d.quote)
    try:
        return next(reader)
    except (StopIteration, csv.Error):
        return []


def _read_csv_sql(files: list[str], d: _Dialect, width: int, header: bool) -> str:
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    nulls = [_sql_string(d.null_value)] + (["''"] if d.null_value != "" else [])
    args = [
        "[" + ", ".join(_sql_string(duckdb_readable(f)) for f in files) + "]",
        "auto_detect = false", f"header = {'true' if header else 'false'}",
        f"delim = {_sql_string(d.sep)}",
        f"quote = {_sql_string(d.quote if d.quote != chr(0) else '')}",
        f"escape = {_sql_string(d.escape if d.escape != chr(0) else '')}",
        f"columns = {{{columns}}}", f"nullstr = [{', '.join(nulls)}]",
        # Spark turns an unquoted empty field into nullValue and a quoted "" into emptyValue,
        # then any field equal to nullValue into NULL: with the default "" both are NULL
        f"allow_quoted_nulls = {'true' if d.null_value == '' else 'false'}",
        "null_padding = true", "strict_mode = false",
        "parallel = false", "hive_partitioning = false",
    ]
    if d.encoding and d.encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
        args.append(f"encoding = {_sql_string(d.encoding.lower())}")
    if d.comment not in ("", "\0"):
        args.append(f"comment = {_sql_string(d.comment)}")
    if d.line_sep not in ("\n", "\r\n", "\r"):
        args.append(f"new_line = {_sql_string(d.line_sep)}")
    scan = "read_csv(" + ", ".join(args) + ")"
    if d.null_value == "":
        return scan
    # a quoted field equal to nullValue is NULL too (DuckDB's nullstr spares quoted ones)
    cols = ", ".join(f'NULLIF("c{i}", {_sql_string(d.null_value)}) AS "c{i}"'
                     for i in range(width))
    return f"(SELECT {cols} FROM {scan})"


_INT_RE = r"'^[+-]?[0-9]+$'"  # Integer.parseInt: no spaces
_NUM_RE = r"'^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[dDfF]?\s*$'"
_DEC_RE = r"'^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$'"
_DATE_RE = r"'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'"  # the strict yyyy-MM-dd inference uses
_TS_RE = (r"'^\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2}"
          r"(\.[0-9]{1,9})?)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?|[A-Za-z_]+/[A-Za-z_]+|UTC)?\s*$'")


class _Casts:
    """DuckDB expressions that parse a VARCHAR as Spark's CSV parser parses a field."""

    def __init__(self, opts: Options):
        self.nan = opts.get("nanValue", "NaN")
        self.pos_inf = opts.get("positiveInf", "Inf")
        self.neg_inf = opts.get("negativeInf", "-Inf")
        self.date_formats = (V.strptime_formats(opts.get("dateFormat"))
                             if "dateFormat" in opts else None)
        self.ts_formats = (V.strptime_formats(opts.get("timestampFormat"))
                           if "timestampFormat" in opts else None)
        self.ntz_formats = (V.strptime_formats(opts.get("timestampNTZFormat"))
                            if "timestampNTZFormat" in opts else None)

    def _strptime(self, x: str, formats: list[str], target: str) -> str:
        tries = ", ".join(f"try_strptime({x}, {_sql_string(f)})" for f in formats)
        return f"TRY_CAST(COALESCE({tries}) AS {target})"

    def cast(self, x: str, dt: T.DataType) -> str:
        """The expression parsing ``x``; NULL where Spark's parse would fail."""
        from sparklet.sql.typemap import to_duckdb_type

        target = to_duckdb_type(dt)
        if isinstance(dt, (T.StringType, T.CharType, T.VarcharType)):
            return x
        if isinstance(dt, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
            return f"CASE WHEN regexp_matches({x}, {_INT_RE}) THEN TRY_CAST({x} AS {target}) END"
        if isinstance(dt, T.DecimalType):
            # new BigDecimal(text): no spaces nor d/f suffix; half-up to the scale
            return f"CASE WHEN regexp_matches({x}, {_DEC_RE}) THEN TRY_CAST({x} AS {target}) END"
        if isinstance(dt, (T.DoubleType, T.FloatType)):
            return (f"CASE WHEN {x} = {_sql_string(self.nan)} OR {x} = 'NaN' THEN "
                    f"CAST('NaN' AS {target}) "
                    f"WHEN {x} IN ({_sql_string(self.pos_inf)}, 'Infinity', '+Infinity') "
                    f"THEN CAST('Infinity' AS {target}) "
                    f"WHEN {x} IN ({_sql_string(self.neg_inf)}, '-Infinity') "
                    f"THEN CAST('-Infinity' AS {target}) "
                    f"WHEN regexp_matches({x}, {_NUM_RE}) THEN "
                    f"TRY_CAST(rtrim(trim({x}), 'dDfF') AS {target}) END")
        if isinstance(dt, T.BooleanType):
            return f"CASE lower({x}) WHEN 'true' THEN true WHEN 'false' THEN false END"
        if isinstance(dt, T.DateType):
            if self.date_formats:
                return self._strptime(x, self.date_formats, "DATE")
            return f"CASE WHEN regexp_matches({x}, {_TS_RE}) THEN TRY_CAST(TRY_CAST(" \
                   f"trim({x}) AS TIMESTAMP) AS DATE) END"
        if isinstance(dt, T.TimestampType):
            if self.ts_formats:
                return self._strptime(x, self.ts_formats, target)
            return f"CASE WHEN regexp_matches({x}, {_TS_RE}) THEN TRY_CAST(trim({x}) AS " \
                   f"{target}) END"
        if isinstance(dt, T.TimestampNTZType):
            if self.ntz_formats:
                return self._strptime(x, self.ntz_formats, target)
            return f"CASE WHEN regexp_matches({x}, {_TS_RE}) THEN TRY_CAST(trim({x}) AS " \
                   f"{target}) END"
        if isinstance(dt, T.BinaryType):
            return f"CAST({x} AS BLOB)"
        raise unsupported_type("", dt, "csv")


def _infer_types(con, relation: str, width: int, casts: _Casts, opts: Options
                 ) -> list[T.DataType]:
    """Spark's CSV type inference (``inferSchema``), column by column, in one query: the
    first of int, bigint, decimal (integers too long for bigint), double, date, timestamp,
    boolean that every non-null value parses as, else string."""
    candidates = [T.IntegerType(), T.LongType(), T.DecimalType(38, 0), T.DoubleType(),
                  T.DateType(), T.TimestampType(), T.BooleanType()]
    if "dateFormat" not in opts:
        date_check = f"regexp_matches(@X, {_DATE_RE})"
    else:
        date_check = "true"
    prefer_date = opts.bool("preferDate", True)
    exprs = []
    for i in range(width):
        x = f'"c{i}"'
        for dt in candidates:
            if isinstance(dt, T.DecimalType):  # only integers too long for bigint
                cond = f"regexp_matches({x}, {_INT_RE})"
            else:
                cond = f"{casts.cast(x, dt)} IS NOT NULL"
            if isinstance(dt, T.DateType):
                cond = f"({cond} AND {date_check.replace('@X', x)})"
            exprs.append(f"bool_and({x} IS NULL OR {cond})")
        exprs.append(f"max(length(regexp_replace(trim({x}), '^[+-]|^0+', '', 'g')))")
    row = con.sql(f"SELECT {', '.join(exprs)} FROM {relation}").fetchall()[0]
    types = []
    step = len(candidates) + 1
    for i in range(width):
        flags = row[i * step:(i + 1) * step - 1]
        digits = row[(i + 1) * step - 1]
        if digits is None:  # every value NULL
            types.append(T.StringType())
            continue
        chosen: T.DataType = T.StringType()
        for dt, ok in zip(candidates, flags, strict=False):
            if isinstance(dt, T.DateType) and not prefer_date:
                continue
            if ok:
                chosen = dt
                break
        if isinstance(chosen, T.DecimalType):
            chosen = T.DecimalType(min(max(int(digits), 1), 38), 0) if digits <= 38 \
                else T.DoubleType()
        types.append(chosen)
    return types


def read_csv(con, groups: list[list[str]], schema: T.StructType | None, opts: Options
             ) -> tuple[list[str], T.StructType]:
    """One relation per group of files (a partition directory) and the data schema."""
    d = _Dialect(opts, write=False)
    encoding = opts.get("encoding") or opts.get("charset")
    all_files = [f for files in groups for f in files]
    first = _header_names(all_files[0], d, encoding) if all_files else []
    if schema is not None:
        corrupt = opts.get("columnNameOfCorruptRecord", "_corrupt_record")
        data = [f for f in schema.fields if f.name != corrupt]
        width = max(len(data), len(first))
    else:
        width = len(first)
    if width == 0:
        return ["SELECT 1 WHERE false" for _ in groups], T.StructType([])
    casts = _Casts(opts)
    if _escapes_in(all_files, d, encoding):
        sources = [_python_source(con, files, d, width, encoding) for files in groups]
    else:
        sources = [_read_csv_sql(files, d, width, d.header) for files in groups]
    if schema is None:
        names = [n if d.header and n else f"_c{i}" for i, n in enumerate(first)] \
            if d.header else [f"_c{i}" for i in range(width)]
        names = _dedupe(names)
        if opts.bool("inferSchema", False):
            union = " UNION ALL ".join(f"SELECT * FROM {s}" for s in sources)
            types = _infer_types(con, f"({union})", width, casts, opts)
        else:
            types = [T.StringType()] * width
        schema = T.StructType([T.StructField(n, t, True)
                               for n, t in zip(names, types, strict=False)])
    mode = opts.mode()
    corrupt_name = opts.get("columnNameOfCorruptRecord", "_corrupt_record")
    relations = []
    for source in sources:
        exprs, checks = [], []
        i = -1
        for f in schema.fields:
            if f.name == corrupt_name and isinstance(f.dataType, T.StringType):
                exprs.append(None)  # placed below, once the checks are known
                continue
            i += 1
            x = f'"c{i}"' if i < width else "CAST(NULL AS VARCHAR)"
            parsed = casts.cast(x, f.dataType)
            checks.append(f"({x} IS NULL OR ({parsed}) IS NOT NULL)")
            if mode == "FAILFAST" and parsed != x:
                parsed = (f"CASE WHEN {x} IS NOT NULL AND ({parsed}) IS NULL THEN "
                          f"error('[MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION] Malformed "
                          f"records are detected in record parsing. Parse Mode: FAILFAST.') "
                          f"ELSE {parsed} END")
            exprs.append(f"{parsed} AS {_quote(f.name)}")
        if None in exprs:
            # the malformed record's text (its fields joined again: the quoting is lost)
            raw = ", ".join(f"coalesce(\"c{k}\", '')" for k in range(width))
            ok = " AND ".join(checks) or "true"
            exprs[exprs.index(None)] = (
                f"CASE WHEN NOT ({ok}) THEN array_to_string([{raw}], {_sql_string(d.sep)}) "
                f"END AS {_quote(corrupt_name)}")
        where = f" WHERE {' AND '.join(checks)}" if mode == "DROPMALFORMED" and checks else ""
        relations.append(f"SELECT {', '.join(exprs)} FROM {source}{where}")
    return relations, schema


def _escapes_in(files: list[str], d: _Dialect, encoding: str | None) -> bool:
    """Whether a file holds the escape character (when it is not the quote): DuckDB's reader
    drops an escape before any character, univocity only before a quote (``"C:\\x"`` keeps
    its backslash in Spark), so such files are tokenized in Python instead."""
    if d.escape in ("\0", d.quote):
        return False
    needle = d.escape.encode(encoding or "utf-8")
    for path in files:
        if is_compressed(path):
            if needle in read_text(path, encoding).encode(encoding or "utf-8"):
                return True
            continue
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size == 0:
                continue
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
                if m.find(needle) >= 0:
                    return True
    return False


def tokenize(text: str, d: _Dialect) -> list[list[str | None]]:
    """CSV records as univocity splits them for Spark: quoted fields may hold separators
    and line breaks; inside quotes ``escape + quote`` is a quote and any other escape is
    kept; characters after a closing quote up to the separator are kept; an empty unquoted
    field is None, an empty quoted one ``emptyValue``."""
    records: list[list[str | None]] = []
    fields: list[str | None] = []
    i, n = 0, len(text)
    sep, quote, esc = d.sep, d.quote, d.escape
    while i < n:
        ch = text[i]
        if ch == quote and quote != "\0":
            i += 1
            buf = []
            while i < n:
                c = text[i]
                if c == esc and esc != quote and i + 1 < n and text[i + 1] == quote:
                    buf.append(quote)
                    i += 2
                elif c == quote:
                    if esc == quote and i + 1 < n and text[i + 1] == quote:
                        buf.append(quote)
                        i += 2
                        continue
                    i += 1
                    break
                else:
                    buf.append(c)
                    i += 1
            while i < n and text[i] not in (sep[0], "\n", "\r"):  # after the closing quote
                buf.append(text[i])
                i += 1
            value: str | None = "".join(buf) or d.empty_value
        else:
            j = i
            while j < n and not text.startswith(sep, j) and text[j] not in "\r\n":
                j += 1
            value = text[i:j] or None
            i = j
        fields.append(value)
        if text.startswith(sep, i):
            i += len(sep)
            if i >= n:
                fields.append(None)
            continue
        # end of record
        if text.startswith("\r\n", i):
            i += 2
        elif i < n:
            i += 1
        records.append(fields)
        fields = []
    if fields:
        records.append(fields)
    return records


def _python_source(con, files: list[str], d: _Dialect, width: int,
                   encoding: str | None) -> str:
    """A registered all-VARCHAR Arrow table ``c0 … c{width-1}`` of the files' records."""
    import pyarrow as pa

    columns: list[list[str | None]] = [[] for _ in range(width)]
    for path in files:
        records = tokenize(read_text(path, encoding), d)
        if d.comment not in ("", "\0"):
            records = [r for r in records if not (r and r[0] and r[0].startswith(d.comment))]
        if d.header and records:
            records = records[1:]
        for record in records:
            if record == [None]:  # a blank line
                continue
            for k in range(width):
                v = record[k] if k < len(record) else None
                columns[k].append(None if v is None or v == d.null_value else v)
    table = pa.table({f"c{k}": pa.array(columns[k], pa.string()) for k in range(width)})
    return "(SELECT * FROM " + register_arrow(con, table) + ")"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _dedupe(names: list[str]) -> list[str]:
    """Spark makes duplicate header names unique by appending their index (``a0``, ``a3``)."""
    lowered = [n.lower() for n in names]
    return [f"{n}{i}" if lowered.count(n.lower()) > 1 else n for i, n in enumerate(names)]
