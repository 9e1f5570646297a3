"""ansi rules of the Spark-on-DuckDB dialect (see the package docstring): Spark's ``CAST``.

sqlglot reads Spark's ``CAST`` as ``exp.TryCast`` without ``safe`` (its Spark dialect is
Spark 3's, where a bad cast is NULL) and ``try_cast`` as ``exp.TryCast`` with ``safe=True``;
shorthands such as ``INT('2')`` are ``exp.Cast``. All are Spark's cast here:

- ANSI on (Spark 4's default): a value that does not fit raises Spark's condition
  (``CAST_INVALID_INPUT``, ``CAST_OVERFLOW``, ``NUMERIC_VALUE_OUT_OF_RANGE``), either through
  ``error('[CONDITION] ...')`` or through DuckDB's own conversion error, which
  ``sparklet.sql.execution_errors`` names as Spark does;
- ANSI off (Spark 3): NULL for a malformed string or a decimal that does not fit, Java's
  narrowing (wrap-around, saturation for doubles) for numbers;
- ``try_cast``: NULL for anything that would raise.

Spark's semantics that DuckDB's ``CAST`` lacks: strings to integers are trimmed and must be
integers (``'1.5'`` is malformed, DuckDB rounds it); fractions to integers truncate (DuckDB
rounds); booleans from ``t``/``yes``/``1``...; timestamps ↔ numbers are epoch seconds;
doubles to strings are Java's (``1.0E10``); timestamps to strings carry no offset.

The ``try_`` arithmetic (``try_add``, ``try_subtract``, ``try_multiply``, ``try_divide``,
``try_sum``, ``try_avg``, ``try_to_number``) lives here too: NULL where ANSI raises.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB

from sparklet.sql.dialect.numeric import (
    _INTEGRAL,
    DT,
    arithmetic_sql,
    bind,
    error_sql,
    is_decimal,
    is_fractional,
    is_integral,
    is_numeric,
    is_string,
    lambda_name,
    precision_scale,
    spark_type,
    sql_string,
    type_sql,
)

_SPARK_TYPE_NAME = {DT.TINYINT: "TINYINT", DT.SMALLINT: "SMALLINT", DT.INT: "INT",
                    DT.BIGINT: "BIGINT", DT.FLOAT: "FLOAT", DT.DOUBLE: "DOUBLE",
                    DT.BOOLEAN: "BOOLEAN", DT.DATE: "DATE", DT.TIMESTAMPTZ: "TIMESTAMP",
                    DT.TIMESTAMP: "TIMESTAMP_NTZ", DT.VARCHAR: "STRING", DT.TEXT: "STRING"}

_TRUE = ("t", "true", "y", "yes", "1")
_FALSE = ("f", "false", "n", "no", "0")
_TIMESTAMPS = {DT.TIMESTAMPTZ, DT.TIMESTAMP, DT.TIMESTAMPLTZ}


def spark_type_upper(t: exp.DataType) -> str:
    """Spark's upper-case name of a type, as its cast messages quote it (``"INT"``)."""
    if is_decimal(t):
        p, s = precision_scale(t)
        return f"DECIMAL({p},{s})"
    return _SPARK_TYPE_NAME.get(t.this, t.sql(dialect="spark").upper())


def _invalid_input(value: str, source: exp.DataType | None, target: exp.DataType) -> str:
    src = "STRING" if source is None else spark_type_upper(source)
    tail = (f' of the type "{src}" cannot be cast to "{spark_type_upper(target)}" because '
            "it is malformed. Correct the value as per the syntax, or change its target "
            "type. Use `try_cast` to tolerate malformed input and return NULL instead.")
    return error_sql("CAST_INVALID_INPUT",
                     f"'The value ''' || {value} || ''''  || {sql_string(tail)}")


def _trimmed(v: str) -> str:
    # Spark trims every character up to U+0020 (UTF8String.trimAll) before parsing.
    return f"regexp_replace({v}, '^[\\x00-\\x20]+|[\\x00-\\x20]+$', '', 'g')"


