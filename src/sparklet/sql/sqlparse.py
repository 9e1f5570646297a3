"""``spark.sql``: Spark SQL text parsed by sqlglot, queries run on DuckDB, commands elsewhere.

A query keeps Spark's output names: each un-aliased item of the top-level select list is
aliased with the name Spark would give it (``(a + 1)``, ``sum(v)``); ``range(...)`` is the
dialect's (Spark's table function, column ``id``). Before a query runs its relations are
resolved as Spark's analyzer does: temporary views (DuckDB views already), ``global_temp``
views, persistent tables of the catalog (inlined as reads of their files), ``parquet.`path```
style queries of files, and anything else is ``TABLE_OR_VIEW_NOT_FOUND`` at the name's
position. ``args=`` binds ``:name`` (a dict) or ``?`` (a list) parameters as literals.

Statements sqlglot does not model the way Spark means them (SHOW, DESCRIBE, SET, RESET,
EXPLAIN, USE, REFRESH, CLEAR CACHE, MSCK / RECOVER PARTITIONS) go to
:func:`sparklet.sql.commands.run_text` without a parse; the other commands (CREATE, DROP,
INSERT, CACHE, ALTER, TRUNCATE) go to :func:`sparklet.sql.commands.run` as sqlglot trees.

A syntax error is Spark's ``ParseException`` (``PARSE_SYNTAX_ERROR``) placed on the token
Spark's parser stops at: the first token when the text does not start a statement, ``end of
input`` when the statement is cut short, else the token sqlglot could not place (with
``extra input`` when the statement parses without it).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.spark import Spark
from sqlglot.tokens import TokenType

from sparklet.errors import AnalysisException, ParseException
from sparklet.sql import types as T
from sparklet.sql.naming import spark_name

# Statements whose first keyword Spark's grammar accepts.
_STARTERS = {
    "SELECT", "WITH", "FROM", "VALUES", "TABLE", "(", "CREATE", "REPLACE", "INSERT", "DROP",
    "ALTER", "USE", "SHOW", "DESCRIBE", "DESC", "SET", "RESET", "EXPLAIN", "CACHE", "UNCACHE",
    "CLEAR", "REFRESH", "TRUNCATE", "MSCK", "ANALYZE", "LOAD", "ADD", "LIST", "DELETE",
    "UPDATE", "MERGE", "COMMENT", "DECLARE", "EXECUTE", "CALL", "MAP", "REDUCE",
}
# Statements handled from their text (sqlglot parses them as Commands, or not as Spark does)
_TEXT_COMMANDS = {"SHOW", "DESCRIBE", "DESC", "SET", "RESET", "EXPLAIN", "CLEAR", "REFRESH",
                  "MSCK", "USE", "LIST", "ADD", "ANALYZE"}

_REL = "__sparklet_rel_"


class _Tokenizer(Spark.Tokenizer):
    # sqlglot reads the rest of a SHOW / EXPLAIN ... statement as one string; we want words
    COMMANDS: set = set()


def tokenize(text: str) -> list[Any]:
    """The tokens of a Spark SQL text (each with its ``start``/``end`` offsets)."""
    try:
        return _Tokenizer(dialect=Spark).tokenize(text)
    except sqlglot.errors.TokenError:
        raise ParseException(errorClass="PARSE_SYNTAX_ERROR", messageParameters={
            "error": "end of input", "hint": ""}, command=text, line=text.count("\n") + 1,
            startPosition=len(text.rsplit("\n", 1)[-1])) from None


def _position(text: str, offset: int) -> tuple[int, int]:
    """(line from 1, position in the line from 0) of a character offset."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1)


def syntax_error(text: str, offset: int | None, hint: str = "") -> ParseException:
    """PARSE_SYNTAX_ERROR at the token starting at ``offset`` (None: the end of input)."""
    if offset is None:
        line, pos = _position(text, len(text))
        near = "end of input"
    else:
        line, pos = _position(text, offset)
        token = next((t for t in tokenize(text) if t.start == offset), None)
        near = "'" + (text[offset:token.end + 1] if token is not None else text[offset]) + "'"
    return ParseException(errorClass="PARSE_SYNTAX_ERROR", messageParameters={
        "error": near, "hint": hint}, command=text, line=line, startPosition=pos)


