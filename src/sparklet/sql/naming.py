"""The names Spark gives un-aliased expressions (``(id + 1)``, ``sum(v)``, ``upper(a)``).

Every Row field and ``show()`` header of an un-aliased column carries this name, so it
follows Spark's pretty SQL: binary operators in parentheses, function names in lower case,
string literals without quotes, ``count(1)`` for ``count(*)``.

>>> from sparklet.sql.dialect import parse_expression as p
>>> [spark_name(p(t)) for t in ["id + 1", "SUM(v)", "count(*)", "upper(a)", "'x'", "NOT a"]]
['(id + 1)', 'sum(v)', 'count(1)', 'upper(a)', 'x', '(NOT a)']
"""

from __future__ import annotations

from sqlglot import exp

_BINARY = {
    exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%", exp.EQ: "=",
    exp.NullSafeEQ: "<=>", exp.LT: "<", exp.LTE: "<=", exp.GT: ">", exp.GTE: ">=",
    exp.And: "AND", exp.Or: "OR", exp.BitwiseAnd: "&", exp.BitwiseOr: "|",
    exp.BitwiseXor: "^", exp.IntDiv: "div",
}

# sqlglot node names whose Spark function name differs
_FUNCTION_NAMES = {
    "array_agg": "collect_list", "array_unique_agg": "collect_set",
    "struct_extract": "getfield", "approx_distinct": "approx_count_distinct",
    "regexp_like": "rlike", "array_size": "size", "is_nan": "isnan", "date_from_parts": "make_date",
    "str_position": "locate", "unix_to_time": "from_unixtime", "time_to_str": "date_format",
    "str_to_time": "to_timestamp", "ts_or_ds_to_date": "to_date", "if": "if",
    "array_filter": "filter", "struct": "struct", "to_json": "to_json", "json_format": "to_json",
    "starts_with": "startswith", "ends_with": "endswith", "logical_or": "bool_or",
    "logical_and": "bool_and", "count_if": "count_if", "ts_or_ds_add": "date_add",
    "approx_quantile": "percentile_approx", "quantile": "percentile", "arg_max": "max_by",
    "arg_min": "min_by", "variance_pop": "var_pop", "group_concat": "listagg",
    "reduce": "aggregate",
}


def _args(e: exp.Expression) -> list[exp.Expression]:
    out = []
    for key in e.arg_types:
        if key == "unit" and isinstance(e, (exp.DateAdd, exp.DateSub, exp.TsOrDsAdd)):
            continue  # the DAY unit sqlglot records for date_add/date_sub is not Spark's
        value = e.args.get(key)
        if value is None:
            continue
        if isinstance(value, list):
            out.extend(v for v in value if isinstance(v, exp.Expression))
        elif isinstance(value, exp.Expression):
            out.append(value)
    return out


