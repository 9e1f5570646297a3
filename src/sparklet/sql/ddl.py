"""Spark's DDL type strings (``"a INT, b array<string>"``) parsed into data types.

A small recursive-descent parser over Spark's type grammar: a list of columns
(``name type [NOT NULL] [COMMENT 'text']``), a single type, or the legacy ``name: type, ...``
(a struct's fields without ``struct<>``), tried in that order as PySpark does.
"""

from __future__ import annotations

import re

from sparklet.sql import types as T

_TOKEN = re.compile(
    r"\s*(?:(?P<quoted>`(?:[^`]|``)*`)|(?P<string>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<word>\w+)|(?P<punct><>|[<>(),:]|\S))"
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
    ``UNSUPPORTED_DATATYPE``, ...).
    """

    def __init__(self, condition: str, message: str, text: str, pos: int | None):
        self._condition = condition
        self.pos = pos
        head = f"\n[{condition}] {message} SQLSTATE: {_SQLSTATE[condition]}"
        if pos is None:  # Spark's errors found after parsing carry the text, no position
            super().__init__(f"{head}\n== SQL ==\n{text}")
        else:
            pointer = "-" * pos + "^^^"
            super().__init__(f"{head} (line 1, pos {pos})\n\n== SQL ==\n{text}\n{pointer}\n")

    def getCondition(self) -> str:
        return self._condition


class ArithmeticException(ArithmeticError):
    """A decimal type over 38 digits, as PySpark's ``ArithmeticException``."""

    def __init__(self, condition: str, message: str):
        self._condition = condition
        super().__init__(f"[{condition}] {message} SQLSTATE: 22003")

    def getCondition(self) -> str:
        return self._condition


