"""arrays rules of the Spark-on-DuckDB dialect: arrays, maps, structs, higher-order functions
and the table-generating functions (``explode`` and its family).

What differs from DuckDB's list functions, and why the rules below exist:

- Spark's collection functions are three-valued where DuckDB's are two-valued
  (``array_contains(array(1, NULL), 3)`` is NULL, ``exists`` / ``forall`` likewise), keep the
  first occurrence's order (``array_distinct``, ``array_union``), and keep one NULL element
  where DuckDB's set functions drop them.
- Spark's indexes: ``arr[i]`` is 0-based, ``element_at`` 1-based, lambda indexes 0-based
  ``int``; DuckDB's are 1-based ``BIGINT``. Out of bounds, ANSI mode raises
  ``INVALID_ARRAY_INDEX`` / ``INVALID_ARRAY_INDEX_IN_ELEMENT_AT``; without it, NULL.
- Result types: ``size`` and ``posexplode``'s ``pos`` are ``int``, ``array_position``
  ``bigint``, ``sequence`` keeps its arguments' type (DuckDB's ``generate_series`` is
  ``BIGINT`` or ``TIMESTAMP``).
- Map keys are unique in Spark (``spark.sql.mapKeyDedupPolicy=EXCEPTION``): a duplicate
  raises ``DUPLICATED_MAP_KEY``; DuckDB's ``map_concat`` keeps the last one silently.

Some rules need an argument's type (``size`` of a map or of an array, a struct field of an
array of structs): :func:`spark_type` reads a resolved column's ``.type`` or asks DuckDB to
bind the argument's SQL (with typed NULLs for the resolved columns).

A lambda's variable is bound to a value with :func:`let`, a one-element ``list_transform``:
DuckDB has no ``LET`` inside expressions, and nested lambdas see the outer lambdas'
variables, so Spark's lambda bodies are generated unchanged.

Generators (``explode``, ``posexplode``, ``inline``, their ``_outer`` forms, ``stack``,
``json_tuple``) become ``UNNEST`` items of the projection, named as Spark names them
(``col``; ``pos, col``; ``key, value``; the struct's fields; ``col0``...; ``c0``...) or by
the query's ``AS (a, b)``; one name for several columns raises
``UDTF_ALIAS_NUMBER_MISMATCH``. ``LATERAL VIEW [OUTER]`` is a correlated subquery of the
same items. A DataFrame's ``select`` can ask :func:`generator_projection` for the columns.
"""

from __future__ import annotations

import hashlib
import itertools
import threading

import duckdb
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.expressions.array import _ExplodeOuter  # explode_outer's own node

from sparklet.sql import types as T
from sparklet.sql.typemap import from_duckdb_type, to_duckdb_type

# --------------------------------------------------------------------------------------------
# helpers shared with jsonfuncs.py
# --------------------------------------------------------------------------------------------

_probe_lock = threading.Lock()
_probe_con: duckdb.DuckDBPyConnection | None = None
_probe_cache: dict[str, T.DataType | None] = {}
_counter = itertools.count(1)
_CACHE_LIMIT = 20000


def _has_unknown(t: exp.DataType) -> bool:
    return any(d.this == exp.DataType.Type.UNKNOWN for d in t.find_all(exp.DataType))


def _duck_bind_type(sql: str) -> T.DataType | None:
    """The Spark type of DuckDB expression ``sql``, bound (not run) on a private connection."""
    global _probe_con
    with _probe_lock:
        if sql in _probe_cache:
            return _probe_cache[sql]
        if len(_probe_cache) > _CACHE_LIMIT:
            _probe_cache.clear()
        if _probe_con is None:
            _probe_con = duckdb.connect()
        try:
            dt = from_duckdb_type(_probe_con.sql(f"SELECT {sql}").types[0])
        except (duckdb.Error, TypeError, ValueError):
            dt = None
        _probe_cache[sql] = dt
        return dt


_spark_text_cache: dict[str, T.DataType | None] = {}


def spark_type(gen, e: exp.Expression) -> T.DataType | None:
    """The Spark type of ``e``, or None when it cannot be known here.

    Resolved columns carry their type (``.type``); anything built from them and from
    literals is typed by binding its generated SQL in DuckDB, the columns replaced by typed
    NULLs. Columns without a type (a ``spark.sql`` text over a view), lambda variables and
    subqueries make the type unknown. Answers are cached by the typed tree's Spark SQL
    text, so that nested rules do not generate a subtree again for every level.
    """
    if isinstance(e, exp.Null):
        return T.NullType()
    if isinstance(e, exp.Column):
        t = e.type
        if t is None or _has_unknown(t):
            return None
        return _duck_bind_type(f"CAST(NULL AS {t.sql('duckdb')})")
    tree = e.copy()
    lambda_vars = {p.name for lam in tree.find_all(exp.Lambda) for p in lam.expressions}
    for col in list(tree.find_all(exp.Column)):
        t = col.type
        if t is not None and not _has_unknown(t):
            typed_null = exp.Cast(this=exp.Null(), to=t.copy())
            typed_null.meta.update(col.meta or {})  # the Spark name a struct field takes
            col.replace(typed_null)
        elif not (col.name in lambda_vars and not col.table):
            return None
    if any(isinstance(n, (exp.Subquery, exp.Select)) for n in tree.walk()):
        return None
    try:
        key = tree.sql(dialect="spark")
    except Exception:  # noqa: BLE001 - a tree Spark's generator cannot print: no cache key
        key = None
    if key is not None and key in _spark_text_cache:
        return _spark_text_cache[key]
    try:
        sql = gen.sql(tree)
    except Exception:  # noqa: BLE001 - a rule that cannot generate here leaves the type unknown
        return None
    dt = _duck_bind_type(sql)
    if key is not None:
        with _probe_lock:
            if len(_spark_text_cache) > _CACHE_LIMIT:  # a long session: start again
                _spark_text_cache.clear()
            _spark_text_cache[key] = dt
    return dt


_scope = threading.local()


def fresh(stem: str = "v") -> str:
    """A lambda variable name that no Spark query uses. Inside a rule (see :func:`scoped`)
    the name is the rule's expression's digest and a count, so that the same expression
    is the same SQL wherever it appears (SELECT and GROUP BY must match for DuckDB)."""
    state = getattr(_scope, "state", None)
    if state is None:
        return f"__{stem}{next(_counter)}"
    state[1] += 1
    return f"__{stem}_{state[0]}_{state[1]}"


def scoped(fn):
    """A rule whose :func:`fresh` names derive from its expression's Spark text."""
    def rule(gen, e):
        try:
            digest = hashlib.blake2s(e.sql(dialect="spark").encode(), digest_size=5).hexdigest()
        except Exception:  # noqa: BLE001 - a node Spark's generator cannot print: counted names
            digest = f"n{next(_counter)}"
        saved = getattr(_scope, "state", None)
        _scope.state = [digest, 0]
        try:
            return fn(gen, e)
        finally:
            _scope.state = saved
    rule.__name__ = getattr(fn, "__name__", "rule")
    rule.__doc__ = getattr(fn, "__doc__", None)
    return rule


def let(value_sql: str, var: str, body_sql: str) -> str:
    """``body_sql`` with lambda variable ``var`` bound to ``value_sql`` (evaluated once)."""
    return f"LIST_TRANSFORM([{value_sql}], LAMBDA {var} : {body_sql})[1]"