def cast_sql(gen, e: exp.Cast) -> str:
    """Spark's CAST / try_cast (see the module docstring)."""
    to = e.to
    if e.args.get("format") is not None:  # a formatted cast (a date pattern): DuckDB's own
        generate = DuckDB.Generator.trycast_sql if isinstance(e, exp.TryCast) and (
            e.args.get("safe") or not gen.ansi) else DuckDB.Generator.cast_sql
        return generate(gen, e)
    if type(e) is exp.Cast and to.this == DT.TIMESTAMP and getattr(gen, "_sparklet_raw",
                                                                    None) is None:
        # sqlglot's node for Spark's to_timestamp(x) / timestamp(x): the datetime rules
        from sparklet.sql.dialect import datetimes

        return datetimes.to_timestamp_sql(gen, e.this)
    if to.this in (DT.VARCHAR, DT.TEXT) and getattr(gen, "_sparklet_raw", None) is None:
        src = spark_type(e.this)
        if src is not None and src.this in (DT.DATE, DT.TIMESTAMPTZ, DT.TIMESTAMP,
                                            DT.TIMESTAMPNTZ):
            from sparklet.sql.dialect import datetimes

            kind = {DT.DATE: "date", DT.TIMESTAMPTZ: "timestamp"}.get(src.this,
                                                                       "timestamp_ntz")
            return datetimes.datetime_to_string_sql(gen, gen.sql(e.this), kind)
    mode = "try" if e.args.get("safe") else ("ansi" if gen.ansi else "legacy")
    source = spark_type(e.this)
    raw = getattr(gen, "_sparklet_raw", None)
    if raw is not None:  # see _dispatch: the operand's SQL is given, its type is e.this's
        source = spark_type(e.this)
        gen._sparklet_raw = None
        x = raw
    else:
        x = gen.sql(e.this)
    if to.this == DT.DECIMAL and not to.expressions:
        to = exp.DataType.build("DECIMAL(10,0)")
    target = type_sql(to)
    plain = "CAST" if mode == "ansi" else "TRY_CAST"
    if source is not None and source.this == DT.NULL:
        return f"CAST(NULL AS {target})"
    if source is None and to.this in (DT.VARCHAR, DT.TEXT):
        nested = _nested_type(e.this)
        if nested is not None:
            return to_string(gen, x, nested)
    if source is None and (is_integral(to) or to.this in (DT.VARCHAR, DT.TEXT)):
        return _dispatch(gen, e, x, to, mode)
    if is_integral(to):
        if is_string(source):
            return _string_to_integral(gen, x, to, mode)
        if is_fractional(source) or is_decimal(source):
            if mode == "legacy":
                return _legacy_fraction_to_integral(gen, x, source, to)
            return f"{plain}(trunc({x}) AS {target})"
        if source is not None and source.this in _TIMESTAMPS:
            return f"{plain}(floor(epoch({x})) AS {target})"
        if is_integral(source) and mode == "legacy" and _INTEGRAL[source.this] > _INTEGRAL[
                to.this]:
            bits = _INTEGRAL[to.this]
            half, full = 2 ** (bits - 1), 2 ** bits
            return (f"CAST((((CAST({x} AS HUGEINT) + {half}) % {full}) + {full}) % {full} "
                    f"- {half} AS {target})")
        return f"{plain}({x} AS {target})"
    if to.this == DT.BOOLEAN and is_string(source):
        return _string_to_boolean(gen, x, to, mode)
    if to.this in (DT.VARCHAR, DT.TEXT) and source is not None:
        return to_string(gen, x, source)
    if to.this in (DT.FLOAT, DT.DOUBLE) and is_string(source):
        # Java's parseDouble also reads a type suffix ('1.5d', '2f').
        text = f"regexp_replace({_trimmed(x)}, '([0-9.])[dDfF]$', '\\1')"
        return f"{plain}({text} AS {target})"
    if to.this in _TIMESTAMPS and is_numeric(source):
        seconds = f"CAST({x} AS DOUBLE)"
        tz = "" if to.this != DT.TIMESTAMP else " AT TIME ZONE 'UTC'"
        return f"CAST(to_timestamp({seconds}){tz} AS {target})"
    if (to.this in (DT.FLOAT, DT.DOUBLE) or is_decimal(to)) and source is not None and (
            source.this in _TIMESTAMPS):
        return f"{plain}(epoch({x}) AS {target})"
    return f"{plain}({x} AS {target})"


def _nested_type(e: exp.Expression) -> exp.DataType | None:
    """sqlglot's type of an array, map or struct expression (its element types are close
    enough to Spark's for writing the value as text), or None."""
    from sqlglot.optimizer.annotate_types import annotate_types
    try:
        t = annotate_types(e.copy(), dialect="spark").type
    except Exception:  # noqa: BLE001 - no type: the caller falls back
        return None
    if t is None or t.this not in (DT.ARRAY, DT.MAP, DT.STRUCT):
        return None
    if any(x.this == DT.UNKNOWN for x in t.find_all(exp.DataType)):
        return None
    return t


