"""numeric rules of the Spark-on-DuckDB dialect (see the package docstring).

Spark's result types for arithmetic and math functions, decimal precision and scale
(``DecimalPrecision``: ``2 * 3.0`` is ``decimal(4,1)``, ``CAST(1 AS DECIMAL(10,2)) / 3`` is
``decimal(14,6)``), ``/`` as a double division, ``DIV`` as a ``bigint`` one, division and
remainder by zero (``DIVIDE_BY_ZERO`` / ``REMAINDER_BY_ZERO`` with ANSI on, NULL with it off),
integer overflow (DuckDB raises it, ``sparklet.sql.execution_errors`` names it as Spark does;
with ANSI off it wraps around as Java's integers do), and the math functions DuckDB lacks or
types differently.

Date/time ``+`` and ``-`` (``DATE + INTERVAL``) are the datetime rules': these rules hand them
to ``datetimes.arithmetic_sql(gen, e) -> str | None`` when that module defines it.

``spark_type(e)`` derives Spark's type of an expression tree where the rules need it (as a
sqlglot ``exp.DataType`` in DuckDB's vocabulary), or None when it cannot tell; the rules then
fall back on DuckDB's own behaviour.
"""

from __future__ import annotations

import hashlib
import re

from sqlglot import exp

DT = exp.DataType.Type
_INTEGRAL = {DT.TINYINT: 8, DT.SMALLINT: 16, DT.INT: 32, DT.BIGINT: 64}
_INT_NAME = {DT.TINYINT: "TINYINT", DT.SMALLINT: "SMALLINT", DT.INT: "INTEGER",
             DT.BIGINT: "BIGINT"}
# The decimal that holds every value of an integral type (Spark's DecimalType.forType).
_INT_DIGITS = {DT.TINYINT: 3, DT.SMALLINT: 5, DT.INT: 10, DT.BIGINT: 20}
_FRACTIONAL = {DT.FLOAT, DT.DOUBLE}
_STRINGS = {DT.VARCHAR, DT.TEXT, DT.CHAR, DT.NVARCHAR, DT.NCHAR}
MAX_PRECISION = 38
# Spark keeps at least this many fractional digits when a decimal result is too wide.
_MIN_ADJUSTED_SCALE = 6

ANSI_CONFIG = '"spark.sql.ansi.enabled"'


def dtype(text: str) -> exp.DataType:
    """A DuckDB type as a sqlglot DataType."""
    return exp.DataType.build(text, dialect="duckdb")


def decimal(p: int, s: int) -> exp.DataType:
    return dtype(f"DECIMAL({p},{s})")


def precision_scale(t: exp.DataType) -> tuple[int, int]:
    """(precision, scale) of a decimal type (Spark's default decimal is decimal(10,0))."""
    params = [int(p.this.name) for p in t.expressions if isinstance(p.this, exp.Literal)]
    if not params:
        return 10, 0
    return params[0], params[1] if len(params) > 1 else 0


def is_integral(t: exp.DataType | None) -> bool:
    return t is not None and t.this in _INTEGRAL


def is_decimal(t: exp.DataType | None) -> bool:
    return t is not None and t.this == DT.DECIMAL


def is_fractional(t: exp.DataType | None) -> bool:
    return t is not None and t.this in _FRACTIONAL


def is_string(t: exp.DataType | None) -> bool:
    return t is not None and t.this in _STRINGS


def is_numeric(t: exp.DataType | None) -> bool:
    return is_integral(t) or is_decimal(t) or is_fractional(t)


def type_sql(t: exp.DataType) -> str:
    """DuckDB SQL of a type (Spark's bare DECIMAL is decimal(10,0), DuckDB's is (18,3))."""
    if is_decimal(t):
        p, s = precision_scale(t)
        return f"DECIMAL({p},{s})"
    if is_integral(t):
        return _INT_NAME[t.this]
    return t.sql(dialect="duckdb")


# ---------------------------------------------------------------------------- Spark's types

def _number_literal_type(text: str) -> exp.DataType:
    """Spark's type of a number literal: int, bigint or decimal(n,0) by size; decimal(p,s)
    with a point; double with an exponent."""
    if "e" in text.lower():
        return dtype("DOUBLE")
    digits = text.lstrip("+-")
    if "." not in digits:
        value = int(text)
        if -2**31 <= value < 2**31:
            return dtype("INTEGER")
        if -2**63 <= value < 2**63:
            return dtype("BIGINT")
        return decimal(min(len(digits.lstrip("0")) or 1, MAX_PRECISION), 0)
    whole, frac = digits.split(".", 1)
    unscaled = (whole + frac).lstrip("0") or "0"
    scale = len(frac)
    precision = max(len(unscaled), scale, 1)
    return decimal(min(precision, MAX_PRECISION), scale)


def _literal_decimal(e: exp.Expression) -> exp.DataType | None:
    """The narrowest decimal of an integral literal (Spark's DecimalType.fromLiteral)."""
    e = _unparen(e)
    text = None
    if isinstance(e, exp.Literal) and not e.is_string:
        text = e.name
    elif (isinstance(e, exp.Neg) and isinstance(e.this, exp.Literal)
          and not e.this.is_string):
        text = e.this.name
    if text is None or not re.fullmatch(r"\d+", text):
        return None
    return decimal(max(len(text.lstrip("0")), 1), 0)


def _unparen(e: exp.Expression) -> exp.Expression:
    while isinstance(e, exp.Paren):
        e = e.this
    return e


