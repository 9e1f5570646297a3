"""Resolution of column references against a DataFrame's attributes (Spark's analyzer).

A DataFrame's output is a list of :class:`Attribute` s — name, type, nullability and a unique
id, as Spark's ``AttributeReference`` with its expression id. In DuckDB an attribute is the
column ``_<id>``, so two columns with one name (after a join) never clash, and a reference
taken from a DataFrame (``df.id``) still means that DataFrame's column after later
transformations. PySpark 4 analyses eagerly: an unknown column fails when the DataFrame is
built, with Spark's error and suggestions.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

from sqlglot import exp

from sparklet.errors import AnalysisException
from sparklet.errors.suggestions import to_sql_id, unresolved_column
from sparklet.sql import types as T

_ids = itertools.count(1)


def new_id() -> int:
    return next(_ids)


@dataclass(frozen=True)
class Attribute:
    """One output column of a DataFrame."""

    name: str
    id: int
    dataType: T.DataType
    nullable: bool = True
    qualifier: str | None = None

    @property
    def phys(self) -> str:
        """Its column name in the DuckDB statement."""
        return f"_{self.id}"

    def field(self) -> T.StructField:
        return T.StructField(self.name, self.dataType, self.nullable)

    def renamed(self, name: str) -> Attribute:
        return replace(self, name=name)

    def fresh(self) -> Attribute:
        return replace(self, id=new_id())


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def physical(attr: Attribute) -> exp.Column:
    """The resolved reference to ``attr`` (its DuckDB name and type)."""
    from sparklet.sql.typemap import to_duckdb_type

    node = exp.Column(this=exp.Identifier(this=attr.phys, quoted=True))
    try:
        node.type = exp.DataType.build(to_duckdb_type(attr.dataType), dialect="duckdb")
    except Exception:  # noqa: BLE001 - a type sqlglot cannot spell leaves the node untyped
        pass
    node.meta["attr"] = attr
    return node


def bound_ref(attr: Attribute, plan: int | None = None) -> exp.Column:
    """A Column tree that means exactly ``attr`` (``df.x``, ``df["x"]``); ``plan`` is the
    id of the DataFrame it was taken from (to tell the two sides of a self-join apart)."""
    node = exp.Column(this=exp.Identifier(this=attr.name, quoted=True))
    node.meta["attr_id"] = attr.id
    node.meta["display"] = attr.name
    if plan is not None:
        node.meta["plan"] = plan
    return node


class Resolver:
    """Resolves the column references of trees against ``attrs``."""

    def __init__(self, attrs: list[Attribute], case_sensitive: bool = False,
                 aliases: dict[tuple[int, int], int] | None = None):
        self.attrs = attrs
        self.case_sensitive = case_sensitive
        # (DataFrame id, attribute id) -> the id the attribute has here (a self-join's
        # right side gets new ids)
        self.aliases = aliases or {}

    def _norm(self, name: str) -> str:
        return name if self.case_sensitive else name.lower()

    def by_name(self, name: str, qualifier: str | None = None) -> list[Attribute]:
        key = self._norm(name)
        found = [a for a in self.attrs if self._norm(a.name) == key]
        if qualifier is not None:
            q = self._norm(qualifier)
            found = [a for a in found if a.qualifier is not None and self._norm(a.qualifier) == q]
        return found

    def lookup(self, parts: list[str], text: str | None = None) -> tuple[Attribute, list[str]]:
        """The attribute a dotted name means, and the struct fields left to extract."""
        if len(parts) >= 2:
            qualified = self.by_name(parts[1], parts[0])
            if qualified:
                return self._one(qualified, parts[:2]), parts[2:]
        found = self.by_name(parts[0])
        if not found:
            raise unresolved_column(text or ".".join(parts),
                                    [a.name for a in self.attrs])
        return self._one(found, parts[:1]), parts[1:]

    def _one(self, found: list[Attribute], parts: list[str]) -> Attribute:
        if len({a.id for a in found}) > 1:
            raise AnalysisException(errorClass="AMBIGUOUS_REFERENCE", messageParameters={
                "name": to_sql_id(parts),
                "referenceNames": "[" + ", ".join(
                    to_sql_id([a.qualifier, a.name] if a.qualifier else [a.name])
                    for a in found) + "]"})
        return found[0]

    def by_id(self, attr_id: int, display: str, plan: int | None = None) -> Attribute:
        attr_id = self.aliases.get((plan, attr_id), attr_id)
        for a in self.attrs:
            if a.id == attr_id:
                return a
        # a column of another DataFrame (as Spark: even when one here has its name)
        names = ", ".join(f'"{a.name}"' for a in self.attrs)
        same = [a.name for a in self.attrs if self._norm(a.name) == self._norm(display)]
        message = (f'Resolved attribute(s) "{display}" missing from {names} in operator '
                   f'!Project. ')
        if same:
            message += (f'Attribute(s) with the same name appear in the operation: '
                        f'"{display}".\nPlease check if the right attribute(s) are used.')
        condition = ("MISSING_ATTRIBUTES.RESOLVED_ATTRIBUTE_APPEAR_IN_OPERATION" if same
                     else "MISSING_ATTRIBUTES.RESOLVED_ATTRIBUTE_MISSING_FROM_INPUT")
        raise AnalysisException(message.strip(), errorClass=condition, messageParameters={
                                    "missingAttributes": f'"{display}"', "input": names})

    def resolve(self, tree: exp.Expression) -> exp.Expression:
        """A copy of ``tree`` whose column references are DuckDB columns of ``attrs``."""
        return self._resolve(tree.copy(), frozenset())

    def _resolve(self, node: exp.Expression, lambdas: frozenset) -> exp.Expression:
        if isinstance(node, exp.Lambda):
            params = frozenset(self._norm(p.name) for p in node.expressions)
            node.set("this", self._resolve(node.this, lambdas | params))
            return node
        if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
            return self._column(node, lambdas)
        for key, value in list(node.args.items()):
            if isinstance(value, exp.Expression):
                node.set(key, self._resolve(value, lambdas))
            elif isinstance(value, list):
                node.set(key, [self._resolve(v, lambdas) if isinstance(v, exp.Expression)
                               else v for v in value])
        return node

    def _column(self, node: exp.Column, lambdas: frozenset) -> exp.Expression:
        meta = node.meta or {}
        if "attr" in meta:  # already resolved
            return node
        if "attr_id" in meta:
            attr = self.by_id(meta["attr_id"], meta.get("display", node.name), meta.get("plan"))
            rest = []
        else:
            parts = meta.get("parts") or [p.name for p in node.parts]
            if len(parts) == 1 and self._norm(parts[0]) in lambdas:
                return node  # a lambda variable (x -> x + 1)
            attr, rest = self.lookup(parts, meta.get("text"))
        out: exp.Expression = physical(attr)
        for field in rest:
            out = exp.Dot(this=out, expression=exp.Identifier(this=field, quoted=True))
        return out

    def expand_star(self, node: exp.Expression) -> list[Attribute] | None:
        """The attributes a ``*`` or ``t.*`` means, or None for any other expression."""
        if isinstance(node, exp.Star):
            return list(self.attrs)
        if isinstance(node, exp.Column) and isinstance(node.this, exp.Star):
            q = node.table
            found = [a for a in self.attrs
                     if a.qualifier is not None and self._norm(a.qualifier) == self._norm(q)]
            if not found:
                # a struct column: s.* expands its fields (handled by the caller)
                return None
            return found
        return None


def is_plain_ref(tree: exp.Expression) -> bool:
    """Whether ``tree`` is a bare column reference (its output keeps the attribute)."""
    return isinstance(tree, exp.Column) and not isinstance(tree.this, exp.Star) and (
        "attr_id" in (tree.meta or {}) or len((tree.meta or {}).get("parts") or tree.parts) == 1
        or _is_qualified_ref(tree))


def _is_qualified_ref(tree: exp.Column) -> bool:
    return bool(tree.table) and "parts" not in (tree.meta or {})


def nullable(tree: exp.Expression) -> bool:
    """Spark's nullability for a resolved tree, by simple rules: literals and counts are
    never NULL; a column is as its attribute; most else may be."""
    if isinstance(tree, exp.Alias):
        return nullable(tree.this)
    if isinstance(tree, exp.Paren):
        return nullable(tree.this)
    if isinstance(tree, exp.Column):
        attr = (tree.meta or {}).get("attr")
        return True if attr is None else attr.nullable
    if isinstance(tree, (exp.Literal, exp.Boolean)):
        return False
    if isinstance(tree, exp.Null):
        return True
    if isinstance(tree, exp.Count):
        return False
    if isinstance(tree, (exp.Array, exp.Struct)) and not isinstance(tree, exp.Bracket):
        return False  # a constructor's value is never NULL (its elements may be)
    if isinstance(tree, exp.Coalesce):
        return all(nullable(c) for c in [tree.this, *tree.expressions])
    if isinstance(tree, exp.Anonymous) and tree.name.lower() in ("row_number", "rank",
                                                                  "dense_rank", "count"):
        return False
    if isinstance(tree, (exp.RowNumber,)):
        return False
    if isinstance(tree, exp.Window):
        return nullable(tree.this)
    if isinstance(tree, (exp.Add, exp.Sub, exp.Mul, exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT,
                         exp.GTE, exp.And, exp.Or, exp.Not, exp.Neg)):
        return any(nullable(c) for c in tree.iter_expressions())
    if isinstance(tree, (exp.Is, exp.NullSafeEQ)):
        return False
    if isinstance(tree, (exp.Cast, exp.TryCast)) and not tree.args.get("safe"):
        return nullable(tree.this) if isinstance(tree.this, (exp.Column, exp.Literal)) and \
            tree.this.is_type("int", "bigint") else True
    return True

