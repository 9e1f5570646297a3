"""jsonfuncs rules of the Spark-on-DuckDB dialect: ``to_json``, ``from_json``,
``get_json_object``, ``json_tuple``, ``schema_of_json``, ``json_array_length``,
``json_object_keys``.

Spark's JSON functions never fail on bad JSON text (they give NULL, or a struct of NULLs for
``from_json`` with a struct schema, Spark's PERMISSIVE mode); DuckDB's raise, so every rule
guards on ``json_valid``. ``to_json`` writes Spark's text: struct fields that are NULL are
left out (``ignoreNullFields``), dates as ``yyyy-MM-dd``, timestamps as
``yyyy-MM-dd'T'HH:mm:ss.SSSXXX``, binary as base64, NaN and the infinities as strings.
``schema_of_json`` needs a literal (Spark requires a foldable argument) and is computed here,
with Spark's JSON inference (integers ``BIGINT``, fields in name order).
"""

from __future__ import annotations

import json
import re

from sqlglot import exp

from sparklet.sql import types as T
from sparklet.sql.dialect.arrays import (
    _generator_sql,
    _str_lit,
    default_sql,
    fresh,
    let,
    scoped,
    spark_error,
    spark_type,
)
from sparklet.sql.typemap import to_duckdb_type


def _options(e: exp.Expression) -> dict[str, str]:
    """A function's literal ``map('key', 'value', ...)`` options (keys case-insensitive)."""
    opts = e.args.get("options")
    if not isinstance(opts, exp.VarMap):
        return {}
    keys, values = opts.args.get("keys"), opts.args.get("values")
    out = {}
    for k, v in zip(getattr(keys, "expressions", []), getattr(values, "expressions", []),
                    strict=False):
        if isinstance(k, exp.Literal) and isinstance(v, exp.Literal):
            out[k.this.lower()] = v.this
    return out


def _valid(j: str, kind: str | None = None) -> str:
    cond = f"JSON_VALID({j})"
    if kind:
        cond += f" AND JSON_TYPE({j}) = '{kind}'"
    return cond


# --------------------------------------------------------------------------------------------
# to_json
# --------------------------------------------------------------------------------------------