def _adjust(p: int, s: int) -> exp.DataType:
    """Spark's DecimalType.adjustPrecisionScale (precision loss allowed, the default)."""
    if p <= MAX_PRECISION:
        return decimal(p, s)
    int_digits = p - s
    min_scale = min(s, _MIN_ADJUSTED_SCALE)
    return decimal(MAX_PRECISION, max(MAX_PRECISION - int_digits, min_scale))


def _as_decimal(t: exp.DataType, e: exp.Expression) -> tuple[int, int] | None:
    if is_decimal(t):
        return precision_scale(t)
    if is_integral(t):
        lit = _literal_decimal(e)
        if lit is not None:
            return precision_scale(lit)
        return _INT_DIGITS[t.this], 0
    return None


def _wider_integral(a: exp.DataType, b: exp.DataType) -> exp.DataType:
    return a if _INTEGRAL[a.this] >= _INTEGRAL[b.this] else b


def arithmetic_type(kind: str, left: exp.Expression, right: exp.Expression
                    ) -> exp.DataType | None:
    """Spark's result type of ``left <kind> right`` (kind: + - * / % div), None if unknown."""
    lt, rt = spark_type(left), spark_type(right)
    if lt is None or rt is None:
        return None
    if lt.this == DT.NULL:
        lt = rt
    if rt.this == DT.NULL:
        rt = lt
    if lt.this == DT.NULL:  # NULL op NULL
        return dtype("DOUBLE") if kind == "/" else (dtype("BIGINT") if kind == "div" else None)
    if not (is_numeric(lt) and is_numeric(rt)):
        return None
    if kind == "div":
        return dtype("BIGINT")
    if is_fractional(lt) or is_fractional(rt):
        if kind != "/" and lt.this == DT.FLOAT and rt.this != DT.DOUBLE and not is_decimal(rt):
            return dtype("FLOAT")
        if kind != "/" and rt.this == DT.FLOAT and lt.this != DT.DOUBLE and not is_decimal(lt):
            return dtype("FLOAT")
        return dtype("DOUBLE")
    if is_integral(lt) and is_integral(rt):
        return dtype("DOUBLE") if kind == "/" else _wider_integral(lt, rt)
    (p1, s1), (p2, s2) = _as_decimal(lt, left), _as_decimal(rt, right)
    if kind in "+-":
        s = max(s1, s2)
        return _adjust(max(p1 - s1, p2 - s2) + s + 1, s)
    if kind == "*":
        return _adjust(p1 + p2 + 1, s1 + s2)
    if kind == "/":
        s = max(_MIN_ADJUSTED_SCALE, s1 + p2 + 1)
        return _adjust(p1 - s1 + s2 + s, s)
    s = max(s1, s2)  # remainder
    return _adjust(min(p1 - s1, p2 - s2) + s, s)


_ARITH_KIND = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%",
               exp.IntDiv: "div"}
_DOUBLE_FUNCS = (exp.Sign, exp.Sqrt, exp.Cbrt, exp.Exp, exp.Ln, exp.Log, exp.Pow,
                 exp.Pi, exp.Nanvl, exp.SafeDivide)


def spark_type(e: exp.Expression) -> exp.DataType | None:
    """Spark's type of expression ``e`` (DuckDB's vocabulary), None when it cannot tell."""
    e = _unparen(e)
    if isinstance(e, exp.Literal):
        return dtype("VARCHAR") if e.is_string else _number_literal_type(e.name)
    if isinstance(e, exp.Neg):
        inner = _unparen(e.this)
        if isinstance(inner, exp.Literal) and not inner.is_string and e.this is inner:
            return _number_literal_type("-" + inner.name)
        return spark_type(e.this)
    if isinstance(e, exp.Boolean):
        return dtype("BOOLEAN")
    if isinstance(e, exp.Null):
        return dtype("NULL")
    if isinstance(e, (exp.Cast, exp.TryCast)):
        to = e.to
        return decimal(*precision_scale(to)) if is_decimal(to) else to
    if isinstance(e, exp.Column):
        t = e.type
        return None if t is None or t.this == DT.UNKNOWN else t
    kind = _ARITH_KIND.get(type(e))
    if kind is not None:
        return arithmetic_type(kind, e.this, e.expression)
    if isinstance(e, (exp.SafeAdd, exp.SafeSubtract, exp.SafeMultiply)):
        k = {exp.SafeAdd: "+", exp.SafeSubtract: "-", exp.SafeMultiply: "*"}[type(e)]
        return arithmetic_type(k, e.this, e.expression)
    if isinstance(e, _DOUBLE_FUNCS):
        return dtype("DOUBLE")
    if isinstance(e, (exp.Abs, exp.Negative)):
        return spark_type(e.this)
    if isinstance(e, (exp.Floor, exp.Ceil)):
        return _floor_ceil_type(e)
    if isinstance(e, exp.Round):
        return _round_type(e)
    if isinstance(e, (exp.Typeof,)):
        return dtype("VARCHAR")
    if isinstance(e, exp.Anonymous):
        name = e.name.lower()
        if name == "positive" and e.expressions:
            return spark_type(e.expressions[0])
        if name in ("e", "hypot", "try_divide"):
            return dtype("DOUBLE")
        if name == "bround":
            return _round_type(e)
        if name in ("pmod", "try_mod") and len(e.expressions) == 2:
            return arithmetic_type("%", *e.expressions)
    if isinstance(e, exp.Count):
        return dtype("BIGINT")
    if isinstance(e, (exp.Coalesce, exp.If, exp.Case)):
        if isinstance(e, exp.Coalesce):
            parts = [e.this, *e.expressions]
        elif isinstance(e, exp.If):
            parts = [e.args.get("true"), e.args.get("false")]
        else:
            parts = [i.args.get("true") for i in e.args.get("ifs") or []]
            parts.append(e.args.get("default"))
        return _common_type([p for p in parts if p is not None])
    if isinstance(e, (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.And, exp.Or,
                      exp.Not, exp.IsNan, exp.Is, exp.In, exp.Between, exp.NullSafeEQ)):
        return dtype("BOOLEAN")
    return None


