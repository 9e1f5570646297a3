"""String functions of Spark 4 on DuckDB (rules of the Spark-on-DuckDB dialect).

Each rule gives Spark's value *and* Spark's result type: ``length``, ``instr``, ``locate``,
``ascii``, ``levenshtein`` and friends are ``int`` in Spark (DuckDB: ``BIGINT``), Spark's
``substring`` treats position 0 as 1 and counts negative positions from the end, ``LIKE``
escapes with ``\\`` unless told otherwise, Java regular expressions and ``$1`` replacement
references are rewritten for RE2, ``format_string`` follows ``java.util.Formatter``, and the
functions DuckDB lacks (``crc32``, ``soundex``, ``mask``, ``elt``, ``find_in_set``,
``substring_index``, ``sentences``, ``format_number``, ...) are built from DuckDB's own.

The helpers at the top (``default_sql``, ``int_sql``, ``spark_type``, ``lit``) are shared with
``datetimes.py``.
"""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.optimizer.annotate_types import annotate_types

# ---------------------------------------------------------------------------------------------
# shared helpers


def default_sql(gen, e: exp.Expression) -> str:
    """What the plain DuckDB generator writes for ``e`` (the rule's starting point)."""
    fn = DuckDB.Generator.TRANSFORMS.get(type(e))
    if fn is not None:
        return fn(gen, e)
    method = getattr(gen, f"{e.key}_sql", None)
    if method is not None:
        return method(e)
    return gen.function_fallback_sql(e)


def int_sql(sql: str) -> str:
    """Spark's ``int`` result type for a DuckDB ``BIGINT`` expression."""
    return f"CAST({sql} AS INTEGER)"


def spark_type(e: exp.Expression | None) -> exp.DataType | None:
    """The (DuckDB) type of ``e``: its resolved ``.type``, else what sqlglot infers."""
    if e is None:
        return None
    t = e.type
    if t is not None and not t.is_type(exp.DType.UNKNOWN):
        return t
    try:
        t = annotate_types(e.copy(), dialect="spark").type
    except Exception:  # noqa: BLE001 - inference is best effort
        return None
    if t is None or t.is_type(exp.DType.UNKNOWN):
        return None
    return t


def is_type(e: exp.Expression | None, *dtypes) -> bool:
    t = spark_type(e)
    return t is not None and t.is_type(*dtypes)


def lit(value: str) -> str:
    """A DuckDB string literal (DuckDB strings take backslashes as they are)."""
    return "'" + value.replace("'", "''") + "'"


def string_value(e: exp.Expression | None) -> str | None:
    """The text of a string literal, else None."""
    if isinstance(e, exp.Literal) and e.is_string:
        return e.this
    return None


def int_value(e: exp.Expression | None) -> int | None:
    """The value of an integer literal (also ``-3``), else None."""
    if isinstance(e, exp.Neg):
        v = int_value(e.this)
        return None if v is None else -v
    if isinstance(e, exp.Literal) and not e.is_string:
        try:
            return int(e.this)
        except ValueError:
            return None
    return None


def spark_error(condition: str, message_sql: str) -> str:
    """A DuckDB ``error()`` call raising Spark's ``[CONDITION] message`` (message: SQL text)."""
    return f"error({lit('[' + condition + '] ')} || {message_sql})"


_BINARY = (exp.DType.BINARY, exp.DType.VARBINARY, exp.DType.BLOB)
_STRINGS = (exp.DType.VARCHAR, exp.DType.TEXT, exp.DType.CHAR, exp.DType.NCHAR,
            exp.DType.NVARCHAR)

# ---------------------------------------------------------------------------------------------
# lengths and positions: Spark's int


def string_sql(gen, e: exp.Expression) -> str:
    """``e`` as a string, as Spark's string functions cast their arguments (a date or a
    timestamp as Spark prints it: no offset, in the session time zone)."""
    from sparklet.sql.dialect.datetimes import datetime_to_string_sql

    t = spark_type(e)
    if t is None or t.is_type(*_STRINGS, exp.DType.NULL):
        return gen.sql(e)
    if t.is_type(exp.DType.DATE):
        return datetime_to_string_sql(gen, gen.sql(e), "date")
    if t.is_type(exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMP, exp.DType.TIMESTAMPNTZ):
        return datetime_to_string_sql(gen, gen.sql(e), "timestamp")
    return f"CAST({gen.sql(e)} AS VARCHAR)"


