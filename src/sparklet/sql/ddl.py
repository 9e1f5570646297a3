"""Spark's DDL type strings (``"a INT, b array<string>"``) parsed into data types.

A small recursive-descent parser over Spark's type grammar: a single type, or a list of
columns (``name [:] type [NOT NULL] [COMMENT 'text']``) for a struct without ``struct<>``.
"""

from __future__ import annotations

import re

from sparklet.sql import types as T

_TOKEN = re.compile(
    r"\s*(?:(?P<quoted>`(?:[^`]|``)*`)|(?P<string>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<word>[A-Za-z0-9_]+)|(?P<punct>[<>(),:]|\S))"
)

_SIMPLE = {
    "boolean": T.BooleanType, "tinyint": T.ByteType, "byte": T.ByteType,
    "smallint": T.ShortType, "short": T.ShortType, "int": T.IntegerType,
    "integer": T.IntegerType, "bigint": T.LongType, "long": T.LongType,
    "float": T.FloatType, "real": T.FloatType, "double": T.DoubleType, "date": T.DateType,
    "timestamp": T.TimestampType, "timestamp_ltz": T.TimestampType,
    "timestamp_ntz": T.TimestampNTZType, "string": T.StringType, "binary": T.BinaryType,
    "void": T.NullType,
}  # fmt: skip
_DAY_TIME = {"day": 0, "hour": 1, "minute": 2, "second": 3}
_YEAR_MONTH = {"year": 0, "month": 1}


class ParseException(Exception):
    """A DDL string that is not a type, as PySpark's ``ParseException``.

    ``getCondition()`` gives Spark's error class (``PARSE_SYNTAX_ERROR``,
    ``UNSUPPORTED_DATATYPE``).
    """

    def __init__(self, condition: str, message: str, text: str, pos: int):
        self._condition = condition
        self.pos = pos
        pointer = "-" * pos + "^^^"
        super().__init__(
            f"[{condition}] {message} SQLSTATE: {_SQLSTATE[condition]} (line 1, pos {pos})"
            f"\n\n== SQL ==\n{text}\n{pointer}\n"
        )

    def getCondition(self) -> str:
        return self._condition


_SQLSTATE = {"PARSE_SYNTAX_ERROR": "42601", "UNSUPPORTED_DATATYPE": "0A000"}


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []  # (kind, text, position)
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:  # only trailing blanks are left
                break
            kind = m.lastgroup or "punct"
            self.tokens.append((kind, m.group(kind), m.start(kind)))
            pos = m.end()
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i][1].lower() if self.i < len(self.tokens) else None

    def error(self) -> ParseException:
        if self.i < len(self.tokens):
            _, tok, pos = self.tokens[self.i]
            near = f"'{tok}'"
        else:
            near, pos = "end of input", len(self.text.rstrip())
        return ParseException(
            "PARSE_SYNTAX_ERROR", f"Syntax error at or near {near}.", self.text, pos
        )

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise self.error()
        self.i += 1
        return self.tokens[self.i - 1][1]

    def accept(self, expected: str) -> bool:
        if self.peek() == expected:
            self.i += 1
            return True
        return False

    def at_end(self) -> bool:
        return self.i == len(self.tokens)

    def integer(self) -> int:
        tok = self.take()
        if not re.fullmatch(r"-?\d+", tok):
            self.i -= 1
            raise self.error()
        return int(tok)

    def name(self) -> str:
        if self.i >= len(self.tokens) or self.tokens[self.i][0] not in ("word", "quoted"):
            raise self.error()
        kind, tok, _ = self.tokens[self.i]
        self.i += 1
        return tok[1:-1].replace("``", "`") if kind == "quoted" else tok

    def datatype(self) -> T.DataType:
        if self.i >= len(self.tokens) or self.tokens[self.i][0] != "word":
            raise self.error()
        start = self.i
        word = self.take().lower()
        if word in _SIMPLE:
            return _SIMPLE[word]()
        if word == "array":
            self.take("<")
            element = self.datatype()
            self.take(">")
            return T.ArrayType(element, True)
        if word == "map":
            self.take("<")
            key = self.datatype()
            self.take(",")
            value = self.datatype()
            self.take(">")
            return T.MapType(key, value, True)
        if word == "struct":
            self.take("<")
            fields = [] if self.peek() == ">" else self.fields(colon_optional=True)
            self.take(">")
            return T.StructType(fields)
        if word in ("decimal", "dec", "numeric"):
            if not self.accept("("):
                return T.DecimalType()
            precision = self.integer()
            scale = self.integer() if self.accept(",") else 0
            self.take(")")
            return T.DecimalType(precision, scale)
        if word == "interval":
            return self.interval()
        _, tok, pos = self.tokens[start]
        raise ParseException(
            "UNSUPPORTED_DATATYPE", f'Unsupported data type "{tok.upper()}".', self.text, pos
        )

    def interval(self) -> T.DataType:
        start = self.take().lower()
        end = self.take().lower() if self.accept("to") else start
        for units, cls in (
            (_DAY_TIME, T.DayTimeIntervalType),
            (_YEAR_MONTH, T.YearMonthIntervalType),
        ):
            if start in units and end in units and units[start] <= units[end]:
                return cls(units[start], units[end])
        self.i -= 1
        raise self.error()

    def field(self, colon_optional: bool) -> T.StructField:
        name = self.name()
        if not self.accept(":") and not colon_optional:
            raise self.error()
        dtype = self.datatype()
        nullable = True
        metadata = None
        if self.accept("not"):
            self.take("null")
            nullable = False
        if self.accept("comment"):
            if self.i >= len(self.tokens) or self.tokens[self.i][0] != "string":
                raise self.error()
            comment = re.sub(r"\\(.)", r"\1", self.take()[1:-1])
            metadata = {"comment": comment}
        return T.StructField(name, dtype, nullable, metadata)

    def fields(self, colon_optional: bool) -> list[T.StructField]:
        fields = [self.field(colon_optional)]
        while self.accept(","):
            fields.append(self.field(colon_optional))
        return fields


def parse_ddl(text: str) -> T.DataType:
    """Parses a DDL type or column list; see :func:`sparklet.sql.types._parse_datatype_string`."""
    # Spark tries the string as one type first, then as a table schema (a column list).
    parser = _Parser(text)
    if parser.at_end():
        return T.StructType([])
    try:
        dtype = parser.datatype()
        if parser.at_end():
            return dtype
        first = parser.error()
    except ParseException as e:
        first = e
    reached = parser.i
    parser = _Parser(text)
    try:
        fields = parser.fields(colon_optional=True)
        if not parser.at_end():
            raise parser.error()
    except ParseException as e:
        # The reading that got further names the real mistake.
        raise (e if parser.i >= reached else first) from None
    return T.StructType(fields)