def _common_type(parts: list[exp.Expression]) -> exp.DataType | None:
    """The type of a choice between ``parts`` (coalesce, if, case) when Spark's and
    DuckDB's agree on it: one type, or integers widened; None otherwise."""
    types = [spark_type(p) for p in parts]
    types = [t for t in types if t is None or t.this != DT.NULL]
    if not types or any(t is None for t in types):
        return None
    first = types[0]
    if all(t.this == first.this and (not is_decimal(t) or precision_scale(t) ==
                                     precision_scale(first)) for t in types):
        return first
    if all(is_integral(t) for t in types):
        widest = first
        for t in types[1:]:
            widest = _wider_integral(widest, t)
        return widest
    return None


def _floor_ceil_type(e: exp.Expression) -> exp.DataType | None:
    t = spark_type(e.this)
    scale_arg = e.args.get("decimals")
    if t is None:
        return None
    if scale_arg is not None:
        d = _int_literal(scale_arg)
        if d is None:
            return None
        if is_decimal(t):
            p, s = precision_scale(t)
            return decimal(max(p - s + max(d, 0) + 1, 1), max(d, 0))
        if is_integral(t):
            return decimal(_INT_DIGITS[t.this] + max(d, 0) + 1, max(d, 0))
        return decimal(MAX_PRECISION, max(min(d, MAX_PRECISION), 0))
    if is_decimal(t):
        p, s = precision_scale(t)
        return decimal(min(p - s + 1, MAX_PRECISION), 0)
    if is_numeric(t):
        return dtype("BIGINT")
    return None


def _round_type(e: exp.Expression) -> exp.DataType | None:
    arg = e.this if not isinstance(e, exp.Anonymous) else e.expressions[0]
    t = spark_type(arg)
    if t is None:
        return None
    scale_arg = e.args.get("decimals") if not isinstance(e, exp.Anonymous) else (
        e.expressions[1] if len(e.expressions) > 1 else None)
    d = 0 if scale_arg is None else _int_literal(scale_arg)
    if d is None:
        return None
    if is_decimal(t):
        p, s = precision_scale(t)
        if d >= s:
            return t
        return decimal(min(p - s + max(d, 0) + 1, MAX_PRECISION), max(d, 0))
    return t


def _int_literal(e: exp.Expression) -> int | None:
    e = _unparen(e)
    if isinstance(e, exp.Literal) and not e.is_string and re.fullmatch(r"\d+", e.name):
        return int(e.name)
    if isinstance(e, exp.Neg):
        inner = _int_literal(e.this)
        return None if inner is None else -inner
    return None


# ------------------------------------------------------------------------------ generation

def error_sql(condition: str, message_sql: str) -> str:
    """``error('[CONDITION] message')``; ``message_sql`` is a SQL string expression."""
    return f"error('[{condition}] ' || {message_sql})"


_SIMPLE = re.compile(r"""(-?[0-9.]+(e[-+]?[0-9]+)?|"[^"]*"|[A-Za-z_][A-Za-z_0-9]*"""
                     r"""|'[^']*'|NULL)(\."[^"]*"|\.[A-Za-z_][A-Za-z_0-9]*)*""", re.I)


def lambda_name(text: str) -> str:
    """A lambda parameter named after the value it stands for: the same expression written
    twice (a SELECT item and its GROUP BY) gives the same SQL, as DuckDB requires."""
    return "__v" + hashlib.sha1(text.encode()).hexdigest()[:10]


def bind(gen, text: str, body) -> str:
    """``body(name)`` where ``name`` stands for the value of SQL ``text``, computed once: a
    simple text (column, literal) is used as it is, any other through a one-element list
    and a lambda (DuckDB has no LET)."""
    if _SIMPLE.fullmatch(text):
        return body(text)
    name = lambda_name(text)
    return f"list_transform([{text}], lambda {name}: {body(name)})[1]"


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _is_null_free_literal(e: exp.Expression) -> bool:
    e = _unparen(e)
    if isinstance(e, exp.Neg):
        e = _unparen(e.this)
    return isinstance(e, (exp.Literal, exp.Boolean))


def _nonzero_literal(e: exp.Expression) -> bool:
    e = _unparen(e)
    if isinstance(e, exp.Neg):
        e = _unparen(e.this)
    if isinstance(e, exp.Literal) and not e.is_string:
        try:
            return float(e.name) != 0
        except ValueError:
            return False
    return False


def operand_sql(gen, e: exp.Expression, target: exp.DataType | None) -> str:
    """An operand cast to ``target`` when DuckDB would give it another type (a literal,
    whose DuckDB type follows its value, or a column of a narrower type)."""
    text = gen.sql(e)
    if target is None:
        return text
    t = spark_type(e)
    if t is not None and t.this == target.this and (
            not is_decimal(t) or precision_scale(t) == precision_scale(target)):
        return text
    return f"CAST({text} AS {type_sql(target)})"


