"""``df.na`` and ``df.stat`` (PySpark's ``DataFrameNaFunctions``, ``DataFrameStatFunctions``)
and ``df.describe`` / ``df.summary``.

``fill`` applies a value only to the columns of its kind (a number to numeric columns, a
string to string columns, a bool to boolean columns), cast to each column's type; ``drop``
keeps the rows with at least ``thresh`` non-NULL values; ``replace`` swaps values in the
columns of the replacement's kind. ``describe``/``summary`` give one string column per
input column, numbers printed as Spark (Java) prints them.

>>> from sparklet.sql import SparkSession
>>> spark = SparkSession.builder.getOrCreate()
>>> df = spark.createDataFrame([(1, None), (None, "x")], "a INT, s STRING")
>>> df.na.fill(0).na.fill("?").orderBy("s").collect()
[Row(a=1, s='?'), Row(a=0, s='x')]
>>> df.describe("a").collect()[0]
Row(summary='count', a='1')
"""

from __future__ import annotations

import decimal
import math
import random
from typing import Any

from sqlglot import exp

from sparklet.errors import AnalysisException, PySparkTypeError, PySparkValueError
from sparklet.sql import types as T
from sparklet.sql.analysis import Attribute, bound_ref
from sparklet.sql.column import Column, _literal

__all__ = ["DataFrameNaFunctions", "DataFrameStatFunctions", "describe", "summary"]

_NO_VALUE = object()


def _err(cls: type, condition: str, text: str, **params: str) -> Exception:
    try:
        return cls(errorClass=condition, messageParameters=params)
    except ValueError:  # a PySpark-side condition the shared table lacks
        for k, v in params.items():
            text = text.replace(f"<{k}>", v)
        return cls(text, errorClass=condition, messageParameters=params)


def _ref(a: Attribute) -> Column:
    return Column(bound_ref(a))


def _alias(c: Column, name: str) -> Column:
    return Column(exp.Alias(this=c._expr, alias=exp.Identifier(this=name, quoted=True)))


def _subset(df: Any, subset: Any, arg: str = "subset") -> list[Attribute]:
    if subset is None:
        return list(df._attrs)
    if isinstance(subset, str):
        subset = [subset]
    if not isinstance(subset, (list, tuple)):
        raise _err(PySparkTypeError, "NOT_LIST_OR_STR_OR_TUPLE",
                   "Argument `<arg_name>` should be a list, str or tuple, got <arg_type>.",
                   arg_name=arg, arg_type=type(subset).__name__)
    out = []
    for name in subset:
        attr, _ = df._resolver().lookup([name], name)
        out.append(attr)
    return out


def _kind_matches(value: Any, dt: T.DataType) -> bool:
    if isinstance(value, bool):
        return isinstance(dt, T.BooleanType)
    if isinstance(value, (int, float, decimal.Decimal)):
        return isinstance(dt, T.NumericType)
    if isinstance(value, str):
        return isinstance(dt, T.StringType)
    return value is None


def _typed_literal(value: Any, dt: T.DataType) -> Column:
    lit = Column(_literal(value))
    if value is None:
        return lit.cast(dt)
    if isinstance(dt, (T.StringType, T.BooleanType)):
        return lit
    return lit.cast(dt)


