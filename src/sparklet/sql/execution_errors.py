"""Errors raised while DuckDB runs a statement, as the PySpark exceptions Spark raises.

Two kinds reach here:

- the dialect's own ``error('[CONDITION] message')`` calls (Spark's runtime checks written
  into the SQL): the condition is read back, its parameters are recovered by matching the
  message against the condition's template, and the exception is
  ``sparklet.errors.exception_for(condition, parameters)`` (the class PySpark raises it
  with); a condition sparklet does not know keeps its message, with the class of its kind;
- DuckDB's own errors for the same situations (an integer overflow, a cast that does not
  fit, a malformed string, a division by zero, an unknown function), named with Spark's
  condition and parameters.

Anything else is returned unchanged.

>>> import duckdb
>>> con = duckdb.connect()
>>> try:
...     con.sql("SELECT 2147483647 + 1").fetchall()
... except duckdb.Error as exc:
...     e = translate(exc)
>>> type(e).__name__, e.getCondition()
('ArithmeticException', 'ARITHMETIC_OVERFLOW')
"""

from __future__ import annotations

import re

from sparklet.errors import (
    AnalysisException,
    ArithmeticException,
    ArrayIndexOutOfBoundsException,
    DateTimeException,
    ParseException,
    PySparkException,
    SparkRuntimeException,
    exception_class_for,
    exception_for,
)
from sparklet.errors.conditions import get_message_template
from sparklet.errors.error_conditions import ERROR_CONDITIONS

__all__ = ["translate"]

ANSI_CONFIG = '"spark.sql.ansi.enabled"'

# DuckDB's error text starts with its kind ("Invalid Input Error: ...").
_KIND = re.compile(r"^(?:[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)* )?Error: ", re.S)
_CONDITION = re.compile(r"\[([A-Z][A-Z0-9_]*(?:\.[A-Z][A-Z0-9_]*)?)\] ?(.*)", re.S)
_PARAMETER = re.compile(r"<([a-zA-Z0-9_-]+)>")

# DuckDB's physical type names, in Spark's words.
_DUCKDB_TYPES = {"INTEGER": "INT", "INT8": "TINYINT", "INT16": "SMALLINT", "INT32": "INT",
                 "INT64": "BIGINT",
                 "INT128": "DECIMAL(38,0)", "DOUBLE": "DOUBLE", "FLOAT": "FLOAT",
                 "BOOL": "BOOLEAN", "BOOLEAN": "BOOLEAN", "VARCHAR": "STRING",
                 "DATE": "DATE", "TIMESTAMP": "TIMESTAMP_NTZ",
                 "TIMESTAMP WITH TIME ZONE": "TIMESTAMP"}
_LITERAL_SUFFIX = {"TINYINT": "Y", "SMALLINT": "S", "BIGINT": "L", "DOUBLE": "D",
                   "FLOAT": "F"}
_TRY_FUNCTION = {"addition": "try_add", "subtraction": "try_subtract",
                 "multiplication": "try_multiply"}
_SYMBOL = {"addition": "+", "subtraction": "-", "multiplication": "*"}


def _java_double(text: str) -> str:
    """A double's text (DuckDB's shortest digits) as Java's Double.toString writes it."""
    try:
        value = float(text)
    except ValueError:
        return text
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        r = repr(value)
        return r if "e" not in r else format(value, "f")
    mantissa, exponent = f"{value:e}".split("e")  # only the exponent is used
    digits = repr(abs(value)).replace(".", "").split("e")[0].strip("0") or "0"
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{int(exponent)}"


def _spark_value(text: str, spark_type: str) -> str:
    """A value as Spark's messages quote it (``3000000000L``, ``1.0E20D``, ``127S``)."""
    if spark_type in ("DOUBLE", "FLOAT"):
        text = _java_double(text)
        return text if text in ("NaN", "Infinity", "-Infinity") else text + (
            "D" if spark_type == "DOUBLE" else "F")
    if spark_type.startswith("DECIMAL"):
        return text + "BD"
    return text + _LITERAL_SUFFIX.get(spark_type, "")


