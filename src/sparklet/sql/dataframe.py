"""``DataFrame``: a distributed collection of rows under a schema, as ``pyspark.sql.DataFrame``.

A DataFrame is a plan — the DuckDB SQL of its relation over uniquely named columns (see
:mod:`sparklet.sql.analysis`) — plus its attributes. Each transformation wraps the plan in one
more ``SELECT`` and binds it (DuckDB resolves the statement without running it, which is how
PySpark 4's eager analysis errors surface at the call); each action sends DuckDB one
statement. Nothing is copied between operations but the SQL text.

>>> from sparklet.sql import SparkSession, functions as F
>>> spark = SparkSession.builder.getOrCreate()
>>> df = spark.createDataFrame([(1, "a", 10), (2, "a", 20), (3, "b", 5)], "k INT, g STRING, v INT")
>>> df.groupBy("g").agg(F.sum("v")).orderBy("g").collect()
[Row(g='a', sum(v)=30), Row(g='b', sum(v)=5)]
>>> df.filter(df.v > 5).select((df.k + 1).alias("k1")).collect()
[Row(k1=2), Row(k1=3)]
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from typing import Any

from sqlglot import exp

from sparklet.errors import (
    AnalysisException,
    IllegalArgumentException,
    PySparkAttributeError,
    PySparkTypeError,
    PySparkValueError,
)
from sparklet.sql import types as T
from sparklet.sql.analysis import (
    Attribute,
    Resolver,
    bound_ref,
    is_plain_ref,
    new_id,
    nullable,
    quote,
)
from sparklet.sql.column import Column, _to_expr
from sparklet.sql.naming import spark_name

__all__ = ["DataFrame"]

_plan_ids = itertools.count(1)

_JOIN_TYPES = {
    "inner": "INNER", "cross": "CROSS", "outer": "FULL", "full": "FULL", "fullouter": "FULL",
    "full_outer": "FULL", "left": "LEFT", "leftouter": "LEFT", "left_outer": "LEFT",
    "right": "RIGHT", "rightouter": "RIGHT", "right_outer": "RIGHT", "semi": "SEMI",
    "leftsemi": "SEMI", "left_semi": "SEMI", "anti": "ANTI", "leftanti": "ANTI",
    "left_anti": "ANTI",
}


class DataFrame:
    """A relation of named, typed columns; build one with ``spark.createDataFrame``,
    ``spark.sql``, ``spark.read`` or ``spark.range``."""

    def __init__(self, session: Any, sql: str, attrs: list[Attribute], sources: tuple = (),
                 num_partitions: int | None = None):
        self._session = session
        self.sparkSession = session
        self._sql = sql
        self._attrs = attrs
        self._sources = sources  # registered Arrow inputs kept alive while the plan is
        self._num_partitions = num_partitions
        self._cached: Any = None
        self.is_cached = False
        self._plan_id = next(_plan_ids)
        self._aliases: dict[tuple[int, int], int] = {}
        self._select_of: Any = None

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def _from_relation(cls, session: Any, sql: str, schema: T.StructType | None,
                       sources: tuple = ()) -> DataFrame:
        if schema is None:
            from sparklet.sql.typemap import from_duckdb_type

            names, types = session._bind(sql)
            attrs = [Attribute(n, new_id(), from_duckdb_type(t)) for n, t in zip(names, types,
                                                                                 strict=True)]
        else:
            attrs = [Attribute(f.name, new_id(), f.dataType, f.nullable) for f in schema.fields]
        cols = ", ".join(quote(a.phys) for a in attrs)
        plan = f"SELECT * FROM ({sql}) AS _src({cols})" if attrs else sql
        return cls(session, plan, attrs, sources)

    def _derive(self, sql: str, attrs: list[Attribute], sources: tuple | None = None,
                num_partitions: Any = ...) -> DataFrame:
        df = DataFrame(self._session, sql, attrs,
                       self._sources if sources is None else sources,
                       self._num_partitions if num_partitions is ... else num_partitions)
        df._aliases = self._aliases
        return df

    def _gen(self, tree: exp.Expression) -> str:
        from sparklet.sql.dialect import to_duckdb

        return to_duckdb(tree, ansi=self._session._ansi, time_zone=self._session._time_zone)

    def _resolver(self) -> Resolver:
        return Resolver(self._attrs, aliases=self._aliases)

    def _bind_types(self, sql: str, attrs: list[Attribute], fresh: set[int]) -> list[Attribute]:
        """Attributes with the types DuckDB binds for the new columns (ids in ``fresh``)."""
        if not fresh:
            return attrs
        from sparklet.sql.typemap import from_duckdb_type

        _, types = self._session._bind(sql)
        out = []
        for a, t in zip(attrs, types, strict=True):
            if a.id in fresh and a.dataType is None:
                a = Attribute(a.name, a.id, from_duckdb_type(t), a.nullable, a.qualifier)
            out.append(a)
        return out

    def _project(self, trees: list[exp.Expression], where: str | None = None,
                 group_by: str | None = None, having: str | None = None,
                 distinct: bool = False) -> DataFrame:
        """``SELECT trees FROM self``: each tree resolved, named and typed."""
        resolver = self._resolver()
        items: list[str] = []
        attrs: list[Attribute] = []
        fresh: set[int] = set()
        generators = [t for t in trees if _is_generator(
            t.this if isinstance(t, (exp.Alias, exp.Aliases)) else t)]
        if len(generators) > 1:  # DuckDB would zip them; Spark refuses
            from sparklet.sql.functions._base import _error

            raise _error(AnalysisException, "UNSUPPORTED_GENERATOR.MULTI_GENERATOR",
                         num=str(len(generators)), generators=", ".join(
                             f'"{_generator_call(g)}"' for g in generators))
        for tree in trees:
            star = resolver.expand_star(tree)
            if star is not None and isinstance(tree, exp.Star) and tree.args.get("except_"):
                drop = {resolver.lookup([c.name], c.name)[0].id for c in tree.args["except_"]}
                star = [a for a in star if a.id not in drop]
            regex = (tree.meta or {}).get("colRegex")
            if regex is not None:
                import re

                star = [a for a in self._attrs if re.fullmatch(regex, a.name)]
            if star is not None:
                for a in star:
                    items.append(quote(a.phys))
                    attrs.append(a)
                continue
            if isinstance(tree, exp.Column) and isinstance(tree.this, exp.Star):
                tree = self._expand_struct_star(tree, resolver, items, attrs, fresh)
                continue
            names = [i.name for i in tree.expressions] if isinstance(tree, exp.Aliases) else None
            inner = tree.this if isinstance(tree, (exp.Alias, exp.Aliases)) else tree
            resolved = resolver.resolve(inner)
            if _is_generator(resolved):  # explode, posexplode, inline, stack, json_tuple
                if isinstance(tree, exp.Alias):
                    names = [tree.alias]
                item, out = self._multi_alias(resolved, names)
                items.append(item)
                attrs.extend(out)
                fresh |= {a.id for a in out}
                continue
            if names is not None:  # several names for another expression: one column each
                items.append(self._gen(resolved))
                a = Attribute(names[0], new_id(), None, True)  # type: ignore[arg-type]
                items[-1] = f"{items[-1]} AS {quote(a.phys)}"
                attrs.append(a)
                fresh.add(a.id)
                continue
            if is_plain_ref(inner) and not isinstance(resolved, exp.Dot) and \
                    isinstance(resolved, exp.Column):
                attr = resolved.meta["attr"]
                written = (inner.meta or {}).get("parts")
                if written and "attr_id" not in (inner.meta or {}) and written[-1] != attr.name:
                    # Spark names a column selected by name as written (select("ID") -> ID)
                    attr = attr.renamed(written[-1])
                if isinstance(tree, exp.Alias):
                    attr = Attribute(tree.alias, new_id(), attr.dataType,
                                     attr.nullable)
                    items.append(f"{quote(resolved.meta['attr'].phys)} AS {quote(attr.phys)}")
                else:
                    items.append(quote(attr.phys))
                attrs.append(attr)
                continue
            name = tree.alias if isinstance(tree, exp.Alias) else spark_name(inner)
            a = Attribute(name, new_id(), None, nullable(resolved))  # type: ignore[arg-type]
            items.append(f"{self._gen(resolved)} AS {quote(a.phys)}")
            attrs.append(a)
            fresh.add(a.id)
        sql = f"SELECT {'DISTINCT ' if distinct else ''}{', '.join(items)} FROM ({self._sql}) AS _t"
        if where is not None:
            sql += f" WHERE {where}"
        if group_by is not None:
            sql += f" GROUP BY {group_by}"
        if having is not None:
            sql += f" HAVING {having}"
        attrs = self._bind_types(sql, attrs, fresh) if fresh else attrs
        if not fresh and where is None and group_by is None:
            self._session._bind(sql)  # still checks the statement
        return self._derive(sql, attrs)

    def _multi_alias(self, tree: exp.Expression, names: list[str] | None
                     ) -> tuple[str, list[Attribute]]:
        """A generator in a select list: its select item and output attributes.

        DuckDB's ``UNNEST(list of structs, max_depth := 2)`` in a select list gives a row
        per element and a column per struct field, so each generator becomes a list of
        structs whose field names are the new attributes' DuckDB names. ``names`` are the
        user's (``alias("k", "v")``); Spark's defaults otherwise (``col``, ``pos``, ``key``,
        ``value``, the struct's fields for ``inline``, ``c0``... for ``json_tuple``).
        """
        from sparklet.sql.naming import generator_names
        from sparklet.sql.typemap import from_duckdb_type

        kind = tree.name.lower() if isinstance(tree, exp.Anonymous) else tree.key.lower()
        outer = kind.endswith("outer") or isinstance(tree, exp.ExplodeOuter)
        args = ([tree.this] if tree.this is not None and not isinstance(tree, exp.Anonymous)
                else []) + list(tree.expressions)
        element = None
        source = ""
        if kind not in ("stack", "json_tuple"):
            source = self._gen(args[0])
            _, types = self._session._bind(f"SELECT {source} FROM ({self._sql}) AS _t")
            element = from_duckdb_type(types[0])
        if isinstance(element, T.ArrayType) and kind.startswith("inline"):
            element = element.elementType
        default = generator_names(tree, element)
        if names is None or len(names) != len(default):
            if names is not None:
                from sparklet.sql.functions._base import _error

                raise _error(AnalysisException, "UDTF_ALIAS_NUMBER_MISMATCH",
                             aliasesSize=str(len(default)), aliasesNames=", ".join(names))
            names = default
        is_pos = kind.startswith("posexplode")
        out = [Attribute(n, new_id(), None, not (is_pos and i == 0 and not outer))
               for i, n in enumerate(names)]  # type: ignore[arg-type]
        keys = [f"'{a.phys}'" for a in out]
        if kind == "json_tuple":
            fields = [f"json_extract_string({self._gen(args[0])}, "
                      f"'$.\"' || {self._gen(f)} || '\"') AS {quote(a.phys)}"
                      for f, a in zip(args[1:], out, strict=False)]
            return ", ".join(fields), out
        if kind == "stack":
            rows = int(args[0].name)
            values = [self._gen(v) for v in args[1:]]
            width = len(out)
            structs = []
            for r in range(rows):
                row = values[r * width:(r + 1) * width]
                row += ["NULL"] * (width - len(row))
                structs.append("{" + ", ".join(f"{k}: {v}" for k, v in zip(keys, row,
                                                                          strict=True)) + "}")
            return f"UNNEST([{', '.join(structs)}], max_depth := 2)", out
        if isinstance(element, T.MapType):
            source = f"map_entries({source})"
            parts = ["x.key", "x.value"]
        elif kind.startswith("inline") and isinstance(element, T.StructType):
            parts = [f"x.{quote(f.name)}" for f in element.fields]
        else:
            parts = ["x"]
        if is_pos:
            pos = "CAST(i - 1 AS INTEGER)"
            if outer:  # the NULL row of an empty collection has a NULL position
                pos = f"CASE WHEN len({source}) > 0 THEN {pos} END"
            parts = [pos] + parts
        if outer:  # a NULL or empty collection gives one row of NULLs
            source = f"CASE WHEN len({source}) > 0 THEN {source} ELSE [NULL] END"
        struct = "{" + ", ".join(f"{k}: {v}" for k, v in zip(keys, parts, strict=True)) + "}"
        return f"UNNEST(list_transform({source}, lambda x, i: {struct}), max_depth := 2)", out

    def _expand_struct_star(self, tree: exp.Column, resolver: Resolver, items: list[str],
                            attrs: list[Attribute], fresh: set[int]) -> None:
        parts = [p.name for p in tree.parts if not isinstance(p, exp.Star)]
        attr, rest = resolver.lookup(parts)
        dt = attr.dataType
        path = quote(attr.phys)
        for field in rest:
            dt = dt[field].dataType
            path += f".{quote(field)}"
        if not isinstance(dt, T.StructType):
            raise AnalysisException(errorClass="CANNOT_RESOLVE_STAR_EXPAND", messageParameters={
                "targetString": quote(".".join(parts)), "columns": ", ".join(
                    f"`{a.name}`" for a in self._attrs)})
        for f in dt.fields:
            a = Attribute(f.name, new_id(), f.dataType, f.nullable)
            items.append(f"{path}.{quote(f.name)} AS {quote(a.phys)}")
            attrs.append(a)

    # -- schema ---------------------------------------------------------------------------
    @property
    def schema(self) -> T.StructType:
        """The schema, as a StructType."""
        return T.StructType([a.field() for a in self._attrs])

    @property
    def columns(self) -> list[str]:
        return [a.name for a in self._attrs]

    @property
    def dtypes(self) -> list[tuple[str, str]]:
        return [(a.name, a.dataType.simpleString()) for a in self._attrs]

    def printSchema(self, level: int | None = None) -> None:
        print(self.schema.treeString(level) if level else self.schema.treeString())

    def __getattr__(self, name: str) -> Column:
        if name.startswith("_") or name in ("write", "na", "stat", "rdd", "writeStream"):
            raise AttributeError(name)
        for a in self._attrs:
            if a.name == name:
                return Column(bound_ref(a, self._plan_id))
        for a in self._attrs:
            if a.name.lower() == name.lower():
                return Column(bound_ref(a, self._plan_id))
        raise PySparkAttributeError(errorClass="ATTRIBUTE_NOT_SUPPORTED",
                                    messageParameters={"attr_name": name})

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, str):
            if item == "*":
                return Column(exp.Star())
            try:
                attr, rest = self._resolver().lookup(
                    __import__("sparklet.errors.suggestions", fromlist=["x"])
                    .parse_attribute_name(item), item)
            except AnalysisException:
                raise
            node: exp.Expression = bound_ref(attr, self._plan_id)
            for field in rest:
                node = exp.Dot(this=node, expression=exp.Identifier(this=field, quoted=True))
            return Column(node)
        if isinstance(item, int):
            return Column(bound_ref(self._attrs[item], self._plan_id))
        if isinstance(item, Column):
            return self.filter(item)
        if isinstance(item, (list, tuple)):
            return self.select(*item)
        raise PySparkTypeError(errorClass="NOT_COLUMN_OR_INT_OR_LIST_OR_STR_OR_TUPLE",
                               messageParameters={"arg_name": "item",
                                                  "arg_type": type(item).__name__})

    def __repr__(self) -> str:
        return "DataFrame[" + ", ".join(f"{a.name}: {a.dataType.simpleString()}"
                                        for a in self._attrs) + "]"

    def colRegex(self, colName: str) -> Column:
        """The columns whose names match the back-quoted regular expression ``colName``."""
        if not isinstance(colName, str):
            raise PySparkTypeError(errorClass="NOT_STR", messageParameters={
                "arg_name": "colName", "arg_type": type(colName).__name__})
        pattern = colName[1:-1] if colName.startswith("`") and colName.endswith("`") \
            else colName
        node = exp.Star()
        node.meta["colRegex"] = pattern
        return Column(node)

    # -- projections ----------------------------------------------------------------------
    def select(self, *cols: Any) -> DataFrame:
        """The columns (names, Columns, ``"*"``) as a new DataFrame."""
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = tuple(cols[0])
        trees = [_to_expr(c) for c in cols]
        out = self._project(trees)
        out._select_of = (self, trees)  # orderBy may sort by a column the select dropped
        return out

    def selectExpr(self, *expr: str) -> DataFrame:
        from sparklet.sql.dialect import parse_expression

        if len(expr) == 1 and isinstance(expr[0], (list, tuple)):
            expr = tuple(expr[0])
        return self._project([parse_expression(e) for e in expr])

    def withColumns(self, colsMap: dict[str, Column]) -> DataFrame:
        """Columns added, or replaced when the name exists (case-insensitively)."""
        if not isinstance(colsMap, dict):
            raise PySparkTypeError(errorClass="NOT_DICT", messageParameters={
                "arg_name": "colsMap", "arg_type": type(colsMap).__name__})
        trees: list[exp.Expression] = [bound_ref(a) for a in self._attrs]
        lower = [a.name.lower() for a in self._attrs]
        for name, col in colsMap.items():
            if not isinstance(col, Column):
                raise PySparkTypeError(errorClass="NOT_COLUMN", messageParameters={
                    "arg_name": "col", "arg_type": type(col).__name__})
            tree = exp.Alias(this=col._expr, alias=exp.Identifier(this=name, quoted=True))
            if name.lower() in lower:
                for i, n in enumerate(lower):
                    if n == name.lower():
                        trees[i] = tree
            else:
                trees.append(tree)
                lower.append(name.lower())
        return self._project(trees)

    def withColumn(self, colName: str, col: Column) -> DataFrame:
        return self.withColumns({colName: col})

    def withColumnsRenamed(self, colsMap: dict[str, str]) -> DataFrame:
        attrs = []
        for a in self._attrs:
            new = next((v for k, v in colsMap.items() if k.lower() == a.name.lower()), None)
            attrs.append(a.renamed(new) if new is not None else a)
        return self._derive(self._sql, attrs)

    def withColumnRenamed(self, existing: str, new: str) -> DataFrame:
        """The DataFrame with a column renamed; a name that does not exist is a no-op."""
        return self.withColumnsRenamed({existing: new})

    def toDF(self, *cols: str) -> DataFrame:
        if len(cols) != len(self._attrs):
            raise IllegalArgumentException(
                f"requirement failed: The number of columns doesn't match.\n"
                f"Old column names ({len(self._attrs)}): {', '.join(self.columns)}\n"
                f"New column names ({len(cols)}): {', '.join(cols)}")
        return self._derive(self._sql, [a.renamed(n) for a, n in zip(self._attrs, cols,
                                                                      strict=True)])

    def drop(self, *cols: Any) -> DataFrame:
        """The DataFrame without the named columns (names that do not exist are ignored)."""
        ids: set[int] = set()
        for c in cols:
            if isinstance(c, str):
                ids |= {a.id for a in self._attrs if a.name.lower() == c.lower()}
            elif isinstance(c, Column):
                meta = c._expr.meta or {}
                if "attr_id" in meta:
                    ids.add(meta["attr_id"])
                elif isinstance(c._expr, exp.Column):
                    ids |= {a.id for a in self._attrs if a.name.lower() == c._expr.name.lower()}
            else:
                raise PySparkTypeError(errorClass="NOT_COLUMN_OR_STR", messageParameters={
                    "arg_name": "col", "arg_type": type(c).__name__})
        keep = [a for a in self._attrs if a.id not in ids]
        if len(keep) == len(self._attrs):
            return self
        return self._project([bound_ref(a) for a in keep])

    def alias(self, alias: str) -> DataFrame:
        """The DataFrame under a name that qualifies its columns (``alias.col``)."""
        attrs = [Attribute(a.name, a.id, a.dataType, a.nullable, alias) for a in self._attrs]
        return self._derive(self._sql, attrs)

    # -- filters, ordering, limits --------------------------------------------------------
    def filter(self, condition: Any) -> DataFrame:
        """Rows for which ``condition`` (a Column or SQL text) is true."""
        from sparklet.sql.dialect import parse_expression

        tree = parse_expression(condition) if isinstance(condition, str) else condition._expr
        where = self._gen(self._resolver().resolve(tree))
        _, types = self._session._bind(f"SELECT {where} FROM ({self._sql}) AS _t")
        if str(types[0]) not in ("BOOLEAN", '"NULL"', "NULL"):
            from sparklet.sql.typemap import from_duckdb_type

            shown = spark_name(tree)
            raise AnalysisException(
                errorClass="DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN", messageParameters={
                    "sqlExpr": f'"{shown}"', "filter": f'"{shown}"',
                    "type": f'"{from_duckdb_type(types[0]).simpleString().upper()}"'})
        sql = f"SELECT * FROM ({self._sql}) AS _t WHERE {where}"
        return self._derive(sql, self._attrs)

    where = filter

    def _order_items(self, cols: tuple, ascending: Any) -> str:
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = tuple(cols[0])
        if not cols:
            raise PySparkTypeError(errorClass="CANNOT_BE_EMPTY",
                                   messageParameters={"item": "column"})
        if isinstance(ascending, (list, tuple)):
            flags = list(ascending)
        else:
            flags = [bool(ascending)] * len(cols)
        resolver = self._resolver()
        items = []
        for c, asc in zip(cols, flags, strict=False):
            tree = _to_expr(c) if not isinstance(c, int) else bound_ref(self._attrs[c - 1])
            if not isinstance(tree, exp.Ordered):
                tree = (exp.Ordered(this=tree, desc=False, nulls_first=True) if asc else
                        exp.Ordered(this=tree, desc=True, nulls_first=False))
            items.append(self._gen(resolver.resolve(tree)))
        return ", ".join(items)

    def orderBy(self, *cols: Any, ascending: Any = True) -> DataFrame:
        """Rows sorted (ascending: NULLs first; descending: NULLs last, as Spark)."""
        try:
            order = self._order_items(cols, ascending)
        except AnalysisException:
            if getattr(self, "_select_of", None) is None:
                raise
            return self._order_by_dropped(cols, ascending)
        sql = f"SELECT * FROM ({self._sql}) AS _t ORDER BY {order}"
        self._session._bind(sql)
        return self._derive(sql, self._attrs)

    def _order_by_dropped(self, cols: tuple, ascending: Any) -> DataFrame:
        """Spark resolves a sort key missing from a select in the select's input: select
        the input's columns too, sort, then keep the select's columns."""
        parent, trees = self._select_of
        kept = {a.id for a in self._attrs}
        wide = parent._project(list(trees) + [bound_ref(a) for a in parent._attrs
                                              if a.id not in kept])
        ordered = wide.orderBy(*cols, ascending=ascending)
        keep = ", ".join(f"{quote(a.phys)} AS {quote(b.phys)}"
                         for a, b in zip(ordered._attrs, self._attrs, strict=False))
        return self._derive(f"SELECT {keep} FROM ({ordered._sql}) AS _t", self._attrs)

    sort = orderBy

    def sortWithinPartitions(self, *cols: Any, ascending: Any = True) -> DataFrame:
        return self.orderBy(*cols, ascending=ascending)

    def limit(self, num: int) -> DataFrame:
        return self._derive(f"SELECT * FROM ({self._sql}) AS _t LIMIT {int(num)}", self._attrs)

    def offset(self, num: int) -> DataFrame:
        return self._derive(f"SELECT * FROM ({self._sql}) AS _t OFFSET {int(num)}", self._attrs)

    def distinct(self) -> DataFrame:
        return self._derive(f"SELECT DISTINCT * FROM ({self._sql}) AS _t", self._attrs)

    def dropDuplicates(self, subset: list[str] | None = None) -> DataFrame:
        """Distinct rows, or the first row of each distinct ``subset`` of columns."""
        if subset is None:
            return self.distinct()
        if isinstance(subset, str):
            subset = [subset]
        resolver = self._resolver()
        keys = ", ".join(quote(resolver.lookup([s], s)[0].phys) for s in subset)
        cols = ", ".join(quote(a.phys) for a in self._attrs)
        sql = (f"SELECT {cols} FROM (SELECT *, row_number() OVER () AS __pos FROM "
               f"({self._sql}) AS _t) AS _n QUALIFY row_number() OVER (PARTITION BY {keys} "
               f"ORDER BY __pos) = 1 ORDER BY __pos")
        return self._derive(sql, self._attrs)

    drop_duplicates = dropDuplicates

    def dropDuplicatesWithinWatermark(self, subset: list[str] | None = None) -> DataFrame:
        return self.dropDuplicates(subset)

    def sample(self, withReplacement: Any = None, fraction: Any = None,
               seed: int | None = None) -> DataFrame:
        """A Bernoulli sample of about ``fraction`` of the rows (the rows differ from Spark's:
        the generator is DuckDB's)."""
        if isinstance(withReplacement, float) and fraction is None:
            withReplacement, fraction = False, withReplacement
        seed = random.randrange(2**31) if seed is None else int(seed)
        pct = float(fraction) * 100
        sql = (f"SELECT * FROM ({self._sql}) AS _t USING SAMPLE {pct} PERCENT "
               f"(bernoulli, {seed})")
        return self._derive(sql, self._attrs)

    def randomSplit(self, weights: list[float], seed: int | None = None) -> list[DataFrame]:
        """Disjoint random parts with about the given weights (a row's part is a hash of its
        values and ``seed``, so the parts partition the rows exactly)."""
        for w in weights:
            if w < 0:
                raise PySparkValueError(errorClass="VALUE_NOT_POSITIVE", messageParameters={
                    "arg_name": "weights", "arg_value": str(w)})
        seed = random.randrange(2**31) if seed is None else int(seed)
        total = float(sum(weights))
        cols = ", ".join(quote(a.phys) for a in self._attrs)
        u = f"(hash({cols}, {seed}) % 1000000007) / 1000000007.0"
        parts, low = [], 0.0
        for i, w in enumerate(weights):
            high = 1.0 if i == len(weights) - 1 else low + w / total
            parts.append(self._derive(
                f"SELECT * FROM ({self._sql}) AS _t WHERE {u} >= {low!r} AND {u} < {high!r}"
                if i < len(weights) - 1 else
                f"SELECT * FROM ({self._sql}) AS _t WHERE {u} >= {low!r}", self._attrs))
            low = high
        return parts

    def unpivot(self, ids: Any, values: Any, variableColumnName: str,
                valueColumnName: str) -> DataFrame:
        """Columns ``values`` turned into rows of (variable, value), next to the ``ids``."""
        def names(cols: Any) -> list[Any]:
            if cols is None:
                return []
            return list(cols) if isinstance(cols, (list, tuple)) else [cols]
        resolver = self._resolver()
        id_trees = [resolver.resolve(_to_expr(c)) for c in names(ids)]
        id_attrs = [t.meta["attr"] for t in id_trees if "attr" in (t.meta or {})]
        if values is None:
            taken = {a.id for a in id_attrs}
            value_attrs = [a for a in self._attrs if a.id not in taken]
        else:
            value_attrs = [resolver.lookup([v], v)[0] if isinstance(v, str) else
                           resolver.resolve(v._expr).meta["attr"] for v in names(values)]
        var = Attribute(variableColumnName, new_id(), T.StringType(), False)
        val = Attribute(valueColumnName, new_id(), None, True)  # type: ignore[arg-type]
        entries = ", ".join(
            f"{{'v': {_sql_string(a.name)}, 'x': {quote(a.phys)}}}" for a in value_attrs)
        inner = (f"SELECT {', '.join(quote(a.phys) for a in id_attrs)}"
                 f"{', ' if id_attrs else ''}unnest([{entries}], recursive := true) "
                 f"FROM ({self._sql}) AS _t")
        items = [quote(a.phys) for a in id_attrs] + [f"v AS {quote(var.phys)}",
                                                      f"x AS {quote(val.phys)}"]
        sql = f"SELECT {', '.join(items)} FROM ({inner}) AS _u"
        attrs = self._bind_types(sql, id_attrs + [var, val], {val.id})
        return self._derive(sql, attrs)

    melt = unpivot

    def approxQuantile(self, col: Any, probabilities: list[float], relativeError: float) -> Any:
        return self.stat.approxQuantile(col, probabilities, relativeError)

    def corr(self, col1: str, col2: str, method: str | None = None) -> float:
        return self.stat.corr(col1, col2, method)

    def cov(self, col1: str, col2: str) -> float:
        return self.stat.cov(col1, col2)

    def crosstab(self, col1: str, col2: str) -> DataFrame:
        return self.stat.crosstab(col1, col2)

    def freqItems(self, cols: list[str], support: float | None = None) -> DataFrame:
        return self.stat.freqItems(cols, support)

    def sampleBy(self, col: str, fractions: dict, seed: int | None = None) -> DataFrame:
        return self.stat.sampleBy(col, fractions, seed)

    def repartition(self, numPartitions: Any, *cols: Any) -> DataFrame:
        n = numPartitions if isinstance(numPartitions, int) else None
        return self._derive(self._sql, self._attrs, num_partitions=n)

    def coalesce(self, numPartitions: int) -> DataFrame:
        return self._derive(self._sql, self._attrs, num_partitions=numPartitions)

    repartitionByRange = repartition

    def hint(self, name: str, *parameters: Any) -> DataFrame:
        return self

    # -- set operations -------------------------------------------------------------------
    def _set_op(self, other: DataFrame, op: str, operator: str) -> DataFrame:
        if len(other._attrs) != len(self._attrs):
            raise AnalysisException(errorClass="NUM_COLUMNS_MISMATCH", messageParameters={
                "operator": operator, "firstNumColumns": str(len(self._attrs)),
                "invalidOrdinalNum": "second", "invalidNumColumns": str(len(other._attrs))})
        left = ", ".join(quote(a.phys) for a in self._attrs)
        right = ", ".join(f"{quote(b.phys)} AS {quote(a.phys)}"
                          for a, b in zip(self._attrs, other._attrs, strict=True))
        sql = (f"SELECT {left} FROM ({self._sql}) AS _l {op} "
               f"SELECT {right} FROM ({other._sql}) AS _r")
        from sparklet.sql.typemap import from_duckdb_type

        _, types = self._session._bind(sql)
        attrs = []
        for a, b, t in zip(self._attrs, other._attrs, types, strict=True):
            dt = a.dataType if a.dataType == b.dataType else from_duckdb_type(t)
            attrs.append(Attribute(a.name, a.id, dt, a.nullable or b.nullable))
        return self._derive(sql, attrs, self._sources + other._sources)

    def union(self, other: DataFrame) -> DataFrame:
        """Rows of both (by position; duplicates kept, as UNION ALL)."""
        return self._set_op(other, "UNION ALL", "UNION")

    unionAll = union

    def unionByName(self, other: DataFrame, allowMissingColumns: bool = False) -> DataFrame:
        """Rows of both, columns matched by name."""
        resolver = other._resolver()
        trees: list[exp.Expression] = []
        for a in self._attrs:
            found = resolver.by_name(a.name)
            if found:
                trees.append(bound_ref(found[0]))
            elif allowMissingColumns:
                trees.append(exp.Alias(this=exp.Cast(this=exp.Null(), to=exp.DataType.build(
                    a.dataType.simpleString(), dialect="spark")),
                    alias=exp.Identifier(this=a.name, quoted=True)))
            else:
                raise AnalysisException(errorClass="NUM_COLUMNS_MISMATCH", messageParameters={
                    "operator": "UNION", "firstNumColumns": str(len(self._attrs)),
                    "invalidOrdinalNum": "second",
                    "invalidNumColumns": str(len(other._attrs))})
        left = self
        if allowMissingColumns:
            mine = {a.name.lower() for a in self._attrs}
            extra = [b for b in other._attrs if b.name.lower() not in mine]
            if extra:
                left = self.withColumns({b.name: Column(exp.Cast(
                    this=exp.Null(), to=exp.DataType.build(b.dataType.simpleString(),
                                                           dialect="spark")))
                    for b in extra})
                trees += [bound_ref(b) for b in extra]
        return left._set_op(other._project(trees), "UNION ALL", "UNION")

    def intersect(self, other: DataFrame) -> DataFrame:
        return self._set_op(other, "INTERSECT", "INTERSECT")

    def intersectAll(self, other: DataFrame) -> DataFrame:
        return self._set_op(other, "INTERSECT ALL", "INTERSECT ALL")

    def subtract(self, other: DataFrame) -> DataFrame:
        return self._set_op(other, "EXCEPT", "EXCEPT")

    def exceptAll(self, other: DataFrame) -> DataFrame:
        return self._set_op(other, "EXCEPT ALL", "EXCEPT ALL")

    # -- joins ----------------------------------------------------------------------------
    def crossJoin(self, other: DataFrame) -> DataFrame:
        return self.join(other, how="cross")

    def join(self, other: DataFrame, on: Any = None, how: str | None = None) -> DataFrame:
        """Rows of both that match ``on`` (column names: an equi-join that keeps one copy of
        each key; Columns: a condition); ``how`` is any of Spark's join types."""
        kind = _JOIN_TYPES.get((how or "inner").lower().replace(" ", ""))
        if kind is None:
            raise IllegalArgumentException(
                f"Unsupported join type '{how}'. Supported join types include: 'inner', "
                "'outer', 'full', 'fullouter', 'full_outer', 'leftouter', 'left', "
                "'left_outer', 'rightouter', 'right', 'right_outer', 'leftsemi', 'left_semi', "
                "'semi', 'leftanti', 'left_anti', 'anti', 'cross'.")
        mine = {a.id for a in self._attrs}
        renamed: dict[int, int] = {}
        aliases = {**self._aliases, **other._aliases}
        if any(b.id in mine for b in other._attrs):  # a self-join: new ids for the right side
            fresh = other._with_fresh_ids()
            renamed = {a.id: b.id for a, b in zip(other._attrs, fresh._attrs, strict=True)}
            aliases = {**self._aliases, **{k: renamed.get(v, v)
                                           for k, v in other._aliases.items()}}
            if other._plan_id != self._plan_id:
                # columns taken from the right DataFrame (df2.x) mean its side
                aliases.update({(other._plan_id, old): new for old, new in renamed.items()})
                renamed = {}
            other = fresh
        if isinstance(on, str):
            on = [on]
        if isinstance(on, Column):
            on = [on]
        using = isinstance(on, (list, tuple)) and on and all(isinstance(c, str) for c in on)
        lres, rres = self._resolver(), other._resolver()
        left_sql, right_sql = f"({self._sql}) AS _l", f"({other._sql}) AS _r"
        if kind == "CROSS" and on is not None and not (isinstance(on, (list, tuple)) and not on):
            kind = "INNER"  # Spark: a "cross" join with a condition is an inner join
        if kind == "CROSS" or on is None or (isinstance(on, (list, tuple)) and not on):
            cond = None
        elif using:
            pairs = []
            for name in on:
                found_l, found_r = lres.by_name(name), rres.by_name(name)
                if not found_l or not found_r:
                    side = "left" if not found_l else "right"
                    raise AnalysisException(
                        errorClass="UNRESOLVED_USING_COLUMN_FOR_JOIN", messageParameters={
                            "colName": f"`{name}`", "side": side,
                            "suggestion": ", ".join(f"`{a.name}`" for a in (
                                self._attrs if side == "left" else other._attrs))})
                pairs.append((found_l[0], found_r[0]))
            cond = " AND ".join(f"_l.{quote(a.phys)} = _r.{quote(b.phys)}" for a, b in pairs)
        else:
            both = Resolver(self._attrs + other._attrs, aliases=aliases)
            trees = [_self_join_sides(c._expr, renamed) for c in on]
            tree = trees[0]
            for t in trees[1:]:
                tree = exp.And(this=tree, expression=t)
            cond = self._gen(both.resolve(tree))
        if kind == "CROSS" or cond is None:
            if kind in ("CROSS", "INNER"):
                join = f"{left_sql} CROSS JOIN {right_sql}"
            else:
                join = f"{left_sql} {kind} JOIN {right_sql} ON TRUE"
        else:
            join = f"{left_sql} {kind} JOIN {right_sql} ON {cond}"
        if kind in ("SEMI", "ANTI"):
            items = [quote(a.phys) for a in self._attrs]
            attrs = list(self._attrs)
        elif using:
            items, attrs = [], []
            key_ids = set()
            for a, b in pairs:
                key_ids |= {a.id, b.id}
                if kind == "FULL":
                    k = Attribute(a.name, new_id(), a.dataType, a.nullable and b.nullable)
                    items.append(f"COALESCE(_l.{quote(a.phys)}, _r.{quote(b.phys)}) AS "
                                 f"{quote(k.phys)}")
                elif kind == "RIGHT":
                    k = b
                    items.append(f"_r.{quote(b.phys)}")
                else:
                    k = a
                    items.append(f"_l.{quote(a.phys)}")
                attrs.append(k)
            for a in self._attrs:
                if a.id not in key_ids:
                    items.append(f"_l.{quote(a.phys)}")
                    attrs.append(_outer_nullable(a, kind in ("RIGHT", "FULL")))
            for b in other._attrs:
                if b.id not in key_ids:
                    items.append(f"_r.{quote(b.phys)}")
                    attrs.append(_outer_nullable(b, kind in ("LEFT", "FULL")))
        else:
            items = [f"_l.{quote(a.phys)}" for a in self._attrs] + \
                [f"_r.{quote(b.phys)}" for b in other._attrs]
            attrs = [_outer_nullable(a, kind in ("RIGHT", "FULL")) for a in self._attrs] + \
                [_outer_nullable(b, kind in ("LEFT", "FULL")) for b in other._attrs]
        sql = f"SELECT {', '.join(items)} FROM {join}"
        self._session._bind(sql)
        df = self._derive(sql, attrs, self._sources + other._sources)
        df._aliases = aliases
        return df

    def _with_fresh_ids(self) -> DataFrame:
        attrs = [a.fresh() for a in self._attrs]
        items = ", ".join(f"{quote(a.phys)} AS {quote(b.phys)}"
                          for a, b in zip(self._attrs, attrs, strict=True))
        return self._derive(f"SELECT {items} FROM ({self._sql}) AS _t", attrs)

    # -- aggregation ----------------------------------------------------------------------
    def groupBy(self, *cols: Any) -> Any:
        """Groups for ``agg`` (and the shortcuts ``count``, ``sum``, ``avg``, ...)."""
        from sparklet.sql.group import GroupedData

        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = tuple(cols[0])
        return GroupedData(self, [_to_expr(c) for c in cols], "groupby")

    groupby = groupBy

    def rollup(self, *cols: Any) -> Any:
        from sparklet.sql.group import GroupedData

        return GroupedData(self, [_to_expr(c) for c in cols], "rollup")

    def cube(self, *cols: Any) -> Any:
        from sparklet.sql.group import GroupedData

        return GroupedData(self, [_to_expr(c) for c in cols], "cube")

    def agg(self, *exprs: Any) -> DataFrame:
        return self.groupBy().agg(*exprs)

    # -- actions --------------------------------------------------------------------------
    def _display_sql(self) -> str:
        """The relation with the Spark column names (for views and Arrow)."""
        items = ", ".join(f"{quote(a.phys)} AS {quote(a.name)}" for a in self._attrs)
        return f"SELECT {items} FROM ({self._sql}) AS _t"

    def _rows(self, sql: str) -> list[T.Row]:
        from sparklet.sql.conversion import row_converter

        to_row = row_converter(self.schema)
        return [to_row(r) for r in self._session._fetchall(sql)]

    def collect(self) -> list[T.Row]:
        """All rows, as a list of Row."""
        return self._rows(self._sql)

    def toLocalIterator(self, prefetchPartitions: bool = False) -> Iterator[T.Row]:
        return iter(self.collect())

    def take(self, num: int) -> list[T.Row]:
        return self.limit(num).collect()

    def head(self, n: int | None = None) -> Any:
        if n is None:
            rows = self.take(1)
            return rows[0] if rows else None
        return self.take(n)

    def first(self) -> T.Row | None:
        return self.head()

    def tail(self, num: int) -> list[T.Row]:
        rows = self.collect()
        return rows[-num:] if num else []

    def isEmpty(self) -> bool:
        return not self.take(1)

    def count(self) -> int:
        """The number of rows."""
        return self._session._fetchall(f"SELECT count(*) FROM ({self._sql}) AS _t")[0][0]

    def show(self, n: int = 20, truncate: bool | int = True, vertical: bool = False) -> None:
        """Print the first ``n`` rows as Spark's table (see :mod:`sparklet.sql.show`)."""
        print(self._show_string(n, truncate, vertical))

    def _show_string(self, n: int = 20, truncate: bool | int = True,
                     vertical: bool = False) -> str:
        from sparklet.sql.show import show_string

        limit = max(n, 0) if isinstance(n, int) else n
        rows = self.take(limit + 1) if isinstance(limit, int) else []
        return show_string(self.schema, rows[:limit], n, truncate, vertical,
                           has_more=len(rows) > limit)

    def toArrow(self) -> Any:
        """The rows as a ``pyarrow.Table`` with Spark's Arrow types."""
        return self._to_arrow()

    def _to_arrow(self) -> Any:
        from sparklet.sql.conversion import to_arrow

        return to_arrow(self)

    def toPandas(self) -> Any:
        """The rows as a pandas DataFrame, with PySpark's dtypes (see
        :func:`sparklet.sql.conversion.to_pandas`)."""
        from sparklet.sql.conversion import to_pandas

        return to_pandas(self)

    @property
    def rdd(self) -> Any:
        """The rows as an RDD of Row (partitioned as ``repartition``/``coalesce`` asked, else
        ``spark.default.parallelism``)."""
        sc = self._session.sparkContext
        return sc.parallelize(self.collect(), self._num_partitions or sc.defaultParallelism)

    def foreach(self, f: Any) -> None:
        self.rdd.foreach(f)

    def foreachPartition(self, f: Any) -> None:
        self.rdd.foreachPartition(f)

    def toJSON(self, use_unicode: bool = True) -> Any:
        import json

        return self.rdd.map(lambda r: json.dumps(r.asDict(True), default=str))

    # -- caching --------------------------------------------------------------------------
    def cache(self) -> DataFrame:
        return self.persist()

    def persist(self, storageLevel: Any = None) -> DataFrame:
        """Keep the rows once computed (a DuckDB temporary table, made at the next action)."""
        from sparklet.storagelevel import StorageLevel

        self.is_cached = True
        self._storage_level = storageLevel or StorageLevel.MEMORY_AND_DISK_DESER \
            if hasattr(StorageLevel, "MEMORY_AND_DISK_DESER") else StorageLevel.MEMORY_AND_DISK
        if self._cached is None:
            name = self._session._fresh_name("__sparklet_cache")
            self._session._execute(f"CREATE TEMP TABLE {quote(name)} AS {self._sql}")
            self._cached = name
            cols = ", ".join(quote(a.phys) for a in self._attrs)
            self._sql = f"SELECT {cols} FROM {quote(name)}"
        return self

    @property
    def storageLevel(self) -> Any:
        from sparklet.storagelevel import StorageLevel

        return getattr(self, "_storage_level", StorageLevel(False, False, False, False, 1))

    def unpersist(self, blocking: bool = False) -> DataFrame:
        self.is_cached = False
        return self

    def checkpoint(self, eager: bool = True) -> DataFrame:
        return self.persist()

    localCheckpoint = checkpoint

    # -- views ----------------------------------------------------------------------------
    def createOrReplaceTempView(self, name: str) -> None:
        """Register the DataFrame as a temporary view for ``spark.sql``."""
        self._session.catalog._create_temp_view(name, self, replace=True)

    def createTempView(self, name: str) -> None:
        self._session.catalog._create_temp_view(name, self, replace=False)

    registerTempTable = createOrReplaceTempView

    def createGlobalTempView(self, name: str) -> None:
        self._session.catalog._create_temp_view(name, self, replace=False, is_global=True)

    def createOrReplaceGlobalTempView(self, name: str) -> None:
        self._session.catalog._create_temp_view(name, self, replace=True, is_global=True)

    def explain(self, extended: Any = None, mode: str | None = None) -> None:
        """Print DuckDB's plans for the DataFrame under Spark's headings (``extended`` or
        ``mode="extended"``: the logical plans too)."""
        if isinstance(extended, str):
            mode, extended = extended, None
        full = bool(extended) or mode == "extended"
        with self._session._lock:
            if full:
                self._session._con.execute("SET explain_output = 'all'")
            try:
                rows = self._session._con.execute(f"EXPLAIN {self._sql}").fetchall()
            finally:
                self._session._con.execute("SET explain_output = 'physical_only'")
        plans = {kind: text for kind, text in rows}
        if full:
            for title, kind in (("Parsed Logical Plan", "logical_plan"),
                                ("Analyzed Logical Plan", "logical_plan"),
                                ("Optimized Logical Plan", "logical_opt")):
                print(f"== {title} ==\n{plans.get(kind, '')}\n")
        print(f"== Physical Plan ==\n{plans.get('physical_plan', '')}\n")

    # -- writers, helpers -----------------------------------------------------------------
    @property
    def write(self) -> Any:
        from sparklet.sql.readwriter import DataFrameWriter

        return DataFrameWriter(self)

    @property
    def na(self) -> Any:
        from sparklet.sql.na import DataFrameNaFunctions

        return DataFrameNaFunctions(self)

    @property
    def stat(self) -> Any:
        from sparklet.sql.na import DataFrameStatFunctions

        return DataFrameStatFunctions(self)

    def fillna(self, value: Any, subset: Any = None) -> DataFrame:
        return self.na.fill(value, subset)

    def dropna(self, how: str = "any", thresh: int | None = None,
               subset: Any = None) -> DataFrame:
        return self.na.drop(how, thresh, subset)

    def replace(self, to_replace: Any, value: Any = ..., subset: Any = None) -> DataFrame:
        return self.na.replace(to_replace, value, subset)

    def describe(self, *cols: Any) -> DataFrame:
        from sparklet.sql.na import describe

        return describe(self, list(cols))

    def summary(self, *statistics: str) -> DataFrame:
        from sparklet.sql.na import summary

        return summary(self, list(statistics))

    def mapInPandas(self, func: Any, schema: Any, barrier: bool = False) -> DataFrame:
        """``func`` maps an iterator of pandas DataFrames to an iterator of them."""
        from sparklet.sql.udf import map_in_pandas

        return map_in_pandas(self, func, schema)

    def transform(self, func: Any, *args: Any, **kwargs: Any) -> DataFrame:
        return func(self, *args, **kwargs)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {a.name for a in self._attrs
                                                if a.name.isidentifier()})

    def sameSemantics(self, other: DataFrame) -> bool:
        return self._sql == other._sql

    def inputFiles(self) -> list[str]:
        return []

    def isLocal(self) -> bool:
        return True

    @property
    def isStreaming(self) -> bool:
        return False


_GENERATORS = (exp.Explode, exp.Inline, exp.Stack)


def _is_generator(tree: exp.Expression) -> bool:
    """Whether ``tree`` is a generator (several rows, or columns, per input row)."""
    if isinstance(tree, _GENERATORS):
        return True
    return isinstance(tree, exp.Anonymous) and tree.name.lower() in (
        "explode_outer", "posexplode_outer", "inline_outer", "json_tuple", "stack", "inline")


def _generator_call(tree: exp.Expression) -> str:
    """``explode(a)``: a generator as Spark's messages show it."""
    if isinstance(tree, (exp.Alias, exp.Aliases)):
        tree = tree.this
    meta = tree.meta or {}
    name = meta.get("spark_fn") or (tree.name if isinstance(tree, exp.Anonymous) else tree.key)
    args = meta.get("spark_args") or [a for a in [tree.this, *tree.expressions]
                                      if isinstance(a, exp.Expression)]
    return f"{name.lower()}({', '.join(spark_name(a) for a in args)})"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _self_join_sides(tree: exp.Expression, renamed: dict[int, int]) -> exp.Expression:
    """In a self-join, ``df.k == df2.k`` names one attribute twice: as Spark, the left side
    of each such equality is the left input's and the right side the right input's."""
    if not renamed:
        return tree
    tree = tree.copy()
    for eq in tree.find_all(exp.EQ, exp.NullSafeEQ):
        left, right = (e.this if isinstance(e, exp.Paren) else e
                       for e in (eq.this, eq.expression))
        lid = (left.meta or {}).get("attr_id") if isinstance(left, exp.Column) else None
        rid = (right.meta or {}).get("attr_id") if isinstance(right, exp.Column) else None
        if lid is not None and lid == rid and rid in renamed:
            right.meta["attr_id"] = renamed[rid]
    return tree


def _outer_nullable(a: Attribute, outer: bool) -> Attribute:
    return Attribute(a.name, a.id, a.dataType, True, a.qualifier) if outer and not a.nullable \
        else a