class DataFrameNaFunctions:
    """Functions for missing values: ``df.na.fill``, ``df.na.drop``, ``df.na.replace``."""

    def __init__(self, df: Any):
        self.df = df

    def fill(self, value: Any, subset: Any = None) -> Any:
        """NULLs replaced by ``value`` (or a dict of column → value) in the columns of the
        value's kind."""
        df = self.df
        if not isinstance(value, (bool, int, float, str, dict, decimal.Decimal)):
            raise _err(PySparkTypeError, "NOT_BOOL_OR_DICT_OR_FLOAT_OR_INT_OR_STR",
                       "Argument `<arg_name>` should be a bool, dict, float, int or str, "
                       "got <arg_type>.", arg_name="value", arg_type=type(value).__name__)
        if isinstance(value, dict):
            fills = {}
            for name, v in value.items():
                attr, _ = df._resolver().lookup([name], name)
                fills[attr.id] = v
        else:
            fills = {a.id: value for a in _subset(df, subset)}
        cols = []
        for a in df._attrs:
            v = fills.get(a.id, _NO_VALUE)
            if v is _NO_VALUE or not _kind_matches(v, a.dataType) or v is None:
                cols.append(_ref(a))
                continue
            if isinstance(v, float) and isinstance(a.dataType, T.IntegralType):
                v = int(v)  # Spark casts the fill value to the column's type (truncating)
            filled = Column(exp.Coalesce(this=_ref(a)._expr,
                                         expressions=[_typed_literal(v, a.dataType)._expr]))
            cols.append(_alias(filled, a.name))
        return df.select(*cols)

    def drop(self, how: str = "any", thresh: int | None = None, subset: Any = None) -> Any:
        """The rows with a NULL in ``subset`` dropped (``how="all"``: only rows all NULL;
        ``thresh``: rows with fewer than ``thresh`` non-NULL values)."""
        if how not in ("any", "all"):
            raise _err(PySparkValueError, "VALUE_NOT_ANY_OR_ALL",
                       "Value for `<arg_name>` must be 'any' or 'all', got '<arg_value>'.",
                       arg_name="how", arg_value=str(how))
        attrs = _subset(self.df, subset)
        if thresh is None:
            thresh = len(attrs) if how == "any" else 1
        if not attrs:
            return self.df
        terms = [exp.If(this=exp.Not(this=exp.Is(this=bound_ref(a), expression=exp.Null())),
                        true=exp.Literal.number(1))
                 for a in attrs]
        total: exp.Expression = exp.Case(ifs=[terms[0]], default=exp.Literal.number(0))
        for t in terms[1:]:
            total = exp.Add(this=total, expression=exp.Case(ifs=[t],
                                                            default=exp.Literal.number(0)))
        cond = exp.GTE(this=exp.Paren(this=total), expression=exp.Literal.number(int(thresh)))
        return self.df.filter(Column(cond))

    def replace(self, to_replace: Any, value: Any = _NO_VALUE, subset: Any = None) -> Any:
        """Values replaced: ``to_replace`` (a value, list, or dict of old → new) by
        ``value``, in the columns of the values' kind."""
        if isinstance(to_replace, dict):
            mapping = dict(to_replace)
        else:
            if value is _NO_VALUE:
                raise _err(PySparkTypeError, "ARGUMENT_REQUIRED",
                           "Argument `<arg_name>` is required when <condition>.",
                           arg_name="value", condition="`to_replace` is not a dict")
            olds = list(to_replace) if isinstance(to_replace, (list, tuple)) else [to_replace]
            if isinstance(value, (list, tuple)):
                if len(value) != len(olds):
                    raise _err(PySparkValueError, "LENGTH_SHOULD_BE_THE_SAME",
                               "<arg1> and <arg2> should be of the same length, got "
                               "<arg1_length> and <arg2_length>.", arg1="to_replace",
                               arg2="value", arg1_length=str(len(olds)),
                               arg2_length=str(len(value)))
                mapping = dict(zip(olds, value, strict=True))
            else:
                mapping = {o: value for o in olds}
        df = self.df
        targets = {a.id for a in _subset(df, subset)}
        cols = []
        for a in df._attrs:
            pairs = [(k, v) for k, v in mapping.items() if _kind_matches(k, a.dataType)
                     and k is not None and (v is None or _kind_matches(v, a.dataType))]
            if a.id not in targets or not pairs:
                cols.append(_ref(a))
                continue
            ifs = [exp.If(this=exp.EQ(this=bound_ref(a), expression=_typed_literal(
                k, a.dataType)._expr), true=_typed_literal(v, a.dataType)._expr)
                for k, v in pairs]
            case = exp.Case(ifs=ifs, default=bound_ref(a))
            cols.append(_alias(Column(case), a.name))
        return df.select(*cols)


def _numeric_attr(df: Any, name: str) -> Attribute:
    if not isinstance(name, str):
        raise _err(PySparkTypeError, "NOT_STR", "Argument `<arg_name>` should be a str, got "
                   "<arg_type>.", arg_name="col", arg_type=type(name).__name__)
    attr, _ = df._resolver().lookup([name], name)
    return attr