def _spark_type_name(duckdb_type: str) -> str:
    t = duckdb_type.strip().upper()
    if t.startswith("DECIMAL"):
        return t.replace(" ", "")
    return _DUCKDB_TYPES.get(t, t)


_SEARCH_PATH = "[`system`.`builtin`, `system`.`session`, `spark_catalog`.`default`]"


def _split_types(text: str) -> list[str]:
    """DuckDB's comma-separated argument types (commas inside parentheses kept)."""
    out, depth, current = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            out.append(current.strip())
            current = ""
            continue
        depth += ch in "(["
        depth -= ch in ")]"
        current += ch
    if current.strip():
        out.append(current.strip())
    return out


def _spark_type_sql(duckdb_type: str) -> str:
    """A DuckDB type name as Spark's messages write it (``INTEGER[]`` is ``ARRAY<INT>``)."""
    from sparklet.sql.typemap import from_duckdb_type
    name = re.sub(r"_LITERAL$", "", duckdb_type.strip())
    name = {"INTEGER_LITERAL": "INTEGER", "STRING": "VARCHAR"}.get(name, name)
    try:
        return from_duckdb_type(name).simpleString().upper()
    except Exception:  # noqa: BLE001 - a type sparklet does not map: DuckDB's name
        return name


def _template_parameters(condition: str, message: str) -> dict[str, str] | None:
    """The parameters that make ``condition``'s template read ``message``, or None."""
    try:
        template = get_message_template(condition)
    except ValueError:
        return None
    names: list[str] = []
    pattern = ""
    pos = 0
    for m in _PARAMETER.finditer(template):
        pattern += re.escape(template[pos:m.start()])
        name = m.group(1)
        if name in names:
            pattern += f"(?P={name.replace('-', '_')})"
        else:
            names.append(name)
            pattern += f"(?P<{name.replace('-', '_')}>.*?)"
        pos = m.end()
    pattern += re.escape(template[pos:])
    found = re.fullmatch(pattern, message.strip(), re.S) or re.fullmatch(
        pattern, message.strip().split("\n")[0], re.S)
    if found is None:
        return None
    return {name: found.group(name.replace("-", "_")) for name in names}


def _from_condition(condition: str, message: str) -> PySparkException:
    """The exception for a ``[CONDITION] message`` raised by the dialect's SQL."""
    # some rules end their message with Spark's " SQLSTATE: xxxxx": the class adds its own
    message = re.sub(r"\s*SQLSTATE: \w+$", "", message.strip())
    params = _template_parameters(condition, message)
    if params is not None:
        try:
            return exception_for(condition, params)
        except ValueError:
            pass
    main = condition.split(".")[0]
    if main in ERROR_CONDITIONS:
        cls = exception_class_for(condition, params or {})
    elif main.startswith(("CAST_", "ARITHMETIC", "DIVIDE", "NUMERIC")):
        cls = ArithmeticException
    elif "ARRAY_INDEX" in main:
        cls = ArrayIndexOutOfBoundsException
    elif "DATETIME" in main or "TIMESTAMP" in main or "DATE" in main:
        cls = DateTimeException
    else:
        cls = SparkRuntimeException
    return cls(message=message, errorClass=condition, messageParameters=params or {})


def _cast_invalid(value: str, source: str, target: str) -> PySparkException:
    return exception_for("CAST_INVALID_INPUT", {
        "expression": "'" + value + "'", "sourceType": f'"{source}"',
        "targetType": f'"{target}"'})