def json_text_sql(gen, sql: str, dt: T.DataType, ignore_null_fields: bool = True,
                  options: dict[str, str] | None = None) -> str:
    """SQL for the JSON text Spark writes for value ``sql`` of type ``dt`` (NULL for NULL);
    a struct's NULL fields are left out unless ``ignore_null_fields`` is false; ``options``
    (lower-case keys) may give ``dateformat`` / ``timestampformat`` / ``timestampntzformat``
    (Spark datetime patterns)."""
    options = options or {}

    def inner(sql: str, dt: T.DataType) -> str:
        return json_text_sql(gen, sql, dt, ignore_null_fields, options)

    pattern = {T.DateType: "dateformat", T.TimestampType: "timestampformat",
               T.TimestampNTZType: "timestampntzformat"}.get(type(dt))
    if pattern is not None and pattern in options:
        from sparklet.sql.dialect.datetimes import format_sql
        return f"('\"' || {format_sql(sql, options[pattern])} || '\"')"

    if isinstance(dt, T.StructType):
        s = fresh("s")
        parts = []
        for f in dt.fields:
            value = inner(f"STRUCT_EXTRACT({s}, {_str_lit(f.name)})", f.dataType)
            if not ignore_null_fields:
                value = f"COALESCE({value}, 'null')"
            parts.append(f"{_str_lit(json.dumps(f.name) + ':')} || {value}")
        inner = f"CONCAT_WS(',', {', '.join(parts)})" if parts else "''"
        return let(sql, s, f"CASE WHEN {s} IS NULL THEN NULL ELSE '{{' || {inner} || '}}' END")
    if isinstance(dt, T.ArrayType):
        y = fresh("x")
        elem = f"COALESCE({inner(y, dt.elementType)}, 'null')"
        return f"('[' || ARRAY_TO_STRING(LIST_TRANSFORM({sql}, LAMBDA {y} : {elem}), ',') || ']')"
    if isinstance(dt, T.MapType):
        en = fresh("e")
        key = f"TO_JSON(CAST({en}.key AS VARCHAR))"
        if not isinstance(dt.keyType, T.StringType):
            from sparklet.sql.dialect.arrays import nested_to_string_sql
            key = f"TO_JSON({nested_to_string_sql(gen, f'{en}.key', dt.keyType)})"
        value = f"COALESCE({inner(f'{en}.value', dt.valueType)}, 'null')"
        pairs = f"LIST_TRANSFORM(MAP_ENTRIES({sql}), LAMBDA {en} : {key} || ':' || {value})"
        return f"('{{' || ARRAY_TO_STRING({pairs}, ',') || '}}')"
    if isinstance(dt, (T.StringType, T.CharType, T.VarcharType)):
        return f"CAST(TO_JSON(CAST({sql} AS VARCHAR)) AS VARCHAR)"
    if isinstance(dt, T.DateType):
        return f"('\"' || STRFTIME({sql}, '%Y-%m-%d') || '\"')"
    if isinstance(dt, T.TimestampType):
        z = f"STRFTIME({sql}, '%z')"
        offset = f"CASE WHEN {z} = '+00' THEN 'Z' WHEN LEN({z}) = 3 THEN {z} || ':00' ELSE {z} END"
        return f"('\"' || STRFTIME({sql}, '%Y-%m-%dT%H:%M:%S.%g') || {offset} || '\"')"
    if isinstance(dt, T.TimestampNTZType):
        return f"('\"' || STRFTIME({sql}, '%Y-%m-%dT%H:%M:%S.%g') || '\"')"
    if isinstance(dt, T.BinaryType):
        return f"('\"' || BASE64({sql}) || '\"')"
    if isinstance(dt, T.NullType):
        return "CAST(NULL AS VARCHAR)"
    if isinstance(dt, (T.FloatType, T.DoubleType)):
        x = fresh("d")
        text = _cast_to_string(gen, x, dt)
        return let(sql, x, f"CASE WHEN ISNAN({x}) THEN '\"NaN\"' WHEN ISINF({x}) AND {x} > 0 THEN "
                           f"'\"Infinity\"' WHEN ISINF({x}) THEN '\"-Infinity\"' "
                           f"ELSE {text} END")
    return _cast_to_string(gen, sql, dt)


def _cast_to_string(gen, sql: str, dt: T.DataType) -> str:
    """The dialect's own ``CAST(x AS STRING)`` (so numbers read as Spark writes them)."""
    leaf = exp.Var(this=sql)
    leaf.type = exp.DataType.build(to_duckdb_type(dt), dialect="duckdb")
    return gen.sql(exp.Cast(this=leaf, to=exp.DataType.build("VARCHAR")))


def _to_json_sql(gen, e: exp.JSONFormat) -> str:
    dt = spark_type(gen, e.this)
    if not isinstance(dt, (T.StructType, T.ArrayType, T.MapType)):
        return default_sql(gen, e)
    options = _options(e)
    keep = options.get("ignorenullfields", "true").lower() == "false"
    return json_text_sql(gen, gen.sql(e.this), dt, ignore_null_fields=not keep,
                         options=options)


# --------------------------------------------------------------------------------------------
# from_json
# --------------------------------------------------------------------------------------------

_INTEGRAL_JSON = "('UBIGINT', 'BIGINT')"
_NUMBER_JSON = "('UBIGINT', 'BIGINT', 'HUGEINT', 'DOUBLE')"


def _json_path_key(name: str) -> str:
    return _str_lit('$."' + name.replace("\\", "\\\\").replace('"', '\\"') + '"')