def spark_name(e: exp.Expression) -> str:
    """Spark's auto-generated column name for the expression ``e``."""
    name = e.meta.get("spark_name") if e.meta else None
    if name is not None:
        return name
    if isinstance(e, exp.Alias):
        return e.alias
    if isinstance(e, exp.Paren):
        return spark_name(e.this)
    if isinstance(e, exp.Column):
        if isinstance(e.this, exp.Star):
            return "*"
        return (e.meta or {}).get("display") or e.name
    if isinstance(e, exp.Star):
        return "*"
    if isinstance(e, exp.Literal):
        return e.this if e.is_string else e.this
    if isinstance(e, exp.Null):
        return "NULL"
    if isinstance(e, exp.Boolean):
        return "true" if e.this else "false"
    if isinstance(e, exp.Dot):
        # a struct field taken from a column (getField, col["a"]) is named ``s.a``, as Spark
        if isinstance(e.this, (exp.Column, exp.Dot, exp.Bracket)):
            return f"{spark_name(e.this)}.{e.expression.name}"
        return e.expression.name
    if isinstance(e, exp.Bracket):
        return f"{spark_name(e.this)}[{', '.join(spark_name(x) for x in e.expressions)}]"
    if isinstance(e, exp.Not):
        inner = e.this.this if isinstance(e.this, exp.Paren) else e.this
        if isinstance(inner, exp.Is):
            return f"({spark_name(inner.this)} IS NOT NULL)"
        return f"(NOT {spark_name(inner)})"
    if isinstance(e, exp.Neg):
        return f"(- {spark_name(e.this)})"
    if isinstance(e, exp.Is):
        return f"({spark_name(e.this)} IS NULL)"
    if isinstance(e, exp.NEQ):
        return f"(NOT ({spark_name(e.this)} = {spark_name(e.expression)}))"
    op = _BINARY.get(type(e))
    if op is not None:
        return f"({spark_name(e.this)} {op} {spark_name(e.expression)})"
    if isinstance(e, (exp.Cast, exp.TryCast)):
        spark_type = e.to.meta.get("spark_type") if e.to.meta else None
        type_name = (spark_type.simpleString() if spark_type is not None
                     else e.to.sql("spark")).upper()
        prefix = "TRY_CAST" if e.args.get("safe") else "CAST"
        return f"{prefix}({spark_name(e.this)} AS {type_name})"
    if isinstance(e, exp.Case):
        parts = ["CASE"]
        if e.this is not None:
            parts.append(spark_name(e.this))
        for branch in e.args.get("ifs") or []:
            parts.append(f"WHEN {spark_name(branch.this)} THEN {spark_name(branch.args['true'])}")
        if e.args.get("default") is not None:
            parts.append(f"ELSE {spark_name(e.args['default'])}")
        parts.append("END")
        return " ".join(parts)
    if isinstance(e, exp.In):
        values = ", ".join(spark_name(x) for x in e.expressions)
        return f"({spark_name(e.this)} IN ({values}))"
    if isinstance(e, exp.Between):
        this = spark_name(e.this)
        return (f"(({this} >= {spark_name(e.args['low'])}) AND "
                f"({this} <= {spark_name(e.args['high'])}))")
    if isinstance(e, exp.Like):
        return f"{spark_name(e.this)} LIKE {spark_name(e.expression)}"
    if isinstance(e, exp.Ordered):
        direction = "DESC" if e.args.get("desc") else "ASC"
        nulls = "NULLS FIRST" if e.args.get("nulls_first") else "NULLS LAST"
        return f"{spark_name(e.this)} {direction} {nulls}"
    if isinstance(e, exp.Window):
        return _window_name(e)
    if isinstance(e, exp.Lambda):
        params = ", ".join(p.name for p in e.expressions)
        return f"lambdafunction({spark_name(e.this)}, {params})"
    if (isinstance(e, exp.TsOrDsToDate) and not e.args.get("safe") and
            e.args.get("format") is None) or (isinstance(e, exp.TimeStrToTime) and
                                              e.args.get("zone") is None):
        # the implicit date cast sqlglot puts under year(x), month(x), ...: not in Spark's name
        return spark_name(e.this)
    if isinstance(e, exp.Struct):
        fields = e.expressions
        if fields and all(isinstance(f, exp.PropertyEQ) and not f.this.quoted and not (
                isinstance(f.expression, exp.Column) and f.expression.name == f.this.name)
                for f in fields):
            # SQL text's named_struct('a', 1) (sqlglot reads it as a struct of a := 1)
            return "named_struct(" + ", ".join(
                f"{f.this.name}, {spark_name(f.expression)}" for f in fields) + ")"
        return "struct(" + ", ".join(_struct_field(f) for f in fields) + ")"
    if isinstance(e, exp.DPipe):  # a || b is Spark's concat
        return f"concat({spark_name(e.this)}, {spark_name(e.expression)})"
    if isinstance(e, exp.IgnoreNulls):
        return spark_name(e.this)  # Spark's name does not show ignoreNulls
    if isinstance(e, exp.BitwiseNot):
        return f"~{spark_name(e.this)}"
    if isinstance(e, (exp.Explode, exp.Inline, exp.Stack)) or (
            isinstance(e, exp.Anonymous) and e.name.lower() in _GENERATOR_NAMES):
        return ", ".join(generator_names(e))
    if isinstance(e, exp.Count):
        inner = e.this
        if inner is None or isinstance(inner, exp.Star):
            return "count(1)"
        if isinstance(inner, exp.Distinct):
            return "count(DISTINCT " + ", ".join(spark_name(x) for x in inner.expressions) + ")"
    given = (e.meta or {}).get("spark_args")
    if given is not None and (e.meta or {}).get("spark_fn"):
        return f"{e.meta['spark_fn']}({', '.join(spark_name(a) for a in given)})"
    if isinstance(e, exp.Anonymous):
        return f"{e.name.lower()}({', '.join(spark_name(a) for a in e.expressions)})"
    if isinstance(e, (exp.Lag, exp.Lead)):  # Spark shows the default offset and default
        offset = e.args.get("offset")
        default = e.args.get("default")
        return (f"{e.key}({spark_name(e.this)}, {spark_name(offset) if offset else '1'}, "
                f"{spark_name(default) if default else 'NULL'})")
    if isinstance(e, exp.ApproxQuantile) and e.args.get("accuracy") is None:
        return (f"percentile_approx({spark_name(e.this)}, {spark_name(e.args['quantile'])}, "
                "10000)")
    if isinstance(e, exp.Func):
        fn = (e.meta or {}).get("spark_fn")
        if fn is None:
            # a function of SQL text, which sqlglot read into its own node: Spark's name is
            # the call as Spark SQL writes it (``date_format(d, yyyy/MM)``, ``lpad(s, 3, *)``)
            written = _as_written(e)
            if written is not None:
                return written
        fn = fn or _FUNCTION_NAMES.get(e.sql_name().lower(), e.sql_name().lower())
        return f"{fn}({', '.join(spark_name(a) for a in _args(e))})"
    if isinstance(e, exp.Distinct):
        return "DISTINCT " + ", ".join(spark_name(x) for x in e.expressions)
    return e.sql(dialect="spark")


