"""Spark SQL data types and :class:`Row`, as ``pyspark.sql.types`` (PySpark 4.x).

Every type has PySpark's ``repr``, ``simpleString()`` (the DDL form), ``typeName()``,
``jsonValue()``/``json()`` (the schema JSON Spark stores) and equality; the atomic types
without parameters are singletons, as in PySpark (but for ``StringType``, which carries a
collation in PySpark 4).

>>> s = StructType([StructField("a", IntegerType()), StructField("b", ArrayType(LongType()))])
>>> s.simpleString(), s["b"]
('struct<a:int,b:array<bigint>>', StructField('b', ArrayType(LongType(), True), True))
>>> _parse_datatype_string("a INT, b map<string, decimal(5,2)>").simpleString()
'struct<a:int,b:map<string,decimal(5,2)>>'
"""

from __future__ import annotations

import calendar
import datetime
import json
import re
import time
from collections.abc import Iterator
from typing import Any, ClassVar

__all__ = [
    "DataType", "NullType", "CharType", "StringType", "VarcharType", "BinaryType",
    "BooleanType", "DateType", "TimestampType", "TimestampNTZType", "DecimalType",
    "DoubleType", "FloatType",
    "ByteType", "IntegerType", "LongType", "DayTimeIntervalType", "YearMonthIntervalType",
    "CalendarIntervalType", "TimeType",
    "Row", "ShortType", "ArrayType", "MapType", "StructField", "StructType",
]  # fmt: skip

_JVM_INT_MAX = 2**31 - 1


class DataType:
    """Base class for data types."""

    def __repr__(self) -> str:
        return self.__class__.__name__ + "()"

    def __hash__(self) -> int:
        return hash(str(self))

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, self.__class__) and self.__dict__ == other.__dict__

    def __ne__(self, other: Any) -> bool:
        return not self.__eq__(other)

    @classmethod
    def typeName(cls) -> str:
        return cls.__name__[:-4].lower()

    def simpleString(self) -> str:
        return self.typeName()

    def jsonValue(self) -> str | dict[str, Any]:
        return self.typeName()

    def json(self) -> str:
        return json.dumps(self.jsonValue(), separators=(",", ":"), sort_keys=True)

    def needConversion(self) -> bool:
        """Whether values of this type differ between Python and Spark's internal form."""
        return False

    def toInternal(self, obj: Any) -> Any:
        """Converts a Python object into Spark's internal form."""
        return obj

    def fromInternal(self, obj: Any) -> Any:
        """Converts Spark's internal form into a Python object."""
        return obj

    @classmethod
    def fromDDL(cls, ddl: str) -> DataType:
        """Creates a :class:`DataType` from a DDL string.

        >>> DataType.fromDDL("b string, a int")
        StructType([StructField('b', StringType(), True), StructField('a', IntegerType(), True)])
        >>> DataType.fromDDL("decimal(10,10)")
        DecimalType(10,10)
        """
        return _parse_datatype_string(ddl)

    def _tree_name(self) -> str:
        # printSchema names types as the JVM does: "integer", but "decimal(5,2)".
        return self.typeName()


class DataTypeSingleton(type):
    """Metaclass making a parameterless type one instance (``IntegerType() is IntegerType()``)."""

    _instances: ClassVar[dict[type, Any]] = {}

    def __call__(cls):  # type: ignore[no-untyped-def]
        if cls not in cls._instances:
            cls._instances[cls] = super().__call__()
        return cls._instances[cls]


class NullType(DataType, metaclass=DataTypeSingleton):
    """Null type: the type of ``None``, ``void`` in DDL."""

    @classmethod
    def typeName(cls) -> str:
        return "void"


class AtomicType(DataType):
    """An internal type for things that are not arrays, maps or structs."""


class NumericType(AtomicType):
    """Numeric data types."""


class IntegralType(NumericType, metaclass=DataTypeSingleton):
    """Integral data types."""


class FractionalType(NumericType):
    """Fractional data types."""


class StringType(AtomicType):
    """String data type (UTF8_BINARY collation; collations are not supported).

    Not a singleton: in PySpark 4 a StringType carries its collation.
    """


class _LengthType(AtomicType):
    _name: ClassVar[str] = ""

    def __init__(self, length: int):
        self.length = length

    def simpleString(self) -> str:
        return "%s(%d)" % (self._name, self.length)

    jsonValue = simpleString  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "%s(%d)" % (type(self).__name__, self.length)

    def _tree_name(self) -> str:
        return self.simpleString()