def _wrap(sql: str, t: exp.DataType) -> str:
    """Java's two's-complement wrap-around of a HUGEINT value into integral type ``t``."""
    bits = _INTEGRAL[t.this]
    half, full = 2 ** (bits - 1), 2 ** bits
    return (f"CAST((((({sql}) + {half}) % {full}) + {full}) % {full} - {half} "
            f"AS {_INT_NAME[t.this]})")


def _checked(gen, dividend: exp.Expression, divisor: exp.Expression, a: str, b: str,
             condition: str, compose, safe: bool = False) -> str:
    """``compose(a, b)`` for a division or remainder, with the divisor checked: raising
    ``condition`` when it is 0 and the dividend is not NULL (ANSI), NULL when it is 0 (ANSI
    off, try_). Both operands are computed once (bound when they are not simple)."""
    if _nonzero_literal(divisor):
        return compose(a, b)
    if safe or not gen.ansi:
        return compose(a, f"NULLIF({b}, 0)")
    message = {"DIVIDE_BY_ZERO": "Division by zero. Use `try_divide`",
               "REMAINDER_BY_ZERO": "Remainder by zero. Use `try_mod`"}[condition]
    message += (" to tolerate divisor being 0 and return NULL instead. If necessary set "
                f"{ANSI_CONFIG} to \"false\" to bypass this error.")
    error = error_sql(condition, sql_string(message))

    def with_dividend(x: str) -> str:
        guard = "" if _is_null_free_literal(dividend) else f" AND {x} IS NOT NULL"
        return compose(x, bind(gen, b, lambda v: (
            f"CASE WHEN {v} = 0{guard} THEN {error} ELSE {v} END")))
    if _is_null_free_literal(dividend):
        return with_dividend(a)
    return bind(gen, a, with_dividend)


def arithmetic_sql(gen, kind: str, left: exp.Expression, right: exp.Expression,
                   safe: bool = False) -> str | None:
    """Spark's ``left <kind> right`` (kind: + - * / % div) with Spark's type, or None when
    the operands' types are unknown. ``safe``: the try_ function (NULL on any error)."""
    result = arithmetic_type(kind, left, right)
    if result is None:
        return None
    lt, rt = spark_type(left), spark_type(right)
    op = {"+": "+", "-": "-", "*": "*", "/": "/", "%": "%", "div": "//"}[kind]
    if kind == "div":
        operand_type = dtype("BIGINT") if is_integral(lt) and is_integral(rt) else None
        if operand_type is None:
            # Decimal or fractional DIV: the truncated quotient, as a bigint.
            a = f"CAST({gen.sql(left)} AS DOUBLE)" if not is_decimal(lt) else gen.sql(left)
            body = _checked(gen, left, right, a, gen.sql(right), "DIVIDE_BY_ZERO",
                            lambda x, y: f"CAST(TRUNC({x} / {y}) AS BIGINT)", safe)
        else:
            a, b = operand_sql(gen, left, operand_type), operand_sql(gen, right, operand_type)
            body = _checked(gen, left, right, a, b, "DIVIDE_BY_ZERO",
                            lambda x, y: f"({x} // {y})", safe)
        return f"TRY({body})" if safe else body
    if is_integral(result):
        a, b = operand_sql(gen, left, result), operand_sql(gen, right, result)
        if kind == "%":
            body = _checked(gen, left, right, a, b, "REMAINDER_BY_ZERO",
                            lambda x, y: f"({x} % {y})", safe)
            return f"TRY({body})" if safe else body
        if safe:
            return f"TRY({a} {op} {b})"
        if not gen.ansi:
            return _wrap(f"CAST({a} AS HUGEINT) {op} {b}", result)
        return f"({a} {op} {b})"
    if is_decimal(result):
        p, s = precision_scale(result)
        (p1, s1), (p2, s2) = _as_decimal(lt, left), _as_decimal(rt, right)
        a = operand_sql(gen, left, decimal(p1, s1))
        b = operand_sql(gen, right, decimal(p2, s2))
        if kind == "/":
            body = _checked(gen, left, right, a, b, "DIVIDE_BY_ZERO",
                            lambda x, y: _decimal_divide(gen, x, y, s1, s2, p, s), safe)
        elif kind == "%":
            body = _checked(gen, left, right, a, b, "REMAINDER_BY_ZERO",
                            lambda x, y: f"({x} % {y})", safe)
        else:
            body = f"({a} {op} {b})"
        if safe or not gen.ansi:  # an overflow is NULL (Spark 3, try_): DuckDB's too
            return f"TRY(CAST({body} AS DECIMAL({p},{s})))"
        return f"CAST({body} AS DECIMAL({p},{s}))"
    # double / float
    a, b = operand_sql(gen, left, result), operand_sql(gen, right, result)
    if kind in "/%":
        condition = "DIVIDE_BY_ZERO" if kind == "/" else "REMAINDER_BY_ZERO"
        body = _checked(gen, left, right, a, b, condition, lambda x, y: f"({x} {op} {y})",
                        safe)
    else:
        body = f"({a} {op} {b})"
    return f"TRY({body})" if safe else body