def apply_lambda(gen, lam: exp.Expression, args: list[str]) -> str:
    """The body of Spark lambda ``lam`` with its variables bound to ``args`` (SQL texts)."""
    if not isinstance(lam, exp.Lambda):  # a function value that is no lambda: not Spark SQL
        return gen.sql(lam)
    params = [gen.sql(p) for p in lam.expressions]
    body = gen.sql(lam, "this")
    for name, value in reversed(list(zip(params, args, strict=False))):
        body = let(value, name, body)
    return body


def spark_error(condition: str, *parts: str) -> str:
    """DuckDB ``error(...)`` raising Spark's ``[CONDITION] message``; ``parts`` alternate
    literal text and SQL expressions (converted to text), starting with text."""
    pieces = [_str_lit(f"[{condition}] ")]
    for i, part in enumerate(parts):
        pieces.append(_str_lit(part) if i % 2 == 0 else f"CAST({part} AS VARCHAR)")
    return f"error({' || '.join(pieces)})"


def _str_lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def default_sql(gen, e: exp.Expression) -> str:
    """What sqlglot's own DuckDB generator makes of ``e`` (a rule's fallback)."""
    fn = DuckDB.Generator.TRANSFORMS.get(type(e))
    if fn is not None:
        return fn(gen, e)
    method = getattr(DuckDB.Generator, f"{e.key}_sql", None)
    if method is not None:
        return method(gen, e)
    return gen.function_fallback_sql(e)


def _args(e: exp.Expression) -> list[exp.Expression]:
    """The arguments of a function node (an Anonymous's ``expressions``)."""
    return list(e.expressions)


def _literal_int(e: exp.Expression | None) -> int | None:
    if e is None:
        return None
    if isinstance(e, exp.Literal) and not e.is_string:
        try:
            return int(e.this)
        except ValueError:
            return None
    if isinstance(e, exp.Neg):
        inner = _literal_int(e.this)
        return None if inner is None else -inner
    return None


# --------------------------------------------------------------------------------------------
# arrays
# --------------------------------------------------------------------------------------------

def _size_sql(gen, e: exp.Expression) -> str:
    """``size`` / ``cardinality``: int; NULL for NULL under ANSI, -1 without it (Spark's
    ``spark.sql.legacy.sizeOfNull`` applies only when ANSI mode is off)."""
    arg = e.this if not isinstance(e, exp.Anonymous) else _args(e)[0]
    # DuckDB's CARDINALITY counts a list's elements as well as a map's entries: no type needed
    n = "NULL" if isinstance(arg, exp.Null) else f"CARDINALITY({gen.sql(arg)})"
    size = f"CAST({n} AS INTEGER)"
    return size if gen.ansi else f"COALESCE({size}, -1)"


def _has_null(x: str) -> str:
    # list_position finds a NULL element (it compares as IS NOT DISTINCT FROM)
    return f"LIST_POSITION({x}, NULL) IS NOT NULL"


def _array_contains_sql(gen, e: exp.ArrayContains) -> str:
    a, v = gen.sql(e.this), gen.sql(e.expression)
    return (f"CASE WHEN {a} IS NULL OR {v} IS NULL THEN NULL "
            f"WHEN LIST_CONTAINS({a}, {v}) THEN TRUE WHEN {_has_null(a)} THEN NULL "
            f"ELSE FALSE END")


def _distinct(x: str) -> str:
    """The distinct elements of list ``x`` in first-occurrence order, one NULL kept."""
    i, y = fresh("i"), fresh("x")
    return f"LIST_FILTER({x}, LAMBDA {y}, {i} : LIST_POSITION({x}, {y}) = {i})"


def _array_distinct_sql(gen, e: exp.ArrayDistinct) -> str:
    v = fresh("a")
    return let(gen.sql(e.this), v, _distinct(v))


def _set_op(gen, left: exp.Expression, right: exp.Expression, op: str) -> str:
    a, b = fresh("a"), fresh("b")
    y = fresh("x")
    if op == "union":
        body = _distinct(f"LIST_CONCAT({a}, {b})")
    elif op == "intersect":
        body = f"LIST_FILTER({_distinct(a)}, LAMBDA {y} : LIST_POSITION({b}, {y}) IS NOT NULL)"
    else:  # except
        body = f"LIST_FILTER({_distinct(a)}, LAMBDA {y} : LIST_POSITION({b}, {y}) IS NULL)"
    body = f"CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL ELSE {body} END"
    return let(gen.sql(left), a, let(gen.sql(right), b, body))


def _array_intersect_sql(gen, e: exp.ArrayIntersect) -> str:
    args = e.expressions
    if len(args) != 2:
        return default_sql(gen, e)
    return _set_op(gen, args[0], args[1], "intersect")


def _arrays_overlap_sql(gen, e: exp.Expression) -> str:
    """true when a non-NULL element is in both; else NULL when both are non-empty and one
    holds a NULL; else false."""
    left, right = _args(e)
    a, b, y = fresh("a"), fresh("b"), fresh("x")
    common = f"LEN(LIST_FILTER({a}, LAMBDA {y} : {y} IS NOT NULL AND LIST_CONTAINS({b}, {y})))"
    body = (f"CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL WHEN {common} > 0 THEN TRUE "
            f"WHEN LEN({a}) > 0 AND LEN({b}) > 0 AND ({_has_null(a)} OR {_has_null(b)}) "
            f"THEN NULL ELSE FALSE END")
    return let(gen.sql(left), a, let(gen.sql(right), b, body))


def _array_position_sql(gen, e: exp.ArrayPosition) -> str:
    a, v = gen.sql(e.this), gen.sql(e.expression)
    return (f"CASE WHEN {a} IS NULL OR {v} IS NULL THEN NULL "
            f"ELSE CAST(COALESCE(LIST_POSITION({a}, {v}), 0) AS BIGINT) END")


def _array_remove_sql(gen, e: exp.ArrayRemove) -> str:
    a, v, y = gen.sql(e.this), gen.sql(e.expression), fresh("x")
    return (f"CASE WHEN {v} IS NULL THEN NULL "
            f"ELSE LIST_FILTER({a}, LAMBDA {y} : {y} IS NULL OR {y} <> {v}) END")


def _array_repeat_sql(gen, e: exp.Expression) -> str:
    value, count = _args(e)
    n, y = gen.sql(count), fresh("x")
    return (f"CASE WHEN {n} IS NULL THEN NULL ELSE LIST_TRANSFORM(RANGE(GREATEST({n}, 0)), "
            f"LAMBDA {y} : {gen.sql(value)}) END")


def _array_sort_sql(gen, e: exp.ArraySort) -> str:
    """``sort_array(a[, asc])``: ascending NULLs first, descending NULLs last;
    ``array_sort(a)``: ascending, NULLs last; ``array_sort(a, comparator)``: the comparator
    (a lambda returning a negative, zero or positive int) decides."""
    a = gen.sql(e.this)
    if isinstance(e.expression, exp.Lambda):
        return _comparator_sort(gen, a, e.expression)
    asc = e.args.get("asc")
    ascending = not (isinstance(asc, exp.Boolean) and not asc.this)
    if asc is not None and not isinstance(asc, exp.Boolean):
        return default_sql(gen, e)
    nulls_first = e.args.get("nulls_first")
    if nulls_first is None or not isinstance(nulls_first, exp.Boolean):
        first = ascending
    else:
        first = bool(nulls_first.this)
    return (f"LIST_SORT({a}, '{'ASC' if ascending else 'DESC'}', "
            f"'{'NULLS FIRST' if first else 'NULLS LAST'}')")