def _concat(gen, e: exp.Concat) -> str:
    args = e.expressions
    types = [spark_type(a) for a in args]
    if any(t is None or t.is_type(exp.DType.ARRAY, *_BINARY) for t in types) or any(
            isinstance(a, exp.Array) for a in args):
        return default_sql(gen, e)  # arrays, binary or unknown types: DuckDB's || as it is
    # Spark: NULL when any argument is NULL; each argument as Spark's string
    return ("CAST(" + " || ".join(string_sql(gen, a) for a in args) + " AS VARCHAR)"
            if args else "''")


def _length(gen, e: exp.Length) -> str:
    if is_type(e.this, *_BINARY):
        return int_sql(f"OCTET_LENGTH({gen.sql(e.this)})")
    return int_sql(f"LENGTH({string_sql(gen, e.this)})")


def _ascii(gen, e: exp.Ascii) -> str:
    return int_sql(f"ASCII({string_sql(gen, e.this)})")


def _octets(gen, arg: exp.Expression) -> str:
    if is_type(arg, *_BINARY):
        return f"OCTET_LENGTH({gen.sql(arg)})"
    return f"OCTET_LENGTH(ENCODE(CAST({gen.sql(arg)} AS VARCHAR)))"


def _octet_length(gen, e: exp.Anonymous) -> str:
    return int_sql(_octets(gen, e.expressions[0]))


def _bit_length(gen, e: exp.Expression) -> str:
    arg = e.this if not isinstance(e, exp.Anonymous) else e.expressions[0]
    return int_sql(f"{_octets(gen, arg)} * 8")


def _locate(gen, e: exp.StrPosition) -> str:
    s, sub = gen.sql(e.this), gen.sql(e.args["substr"])
    pos = e.args.get("position")
    if pos is None:
        return int_sql(f"STRPOS({s}, {sub})")
    p = gen.sql(pos)
    # Spark's locate(substr, str, pos): 0 for a position below 1, else the 1-based index of
    # the first occurrence at or after pos (0 if none).
    found = f"STRPOS(SUBSTRING({s}, {p}), {sub})"
    return int_sql(
        f"CASE WHEN {p} IS NULL THEN NULL WHEN {p} < 1 THEN 0 WHEN {found} = 0 THEN 0 "
        f"ELSE {found} + {p} - 1 END"
    )


def _levenshtein(gen, e: exp.Levenshtein) -> str:
    a, b = gen.sql(e.this), gen.sql(e.expression)
    dist = f"LEVENSHTEIN({a}, {b})"
    # levenshtein(a, b, threshold): -1 once the distance exceeds the threshold
    limit = e.args.get("ins_cost") or e.args.get("max_dist")
    if limit is not None:
        t = gen.sql(limit)
        return int_sql(f"CASE WHEN {dist} > {t} THEN -1 ELSE {dist} END")
    return int_sql(dist)


def _find_in_set(gen, e: exp.Anonymous) -> str:
    s, lst = (gen.sql(a) for a in e.expressions[:2])
    return int_sql(
        f"CASE WHEN {s} IS NULL OR {lst} IS NULL THEN NULL WHEN CONTAINS({s}, ',') THEN 0 "
        f"ELSE COALESCE(LIST_POSITION(STRING_SPLIT({lst}, ','), {s}), 0) END"
    )


# ---------------------------------------------------------------------------------------------
# substrings


def max0(sql: str) -> str:
    """``GREATEST(x, 0)`` that keeps a NULL (DuckDB's GREATEST skips NULL arguments)."""
    return f"(CASE WHEN {sql} < 0 THEN 0 ELSE {sql} END)"