def to_string(gen, x: str, t: exp.DataType) -> str:
    """Spark's text of a value of type ``t``: Java's doubles, timestamps without an offset,
    ``[1, null]`` arrays, ``{a -> 1}`` maps, ``{1, x}`` structs."""
    if is_fractional(t):
        return java_double_string(gen, x)
    if t.this == DT.TIMESTAMPTZ:
        return f"regexp_replace(CAST({x} AS VARCHAR), '[+-][0-9]{{2}}(:[0-9]{{2}})?$', '')"
    if t.this == DT.ARRAY and t.expressions:
        v = lambda_name("element:" + x)
        inner = to_string(gen, v, t.expressions[0])
        return (f"'[' || array_to_string(list_transform({x}, lambda {v}: "
                f"coalesce({inner}, 'null')), ', ') || ']'")
    if t.this == DT.MAP and len(t.expressions) == 2:
        v = lambda_name("entry:" + x)
        key = to_string(gen, f"{v}.key", t.expressions[0])
        value = to_string(gen, f"{v}.value", t.expressions[1])
        return (f"'{{' || array_to_string(list_transform(map_entries({x}), lambda {v}: "
                f"{key} || ' -> ' || coalesce({value}, 'null')), ', ') || '}}'")
    if t.this == DT.STRUCT and t.expressions:
        def body(v: str) -> str:
            parts = []
            for field in t.expressions:
                name = field.name if isinstance(field, exp.ColumnDef) else None
                kind = field.args.get("kind") if isinstance(field, exp.ColumnDef) else None
                if name is None or kind is None:
                    return f"CAST({v} AS VARCHAR)"
                inner = to_string(gen, f"struct_extract({v}, {sql_string(name)})", kind)
                parts.append(f"coalesce({inner}, 'null')")
            return (f"CASE WHEN {v} IS NULL THEN NULL ELSE '{{' || "
                    + " || ', ' || ".join(parts) + " || '}' END")
        return bind(gen, x, body)
    return f"CAST({x} AS VARCHAR)"


