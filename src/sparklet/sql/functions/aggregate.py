"""Aggregate functions (``sum``, ``avg``, ``collect_list``, ...).

Most are thin wrappers: each builds the node Spark SQL text ``name(args)`` parses into
(:func:`sparklet.sql.functions._base._invoke`), with PySpark's conventions for its
arguments (column-or-name, or literal).

>>> from sparklet.sql import functions as F
>>> F.sum("v"), F.count("*"), F.countDistinct("a", "b"), F.first("v", ignorenulls=True)
(Column<'sum(v)'>, Column<'count(1)'>, Column<'count(DISTINCT a, b)'>, Column<'first(v)'>)
"""

from __future__ import annotations

from typing import Any  # noqa: F401 - PySpark's annotations

from sqlglot import expressions as E

from sparklet.sql.column import Column
from sparklet.sql.functions._base import _c, _cl, _cn, _cols, _invoke, _invoke_opt, _type_error  # noqa: F401

__all__ = [
    "try_avg",
    "try_sum",
    "max",
    "min",
    "max_by",
    "min_by",
    "sum",
    "avg",
    "median",
    "listagg",
    "listagg_distinct",
    "string_agg",
    "string_agg_distinct",
    "stddev",
    "std",
    "stddev_samp",
    "stddev_pop",
    "variance",
    "var_samp",
    "var_pop",
    "regr_avgx",
    "regr_avgy",
    "regr_count",
    "regr_intercept",
    "regr_r2",
    "regr_slope",
    "regr_sxx",
    "regr_sxy",
    "regr_syy",
    "every",
    "bool_and",
    "some",
    "bool_or",
    "bit_and",
    "bit_or",
    "bit_xor",
    "skewness",
    "kurtosis",
    "collect_list",
    "array_agg",
    "collect_set",
    "corr",
    "covar_pop",
    "covar_samp",
    "grouping",
    "count_min_sketch",
    "count_if",
    "histogram_numeric",
    "schema_of_variant_agg",
    "hll_sketch_agg",
    "hll_union_agg",
    "theta_sketch_agg",
    "theta_union_agg",
    "bitmap_construct_agg",
    "bitmap_or_agg",
]


def try_avg(col) -> Column:
    """Spark SQL ``try_avg``."""
    return _invoke("try_avg", _c(col, "col"))


def try_sum(col) -> Column:
    """Spark SQL ``try_sum``."""
    return _invoke("try_sum", _c(col, "col"))


def max(col) -> Column:
    """Spark SQL ``max``."""
    return _invoke("max", _c(col, "col"))


def min(col) -> Column:
    """Spark SQL ``min``."""
    return _invoke("min", _c(col, "col"))


def max_by(col, ord, k=None) -> Column:
    """Spark SQL ``max_by``."""
    return _invoke_opt("max_by", _c(col, "col"), _c(ord, "ord"), _cl(k))


def min_by(col, ord, k=None) -> Column:
    """Spark SQL ``min_by``."""
    return _invoke_opt("min_by", _c(col, "col"), _c(ord, "ord"), _cl(k))


def sum(col) -> Column:
    """Spark SQL ``sum``."""
    return _invoke("sum", _c(col, "col"))


def avg(col) -> Column:
    """Spark SQL ``avg``."""
    return _invoke("avg", _c(col, "col"))


def median(col) -> Column:
    """Spark SQL ``median``."""
    return _invoke("median", _c(col, "col"))


def listagg(col, delimiter=None) -> Column:
    """Spark SQL ``listagg``."""
    return _invoke_opt("listagg", _c(col, "col"), _cl(delimiter))


def listagg_distinct(col, delimiter=None) -> Column:
    """Spark SQL ``listagg_distinct``."""
    return _invoke_opt("listagg_distinct", _c(col, "col"), _cl(delimiter))


def string_agg(col, delimiter=None) -> Column:
    """Spark SQL ``string_agg``."""
    return _invoke_opt("string_agg", _c(col, "col"), _cl(delimiter))


def string_agg_distinct(col, delimiter=None) -> Column:
    """Spark SQL ``string_agg_distinct``."""
    return _invoke_opt("string_agg_distinct", _c(col, "col"), _cl(delimiter))