def _decimal_divide(gen, a: str, b: str, s1: int, s2: int, p: int, s: int) -> str:
    """a / b rounded half up to decimal(p, s), exactly, on DuckDB's 128-bit integers when
    the scaled dividend fits (DuckDB divides decimals as doubles); through doubles beyond."""
    target = f"DECIMAL({p},{s})"
    shift = s - s1 + s2  # a_unscaled * 10^shift / b_unscaled = result_unscaled

    def approx(x: str, y: str) -> str:
        return f"CAST(CAST({x} AS DOUBLE) / CAST({y} AS DOUBLE) AS {target})"

    if shift < 0:
        return approx(a, b)

    def unscaled(x: str) -> str:
        # A decimal(p, s) prints exactly s fraction digits: its digits are the unscaled value.
        return f"CAST(replace(CAST({x} AS VARCHAR), '.', '') AS HUGEINT)"

    def exact(x: str, y: str) -> str:
        def with_ints(n: str, d: str) -> str:
            scaled = f"({n} * {10 ** shift})"
            magnitude = f"((2 * abs({scaled}) + abs({d})) // (2 * abs({d})))"
            quotient = (f"CASE WHEN ({n} < 0) <> ({d} < 0) THEN -{magnitude} "
                        f"ELSE {magnitude} END")
            # The point is placed by a decimal product (a decimal divided by an integer
            # is a double in DuckDB).
            placed = (f"CAST({quotient} AS DECIMAL(38,0)) * 0.{'0' * (s - 1)}1" if s
                      else quotient)
            return (f"CASE WHEN abs({n}) < {10 ** (37 - shift)} THEN CAST({placed} AS "
                    f"{target}) ELSE {approx(x, y)} END")
        return bind(gen, unscaled(x), lambda n: bind(gen, unscaled(y),
                                                     lambda d: with_ints(n, d)))
    return bind(gen, a, lambda x: bind(gen, b, lambda y: exact(x, y)))


_TEMPORAL = {DT.DATE, DT.TIMESTAMP, DT.TIMESTAMPTZ, DT.INTERVAL}


def _temporal_hook(gen, e: exp.Expression) -> str | None:
    """Date/time arithmetic (``DATE + INTERVAL``, ``ts - ts``) belongs to the datetime rules:
    ``datetimes.arithmetic_sql(gen, e) -> str | None`` when that module defines it."""
    from sparklet.sql.dialect import datetimes
    hook = getattr(datetimes, "datetime_arithmetic_sql", None)
    if hook is None:
        return None
    for side in (e.this, e.expression):
        t = spark_type(side)
        if isinstance(_unparen(side), exp.Interval) or (t is not None and t.this in _TEMPORAL):
            return hook(gen, e)
    return None


def _binary_rule(kind: str):
    def rule(gen, e):
        if kind in "+-":
            text = _temporal_hook(gen, e)
            if text is not None:
                return text
        text = arithmetic_sql(gen, kind, e.this, e.expression)
        if text is None:
            text = _fallback(gen, kind, e)
        if text.startswith("(") and not isinstance(e.parent, (exp.Binary, exp.Unary)):
            inner = text[1:-1]
            if _balanced(inner):  # no operator around it: the parentheses are not needed
                return inner
        return text
    return rule


def _balanced(text: str) -> bool:
    depth = 0
    quoted = False
    for ch in text:
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _fallback(gen, kind: str, e: exp.Expression) -> str:
    """Operands of unknown type: DuckDB's operator with Spark's checks."""
    a, b = gen.sql(e.this), gen.sql(e.expression)
    if kind == "/":
        return _checked(gen, e.this, e.expression, a, b, "DIVIDE_BY_ZERO",
                        lambda x, y: f"(CAST({x} AS DOUBLE) / {y})")
    if kind == "%":
        return _checked(gen, e.this, e.expression, a, b, "REMAINDER_BY_ZERO",
                        lambda x, y: f"({x} % {y})")
    if kind == "div":
        return _checked(gen, e.this, e.expression, a, b, "DIVIDE_BY_ZERO",
                        lambda x, y: f"CAST(({x} // {y}) AS BIGINT)")
    op = {"+": "+", "-": "-", "*": "*"}[kind]
    return f"({a} {op} {b})"


_MIN_OF = {DT.TINYINT: -2**7, DT.SMALLINT: -2**15, DT.INT: -2**31, DT.BIGINT: -2**63}


def neg_sql(gen, e: exp.Neg) -> str:
    inner = _unparen(e.this)
    t = spark_type(e)
    if isinstance(inner, exp.Literal) and not inner.is_string and e.this is inner:
        # A negative number literal (Spark's grammar reads the sign as part of it).
        if is_integral(t) and int(inner.name) in (2**31, 2**63):
            return f"CAST(-{inner.name} AS {_INT_NAME[t.this]})"
        return f"-{inner.name}"
    return _negate(gen, gen.sql(e.this), t)


def _negate(gen, x: str, t: exp.DataType | None) -> str:
    if not is_integral(t):
        return f"-{x}" if not x.startswith("-") else f"-({x})"
    name, low = _INT_NAME[t.this], _MIN_OF[t.this]
    if not gen.ansi:
        return _wrap(f"-CAST({x} AS HUGEINT)", t)
    overflow = error_sql("ARITHMETIC_OVERFLOW", sql_string(
        f"overflow. If necessary set {ANSI_CONFIG} to \"false\" to bypass this error."))
    return bind(gen, x, lambda v: (
        f"CASE WHEN {v} = {low} THEN {overflow} ELSE CAST(-CAST({v} AS HUGEINT) AS {name}) END"))


def _negative(gen, e: exp.Expression) -> str:
    arg = e.expressions[0] if isinstance(e, exp.Anonymous) else e.this
    return _negate(gen, gen.sql(arg), spark_type(arg))