def _dispatch(gen, e: exp.Cast, x: str, to: exp.DataType, mode: str) -> str:
    """A cast whose source type the tree does not tell (a column of a view in spark.sql):
    one branch per source type DuckDB may bind, chosen by ``typeof``, which DuckDB folds
    while planning (the other branches are dropped). Every branch must bind whatever the
    type, so the value reaches the typed rules through its text."""
    text = f"CAST({x} AS VARCHAR)"
    branches = []
    for duck, spark in (("DOUBLE", "DOUBLE"), ("FLOAT", "FLOAT"), ("VARCHAR", "VARCHAR"),
                        ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ")):
        typed = exp.Cast(this=exp.Anonymous(this="__sparklet_raw"),
                         to=exp.DataType.build(spark, dialect="duckdb"))
        value = text if duck == "VARCHAR" else f"TRY_CAST({text} AS {duck})"
        branch = exp.Cast(this=typed, to=to.copy(), safe=e.args.get("safe"))
        branches.append((duck, cast_sql_raw(gen, branch, value)))
    cases = " ".join(f"WHEN {sql_string(d)} THEN {b}" for d, b in branches)
    if is_integral(to):
        # A decimal: truncate its text's value (Spark truncates, DuckDB's cast rounds).
        cast = "CAST" if mode == "ansi" else "TRY_CAST"
        decimal = f"{cast}(trunc(CAST({text} AS DECIMAL(38,9))) AS {type_sql(to)})"
        cases += f" WHEN {sql_string('DECIMAL')} THEN {decimal}"
        if mode == "legacy":
            # Spark 3 narrows integers as Java does: the low bits (300 as a tinyint is 44).
            bits = _INTEGRAL[to.this]
            half, full = 2 ** (bits - 1), 2 ** bits
            wrapped = (f"CAST((((TRY_CAST({text} AS HUGEINT) + {half}) % {full}) + {full}) % "
                       f"{full} - {half} AS {type_sql(to)})")
            for name in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"):
                cases += f" WHEN {sql_string(name)} THEN {wrapped}"
        fallback = f"{cast}({x} AS {type_sql(to)})"
        return (f"CASE regexp_replace(typeof({x}), '[(].*', '') {cases} ELSE {fallback} END")
    return f"CASE typeof({x}) {cases} ELSE CAST({x} AS VARCHAR) END"


def cast_sql_raw(gen, e: exp.Cast, value_sql: str) -> str:
    """``cast_sql`` of ``e`` whose operand (typed by ``e.this``) has the SQL ``value_sql``."""
    gen._sparklet_raw = value_sql
    try:
        return cast_sql(gen, e)
    finally:
        gen._sparklet_raw = None


def _string_to_integral(gen, x: str, to: exp.DataType, mode: str) -> str:
    target = type_sql(to)
    if mode == "legacy":
        # Spark 3 reads an optional fraction and drops it ('1.5' is 1); anything else is NULL.
        return (f"TRY_CAST(regexp_extract({x}, "
                f"'^[\\x00-\\x20]*([+-]?[0-9]+)(\\.[0-9]*)?[\\x00-\\x20]*$', 1) AS {target})")
    pattern = "'^[\\x00-\\x20]*[+-]?[0-9]+[\\x00-\\x20]*$'"
    if mode == "try":
        return f"CASE WHEN regexp_matches({x}, {pattern}) THEN TRY_CAST({x} AS {target}) END"
    # A well-formed integer that does not fit makes DuckDB's cast raise, which
    # execution_errors names CAST_INVALID_INPUT (Spark's condition for it too).
    return bind(gen, x, lambda v: (
        f"CAST(CASE WHEN NOT regexp_matches({v}, {pattern}) THEN "
        f"{_invalid_input(v, None, to)} ELSE {_trimmed(v)} END AS {target})"))


def _legacy_fraction_to_integral(gen, x: str, source: exp.DataType, to: exp.DataType) -> str:
    """Spark 3's narrowing of a fraction: Java's (int)/(long) conversion (NaN is 0, out of
    range saturates), then a wrap-around for tinyint and smallint."""
    target = type_sql(to)
    if is_decimal(source):
        bits = _INTEGRAL[to.this]
        half, full = 2 ** (bits - 1), 2 ** bits
        return (f"TRY_CAST((((CAST(trunc({x}) AS HUGEINT) + {half}) % {full}) + {full}) % "
                f"{full} - {half} AS {target})")
    wide = "BIGINT" if to.this == DT.BIGINT else "INTEGER"
    lo, hi = (-2**63, 2**63 - 1) if wide == "BIGINT" else (-2**31, 2**31 - 1)
    java = bind(gen, x, lambda v: (
        f"CASE WHEN isnan({v}) THEN 0 WHEN {v} >= {hi} THEN {hi} WHEN {v} <= {lo} THEN {lo} "
        f"ELSE CAST(trunc({v}) AS {wide}) END"))
    if wide == "BIGINT" or to.this == DT.INT:
        return f"CAST({java} AS {target})"
    bits = _INTEGRAL[to.this]
    half, full = 2 ** (bits - 1), 2 ** bits
    return f"CAST(((({java} + {half}) % {full}) + {full}) % {full} - {half} AS {target})"


def _string_to_boolean(gen, x: str, to: exp.DataType, mode: str) -> str:
    def body(v: str) -> str:
        key = f"lower({_trimmed(v)})"
        text = (f"CASE WHEN {key} IN ({', '.join(map(sql_string, _TRUE))}) THEN TRUE "
                f"WHEN {key} IN ({', '.join(map(sql_string, _FALSE))}) THEN FALSE ")
        if mode == "ansi":
            text += f"WHEN {v} IS NOT NULL THEN {_invalid_input(v, None, to)} "
        return text + "END"
    return bind(gen, x, body)


def java_double_string(gen, x: str) -> str:
    """A double (or float) as Java's Double.toString writes it, as Spark's cast to string:
    plain between 1e-3 and 1e7 (``1234567.0``), else ``d.dddE±n`` (``1.0E10``), ``NaN``,
    ``Infinity``. DuckDB writes the same shortest digits, switching to ``1e+16`` form at
    other bounds; the digits and the exponent are read back from its text."""
    def body(v: str) -> str:
        def sci(r: str) -> str:
            digits = (f"trim(regexp_replace(regexp_replace({r}, 'e.*$', ''), '[^0-9]', '', "
                      f"'g'), '0')")
            exponent = (f"CASE WHEN contains({r}, 'e') THEN CAST(regexp_extract({r}, "
                        f"'e([-+][0-9]+)', 1) AS INTEGER) WHEN abs({v}) >= 1 THEN "
                        f"length(regexp_extract({r}, '([0-9]+)\\.', 1)) - 1 ELSE "
                        f"-(length(regexp_extract({r}, '\\.(0*)', 1)) + 1) END")
            return bind(gen, digits, lambda d: (
                f"CASE WHEN {v} < 0 THEN '-' ELSE '' END || substr({d}, 1, 1) || '.' || "
                f"CASE WHEN length({d}) > 1 THEN substr({d}, 2) ELSE '0' END || 'E' || "
                f"CAST({exponent} AS VARCHAR)"))
        return (f"CASE WHEN isnan({v}) THEN 'NaN' WHEN isinf({v}) THEN CASE WHEN {v} > 0 "
                f"THEN 'Infinity' ELSE '-Infinity' END WHEN {v} = 0 OR (abs({v}) >= 0.001 AND "
                f"abs({v}) < 10000000) THEN CAST({v} AS VARCHAR) ELSE "
                f"{bind(gen, f'CAST({v} AS VARCHAR)', sci)} END")
    return bind(gen, x, body)


# ------------------------------------------------------------------------- try_ functions

def _safe_binary(kind: str):
    def rule(gen, e):
        text = arithmetic_sql(gen, kind, e.this, e.expression, safe=True)
        if text is not None:
            return text
        a, b = gen.sql(e.this), gen.sql(e.expression)
        if kind == "/":
            return f"TRY(CAST({a} AS DOUBLE) / NULLIF({b}, 0))"
        return f"TRY({a} {kind} {b})"
    return rule


def _in_window(e: exp.Expression) -> bool:
    # A window appends OVER (...) to the aggregate's SQL: it must stay a bare call.
    return isinstance(e.parent, exp.Window)


def _try_sum(gen, e: exp.Anonymous) -> str:
    arg = e.expressions[0]
    x = gen.sql(arg)
    t = spark_type(arg)
    if _in_window(e):
        return f"sum({x})"
    if is_integral(t):
        return f"TRY_CAST(sum({x}) AS BIGINT)"
    if is_decimal(t):
        p, s = precision_scale(t)
        return f"TRY_CAST(sum({x}) AS DECIMAL({min(p + 10, 38)},{s}))"
    if is_fractional(t):
        return f"CAST(sum({x}) AS DOUBLE)"
    return f"sum({x})"


def _try_avg(gen, e: exp.Anonymous) -> str:
    arg = e.expressions[0]
    x = gen.sql(arg)
    t = spark_type(arg)
    if _in_window(e):
        return f"avg({x})"
    if is_decimal(t):
        p, s = precision_scale(t)
        return f"TRY_CAST(avg({x}) AS DECIMAL({min(p + 4, 38)},{min(s + 4, 38)}))"
    return f"CAST(avg({x}) AS DOUBLE)"


def _number_format(fmt: str) -> tuple[int, int] | None:
    """(precision, scale) of a to_number format such as ``'999.99'`` / ``'$9,990'``."""
    body = fmt.upper().strip().lstrip("S$").rstrip("SMI").replace(",", "").replace("G", "")
    body = body.replace("D", ".")
    if not body or any(c not in "09." for c in body) or body.count(".") > 1:
        return None
    whole, _, frac = body.partition(".")
    return len(whole) + len(frac), len(frac)


def _try_to_number(gen, e: exp.Anonymous) -> str:
    value, fmt = e.expressions
    fmt_text = fmt.name if isinstance(fmt, exp.Literal) and fmt.is_string else None
    ps = _number_format(fmt_text) if fmt_text is not None else None
    if ps is None:
        return f"TRY_CAST(replace({gen.sql(value)}, ',', '') AS DOUBLE)"
    p, s = ps
    whole = p - s
    x = gen.sql(value)
    pattern = f"'^[+-]?[$]?[0-9,]{{0,{whole + whole // 3 + 1}}}(\\.[0-9]{{0,{s}}})?$'"
    return (f"CASE WHEN regexp_matches({x}, {pattern}) THEN TRY_CAST(replace(replace({x}, "
            f"',', ''), '$', '') AS DECIMAL({p},{s})) END")


TRANSFORMS: dict = {
    exp.Cast: cast_sql,
    exp.TryCast: cast_sql,
    exp.SafeAdd: _safe_binary("+"),
    exp.SafeSubtract: _safe_binary("-"),
    exp.SafeMultiply: _safe_binary("*"),
    exp.SafeDivide: _safe_binary("/"),
}

FUNCTIONS: dict = {
    "try_sum": _try_sum,
    "try_avg": _try_avg,
    "try_to_number": _try_to_number,
}

