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
    spark_type,
)
from sparklet.sql.typemap import to_duckdb_type


def _valid(j: str, kind: str | None = None) -> str:
    cond = f"JSON_VALID({j})"
    if kind:
        cond += f" AND JSON_TYPE({j}) = '{kind}'"
    return cond


# --------------------------------------------------------------------------------------------
# to_json
# --------------------------------------------------------------------------------------------

def json_text_sql(gen, sql: str, dt: T.DataType) -> str:
    """SQL for the JSON text Spark writes for value ``sql`` of type ``dt`` (NULL for NULL)."""
    if isinstance(dt, T.StructType):
        s = fresh("s")
        parts = []
        for f in dt.fields:
            value = json_text_sql(gen, f"STRUCT_EXTRACT({s}, {_str_lit(f.name)})", f.dataType)
            parts.append(f"{_str_lit(json.dumps(f.name) + ':')} || {value}")
        inner = f"CONCAT_WS(',', {', '.join(parts)})" if parts else "''"
        return let(sql, s, f"CASE WHEN {s} IS NULL THEN NULL ELSE '{{' || {inner} || '}}' END")
    if isinstance(dt, T.ArrayType):
        y = fresh("x")
        elem = f"COALESCE({json_text_sql(gen, y, dt.elementType)}, 'null')"
        return f"('[' || ARRAY_TO_STRING(LIST_TRANSFORM({sql}, LAMBDA {y} : {elem}), ',') || ']')"
    if isinstance(dt, T.MapType):
        en = fresh("e")
        key = f"TO_JSON(CAST({en}.key AS VARCHAR))"
        if not isinstance(dt.keyType, T.StringType):
            from sparklet.sql.dialect.arrays import nested_to_string_sql
            key = f"TO_JSON({nested_to_string_sql(gen, f'{en}.key', dt.keyType)})"
        value = f"COALESCE({json_text_sql(gen, f'{en}.value', dt.valueType)}, 'null')"
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
    return json_text_sql(gen, gen.sql(e.this), dt)


# --------------------------------------------------------------------------------------------
# from_json
# --------------------------------------------------------------------------------------------

def _structure(dt: T.DataType) -> object:
    """DuckDB ``json_transform``'s structure for Spark type ``dt``."""
    if isinstance(dt, T.StructType):
        return {f.name: _structure(f.dataType) for f in dt.fields}
    if isinstance(dt, T.ArrayType):
        return [_structure(dt.elementType)]
    return to_duckdb_type(dt)


def _from_json_sql(gen, e: exp.FromJson) -> str:
    """``from_json(text, schema)``: a DDL schema (``a INT, b STRING``, ``ARRAY<INT>``);
    text that is not JSON gives a struct of NULLs (struct schema) or NULL."""
    schema = e.expression
    if not (isinstance(schema, exp.Literal) and schema.is_string):
        return default_sql(gen, e)
    dt = T._parse_datatype_string(schema.this)
    structure = _str_lit(json.dumps(_structure(dt)))
    duck = to_duckdb_type(dt)
    j = fresh("j")
    parsed = f"CAST(JSON_TRANSFORM({j}, {structure}) AS {duck})"
    if isinstance(dt, T.StructType):
        body = (f"CASE WHEN {j} IS NULL THEN NULL WHEN {_valid(j, 'OBJECT')} THEN {parsed} "
                f"ELSE CAST(JSON_TRANSFORM('{{}}', {structure}) AS {duck}) END")
    else:
        kind = "ARRAY" if isinstance(dt, T.ArrayType) else "OBJECT"
        body = f"CASE WHEN {_valid(j, kind)} THEN {parsed} ELSE NULL END"
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


def _schema_of_json_sql(gen, e: exp.Expression) -> str:
    arg = e.expressions[0] if e.expressions else None
    if not (isinstance(arg, exp.Literal) and arg.is_string):
        return default_sql(gen, e)
    try:
        value = json.loads(arg.this)
    except ValueError:
        return "'STRING'"
    return _str_lit(spark_sql_type(_canonical(infer_json_type(value))))


TRANSFORMS: dict = {
    exp.JSONFormat: _to_json_sql,
    exp.FromJson: _from_json_sql,
    exp.JSONExtractScalar: _get_json_object_sql,
    exp.JSONKeys: _json_object_keys_sql,
}

FUNCTIONS: dict = {
    "json_tuple": _generator_sql,
    "schema_of_json": _schema_of_json_sql,
    "json_array_length": _json_array_length_sql,
}