def stddev(col) -> Column:
    """Spark SQL ``stddev``."""
    return _invoke("stddev", _c(col, "col"))


def std(col) -> Column:
    """Spark SQL ``std``."""
    return _invoke("std", _c(col, "col"))


def stddev_samp(col) -> Column:
    """Spark SQL ``stddev_samp``."""
    return _invoke("stddev_samp", _c(col, "col"))


def stddev_pop(col) -> Column:
    """Spark SQL ``stddev_pop``."""
    return _invoke("stddev_pop", _c(col, "col"))


def variance(col) -> Column:
    """Spark SQL ``variance``."""
    return _invoke("variance", _c(col, "col"))


def var_samp(col) -> Column:
    """Spark SQL ``var_samp``."""
    return _invoke("var_samp", _c(col, "col"))


def var_pop(col) -> Column:
    """Spark SQL ``var_pop``."""
    return _invoke("var_pop", _c(col, "col"))


def regr_avgx(y, x) -> Column:
    """Spark SQL ``regr_avgx``."""
    return _invoke("regr_avgx", _c(y, "y"), _c(x, "x"))


def regr_avgy(y, x) -> Column:
    """Spark SQL ``regr_avgy``."""
    return _invoke("regr_avgy", _c(y, "y"), _c(x, "x"))


def regr_count(y, x) -> Column:
    """Spark SQL ``regr_count``."""
    return _invoke("regr_count", _c(y, "y"), _c(x, "x"))


def regr_intercept(y, x) -> Column:
    """Spark SQL ``regr_intercept``."""
    return _invoke("regr_intercept", _c(y, "y"), _c(x, "x"))


def regr_r2(y, x) -> Column:
    """Spark SQL ``regr_r2``."""
    return _invoke("regr_r2", _c(y, "y"), _c(x, "x"))


def regr_slope(y, x) -> Column:
    """Spark SQL ``regr_slope``."""
    return _invoke("regr_slope", _c(y, "y"), _c(x, "x"))


def regr_sxx(y, x) -> Column:
    """Spark SQL ``regr_sxx``."""
    return _invoke("regr_sxx", _c(y, "y"), _c(x, "x"))


def regr_sxy(y, x) -> Column:
    """Spark SQL ``regr_sxy``."""
    return _invoke("regr_sxy", _c(y, "y"), _c(x, "x"))


def regr_syy(y, x) -> Column:
    """Spark SQL ``regr_syy``."""
    return _invoke("regr_syy", _c(y, "y"), _c(x, "x"))


def every(col) -> Column:
    """Spark SQL ``every``."""
    return _invoke("every", _c(col, "col"))


def bool_and(col) -> Column:
    """Spark SQL ``bool_and``."""
    return _invoke("bool_and", _c(col, "col"))


def some(col) -> Column:
    """Spark SQL ``some``."""
    return _invoke("some", _c(col, "col"))


def bool_or(col) -> Column:
    """Spark SQL ``bool_or``."""
    return _invoke("bool_or", _c(col, "col"))


def bit_and(col) -> Column:
    """Spark SQL ``bit_and``."""
    return _invoke("bit_and", _c(col, "col"))


def bit_or(col) -> Column:
    """Spark SQL ``bit_or``."""
    return _invoke("bit_or", _c(col, "col"))


def bit_xor(col) -> Column:
    """Spark SQL ``bit_xor``."""
    return _invoke("bit_xor", _c(col, "col"))


def skewness(col) -> Column:
    """Spark SQL ``skewness``."""
    return _invoke("skewness", _c(col, "col"))


def kurtosis(col) -> Column:
    """Spark SQL ``kurtosis``."""
    return _invoke("kurtosis", _c(col, "col"))


def collect_list(col) -> Column:
    """Spark SQL ``collect_list``."""
    return _invoke("collect_list", _c(col, "col"))


def array_agg(col) -> Column:
    """Spark SQL ``array_agg``."""
    return _invoke("array_agg", _c(col, "col"))


def collect_set(col) -> Column:
    """Spark SQL ``collect_set``."""
    return _invoke("collect_set", _c(col, "col"))


