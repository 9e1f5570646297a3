"""JSON lines, as Spark writes and reads them.

Written in Python, one object per line with no spaces: null fields dropped
(``ignoreNullFields``), numbers as Java prints them, NaN and infinities as the strings
``"NaN"`` / ``"Infinity"``, decimals as plain numbers, dates and timestamps as strings in the
session time zone (``2024-01-05T07:08:09.005Z``), binary as base64.

Read in Python too (``json`` with decimals kept exact), not with DuckDB's ``read_json`` or
``pyarrow.json``: both infer dates and timestamps from strings, order columns as they first
appear, and have no corrupt-record handling, where Spark infers ``bigint`` / ``double`` /
``string`` / arrays / structs with fields in alphabetical order, merges conflicting types to
``string``, keeps malformed lines in ``_corrupt_record`` (PERMISSIVE), drops them
(DROPMALFORMED) or fails (FAILFAST), and with a user schema turns each value it cannot
convert into NULL. The converted rows become an Arrow table registered on the connection.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import math
import re
from collections.abc import Callable
from typing import Any

from sparklet.sql import types as T
from sparklet.sql.io import values as V
from sparklet.sql.io.files import malformed, read_text, register_arrow, unsupported_type
from sparklet.sql.io.options import Options

# ---------------------------------------------------------------- writing


class _WriteContext:
    def __init__(self, opts: Options):
        self.tz = V.zone(opts.get("timeZone"))
        self.date_format = opts.get("dateFormat", V.DEFAULT_DATE_FORMAT)
        self.ts_format = opts.get("timestampFormat", V.DEFAULT_TIMESTAMP_FORMAT)
        self.ntz_format = opts.get("timestampNTZFormat", V.DEFAULT_TIMESTAMP_NTZ_FORMAT)
        self.ignore_nulls = opts.bool("ignoreNullFields", True)


def _string(text: str) -> str:
    # Jackson escapes '"', '\\' and the control characters, and writes the rest as UTF-8.
    return json.dumps(text, ensure_ascii=False)


def _special(text: str, finite: Callable[[float], str]) -> Callable[[float], str]:
    def number(v: float) -> str:
        if math.isnan(v) or math.isinf(v):
            return '"' + V.java_double(v) + '"'
        return finite(v)
    return number


def json_encoder(dt: T.DataType, ctx: _WriteContext, column: str = "") -> Callable[[Any], str]:
    """A function: a non-null Arrow Python value of Spark type ``dt`` → its JSON text."""
    if isinstance(dt, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
        return str
    if isinstance(dt, T.NullType):  # only NULLs: the field is never written
        return lambda v: "null"
    if isinstance(dt, T.BooleanType):
        return lambda v: "true" if v else "false"
    if isinstance(dt, T.DoubleType):
        return _special("double", V.java_double)
    if isinstance(dt, T.FloatType):
        return _special("float", V.java_float)
    if isinstance(dt, T.DecimalType):
        return V.java_decimal
    if isinstance(dt, (T.StringType, T.CharType, T.VarcharType)):
        return _string
    if isinstance(dt, T.BinaryType):
        return lambda v: '"' + base64.b64encode(bytes(v)).decode("ascii") + '"'
    if isinstance(dt, T.DateType):
        return lambda v: _string(V.format_datetime(v, ctx.date_format))
    if isinstance(dt, T.TimestampType):
        return lambda v: _string(V.format_datetime(v.astimezone(ctx.tz), ctx.ts_format))
    if isinstance(dt, T.TimestampNTZType):
        return lambda v: _string(V.format_datetime(v, ctx.ntz_format))
    if isinstance(dt, T.ArrayType):
        inner = json_encoder(dt.elementType, ctx, column)
        return lambda v: "[" + ",".join("null" if x is None else inner(x) for x in v) + "]"
    if isinstance(dt, T.MapType):
        key = _map_key(dt.keyType, ctx)
        value = json_encoder(dt.valueType, ctx, column)
        return lambda v: "{" + ",".join(
            _string(key(k)) + ":" + ("null" if x is None else value(x)) for k, x in v) + "}"
    if isinstance(dt, T.StructType):
        return struct_encoder(dt, ctx)
    raise unsupported_type(column, dt, "json")


def _map_key(dt: T.DataType, ctx: _WriteContext) -> Callable[[Any], str]:
    # A map's keys are JSON field names: Spark writes the key's string form.
    if isinstance(dt, (T.StringType, T.CharType, T.VarcharType)):
        return str
    enc = json_encoder(dt, ctx)
    return lambda k: (lambda t: t[1:-1] if t.startswith('"') else t)(enc(k))


def struct_encoder(schema: T.StructType, ctx: _WriteContext) -> Callable[[Any], str]:
    """Encode a struct given as a dict (nested) or a tuple (a top-level row)."""
    names = [_string(f.name) for f in schema.fields]
    encoders = [json_encoder(f.dataType, ctx, f.name) for f in schema.fields]
    keys = [f.name for f in schema.fields]
    ignore = ctx.ignore_nulls

    def encode(value: Any) -> str:
        items = value if isinstance(value, tuple) else [value.get(k) for k in keys]
        parts = []
        for name, enc, v in zip(names, encoders, items, strict=False):
            if v is None:
                if not ignore:
                    parts.append(name + ":null")
            else:
                parts.append(name + ":" + enc(v))
        return "{" + ",".join(parts) + "}"
    return encode


def write_json(table, schema: T.StructType, opts: Options) -> bytes:
    """The JSON lines text of an Arrow table (its columns in the order of ``schema``)."""
    ctx = _WriteContext(opts)
    encode = struct_encoder(schema, ctx)
    line_sep = opts.get("lineSep", "\n")
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    lines = [encode(row) + line_sep for row in zip(*columns, strict=False)]
    return "".join(lines).encode(opts.get("encoding", "utf-8"))


# ---------------------------------------------------------------- reading: records

class _Corrupt(Exception):
    """A record (or one of its values) that does not fit."""


def _constant(name: str) -> float:
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[name]


def _loads(text: str, single_quotes: bool = True) -> Any:
    try:
        return json.loads(text, parse_float=decimal.Decimal, parse_constant=_constant)
    except ValueError:
        # Spark's JSON parser accepts 'single-quoted' strings (allowSingleQuotes, default on)
        if not single_quotes or "'" not in text:
            raise
        return json.loads(_requote(text), parse_float=decimal.Decimal,
                          parse_constant=_constant)


def _requote(text: str) -> str:
    """``text`` with its single-quoted strings rewritten as JSON's double-quoted ones."""
    out, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':  # copy a double-quoted string as it is
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif ch == "'":
            j, buf = i + 1, []
            while j < n and text[j] != "'":
                if text[j] == "\\" and j + 1 < n:
                    buf.append(text[j:j + 2] if text[j + 1] != "'" else "'")
                    j += 2
                else:
                    buf.append('\\"' if text[j] == '"' else text[j])
                    j += 1
            out.append('"' + "".join(buf) + '"')
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