def convert_json_sql(j: str, dt: T.DataType) -> str:
    """SQL for DuckDB JSON value ``j`` read as Spark's JSON parser reads it into ``dt``: a
    token of another kind gives NULL (a string is no number, a number with a fraction no
    int, an out-of-range number NULL), and only that field is lost (Spark's partial
    results); a string field takes any value's JSON text."""
    kind = f"JSON_TYPE({j})"
    if isinstance(dt, T.StructType):
        fields = ", ".join(
            _str_lit(f.name) + ": "
            + convert_json_sql(f"JSON_EXTRACT({j}, {_json_path_key(f.name)})", f.dataType)
            for f in dt.fields)
        if not fields:
            return f"CASE WHEN {kind} = 'OBJECT' THEN {{}} END"
        return f"CASE WHEN {kind} = 'OBJECT' THEN {{{fields}}} END"
    if isinstance(dt, T.ArrayType):
        y = fresh("x")
        return (f"CASE WHEN {kind} = 'ARRAY' THEN LIST_TRANSFORM(CAST({j} AS JSON[]), "
                f"LAMBDA {y} : {convert_json_sql(y, dt.elementType)}) END")
    if isinstance(dt, T.MapType):
        en = fresh("e")
        value = convert_json_sql(f"{en}.value", dt.valueType)
        key = f"{en}.key" if isinstance(dt.keyType, T.StringType) else \
            f"TRY_CAST({en}.key AS {to_duckdb_type(dt.keyType)})"
        return (f"CASE WHEN {kind} = 'OBJECT' THEN MAP_FROM_ENTRIES(LIST_TRANSFORM("
                f"MAP_ENTRIES(CAST({j} AS MAP(VARCHAR, JSON))), "
                f"LAMBDA {en} : {{'key': {key}, 'value': {value}}})) END")
    duck = to_duckdb_type(dt)
    if isinstance(dt, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
        return f"CASE WHEN {kind} IN {_INTEGRAL_JSON} THEN TRY_CAST({j} AS {duck}) END"
    if isinstance(dt, (T.FloatType, T.DoubleType, T.DecimalType)):
        return f"CASE WHEN {kind} IN {_NUMBER_JSON} THEN TRY_CAST({j} AS {duck}) END"
    if isinstance(dt, T.BooleanType):
        return f"CASE WHEN {kind} = 'BOOLEAN' THEN CAST({j} AS BOOLEAN) END"
    if isinstance(dt, (T.StringType, T.CharType, T.VarcharType)):
        return (f"CASE WHEN {kind} = 'VARCHAR' THEN {j} ->> '$' WHEN {kind} = 'NULL' "
                f"THEN NULL ELSE CAST({j} AS VARCHAR) END")
    if isinstance(dt, T.TimestampType):  # a string, or seconds since the epoch
        return (f"CASE WHEN {kind} = 'VARCHAR' THEN TRY_CAST({j} ->> '$' AS {duck}) "
                f"WHEN {kind} IN {_INTEGRAL_JSON} THEN TO_TIMESTAMP(CAST({j} AS BIGINT)) END")
    if isinstance(dt, (T.DateType, T.TimestampNTZType)):
        return f"CASE WHEN {kind} = 'VARCHAR' THEN TRY_CAST({j} ->> '$' AS {duck}) END"
    if isinstance(dt, T.BinaryType):
        return f"CASE WHEN {kind} = 'VARCHAR' THEN TRY(FROM_BASE64({j} ->> '$')) END"
    return f"TRY_CAST({j} AS {duck})"


def _from_json_sql(gen, e: exp.FromJson) -> str:
    """``from_json(text, schema)``: a DDL schema (``a INT, b STRING``, ``ARRAY<INT>``);
    text that is not JSON gives a struct of NULLs (struct schema) or NULL."""
    schema = e.expression
    if isinstance(schema, exp.Anonymous) and schema.name.lower() == "schema_of_json" and \
            schema.expressions and isinstance(schema.expressions[0], exp.Literal):
        text = _schema_text(schema.expressions[0].this)  # folded, as Spark folds it
    elif isinstance(schema, exp.Literal) and schema.is_string:
        text = schema.this
    else:
        return default_sql(gen, e)
    dt = T._parse_datatype_string(text)
    failfast = _options(e).get("mode", "PERMISSIVE").upper() == "FAILFAST"
    duck = to_duckdb_type(dt)
    j, v = fresh("j"), fresh("v")
    parsed = f"CAST({let(f'CAST({j} AS JSON)', v, convert_json_sql(v, dt))} AS {duck})"
    kind = "ARRAY" if isinstance(dt, T.ArrayType) else "OBJECT"
    if failfast:
        bad = spark_error("MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION",
                          "Malformed records are detected in record parsing: [null].\n"
                          "Parse Mode: FAILFAST. To process malformed records as null result, "
                          "try setting the option 'mode' as 'PERMISSIVE'.")
    elif isinstance(dt, T.StructType):
        nulls = ", ".join(f"{_str_lit(f.name)}: CAST(NULL AS {to_duckdb_type(f.dataType)})"
                          for f in dt.fields)
        bad = f"CAST({{{nulls}}} AS {duck})" if dt.fields else f"CAST(NULL AS {duck})"
    else:
        bad = "NULL"
    body = f"CASE WHEN {j} IS NULL THEN NULL WHEN {_valid(j, kind)} THEN {parsed} ELSE {bad} END"
    return let(gen.sql(e.this), j, body)


# --------------------------------------------------------------------------------------------
# get_json_object, json_tuple, json_array_length, json_object_keys
# --------------------------------------------------------------------------------------------

def _get_json_object_sql(gen, e: exp.JSONExtractScalar) -> str:
    """``get_json_object(json, path)``: the value's text (a string unquoted), NULL when
    missing or not JSON; a wildcard path gives the one match, or a JSON array of them."""
    j = gen.sql(e.this)
    path = e.expression
    if isinstance(path, exp.JSONPath) and path.find(exp.JSONPathWildcard):
        m, y = fresh("m"), fresh("x")
        found = f"JSON_EXTRACT({j}, {gen.sql(path)})"
        value = (f"CASE WHEN {m} IS NULL OR LEN({m}) = 0 THEN NULL "
                 f"WHEN LEN({m}) = 1 THEN {m}[1] ->> '$' ELSE '[' || ARRAY_TO_STRING("
                 f"LIST_TRANSFORM({m}, LAMBDA {y} : CAST({y} AS VARCHAR)), ',') || ']' END")
        return f"CASE WHEN {_valid(j)} THEN {let(found, m, value)} ELSE NULL END"
    return f"CASE WHEN {_valid(j)} THEN {default_sql(gen, e)} ELSE NULL END"


def _key_path(gen, key: exp.Expression) -> str:
    if isinstance(key, exp.Literal) and key.is_string:
        return _str_lit('$."' + key.this.replace("\\", "\\\\").replace('"', '\\"') + '"')
    k = gen.sql(key)
    return f"('$.\"' || REPLACE(REPLACE({k}, '\\', '\\\\'), '\"', '\\\"') || '\"')"


def json_tuple_columns(gen, e: exp.Expression) -> list[tuple[str, str]]:
    """``json_tuple(json, k1, k2, ...)``'s columns ``c0, c1, ...``: each key's value as
    text (strings unquoted, objects and arrays as JSON), NULL when missing or not JSON."""
    j, *keys = e.expressions
    js = gen.sql(j)
    return [(f"CASE WHEN {_valid(js, 'OBJECT')} THEN JSON_EXTRACT_STRING({js}, "
             f"{_key_path(gen, k)}) ELSE NULL END", f"c{i}") for i, k in enumerate(keys)]


def _json_array_length_sql(gen, e: exp.Expression) -> str:
    j = gen.sql(e.expressions[0])
    return (f"CASE WHEN {_valid(j, 'ARRAY')} THEN CAST(JSON_ARRAY_LENGTH({j}) AS INTEGER) "
            f"ELSE NULL END")


def _json_object_keys_sql(gen, e: exp.JSONKeys) -> str:
    j = gen.sql(e.this)
    return f"CASE WHEN {_valid(j, 'OBJECT')} THEN JSON_KEYS({j}) ELSE NULL END"


# --------------------------------------------------------------------------------------------
# schema_of_json
# --------------------------------------------------------------------------------------------

def infer_json_type(value: object) -> T.DataType:
    """Spark's type for one parsed JSON value (before NULL types become strings)."""
    if value is None:
        return T.NullType()
    if isinstance(value, bool):
        return T.BooleanType()
    if isinstance(value, int):
        if -(2 ** 63) <= value < 2 ** 63:
            return T.LongType()
        digits = len(str(abs(value)))
        return T.DecimalType(digits, 0) if digits <= 38 else T.DoubleType()
    if isinstance(value, float):
        return T.DoubleType()
    if isinstance(value, str):
        return T.StringType()
    if isinstance(value, list):
        elem: T.DataType = T.NullType()
        for v in value:
            elem = merge_json_types(elem, infer_json_type(v))
        return T.ArrayType(elem)
    fields = [T.StructField(k, infer_json_type(v)) for k, v in value.items()]
    return T.StructType(sorted(fields, key=lambda f: f.name))


def merge_json_types(a: T.DataType, b: T.DataType) -> T.DataType:
    """The type two JSON values of types ``a`` and ``b`` both fit (Spark's rules)."""
    if a == b:
        return a
    if isinstance(a, T.NullType):
        return b
    if isinstance(b, T.NullType):
        return a
    numeric = (T.LongType, T.DoubleType, T.DecimalType)
    if isinstance(a, numeric) and isinstance(b, numeric):
        if isinstance(a, T.DoubleType) or isinstance(b, T.DoubleType):
            return T.DoubleType()
        if isinstance(a, T.DecimalType) and isinstance(b, T.DecimalType):
            scale = max(a.scale, b.scale)
            digits = max(a.precision - a.scale, b.precision - b.scale)
            return T.DecimalType(digits + scale, scale) if digits + scale <= 38 \
                else T.DoubleType()
        dec = a if isinstance(a, T.DecimalType) else b
        return merge_json_types(dec, T.DecimalType(20, 0))
    if isinstance(a, T.StructType) and isinstance(b, T.StructType):
        fields = {f.name: f.dataType for f in a.fields}
        for f in b.fields:
            fields[f.name] = merge_json_types(fields.get(f.name, T.NullType()), f.dataType)
        return T.StructType(sorted((T.StructField(n, t) for n, t in fields.items()),
                                   key=lambda f: f.name))
    if isinstance(a, T.ArrayType) and isinstance(b, T.ArrayType):
        return T.ArrayType(merge_json_types(a.elementType, b.elementType))
    return T.StringType()


def _canonical(dt: T.DataType) -> T.DataType:
    if isinstance(dt, T.NullType):
        return T.StringType()
    if isinstance(dt, T.ArrayType):
        return T.ArrayType(_canonical(dt.elementType))
    if isinstance(dt, T.StructType):
        return T.StructType([T.StructField(f.name, _canonical(f.dataType)) for f in dt.fields])
    return dt


_PLAIN_NAME = re.compile(r"[a-zA-Z0-9_]+")


def spark_sql_type(dt: T.DataType) -> str:
    """Spark's ``DataType.sql`` text: ``STRUCT<a: BIGINT, b: ARRAY<STRING>>``."""
    if isinstance(dt, T.StructType):
        def name(n: str) -> str:
            if _PLAIN_NAME.fullmatch(n) and not n.isdigit():
                return n
            return "`" + n.replace("`", "``") + "`"
        return "STRUCT<" + ", ".join(f"{name(f.name)}: {spark_sql_type(f.dataType)}"
                                     for f in dt.fields) + ">"
    if isinstance(dt, T.ArrayType):
        return f"ARRAY<{spark_sql_type(dt.elementType)}>"
    if isinstance(dt, T.MapType):
        return f"MAP<{spark_sql_type(dt.keyType)}, {spark_sql_type(dt.valueType)}>"
    return dt.simpleString().upper()


def _schema_text(text: str) -> str:
    """``schema_of_json(text)``'s answer."""
    try:
        value = json.loads(text)
    except ValueError:
        return "STRING"
    return spark_sql_type(_canonical(infer_json_type(value)))


def _schema_of_json_sql(gen, e: exp.Expression) -> str:
    arg = e.expressions[0] if e.expressions else None
    if not (isinstance(arg, exp.Literal) and arg.is_string):
        return default_sql(gen, e)
    return _str_lit(_schema_text(arg.this))


_TRANSFORMS: dict = {
    exp.JSONFormat: _to_json_sql,
    exp.FromJson: _from_json_sql,
    exp.JSONExtractScalar: _get_json_object_sql,
    exp.JSONKeys: _json_object_keys_sql,
}

_FUNCTIONS: dict = {
    "json_tuple": _generator_sql,
    "schema_of_json": _schema_of_json_sql,
    "json_array_length": _json_array_length_sql,
}

# fresh lambda names by expression (the same SQL in SELECT and GROUP BY)
TRANSFORMS: dict = {k: scoped(fn) for k, fn in _TRANSFORMS.items()}
FUNCTIONS: dict = {k: scoped(fn) for k, fn in _FUNCTIONS.items()}