def _as_written(e: exp.Expression) -> str | None:
    """``name(args)`` of a function node from sqlglot's Spark SQL for it, or None."""
    import re

    import sqlglot

    text = e.sql(dialect="spark")
    m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\((.*)\)", text, flags=re.S)
    if m is None or m.group(1).upper() in ("CAST", "TRY_CAST", "EXTRACT") or "->" in text:
        return None
    args, depth, quote, start = [], 0, None, 0
    body = m.group(2)
    for i, ch in enumerate(body):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(body[start:i])
            start = i + 1
    if body.strip():
        args.append(body[start:])
    names = []
    for arg in args:
        try:
            tree = sqlglot.parse_one(arg.strip(), read="spark")
        except Exception:  # noqa: BLE001 - not an expression on its own (EXTRACT(x FROM y))
            return None
        if type(tree) is type(e) and tree.sql(dialect="spark") == text:
            return None  # no progress: let the caller name it
        names.append(spark_name(tree))
    return f"{m.group(1).lower()}({', '.join(names)})"


_GENERATOR_NAMES = {"explode_outer", "posexplode_outer", "inline_outer", "json_tuple", "stack"}


def _struct_field(f: exp.Expression) -> str:
    if isinstance(f, exp.PropertyEQ):
        value = f.expression
        name = f.this.name
        if isinstance(value, exp.Column) and spark_name(value) == name:
            return name
        if name.startswith("col") and name[3:].isdigit() and not isinstance(value, exp.Column):
            return spark_name(value)
        return f"{spark_name(value)} AS {name}"
    return spark_name(f)