def _substring(gen, e: exp.Substring) -> str:
    s = gen.sql(e.this)
    start, length = e.args.get("start"), e.args.get("length")
    if start is None:
        return s
    p, n = int_value(start), int_value(length) if length is not None else None
    if p is not None and p > 0 and (length is None or (n is not None and n >= 0)):
        return f"SUBSTRING({s}, {p}" + ("" if length is None else f", {n}") + ")"
    # Spark (UTF8String.substringSQL): a 0-based start (pos - 1, len + pos for a negative
    # pos, 0 for pos 0), an end start + length, both clamped at 0; empty when end <= start.
    ps = gen.sql(start)
    size = f"OCTET_LENGTH({s})" if is_type(e.this, *_BINARY) else f"LENGTH({s})"
    start0 = (f"(CASE WHEN {ps} > 0 THEN {ps} - 1 WHEN {ps} < 0 THEN {size} + {ps} "
              f"WHEN {ps} = 0 THEN 0 END)")
    if length is None:
        return f"SUBSTRING({s}, {max0(start0)} + 1)"
    ls = gen.sql(length)
    return (f"SUBSTRING({s}, {max0(start0)} + 1, "
            f"{max0(f'{start0} + {ls} - {max0(start0)}')})")


def _left(gen, e: exp.Left) -> str:
    s, n = gen.sql(e.this), gen.sql(e.expression)
    return f"LEFT({s}, {max0(n)})"


def _right(gen, e: exp.Right) -> str:
    s, n = gen.sql(e.this), gen.sql(e.expression)
    return f"RIGHT({s}, {max0(n)})"


def _substring_index(gen, e: exp.SubstringIndex) -> str:
    s, d, c = gen.sql(e.this), gen.sql(e.args["delimiter"]), gen.sql(e.args["count"])
    parts = f"STRING_SPLIT({s}, {d})"
    # count > 0: the text before the count-th delimiter; count < 0: after the |count|-th
    # delimiter from the right; count 0 or an empty delimiter: ''
    return (
        f"CASE WHEN {s} IS NULL OR {d} IS NULL OR {c} IS NULL THEN NULL "
        f"WHEN {c} = 0 OR {d} = '' THEN '' "
        f"WHEN {c} > 0 THEN ARRAY_TO_STRING({parts}[1:{c}], {d}) "
        f"ELSE ARRAY_TO_STRING(LIST_SLICE({parts}, GREATEST(LEN({parts}) + {c} + 1, 1), "
        f"LEN({parts})), {d}) END"
    )


def _split_part(gen, e: exp.SplitPart) -> str:
    s, d = gen.sql(e.this), gen.sql(e.args["delimiter"])
    idx = e.args["part_index"]
    i = gen.sql(idx)
    if int_value(idx) == 0:
        return spark_error("INVALID_INDEX_OF_ZERO", lit(
            "The index 0 is invalid. An index shall be either < 0 or > 0 (the first element "
            "has index 1). SQLSTATE: 22003"))
    parts = f"(CASE WHEN {d} = '' THEN [{s}] ELSE STRING_SPLIT({s}, {d}) END)"
    zero = spark_error("INVALID_INDEX_OF_ZERO", lit(
        "The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has "
        "index 1). SQLSTATE: 22003"))
    return (f"CASE WHEN {i} = 0 THEN {zero} "
            f"ELSE COALESCE({parts}[{i}], CASE WHEN {s} IS NOT NULL AND {d} IS NOT NULL "
            f"THEN '' END) END")


def _overlay(gen, e: exp.Overlay) -> str:
    s, r, p = gen.sql(e.this), gen.sql(e.expression), gen.sql(e.args["from_"])
    n = e.args.get("for_")
    # Spark: the part before pos, the replacement, the part from pos + len on (len: the
    # replacement's length when not given or negative)
    ns = (f"(CASE WHEN {gen.sql(n)} < 0 THEN LENGTH({r}) ELSE {gen.sql(n)} END)"
          if n is not None else f"LENGTH({r})")
    return (f"LEFT({s}, {max0(f'{p} - 1')}) || {r} || "
            f"SUBSTRING({s}, {max0(f'{p} + {ns} - 1')} + 1)")


# ---------------------------------------------------------------------------------------------
# concatenation


def _concat_ws(gen, e: exp.ConcatWs) -> str:
    sep, *args = e.expressions
    sep_sql = gen.sql(sep)
    parts = []
    for a in args:
        if is_type(a, exp.DType.ARRAY) or isinstance(a, exp.Array):
            # an array contributes its non-NULL elements (none at all when it has none)
            kept = f"LIST_FILTER({gen.sql(a)}, lambda x: x IS NOT NULL)"
            parts.append(f"CASE WHEN LEN({kept}) = 0 THEN NULL "
                         f"ELSE ARRAY_TO_STRING({kept}, {sep_sql}) END")
        else:
            parts.append(string_sql(gen, a))
    if not parts:
        return f"CASE WHEN {sep_sql} IS NULL THEN NULL ELSE '' END"
    return f"CONCAT_WS({sep_sql}, {', '.join(parts)})"