_LINES = re.compile(r"\r\n|\r|\n")


def _records(files: list[str], opts: Options) -> list[tuple[str, dict | None]]:
    """(raw text, parsed object or None when malformed) for each JSON record of the files."""
    out: list[tuple[str, dict | None]] = []
    multiline = opts.bool("multiLine", False)
    single_quotes = opts.bool("allowSingleQuotes", True)
    sep = opts.get("lineSep")
    for path in files:
        text = read_text(path, opts.get("encoding") or opts.get("charset"))
        if multiline:
            pieces = [text] if text.strip() else []
        else:
            pieces = text.split(sep) if sep else _LINES.split(text)
        for piece in pieces:
            if not piece.strip():
                continue
            try:
                value = _loads(piece, single_quotes)
            except (ValueError, RecursionError):
                out.append((piece, None))
                continue
            if isinstance(value, dict):
                out.append((piece, value))
            elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
                out.extend((piece, x) for x in value)
            elif isinstance(value, list) and not value:
                continue
            else:
                out.append((piece, None))
    return out


# ---------------------------------------------------------------- reading: inference

_LONG_MIN, _LONG_MAX = -2**63, 2**63 - 1


def _infer(value: Any, primitives_as_string: bool, prefers_decimal: bool) -> T.DataType:
    if value is None:
        return T.NullType()
    if isinstance(value, bool):
        return T.StringType() if primitives_as_string else T.BooleanType()
    if isinstance(value, int):
        if primitives_as_string:
            return T.StringType()
        if _LONG_MIN <= value <= _LONG_MAX:
            return T.LongType()
        digits = len(str(abs(value)))
        return T.DecimalType(digits, 0) if digits <= 38 else T.DoubleType()
    if isinstance(value, (decimal.Decimal, float)):
        if primitives_as_string:
            return T.StringType()
        if prefers_decimal and isinstance(value, decimal.Decimal):
            sign, digits, exp = value.as_tuple()
            scale = max(-exp, 0)
            precision = max(len(digits), scale)
            if precision <= 38:
                return T.DecimalType(precision, scale)
        return T.DoubleType()
    if isinstance(value, str):
        return T.StringType()
    if isinstance(value, list):
        element: T.DataType = T.NullType()
        for x in value:
            element = merge_types(element, _infer(x, primitives_as_string, prefers_decimal))
        return T.ArrayType(element, True)
    if isinstance(value, dict):
        fields = {}
        for k, x in value.items():
            t = _infer(x, primitives_as_string, prefers_decimal)
            fields[k] = merge_types(fields[k], t) if k in fields else t
        return T.StructType([T.StructField(k, fields[k], True) for k in sorted(fields)])
    return T.StringType()