def _parse_error(text: str, tokens: list[Any], exc: sqlglot.errors.ParseError) -> Exception:
    first = (getattr(exc, "errors", None) or [{}])[0]
    description = first.get("description") or ""
    line, col = first.get("line") or 1, first.get("col") or 1
    lines = text.split("\n")
    end = sum(len(s) + 1 for s in lines[:line - 1]) + col - 1
    index = next((i for i, t in enumerate(tokens) if t.start <= end <= t.end), None)
    if index is None:
        return syntax_error(text, None)
    token = tokens[index]
    arity = re.search(r"number of provided arguments \((\d+)\) is greater than the maximum "
                      r"number of supported arguments \((\d+)\)", description)
    if arity:
        return _arity_error(text, tokens, index, int(arity.group(1)), int(arity.group(2)))
    empty_call = re.search(r"Required keyword: '\w+' missing for <class '([\w.]+)'>", description)
    if empty_call and token.token_type == TokenType.R_PAREN and index > 0 and \
            tokens[index - 1].token_type == TokenType.L_PAREN:
        required = _required_args(empty_call.group(1))
        if required:
            return _arity_error(text, tokens, index, 0, required)
    missing = (description.startswith(("Expecting", "Required keyword", "Expected"))
               and index == len(tokens) - 1)
    if missing:
        return syntax_error(text, None)
    hint = ""
    # the statement parses without this one token: Spark's parser deletes it and says
    # "extra input" (ANTLR's single-token deletion)
    without = text[:token.start] + text[token.end + 1:]
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        tree = sqlglot.parse_one(without, read=Spark)
        if tree is not None and not isinstance(tree, exp.Command):
            hint = f": extra input '{text[token.start:token.end + 1]}'"
    except sqlglot.errors.ParseError:
        pass
    finally:
        logger.setLevel(level)
    return syntax_error(text, token.start, hint)


def _required_args(class_path: str) -> str | None:
    """Spark's ``expectedNum`` for a call without arguments of a sqlglot function class: how
    many it requires, ``> 0`` for one of variable length (None: not a function)."""
    import importlib

    module, _, name = class_path.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    required = sum(1 for needed in getattr(cls, "arg_types", {}).values() if needed)
    if not required:
        return None
    return "> 0" if getattr(cls, "is_var_len_args", False) else str(required)


def _arity_error(text: str, tokens: list[Any], index: int, got: int, most: Any) -> Exception:
    """sqlglot refuses a call with too many arguments; Spark's analyzer says WRONG_NUM_ARGS
    at the function's name."""
    depth, i = 0, index
    while i >= 0:  # back to the call's opening parenthesis
        kind = tokens[i].token_type
        depth += kind == TokenType.R_PAREN
        depth -= kind == TokenType.L_PAREN
        if depth == 0 and kind == TokenType.L_PAREN:
            break
        i -= 1
    name_token = tokens[max(i - 1, 0)]
    name = text[name_token.start:name_token.end + 1]
    line, pos = _position(text, name_token.start)
    return AnalysisException(errorClass="WRONG_NUM_ARGS.WITHOUT_SUGGESTION", messageParameters={
        "functionName": f"`{name.lower()}`", "expectedNum": str(most), "actualNum": str(got)},
        line=line, startPosition=pos)


def parse(session: Any, text: str, tokens: list[Any] | None = None) -> exp.Expression:
    """The one statement of ``text`` as a sqlglot tree (ParseException as Spark's)."""
    tokens = tokenize(text) if tokens is None else tokens
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)  # no "falling back to a Command" warnings
    try:
        trees = sqlglot.parse(text, read=Spark)
    except sqlglot.errors.ParseError as exc:
        raise _parse_error(text, tokens, exc) from None
    finally:
        logger.setLevel(level)
    trees = [t for t in trees if t is not None]
    if len(trees) != 1:
        # Spark takes one statement (and trailing semicolons): the next one is the error
        semi = [i for i, t in enumerate(tokens) if t.token_type == TokenType.SEMICOLON]
        after = next((tokens[i + 1] for i in semi if i + 1 < len(tokens)
                      and tokens[i + 1].token_type != TokenType.SEMICOLON), None)
        raise syntax_error(text, after.start if after is not None else None)
    if isinstance(trees[0], exp.Command) and len(tokens) > 1:
        # sqlglot gave up on the statement: Spark stops at the word after its keyword
        raise syntax_error(text, tokens[1].start)
    _check_spark_grammar(text, tokens, trees[0])
    return trees[0]