def _elt(gen, e: exp.Elt) -> str:
    n = gen.sql(e.this)
    args = [gen.sql(a) for a in e.expressions]
    whens = " ".join(f"WHEN {n} = {i} THEN {a}" for i, a in enumerate(args, 1))
    if not gen.ansi:
        return f"(CASE {whens} ELSE NULL END)"
    # Spark 4 (ANSI): an index out of range raises
    bad = spark_error(
        "INVALID_ARRAY_INDEX",
        f"'The index ' || CAST({n} AS VARCHAR) || ' is out of bounds. The array has "
        f"{len(args)} elements. Use the SQL function `get()` to tolerate accessing element "
        "at invalid index and return NULL instead. If necessary set "
        "\"spark.sql.ansi.enabled\" to \"false\" to bypass this error. SQLSTATE: 22003'")
    return f"(CASE {whens} WHEN {n} IS NULL THEN NULL ELSE {bad} END)"


# ---------------------------------------------------------------------------------------------
# trimming and padding


def _btrim(gen, e: exp.Anonymous) -> str:
    s = gen.sql(e.expressions[0])
    if len(e.expressions) > 1:
        return f"TRIM({s}, {gen.sql(e.expressions[1])})"
    return f"TRIM({s}, ' ')"


def _pad(gen, e: exp.Pad) -> str:
    s, n = gen.sql(e.this), gen.sql(e.expression)
    fill = e.args.get("fill_pattern")
    f = gen.sql(fill) if fill is not None else "' '"
    fn = "LPAD" if e.args.get("is_left") else "RPAD"
    # Spark: a negative length gives '', an empty pad only truncates
    return (f"CASE WHEN {f} = '' THEN LEFT({s}, {max0(n)}) "
            f"ELSE {fn}({s}, {max0(n)}, {f}) END")


def _initcap(gen, e: exp.Initcap) -> str:
    # Spark lower-cases the string, then upper-cases every letter that follows a space
    s = gen.sql(e.this)
    return (f"ARRAY_TO_STRING(LIST_TRANSFORM(STRING_SPLIT(LOWER({s}), ' '), "
            f"lambda w: UPPER(LEFT(w, 1)) || SUBSTRING(w, 2)), ' ')")


# ---------------------------------------------------------------------------------------------
# LIKE and regular expressions


def _like(gen, e: exp.Expression) -> str:
    sql = default_sql(gen, e)
    if isinstance(e.parent, exp.Escape):
        return sql
    # Spark's LIKE escapes with a backslash by default; DuckDB's has no escape character
    return f"{sql} ESCAPE '\\'"


_POSIX = {"Lower": "lower", "Upper": "upper", "Alpha": "alpha", "Digit": "digit",
          "Alnum": "alnum", "Punct": "punct", "Graph": "graph", "Print": "print",
          "Blank": "blank", "Cntrl": "cntrl", "XDigit": "xdigit", "Space": "space",
          "ASCII": "ascii"}