def corr(col1, col2) -> Column:
    """Spark SQL ``corr``."""
    return _invoke("corr", _c(col1, "col1"), _c(col2, "col2"))


def covar_pop(col1, col2) -> Column:
    """Spark SQL ``covar_pop``."""
    return _invoke("covar_pop", _c(col1, "col1"), _c(col2, "col2"))


def covar_samp(col1, col2) -> Column:
    """Spark SQL ``covar_samp``."""
    return _invoke("covar_samp", _c(col1, "col1"), _c(col2, "col2"))


def grouping(col) -> Column:
    """Spark SQL ``grouping``."""
    return _invoke("grouping", _c(col, "col"))


def count_min_sketch(col, eps, confidence, seed=None) -> Column:
    """Spark SQL ``count_min_sketch``."""
    return _invoke_opt("count_min_sketch", _c(col, "col"), _cl(eps), _cl(confidence), _cl(seed))


def count_if(col) -> Column:
    """Spark SQL ``count_if``."""
    return _invoke("count_if", _c(col, "col"))


def histogram_numeric(col, nBins) -> Column:
    """Spark SQL ``histogram_numeric``."""
    return _invoke("histogram_numeric", _c(col, "col"), _cl(nBins))


def schema_of_variant_agg(v) -> Column:
    """Spark SQL ``schema_of_variant_agg``."""
    return _invoke("schema_of_variant_agg", _c(v, "v"))


def hll_sketch_agg(col, lgConfigK=None) -> Column:
    """Spark SQL ``hll_sketch_agg``."""
    return _invoke_opt("hll_sketch_agg", _c(col, "col"), _cl(lgConfigK))


def hll_union_agg(col, allowDifferentLgConfigK=None) -> Column:
    """Spark SQL ``hll_union_agg``."""
    return _invoke_opt("hll_union_agg", _c(col, "col"), _cl(allowDifferentLgConfigK))


def theta_sketch_agg(col, lgNomEntries=None) -> Column:
    """Spark SQL ``theta_sketch_agg``."""
    return _invoke_opt("theta_sketch_agg", _c(col, "col"), _cl(lgNomEntries))


def theta_union_agg(col, lgNomEntries=None) -> Column:
    """Spark SQL ``theta_union_agg``."""
    return _invoke_opt("theta_union_agg", _c(col, "col"), _cl(lgNomEntries))


def bitmap_construct_agg(col) -> Column:
    """Spark SQL ``bitmap_construct_agg``."""
    return _invoke("bitmap_construct_agg", _c(col, "col"))


def bitmap_or_agg(col) -> Column:
    """Spark SQL ``bitmap_or_agg``."""
    return _invoke("bitmap_or_agg", _c(col, "col"))


# -- hand-written: PySpark's conventions that differ from ``name(args)`` --------------------


def collect_union(col) -> Column:
    """Spark SQL ``collect_union``."""
    return _invoke("collect_union", _c(col, "col"))


def mode(col, deterministic=False) -> Column:
    """The most frequent value of ``col`` (NULLs ignored); ``deterministic`` picks the
    smallest among ties."""
    if deterministic:
        return _invoke("mode", _c(col, "col"), Column(E.Boolean(this=True)))
    return _invoke("mode", _c(col, "col"))


def _ignore_nulls(name: str, col: Any, ignore: Any) -> Column:
    node = _invoke(name, _c(col, "col"))._expr
    if ignore is True:
        return Column(E.IgnoreNulls(this=node))
    if isinstance(ignore, Column):
        return _invoke(name, _c(col, "col"), ignore)
    return Column(node)


def any_value(col, ignoreNulls=None) -> Column:
    """Some value of ``col`` in the group (the first non-NULL one when ``ignoreNulls``)."""
    return _ignore_nulls("any_value", col, ignoreNulls)


def first_value(col, ignoreNulls=None) -> Column:
    """The first value of ``col`` in the group (or window frame)."""
    return _ignore_nulls("first_value", col, ignoreNulls)


def last_value(col, ignoreNulls=None) -> Column:
    """The last value of ``col`` in the group (or window frame)."""
    return _ignore_nulls("last_value", col, ignoreNulls)