_INVALID_IDENTIFIER = (
    "The unquoted identifier %s is invalid and must be back quoted as: `%s`.\n"
    "Unquoted identifiers can only contain ASCII letters ('a' - 'z', 'A' - 'Z'), digits "
    "('0' - '9'), and underbar ('_').\nUnquoted identifiers must also not start with a digit."
    "\nDifferent data sources and meta stores may impose additional restrictions on valid "
    "identifiers."
)
_SQLSTATE = {
    "PARSE_SYNTAX_ERROR": "42601", "UNSUPPORTED_DATATYPE": "0A000",
    "DATATYPE_MISSING_SIZE": "42K01", "DECIMAL_SCALE_EXCEEDS_PRECISION": "22003",
    "INVALID_IDENTIFIER": "42602",
}  # fmt: skip


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
        # Spark checks type names and sizes only once the text parses: a syntax error
        # anywhere wins over them; the first of them is raised after a clean parse.
        self.deferred: Exception | None = None

    def peek(self) -> str | None:
        return self.tokens[self.i][1].lower() if self.i < len(self.tokens) else None

    def error(self, missing: str = "") -> ParseException:
        if self.i < len(self.tokens):
            _, tok, pos = self.tokens[self.i]
            near = f"'{tok}'"
        else:
            near, pos = "end of input", len(self.text.rstrip())
        if missing:
            near += f": missing '{missing}'"
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
        kind, tok, pos = self.tokens[self.i]
        self.i += 1
        if kind == "quoted":
            return tok[1:-1].replace("``", "`")
        if not tok.isascii():
            self.defer(ParseException("INVALID_IDENTIFIER", _INVALID_IDENTIFIER % (tok, tok),
                                      self.text, pos))  # fmt: skip
        return tok

    def defer(self, error: Exception) -> None:
        if self.deferred is None:
            self.deferred = error

    def datatype(self) -> T.DataType:
        if self.i >= len(self.tokens) or self.tokens[self.i][0] not in ("word", "quoted"):
            raise self.error()
        start = self.i
        quoted = self.tokens[start][0] == "quoted"
        word = "" if quoted else self.take().lower()  # a quoted name is never a known type
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
            if self.accept("<>"):
                return T.StructType([])
            self.take("<")
            fields = [] if self.peek() == ">" else self.fields(colon=True)
            self.take(">")
            return T.StructType(fields)
        if word in ("decimal", "dec", "numeric"):
            if not self.accept("("):
                return T.DecimalType()
            precision = self.integer()
            scale = self.integer() if self.accept(",") else 0
            self.take(")")
            if precision > 38:
                message = f"Decimal precision {precision} exceeds max precision 38."
                self.defer(ArithmeticException("DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION", message))
            elif scale > precision:
                message = f"Decimal scale ({scale}) cannot be greater than precision ({precision})."
                self.defer(
                    ParseException("DECIMAL_SCALE_EXCEEDS_PRECISION", message, self.text, None)
                )
            return T.DecimalType(precision, scale)
        if word == "interval":
            return self.interval()
        if word == "time":
            if not self.accept("("):
                return T.TimeType()
            precision = self.integer()
            self.take(")")
            return T.TimeType(precision)
        _, tok, pos = self.tokens[start]
        if word in ("char", "varchar", "character"):
            if self.accept("("):
                length = self.integer()
                self.take(")")
                return T.VarcharType(length) if word == "varchar" else T.CharType(length)
            name = tok.upper()
            message = (f'DataType "{name}" requires a length parameter, for example '
                       f'"{name}"(10). Please specify the length.')  # fmt: skip
            self.defer(ParseException("DATATYPE_MISSING_SIZE", message, self.text, pos))
            return T.NullType()
        if quoted:
            tok = self.name()
        message = f'Unsupported data type "{tok.upper()}".'
        self.defer(ParseException("UNSUPPORTED_DATATYPE", message, self.text, pos))
        if self.accept("("):  # the grammar allows any name with sizes, e.g. foo(5, 2)
            self.integer()
            while self.accept(","):
                self.integer()
            self.take(")")
        return T.NullType()

    def interval(self) -> T.DataType:
        if self.peek() not in _DAY_TIME and self.peek() not in _YEAR_MONTH:
            return T.CalendarIntervalType()
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

    def field(self, colon: bool) -> T.StructField:
        # Inside struct<...> a colon may follow the name; in a column list it may not.
        name = self.name()
        if colon:
            self.accept(":")
        dtype = self.datatype()
        nullable = True
        metadata = None
        if self.accept("not"):
            if not self.accept("null"):
                raise self.error(missing="NULL")
            nullable = False
        if self.accept("comment"):
            if not self.is_string():
                raise self.error()
            parts = []
            while self.is_string():  # adjacent literals concatenate, as in SQL
                parts.append(re.sub(r"\\(.)", r"\1", self.take()[1:-1]))
            metadata = {"comment": "".join(parts)}
        return T.StructField(name, dtype, nullable, metadata)

    def is_string(self) -> bool:
        return self.i < len(self.tokens) and self.tokens[self.i][0] == "string"

    def fields(self, colon: bool) -> list[T.StructField]:
        fields = [self.field(colon)]
        while self.accept(","):
            fields.append(self.field(colon))
        return fields

    def finish(self, dtype: T.DataType) -> T.DataType:
        if not self.at_end():
            raise self.error()
        if self.deferred is not None:
            raise self.deferred
        return dtype


def parse_ddl(text: str) -> T.DataType:
    """Parses a DDL type or column list; see :func:`sparklet.sql.types._parse_datatype_string`."""
    # As PySpark: a column list ("a int, b string") first, then a single type, then the
    # legacy "a: int, b: string" as the fields of a struct; a failure reports the first error.
    parser = _Parser(text)
    try:
        return parser.finish(T.StructType(parser.fields(colon=False) if parser.tokens else []))
    except (ParseException, ArithmeticException) as e:
        first = e
    for attempt in (text, "struct<%s>" % text.strip()):
        parser = _Parser(attempt)
        try:
            return parser.finish(parser.datatype())
        except (ParseException, ArithmeticException):
            pass
    raise first