def java_regex(pattern: str) -> str:
    """A Java regular expression rewritten for RE2 where the two differ in syntax."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            m = re.match(r"\\[pP]\{(?:Is)?(\w+)\}", pattern[i:])
            if m and m.group(1) in _POSIX:
                neg = "^" if pattern[i + 1] == "P" else ""
                cls = f"[:{neg}{_POSIX[m.group(1)]}:]"
                out.append(cls if in_class else f"[{cls}]")
                i += m.end()
                continue
            if nxt == "Z":
                out.append("\\z")
            elif nxt == "h":
                out.append("[ \\t\\xA0]" if not in_class else " \\t\\xA0")
            else:
                out.append(c + nxt)
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            out.append(c)
        elif c == "[":
            in_class = True
            out.append(c)
            if pattern[i + 1:i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1:i + 2] == "]":  # a leading ] is literal
                out.append("]")
                i += 1
        elif c == "+" and out and out[-1] in ("*", "+", "?", "}"):
            pass  # possessive quantifier: RE2 has none; the greedy one matches the same here
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _regex_sql(gen, e: exp.Expression | None) -> str:
    v = string_value(e)
    if v is not None:
        return lit(java_regex(v))
    return gen.sql(e)


def java_replacement(rep: str) -> str:
    """A ``Matcher.replaceAll`` replacement (``$1``, ``\\$``) as an RE2 rewrite (``\\1``)."""
    out, i = [], 0
    while i < len(rep):
        c = rep[i]
        if c == "\\" and i + 1 < len(rep):
            nxt = rep[i + 1]
            out.append("\\\\" if nxt == "\\" else nxt)
            i += 2
        elif c == "$" and i + 1 < len(rep) and rep[i + 1].isdigit():
            out.append("\\" + rep[i + 1])
            i += 2
        elif c == "\\":
            out.append("\\\\")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _rlike(gen, e: exp.RegexpLike) -> str:
    return f"REGEXP_MATCHES({gen.sql(e.this)}, {_regex_sql(gen, e.expression)})"


def _regexp_replace(gen, e: exp.RegexpReplace) -> str:
    s, p = gen.sql(e.this), _regex_sql(gen, e.expression)
    rep = e.args.get("replacement")
    rv = string_value(rep)
    r = lit(java_replacement(rv)) if rv is not None else (
        gen.sql(rep) if rep is not None else "''")
    pos = e.args.get("position")
    if pos is None or int_value(pos) == 1:
        return f"REGEXP_REPLACE({s}, {p}, {r}, 'g')"
    ps = gen.sql(pos)
    return (f"SUBSTRING({s}, 1, {ps} - 1) || "
            f"REGEXP_REPLACE(SUBSTRING({s}, {ps}), {p}, {r}, 'g')")


def _group(gen, e: exp.Expression) -> str:
    g = e.args.get("group")
    return gen.sql(g) if g is not None else "1"


def _bad_group(gen, e: exp.Expression, fn: str) -> str | None:
    """Spark's error for a group index the (literal) pattern does not have, else None."""
    pattern, g = string_value(e.expression), e.args.get("group")
    idx = int_value(g) if g is not None else 1
    if pattern is None or idx is None:
        return None
    try:
        groups = re.compile(pattern).groups
    except re.error:
        return None
    if 0 <= idx <= groups:
        return None
    msg = (f"The value of parameter(s) `idx` in `{fn}` is invalid: Expects group index "
           f"between 0 and {groups}, but got {idx}. SQLSTATE: 22023")
    err = spark_error("INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX", lit(msg))
    return f"(CASE WHEN {gen.sql(e.this)} IS NULL THEN NULL ELSE {err} END)"


def _regexp_extract(gen, e: exp.RegexpExtract) -> str:
    s, p = gen.sql(e.this), _regex_sql(gen, e.expression)
    bad = _bad_group(gen, e, "regexp_extract")
    return bad or f"REGEXP_EXTRACT({s}, {p}, {_group(gen, e)})"


def _regexp_extract_all(gen, e: exp.RegexpExtractAll) -> str:
    s, p = gen.sql(e.this), _regex_sql(gen, e.expression)
    bad = _bad_group(gen, e, "regexp_extract_all")
    return bad or f"REGEXP_EXTRACT_ALL({s}, {p}, {_group(gen, e)})"


def _split(gen, e: exp.RegexpSplit) -> str:
    s, p = gen.sql(e.this), _regex_sql(gen, e.expression)
    limit = e.args.get("limit")
    parts = f"STR_SPLIT_REGEX({s}, {p})"
    n = int_value(limit) if limit is not None else -1
    if limit is None or (n is not None and n <= 0):
        return parts
    k = gen.sql(limit)
    # limit > 0: at most `limit` parts, the last one the rest of the string after the
    # (limit - 1)-th match
    rest = (f"REGEXP_EXTRACT({s}, '(?s)^(?:.*?(?:' || {p} || ')){{' || "
            f"CAST({k} - 1 AS VARCHAR) || '}}(.*)$', 1)")
    return (f"CASE WHEN {k} <= 0 OR LEN({parts}) <= {k} THEN {parts} "
            f"WHEN {k} = 1 THEN [{s}] ELSE LIST_CONCAT({parts}[1:{k} - 1], [{rest}]) END")