class CharType(_LengthType):
    """Char data type: a string of a fixed length.

    >>> CharType(5), CharType(5).simpleString()
    (CharType(5), 'char(5)')
    """

    _name = "char"


class VarcharType(_LengthType):
    """Varchar data type: a string with a length limit.

    >>> VarcharType(3).json()
    '"varchar(3)"'
    """

    _name = "varchar"


class BinaryType(AtomicType, metaclass=DataTypeSingleton):
    """Binary (``bytearray``) data type."""


class BooleanType(AtomicType, metaclass=DataTypeSingleton):
    """Boolean data type."""


class DatetimeType(AtomicType):
    """Super class of the datetime types."""


class DateType(DatetimeType, metaclass=DataTypeSingleton):
    """Date (``datetime.date``) data type, held internally as days since the epoch.

    >>> DateType().toInternal(datetime.date(1970, 1, 11))
    10
    >>> DateType().fromInternal(10)
    datetime.date(1970, 1, 11)
    """

    EPOCH_ORDINAL = datetime.datetime(1970, 1, 1).toordinal()

    def needConversion(self) -> bool:
        return True

    def toInternal(self, d: datetime.date | None) -> int | None:
        if d is not None:
            return d.toordinal() - self.EPOCH_ORDINAL
        return None

    def fromInternal(self, v: int | None) -> datetime.date | None:
        if v is not None:
            return datetime.date.fromordinal(v + self.EPOCH_ORDINAL)
        return None