_INTEGRAL = (T.ByteType, T.ShortType, T.IntegerType, T.LongType)


def _decimal_of(dt: T.DataType) -> T.DecimalType:
    return T.DecimalType(20, 0) if isinstance(dt, T.LongType) else dt  # type: ignore


def merge_types(a: T.DataType, b: T.DataType) -> T.DataType:
    """Spark's JSON schema merge (``JsonInferSchema.compatibleType``)."""
    if isinstance(a, T.NullType):
        return b
    if isinstance(b, T.NullType) or a == b:
        return a
    numeric = (T.LongType, T.DoubleType, T.DecimalType)
    if isinstance(a, numeric) and isinstance(b, numeric):
        if isinstance(a, T.DoubleType) or isinstance(b, T.DoubleType):
            return T.DoubleType()
        da, db = _decimal_of(a), _decimal_of(b)
        scale = max(da.scale, db.scale)
        whole = max(da.precision - da.scale, db.precision - db.scale)
        if whole + scale > 38:
            return T.DoubleType()
        return T.DecimalType(whole + scale, scale)
    if isinstance(a, T.StructType) and isinstance(b, T.StructType):
        fields = {f.name: f.dataType for f in a.fields}
        for f in b.fields:
            fields[f.name] = merge_types(fields[f.name], f.dataType) if f.name in fields \
                else f.dataType
        return T.StructType([T.StructField(k, fields[k], True) for k in sorted(fields)])
    if isinstance(a, T.ArrayType) and isinstance(b, T.ArrayType):
        return T.ArrayType(merge_types(a.elementType, b.elementType), True)
    return T.StringType()


def _canonical(dt: T.DataType, drop_nulls: bool = False) -> T.DataType | None:
    """Spark's final pass: NULL-only fields become string (or, ``dropFieldIfAllNull``, go
    away with the empty arrays), empty structs disappear."""
    if isinstance(dt, T.NullType):
        return None if drop_nulls else T.StringType()
    if isinstance(dt, T.ArrayType):
        inner = _canonical(dt.elementType, drop_nulls)
        return None if inner is None else T.ArrayType(inner, True)
    if isinstance(dt, T.StructType):
        fields = []
        for f in dt.fields:
            c = _canonical(f.dataType, drop_nulls)
            if c is not None and f.name != "":
                fields.append(T.StructField(f.name, c, True))
        return T.StructType(fields) if fields else None
    return dt


def infer_schema(records: list[tuple[str, dict | None]], opts: Options) -> T.StructType:
    """The schema Spark infers for JSON records (columns in alphabetical order)."""
    primitives = opts.bool("primitivesAsString", False)
    prefers = opts.bool("prefersDecimal", False)
    corrupt_name = opts.get("columnNameOfCorruptRecord", "_corrupt_record")
    mode = opts.mode()
    dt: T.DataType = T.StructType([])
    for raw, value in records:
        if value is None:
            if mode == "FAILFAST":
                raise malformed(raw)
            if mode == "DROPMALFORMED":
                continue
            this: T.DataType = T.StructType([T.StructField(corrupt_name, T.StringType())])
        else:
            this = _infer(value, primitives, prefers)
        dt = merge_types(dt, this)
    result = _canonical(dt, opts.bool("dropFieldIfAllNull", False))
    return result if isinstance(result, T.StructType) else T.StructType([])


# ---------------------------------------------------------------- reading: conversion

_TS = re.compile(
    r"\s*([+-]?\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})"
    r"(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{1,2}(?::?\d{2})?|(?:UTC|GMT)(?:[+-]\d{1,2}(?::?\d{2})?)?"
    r"| ?[A-Za-z]+/[A-Za-z_]+)?\s*")
_DATE = re.compile(r"\s*([+-]?\d{4,})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T].*)?\s*")