# ---------------------------------------------------------------------------------------------
# Java's Formatter (format_string, printf)

_SPEC = re.compile(r"%(\d+\$|<)?([-#+ 0,(]*)(\d+)?(\.\d+)?([a-zA-Z%])")


def _format_piece(gen, conv: str, flags: str, width: str, prec: str,
                  arg: exp.Expression | None) -> str:
    if arg is None:
        raise ValueError("format_string: missing argument")
    a = gen.sql(arg)
    lower = conv.lower()
    spec = f"%{flags.replace(',', '')}{width}{prec}"
    if lower == "s":
        text = f"COALESCE({string_sql(gen, arg)}, 'null')"
        if is_type(arg, exp.DType.BOOLEAN):
            text = f"CASE WHEN {a} IS NULL THEN 'null' WHEN {a} THEN 'true' ELSE 'false' END"
        piece = f"PRINTF('{spec}s', {text})" if (width or prec or flags) else text
    elif lower == "b":
        truth = (f"COALESCE({a}, FALSE)" if is_type(arg, exp.DType.BOOLEAN)
                 else f"{a} IS NOT NULL")
        text = f"CASE WHEN {truth} THEN 'true' ELSE 'false' END"
        piece = f"PRINTF('{spec}s', {text})" if width else text
    elif lower == "c":
        piece = f"COALESCE(CHR(CAST({a} AS INTEGER)), 'null')"
    elif conv == "d" and "," in flags:
        piece = f"COALESCE(FORMAT('{{:,}}', CAST({a} AS BIGINT)), 'null')"
    elif lower in ("d", "x", "o"):
        arg_sql = f"CAST({a} AS BIGINT)" if not is_type(arg, exp.DType.BIGINT) else a
        piece = f"COALESCE(PRINTF('{spec}{lower}', {arg_sql}), 'null')"
    elif lower in ("f", "e", "g", "a"):
        if "," in flags and lower == "f":
            digits = prec[1:] if prec else "6"
            piece = f"COALESCE(FORMAT('{{:,.{digits}f}}', CAST({a} AS DOUBLE)), 'null')"
        else:
            piece = f"COALESCE(PRINTF('{spec}{lower}', CAST({a} AS DOUBLE)), 'null')"
    else:
        raise ValueError(f"format_string: conversion {conv!r}")
    return f"UPPER({piece})" if conv.isupper() and lower != "s" or conv == "S" else piece


def java_format_sql(gen, fmt: exp.Expression, args: list[exp.Expression]) -> str:
    """SQL for ``java.util.Formatter`` applied to ``args`` (``fmt`` a string literal)."""
    text = string_value(fmt)
    if text is None:
        return f"PRINTF({', '.join(gen.sql(a) for a in (fmt, *args))})"
    pieces, pos, ordinary, last = [], 0, 0, None
    for m in _SPEC.finditer(text):
        if m.start() > pos:
            pieces.append(lit(text[pos:m.start()]))
        pos = m.end()
        index, flags, width, prec, conv = m.groups()
        if conv == "%":
            pieces.append("'%'")
            continue
        if conv == "n":
            pieces.append("chr(10)")
            continue
        if index == "<":
            i = last
        elif index:
            i = int(index[:-1]) - 1
        else:
            i, ordinary = ordinary, ordinary + 1
        last = i
        arg = args[i] if i is not None and i < len(args) else None
        pieces.append(_format_piece(gen, conv, flags or "", width or "", prec or "", arg))
    if pos < len(text):
        pieces.append(lit(text[pos:]))
    return "(" + " || ".join(pieces or ["''"]) + ")"


def _format_string(gen, e: exp.Expression) -> str:
    if isinstance(e, exp.Anonymous):
        fmt, *args = e.expressions
    else:
        fmt, args = e.this, list(e.expressions)
    return java_format_sql(gen, fmt, args)