def _positive(gen, e: exp.Anonymous) -> str:
    return f"({gen.sql(e.expressions[0])})"


def abs_sql(gen, e: exp.Abs) -> str:
    t = spark_type(e.this)
    x = operand_sql(gen, e.this, t) if is_integral(t) else gen.sql(e.this)
    if is_integral(t) and not gen.ansi:
        return _wrap(f"abs(CAST({x} AS HUGEINT))", t)
    return f"abs({x})"  # DuckDB raises "Overflow on abs(...)" for the minimum: ANSI's error


def sign_sql(gen, e: exp.Sign) -> str:
    return f"CAST(sign({gen.sql(e.this)}) AS DOUBLE)"


def _floor_ceil(fn: str):
    def rule(gen, e):
        t = _floor_ceil_type(e)
        x = gen.sql(e.this)
        d = e.args.get("decimals")
        if d is None:
            if t is None:
                return f"{fn}({x})"
            return f"CAST({fn}({x}) AS {type_sql(t)})"
        scale = _int_literal(d)
        if scale is None or t is None:
            return f"{fn}({x} * pow(10, {gen.sql(d)})) / pow(10, {gen.sql(d)})"
        factor = 10 ** abs(scale)
        arg_t = spark_type(e.this)
        xd = x if is_decimal(arg_t) else f"CAST({x} AS DECIMAL(38,{min(max(scale, 0) + 10, 37)}))"
        if not is_decimal(arg_t) and is_fractional(arg_t):
            xd = f"CAST({x} AS DOUBLE)"
        body = (f"{fn}({xd} * {factor}) / {factor}" if scale >= 0
                else f"{fn}({xd} / {factor}) * {factor}")
        return f"CAST({body} AS {type_sql(t)})"
    return rule


def round_sql(gen, e: exp.Round) -> str:
    return _rounding(gen, e.this, e.args.get("decimals"), half_even=False, node=e)


def _bround(gen, e: exp.Anonymous) -> str:
    args = e.expressions
    return _rounding(gen, args[0], args[1] if len(args) > 1 else None, half_even=True, node=e)


def _rounding(gen, arg, scale_arg, half_even: bool, node) -> str:
    t = _round_type(node)
    x = gen.sql(arg)
    d = "0" if scale_arg is None else gen.sql(scale_arg)
    fn = "round_even" if half_even else "round"
    arg_t = spark_type(arg)
    if is_fractional(arg_t):
        # Spark rounds a double through BigDecimal(Double.toString(d)): its shortest decimal
        # digits, not its binary value (round(1.005D, 2) is 1.01). A float goes through its
        # double. Beyond 1e17 a double has no fraction left to round.
        def through_digits(v: str) -> str:
            digits = f"CAST(CAST({v} AS VARCHAR) AS DECIMAL(37,20))"
            return (f"CASE WHEN isnan({v}) OR isinf({v}) OR abs({v}) >= 1e17 THEN {v} "
                    f"ELSE CAST({fn}({digits}, {d}) AS DOUBLE) END")
        body = bind(gen, f"CAST({x} AS DOUBLE)", through_digits)
    else:
        body = f"{fn}({x}, {d})"
    if t is None:
        return body
    if is_integral(t):
        return f"CAST({body} AS {type_sql(t)})"
    return f"CAST({body} AS {type_sql(t)})"


def cbrt_sql(gen, e: exp.Cbrt) -> str:
    # One Newton step on DuckDB's cbrt gives Java's Math.cbrt on exact cubes (cbrt(27) = 3.0).
    def step(v):
        return bind(gen, f"cbrt({v})", lambda r: (
            f"CASE WHEN {r} = 0 OR isinf({r}) OR isnan({r}) THEN {r} "
            f"ELSE {r} - ({r} * {r} * {r} - {v}) / (3 * {r} * {r}) END"))
    return bind(gen, f"CAST({gen.sql(e.this)} AS DOUBLE)", step)


def _log_guard(x: str) -> str:
    # Spark's logarithms are NULL for arguments <= 0 (DuckDB gives -inf or raises).
    return f"CASE WHEN {x} > 0 THEN {x} END"


def ln_sql(gen, e: exp.Ln) -> str:
    x = gen.sql(e.this)
    return f"ln({_log_guard(x)})"


def log_sql(gen, e: exp.Log) -> str:
    if e.expression is None:
        return f"ln({_log_guard(gen.sql(e.this))})"
    b, x = gen.sql(e.this), gen.sql(e.expression)
    if _int_literal(e.this) == 10:
        # sqlglot reads log10(x) as log(10, x): Spark's log10 is Java's Math.log10.
        return f"log10({_log_guard(x)})"
    return f"(ln({_log_guard(x)}) / ln({_log_guard(b)}))"


def _unary_log(fn: str):
    def rule(gen, e):
        return f"{fn}({_log_guard(gen.sql(e.this))})"
    return rule


def factorial_sql(gen, e: exp.Factorial) -> str:
    x = gen.sql(e.this)
    # Spark: NULL outside 0..20 (a bigint cannot hold 21!).
    return (f"CASE WHEN {x} BETWEEN 0 AND 20 THEN CAST(factorial(CAST({x} AS INTEGER)) AS BIGINT)"
            " END")