def _comparator_sort(gen, a: str, lam: exp.Lambda) -> str:
    """Sort by a Spark comparator: an element's place is the number of elements that go
    before it (comparator < 0, or = 0 and earlier), which is a stable sort."""
    arr, x, i, y, j, k = (fresh(s) for s in ("a", "x", "i", "y", "j", "k"))
    cmp = apply_lambda(gen, lam, [x, y])
    before = (f"LEN(LIST_FILTER(RANGE(1, LEN({arr}) + 1), LAMBDA {j} : "
              f"{let(f'{arr}[{j}]', y, f'({cmp} > 0 OR ({cmp} = 0 AND {j} < {i}))')}))")
    ranks = f"LIST_TRANSFORM({arr}, LAMBDA {x}, {i} : {{'r': {before}, 'v': {x}}})"
    return let(a, arr, f"LIST_TRANSFORM(LIST_SORT({ranks}), LAMBDA {k} : {k}.v)")


def _slice_sql(gen, e: exp.ArraySlice) -> str:
    """``slice(a, start, length)``: 1-based ``start``, from the end when negative (before
    the first element: empty); ``start`` 0 or a negative ``length`` raise, ANSI or not."""
    if not e.args.get("is_length") or e.args.get("start") is None \
            or e.args.get("end") is None:
        return default_sql(gen, e)
    a, s, n = fresh("a"), fresh("s"), fresh("n")
    first = f"CASE WHEN {s} > 0 THEN {s} ELSE LEN({a}) + {s} + 1 END"
    body = (f"CASE WHEN {a} IS NULL OR {s} IS NULL OR {n} IS NULL THEN NULL "
            f"WHEN {s} = 0 THEN "
            + spark_error("INVALID_PARAMETER_VALUE.START",
                          "The value of parameter(s) `start` in `slice` is invalid: Expects a "
                          "positive or a negative value for `start`, but got 0.")
            + f" WHEN {n} < 0 THEN "
            + spark_error("INVALID_PARAMETER_VALUE.LENGTH",
                          "The value of parameter(s) `length` in `slice` is invalid: Expects "
                          "`length` greater than or equal to 0, but got ", n, ".")
            + f" WHEN {first} < 1 THEN LIST_SLICE({a}, 1, 0) "
            f"ELSE LIST_SLICE({a}, {first}, {first} + {n} - 1) END")
    return let(gen.sql(e.this), a, let(gen.sql(e.args["start"]), s,
                                        let(gen.sql(e.args["end"]), n, body)))


def _array_insert_sql(gen, e: exp.ArrayInsert) -> str:
    """``array_insert(a, pos, v)``: 1-based; past the end pads with NULLs; negative counts
    from the end (-1 appends, Spark 3.5+); before the start pads after ``v``; 0 raises."""
    a, p, v, q = fresh("a"), fresh("p"), fresh("v"), fresh("q")
    y = fresh("x")

    def nulls(count: str) -> str:
        # NULLs of the element's type
        return f"LIST_TRANSFORM(RANGE({count}), LAMBDA {y} : CASE WHEN FALSE THEN {v} END)"

    # q: the 1-based position the new element takes in the result
    place = (f"CASE WHEN {q} > LEN({a}) + 1 THEN LIST_CONCAT({a}, {nulls(f'{q} - LEN({a}) - 1')}"
             f", [{v}]) WHEN {q} < 1 THEN LIST_CONCAT([{v}], {nulls(f'1 - {q}')}, {a}) "
             f"ELSE LIST_CONCAT(LIST_SLICE({a}, 1, {q} - 1), [{v}], "
             f"LIST_SLICE({a}, {q}, LEN({a}))) END")
    body = (f"CASE WHEN {a} IS NULL OR {p} IS NULL THEN NULL WHEN {p} = 0 THEN "
            + spark_error("INVALID_INDEX_OF_ZERO", "The index 0 is invalid. An index shall be "
                          "either < 0 or > 0 (the first element has index 1).")
            + " ELSE "
            + let(f"CASE WHEN {p} > 0 THEN {p} ELSE LEN({a}) + {p} + 2 END", q, place)
            + " END")
    return let(gen.sql(e.this), a, let(gen.sql(e.args["position"]), p,
                                        let(gen.sql(e.expression), v, body)))


def _flatten_sql(gen, e: exp.Flatten) -> str:
    a, y = fresh("a"), fresh("x")
    body = (f"CASE WHEN LEN(LIST_FILTER({a}, LAMBDA {y} : {y} IS NULL)) > 0 THEN NULL "
            f"ELSE FLATTEN({a}) END")
    return let(gen.sql(e.this), a, body)


def _sequence_sql(gen, e: exp.GenerateSeries) -> str:
    """``sequence(start, stop[, step])``: the arguments' type (int stays int, dates stay
    dates); the step defaults to 1 (or 1 day) towards ``stop``."""
    start, end, step = e.args.get("start"), e.args.get("end"), e.args.get("step")
    s, t = gen.sql(start), gen.sql(end)
    types = [spark_type(gen, start), spark_type(gen, end)]
    temporal = any(isinstance(x, (T.DateType, T.TimestampType, T.TimestampNTZType))
                   for x in types)
    if step is not None:
        st = gen.sql(step)
    elif temporal:
        st = f"CASE WHEN {s} <= {t} THEN INTERVAL 1 DAY ELSE INTERVAL -1 DAY END"
    else:
        st = f"CASE WHEN {s} <= {t} THEN 1 ELSE -1 END"
    series = f"GENERATE_SERIES({s}, {t}, {st})"
    known = [x for x in types if x is not None and not isinstance(x, T.NullType)]
    if not known:
        return series
    elem = known[0]
    if len(known) == 2 and known[0] != known[1]:
        order = [T.ByteType, T.ShortType, T.IntegerType, T.LongType]
        if all(type(x) in order for x in known):
            elem = max(known, key=lambda x: order.index(type(x)))
        elif any(isinstance(x, T.TimestampType) for x in known):
            elem = T.TimestampType()
    return f"CAST({series} AS {to_duckdb_type(elem)}[])"


def _field_name(e: exp.Expression) -> str | None:
    """The name Spark gives a struct field built from ``e`` (a column's, an alias's, a
    field's), or None for an expression without one. A resolved DataFrame column carries
    its Spark name in ``meta["attr"]`` (its identifier is the physical name)."""
    if isinstance(e, exp.Alias):
        return e.alias
    if isinstance(e, (exp.Column, exp.Cast)) and (e.meta or {}).get("attr") is not None:
        return e.meta["attr"].name  # a resolved column (in a type probe: its typed NULL)
    if isinstance(e, exp.Column) and not isinstance(e.this, exp.Star):
        attr = (e.meta or {}).get("attr")
        if attr is not None:
            return attr.name
        return (e.meta or {}).get("display") or e.name
    if isinstance(e, exp.Dot):
        return e.expression.name
    return None