def parse_timestamp(text: str, tz: datetime.tzinfo, ntz: bool) -> datetime.datetime:
    """Spark's lenient ISO-8601 timestamp parsing (``stringToTimestamp``): ``2024-01-05``,
    ``2024-01-05 07:08:09.123``, ``...T07:08:09Z``, ``+01:00``; no zone: ``tz``."""
    m = _TS.fullmatch(text)
    if not m:
        raise _Corrupt(text)
    y, mo, d, h, mi, s, frac, zone_text = m.groups()
    micros = int((frac or "0").ljust(6, "0")[:6])
    try:
        value = datetime.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0),
                                  int(s or 0), micros)
    except ValueError:
        raise _Corrupt(text) from None
    if ntz:
        return value
    zone = tz
    if zone_text:
        zone_text = zone_text.strip()
        zone = V.zone("UTC" if zone_text == "Z" else zone_text)
    return value.replace(tzinfo=zone)


def parse_date(text: str) -> datetime.date:
    """Spark's lenient date parsing (``stringToDate``): ``2024-01-05``, ``2024-1-5``, ``2024-01``,
    a trailing ``T...`` or `` ...`` ignored."""
    m = _DATE.fullmatch(text)
    if not m:
        raise _Corrupt(text)
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        raise _Corrupt(text) from None


def _formatted(formats: list[str], text: str, tz: datetime.tzinfo | None) -> datetime.datetime:
    for fmt in formats:
        try:
            value = datetime.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if tz is not None and value.tzinfo is None:
            value = value.replace(tzinfo=tz)
        return value
    raise _Corrupt(text)


_RANGES = {T.ByteType: 8, T.ShortType: 16, T.IntegerType: 32, T.LongType: 64}


class _ReadContext:
    def __init__(self, opts: Options, tz: datetime.tzinfo):
        self.tz = tz
        self.date_formats = (V.strptime_formats(opts.get("dateFormat"), python=True)
                             if "dateFormat" in opts else None)
        self.ts_formats = (V.strptime_formats(opts.get("timestampFormat"), python=True)
                           if "timestampFormat" in opts else None)
        self.ntz_formats = (V.strptime_formats(opts.get("timestampNTZFormat"), python=True)
                            if "timestampNTZFormat" in opts else None)


def converter(dt: T.DataType, ctx: _ReadContext) -> Callable[[Any], Any]:
    """A function: a parsed JSON value → the Python value of Spark type ``dt`` for Arrow;
    raises ``_Corrupt`` for a value Spark's parser rejects."""
    if type(dt) in _RANGES:
        bits = _RANGES[type(dt)]

        def integral(v: Any) -> int:
            if isinstance(v, bool) or not isinstance(v, int) or \
                    not -2**(bits - 1) <= v < 2**(bits - 1):
                raise _Corrupt(v)
            return v
        return integral
    if isinstance(dt, (T.FloatType, T.DoubleType)):
        def floating(v: Any) -> float:
            if isinstance(v, bool):
                raise _Corrupt(v)
            if isinstance(v, (int, float, decimal.Decimal)):
                return float(v)
            if isinstance(v, str) and v in ("NaN", "Infinity", "-Infinity", "+Infinity", "INF",
                                              "+INF", "-INF"):
                return float(v.replace("INF", "inf"))
            raise _Corrupt(v)
        return floating
    if isinstance(dt, T.DecimalType):
        quantum = decimal.Decimal(1).scaleb(-dt.scale)

        def dec(v: Any) -> decimal.Decimal:
            if isinstance(v, bool):
                raise _Corrupt(v)
            try:
                d = decimal.Decimal(v) if isinstance(v, (int, str, decimal.Decimal)) else None
            except decimal.InvalidOperation:
                d = None
            if d is None or not d.is_finite():
                raise _Corrupt(v)
            d = d.quantize(quantum, rounding=decimal.ROUND_HALF_UP)
            if len(d.as_tuple().digits) > dt.precision and d != 0:
                raise _Corrupt(v)
            return d
        return dec
    if isinstance(dt, (T.StringType, T.CharType, T.VarcharType)):
        def string(v: Any) -> str:
            if isinstance(v, str):
                return v
            return _compact(v)
        return string
    if isinstance(dt, T.BooleanType):
        def boolean(v: Any) -> bool:
            if not isinstance(v, bool):
                raise _Corrupt(v)
            return v
        return boolean
    if isinstance(dt, T.BinaryType):
        def binary(v: Any) -> bytes:
            if not isinstance(v, str):
                raise _Corrupt(v)
            try:
                return base64.b64decode(v, validate=False)
            except ValueError:
                raise _Corrupt(v) from None
        return binary
    if isinstance(dt, T.DateType):
        def date(v: Any) -> datetime.date:
            if not isinstance(v, str):
                raise _Corrupt(v)
            if ctx.date_formats:
                return _formatted(ctx.date_formats, v, None).date()
            return parse_date(v)
        return date
    if isinstance(dt, (T.TimestampType, T.TimestampNTZType)):
        ntz = isinstance(dt, T.TimestampNTZType)
        formats = ctx.ntz_formats if ntz else ctx.ts_formats

        def timestamp(v: Any) -> datetime.datetime:
            if isinstance(v, int) and not isinstance(v, bool) and not ntz:
                return datetime.datetime.fromtimestamp(v, datetime.UTC)
            if not isinstance(v, str):
                raise _Corrupt(v)
            if formats:
                return _formatted(formats, v, None if ntz else ctx.tz)
            return parse_timestamp(v, ctx.tz, ntz)
        return timestamp
    if isinstance(dt, T.ArrayType):
        inner = converter(dt.elementType, ctx)

        def array(v: Any) -> list:
            if not isinstance(v, list):
                raise _Corrupt(v)
            return [None if x is None else inner(x) for x in v]
        return array
    if isinstance(dt, T.MapType):
        key = converter(dt.keyType, ctx) if not isinstance(dt.keyType, T.StringType) else str
        value = converter(dt.valueType, ctx)

        def mapping(v: Any) -> list:
            if not isinstance(v, dict):
                raise _Corrupt(v)
            return [(key(k) if key is str else _map_key_value(key, k),
                     None if x is None else value(x)) for k, x in v.items()]
        return mapping
    if isinstance(dt, T.StructType):
        fields = [(f.name, converter(f.dataType, ctx)) for f in dt.fields]

        def struct(v: Any) -> dict:
            if not isinstance(v, dict):
                raise _Corrupt(v)
            return {name: None if v.get(name) is None else conv(v[name])
                    for name, conv in fields}
        return struct
    raise unsupported_type("", dt, "json")