def _pmod(gen, e: exp.Anonymous, safe: bool = False) -> str:
    a, b = e.expressions
    t = arithmetic_type("%", a, b)
    rem = arithmetic_sql(gen, "%", a, b, safe=safe)
    if rem is None:
        x, y = gen.sql(a), gen.sql(b)
        return f"((({x} % {y}) + {y}) % {y})"
    y = operand_sql(gen, b, t) if t is not None else gen.sql(b)
    # Spark's pmod: the remainder, plus the divisor when negative, modulo the divisor.
    return bind(gen, rem, lambda r: bind(gen, y, lambda d: (
        f"CASE WHEN {r} < 0 THEN ({r} + {d}) % {d} ELSE {r} END")))


def _try_mod(gen, e: exp.Anonymous) -> str:
    a, b = e.expressions
    text = arithmetic_sql(gen, "%", a, b, safe=True)
    if text is None:
        return f"TRY({gen.sql(a)} % NULLIF({gen.sql(b)}, 0))"
    return text


def _hypot(gen, e: exp.Anonymous) -> str:
    a, b = (f"CAST({gen.sql(x)} AS DOUBLE)" for x in e.expressions)
    return f"sqrt({a} * {a} + {b} * {b})"


def _e(gen, e: exp.Anonymous) -> str:
    return "exp(1)"


def _conv(gen, e: exp.Anonymous) -> str:
    """conv(num, from_base, to_base): ``num``'s digits (a string in ``from_base``) written in
    ``to_base``, upper case, as Spark (the valid prefix of the digits is converted)."""
    num, src, dst = (gen.sql(x) for x in e.expressions)
    value = (f"list_reduce(list_transform(string_split(upper(regexp_extract("
             f"CAST({num} AS VARCHAR), '^\\s*([0-9A-Za-z]*)', 1)), ''), "
             f"lambda c: CAST(instr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', c) - 1 AS HUGEINT)),"
             f" lambda acc, d: acc * {src} + d, 0::HUGEINT)")
    return f"to_base(CAST({value} AS BIGINT), CAST({dst} AS INTEGER))"


def _typeof(gen, e: exp.Typeof) -> str:
    t = spark_type(e.this)
    if t is not None and t.this != DT.NULL:
        name = spark_type_name(t)
        if name is not None:
            return sql_string(name)
    # Runtime: DuckDB's type name in Spark's words, for the common scalar types.
    x = f"typeof({gen.sql(e.this)})"
    pairs = [("TINYINT", "tinyint"), ("SMALLINT", "smallint"), ("INTEGER", "int"),
             ("BIGINT", "bigint"), ("FLOAT", "float"), ("DOUBLE", "double"),
             ("VARCHAR", "string"), ("BOOLEAN", "boolean"), ("DATE", "date"),
             ("TIMESTAMP WITH TIME ZONE", "timestamp"), ("TIMESTAMP", "timestamp_ntz"),
             ("BLOB", "binary"), ('"NULL"', "void"), ("NULL", "void")]
    cases = " ".join(f"WHEN {sql_string(d)} THEN {sql_string(s)}" for d, s in pairs)
    return f"CASE {x} {cases} ELSE lower({x}) END"


_SPARK_NAMES = {DT.TINYINT: "tinyint", DT.SMALLINT: "smallint", DT.INT: "int",
                DT.BIGINT: "bigint", DT.FLOAT: "float", DT.DOUBLE: "double",
                DT.VARCHAR: "string", DT.TEXT: "string", DT.BOOLEAN: "boolean",
                DT.DATE: "date", DT.TIMESTAMPTZ: "timestamp", DT.TIMESTAMP: "timestamp_ntz",
                DT.BLOB: "binary", DT.VARBINARY: "binary", DT.NULL: "void"}


def spark_type_name(t: exp.DataType) -> str | None:
    """Spark's simple name of a scalar type (``typeof``), None for the others."""
    if is_decimal(t):
        p, s = precision_scale(t)
        return f"decimal({p},{s})"
    return _SPARK_NAMES.get(t.this)


def _width_bucket(gen, e: exp.WidthBucket) -> str:
    v, lo, hi, n = (gen.sql(e.args[k]) for k in ("this", "min_value", "max_value",
                                                    "num_buckets"))
    v, lo, hi = (f"CAST({x} AS DOUBLE)" for x in (v, lo, hi))
    # Spark: NULL for a non-positive bucket count or equal bounds; 0 below, n + 1 above.
    return (f"CASE WHEN {n} <= 0 OR {lo} = {hi} THEN NULL "
            f"WHEN {lo} < {hi} THEN CASE WHEN {v} < {lo} THEN 0 WHEN {v} >= {hi} "
            f"THEN CAST({n} AS BIGINT) + 1 ELSE CAST(floor(({v} - {lo}) / ({hi} - {lo}) * {n})"
            f" AS BIGINT) + 1 END "
            f"ELSE CASE WHEN {v} > {lo} THEN 0 WHEN {v} <= {hi} THEN CAST({n} AS BIGINT) + 1 "
            f"ELSE CAST(floor(({lo} - {v}) / ({lo} - {hi}) * {n}) AS BIGINT) + 1 END END")


def _nanvl(gen, e: exp.Nanvl) -> str:
    a, b = gen.sql(e.this), gen.sql(e.expression)
    return (f"CASE WHEN isnan(CAST({a} AS DOUBLE)) THEN CAST({b} AS DOUBLE) "
            f"ELSE CAST({a} AS DOUBLE) END")


def _rand(fn: str):
    def rule(gen, e):
        # DuckDB cannot seed one call: a seeded rand() draws unseeded (its values could not
        # be Spark's anyway: Spark's generator is XORShift per partition).
        if fn == "random":
            return "random()"
        return "(sqrt(-2 * ln(random())) * cos(2 * pi() * random()))"
    return rule