def _struct_sql(gen, e: exp.Struct) -> str:
    """``struct(a, b AS c, 1)`` / ``named_struct('x', 1)``: fields named by the given
    names, else by the columns (their Spark names) or aliases, else ``col1``, ``col2``..."""
    fields = []
    for i, item in enumerate(e.expressions, 1):
        if isinstance(item, exp.PropertyEQ):
            name, value = item.name, item.expression
            if name.startswith("__sparklet_arg"):  # F.struct(...): the argument names it
                name = _field_name(value) or f"col{i}"
        else:
            name, value = _field_name(item) or f"col{i}", item
        if isinstance(value, exp.Alias):
            value = value.this
        fields.append(f"{_str_lit(name)}: {gen.sql(value)}")
    if not fields:
        return default_sql(gen, e)
    return "{" + ", ".join(fields) + "}"


def _reverse_sql(gen, e: exp.Reverse) -> str:
    """``reverse``: of an array, its elements backwards; of a string, its characters."""
    if isinstance(spark_type(gen, e.this), T.ArrayType):
        return array_reverse_sql(gen, e)
    return default_sql(gen, e)


def _arrays_zip_sql(gen, e: exp.ArraysZip) -> str:
    """Structs of the i-th elements, as long as the longest input (NULL-padded); the field
    names are the inputs' column names, or their positions ``0``, ``1``, ... ."""
    args = list(e.expressions)
    if not args:
        return "[]"
    names = [_field_name(arg) or str(i) for i, arg in enumerate(args)]
    vars_ = [fresh("z") for _ in args]
    i = fresh("i")
    fields = ", ".join(f"{_str_lit(n)}: {v}[{i}]" for n, v in zip(names, vars_, strict=True))
    longest = f"GREATEST({', '.join(f'LEN({v})' for v in vars_)})"
    null = " OR ".join(f"{v} IS NULL" for v in vars_)
    body = (f"CASE WHEN {null} THEN NULL ELSE LIST_TRANSFORM(RANGE(1, {longest} + 1), "
            f"LAMBDA {i} : {{{fields}}}) END")
    for arg, v in reversed(list(zip(args, vars_, strict=True))):
        body = let(gen.sql(arg), v, body)
    return body


def _shuffle_sql(gen, e: exp.Shuffle) -> str:
    y, k = fresh("x"), fresh("k")
    keyed = f"LIST_TRANSFORM({gen.sql(e.this)}, LAMBDA {y} : {{'r': RANDOM(), 'v': {y}}})"
    return f"LIST_TRANSFORM(LIST_SORT({keyed}), LAMBDA {k} : {k}.v)"


def array_reverse_sql(gen, e: exp.Expression) -> str:
    """``reverse`` of an array (``reverse`` of a string is strings.py's rule)."""
    return f"LIST_REVERSE({gen.sql(e.this)})"


# --------------------------------------------------------------------------------------------
# element access
# --------------------------------------------------------------------------------------------

def _bracket_sql(gen, e: exp.Bracket) -> str:
    """``arr[i]`` (0-based), ``element_at`` (1-based, from the end when negative),
    ``try_element_at``, ``map[key]``, ``struct['field']``."""
    if len(e.expressions) != 1 or isinstance(e.expressions[0], exp.Slice):
        return default_sql(gen, e)
    target, index = e.this, e.expressions[0]
    dt = spark_type(gen, target)
    one_based = e.args.get("offset") == 1
    if one_based and e.args.get("safe") is None:
        # built by sqlglot's own DuckDB SQL (split_part, regexp_instr): DuckDB's 1-based x[i]
        return default_sql(gen, e)
    if isinstance(dt, T.MapType) or (dt is None and isinstance(index, exp.Literal)
                                     and index.is_string):
        return f"{_paren(gen.sql(target))}[{gen.sql(index)}]"
    if isinstance(dt, T.StructType):
        return default_sql(gen, e)
    return _array_index_sql(gen, gen.sql(target), gen.sql(index), one_based,
                            safe=bool(e.args.get("safe")) or not gen.ansi)


def _paren(sql: str) -> str:
    return sql if sql.replace("_", "").isalnum() else f"({sql})"


def _array_index_sql(gen, a_sql: str, i_sql: str, one_based: bool, safe: bool) -> str:
    a, i = fresh("a"), fresh("i")
    if one_based:
        body = (f"CASE WHEN {i} = 0 THEN "
                + spark_error("INVALID_INDEX_OF_ZERO", "The index 0 is invalid. An index "
                              "shall be either < 0 or > 0 (the first element has index 1).")
                + f" WHEN ABS({i}) > LEN({a}) THEN "
                + ("NULL" if safe else spark_error(
                    "INVALID_ARRAY_INDEX_IN_ELEMENT_AT", "The index ", i,
                    " is out of bounds. The array has ", f"LEN({a})",
                    " elements. Use `try_element_at` to tolerate accessing element at "
                    "invalid index and return NULL instead."))
                + f" WHEN {i} > 0 THEN {a}[{i}] ELSE {a}[LEN({a}) + 1 + {i}] END")
    else:
        body = (f"CASE WHEN {i} < 0 OR {i} >= LEN({a}) THEN "
                + ("NULL" if safe else spark_error(
                    "INVALID_ARRAY_INDEX", "The index ", i,
                    " is out of bounds. The array has ", f"LEN({a})",
                    " elements. Use the SQL function `get()` to tolerate accessing element "
                    "at invalid index and return NULL instead."))
                + f" ELSE {a}[{i} + 1] END")
    return let(a_sql, a, let(i_sql, i, body))


def _get_sql(gen, e: exp.Expression) -> str:
    """``get(arr, i)``: 0-based, NULL out of bounds."""
    target, index = _args(e)
    return _array_index_sql(gen, gen.sql(target), gen.sql(index), False, safe=True)


def _dot_sql(gen, e: exp.Dot) -> str:
    """``s.f``; on an array of structs, the array of the elements' fields."""
    dt = spark_type(gen, e.this)
    if isinstance(dt, T.ArrayType) and isinstance(dt.elementType, T.StructType):
        y = fresh("x")
        field = e.expression.name
        return (f"LIST_TRANSFORM({gen.sql(e.this)}, LAMBDA {y} : "
                f"STRUCT_EXTRACT({y}, {_str_lit(field)}))")
    return default_sql(gen, e)


def _tuple_sql(gen, e: exp.Tuple) -> str:
    """``(a, b)`` as a value (a lambda's result, a projection) is Spark's ``struct(a, b)``:
    fields named by the columns or variables, else ``col1``, ``col2``, ...; elsewhere (``IN``
    lists, ``VALUES`` rows, grouping sets) a tuple stays a tuple."""
    if not isinstance(e.parent, (exp.Lambda, exp.Alias, exp.Select)):
        return default_sql(gen, e)
    fields = []
    for i, item in enumerate(e.expressions, 1):
        if isinstance(item, (exp.Column, exp.Identifier)):
            name = item.name
        elif isinstance(item, exp.Alias):
            name, item = item.alias, item.this
        else:
            name = f"col{i}"
        fields.append(f"{_str_lit(name)}: {gen.sql(item)}")
    return "{" + ", ".join(fields) + "}"


# --------------------------------------------------------------------------------------------
# higher-order functions
# --------------------------------------------------------------------------------------------

def _duckdb_internal(lam: exp.Lambda) -> bool:
    """sqlglot's own DuckDB SQL for ``initcap`` parses ``LAMBDA seg, idx : ...`` (DuckDB's
    1-based index) into the same nodes as a Spark lambda: leave that one as DuckDB's."""
    return [p.name for p in lam.expressions] == ["seg", "idx"]


