"""Cases run on both PySpark (record_types.py) and sparklet (test_types.py).

Each case is Python source evaluated with the ``types`` module's names in scope, so the
same text builds PySpark's objects and sparklet's.
"""

TYPES = [
    "NullType()", "StringType()", "BinaryType()", "BooleanType()", "DateType()",
    "TimestampType()", "TimestampNTZType()", "DecimalType()", "DecimalType(5, 2)",
    "DecimalType(38, 18)", "DoubleType()", "FloatType()", "ByteType()", "ShortType()",
    "IntegerType()", "LongType()", "DayTimeIntervalType()", "DayTimeIntervalType(1)",
    "DayTimeIntervalType(0, 2)", "DayTimeIntervalType(2, 3)", "YearMonthIntervalType()",
    "YearMonthIntervalType(1)", "YearMonthIntervalType(0, 0)",
    "ArrayType(IntegerType())", "ArrayType(StringType(), False)",
    "ArrayType(ArrayType(DecimalType(5, 2), False))",
    "MapType(StringType(), LongType())", "MapType(IntegerType(), ArrayType(DateType()), False)",
    "CharType(5)", "VarcharType(10)", "TimeType()", "TimeType(0)", "CalendarIntervalType()",
    "StructType([StructField('t', TimeType(3)), StructField('c', CalendarIntervalType())])",
    "StructType([StructField('c', CharType(3)), StructField('v', ArrayType(VarcharType(2)))])",
    "StructType()",
    "StructType([StructField('a', IntegerType())])",
    "StructType([StructField('a', IntegerType(), False), "
    "StructField('b', StringType(), True, {'x': 1})])",
    "StructType([StructField('s', StructType([StructField('t', ArrayType(MapType(StringType(), "
    "StructType([StructField('u', TimestampNTZType(), False)]), False)))]))])",
    "StructType([StructField('new\\nline', DayTimeIntervalType(1, 2)), "
    "StructField('w', YearMonthIntervalType(), False)])",
    "StructType().add('f1', 'integer').add('f2', LongType(), False, {'c': 'd'})"
    ".add(StructField('f3', BinaryType()))",
]  # fmt: skip

# Pairs whose equality and hash equality PySpark reports.
EQUALITY = [
    ("DecimalType()", "DecimalType(10, 0)"), ("DecimalType(5, 2)", "DecimalType(5, 3)"),
    ("ArrayType(IntegerType())", "ArrayType(IntegerType(), True)"),
    ("ArrayType(IntegerType())", "ArrayType(IntegerType(), False)"),
    ("MapType(StringType(), LongType())", "MapType(StringType(), LongType(), True)"),
    ("StructField('a', LongType())", "StructField('a', LongType(), True, {})"),
    ("StructField('a', LongType())", "StructField('a', LongType(), True, {'k': 1})"),
    ("StructType([StructField('a', LongType())])", "StructType().add('a', LongType())"),
    ("DayTimeIntervalType()", "DayTimeIntervalType(0, 3)"),
    ("IntegerType()", "LongType()"), ("StringType()", "StringType()"),
]  # fmt: skip

