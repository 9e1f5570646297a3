"""Aggregate functions with Spark's result types and NULL rules.

DuckDB's aggregates differ from Spark's in their result types (``SUM(INTEGER)`` is a
``HUGEINT``, ``AVG(DECIMAL)`` a ``DOUBLE``, ``COUNT_IF`` a ``HUGEINT``) and in a few NULL
rules (``collect_list`` of no rows is ``[]`` in Spark, NULL in DuckDB). Each rule here is a
*builder*: ``fn(gen, e)`` returns a function of the text that follows every aggregate call
inside it — ``""`` in a GROUP BY, `` FILTER (WHERE ...)`` for a pivot, `` OVER (...)`` in a
window (``dialect/windows.py`` uses :func:`builder`) — so one rule types the aggregate in
all three places. Spark's types:

- ``sum``: integral → ``bigint`` (ANSI: overflow raises ARITHMETIC_OVERFLOW; otherwise it
  wraps), ``decimal(p,s)`` → ``decimal(p+10,s)``, floating → ``double``;
- ``avg``: ``double``, or ``decimal(p+4,s+4)`` for a decimal (exact, rounded half up);
- ``count``, ``count_if``, ``grouping_id`` → ``bigint``; ``grouping`` → ``tinyint``;
- ``median``/``percentile`` → ``double``; ``percentile_approx`` → a value of the column;
- ``collect_list``/``collect_set`` drop NULLs and give ``[]`` for no rows.

>>> from sparklet.sql.dialect import parse_expression, to_duckdb
>>> to_duckdb(parse_expression("count_if(v > 1)"))
'CAST(COUNT_IF(v > 1) AS BIGINT)'
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.optimizer.annotate_types import annotate_types

Builder = Callable[[str], str]

_INTEGRAL = {exp.DataType.Type.TINYINT, exp.DataType.Type.SMALLINT, exp.DataType.Type.INT,
             exp.DataType.Type.BIGINT, exp.DataType.Type.INT128, exp.DataType.Type.UTINYINT,
             exp.DataType.Type.USMALLINT, exp.DataType.Type.UINT, exp.DataType.Type.UBIGINT,
             exp.DataType.Type.UINT128}
_FLOATING = {exp.DataType.Type.FLOAT, exp.DataType.Type.DOUBLE}
_LONG_MIN, _LONG_MAX = -(1 << 63), (1 << 63) - 1
# Spark 4.3's text for an overflowing sum (its Add's message)
_SUM_OVERFLOW = ("[ARITHMETIC_OVERFLOW] overflow. Use 'try_add' to tolerate overflow "
                 "and return NULL instead. If necessary set \"spark.sql.ansi.enabled\" to "
                 "\"false\" to bypass this error.")


def arg_type(e: exp.Expression | None) -> exp.DataType | None:
    """The DuckDB type of a resolved expression, when it can be known without binding."""
    if e is None:
        return None
    if isinstance(e, exp.Distinct):
        return arg_type(e.expressions[0]) if len(e.expressions) == 1 else None
    known = e.type
    if known is not None and known.this != exp.DataType.Type.UNKNOWN:
        return known
    # annotate a copy whose typed columns are given a table so that sqlglot keeps their types
    copy = e.copy()
    columns: dict[str, str] = {}
    # the copy's columns pair with the original's (the same walk), which still have parents
    for col, original in zip(list(copy.find_all(exp.Column)), list(e.find_all(exp.Column)),
                             strict=True):
        known = col.type if col.type is not None and \
            col.type.this != exp.DataType.Type.UNKNOWN else _view_column_type(original)
        if known is None:
            return None
        columns[col.name] = known.sql("duckdb")
        col.set("table", exp.to_identifier("__sparklet_t"))
    # sqlglot resolves column types within a query's scope: annotate SELECT <copy> FROM t
    query = exp.select(copy).from_("__sparklet_t")
    try:
        annotate_types(query, schema={"__sparklet_t": columns} if columns else None,
                       dialect="duckdb")
    except Exception:  # noqa: BLE001 - unknown is a fine answer
        return None
    found = query.expressions[0].type
    if found is None or found.this == exp.DataType.Type.UNKNOWN:
        return None
    return found


def _view_column_type(col: exp.Column, depth: int = 0) -> exp.DataType | None:
    """The type of a column of ``spark.sql`` text, whose tree has none: found in the schema
    of the temporary view the enclosing SELECT reads, or through a derived table's select
    list to one (``range(n)``'s ``id`` is a bigint)."""
    from sparklet.sql.session import SparkSession
    from sparklet.sql.typemap import to_duckdb_type

    session = SparkSession._active
    select = col.find_ancestor(exp.Select)
    if session is None or select is None or depth > 8:
        return None
    from_ = select.args.get("from_") or select.args.get("from")
    sources = ([from_.this] if from_ is not None else []) + [
        j.this for j in select.args.get("joins") or []]
    ctes = set()
    node: exp.Expression | None = select
    while node is not None:
        with_ = node.args.get("with_") or node.args.get("with")
        for cte in (with_.expressions if with_ is not None else []):
            ctes.add(cte.alias_or_name.lower())
        node = node.parent
    found: list[exp.DataType | None] = []
    for source in sources:
        alias = source.alias_or_name.lower()
        if col.table and col.table.lower() != alias and not (
                isinstance(source, exp.Table) and col.table.lower() == source.name.lower()):
            continue
        if isinstance(source, exp.Table) and isinstance(source.this, (
                exp.Anonymous, exp.GenerateSeries)) and (
                not isinstance(source.this, exp.Anonymous) or source.this.name.lower() ==
                "range"):
            # Spark's range table function: one bigint column id
            if col.name.lower() == "id":
                found.append(exp.DataType.build("BIGINT"))
        elif isinstance(source, exp.Table) and isinstance(source.this, exp.Identifier):
            name = source.name.lower()
            if name in ctes or name not in session._views or source.args.get("db"):
                return None
            for field in session._views[name].schema.fields:
                if field.name.lower() == col.name.lower():
                    try:
                        found.append(exp.DataType.build(to_duckdb_type(field.dataType),
                                                        dialect="duckdb"))
                    except Exception:  # noqa: BLE001 - a type sqlglot cannot spell
                        return None
        elif isinstance(source, exp.Subquery) and isinstance(source.this, exp.Select):
            for item in source.this.expressions:
                if item.alias_or_name.lower() != col.name.lower():
                    continue
                inner = item.this if isinstance(item, exp.Alias) else item
                if isinstance(inner, exp.Column) and inner.name.lower() == "range" and \
                        _reads_range(source.this):
                    found.append(exp.DataType.build("BIGINT"))
                elif isinstance(inner, exp.Column):
                    found.append(_view_column_type(inner, depth + 1))
                else:
                    found.append(arg_type(inner))
        else:
            return None
    if len(found) != 1:
        return None
    return found[0]


def _reads_range(select: exp.Select) -> bool:
    from_ = select.args.get("from_") or select.args.get("from")
    source = from_.this if from_ is not None else None
    fn = source.this if isinstance(source, exp.Table) else None
    return isinstance(fn, exp.GenerateSeries) or (
        isinstance(fn, exp.Anonymous) and fn.name.lower() == "range")


def _decimal(t: exp.DataType) -> tuple[int, int] | None:
    if t.this != exp.DataType.Type.DECIMAL:
        return None
    params = [int(p.this.this) if isinstance(p.this, exp.Literal) else int(p.name)
              for p in t.expressions]
    precision = params[0] if params else 18
    scale = params[1] if len(params) > 1 else 0
    return precision, scale


def _sum(gen, e: exp.Sum) -> Builder | None:
    t = arg_type(e.this)
    inner = gen.sql(e, "this")
    if t is None:
        return None
    if t.this in _INTEGRAL:
        in_pivot = e.find_ancestor(exp.Pivot) is not None

        def build(after: str) -> str:
            s = f"SUM({inner}){after}"
            if in_pivot:  # DuckDB's PIVOT takes one aggregate call: a plain checked cast
                return f"CAST({s} AS BIGINT)"
            if gen.ansi:
                return (f"CASE WHEN {s} BETWEEN {_LONG_MIN} AND {_LONG_MAX} THEN "
                        f"CAST({s} AS BIGINT) WHEN {s} IS NOT NULL THEN "
                        f"CAST(error({exp.Literal.string(_SUM_OVERFLOW).sql('duckdb')}) "
                        "AS BIGINT) END")
            # Spark without ANSI wraps around as a Java long does
            return (f"CAST((({s} - {_LONG_MIN}) % {1 << 64} + {1 << 64}) % {1 << 64} + "
                    f"{_LONG_MIN} AS BIGINT)")
        return build
    dec = _decimal(t)
    if dec is not None:
        p, s_ = dec
        cast = "CAST" if gen.ansi else "TRY_CAST"
        return lambda after: f"{cast}(SUM({inner}){after} AS DECIMAL({min(38, p + 10)}, {s_}))"
    if t.this in _FLOATING:
        return lambda after: f"CAST(SUM({inner}){after} AS DOUBLE)"
    return None


def _avg(gen, e: exp.Avg) -> Builder | None:
    t = arg_type(e.this)
    if t is None:
        return None
    dec = _decimal(t)
    inner = gen.sql(e, "this")
    if dec is None:
        return lambda after: f"CAST(AVG({inner}){after} AS DOUBLE)"
    p, s = dec
    rp, rs = min(38, p + 4), min(38, s + 4)
    arg = e.this.expressions[0] if isinstance(e.this, exp.Distinct) else e.this
    plain = gen.sql(arg)
    distinct = "DISTINCT " if isinstance(e.this, exp.Distinct) else ""
    if p + 10 + (rs - s) + 1 > 38:
        # the exact computation would overflow 128-bit integers: the mean of doubles, typed
        return lambda after: (f"CAST(AVG({distinct}CAST({plain} AS DOUBLE)){after} AS "
                              f"DECIMAL({rp}, {rs}))")

    def build(after: str) -> str:
        # the exact mean, rounded half up to s + 4 places, from the unscaled sum and count
        u = f"CAST(SUM({distinct}{plain}){after} * {10 ** s} AS HUGEINT)"
        n = f"COUNT({distinct}{plain}){after}"
        unscaled = f"SIGN({u}) * ((ABS({u}) * {2 * 10 ** (rs - s)} + {n}) // (2 * {n}))"
        return (f"CASE WHEN {n} = 0 THEN NULL ELSE CAST(CAST({unscaled} AS DECIMAL(38, 0)) * "
                f"CAST('{_one_in(rs)}' AS DECIMAL({rs + 1}, {rs})) AS DECIMAL({rp}, {rs})) END")
    return build


def _one_in(scale: int) -> str:
    return "1" if scale == 0 else "0." + "0" * (scale - 1) + "1"


def _cast(kind: str, fn: Callable[..., str]) -> Callable[..., Builder]:
    def rule(gen, e: exp.Expression) -> Builder:
        text = fn(gen, e)
        return lambda after: f"CAST({text}{after} AS {kind})"
    return rule


def _count_if(gen, e: exp.CountIf) -> str:
    return f"COUNT_IF({gen.sql(e, 'this')})"


def _median(gen, e: exp.Median) -> str:
    return f"MEDIAN({gen.sql(e, 'this')})"


def _quantile(gen, e: exp.Quantile) -> str:
    return f"QUANTILE_CONT({gen.sql(e, 'this')}, {gen.sql(e, 'quantile')})"


def _percentile_approx(gen, e: exp.ApproxQuantile) -> Builder:
    # Spark's percentile_approx is a value of the column (the smallest one whose rank
    # reaches the percentage), as DuckDB's discrete quantile
    text = f"QUANTILE_DISC({gen.sql(e, 'this')}, {gen.sql(e, 'quantile')})"
    return lambda after: f"{text}{after}"


def _grouping(gen, e: exp.Grouping) -> Builder:
    args = ", ".join(gen.sql(a) for a in e.expressions)
    return lambda after: f"CAST(GROUPING({args}){after} AS TINYINT)"


def _grouping_keys(e: exp.Expression) -> list[exp.Expression]:
    """The grouping columns of the SELECT around ``e`` (for ``grouping_id()``), in order."""
    select = e.find_ancestor(exp.Select)
    group = select.args.get("group") if select is not None else None
    if group is None:
        return []
    keys: list[exp.Expression] = []

    def add(node: exp.Expression) -> None:
        if isinstance(node, (exp.Rollup, exp.Cube, exp.GroupingSets, exp.Tuple)):
            for child in node.expressions:
                add(child)
        elif isinstance(node, exp.Paren):
            add(node.this)
        elif all(node != k for k in keys):
            keys.append(node)
    for node in group.expressions:
        add(node)
    return keys


def _grouping_id(gen, e: exp.Expression) -> Builder:
    # grouping_id() of no column means all the grouping columns, as in Spark
    args = ", ".join(gen.sql(a) for a in (e.expressions or _grouping_keys(e)))
    return lambda after: f"CAST(GROUPING_ID({args}){after} AS BIGINT)"


def _collect(distinct: bool):
    def rule(gen, e: exp.Expression) -> Builder:
        arg = gen.sql(e, "this")
        agg = f"LIST({'DISTINCT ' if distinct else ''}{arg})"

        def build(after: str) -> str:
            # NULLs are not collected; no rows give an empty array, as Spark
            where = f"{arg} IS NOT NULL"
            if after.lstrip().upper().startswith("FILTER"):
                # `` FILTER (WHERE c) OVER ...``: merge the conditions
                cond, rest = _split_filter(after)
                return f"COALESCE({agg} FILTER (WHERE ({where}) AND ({cond})){rest}, [])"
            return f"COALESCE({agg} FILTER (WHERE {where}){after}, [])"
        return build
    return rule


def _split_filter(after: str) -> tuple[str, str]:
    """`` FILTER (WHERE cond) rest`` → (cond, rest)."""
    start = after.index("(") + 1
    depth, i = 1, start
    while depth:
        ch = after[i]
        depth += ch == "("
        depth -= ch == ")"
        i += 1
    cond = after[start:i - 1].strip()
    if cond.upper().startswith("WHERE"):
        cond = cond[5:].strip()
    return cond, after[i:]


def _ignore_nulls(gen, e: exp.IgnoreNulls) -> Builder | None:
    # first(x, true) / last(x, true) / any_value(x, true) as aggregates: the first (last)
    # non-NULL value; DuckDB takes IGNORE NULLS in window functions only
    inner = e.this
    name = {exp.First: "FIRST", exp.Last: "LAST", exp.AnyValue: "ANY_VALUE",
            exp.FirstValue: "FIRST", exp.LastValue: "LAST"}.get(type(inner))
    if name is None:
        return None
    arg = gen.sql(inner, "this")

    def build(after: str) -> str:
        if after.lstrip().upper().startswith("FILTER"):
            cond, rest = _split_filter(after)
            return f"{name}({arg}) FILTER (WHERE ({arg} IS NOT NULL) AND ({cond})){rest}"
        return f"{name}({arg}) FILTER (WHERE {arg} IS NOT NULL){after}"
    return build


def _try_sum(gen, e: exp.Anonymous) -> Builder | None:
    # try_sum: NULL instead of the overflow error
    arg = e.expressions[0]
    t = arg_type(arg)
    inner = gen.sql(arg)
    if t is None:  # a column of unknown type (SQL text): DuckDB's own sum
        return lambda after: f"SUM({inner}){after}"
    if t.this in _INTEGRAL:
        return lambda after: (f"CASE WHEN SUM({inner}){after} BETWEEN {_LONG_MIN} AND "
                              f"{_LONG_MAX} THEN CAST(SUM({inner}){after} AS BIGINT) END")
    dec = _decimal(t)
    if dec is not None:
        p, s_ = dec
        return lambda after: f"TRY_CAST(SUM({inner}){after} AS DECIMAL({min(38, p + 10)}, {s_}))"
    return lambda after: f"CAST(SUM({inner}){after} AS DOUBLE)"


def _try_avg(gen, e: exp.Anonymous) -> Builder | None:
    build = _avg(gen, exp.Avg(this=e.expressions[0]))
    if build is None:
        inner = gen.sql(e.expressions[0])
        return lambda after: f"AVG({inner}){after}"
    return build


def _skewness(gen, e: exp.Skewness) -> Builder:
    # Spark's skewness is the population one (DuckDB's is bias-corrected); NULL when the
    # values do not vary
    x = f"CAST({gen.sql(e, 'this')} AS DOUBLE)"

    def build(after: str) -> str:
        mean, var = f"AVG({x}){after}", f"VAR_POP({x}){after}"
        m3 = (f"(AVG({x} * {x} * {x}){after} - 3 * {mean} * AVG({x} * {x}){after} + "
              f"2 * {mean} * {mean} * {mean})")
        return f"CASE WHEN {var} = 0 THEN NULL ELSE {m3} / POW({var}, 1.5) END"
    return build


def _kurtosis(gen, e: exp.Kurtosis) -> Builder:
    # Spark's kurtosis is the population excess kurtosis; NULL when the values do not vary
    x = f"CAST({gen.sql(e, 'this')} AS DOUBLE)"
    return lambda after: (f"CASE WHEN VAR_POP({x}){after} = 0 THEN NULL ELSE "
                          f"KURTOSIS_POP({x}){after} END")


def _mode(gen, e: exp.Mode) -> Builder:
    # mode(x, true): the smallest of the most frequent values (DuckDB's ordered aggregate
    # resolves ties by the order); mode(x): any of them
    arg = gen.sql(e, "this")
    flag = e.args.get("deterministic")
    order = f" ORDER BY {arg}" if isinstance(flag, exp.Boolean) and flag.this else ""
    return lambda after: f"MODE({arg}{order}){after}"


# aggregate node (or Anonymous name) → builder
BUILDERS: dict = {
    exp.Sum: _sum,
    exp.Avg: _avg,
    exp.CountIf: _cast("BIGINT", _count_if),
    exp.Median: _cast("DOUBLE", _median),
    exp.Quantile: _cast("DOUBLE", _quantile),
    exp.ApproxQuantile: _percentile_approx,
    exp.Grouping: _grouping,
    exp.GroupingId: _grouping_id,
    exp.ArrayAgg: _collect(False),
    exp.ArrayUniqueAgg: _collect(True),
    exp.IgnoreNulls: _ignore_nulls,
    exp.Skewness: _skewness,
    exp.Mode: _mode,
    exp.Kurtosis: _kurtosis,
}


def _anonymous_avg(gen, e: exp.Anonymous) -> Builder | None:
    return _avg(gen, exp.Avg(this=e.expressions[0]))


def _anonymous_stddev(gen, e: exp.Anonymous) -> Builder:
    text = f"STDDEV_SAMP({gen.sql(e.expressions[0])})"
    return lambda after: f"{text}{after}"


def _anonymous_bool(fn: str):
    def rule(gen, e: exp.Anonymous) -> Builder:
        text = f"{fn}(CAST({gen.sql(e.expressions[0])} AS BOOLEAN))"
        return lambda after: f"{text}{after}"
    return rule


def _anonymous_grouping_id(gen, e: exp.Anonymous) -> Builder:
    return _grouping_id(gen, exp.GroupingId(expressions=list(e.expressions)))


def _anonymous_product(gen, e: exp.Anonymous) -> Builder:
    text = f"PRODUCT(CAST({gen.sql(e.expressions[0])} AS DOUBLE))"
    return lambda after: f"{text}{after}"


ANONYMOUS_BUILDERS: dict = {
    "mean": _anonymous_avg,
    "std": _anonymous_stddev,
    "every": _anonymous_bool("BOOL_AND"),
    "some": _anonymous_bool("BOOL_OR"),
    "any": _anonymous_bool("BOOL_OR"),
    "grouping_id": _anonymous_grouping_id,
    "product": _anonymous_product,
    "try_sum": _try_sum,
    "try_avg": _try_avg,
}


def builder(gen, e: exp.Expression) -> Builder | None:
    """The builder of an aggregate node, or None when DuckDB's own text is Spark's."""
    if isinstance(e, exp.Anonymous):
        rule = ANONYMOUS_BUILDERS.get(e.name.lower())
    else:
        rule = BUILDERS.get(type(e))
    return rule(gen, e) if rule is not None else None


def _default(gen, e: exp.Expression) -> str:
    # what sqlglot's DuckDB generator writes for the node (bypassing these TRANSFORMS)
    handler = DuckDB.Generator.TRANSFORMS.get(type(e))
    if handler is not None:
        return handler(gen, e)
    method = getattr(gen, e.key + "_sql", None)
    if method is not None:
        return method(e)
    return gen.function_fallback_sql(e)


def _transform(gen, e: exp.Expression) -> str:
    build = builder(gen, e)
    if build is None:
        return _default(gen, e)
    return build("")


def _filter(gen, e: exp.Filter) -> str:
    """``agg FILTER (WHERE cond)`` (pivot), the aggregate typed by its builder."""
    build = builder(gen, e.this)
    where = gen.sql(e, "expression").strip()
    after = f" FILTER ({where})"
    if build is None:
        return f"{gen.sql(e, 'this')}{after}"
    return build(after)


def _anonymous(name: str):
    def rule(gen, e: exp.Anonymous) -> str:
        build = builder(gen, e)
        return build("") if build is not None else DuckDB.Generator.anonymous_sql(gen, e)
    return rule


def _anonymous_sum_distinct(gen, e: exp.Anonymous) -> Builder | None:
    # F.sum_distinct builds this node (a plain sum(DISTINCT x) is the numeric rules'), so
    # that the distinct sum gets Spark's type too
    return _sum(gen, exp.Sum(this=exp.Distinct(expressions=[e.expressions[0].copy()])))


ANONYMOUS_BUILDERS["sum_distinct"] = _anonymous_sum_distinct


def _select(gen, e: exp.Select) -> str:
    """A SELECT of ``spark.sql`` text: its columns typed from the temporary views it reads
    (the trees of SQL text carry no types), so that every rule sees Spark's types."""
    for col in e.find_all(exp.Column):
        if (col.type is None or col.type.this == exp.DataType.Type.UNKNOWN) and \
                not isinstance(col.this, exp.Star) and not _is_lambda_variable(col) and \
                col.find_ancestor(exp.Pivot) is None:  # PIVOT's aggregate must stay one call
            found = _view_column_type(col)
            if found is not None:
                col.type = found
    return gen.select_sql(e)


def _is_lambda_variable(col: exp.Column) -> bool:
    node = col.parent
    while node is not None:
        if isinstance(node, exp.Lambda) and any(
                p.name.lower() == col.name.lower() for p in node.expressions):
            return True
        node = node.parent
    return False


# sum and avg outside windows and FILTER clauses, and try_sum / try_avg, are the numeric and
# ANSI rules' (dialect/numeric.py, dialect/ansi.py); inside a window or a pivot's FILTER their
# call must stay bare, and the builders here type it there
_ELSEWHERE = {exp.Sum, exp.Avg}
_ELSEWHERE_FUNCTIONS = {"try_sum", "try_avg"}
TRANSFORMS = {cls: _transform for cls in BUILDERS if cls not in _ELSEWHERE}
TRANSFORMS[exp.Filter] = _filter
TRANSFORMS[exp.Select] = _select
FUNCTIONS = {name: _anonymous(name) for name in ANONYMOUS_BUILDERS
             if name not in _ELSEWHERE_FUNCTIONS}