def _with_index(gen, fn: str, a: str, lam: exp.Expression) -> str:
    """``fn(a, (x, i) -> ...)`` with Spark's 0-based int index."""
    if isinstance(lam, exp.Lambda) and _duckdb_internal(lam):
        return f"{fn}({a}, {gen.sql(lam)})"
    if not isinstance(lam, exp.Lambda) or len(lam.expressions) < 2:
        x = fresh("x")
        return f"{fn}({a}, LAMBDA {x} : {apply_lambda(gen, lam, [x])})"
    x, i = fresh("x"), fresh("i")
    body = apply_lambda(gen, lam, [x, f"CAST({i} - 1 AS INTEGER)"])
    return f"{fn}({a}, LAMBDA {x}, {i} : {body})"


def _transform_sql(gen, e: exp.Transform) -> str:
    return _with_index(gen, "LIST_TRANSFORM", gen.sql(e.this), e.expression)


def _filter_sql(gen, e: exp.ArrayFilter) -> str:
    lam = e.expression
    if isinstance(lam, exp.Lambda) and len(lam.expressions) >= 2:
        return _with_index(gen, "LIST_FILTER", gen.sql(e.this), lam)
    x = fresh("x")
    # a NULL predicate drops the element, as false does
    return (f"LIST_FILTER({gen.sql(e.this)}, LAMBDA {x} : "
            f"COALESCE({apply_lambda(gen, lam, [x])}, FALSE))")


def _quantifier(gen, a_sql: str, lam: exp.Expression, wanted: bool) -> str:
    """``exists`` (wanted TRUE) / ``forall`` (wanted FALSE decides): the deciding value if
    any element gives it, else NULL if any gives NULL, else the other value."""
    t, x = fresh("t"), fresh("x")
    results = f"LIST_TRANSFORM({a_sql}, LAMBDA {x} : {apply_lambda(gen, lam, [x])})"
    w = "TRUE" if wanted else "FALSE"
    other = "FALSE" if wanted else "TRUE"
    body = (f"CASE WHEN {t} IS NULL THEN NULL WHEN LIST_CONTAINS({t}, {w}) THEN {w} "
            f"WHEN {_has_null(t)} THEN NULL ELSE {other} END")
    return let(results, t, body)


def _exists_sql(gen, e: exp.Exists) -> str:
    if isinstance(e.expression, exp.Lambda):
        return _quantifier(gen, gen.sql(e.this), e.expression, True)
    return default_sql(gen, e)


def _forall_sql(gen, e: exp.Expression) -> str:
    a, lam = _args(e)
    return _quantifier(gen, gen.sql(a), lam, False)


def _reduce_sql(gen, e: exp.Reduce) -> str:
    """``aggregate(a, zero, merge[, finish])``; NULL array gives NULL."""
    acc, x, arr = fresh("acc"), fresh("x"), fresh("a")
    merge = apply_lambda(gen, e.args["merge"], [acc, x])
    zero = gen.sql(e.args["initial"])
    body = f"LIST_REDUCE({arr}, LAMBDA {acc}, {x} : {merge}, {zero})"
    body = let(gen.sql(e.this), arr, f"CASE WHEN {arr} IS NULL THEN NULL ELSE {body} END")
    finish = e.args.get("finish")
    if finish is not None:
        r = fresh("r")
        body = let(body, r, apply_lambda(gen, finish, [r]))
    return body


def _zip_with_sql(gen, e: exp.Expression) -> str:
    left, right, lam = _args(e)
    a, b, i = fresh("a"), fresh("b"), fresh("i")
    body = apply_lambda(gen, lam, [f"{a}[{i}]", f"{b}[{i}]"])
    body = (f"CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL ELSE LIST_TRANSFORM("
            f"RANGE(1, GREATEST(LEN({a}), LEN({b})) + 1), LAMBDA {i} : {body}) END")
    return let(gen.sql(left), a, let(gen.sql(right), b, body))


# --------------------------------------------------------------------------------------------
# maps
# --------------------------------------------------------------------------------------------

def _duplicate_key_check(keys: str, then_sql: str) -> str:
    """``then_sql`` unless list ``keys`` repeats a key (DUPLICATED_MAP_KEY) or holds NULL."""
    k, y, i = fresh("k"), fresh("x"), fresh("i")
    dup = f"LIST_FILTER({k}, LAMBDA {y}, {i} : LIST_POSITION({k}, {y}) < {i})"
    body = (f"CASE WHEN {_has_null(k)} THEN "
            + spark_error("NULL_MAP_KEY", "Cannot use null as map key.")
            + f" WHEN LEN({dup}) > 0 THEN "
            + spark_error("DUPLICATED_MAP_KEY", "Duplicate map key ", f"{dup}[1]",
                          " was found, please check the input data.\nIf you want to remove "
                          "the duplicated keys, you can set \"spark.sql.mapKeyDedupPolicy\" "
                          "to \"LAST_WIN\" so that the key inserted at last takes precedence.")
            + f" ELSE {then_sql} END")
    return let(keys, k, body)


def _var_map_sql(gen, e: exp.VarMap) -> str:
    """``map(k1, v1, ...)``."""
    keys, values = e.args["keys"], e.args["values"]
    if not isinstance(keys, exp.Array) or not keys.expressions:
        return default_sql(gen, e)
    k, v = gen.sql(keys), gen.sql(values)
    return _duplicate_key_check(k, f"MAP({k}, {v})")


def _map_from_arrays_sql(gen, e: exp.Map) -> str:
    keys, values = e.args.get("keys"), e.args.get("values")
    if keys is None or values is None:
        return default_sql(gen, e)
    k, v = fresh("k"), fresh("v")
    body = (f"CASE WHEN {k} IS NULL OR {v} IS NULL THEN NULL WHEN LEN({k}) <> LEN({v}) THEN "
            + spark_error("INVALID_PARAMETER_VALUE.ARRAY_LENGTH_MISMATCH",
                          "The value of parameter(s) (`keys`, `values`) in `map_from_arrays` "
                          "is invalid: The key array and value array of `map_from_arrays` "
                          "should have the same length.")
            + f" ELSE {_duplicate_key_check(k, f'MAP({k}, {v})')} END")
    return let(gen.sql(keys), k, let(gen.sql(values), v, body))


def _map_from_entries_sql(gen, e: exp.MapFromEntries) -> str:
    """``map_from_entries(array of (key, value) structs)``: NULL if an entry is NULL."""
    a, y = fresh("a"), fresh("x")
    keys = f"LIST_TRANSFORM({a}, LAMBDA {y} : STRUCT_EXTRACT_AT({y}, 1))"
    body = (f"CASE WHEN {a} IS NULL OR {_has_null(a)} THEN NULL ELSE "
            f"{_duplicate_key_check(keys, f'MAP_FROM_ENTRIES({a})')} END")
    return let(gen.sql(e.this), a, body)