def _check_spark_grammar(text: str, tokens: list[Any], tree: exp.Expression) -> None:
    """What sqlglot accepts and Spark's grammar does not."""
    for sample in tree.find_all(exp.TableSample):
        table = sample.parent if isinstance(sample.parent, exp.Table) else None
        if table is not None and isinstance(table.this, exp.Anonymous):
            # a table-valued function takes no TABLESAMPLE: Spark reads the word as an alias
            kw = next((i for i, t in enumerate(tokens)
                       if t.token_type == TokenType.TABLE_SAMPLE), None)
            if kw is not None and kw + 1 < len(tokens):
                raise syntax_error(text, tokens[kw + 1].start)


def _spark_names(select: exp.Select) -> None:
    items = []
    for item in select.expressions:
        if isinstance(item, (exp.Alias, exp.Aliases, exp.Star, exp.Column, exp.UDTF)) or (
                isinstance(item, exp.Anonymous)
                and item.name.lower() in ("json_tuple", "inline_outer")):
            # generators name their own columns (col, pos, key, value, c0, ...)
            # a plain column keeps DuckDB's name for it (as written, as Spark's); aliasing it
            # to itself would make an unknown column read as a reference to the alias
            items.append(item)
        else:
            items.append(exp.Alias(this=item, alias=exp.Identifier(this=spark_name(item),
                                                                   quoted=True)))
    select.set("expressions", items)


def bind_args(tree: exp.Expression, args: Any) -> exp.Expression:
    """``:name`` / ``?`` parameters replaced by literals of ``args`` (dict / list)."""
    from sparklet.sql.column import _literal

    positional = list(args) if isinstance(args, (list, tuple)) else None
    named = {str(k).lower(): v for k, v in args.items()} if isinstance(args, dict) else {}
    holders = list(tree.find_all(exp.Placeholder, bfs=False))
    for i, holder in enumerate(holders):
        name = holder.name if holder.name and holder.name != "?" else None
        if (name is not None and name.lower() not in named) or (
                name is None and (positional is None or i >= len(positional))):
            from sparklet.sql.catalog import _raw_error

            raise _raw_error("UNBOUND_SQL_PARAMETER", "Found the unbound parameter: "
                             f"{name or f'_{i}'}. Please, fix `args` and provide a mapping of "
                             "the parameter to either a SQL literal or collection constructor "
                             "functions such as `map()`, `array()`, `struct()`.", "42P02")
        value = named[name.lower()] if name is not None else positional[i]
        literal = _literal(value).copy()
        if holder is tree:
            return literal
        holder.replace(literal)
    return tree


def _relation_error(session: Any, parts: list[str], node: exp.Table, text: str) -> Exception:
    first = next((p for p in (node.args.get("catalog"), node.args.get("db"), node.this)
                  if isinstance(p, exp.Identifier)), None)
    line = pos = None
    if first is not None and "start" in first.meta and text:
        line, pos = _position(text, first.meta["start"] - (1 if first.quoted else 0))
    return session.catalog._not_found(parts, line, pos)


def _table_parts(node: exp.Table) -> list[str]:
    return [p.name for p in (node.args.get("catalog"), node.args.get("db"), node.this)
            if p is not None and p.name != ""]