def generator_names(e: exp.Expression, element: object = None) -> list[str]:
    """The output column names of a generator in a select list (Spark's defaults):
    ``explode`` → ``col`` (a map: ``key``, ``value``), ``posexplode`` → ``pos``, ``col``,
    ``json_tuple`` → ``c0``, ``c1``..., ``stack`` → ``col0``, ``col1``... ``element`` is the
    exploded value's Spark type when known (a MapType, or a StructType for ``inline``)."""
    from sparklet.sql import types as T

    name = e.name.lower() if isinstance(e, exp.Anonymous) else e.key.lower()
    name = name.replace("_outer", "").replace("outer", "")
    if name == "explode":
        return ["key", "value"] if isinstance(element, T.MapType) else ["col"]
    if name == "posexplode":
        return ["pos", "key", "value"] if isinstance(element, T.MapType) else ["pos", "col"]
    if name == "inline":
        if isinstance(element, T.StructType):
            return [f.name for f in element.fields]
        return ["col1"]
    if name == "json_tuple":
        args = e.expressions if isinstance(e, exp.Anonymous) else []
        return [f"c{i}" for i in range(max(len(args) - 1, 1))]
    if name == "stack":
        args = e.expressions if isinstance(e, exp.Anonymous) else [e.this, *e.expressions]
        try:
            rows = int(args[0].name)
        except (ValueError, IndexError, AttributeError):
            rows = 1
        cols = -(-(len(args) - 1) // max(rows, 1))
        return [f"col{i}" for i in range(cols)]
    return ["col"]


def _default_frame(e: exp.Window) -> str:
    """The frame Spark gives a window without one, as its name shows it."""
    fn = e.this.this if isinstance(e.this, exp.IgnoreNulls) else e.this
    name = fn.name.lower() if isinstance(fn, exp.Anonymous) else fn.key.lower()
    if isinstance(fn, (exp.RowNumber, exp.Rank, exp.DenseRank, exp.PercentRank, exp.CumeDist,
                       exp.Ntile)) or name in ("row_number", "rank", "dense_rank",
                                               "percent_rank", "cume_dist", "ntile"):
        return "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
    if isinstance(fn, (exp.Lag, exp.Lead)):
        offset = fn.args.get("offset")
        n = int(offset.name) if isinstance(offset, exp.Literal) else 1
        n = -n if isinstance(fn, exp.Lag) else n
        return f"ROWS BETWEEN {n} FOLLOWING AND {n} FOLLOWING"
    if e.args.get("order") is not None:
        return "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
    return "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"


def _window_name(e: exp.Window) -> str:
    parts = []
    partition = e.args.get("partition_by") or []
    if partition:
        parts.append("PARTITION BY " + ", ".join(spark_name(p) for p in partition))
    order = e.args.get("order")
    if order is not None:
        parts.append("ORDER BY " + ", ".join(spark_name(o) for o in order.expressions))
    spec = e.args.get("spec")
    if spec is not None:
        def bound(value, side):
            if value == "UNBOUNDED":
                return f"UNBOUNDED {side}"
            if value == "CURRENT ROW":
                return "CURRENT ROW"
            # Spark prints a literal bound n as ``n FOLLOWING`` (``-1 FOLLOWING`` for 1 before)
            text = spark_name(value) if isinstance(value, exp.Expression) else str(value)
            return f"{'-' if (side or '').upper() == 'PRECEDING' else ''}{text} FOLLOWING"
        start = bound(spec.args.get("start"), spec.args.get("start_side"))
        end = bound(spec.args.get("end"), spec.args.get("end_side"))
        kind = "ROWS" if (spec.args.get("kind") or "ROWS").upper() == "ROWS" else "RANGE"
        parts.append(f"{kind} BETWEEN {start} AND {end}")
    else:
        parts.append(_default_frame(e))
    return f"{spark_name(e.this)} OVER ({' '.join(parts)})"