def _map_concat_sql(gen, e: exp.Expression) -> str:
    args = _args(e)
    if not args:
        return "MAP()"
    vars_ = [fresh("m") for _ in args]
    keys = "LIST_CONCAT(" + ", ".join(f"MAP_KEYS({v})" for v in vars_) + ")"
    if len(vars_) == 1:
        keys = f"MAP_KEYS({vars_[0]})"
    null = " OR ".join(f"{v} IS NULL" for v in vars_)
    body = (f"CASE WHEN {null} THEN NULL ELSE "
            f"{_duplicate_key_check(keys, 'MAP_CONCAT(' + ', '.join(vars_) + ')')} END")
    for arg, v in reversed(list(zip(args, vars_, strict=True))):
        body = let(gen.sql(arg), v, body)
    return body


def _map_entries_lambda(gen, m_sql: str, fn: str, lam, make) -> str:
    """``fn`` (LIST_FILTER / LIST_TRANSFORM) over the map's entries, rebuilt as a map."""
    en = fresh("e")
    inner = apply_lambda(gen, lam, [f"{en}.key", f"{en}.value"])
    return f"MAP_FROM_ENTRIES({fn}(MAP_ENTRIES({m_sql}), LAMBDA {en} : {make(en, inner)}))"


def _map_filter_sql(gen, e: exp.Expression) -> str:
    m, lam = _args(e)
    return _map_entries_lambda(gen, gen.sql(m), "LIST_FILTER", lam,
                               lambda en, body: f"COALESCE({body}, FALSE)")


def _transform_values_sql(gen, e: exp.Expression) -> str:
    m, lam = _args(e)
    return _map_entries_lambda(gen, gen.sql(m), "LIST_TRANSFORM", lam,
                               lambda en, body: f"{{'key': {en}.key, 'value': {body}}}")


def _transform_keys_sql(gen, e: exp.Expression) -> str:
    m, lam = _args(e)
    en, r = fresh("e"), fresh("r")
    inner = apply_lambda(gen, lam, [f"{en}.key", f"{en}.value"])
    entries = (f"LIST_TRANSFORM(MAP_ENTRIES({gen.sql(m)}), LAMBDA {en} : "
               f"{{'key': {inner}, 'value': {en}.value}})")
    y = fresh("x")
    keys = f"LIST_TRANSFORM({r}, LAMBDA {y} : {y}.key)"
    return let(entries, r, _duplicate_key_check(keys, f"MAP_FROM_ENTRIES({r})"))


def _map_zip_with_sql(gen, e: exp.Expression) -> str:
    left, right, lam = _args(e)
    a, b, k = fresh("m"), fresh("n"), fresh("k")
    keys = _distinct(f"LIST_CONCAT(MAP_KEYS({a}), MAP_KEYS({b}))")
    value = apply_lambda(gen, lam, [k, f"{a}[{k}]", f"{b}[{k}]"])
    body = (f"CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL ELSE MAP_FROM_ENTRIES("
            f"LIST_TRANSFORM({keys}, LAMBDA {k} : {{'key': {k}, 'value': {value}}})) END")
    return let(gen.sql(left), a, let(gen.sql(right), b, body))


def _map_contains_key_sql(gen, e: exp.MapContainsKey) -> str:
    m, k = gen.sql(e.this), gen.sql(e.args["key"])
    return (f"CASE WHEN {m} IS NULL OR {k} IS NULL THEN NULL "
            f"ELSE LIST_CONTAINS(MAP_KEYS({m}), {k}) END")


def _regex_lit(e: exp.Expression) -> str | None:
    return e.this if isinstance(e, exp.Literal) and e.is_string else None


def _str_to_map_sql(gen, e: exp.StrToMap) -> str:
    """``str_to_map(text[, pairDelim[, keyValueDelim]])``: both delimiters are regular
    expressions; a pair without the key-value delimiter maps its key to NULL."""
    text = gen.sql(e.this)
    pair = e.args.get("pair_delim")
    kv = e.args.get("key_value_delim")
    pair_sql = gen.sql(pair) if pair is not None else "','"
    kv_lit = _regex_lit(kv) if kv is not None else ":"
    if kv_lit is None:
        return default_sql(gen, e)
    p, r = fresh("p"), fresh("r")
    split = _str_lit(f"^(.*?)(?:{kv_lit})(.*)$")
    entry = (f"CASE WHEN REGEXP_MATCHES({p}, {_str_lit(kv_lit)}) THEN "
             f"REGEXP_EXTRACT({p}, {split}, ['key', 'value']) "
             f"ELSE {{'key': {p}, 'value': CAST(NULL AS VARCHAR)}} END")
    entries = f"LIST_TRANSFORM(REGEXP_SPLIT_TO_ARRAY({text}, {pair_sql}), LAMBDA {p} : {entry})"
    y = fresh("x")
    keys = f"LIST_TRANSFORM({r}, LAMBDA {y} : {y}.key)"
    return let(entries, r, f"CASE WHEN {r} IS NULL THEN NULL ELSE "
                           f"{_duplicate_key_check(keys, f'MAP_FROM_ENTRIES({r})')} END")


# --------------------------------------------------------------------------------------------
# generators: explode, posexplode, inline (and _outer), json_tuple
# --------------------------------------------------------------------------------------------

_GENERATORS = (exp.Explode, exp.Posexplode, exp.Inline, exp.Stack)


def _udtf_alias_error(expected: int, names: list[str]) -> Exception:
    from sparklet.errors import AnalysisException

    got = ", ".join(names)
    return AnalysisException(
        # the condition is not in sparklet.errors' table: the message (and SQLSTATE) is given
        message="The number of aliases supplied in the AS clause "
                "does not match the number of columns output by the UDTF.\n"
                f"Expected {expected} aliases, but got {got}.\nPlease ensure that the number "
                "of aliases provided matches the number of columns output by the UDTF. "
                "SQLSTATE: 42802",
        errorClass="UDTF_ALIAS_NUMBER_MISMATCH",
        messageParameters={"aliasesSize": str(expected), "aliasesNames": got})


def generator_columns(gen, e: exp.Expression, outer: bool = False,
                      names: int | None = None) -> list[tuple[str, str]]:
    """The output columns of a table-generating function, as (DuckDB SQL of the list that
    ``UNNEST`` turns into the column's rows, Spark's default name). The lists of one
    generator are equally long (DuckDB zips the UNNESTs of one projection). ``outer`` (or an
    ``_outer`` generator): a NULL or empty input still gives one row, of NULLs. The name
    ``*`` marks a list of structs to unnest into its fields (``inline`` of an untyped
    argument). ``names``: how many names the query gives the columns, which tells a map
    from an array when the argument's type is unknown (a ``spark.sql`` view's column)."""
    name = e.name.lower() if isinstance(e, exp.Anonymous) else ""
    if name == "json_tuple":
        from sparklet.sql.dialect.jsonfuncs import json_tuple_columns
        return [(f"[{sql}]", n) for sql, n in json_tuple_columns(gen, e)]
    if isinstance(e, exp.Stack):
        return _stack_columns(gen, e)
    outer = outer or isinstance(e, exp.ExplodeOuter) or name == "inline_outer"
    arg = _args(e)[0] if isinstance(e, exp.Anonymous) else e.this
    x = gen.sql(arg)
    dt = spark_type(gen, arg)
    positions = isinstance(e, exp.Posexplode)
    inline = isinstance(e, exp.Inline) or name in ("inline", "inline_outer")

    def rows(list_sql: str, empty: str) -> str:
        if outer:  # a NULL or empty input still gives one row, of NULLs
            return f"CASE WHEN {empty} THEN [NULL] ELSE {list_sql} END"
        return list_sql

    cols: list[tuple[str, str]] = []
    if dt is None and not inline and names == (3 if positions else 2):
        dt = T.MapType(T.StringType(), T.StringType())  # only "a map" matters below
    if isinstance(dt, T.MapType):
        empty = f"{x} IS NULL OR CARDINALITY({x}) = 0"
        if positions:
            i = fresh("i")
            cols.append((rows(f"LIST_TRANSFORM(RANGE(CAST(CARDINALITY({x}) AS BIGINT)), "
                              f"LAMBDA {i} : CAST({i} AS INTEGER))", empty), "pos"))
        cols.append((rows(f"MAP_KEYS({x})", empty), "key"))
        cols.append((rows(f"MAP_VALUES({x})", empty), "value"))
        return cols
    empty = f"{x} IS NULL OR LEN({x}) = 0"
    if positions:
        i = fresh("i")
        cols.append((rows(f"LIST_TRANSFORM(RANGE(LEN({x})), LAMBDA {i} : "
                          f"CAST({i} AS INTEGER))", empty), "pos"))
    if inline:
        if isinstance(dt, T.ArrayType) and isinstance(dt.elementType, T.StructType):
            for f in dt.elementType.fields:
                y = fresh("x")
                field = (f"LIST_TRANSFORM({x}, LAMBDA {y} : "
                         f"STRUCT_EXTRACT({y}, {_str_lit(f.name)}))")
                cols.append((rows(field, empty), f.name))
            return cols
        return [(x, "*")]
    cols.append((rows(x, empty), "col"))
    return cols