def _map_key_value(conv: Callable[[Any], Any], key: str) -> Any:
    try:
        return conv(_loads(key))
    except ValueError:
        return conv(key)


def _compact(v: Any) -> str:
    """A JSON value copied back to text, as Spark gives non-string tokens to string fields."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, float):
        return V.java_double(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"), ensure_ascii=False, default=str)
    return str(v)


def convert_records(records: list[tuple[str, dict | None]], schema: T.StructType,
                    opts: Options, tz: datetime.tzinfo) -> list[list[Any]]:
    """The column values (one list per field of ``schema``) of the records, with Spark's
    parse modes: a value that does not convert is NULL and marks its record corrupt."""
    ctx = _ReadContext(opts, tz)
    mode = opts.mode()
    corrupt_name = opts.get("columnNameOfCorruptRecord", "_corrupt_record")
    corrupt_index = next((i for i, f in enumerate(schema.fields)
                          if f.name == corrupt_name and isinstance(f.dataType, T.StringType)),
                         None)
    fields = [(f.name, converter(f.dataType, ctx)) for f in schema.fields]
    columns: list[list[Any]] = [[] for _ in fields]
    for raw, value in records:
        row: list[Any] = [None] * len(fields)
        bad = value is None
        if value is not None:
            for i, (name, conv) in enumerate(fields):
                if i == corrupt_index:
                    continue
                x = value.get(name)
                if x is None:
                    continue
                try:
                    row[i] = conv(x)
                except (_Corrupt, ValueError, TypeError, OverflowError, decimal.DecimalException):
                    bad = True
        if bad:
            if mode == "FAILFAST":
                raise malformed(raw)
            if mode == "DROPMALFORMED":
                continue
            if corrupt_index is not None:
                row[corrupt_index] = raw
        for i, x in enumerate(row):
            columns[i].append(x)
    return columns


def read_json(con, groups: list[list[str]], schema: T.StructType | None, opts: Options,
              tz: datetime.tzinfo) -> tuple[list[str], T.StructType]:
    """One relation per group of files (a partition directory) and the data schema."""
    import pyarrow as pa

    from sparklet.sql.typemap import to_arrow_type

    per_group = [_records(files, opts) for files in groups]
    if schema is None:
        schema = infer_schema([r for records in per_group for r in records], opts)
    arrow_schema = pa.schema([pa.field(f.name, to_arrow_type(f.dataType)) for f in
                              schema.fields])
    relations = []
    for records in per_group:
        columns = convert_records(records, schema, opts, tz)
        table = pa.Table.from_arrays(
            [pa.array(col, type=f.type) for col, f in zip(columns, arrow_schema, strict=False)],
            schema=arrow_schema) if schema.fields else None
        if table is None:
            relations.append("SELECT 1 WHERE false")
            continue
        relations.append("SELECT * FROM " + register_arrow(con, table))
    return relations, schema