class TimestampType(DatetimeType, metaclass=DataTypeSingleton):
    """Timestamp (``datetime.datetime``) data type, microseconds since the epoch.

    A naive datetime is in the local time zone; an aware one is converted from its zone.

    >>> utc = datetime.timezone.utc
    >>> TimestampType().toInternal(datetime.datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=utc))
    1000005
    """

    def needConversion(self) -> bool:
        return True

    def toInternal(self, dt: datetime.datetime | None) -> int | None:
        if dt is not None:
            seconds = (
                calendar.timegm(dt.utctimetuple()) if dt.tzinfo else time.mktime(dt.timetuple())
            )
            return int(seconds) * 1000000 + dt.microsecond
        return None

    def fromInternal(self, ts: int | None) -> datetime.datetime | None:
        if ts is not None:
            return datetime.datetime.fromtimestamp(ts // 1000000).replace(microsecond=ts % 1000000)
        return None


class TimestampNTZType(DatetimeType, metaclass=DataTypeSingleton):
    """Timestamp without time zone (a naive ``datetime.datetime``).

    >>> TimestampNTZType().toInternal(datetime.datetime(1970, 1, 2))
    86400000000
    >>> TimestampNTZType().fromInternal(86400000001)
    datetime.datetime(1970, 1, 2, 0, 0, 0, 1)
    """

    def needConversion(self) -> bool:
        return True

    @classmethod
    def typeName(cls) -> str:
        return "timestamp_ntz"

    def toInternal(self, dt: datetime.datetime | None) -> int | None:
        if dt is not None:
            return calendar.timegm(dt.timetuple()) * 1000000 + dt.microsecond
        return None

    def fromInternal(self, ts: int | None) -> datetime.datetime | None:
        if ts is not None:
            utc = datetime.datetime.fromtimestamp(ts // 1000000, datetime.UTC)
            return utc.replace(microsecond=ts % 1000000, tzinfo=None)
        return None


class DecimalType(FractionalType):
    """Decimal (``decimal.Decimal``) data type with a fixed precision and scale.

    >>> DecimalType(), DecimalType(5, 2).simpleString()
    (DecimalType(10,0), 'decimal(5,2)')
    """

    def __init__(self, precision: int = 10, scale: int = 0):
        self.precision = precision
        self.scale = scale
        self.hasPrecisionInfo = True

    def simpleString(self) -> str:
        return "decimal(%d,%d)" % (self.precision, self.scale)

    def jsonValue(self) -> str:
        return "decimal(%d,%d)" % (self.precision, self.scale)

    def __repr__(self) -> str:
        return "DecimalType(%d,%d)" % (self.precision, self.scale)

    def _tree_name(self) -> str:
        return self.simpleString()


class DoubleType(FractionalType, metaclass=DataTypeSingleton):
    """Double data type (a 64-bit float)."""


class FloatType(FractionalType, metaclass=DataTypeSingleton):
    """Float data type (a 32-bit float)."""


class ByteType(IntegralType):
    """Byte data type: signed 8-bit integers."""

    def simpleString(self) -> str:
        return "tinyint"


class IntegerType(IntegralType):
    """Int data type: signed 32-bit integers."""

    def simpleString(self) -> str:
        return "int"


class LongType(IntegralType):
    """Long data type: signed 64-bit integers."""

    def simpleString(self) -> str:
        return "bigint"


class ShortType(IntegralType):
    """Short data type: signed 16-bit integers."""

    def simpleString(self) -> str:
        return "smallint"


# The time and interval types live in their own module; it needs the classes above.
from sparklet.sql.temporal import (  # noqa: E402, F401
    AnsiIntervalType,
    CalendarIntervalType,
    DayTimeIntervalType,
    TimeType,
    YearMonthIntervalType,
)


class ArrayType(DataType):
    """Array data type.

    >>> ArrayType(StringType()) == ArrayType(StringType(), True)
    True
    >>> ArrayType(StringType(), False).simpleString()
    'array<string>'
    """

    def __init__(self, elementType: DataType, containsNull: bool = True):
        if not isinstance(elementType, DataType):
            raise AssertionError(
                "elementType %s should be an instance of %s" % (elementType, DataType)
            )
        self.elementType = elementType
        self.containsNull = containsNull

    def simpleString(self) -> str:
        return "array<%s>" % self.elementType.simpleString()

    def __repr__(self) -> str:
        return "ArrayType(%s, %s)" % (self.elementType, self.containsNull)

    def jsonValue(self) -> dict[str, Any]:
        return {
            "type": self.typeName(),
            "elementType": self.elementType.jsonValue(),
            "containsNull": self.containsNull,
        }

    @classmethod
    def fromJson(cls, json: dict[str, Any]) -> ArrayType:
        return ArrayType(_parse_datatype_json_value(json["elementType"]), json["containsNull"])

    def toNullable(self) -> ArrayType:
        """The same type with every nullability flag inside it true."""
        return ArrayType(_nullable(self.elementType), True)

    def needConversion(self) -> bool:
        return self.elementType.needConversion()

    def toInternal(self, obj: list | None) -> list | None:
        if not self.needConversion():
            return obj
        return obj and [self.elementType.toInternal(v) for v in obj]

    def fromInternal(self, obj: list | None) -> list | None:
        if not self.needConversion():
            return obj
        return obj and [self.elementType.fromInternal(v) for v in obj]

    def _tree(self, prefix: str, out: list[str], depth: int) -> None:
        if depth > 0:
            out.append(f"{prefix}-- element: {self.elementType._tree_name()} "
                       f"(containsNull = {str(self.containsNull).lower()})\n")  # fmt: skip
            _tree_children(self.elementType, prefix + "    |", out, depth)


class MapType(DataType):
    """Map data type; keys are never null.

    >>> MapType(StringType(), IntegerType())
    MapType(StringType(), IntegerType(), True)
    >>> MapType(StringType(), IntegerType(), False).simpleString()
    'map<string,int>'
    """

    def __init__(self, keyType: DataType, valueType: DataType, valueContainsNull: bool = True):
        for what, t in (("keyType", keyType), ("valueType", valueType)):
            if not isinstance(t, DataType):
                raise AssertionError("%s %s should be an instance of %s" % (what, t, DataType))
        self.keyType = keyType
        self.valueType = valueType
        self.valueContainsNull = valueContainsNull

    def simpleString(self) -> str:
        return "map<%s,%s>" % (self.keyType.simpleString(), self.valueType.simpleString())

    def __repr__(self) -> str:
        return "MapType(%s, %s, %s)" % (self.keyType, self.valueType, self.valueContainsNull)

    def jsonValue(self) -> dict[str, Any]:
        return {
            "type": self.typeName(),
            "keyType": self.keyType.jsonValue(),
            "valueType": self.valueType.jsonValue(),
            "valueContainsNull": self.valueContainsNull,
        }

    @classmethod
    def fromJson(cls, json: dict[str, Any]) -> MapType:
        return MapType(
            _parse_datatype_json_value(json["keyType"]),
            _parse_datatype_json_value(json["valueType"]),
            json["valueContainsNull"],
        )

    def toNullable(self) -> MapType:
        """The same type with every nullability flag inside it true."""
        return MapType(_nullable(self.keyType), _nullable(self.valueType), True)

    def needConversion(self) -> bool:
        return self.keyType.needConversion() or self.valueType.needConversion()

    def toInternal(self, obj: dict | None) -> dict | None:
        if not self.needConversion():
            return obj
        kt, vt = self.keyType, self.valueType
        return obj and {kt.toInternal(k): vt.toInternal(v) for k, v in obj.items()}

    def fromInternal(self, obj: dict | None) -> dict | None:
        if not self.needConversion():
            return obj
        kt, vt = self.keyType, self.valueType
        return obj and {kt.fromInternal(k): vt.fromInternal(v) for k, v in obj.items()}

    def _tree(self, prefix: str, out: list[str], depth: int) -> None:
        if depth > 0:
            out.append(f"{prefix}-- key: {self.keyType._tree_name()}\n")
            _tree_children(self.keyType, prefix + "    |", out, depth)
            flag = str(self.valueContainsNull).lower()
            value = self.valueType._tree_name()
            out.append(f"{prefix}-- value: {value} (valueContainsNull = {flag})\n")
            _tree_children(self.valueType, prefix + "    |", out, depth)


class StructField(DataType):
    """A field in a :class:`StructType`.

    >>> StructField("f1", StringType(), True) == StructField("f1", StringType(), True)
    True
    >>> StructField("f1", StringType(), True) == StructField("f2", StringType(), True)
    False
    """

    def __init__(
        self,
        name: str,
        dataType: DataType,
        nullable: bool = True,
        metadata: dict[str, Any] | None = None,
    ):
        if not isinstance(dataType, DataType):
            raise AssertionError("dataType %s should be an instance of %s" % (dataType, DataType))
        if not isinstance(name, str):
            raise AssertionError("field name %s should be a string" % (name,))
        self.name = name
        self.dataType = dataType
        self.nullable = nullable
        self.metadata = metadata or {}

    def simpleString(self) -> str:
        return "%s:%s" % (self.name, self.dataType.simpleString())

    def __repr__(self) -> str:
        return "StructField('%s', %s, %s)" % (self.name, self.dataType, self.nullable)

    def jsonValue(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.dataType.jsonValue(),
            "nullable": self.nullable,
            "metadata": self.metadata,
        }

    @classmethod
    def fromJson(cls, json: dict[str, Any]) -> StructField:
        return StructField(
            json["name"],
            _parse_datatype_json_value(json["type"]),
            json.get("nullable", True),
            json.get("metadata"),
        )

    def needConversion(self) -> bool:
        return self.dataType.needConversion()

    def toInternal(self, obj: Any) -> Any:
        return self.dataType.toInternal(obj)

    def fromInternal(self, obj: Any) -> Any:
        return self.dataType.fromInternal(obj)

    def typeName(self) -> str:  # type: ignore[override]
        raise TypeError(
            "[INVALID_TYPENAME_CALL] StructField does not have typeName. "
            "Use typeName on its type explicitly instead."
        )

    def _tree(self, prefix: str, out: list[str], depth: int) -> None:
        if depth > 0:
            name = _escape_meta(self.name)
            out.append(f"{prefix}-- {name}: {self.dataType._tree_name()} "
                       f"(nullable = {str(self.nullable).lower()})\n")  # fmt: skip
            _tree_children(self.dataType, prefix + "    |", out, depth)


class StructType(DataType):
    """Struct type: a list of :class:`StructField`, the type of a :class:`Row`.

    A field is found by name or position; iterating gives the fields.

    >>> struct = StructType([StructField("f1", StringType(), True)])
    >>> struct["f1"], struct[0]
    (StructField('f1', StringType(), True), StructField('f1', StringType(), True))
    >>> struct.add("f2", IntegerType(), False).fieldNames()
    ['f1', 'f2']
    >>> print(struct.treeString())
    root
     |-- f1: string (nullable = true)
     |-- f2: integer (nullable = false)
    <BLANKLINE>
    """

    def __init__(self, fields: list[StructField] | None = None):
        self.fields: list[StructField] = list(fields) if fields else []
        if not all(isinstance(f, StructField) for f in self.fields):
            raise AssertionError("fields should be a list of StructField")
        self.names: list[str] = [f.name for f in self.fields]
        self._refresh()

    def _refresh(self) -> None:
        # Which fields convert is computed once: toInternal/fromInternal run per row.
        self._needConversion = [f.needConversion() for f in self.fields]
        self._needSerializeAnyField = any(self._needConversion)

    def add(
        self,
        field: str | StructField,
        data_type: str | DataType | None = None,
        nullable: bool = True,
        metadata: dict[str, Any] | None = None,
    ) -> StructType:
        """Appends a field (a :class:`StructField`, or its name, type, nullable, metadata).

        A type given as a string is read as a JSON type name (``"integer"``, ``"long"``), as
        PySpark does.

        >>> StructType().add("f1", "string", True).add(StructField("f2", LongType()))
        StructType([StructField('f1', StringType(), True), StructField('f2', LongType(), True)])
        """
        if isinstance(field, StructField):
            new = field
        else:
            if data_type is None:
                raise ValueError(
                    "[ARGUMENT_REQUIRED] Argument `data_type` is required when passing name "
                    "of struct_field to create."
                )
            if isinstance(data_type, str):
                data_type = _parse_datatype_json_value(data_type)
            new = StructField(field, data_type, nullable, metadata)
        self.fields.append(new)
        self.names.append(new.name)
        self._refresh()
        return self

    def __iter__(self) -> Iterator[StructField]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def __getitem__(self, key: str | int | slice) -> Any:
        if isinstance(key, str):
            for field in self.fields:
                if field.name == key:
                    return field
            raise _KeyError("[KEY_NOT_EXISTS] Key `%s` does not exist." % key)
        if isinstance(key, int):
            try:
                return self.fields[key]
            except IndexError:
                raise IndexError(
                    "[INDEX_OUT_OF_RANGE] StructType index out of range, got '%s'." % key
                ) from None
        if isinstance(key, slice):
            return StructType(self.fields[key])
        raise TypeError(
            "[NOT_EXPECTED_TYPE] Argument `key` should be int, slice or str, got %s."
            % type(key).__name__
        )

    def simpleString(self) -> str:
        return "struct<%s>" % ",".join(f.simpleString() for f in self.fields)

    def __repr__(self) -> str:
        return "StructType([%s])" % ", ".join(str(f) for f in self.fields)

    def jsonValue(self) -> dict[str, Any]:
        return {"type": self.typeName(), "fields": [f.jsonValue() for f in self.fields]}

    @classmethod
    def fromJson(cls, json: dict[str, Any]) -> StructType:
        """Builds a StructType from its JSON form (``json.loads(schema.json())``).

        >>> StructType.fromJson({"type": "struct", "fields": [
        ...     {"name": "a", "type": "long", "nullable": False, "metadata": {}}]})
        StructType([StructField('a', LongType(), False)])
        """
        return StructType([StructField.fromJson(f) for f in json["fields"]])

    def fieldNames(self) -> list[str]:
        """All field names, in order."""
        return list(self.names)

    def toNullable(self) -> StructType:
        """The same type with every nullability flag inside it true."""
        return StructType(
            [StructField(f.name, _nullable(f.dataType), True, f.metadata) for f in self.fields]
        )

    def treeString(self, maxDepth: int = _JVM_INT_MAX) -> str:
        """The schema as ``printSchema()`` prints it; ``maxDepth`` levels (all if <= 0)."""
        out = ["root\n"]
        depth = maxDepth if maxDepth > 0 else _JVM_INT_MAX
        self._tree(" |", out, depth)
        return "".join(out)

    def _tree(self, prefix: str, out: list[str], depth: int) -> None:
        for field in self.fields:
            field._tree(prefix, out, depth)

    def needConversion(self) -> bool:
        # Rows are always converted to and from tuples.
        return True

    def toInternal(self, obj: Any) -> tuple | None:
        if obj is None:
            return None
        convert = self._needSerializeAnyField
        if isinstance(obj, dict):
            values = [obj.get(n) for n in self.names]
        elif isinstance(obj, (tuple, list)):
            values = list(obj)
        elif hasattr(obj, "__dict__"):
            values = [obj.__dict__.get(n) for n in self.names]
        else:
            raise ValueError(
                "[UNEXPECTED_TUPLE_WITH_STRUCT] Unexpected tuple %s with StructType." % (obj,)
            )
        if not convert:
            return tuple(values)
        return tuple(
            f.toInternal(v) if c else v
            for f, v, c in zip(self.fields, values, self._needConversion, strict=False)
        )

    def fromInternal(self, obj: tuple | None) -> Row | None:
        if obj is None:
            return None
        if isinstance(obj, Row):
            return obj
        values: Any = obj
        if self._needSerializeAnyField:
            values = [
                f.fromInternal(v) if c else v
                for f, v, c in zip(self.fields, obj, self._needConversion, strict=False)
            ]
        return _create_row(self.names, values)


def _nullable(dt: DataType) -> DataType:
    return dt.toNullable() if isinstance(dt, (ArrayType, MapType, StructType)) else dt


# Spark's SchemaUtils.escapeMetaCharacters: control characters that would break a printed
# schema or table, written as their escapes (a newline prints as the two characters "\n").
_META_ESCAPES = str.maketrans({
    "\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f", "\b": "\\b",
    "\u000b": "\\v", "\u0007": "\\a",
})  # fmt: skip


def _escape_meta(text: str) -> str:
    """Spark's ``SchemaUtils.escapeMetaCharacters`` (used by printSchema and show)."""
    return text.translate(_META_ESCAPES)


def _tree_children(dt: DataType, prefix: str, out: list[str], depth: int) -> None:
    if isinstance(dt, (ArrayType, MapType, StructType)):
        dt._tree(prefix, out, depth - 1)


_atomic_types: list[type[DataType]] = [
    NullType, StringType, BinaryType, BooleanType, DateType, TimestampType,
    TimestampNTZType, DecimalType, DoubleType, FloatType, ByteType, IntegerType,
    LongType, ShortType, DayTimeIntervalType, YearMonthIntervalType, CalendarIntervalType,
]  # fmt: skip
_all_atomic_types = {t.typeName(): t for t in _atomic_types}
_all_complex_types: dict[str, type[DataType]] = {
    "array": ArrayType, "map": MapType, "struct": StructType,
}  # fmt: skip
_FIXED_DECIMAL = re.compile(r"decimal\(\s*(\d+)\s*,\s*(-?\d+)\s*\)")
_TIME = re.compile(r"time\(\s*(\d+)\s*\)")
_LENGTH = re.compile(r"(char|varchar)\(\s*(\d+)\s*\)")
_INTERVAL = re.compile(r"interval (\w+)(?: to (\w+))?")


def _parse_datatype_json_string(json_string: str) -> DataType:
    """Parses a type from its JSON string (:meth:`DataType.json`).

    >>> _parse_datatype_json_string(ArrayType(DecimalType(5, 2), False).json())
    ArrayType(DecimalType(5,2), False)
    """
    return _parse_datatype_json_value(json.loads(json_string))


def _parse_datatype_json_value(json_value: dict | str) -> DataType:
    if isinstance(json_value, dict):
        tpe = json_value["type"]
        if tpe not in _all_complex_types:
            raise ValueError("[UNSUPPORTED_DATA_TYPE] Unsupported DataType `%s`." % tpe)
        return _all_complex_types[tpe].fromJson(json_value)  # type: ignore[attr-defined]
    if json_value in _all_atomic_types:
        return _all_atomic_types[json_value]()
    if m := _FIXED_DECIMAL.match(json_value):
        return DecimalType(int(m.group(1)), int(m.group(2)))
    if m := _TIME.match(json_value):
        return TimeType(int(m.group(1)))
    if m := _LENGTH.match(json_value):
        return (CharType if m.group(1) == "char" else VarcharType)(int(m.group(2)))
    if m := _INTERVAL.match(json_value):
        for cls in (DayTimeIntervalType, YearMonthIntervalType):
            names = {v: k for k, v in cls._fields.items()}
            if m.group(1) in names and (m.group(2) is None or m.group(2) in names):
                end = names[m.group(2)] if m.group(2) else None
                return cls(names[m.group(1)], end)
    raise ValueError("[CANNOT_PARSE_DATATYPE] Unable to parse datatype. %s." % json_value)


def _parse_datatype_string(s: str) -> DataType:
    """Parses a DDL type string: a ``simpleString()``, or a struct's fields without ``struct<>``.

    >>> _parse_datatype_string("a: byte, b: decimal(  16 , 8   ) ")
    StructType([StructField('a', ByteType(), True), StructField('b', DecimalType(16,8), True)])
    >>> _parse_datatype_string(" map<string , string > ")
    MapType(StringType(), StringType(), True)
    >>> _parse_datatype_string("array<int")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
        ...
    ParseException: [PARSE_SYNTAX_ERROR] Syntax error at or near '<'.
    """
    from sparklet.sql.ddl import parse_ddl

    return parse_ddl(s)


# Row and type inference live in their own modules; PySpark exposes them from here.
from sparklet.sql.infer import _infer_schema, _infer_type, _merge_type  # noqa: E402, F401
from sparklet.sql.row import Row, _create_row, _KeyError  # noqa: E402
