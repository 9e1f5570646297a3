"""``Column``: an expression of Spark SQL, as ``pyspark.sql.Column``.

A Column wraps a sqlglot tree in Spark's dialect — the same tree ``spark.sql`` text parses
into — so the DataFrame API and SQL share one set of semantics (``sparklet.sql.dialect``).
A column taken from a DataFrame (``df.age``, ``df["age"]``) remembers which DataFrame
attribute it means, so that after a join ``a.id`` and ``b.id`` stay apart.

>>> from sparklet.sql import functions as F
>>> F.col("age") + 1
Column<'+(age, 1)'>
>>> (F.col("a") > 1) & F.col("b").isNull()
Column<'AND(>(a, 1), (b IS NULL))'>
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from sqlglot import exp

from sparklet.errors import PySparkTypeError, PySparkValueError

__all__ = ["Column"]


def _literal(value: Any) -> exp.Expression:
    """The Spark literal for a Python value (``lit``'s rules)."""
    if isinstance(value, Column):
        return value._expr
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        if -(2**31) <= value < 2**31:
            return exp.Literal.number(value)
        # a Python int beyond int32 is a bigint literal, as in PySpark
        node = exp.Cast(this=exp.Literal.number(value), to=exp.DataType.build("BIGINT"))
        node.meta["spark_name"] = str(value)
        return node
    if isinstance(value, float):
        # lit(1.5) is a double in Spark, while the SQL text 1.5 is a decimal
        if value != value or value in (float("inf"), float("-inf")):
            text = "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
            node = exp.Cast(this=exp.Literal.string(text), to=exp.DataType.build("DOUBLE"))
        else:
            node = exp.Cast(this=exp.Literal.number(repr(value)),
                            to=exp.DataType.build("DOUBLE"))
            text = repr(value)
        node.meta["spark_name"] = text
        return node
    if isinstance(value, decimal.Decimal):
        return exp.Literal.number(str(value))
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, datetime.datetime):
        # a datetime is a TIMESTAMP (an instant; naive means local time), as in PySpark
        kind = "TIMESTAMP"
        if value.tzinfo is not None:
            value = value.astimezone().replace(tzinfo=None)
        text = value.isoformat(sep=" ")
        node = exp.Cast(this=exp.Literal.string(text), to=exp.DataType.build(kind,
                                                                              dialect="spark"))
        node.meta["spark_name"] = f"TIMESTAMP '{text}'"
        return node
    if isinstance(value, datetime.date):
        node = exp.Cast(this=exp.Literal.string(value.isoformat()), to=exp.DataType.build("DATE"))
        node.meta["spark_name"] = f"DATE '{value.isoformat()}'"
        return node
    if isinstance(value, (bytes, bytearray)):
        node = exp.HexString(this=bytes(value).hex())
        return node
    if isinstance(value, (list, tuple)):
        return exp.Array(expressions=[_literal(v) for v in value])
    if isinstance(value, dict):
        keys = exp.Array(expressions=[_literal(k) for k in value])
        values = exp.Array(expressions=[_literal(v) for v in value.values()])
        return exp.Map(keys=keys, values=values)
    raise PySparkTypeError(
        errorClass="UNSUPPORTED_LITERAL",
        messageParameters={"literal": repr(value)})


def _column_ref(name: str) -> exp.Expression:
    """``col(name)``: ``*``, ``t.*``, a name, or a dotted path (back-quotes keep dots)."""
    from sparklet.errors.suggestions import parse_attribute_name

    if name == "*":
        return exp.Star()
    if name.endswith(".*"):
        node = exp.Column(this=exp.Star(), table=exp.Identifier(this=name[:-2], quoted=True))
        return node
    parts = parse_attribute_name(name)
    node = exp.Column(this=exp.Identifier(this=parts[-1], quoted=True))
    node.meta["parts"] = parts
    node.meta["text"] = name
    return node


def _to_expr(value: Any, *, names: bool = True) -> exp.Expression:
    """A Column, a column name (when ``names``) or a literal as a tree."""
    if isinstance(value, Column):
        return value._expr
    if names and isinstance(value, str):
        return _column_ref(value)
    return _literal(value)


def _bin(cls: type[exp.Expression], reverse: bool = False):
    def op(self: Column, other: Any) -> Column:
        other_expr = _literal(other)
        left, right = (other_expr, self._expr) if reverse else (self._expr, other_expr)
        return Column(cls(this=_paren(left), expression=_paren(right)))
    return op


def _paren(e: exp.Expression) -> exp.Expression:
    # sqlglot trees carry precedence in their shape only when generated; explicit parentheses
    # keep ``(a + b) * c`` as written
    if isinstance(e, (exp.Binary, exp.Not, exp.Neg)) and not isinstance(e, exp.Dot):
        return exp.Paren(this=e)
    return e