def resolve_relations(session: Any, tree: exp.Expression, text: str = ""
                      ) -> tuple[exp.Expression, dict[str, str]]:
    """Resolve the relations of a query: persistent tables and file queries become
    placeholders named ``__sparklet_rel_N`` (returned with the DuckDB SQL each stands for),
    unknown names raise TABLE_OR_VIEW_NOT_FOUND."""
    from sparklet.sql.catalog import _FILE_FORMATS

    catalog = session.catalog
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    relations: dict[str, str] = {}
    for node in list(tree.find_all(exp.Table)):
        if not isinstance(node.this, exp.Identifier):
            continue  # a table function, a subquery
        parts = _table_parts(node)
        if not parts:
            continue
        if len(parts) == 1 and parts[0].lower() in ctes:
            continue
        sql = None
        if len(parts) == 2 and parts[0].lower() in _FILE_FORMATS and \
                not catalog.databaseExists(parts[0]) and (
                    node.this.quoted or "/" in parts[1]):
            sql = file_query(session, parts[0].lower(), parts[1])
        else:
            found = catalog._lookup(parts)
            if found is None:
                raise _relation_error(session, parts, node, text)
            kind, what = found
            if kind == "table":
                sql = catalog._table_frame(what)._display_sql()
        if sql is None:
            continue
        name = f"{_REL}{len(relations)}"
        relations[name] = sql
        alias = node.args.get("alias")
        new = exp.Table(this=exp.Identifier(this=name), alias=alias.copy() if alias else
                        exp.TableAlias(this=exp.Identifier(this=parts[-1], quoted=True)))
        if node is tree:
            return new, relations
        node.replace(new)
        if alias is None and len(parts) > 1:
            _unqualify_columns(tree, parts)
    return tree, relations


def _unqualify_columns(tree: exp.Expression, parts: list[str]) -> None:
    """``db.t.col`` of an inlined table ``db.t`` becomes ``t.col`` (its alias)."""
    want = [p.lower() for p in parts]
    for col in tree.find_all(exp.Column):
        quals = [p.name.lower() for p in (col.args.get("catalog"), col.args.get("db"),
                                           col.args.get("table")) if p is not None]
        if len(quals) > 1 and want[-len(quals):] == quals:
            col.set("catalog", None)
            col.set("db", None)


def substitute(sql: str, relations: dict[str, str]) -> str:
    """Put each relation's SQL where its placeholder name was generated."""
    for name, rel in relations.items():
        sql = re.sub(rf'"?\b{name}\b"?', lambda _m, r=rel: f"({r})", sql)
    return sql


def file_query(session: Any, fmt: str, path: str) -> str:
    """``SELECT * FROM parquet.`path```: the files read as ``spark.read.format(fmt).load``
    reads them (``sparklet.sql.io.read``)."""
    import os

    from sparklet.sql.catalog import _raw_error, _strip_uri, _uri

    local = _strip_uri(path)
    if not os.path.exists(local):
        raise AnalysisException(errorClass="PATH_NOT_FOUND", messageParameters={
            "path": _uri(local)})
    if fmt not in ("parquet", "json", "csv", "orc", "text"):
        raise _raw_error("UNSUPPORTED_DATA_SOURCE_FOR_DIRECT_QUERY",
                         "[UNSUPPORTED_DATA_SOURCE_FOR_DIRECT_QUERY] Unsupported data source "
                         f"type for direct query on files: {fmt}", "0A000")
    sql, schema = session.catalog._io_read([local], fmt, None, {})
    return session._frame_from_sql(sql, schema)._display_sql()


def query_sql(session: Any, tree: exp.Query, text: str = "") -> str:
    """The DuckDB SQL of a parsed (and parameter-bound) Spark query."""
    from sparklet.sql.dialect import to_duckdb

    tree, relations = resolve_relations(session, tree.copy(), text)
    if isinstance(tree, exp.Select):
        _spark_names(tree)
    sql = to_duckdb(tree, ansi=session._ansi, time_zone=session._time_zone)
    return substitute(sql, relations)