def _from_duckdb(text: str) -> PySparkException | None:
    """Spark's exception for one of DuckDB's own errors, or None."""
    m = re.search(r"Overflow in (?:addition|subtraction|multiplication) of DECIMAL\((\d+)", text)
    if m:
        # The decimal result does not fit its precision (Spark names the rounded value; DuckDB
        # gives the operands only).
        return ArithmeticException(
            message=f"The result of a decimal operation cannot be represented as "
                    f"Decimal({m.group(1)}). If necessary set {ANSI_CONFIG} to \"false\" to "
                    "bypass this error, and return NULL instead.",
            errorClass="NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION", messageParameters={})
    m = re.search(r"Overflow in (addition|subtraction|multiplication) of (\w+) "
                  r"\((.*) ([-+*]) (.*)\)!", text)
    if m:
        kind, phys, a, _, b = m.groups()
        spark = _spark_type_name(phys)
        if spark in ("TINYINT", "SMALLINT"):
            # Spark's message quotes both narrow operands with the smallint suffix.
            return exception_for("BINARY_ARITHMETIC_OVERFLOW", {
                "value1": f"{a}S", "symbol": _SYMBOL[kind], "value2": f"{b}S",
                "functionName": f"`{_TRY_FUNCTION[kind]}`"})
        return exception_for("ARITHMETIC_OVERFLOW", {
            "message": "overflow",
            "alternative": f" Use '{_TRY_FUNCTION[kind]}' to tolerate overflow and return "
                           "NULL instead.",
            "config": ANSI_CONFIG})
    if re.search(r"Overflow (on abs|in negation)", text):
        return exception_for("ARITHMETIC_OVERFLOW", {
            "message": "overflow", "alternative": "", "config": ANSI_CONFIG})
    m = re.search(r"Type (.+?) with value (.+?) can't be cast because the value is out of "
                  r"range for the destination type (\S+)", text)
    if m:
        source, value, target = (_spark_type_name(m.group(1)), m.group(2),
                                 _spark_type_name(m.group(3)))
        return exception_for("CAST_OVERFLOW", {
            "value": _spark_value(value, source), "sourceType": f'"{source}"',
            "targetType": f'"{target}"'})
    m = re.search(r'Casting value "(.*)" to type DECIMAL\((\d+), ?(\d+)\) failed: value is '
                  r"out of range", text)
    if m:
        return exception_for("NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION", {
            "value": m.group(1), "precision": m.group(2), "scale": m.group(3),
            "config": ANSI_CONFIG})
    m = re.search(r"Could not convert string '(.*)' to (\S+)", text, re.S)
    if m:
        target = _spark_type_name(m.group(2))
        if target.startswith("DECIMAL") or target == "INT128":
            target = target if target.startswith("DECIMAL(") else "DECIMAL(38,0)"
        return _cast_invalid(m.group(1).split("'")[0] if "\n" in m.group(1) else m.group(1),
                             "STRING", target)
    m = re.search(r'(date|timestamp) field (?:value out of range|format): "(.*?)"', text,
                  re.I | re.S) or re.search(r'invalid (date|timestamp) field format: "(.*?)"',
                                            text, re.I | re.S)
    if m:
        target = "DATE" if m.group(1).lower() == "date" else "TIMESTAMP"
        return _cast_invalid(m.group(2), "STRING", target)
    m = re.search(r'Could not parse string "(.*?)" according to format specifier', text, re.S)
    if m:
        # DuckDB's strptime (to_timestamp, unix_timestamp with a pattern); DuckDB does not
        # say where the text stopped matching, Spark's message does: the start is assumed.
        return exception_for("CANNOT_PARSE_TIMESTAMP", {
            "message": f"Text '{m.group(1)}' could not be parsed at index 0",
            "func": "`try_to_timestamp`"})
    m = re.search(r"Division by zero in expression \(.* (%|//|/) .*\)", text, re.S)
    if m:
        condition = "REMAINDER_BY_ZERO" if m.group(1) == "%" else "DIVIDE_BY_ZERO"
        return exception_for(condition, {"config": ANSI_CONFIG})
    m = re.search(r"Unimplemented type for cast \((.+?) -> (.+?)\)", text)
    if m:
        return AnalysisException(errorClass="DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION",
                                 messageParameters={
                                     "sqlExpr": f'"{_marked_text(text) or "CAST"}"',
                                     "srcType": f'"{_spark_type_name(m.group(1))}"',
                                     "targetType": f'"{_spark_type_name(m.group(2))}"'})
    m = re.search(r"Table with name (\S+?) does not exist", text)
    if m:
        return exception_for("TABLE_OR_VIEW_NOT_FOUND", {
            "relationName": f"`{m.group(1)}`", "searchPath": _SEARCH_PATH})
    m = re.search(r"No function matches the given name and argument types "
                  r"'(\+|-|\*|/|//|%)\((.*)\)'", text)
    if m:
        types = _split_types(m.group(2))
        if len(types) == 2:
            left, right = (_spark_type_sql(t) for t in types)
            op = {"//": "div"}.get(m.group(1), m.group(1))
            return exception_for("DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES", {
                "sqlExpr": f'"{_marked_text(text) or f"({left} {op} {right})"}"',
                "left": f'"{left}"', "right": f'"{right}"'})
    m = re.search(r"(?:Scalar|Aggregate|Table) Function with name (\w+) does not exist", text)
    if m:
        return exception_for("UNRESOLVED_ROUTINE", {
            "routineName": f"`{m.group(1)}`",
            "searchPath": _SEARCH_PATH})
    return None