class Column:
    """A column expression; build one with ``F.col``, ``F.lit``, ``df.x`` or operators."""

    __slots__ = ("_expr",)

    def __init__(self, expr: exp.Expression):
        self._expr = expr

    # -- operators ------------------------------------------------------------------------
    __add__ = _bin(exp.Add)
    __radd__ = _bin(exp.Add, True)
    __sub__ = _bin(exp.Sub)
    __rsub__ = _bin(exp.Sub, True)
    __mul__ = _bin(exp.Mul)
    __rmul__ = _bin(exp.Mul, True)
    __truediv__ = _bin(exp.Div)
    __rtruediv__ = _bin(exp.Div, True)
    __mod__ = _bin(exp.Mod)
    __rmod__ = _bin(exp.Mod, True)
    __eq__ = _bin(exp.EQ)  # type: ignore[assignment]
    __ne__ = _bin(exp.NEQ)  # type: ignore[assignment]
    __lt__ = _bin(exp.LT)
    __le__ = _bin(exp.LTE)
    __gt__ = _bin(exp.GT)
    __ge__ = _bin(exp.GTE)
    __and__ = _bin(exp.And)
    __rand__ = _bin(exp.And, True)
    __or__ = _bin(exp.Or)
    __ror__ = _bin(exp.Or, True)
    eqNullSafe = _bin(exp.NullSafeEQ)
    bitwiseAND = _bin(exp.BitwiseAnd)
    bitwiseOR = _bin(exp.BitwiseOr)
    bitwiseXOR = _bin(exp.BitwiseXor)

    def __pow__(self, other: Any) -> Column:
        return Column(exp.Pow(this=self._expr, expression=_literal(other)))

    def __rpow__(self, other: Any) -> Column:
        return Column(exp.Pow(this=_literal(other), expression=self._expr))

    def __neg__(self) -> Column:
        return Column(exp.Neg(this=_paren(self._expr)))

    def __invert__(self) -> Column:
        return Column(exp.Not(this=_paren(self._expr)))

    def __bool__(self) -> bool:
        raise PySparkValueError(errorClass="CANNOT_CONVERT_COLUMN_INTO_BOOL",
                                messageParameters={"column": repr(self)})

    __nonzero__ = __bool__

    def __iter__(self):
        raise PySparkTypeError(errorClass="NOT_ITERABLE",
                               messageParameters={"objectName": "Column"})

    def __contains__(self, item: Any) -> bool:
        raise PySparkValueError(errorClass="CANNOT_APPLY_IN_FOR_COLUMN", messageParameters={})

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Column<'{_repr_text(self._expr)}'>"

    # -- names ----------------------------------------------------------------------------
    def alias(self, *alias: str, **kwargs: Any) -> Column:
        """The column under another name (several names for a generator such as explode)."""
        if len(alias) == 1:
            return Column(exp.Alias(this=self._expr,
                                    alias=exp.Identifier(this=alias[0], quoted=True)))
        return Column(exp.Aliases(this=self._expr,
                                  expressions=[exp.Identifier(this=a, quoted=True)
                                               for a in alias]))

    name = alias

    def __getattr__(self, item: str) -> Column:
        if item.startswith("__"):
            raise AttributeError(item)
        return self.getField(item)

    def __getitem__(self, key: Any) -> Column:
        if isinstance(key, slice):
            if key.step is not None:
                raise PySparkValueError(errorClass="SLICE_WITH_STEP", messageParameters={})
            return self.substr(key.start, key.stop)
        return self.getItem(key)

    # -- nested values --------------------------------------------------------------------
    def getItem(self, key: Any) -> Column:
        """An array element (0-based) or a map value."""
        return Column(exp.Bracket(this=self._expr, expressions=[_literal(key)], offset=0,
                                  safe=False))

    def getField(self, name: str) -> Column:
        """A struct field."""
        return Column(exp.Dot(this=self._expr, expression=exp.Identifier(this=name,
                                                                         quoted=True)))

    def withField(self, fieldName: str, col: Column) -> Column:
        """The struct with field ``fieldName`` set to ``col`` (replaced, or added last)."""
        if not isinstance(fieldName, str):
            raise PySparkTypeError(errorClass="NOT_STR", messageParameters={
                "arg_name": "fieldName", "arg_type": type(fieldName).__name__})
        if not isinstance(col, Column):
            raise PySparkTypeError(errorClass="NOT_COLUMN", messageParameters={
                "arg_name": "col", "arg_type": type(col).__name__})
        node = exp.Anonymous(this="struct_update", expressions=[
            self._expr, exp.PropertyEQ(this=exp.Identifier(this=fieldName, quoted=True),
                                       expression=col._expr)])
        from sparklet.sql.naming import spark_name

        node.meta["spark_name"] = (f"update_fields({spark_name(self._expr)}, "
                                   f"WithField({spark_name(col._expr)}))")
        return Column(node)

    def dropFields(self, *fieldNames: str) -> Column:
        """The struct without the named fields."""
        from sparklet.sql.naming import spark_name

        node = exp.Anonymous(this="__sparklet_drop_fields", expressions=[
            self._expr, *[exp.Literal.string(n) for n in fieldNames]])
        node.meta["spark_name"] = f"update_fields({spark_name(self._expr)}, " + ", ".join(
            "dropfield()" for _ in fieldNames) + ")"
        return Column(node)

    # -- predicates -----------------------------------------------------------------------
    def isNull(self) -> Column:
        return Column(exp.Is(this=self._expr, expression=exp.Null()))

    def isNotNull(self) -> Column:
        return Column(exp.Not(this=exp.Is(this=self._expr, expression=exp.Null())))

    def isNaN(self) -> Column:
        return Column(exp.IsNan(this=self._expr))

    def isin(self, *cols: Any) -> Column:
        """``col IN (values)``; the values may be given as one list."""
        if len(cols) == 1 and isinstance(cols[0], (list, set, tuple)):
            cols = tuple(cols[0])
        return Column(exp.In(this=self._expr, expressions=[_literal(c) for c in cols]))

    def between(self, lowerBound: Any, upperBound: Any) -> Column:
        return Column(exp.Between(this=self._expr, low=_literal(lowerBound),
                                  high=_literal(upperBound)))

    def like(self, other: str) -> Column:
        return Column(exp.Like(this=self._expr, expression=_literal(other)))

    def ilike(self, other: str) -> Column:
        return Column(exp.ILike(this=self._expr, expression=_literal(other)))

    def rlike(self, other: str) -> Column:
        return Column(exp.RegexpLike(this=self._expr, expression=_literal(other)))

    def startswith(self, other: Any) -> Column:
        return Column(exp.StartsWith(this=self._expr, expression=_literal(other)))

    def endswith(self, other: Any) -> Column:
        return Column(exp.EndsWith(this=self._expr, expression=_literal(other)))

    def contains(self, other: Any) -> Column:
        return Column(exp.Contains(this=self._expr, expression=_literal(other)))

    def substr(self, startPos: Any, length: Any) -> Column:
        return Column(exp.Substring(this=self._expr, start=_literal(startPos),
                                    length=_literal(length)))

    # -- types ----------------------------------------------------------------------------
    def cast(self, dataType: Any) -> Column:
        """The column cast to a DataType or a DDL type string (ANSI: a bad value raises)."""
        return Column(exp.TryCast(this=self._expr, to=_sql_type(dataType)))

    astype = cast

    def try_cast(self, dataType: Any) -> Column:
        """The column cast to a type; NULL where the value does not convert."""
        return Column(exp.TryCast(this=self._expr, to=_sql_type(dataType), safe=True))

    # -- ordering -------------------------------------------------------------------------
    def asc(self) -> Column:
        return Column(exp.Ordered(this=self._expr, desc=False, nulls_first=True))

    def asc_nulls_first(self) -> Column:
        return self.asc()

    def asc_nulls_last(self) -> Column:
        return Column(exp.Ordered(this=self._expr, desc=False, nulls_first=False))

    def desc(self) -> Column:
        return Column(exp.Ordered(this=self._expr, desc=True, nulls_first=False))

    def desc_nulls_first(self) -> Column:
        return Column(exp.Ordered(this=self._expr, desc=True, nulls_first=True))

    def desc_nulls_last(self) -> Column:
        return self.desc()

    # -- conditionals ---------------------------------------------------------------------
    def when(self, condition: Column, value: Any) -> Column:
        if not isinstance(self._expr, exp.Case) or self._expr.args.get("default") is not None:
            raise PySparkTypeError(
                errorClass="INVALID_WHEN_USAGE",
                messageParameters={})
        case = self._expr.copy()
        case.append("ifs", exp.If(this=condition._expr, true=_literal(value)))
        return Column(case)

    def otherwise(self, value: Any) -> Column:
        if not isinstance(self._expr, exp.Case) or self._expr.args.get("default") is not None:
            raise PySparkTypeError(
                errorClass="INVALID_WHEN_USAGE",
                messageParameters={})
        case = self._expr.copy()
        case.set("default", _literal(value))
        return Column(case)

    def over(self, window: Any) -> Column:
        """The column as a window function over ``window`` (a WindowSpec)."""
        return Column(window._apply(self._expr))

    def outer(self) -> Column:
        return self


def _repr_text(e: exp.Expression) -> str:
    """The text of PySpark 4's Column repr: operators in prefix form (``+(a, 1)``)."""
    from sparklet.sql.naming import _BINARY, spark_name

    if isinstance(e, exp.Paren):
        return _repr_text(e.this)
    op = _BINARY.get(type(e))
    if op is not None:
        return f"{op}({_repr_text(e.this)}, {_repr_text(e.expression)})"
    if isinstance(e, exp.Alias):
        return f"{_repr_text(e.this)} AS {e.alias}"
    return spark_name(e)


def _sql_type(dataType: Any) -> exp.DataType:
    """A sqlglot type node for a DataType or a DDL type string."""
    from sparklet.sql import types as T

    if isinstance(dataType, str):
        dataType = T._parse_datatype_string(dataType)
    if not isinstance(dataType, T.DataType):
        raise PySparkTypeError(
            errorClass="NOT_DATATYPE_OR_STR",
            messageParameters={"arg_name": "dataType", "arg_type": type(dataType).__name__})
    node = exp.DataType.build(dataType.simpleString(), dialect="spark")
    node.meta["spark_type"] = dataType
    return node