def _stack_columns(gen, e: exp.Stack) -> list[tuple[str, str]]:
    """``stack(n, v1, ..., vk)``: n rows of ceil(k / n) columns ``col0``, ``col1``, ...,
    filled row by row (NULL past the last value)."""
    n = _literal_int(e.this)
    values = list(e.expressions)
    if n is None or n < 1:
        raise ValueError("stack: the number of rows must be a positive integer literal")
    width = max(1, -(-len(values) // n))
    cols = []
    for j in range(width):
        cells = [values[i * width + j] if i * width + j < len(values) else None
                 for i in range(n)]
        cols.append(("[" + ", ".join("NULL" if c is None else gen.sql(c) for c in cells) + "]",
                     f"col{j}"))
    return cols


def _unnest_items(gen, cols: list[tuple[str, str]], names: list[str]) -> str:
    items = []
    for (list_sql, default), n in zip(cols, names, strict=True):
        if default == "*":
            items.append(f"UNNEST({list_sql}, max_depth := 2)")
        else:
            items.append(f"UNNEST({list_sql}) AS {gen.sql(exp.to_identifier(n, quoted=True))}")
    return ", ".join(items)


def _one_unnest(cols: list[tuple[str, str]]) -> str:
    """The generator as one expression: one column's UNNEST, or for several columns an
    UNNEST of structs named by Spark's defaults, expanded into its fields."""
    if len(cols) == 1:
        list_sql, default = cols[0]
        return f"UNNEST({list_sql}, max_depth := 2)" if default == "*" else f"UNNEST({list_sql})"
    vars_ = [fresh("l") for _ in cols]
    i = fresh("i")
    fields = ", ".join(f"{_str_lit(n)}: {v}[{i}]" for (_, n), v in zip(cols, vars_, strict=True))
    body = f"LIST_TRANSFORM(RANGE(1, LEN({vars_[0]}) + 1), LAMBDA {i} : {{{fields}}})"
    for (list_sql, _), v in reversed(list(zip(cols, vars_, strict=True))):
        body = let(list_sql, v, body)
    return f"UNNEST({body}, max_depth := 2)"


def generator_projection(tree: exp.Expression, names: list[str] | None = None, *,
                         ansi: bool = True, time_zone: str = "UTC") -> list[tuple[str, str]]:
    """A generator (``explode``, ``posexplode``, ``inline``, their ``_outer`` forms,
    ``json_tuple``) as SELECT-list columns: ``[(DuckDB SQL, name)]``, the names Spark's
    defaults (``col``; ``pos, col``; ``key, value``; the struct's fields; ``c0, c1``) or
    ``names``, whose number must be the generator's (else ``UDTF_ALIAS_NUMBER_MISMATCH``).
    For a DataFrame's ``select``: write each as ``sql AS <physical name>``."""
    from sparklet.sql.dialect import SparkOnDuckDB

    gen = SparkOnDuckDB(ansi=ansi, time_zone=time_zone).generator()
    cols = generator_columns(gen, tree, names=None if names is None else len(names))
    defaults = [n for _, n in cols]
    if names is not None and len(names) != len(cols):
        raise _udtf_alias_error(len(cols), list(names))
    out = []
    for (list_sql, default), n in zip(cols, names or defaults, strict=True):
        out.append((f"UNNEST({list_sql}, max_depth := 2)" if default == "*"
                    else f"UNNEST({list_sql})", n))
    return out


def is_generator(e: exp.Expression) -> bool:
    """Whether ``e`` is a table-generating function of a SELECT list."""
    return _is_generator(e)


def _generator_sql(gen, e: exp.Expression) -> str:
    """A generator in a SELECT list: its columns, named by the AS clause (see
    :func:`_alias_sql`, :func:`_aliases_sql`) or Spark's defaults; alone (a DataFrame's
    expression) one UNNEST expression; in FROM, a subquery."""
    parent = e.parent
    given = len(parent.expressions) if isinstance(parent, exp.Aliases) else None
    cols = generator_columns(gen, e, names=given)
    names = [n for _, n in cols]
    if isinstance(parent, exp.Aliases):
        names = [p.name for p in parent.expressions]
        if len(names) != len(cols):
            raise _udtf_alias_error(len(cols), names)
        return _unnest_items(gen, cols, names)
    if isinstance(parent, (exp.From, exp.Table, exp.Join)):
        return f"(SELECT {_unnest_items(gen, cols, names)})"
    if isinstance(parent, exp.Select):
        return _unnest_items(gen, cols, names)
    return _one_unnest(cols)


def _alias_sql(gen, e: exp.Alias) -> str:
    """``generator AS name``: one name for a one-column generator (more columns raise
    ``UDTF_ALIAS_NUMBER_MISMATCH``, as Spark); an alias equal to the generator's
    auto-generated name (``spark.sql`` names every item) leaves Spark's default names."""
    g = e.this
    if isinstance(g, exp.Aliases) and _is_generator(g.this):
        return gen.sql(g)  # spark.sql's name for "gen(...) AS (a, b)": the names are given
    if not _is_generator(g):
        return default_sql(gen, e)
    from sparklet.sql.naming import spark_name

    cols = generator_columns(gen, g)
    if e.alias == spark_name(g):
        return _unnest_items(gen, cols, [n for _, n in cols])
    if len(cols) != 1 or cols[0][1] == "*":
        raise _udtf_alias_error(len(cols), [e.alias])
    return _unnest_items(gen, cols, [e.alias])


def _lateral_sql(gen, e: exp.Lateral) -> str:
    """``LATERAL VIEW [OUTER] generator(...) t AS c1, c2``: a correlated subquery of the
    generator's columns (``OUTER`` keeps the rows whose input is NULL or empty)."""
    g = e.this
    if not e.args.get("view") or not _is_generator(g):
        return default_sql(gen, e)
    alias = e.args.get("alias")
    names = [c.name for c in alias.columns] if alias is not None and alias.columns else []
    cols = generator_columns(gen, g, outer=bool(e.args.get("outer")), names=len(names) or None)
    if names and len(names) != len(cols):
        raise _udtf_alias_error(len(cols), names)
    names = names or [n for _, n in cols]
    items = _unnest_items(gen, cols, names)
    table = alias.this if alias is not None and alias.this else exp.to_identifier(fresh("g"))
    return gen.seg(f"CROSS JOIN LATERAL (SELECT {items}) AS {gen.sql(table)}")


def _aliases_sql(gen, e: exp.Aliases) -> str:
    if _is_generator(e.this):
        return _generator_sql(gen, e.this)
    return default_sql(gen, e)


def _is_generator(e: exp.Expression) -> bool:
    if isinstance(e, _GENERATORS):
        return True
    return isinstance(e, exp.Anonymous) and e.name.lower() in ("inline_outer", "json_tuple")


# --------------------------------------------------------------------------------------------
# casts of arrays, maps and structs to string
# --------------------------------------------------------------------------------------------

def nested_to_string_sql(gen, expr_sql: str, spark_type: T.DataType,
                         null_text: str = "null") -> str:
    """Spark's ``CAST(x AS STRING)`` of an array, map or struct: ``[1, 2]``,
    ``{a -> 1, b -> null}``, ``{1, z}``; NULL elements as ``null_text`` (``null`` for a
    cast; ``show()`` prints ``NULL``). Atomic elements are cast by the dialect's own
    ``CAST(... AS STRING)`` rule, so they read as Spark's casts do."""
    def elem(sql: str, dt: T.DataType) -> str:
        return f"COALESCE({nested_to_string_sql(gen, sql, dt, null_text)}, '{null_text}')"

    if isinstance(spark_type, T.ArrayType):
        y = fresh("x")
        parts = f"LIST_TRANSFORM({expr_sql}, LAMBDA {y} : {elem(y, spark_type.elementType)})"
        return f"('[' || ARRAY_TO_STRING({parts}, ', ') || ']')"
    if isinstance(spark_type, T.MapType):
        en = fresh("e")
        pair = (f"{elem(f'{en}.key', spark_type.keyType)} || ' -> ' || "
                f"{elem(f'{en}.value', spark_type.valueType)}")
        parts = f"LIST_TRANSFORM(MAP_ENTRIES({expr_sql}), LAMBDA {en} : {pair})"
        return f"('{{' || ARRAY_TO_STRING({parts}, ', ') || '}}')"
    if isinstance(spark_type, T.StructType):
        if not spark_type.fields:
            return f"CASE WHEN {expr_sql} IS NULL THEN NULL ELSE '{{}}' END"
        s = fresh("s")
        fields = " || ', ' || ".join(
            elem(f"STRUCT_EXTRACT({s}, {_str_lit(f.name)})", f.dataType)
            for f in spark_type.fields)
        return let(expr_sql, s, f"CASE WHEN {s} IS NULL THEN NULL ELSE "
                                f"'{{' || {fields} || '}}' END")
    leaf = exp.Var(this=expr_sql)
    leaf.type = exp.DataType.build(to_duckdb_type(spark_type), dialect="duckdb")
    return gen.sql(exp.Cast(this=leaf, to=exp.DataType.build("VARCHAR")))


# --------------------------------------------------------------------------------------------

_TRANSFORMS: dict = {
    exp.ArraySize: _size_sql,
    exp.ArrayContains: _array_contains_sql,
    exp.ArrayDistinct: _array_distinct_sql,
    exp.ArrayIntersect: _array_intersect_sql,
    exp.ArrayExcept: lambda gen, e: _set_op(gen, e.this, e.expression, "except"),
    exp.ArrayPosition: _array_position_sql,
    exp.ArrayRemove: _array_remove_sql,
    exp.ArraySort: _array_sort_sql,
    exp.Flatten: _flatten_sql,
    exp.ArraySlice: _slice_sql,
    exp.ArrayInsert: _array_insert_sql,
    exp.GenerateSeries: _sequence_sql,
    exp.ArraysZip: _arrays_zip_sql,
    exp.Shuffle: _shuffle_sql,
    exp.Bracket: _bracket_sql,
    exp.Dot: _dot_sql,
    exp.Struct: _struct_sql,
    exp.Reverse: _reverse_sql,
    exp.Tuple: _tuple_sql,
    exp.Transform: _transform_sql,
    exp.ArrayFilter: _filter_sql,
    exp.Exists: _exists_sql,
    exp.Reduce: _reduce_sql,
    exp.VarMap: _var_map_sql,
    exp.Map: _map_from_arrays_sql,
    exp.MapFromEntries: _map_from_entries_sql,
    exp.MapContainsKey: _map_contains_key_sql,
    exp.StrToMap: _str_to_map_sql,
    exp.Explode: _generator_sql,
    _ExplodeOuter: _generator_sql,
    exp.Posexplode: _generator_sql,
    exp.PosexplodeOuter: _generator_sql,
    exp.Inline: _generator_sql,
    exp.Stack: _generator_sql,
    exp.Aliases: _aliases_sql,
    exp.Alias: _alias_sql,
    exp.Lateral: _lateral_sql,
}

def _drop_fields_sql(gen, e: exp.Anonymous) -> str:
    """``Column.dropFields``: the struct rebuilt without the named fields (DuckDB has no
    struct_remove); the struct's fields come from its type."""
    from sparklet.errors import AnalysisException
    from sparklet.sql.dialect.numeric import spark_type

    struct, *names = e.expressions
    t = spark_type(struct)
    if t is None or t.this != exp.DType.STRUCT:
        raise AnalysisException("dropFields needs a struct column of a known type")
    drop = {n.name.lower() for n in names}
    keep = [f.name for f in t.expressions if f.name.lower() not in drop]
    if not keep:
        raise AnalysisException(
            errorClass="DATATYPE_MISMATCH.CANNOT_DROP_ALL_FIELDS", messageParameters={
                "sqlExpr": '"dropFields"'})
    s_sql = gen.sql(struct)
    fields = ", ".join(f'"{n}" := struct_extract({s_sql}, ' + "'" + n.replace("'", "''") + "')"
                       for n in keep)
    return f"CASE WHEN {s_sql} IS NULL THEN NULL ELSE struct_pack({fields}) END"


_FUNCTIONS: dict = {
    "__sparklet_drop_fields": _drop_fields_sql,
    "cardinality": _size_sql,
    "array_union": lambda gen, e: _set_op(gen, *_args(e), "union"),
    "arrays_overlap": _arrays_overlap_sql,
    "array_repeat": _array_repeat_sql,
    "get": _get_sql,
    "forall": _forall_sql,
    "zip_with": _zip_with_sql,
    "map_concat": _map_concat_sql,
    "map_filter": _map_filter_sql,
    "transform_values": _transform_values_sql,
    "transform_keys": _transform_keys_sql,
    "map_zip_with": _map_zip_with_sql,
    "inline_outer": _generator_sql,
}

TRANSFORMS: dict = {k: scoped(fn) for k, fn in _TRANSFORMS.items()}
FUNCTIONS: dict = {k: scoped(fn) for k, fn in _FUNCTIONS.items()}