def run(session: Any, text: str, args: Any = None) -> Any:
    """``spark.sql(text, args)``: a query's DataFrame, or a command's result (run now)."""
    tokens = tokenize(text)
    words = [t for t in tokens if t.token_type != TokenType.SEMICOLON]
    if not words:
        raise syntax_error(text, None)
    head = text[words[0].start:words[0].end + 1].upper()
    if words[0].token_type == TokenType.L_PAREN:
        head = "("
    if head not in _STARTERS:
        raise syntax_error(text, words[0].start)
    from sparklet.sql import commands

    if head in _TEXT_COMMANDS or (head == "ALTER" and _recover_partitions(text, words)):
        return commands.run_text(session, text, words)
    tree = bind_args(parse(session, text, tokens), args)
    if isinstance(tree, exp.Query):
        try:
            df = session._frame_from_sql(query_sql(session, tree, text))
        except Exception as exc:
            raise _unresolved_column(session, tree, text, exc) from None
        return _written_names(df, tree)
    return commands.run(session, tree, text)


def _written_names(df: Any, tree: exp.Query) -> Any:
    """A selected column is named as written (``SELECT ID`` gives ``ID``), and a literal is
    never NULL, as Spark's."""
    from sparklet.sql.analysis import Attribute, nullable

    if not isinstance(tree, exp.Select) or len(tree.expressions) != len(df._attrs):
        return df
    attrs, changed = [], False
    for item, attr in zip(tree.expressions, df._attrs, strict=True):
        name, null = attr.name, attr.nullable
        if isinstance(item, exp.Column) and not isinstance(item.this, exp.Star) and \
                item.name != attr.name and item.name.lower() == attr.name.lower():
            name = item.name
        inner = item.this if isinstance(item, exp.Alias) else item
        dt = attr.dataType
        if not isinstance(inner, (exp.Column, exp.Star)) and not nullable(inner):
            null = False
            if isinstance(inner, exp.Array) and isinstance(dt, T.ArrayType) and inner.expressions \
                    and not any(nullable(x) for x in inner.expressions):
                dt = T.ArrayType(dt.elementType, False)
        changed |= (name, null, dt) != (attr.name, attr.nullable, attr.dataType)
        attrs.append(Attribute(name, attr.id, dt, null, attr.qualifier))
    return df._derive(df._sql, attrs) if changed else df


def _unresolved_column(session: Any, tree: exp.Query, text: str, exc: Exception) -> Exception:
    """DuckDB's "column not found" as Spark's UNRESOLVED_COLUMN: every column the query's
    FROM clause offers is a candidate, and the position is the name's in the text."""
    import re

    from sparklet.errors.suggestions import unresolved_column

    found = re.search(r'Referenced column "([^"]+)" not found', str(exc))
    if found is None or not isinstance(tree, exp.Select):
        return exc
    name = found.group(1)
    probe = tree.copy()
    for key in ("group", "having", "order", "limit", "offset", "qualify", "distinct", "where"):
        probe.set(key, None)
    probe.set("expressions", [exp.Star()])
    try:
        candidates, _ = session._bind(query_sql(session, probe, text))
    except Exception:  # noqa: BLE001 - no candidates: Spark's message without suggestions
        candidates = []
    at = re.search(r"(?<![\w`.])" + re.escape(name) + r"(?![\w`])", text, re.I)
    line = text.count("\n", 0, at.start()) + 1 if at else None
    pos = at.start() - (text.rfind("\n", 0, at.start()) + 1) if at else None
    return unresolved_column(name, list(dict.fromkeys(candidates)), line=line,
                             startPosition=pos)


def _recover_partitions(text: str, words: list[Any]) -> bool:
    tail = " ".join(text[t.start:t.end + 1].upper() for t in words[-2:])
    return tail == "RECOVER PARTITIONS"


def format_with_frames(session: Any, text: str, frames: dict[str, Any]) -> str:
    """``spark.sql("SELECT * FROM {df}", df=df)``: a DataFrame becomes a temporary view's
    name, a Column its SQL text, anything else its ``format`` text (as PySpark's)."""
    from sparklet.sql.column import Column
    from sparklet.sql.dataframe import DataFrame

    values = {}
    for key, value in frames.items():
        if isinstance(value, DataFrame):
            name = session._fresh_name("__sparklet_frame")
            value.createOrReplaceTempView(name)
            values[key] = name
        elif isinstance(value, Column):
            values[key] = value._expr.sql(dialect="spark")
        else:
            values[key] = value  # str.format's own text, as PySpark's formatter
    return text.format(**values)