class DataFrameStatFunctions:
    """Statistics of a DataFrame: ``df.stat.corr``, ``cov``, ``crosstab``, ``freqItems``,
    ``approxQuantile``, ``sampleBy``."""

    def __init__(self, df: Any):
        self.df = df

    def _one(self, column: Column) -> Any:
        return self.df.agg(column).collect()[0][0]

    def corr(self, col1: str, col2: str, method: str | None = None) -> float:
        """Pearson's correlation coefficient of two numeric columns."""
        from sparklet.sql import functions as F

        if method not in (None, "pearson"):
            raise _err(PySparkValueError, "VALUE_NOT_PEARSON",
                       "Value for `<arg_name>` only supports the 'pearson', got "
                       "'<arg_value>'.", arg_name="method", arg_value=str(method))
        a, b = _numeric_attr(self.df, col1), _numeric_attr(self.df, col2)
        return self._one(F.corr(_ref(a), _ref(b)))

    def cov(self, col1: str, col2: str) -> float:
        """The sample covariance of two numeric columns."""
        from sparklet.sql import functions as F

        a, b = _numeric_attr(self.df, col1), _numeric_attr(self.df, col2)
        return self._one(F.covar_samp(_ref(a), _ref(b)))

    def crosstab(self, col1: str, col2: str) -> Any:
        """The pair-wise frequency table: a row per value of ``col1``, a column per value of
        ``col2`` (the first column is named ``col1_col2``)."""
        from sparklet.sql import functions as F

        a, b = _numeric_attr(self.df, col1), _numeric_attr(self.df, col2)
        counts = self.df.groupBy(_ref(a), _ref(b)).agg(F.count("*")).collect()

        def text(v: Any) -> str:
            return "null" if v is None else _spark_string(v)
        rows_keys = sorted({text(r[0]) for r in counts})
        col_keys = sorted({text(r[1]) for r in counts})
        table = {(text(r[0]), text(r[1])): r[2] for r in counts}
        schema = T.StructType([T.StructField(f"{col1}_{col2}", T.StringType())] + [
            T.StructField(k, T.LongType()) for k in col_keys])
        data = [tuple([rk] + [table.get((rk, ck), 0) for ck in col_keys]) for rk in rows_keys]
        return self.df._session.createDataFrame(data, schema)

    def freqItems(self, cols: Any, support: float | None = None) -> Any:
        """The items of each column seen in at least ``support`` (default 1 %) of the rows,
        one array column ``<col>_freqItems`` each."""
        from sparklet.sql import functions as F

        if isinstance(cols, tuple):
            cols = list(cols)
        if not isinstance(cols, list):
            raise _err(PySparkTypeError, "NOT_LIST_OR_TUPLE", "Argument `<arg_name>` should be "
                       "a list or tuple, got <arg_type>.", arg_name="cols",
                       arg_type=type(cols).__name__)
        support = 0.01 if support is None else support
        if support < 1e-4:
            raise AnalysisException(f"Support ({support}) must be greater than 1e-4.")
        total = self.df.count()
        fields, values = [], []
        for name in cols:
            a = _numeric_attr(self.df, name)
            rows = self.df.groupBy(_ref(a)).agg(F.count("*")).collect()
            items = [r[0] for r in rows if total and r[1] / total >= support]
            fields.append(T.StructField(f"{name}_freqItems", T.ArrayType(a.dataType)))
            values.append(items)
        return self.df._session.createDataFrame([tuple(values)], T.StructType(fields))

    def approxQuantile(self, col: Any, probabilities: Any, relativeError: float) -> Any:
        """Quantiles of numeric column(s): a list of floats per column (values of the
        column; NULLs ignored)."""
        from sparklet.sql import functions as F

        single = isinstance(col, str)
        names = [col] if single else list(col)
        if not isinstance(probabilities, (list, tuple)):
            raise _err(PySparkTypeError, "NOT_LIST_OR_TUPLE", "Argument `<arg_name>` should be "
                       "a list or tuple, got <arg_type>.", arg_name="probabilities",
                       arg_type=type(probabilities).__name__)
        for p in probabilities:
            if not isinstance(p, (int, float)) or not 0 <= p <= 1:
                raise _err(PySparkValueError, "NOT_LIST_OF_FLOAT_OR_INT",
                           "Argument `<arg_name>` should be a list[float], got <arg_type>.",
                           arg_name="probabilities", arg_type=type(p).__name__)
        if relativeError < 0:
            raise _err(PySparkValueError, "NEGATIVE_VALUE", "Value for `<arg_name>` must be "
                       "greater than or equal to 0, got '<arg_value>'.",
                       arg_name="relativeError", arg_value=str(relativeError))
        out = []
        for name in names:
            a = _numeric_attr(self.df, name)
            if not probabilities:
                out.append([])
                continue
            q = self._one(F.percentile_approx(_ref(a), [float(p) for p in probabilities]))
            out.append([] if q is None else [float(v) for v in q])
        return out[0] if single else out

    def sampleBy(self, col: Any, fractions: dict, seed: int | None = None) -> Any:
        """A stratified sample: each row of stratum ``k`` kept with probability
        ``fractions[k]`` (0 for strata not listed)."""
        if not isinstance(fractions, dict):
            raise _err(PySparkTypeError, "NOT_DICT", "Argument `<arg_name>` should be a dict, "
                       "got <arg_type>.", arg_name="fractions",
                       arg_type=type(fractions).__name__)
        name = col if isinstance(col, str) else None
        key = self.df.columns.index(name) if name is not None else None
        rng = random.Random(seed)
        rows = []
        for r in self.df.collect():
            k = r[key] if key is not None else self.df.select(col).collect()[0][0]
            if rng.random() < fractions.get(k, 0.0):
                rows.append(r)
        return self.df._session.createDataFrame(rows, self.df.schema)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(name)