# Expressions evaluated with the types in scope; the repr of the result (or the name of the
# exception raised) is compared.
EXPRESSIONS = [
    "IntegerType() is IntegerType()", "DecimalType() is DecimalType()",
    "TimestampNTZType() is TimestampNTZType()", "StringType() is StringType()",
    "IntegerType().typeName(), LongType().typeName(), ByteType().typeName()",
    "DecimalType(3, 1).typeName(), NullType().typeName(), TimestampNTZType().typeName()",
    "ArrayType(LongType()).typeName(), MapType(LongType(), LongType()).typeName()",
    "StructType().typeName(), DayTimeIntervalType().typeName()",
    "StructType.typeName(), DataType.typeName()",
    "[t.needConversion() for t in (DateType(), TimestampType(), TimestampNTZType(), "
    "LongType(), DayTimeIntervalType(), ArrayType(DateType()), ArrayType(LongType()), "
    "MapType(LongType(), DateType()), StructType(), StructField('a', DateType()))]",
    "DateType().toInternal(datetime.date(2024, 2, 29)), DateType().toInternal(None)",
    "DateType().fromInternal(-1), DateType().fromInternal(19782)",
    "TimestampNTZType().toInternal(datetime.datetime(2024, 1, 5, 7, 8, 9, 5000))",
    "TimestampNTZType().fromInternal(1704438489005000)",
    "TimestampType().toInternal(datetime.datetime(2024, 1, 5, 7, 8, 9, 5, "
    "tzinfo=datetime.timezone(datetime.timedelta(hours=2))))",
    "TimestampType().toInternal(datetime.datetime(2024, 1, 5, 7, 8, 9, 5))",
    "TimestampType().fromInternal(1704438489000005)",
    "DayTimeIntervalType().toInternal(datetime.timedelta(days=-1, seconds=5, microseconds=7))",
    "DayTimeIntervalType().fromInternal(-86394999993)",
    "ArrayType(DateType()).toInternal([datetime.date(1970, 1, 2), None])",
    "ArrayType(DateType()).fromInternal([1, None]), ArrayType(DateType()).fromInternal(None)",
    "MapType(StringType(), DateType()).toInternal({'a': datetime.date(1970, 1, 3)})",
    "StructType([StructField('a', DateType()), StructField('b', LongType())])"
    ".toInternal({'b': 2, 'a': datetime.date(1970, 1, 2)})",
    "StructType([StructField('a', DateType()), StructField('b', LongType())])"
    ".toInternal(Row(b=2, a=datetime.date(1970, 1, 2)))",
    "StructType([StructField('a', DateType()), StructField('b', LongType())])"
    ".toInternal((datetime.date(1970, 1, 2), 3))",
    "StructType([StructField('a', LongType()), StructField('b', LongType())]).toInternal([1, 2])",
    "StructType([StructField('a', DateType()), StructField('b', LongType())]).fromInternal((1, 2))",
    "StructType([StructField('a', LongType())]).fromInternal((1,))",
    "s = StructType([StructField('a', LongType()), StructField('b', StringType())]); "
    "(s['b'], s[1], s[-1], s[0:1], len(s), [f.name for f in s], s.names, s.fieldNames())",
    "StructType([StructField('a', LongType())])['zz']",
    "StructType([StructField('a', LongType())])[5]",
    "StructType([StructField('a', LongType())])[1.5]",
    "StructType().add('a')",
    "StructType().add('a', 'long').add('b', 'decimal(5,2)').add('c', 'interval day')",
    "StructField('a', LongType()).typeName()",
    "StructField('a', LongType(), False).simpleString()",
    "ArrayType('int')", "StructField(1, LongType())",
    "StructType([StructField('a', ArrayType(LongType(), False), False)]).toNullable()",
    "MapType(StringType(), ArrayType(LongType(), False), False).toNullable()",
    "DataType.fromDDL('b string, a int')", "DataType.fromDDL('decimal(10,10)')",
    "StructType.fromJson({'type': 'struct', 'fields': [{'name': 'a', 'type': 'long'}]})",
    "_parse_datatype_json_string('\"interval hour to second\"')",
    "_parse_datatype_json_string('\"interval year\"')",
    "_parse_datatype_json_string('\"decimal( 5 , 2 )\"')",
    "_parse_datatype_json_string('\"bogus\"')",
    "_parse_datatype_json_string('{\"type\": \"bogus\"}')",
    "TimeType().toInternal(datetime.time(23, 59, 58, 999999)), TimeType().fromInternal(1)",
    "TimeType(3).fromInternal(86399999999000), CalendarIntervalType() is CalendarIntervalType()",
    "CalendarIntervalType().toInternal(1)", "_parse_datatype_json_string('\"time(2)\"')",
    "DayTimeIntervalType(5)", "DayTimeIntervalType(3, 1).simpleString()",
    "YearMonthIntervalType().toInternal(1)",
    # Row
    "Row(b=1, a=2)", "Row(b=1, a=2).asDict()", "Row('a', 'b')", "Row(1, 'x')",
    "Row('a', 'b')(1, 2)", "Row('a', 'b')(1)", "Row('a')(1, 2)", "Row('a', b=1)",
    "r = Row(a=1, b='x'); (r.a, r['b'], r[0], r[-1], r[:1], 'a' in r, 'z' in r, 1 in r)",
    "r = Row(a=1); r.zz", "r = Row(a=1); r['zz']", "r = Row(a=1); r.__zz__",
    "r = Row(a=1); r.a = 2", "r = Row(1, 2); (1 in r, 3 in r, r[1])",
    "Row(a=1, b=2) == (1, 2), Row(a=1, b=2) == Row(b=1, a=2), Row(a=1) == Row(b=1)",
    "Row(a=1, b=2) < Row(a=1, b=3), hash(Row(a=1, b=2)) == hash((1, 2))",
    "Row(a=Row(b=[Row(c=1), 2], d={'k': Row(e=3)})).asDict(True)",
    "Row(a=Row(b=1)).asDict()", "Row(1, 2).asDict()",
    "Row(a=None, b=[1.5, 'x'], c={'d': datetime.date(2024, 1, 2)})",
    "Row(a=1, b=Row(c=2)).count(1), Row(a=1, b=2).index(2)",
    "pickle.loads(pickle.dumps(Row(a=1, b=Row(c='x'))))",
    "pickle.loads(pickle.dumps(Row(a=1))).a",
    "pickle.loads(pickle.dumps(Row('a', 'b')))",
    "pickle.loads(pickle.dumps(Row('a', 'b')))(1, 2)",
    "copy.deepcopy(Row(a=[1]))",
    "pickle.loads(pickle.dumps(DecimalType(5, 2))), pickle.loads(pickle.dumps("
    "StructType([StructField('a', LongType())])))",
    "pickle.loads(pickle.dumps(LongType())) == LongType()",
    "str(Row(a=1)), str(IntegerType()), str(ArrayType(LongType()))",
]  # fmt: skip