def _format_number(gen, e: exp.Anonymous) -> str:
    x, d = e.expressions[:2]
    xs = gen.sql(x)
    dv = int_value(d)
    if dv is None:
        fmt_text = string_value(d)
        if fmt_text is not None:  # a DecimalFormat pattern: only '#,##0.00'-like ones
            decimals = len(fmt_text.split(".")[1]) if "." in fmt_text else 0
            grouping = "," in fmt_text
            spec = ("," if grouping else "") + f".{decimals}f"
            return f"FORMAT('{{:{spec}}}', CAST(ROUND_EVEN({xs}, {decimals}) AS DOUBLE))"
        ds = gen.sql(d)
        return (f"CASE WHEN {ds} < 0 THEN NULL ELSE FORMAT('{{:,.{{}}f}}', "
                f"CAST(ROUND_EVEN({xs}, {ds}) AS DOUBLE), {ds}) END")
    if dv < 0:
        return "CAST(NULL AS VARCHAR)"
    # DecimalFormat rounds HALF_EVEN on the exact decimal value
    return f"FORMAT('{{:,.{dv}f}}', CAST(ROUND_EVEN({xs}, {dv}) AS DOUBLE))"


# ---------------------------------------------------------------------------------------------
# the functions DuckDB lacks


def _mask(gen, e: exp.Anonymous) -> str:
    s, *rest = e.expressions
    defaults = ["'X'", "'x'", "'n'", "NULL"]
    subs = [gen.sql(a) if i < len(rest) else defaults[i] for i, a in
            enumerate(rest + [None] * (4 - len(rest)))]
    up, low, dig, other = subs
    # one pass over the characters so a replacement is never replaced again; a NULL
    # replacement keeps its class of characters as they are
    return (f"ARRAY_TO_STRING(LIST_TRANSFORM(STRING_SPLIT({gen.sql(s)}, ''), lambda c: "
            f"CASE WHEN REGEXP_MATCHES(c, '^\\p{{Lu}}$') THEN COALESCE({up}, c) "
            f"WHEN REGEXP_MATCHES(c, '^\\p{{Ll}}$') THEN COALESCE({low}, c) "
            f"WHEN REGEXP_MATCHES(c, '^\\p{{Nd}}$') THEN COALESCE({dig}, c) "
            f"ELSE COALESCE({other}, c) END), '')")


def _sentences(gen, e: exp.Anonymous) -> str:
    # Java's BreakIterator, approximated: sentences end at . ! ?, words are runs of letters,
    # digits and apostrophes; empty sentences are dropped
    s = gen.sql(e.expressions[0])
    return (f"LIST_FILTER(LIST_TRANSFORM(REGEXP_SPLIT_TO_ARRAY({s}, '[.!?]+'), "
            f"lambda t: REGEXP_EXTRACT_ALL(t, '[\\p{{L}}\\p{{N}}'']+')), lambda w: LEN(w) > 0)")


def _soundex(gen, e: exp.Soundex) -> str:
    s = gen.sql(e.this)
    up = f"UPPER({s})"
    # codes of every letter (A E I O U Y: 0, H W: 7), anything else a 0 (it separates)
    codes = (f"TRANSLATE(REGEXP_REPLACE({up}, '[^A-Z]', '-', 'g'), "
             f"'ABCDEFGHIJKLMNOPQRSTUVWXYZ-', '012301270224550126230172020')")
    codes = f"REPLACE({codes}, '7', '')"  # H and W neither code nor separate
    for d in "123456":
        codes = f"REGEXP_REPLACE({codes}, '{d}+', '{d}', 'g')"
    rest = f"REPLACE(SUBSTRING({codes}, 2), '0', '')"
    return (f"CASE WHEN REGEXP_MATCHES({s}, '^[A-Za-z]') THEN "
            f"LEFT({up}, 1) || RPAD(LEFT({rest}, 3), 3, '0') ELSE {s} END")


def _crc32_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (0xEDB88320 ^ (c >> 1)) if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32 = "(CAST([" + ", ".join(map(str, _crc32_table())) + "] AS BIGINT[]))"


def _bytes_sql(gen, arg: exp.Expression) -> str:
    if is_type(arg, *_BINARY):
        return gen.sql(arg)
    return f"ENCODE(CAST({gen.sql(arg)} AS VARCHAR))"