def _marked_text(text: str) -> str | None:
    """The part of the statement DuckDB's error marks (``LINE 1: ...`` and ``^^^`` under)."""
    m = re.search(r"LINE \d+: (.*)\n( *)(\^+)", text)
    if m is None:
        return None
    # The carets line is indented like the statement after its "LINE n: " prefix.
    start = len(m.group(2)) - (m.start(1) - m.start())
    return m.group(1)[start:start + len(m.group(3))] or None


def _fallback(exc: Exception, text: str) -> PySparkException | None:
    """DuckDB's remaining runtime errors of the kinds Spark has classes for."""
    kind = type(exc).__name__
    first = _KIND.sub("", text, count=1).split("\n")[0]
    if kind == "OutOfRangeException":
        return ArithmeticException(message=first)
    if kind == "ConversionException":
        return SparkRuntimeException(message=first)
    if kind in ("BinderException", "CatalogException"):
        # DuckDB failed to analyse the statement: Spark's analyzer raises AnalysisException
        if "WHERE clause cannot contain" in first:
            return AnalysisException(message=first, errorClass="INVALID_WHERE_CONDITION",
                                     messageParameters={})
        return AnalysisException(message=first)
    return None


def _from_parse_error(exc: Exception, sql: str | None) -> PySparkException:
    """A sqlglot ParseError as Spark's PARSE_SYNTAX_ERROR, at the token it stopped at."""
    errors = getattr(exc, "errors", None) or [{}]
    first = errors[0]
    token = first.get("highlight") or ""
    line = first.get("line") or 1
    col = first.get("col")
    at = f"'{token}'" if token else "end of input"
    position = None
    if col is not None:
        position = max(int(col) - len(token), 0) if token else int(col)
    return ParseException(errorClass="PARSE_SYNTAX_ERROR",
                          messageParameters={"error": at, "hint": ""},
                          command=sql, line=line, startPosition=position)


def translate(exc: Exception, sql: str | None = None) -> Exception:
    """The PySpark exception for ``exc`` raised while DuckDB ran ``sql`` (or parsing it);
    ``exc`` itself when it is no error Spark would name."""
    if isinstance(exc, PySparkException):
        return exc
    try:
        from sqlglot.errors import ParseError
    except ImportError:  # pragma: no cover - sqlglot is a dependency of the sql extra
        ParseError = ()  # noqa: N806
    if ParseError and isinstance(exc, ParseError):
        return _from_parse_error(exc, sql)
    text = str(exc)
    body = _KIND.sub("", text, count=1)
    m = _CONDITION.match(body)
    if m:
        new = _from_condition(m.group(1), m.group(2))
    else:
        new = _from_duckdb(text) or _fallback(exc, text)
    if new is None:
        return exc
    new.__cause__ = exc
    return new