def _range(gen, e: exp.Anonymous) -> str:
    """Spark's table function range(end | start, end[, step[, numPartitions]]): one bigint
    column ``id`` (DuckDB's range names it ``range``)."""
    args = [gen.sql(x) for x in e.expressions[:3]]
    select = e.find_ancestor(exp.Select)
    if not isinstance(e.parent, exp.Table) or (select is not None and any(
            item.alias_or_name == "id" and isinstance(item, exp.Alias)
            and item.this.name == "range" for item in select.expressions)):
        # Already Spark's (spark.sql's parser wraps it the same way), or not in FROM.
        return f"range({', '.join(args)})"
    return f"(SELECT range AS id FROM range({', '.join(args)}))"


_AGGREGATE_WRAPPERS = (exp.Window, exp.Filter, exp.IgnoreNulls, exp.RespectNulls,
                       exp.WithinGroup)


def _aggregate(fn: str):
    """sum / avg with Spark's result types (sum: bigint for integers, decimal(p+10, s),
    double; avg: double, decimal(p+4, s+4)) for an argument of known type. Inside a window
    or a FILTER clause the call must stay bare (the SQL after it is appended to it)."""
    def rule(gen, e):
        arg = e.this
        default = f"{fn}({gen.sql(arg)})"
        if isinstance(e.parent, _AGGREGATE_WRAPPERS):
            return default
        t = spark_type(arg)
        x = gen.sql(arg)
        if fn == "sum" and is_integral(t):
            if not gen.ansi:
                return _wrap(f"sum(CAST({x} AS HUGEINT))", dtype("BIGINT"))
            overflow = error_sql("ARITHMETIC_OVERFLOW", sql_string(
                f"overflow. Use 'try_add' to tolerate overflow and return NULL instead. If "
                f"necessary set {ANSI_CONFIG} to \"false\" to bypass this error."))
            return bind(gen, f"sum({x})", lambda v: (
                f"CAST(CASE WHEN {v} NOT BETWEEN {-2**63} AND {2**63 - 1} THEN {overflow} "
                f"ELSE {v} END AS BIGINT)"))
        if is_decimal(t):
            p, sc = precision_scale(t)
            out = (f"DECIMAL({min(p + 10, MAX_PRECISION)},{sc})" if fn == "sum" else
                   f"DECIMAL({min(p + 4, MAX_PRECISION)},{min(sc + 4, MAX_PRECISION)})")
            cast = "CAST" if gen.ansi else "TRY_CAST"
            return f"{cast}({fn}({x}) AS {out})"
        if is_fractional(t) or (fn == "avg" and is_integral(t)):
            return f"{fn}(CAST({x} AS DOUBLE))"
        return default
    return rule


def _comparison(op: str):
    """Spark 3 (ANSI off) compares a string with a number through a cast that is NULL on
    a malformed string (``'a' = 1`` is NULL); ANSI's raising cast is DuckDB's own."""
    method = {"=": "eq_sql", "<>": "neq_sql", ">": "gt_sql", ">=": "gte_sql", "<": "lt_sql",
              "<=": "lte_sql"}[op]

    def rule(gen, e):
        if not gen.ansi:
            lt, rt = spark_type(e.this), spark_type(e.expression)
            for s_side, n_type, other in ((e.this, rt, e.expression), (e.expression, lt, e.this)):
                if is_string(spark_type(s_side)) and is_numeric(n_type):
                    target = "BIGINT" if is_integral(n_type) else "DOUBLE"
                    cast = f"TRY_CAST({gen.sql(s_side)} AS {target})"
                    a, b = (cast, gen.sql(other)) if s_side is e.this else (gen.sql(other), cast)
                    return f"{a} {op} {b}"
        return getattr(gen, method)(e)
    return rule


TRANSFORMS: dict = {
    exp.Sum: _aggregate("sum"),
    exp.Avg: _aggregate("avg"),
    exp.EQ: _comparison("="),
    exp.NEQ: _comparison("<>"),
    exp.GT: _comparison(">"),
    exp.GTE: _comparison(">="),
    exp.LT: _comparison("<"),
    exp.LTE: _comparison("<="),
    exp.Add: _binary_rule("+"),
    exp.Sub: _binary_rule("-"),
    exp.Mul: _binary_rule("*"),
    exp.Div: _binary_rule("/"),
    exp.Mod: _binary_rule("%"),
    exp.IntDiv: _binary_rule("div"),
    exp.Neg: neg_sql,
    exp.Negative: _negative,
    exp.Abs: abs_sql,
    exp.Sign: sign_sql,
    exp.Floor: _floor_ceil("floor"),
    exp.Ceil: _floor_ceil("ceil"),
    exp.Round: round_sql,
    exp.Cbrt: cbrt_sql,
    exp.Ln: ln_sql,
    exp.Log: log_sql,
    exp.Factorial: factorial_sql,
    exp.Typeof: _typeof,
    exp.WidthBucket: _width_bucket,
    exp.Nanvl: _nanvl,
    exp.Rand: _rand("random"),
    exp.Randn: _rand("randn"),
}

FUNCTIONS: dict = {
    "pmod": _pmod,
    "try_mod": _try_mod,
    "bround": _bround,
    "conv": _conv,
    "hypot": _hypot,
    "e": _e,
    "positive": _positive,
    "range": _range,
}