def _crc32(gen, e: exp.Anonymous) -> str:
    h = f"HEX({_bytes_sql(gen, e.expressions[0])})"
    octets = (f"LIST_TRANSFORM(RANGE(0, LENGTH({h}), 2), "
              f"lambda i: CAST('0x' || SUBSTRING({h}, i + 1, 2) AS BIGINT))")
    crc = (f"LIST_REDUCE({octets}, lambda c, b: XOR(c >> 8, "
           f"{_CRC32}[(XOR(c, b) & 255) + 1]), 4294967295::BIGINT)")
    return f"CASE WHEN {h} IS NULL THEN NULL ELSE XOR({crc}, 4294967295::BIGINT) END"


def _chr(gen, e: exp.Chr) -> str:
    # Spark: chr(n) is the character n % 256, '' for a negative n
    n = gen.sql(e.expressions[0])
    return f"(CASE WHEN {n} < 0 THEN '' ELSE CHR(CAST({n} % 256 AS INTEGER)) END)"


def _space(gen, e: exp.Expression) -> str:
    n = gen.sql(e.this if not isinstance(e, exp.Anonymous) else e.expressions[0])
    return f"REPEAT(' ', {max0(n)})"


def _sha2(gen, e: exp.SHA2) -> str:
    s = gen.sql(e.this)
    n = int_value(e.args.get("length")) if e.args.get("length") is not None else 256
    if n in (0, 256):
        return f"SHA256({s})"
    if n in (224, 384, 512):  # valid in Spark, but DuckDB has no SHA-224/384/512
        return f"error('sha2 with bit length {n} is not supported on DuckDB')"
    return "CAST(NULL AS VARCHAR)"  # Spark: NULL for a bit length it does not support


def _unhex(gen, e: exp.Expression) -> str:
    s = gen.sql(e.this)
    # Spark: an odd number of digits has a leading 0; a non-hex digit gives NULL
    return (f"CASE WHEN REGEXP_MATCHES({s}, '^[0-9A-Fa-f]*$') THEN "
            f"UNHEX(CASE WHEN LENGTH({s}) % 2 = 1 THEN '0' || {s} ELSE {s} END) END")


def _to_number(gen, e: exp.Expression) -> str:
    if isinstance(e, exp.Anonymous):
        x, fmt = e.expressions[:2]
    else:
        x, fmt = e.this, e.args.get("format")
    f = string_value(fmt)
    if f is None:
        return default_sql(gen, e)
    digits = f.replace(",", "").replace("G", "").replace("$", "").replace("S", "")
    digits = digits.replace("MI", "").replace("PR", "").replace("L", "")
    whole, _, frac = digits.replace("D", ".").partition(".")
    p, sc = len(whole) + len(frac), len(frac)
    s = gen.sql(x)
    cleaned = f"REGEXP_REPLACE({s}, '[$,\\s]', '', 'g')"
    return f"CAST({cleaned} AS DECIMAL({max(p, 1)}, {sc}))"


TRANSFORMS: dict = {
    exp.Length: _length,
    exp.BitLength: _bit_length,
    exp.StrPosition: _locate,
    exp.Ascii: _ascii,
    exp.Levenshtein: _levenshtein,
    exp.Substring: _substring,
    exp.Left: _left,
    exp.Right: _right,
    exp.SubstringIndex: _substring_index,
    exp.SplitPart: _split_part,
    exp.Overlay: _overlay,
    exp.Concat: _concat,
    exp.ConcatWs: _concat_ws,
    exp.Elt: _elt,
    exp.Pad: _pad,
    exp.Initcap: _initcap,
    exp.Like: _like,
    exp.ILike: _like,
    exp.RegexpLike: _rlike,
    exp.RegexpReplace: _regexp_replace,
    exp.RegexpExtract: _regexp_extract,
    exp.RegexpExtractAll: _regexp_extract_all,
    exp.RegexpSplit: _split,
    exp.Format: _format_string,
    exp.Soundex: _soundex,
    exp.SHA2: _sha2,
    exp.Chr: _chr,
    exp.Space: _space,
    exp.Unhex: _unhex,
    exp.ToNumber: _to_number,
}

FUNCTIONS: dict = {
    "octet_length": _octet_length,
    "bit_length": _bit_length,
    "find_in_set": _find_in_set,
    "btrim": _btrim,
    "printf": _format_string,
    "format_number": _format_number,
    "mask": _mask,
    "sentences": _sentences,
    "crc32": _crc32,

}