DDL = [
    "int", "INT ", "a INT, b STRING", "array<int>", "map<string,int>",
    "struct<a:int,b:string>", "decimal(10,2)", "decimal", "decimal(7)", "dec(5, 1)",
    "numeric(4,2)", "a: byte, b: decimal(  16 , 8   ) ", "a DOUBLE, b STRING",
    "a: array< short>", " map<string , string > ", "boolean", "tinyint", "byte",
    "smallint", "short", "integer", "bigint", "long", "float", "real", "double", "date",
    "timestamp", "timestamp_ntz", "timestamp_ltz", "string", "binary", "void",
    "interval day to second", "interval hour", "interval year to month", "interval month",
    "interval minute to second", "STRUCT<A: INT, `b c`: STRING>", "struct<>",
    "struct<a int, b string>", "struct<a: int not null, b: string comment 'x y'>",
    "a int not null, b string", "a int comment 'hello', b bigint NOT NULL",
    "`a``b` int", "a: struct<b: array<map<string, decimal(5,2)>>>",
    "a array<struct<b:int>>, c map<int, array<string>>", "Array<Map<String, Int>>",
    "a int, b int", "x: int", "_1 long, _2 double", "1a int",
    # bad strings
    "blabla", "a: int,", "array<int", "map<int, boolean>>", "", "a int b",
    "struct<a int", "map<int>", "array<>", "decimal(5,", "decimal(x)", "a int,, b int",
    "int, string", "interval second to day", "interval week", "a intt", "a: int b: string",
    "struct<a:int,>", "array<int>>", "a int, b intt", "a array<intt>, b int,",
    "a char(5), b varchar(3)", "a int NOT NULL COMMENT 'it''s'", "a int COMMENT x",
    "a int NOT", "struct<a int NOT NULL COMMENT 'c'>", "struct<a:int>, b int",
    "array<struct<>>", "a map<string, struct<x: decimal(38, 18) NOT NULL>>",
    "decimal(39, 0)", "decimal(5, 6)", "a struct<b: int>, a int", "a.b int",
    "  a  int  ,  b  string  ", "a\tint", "`a b` int, `c` map<`d`, int>",
    "a int, b", "double precision", "time", "time(3)", "a time(0), b interval", "interval",
    "a time with time zone", "a decimal(39, 0)", "a decimal(5, 6)", "decimal(0)",
    "a `int`", "character(4)", "char", "a varchar", "a int not null not null",
    "a int comment 'x' not null", "a struct<b int comment 'x'>", "a int COMMENT \"q\"",
]  # fmt: skip