def first(col, ignorenulls=False) -> Column:
    """The first value of ``col`` in the group (the first non-NULL one when
    ``ignorenulls``)."""
    return _ignore_nulls("first", col, bool(ignorenulls))


def last(col, ignorenulls=False) -> Column:
    """The last value of ``col`` in the group (the last non-NULL one when ``ignorenulls``)."""
    return _ignore_nulls("last", col, bool(ignorenulls))


def count(col) -> Column:
    """The number of rows where ``col`` is not NULL; ``count("*")`` counts rows (its name
    is ``count(1)``, as Spark's)."""
    if isinstance(col, str) and col == "*":
        return Column(E.Count(this=E.Star()))
    return _invoke("count", _c(col, "col"))


def count_distinct(col, *cols) -> Column:
    """The number of distinct non-NULL values (of all ``cols`` together)."""
    node = E.Count(this=E.Distinct(expressions=[c._expr for c in _cols((col, *cols), "col")]))
    return Column(node)


countDistinct = count_distinct


def sum_distinct(col) -> Column:
    """The sum of the distinct values of ``col``."""
    # an Anonymous node (typed by dialect/aggregates.py), named as Spark's sum(DISTINCT col)
    from sparklet.sql.naming import spark_name

    arg = _c(col, "col")._expr
    node = E.Anonymous(this="sum_distinct", expressions=[arg])
    node.meta["spark_name"] = f"sum(DISTINCT {spark_name(arg)})"
    return Column(node)


sumDistinct = sum_distinct


def mean(col) -> Column:
    """The average of ``col`` (Spark names it ``avg(col)``)."""
    return _invoke("avg", _c(col, "col"))


def product(col) -> Column:
    """The product of the values of ``col`` (a double)."""
    return _invoke("product", _c(col, "col"))


def approx_count_distinct(col, rsd=None) -> Column:
    """An estimate of the number of distinct values of ``col``."""
    if rsd is None:
        return _invoke("approx_count_distinct", _c(col, "col"))
    return _invoke("approx_count_distinct", _c(col, "col"), _cl(rsd))


approxCountDistinct = approx_count_distinct


def _percentage(percentage: Any) -> Column:
    if isinstance(percentage, Column):
        return percentage
    if isinstance(percentage, (list, tuple)):
        return Column(E.Array(expressions=[_cl(float(p))._expr for p in percentage]))
    if isinstance(percentage, (int, float)) and not isinstance(percentage, bool):
        return _cl(float(percentage))
    raise _type_error("NOT_COLUMN_OR_FLOAT_OR_LIST_OR_TUPLE", "percentage", percentage)


def percentile(col, percentage, frequency=1) -> Column:
    """The exact percentile(s) of ``col`` (a double, or an array of doubles)."""
    args = [_c(col, "col"), _percentage(percentage)]
    if not (isinstance(frequency, int) and frequency == 1):
        args.append(_cn(frequency))
    return _invoke("percentile", *args)


def percentile_approx(col, percentage, accuracy=10000) -> Column:
    """An approximate percentile of ``col``: a value of ``col`` itself (or an array)."""
    return _invoke("percentile_approx", _c(col, "col"), _percentage(percentage), _cl(accuracy))


def approx_percentile(col, percentage, accuracy=10000) -> Column:
    """``percentile_approx`` under its other name."""
    return _invoke("approx_percentile", _c(col, "col"), _percentage(percentage), _cl(accuracy))


def grouping_id(*cols) -> Column:
    """The grouping level as a bit vector of the grouping columns (all of them when none
    is given)."""
    node = E.Anonymous(this="grouping_id", expressions=[c._expr for c in _cols(cols, "cols")])
    node.meta["spark_fn"] = "grouping_id"
    return Column(node)


__all__ += [
    "collect_union",
    "mode",
    "any_value",
    "first_value",
    "last_value",
    "first",
    "last",
    "count",
    "count_distinct",
    "countDistinct",
    "sum_distinct",
    "sumDistinct",
    "mean",
    "product",
    "approx_count_distinct",
    "approxCountDistinct",
    "percentile",
    "percentile_approx",
    "approx_percentile",
    "grouping_id",
]