# -- describe / summary ---------------------------------------------------------------------

def _java_double(x: float) -> str:
    """A double as Java's ``Double.toString`` (Spark's CAST(double AS STRING))."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    if 1e-3 <= abs(x) < 1e7:
        text = repr(x)
        if "e" in text:  # Python's repr switched notation; spell it out
            text = format(decimal.Decimal(text), "f")
        return text if "." in text else text + ".0"
    sign, digits, exponent = decimal.Decimal(repr(x)).as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    power = len(digits) + int(exponent) - 1
    mantissa = ds[0] + "." + (ds[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}E{power}"


def _spark_string(v: Any) -> str:
    """A value as Spark's CAST(value AS STRING)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return _java_double(v)
    return str(v)


def _stat_columns(df: Any, cols: list) -> list[Attribute]:
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        cols = list(cols[0])
    if cols:
        return [_numeric_attr(df, c) for c in cols]
    return [a for a in df._attrs if isinstance(a.dataType, (T.NumericType, T.StringType))]


def _statistics(df: Any, attrs: list[Attribute], stats: list[str]) -> Any:
    from sparklet.sql import functions as F

    aggs: list[Column] = []
    plan: list[tuple[str, Attribute, int | None]] = []  # (stat, attr, position or None)
    for stat in stats:
        for a in attrs:
            numeric = isinstance(a.dataType, T.NumericType)
            ref = _ref(a)
            agg = None
            if stat == "count":
                agg = F.count(ref)
            elif stat == "count_distinct":
                agg = F.count_distinct(ref)
            elif stat == "approx_count_distinct":
                agg = F.approx_count_distinct(ref)
            elif stat in ("mean", "stddev"):
                # a string column's numbers count (Spark casts it); other strings are NULL
                value = ref if numeric else ref.try_cast("double")
                agg = F.avg(value) if stat == "mean" else F.stddev(value)
            elif stat in ("min", "max"):
                agg = F.min(ref) if stat == "min" else F.max(ref)
            elif stat.endswith("%") and numeric:
                try:
                    p = float(stat[:-1]) / 100
                except ValueError:
                    raise IllegalArgument(stat) from None
                agg = F.percentile_approx(ref, p)
            elif not stat.endswith("%"):
                raise IllegalArgument(stat)
            if agg is None:
                plan.append((stat, a, None))
            else:
                plan.append((stat, a, len(aggs)))
                aggs.append(agg)
    values = df.agg(*aggs).collect()[0] if aggs else []
    rows = []
    for stat in stats:
        row = [stat]
        for s, _attr, pos in plan:
            if s != stat:
                continue
            v = None if pos is None else values[pos]
            row.append(None if v is None else _spark_string(v))
        rows.append(tuple(row))
    schema = T.StructType([T.StructField("summary", T.StringType())] + [
        T.StructField(a.name, T.StringType()) for a in attrs])
    return df._session.createDataFrame(rows, schema)


def IllegalArgument(stat: str) -> Exception:  # noqa: N802 - reads as the exception it makes
    from sparklet.errors import IllegalArgumentException

    return IllegalArgumentException(f"{stat} is not a recognised statistic")


def describe(df: Any, cols: list) -> Any:
    """``count``, ``mean``, ``stddev``, ``min``, ``max`` of the columns (all numeric and
    string columns when none is named), as strings."""
    return _statistics(df, _stat_columns(df, cols), ["count", "mean", "stddev", "min", "max"])


def summary(df: Any, stats: list) -> Any:
    """The statistics named (default: count, mean, stddev, min, 25%, 50%, 75%, max) of the
    numeric and string columns, as strings."""
    stats = list(stats) or ["count", "mean", "stddev", "min", "25%", "50%", "75%", "max"]
    return _statistics(df, _stat_columns(df, []), stats)