# Python values whose inferred type PySpark reports (source evaluated with datetime, decimal,
# Row and collections.namedtuple in scope).
INFER = [
    "1", "1.5", "'x'", "True", "None", "b'x'", "bytearray(b'x')",
    "datetime.date(2024, 1, 2)", "datetime.datetime(2024, 1, 2, 3, 4, 5)",
    "datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc)",
    "datetime.timedelta(days=1)", "decimal.Decimal('1.5')", "[]", "[1, 2]", "[None, 1]",
    "[1, 'x']", "[[1], [None]]", "{}", "{'a': 1}", "{'a': None, None: 2}", "{1: [1.5]}",
    "Row(a=1, b='x')", "Row(b=None, a=[1])", "namedtuple('P', 'x y')(1, 2.0)",
    "(1, 'x')", "[Row(a=1), Row(b=2)]", "[Row(a=1), Row(a=None)]", "[1, 1.5]",
    "[datetime.datetime(2024, 1, 2), 'x']", "object()", "[{'a': 1}, {'b': 'x'}]",
    "array.array('i', [1])", "array.array('B')", "array.array('d')", "array.array('q')",
    "array.array('L')", "[1, None, 'x', 2.5]", "[[1], ['x']]", "[{'a': 1}, {'a': 'x'}]",
    "[Row(a=1, b=None), Row(a=None, b=2.0)]", "[Row(a=1), Row(a=1.5)]",
    "[datetime.date(2024, 1, 2), datetime.datetime(2024, 1, 2)]",
    "{'a': 1, 'b': 2}, True", "{'a': None, 'b': [1]}, True",
    "{'a': 1, 'b': 'x'}, False, False, True",
    "[1, 'x'], False, True", "datetime.datetime(2024, 1, 2), False, False, False, True",
    "[datetime.datetime(2024, 1, 2)], False, False, False, True",
    "{'k': Row(a=1)}", "datetime.time(1, 2, 3, 4)", "Row(a={'b': Row(c=None)})",
    "type('O', (), {})()",
]  # fmt: skip

SCHEMAS = [
    "{'b': 1, 'a': 'x'}", "(1, 2.5, None)", "Row(z=1, y=Row(x=2))",
    "namedtuple('P', 'x y')(1, 'q')", "[1, 'x']", "Obj()", "1", "{'a': object()}",
]  # fmt: skip

# (extra arguments) for _infer_schema(row, names)
SCHEMAS += ["(1, 2, 3), ['a']", "(1,), ['a', 'b']", "{'a': {'b': 1}}, None, True"]

_ATOMIC = [
    "NullType()", "StringType()", "BinaryType()", "BooleanType()", "DateType()",
    "TimestampType()", "TimestampNTZType()", "DoubleType()", "FloatType()", "ByteType()",
    "ShortType()", "IntegerType()", "LongType()", "DecimalType(12, 4)", "DecimalType(38, 0)",
    "DayTimeIntervalType(1, 3)", "YearMonthIntervalType(0, 0)", "CharType(2)", "VarcharType(9)",
]  # fmt: skip
_NAMES = ["a", "b1", "_c", "Upper", "x y", "dé", "not", "int", "comment", "1st"]


def random_types(n: int = 120, seed: int = 20261202) -> list[str]:
    """Deterministic random nested type sources, the same on both sides of the comparison."""
    import random

    rng = random.Random(seed)

    def build(depth: int) -> str:
        kind = rng.random() if depth < 3 else 0.0
        if kind < 0.4:
            return rng.choice(_ATOMIC)
        if kind < 0.6:
            return "ArrayType(%s, %s)" % (build(depth + 1), rng.random() < 0.5)
        if kind < 0.8:
            return "MapType(%s, %s, %s)" % (build(depth + 1), build(depth + 1), rng.random() < 0.5)
        names = rng.sample(_NAMES, rng.randint(0, 3))
        return "StructType([%s])" % ", ".join(
            "StructField(%r, %s, %s)" % (name, build(depth + 1), rng.random() < 0.5)
            for name in names
        )

    return [build(0) for _ in range(n)]
