"""The statements of ``spark.sql`` that are not queries, run at once as Spark runs them.

Two entries: :func:`run` takes the sqlglot tree of CREATE / DROP / INSERT / CACHE /
UNCACHE / TRUNCATE / ALTER; :func:`run_text` reads SHOW, DESCRIBE, SET, RESET, EXPLAIN, USE,
REFRESH, CLEAR CACHE and MSCK / RECOVER PARTITIONS from their tokens (sqlglot has no Spark
meaning for them). Each returns Spark's result: an empty DataFrame for DDL and DML, and for
SHOW / DESCRIBE / SET / EXPLAIN a DataFrame with Spark's columns (``namespace``,
``tableName``, ``isTemporary``; ``col_name``, ``data_type``, ``comment``; ``key``, ``value``;
``plan``).
"""

from __future__ import annotations

import time
from typing import Any

from sqlglot import exp
from sqlglot.tokens import TokenType

from sparklet.sql import types as T
from sparklet.sql.catalog import _raw_error

_S = T.StringType()


def _schema(*cols: tuple[str, T.DataType, bool]) -> T.StructType:
    return T.StructType([T.StructField(n, t, nullable) for n, t, nullable in cols])


def _result(session: Any, rows: list[tuple], schema: T.StructType) -> Any:
    return session.createDataFrame(rows, schema)


def _empty(session: Any) -> Any:
    return session._frame_from_sql("SELECT 1 WHERE FALSE", T.StructType([]))


def _parts(node: exp.Expression) -> list[str]:
    if isinstance(node, exp.Schema):
        node = node.this
    if isinstance(node, exp.Table):
        return [p.name for p in (node.args.get("catalog"), node.args.get("db"), node.this)
                if p is not None and p.name != ""]
    return [node.name]


def _name(parts: list[str]) -> str:
    return ".".join("`" + p.replace("`", "``") + "`" for p in parts)


def _spark_type(kind: exp.DataType) -> T.DataType:
    return T._parse_datatype_string(kind.sql(dialect="spark"))


def _field(col: exp.ColumnDef) -> T.StructField:
    nullable, metadata = True, {}
    for c in col.args.get("constraints") or []:
        if isinstance(c.kind, exp.NotNullColumnConstraint):
            nullable = False
        elif isinstance(c.kind, exp.CommentColumnConstraint):
            metadata["comment"] = c.kind.this.name
    return T.StructField(col.name, _spark_type(col.args["kind"]), nullable, metadata or None)


def _literal_value(node: exp.Expression) -> Any:
    if isinstance(node, exp.Literal):
        return node.name if node.is_string else (
            int(node.name) if node.name.lstrip("-").isdigit() else float(node.name))
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Boolean):
        return node.this
    if isinstance(node, exp.Neg):
        return -_literal_value(node.this)
    return node.name


def _query(session: Any, node: exp.Expression, text: str = "") -> Any:
    from sparklet.sql import sqlparse

    return session._frame_from_sql(sqlparse.query_sql(session, node, text))


# -- statements parsed by sqlglot ---------------------------------------------------------
def run(session: Any, tree: exp.Expression, text: str) -> Any:
    """Run a CREATE / DROP / INSERT / CACHE / UNCACHE / TRUNCATE / ALTER tree."""
    catalog = session.catalog
    if isinstance(tree, exp.Create):
        kind = (tree.kind or "").upper()
        if kind == "VIEW":
            return _create_view(session, tree, text)
        if kind == "TABLE":
            return _create_table(session, tree, text)
        if kind in ("DATABASE", "SCHEMA"):
            props = _props(tree)
            catalog._create_database(_parts(tree.this)[-1], bool(tree.args.get("exists")),
                                     props.get("comment"), props.get("location"))
            return _empty(session)
    if isinstance(tree, exp.Drop):
        kind = (tree.kind or "").upper()
        exists = bool(tree.args.get("exists"))
        targets = tree.args.get("tables") or [tree.this]
        for target in targets:
            parts = _parts(target)
            if kind in ("DATABASE", "SCHEMA", "NAMESPACE"):
                catalog._drop_database(parts[-1], exists, bool(tree.args.get("cascade")))
            elif kind in ("TABLE", "VIEW"):
                catalog._drop_table(parts, exists, view=kind == "VIEW")
            else:
                break
        else:
            return _empty(session)
    if isinstance(tree, exp.Insert):
        return _insert(session, tree, text)
    if isinstance(tree, exp.Cache):
        parts = _parts(tree.this)
        if tree.expression is not None:
            df = _query(session, tree.expression, text)
            catalog._create_temp_view(parts[-1], df, replace=False)
        catalog.cacheTable(_name(parts))
        return _empty(session)
    if isinstance(tree, exp.Uncache):
        parts = _parts(tree.this)
        if catalog._lookup(catalog._split(_name(parts))) is None:
            if tree.args.get("exists"):
                return _empty(session)
            raise catalog._not_found(parts)
        catalog.uncacheTable(_name(parts))
        return _empty(session)
    if isinstance(tree, exp.TruncateTable):
        for table in tree.expressions:
            parts = _parts(table)
            partition = tree.args.get("partition")
            if partition is not None:
                meta = catalog._table_meta(parts)
                if meta is None:
                    raise catalog._not_found(parts)
                from sparklet.sql.catalog import _remove_data

                _remove_data(meta["location"], meta.get("partitionColumns", []),
                             _static_partition(partition))
            else:
                catalog._truncate(parts)
        return _empty(session)
    if isinstance(tree, exp.Alter) and (tree.args.get("kind") or "").upper() in ("TABLE",
                                                                              "VIEW"):
        parts = _parts(tree.this)
        for action in tree.args.get("actions") or []:
            if isinstance(action, exp.AlterRename):
                catalog._rename(parts, _parts(action.this))
            elif isinstance(action, exp.Schema):
                catalog._add_columns(parts, [_field(c) for c in action.expressions])
            elif isinstance(action, exp.ColumnDef):
                catalog._add_columns(parts, [_field(action)])
            elif isinstance(action, exp.DropPartition):
                meta = _meta_or_raise(catalog, parts)
                from sparklet.sql.catalog import _remove_data

                for spec in action.expressions:
                    _remove_data(meta["location"], meta.get("partitionColumns", []),
                                 _static_partition(spec))
            elif isinstance(action, exp.AddPartition):
                _meta_or_raise(catalog, parts)  # directories appear with their data
            elif isinstance(action, exp.AlterSet) and action.expressions and \
                    isinstance(action.expressions[0], exp.Properties):
                catalog._set_properties(parts, {
                    p.this.name: str(_literal_value(p.args["value"]))
                    for p in action.expressions[0].expressions})
            elif isinstance(action, exp.Query):  # ALTER VIEW v AS SELECT ...
                _alter_view(session, parts, action, text)
            elif isinstance(action, (exp.Drop, exp.RenameColumn)):
                what = "DROP COLUMN" if isinstance(action, exp.Drop) else "RENAME COLUMN"
                db, name = catalog._qualify(parts)
                raise _raw_error("UNSUPPORTED_FEATURE.TABLE_OPERATION",
                                 "The feature is not supported: Table "
                                 f"{_name(['spark_catalog', db, name])} does not support "
                                 f"{what}. Please check the current catalog and namespace to "
                                 "make sure the qualified table name is expected, and also "
                                 "check the catalog implementation which is configured by "
                                 '"spark.sql.catalog".', "0A000")
            else:
                break
        else:
            return _empty(session)
    raise NotImplementedError(f"spark.sql: this statement is not supported yet: {text!r}")


def _meta_or_raise(catalog: Any, parts: list[str]) -> dict:
    meta = catalog._table_meta(catalog._split(_name(parts)))
    if meta is None:
        raise catalog._not_found(parts)
    return meta


def _alter_view(session: Any, parts: list[str], query: exp.Query, text: str) -> None:
    catalog = session.catalog
    found = catalog._lookup(catalog._split(_name(parts)))
    if found is None:
        raise catalog._not_found(parts)
    df = _query(session, query, text)
    if found[0] in ("temp", "global"):
        catalog._create_temp_view(parts[-1], df, True, is_global=found[0] == "global")
        return
    _check_no_temp_reference(session, query, parts)
    catalog._new_table(parts, df.schema, "view", replace=True,
                       view_text=query.sql(dialect="spark"))


def _props(tree: exp.Create) -> dict[str, Any]:
    out: dict[str, Any] = {}
    props = tree.args.get("properties")
    for p in props.expressions if props is not None else []:
        if isinstance(p, exp.FileFormatProperty):
            out["using"] = p.this.name
        elif isinstance(p, exp.PartitionedByProperty):
            out["partitioned"] = p.this.expressions if isinstance(p.this, exp.Schema) else \
                [p.this]
        elif isinstance(p, exp.LocationProperty):
            out["location"] = p.this.name
        elif isinstance(p, exp.OptionsProperty):
            out["options"] = {q.this.name: _literal_value(q.args["value"])
                              for q in p.expressions}
        elif isinstance(p, (exp.SchemaCommentProperty,)):
            out["comment"] = p.this.name
        elif isinstance(p, exp.TemporaryProperty):
            out["temporary"] = True
        elif isinstance(p, exp.GlobalProperty):
            out["global"] = True
        elif type(p) is exp.Property:  # TBLPROPERTIES ('k' = 'v')
            out.setdefault("properties", {})[p.this.name] = str(
                _literal_value(p.args["value"]))
    return out


def _create_view(session: Any, tree: exp.Create, text: str) -> Any:
    props = _props(tree)
    target = tree.this
    names = None
    if isinstance(target, exp.Schema):
        names = [e.name for e in target.expressions]
        target = target.this
    parts = _parts(target)
    if tree.expression is None:  # CREATE TEMPORARY VIEW v USING fmt OPTIONS (path ...)
        options = props.get("options", {})
        df = session.read.format(props.get("using", "parquet")).options(**options).load()
    else:
        df = _query(session, tree.expression, text)
    if names:
        df = df.toDF(*names)
    replace = bool(tree.args.get("replace"))
    if props.get("global"):
        session.catalog._create_temp_view(parts[-1], df, replace, is_global=True)
    elif props.get("temporary"):
        session.catalog._create_temp_view(parts[-1], df, replace)
    else:
        _check_no_temp_reference(session, tree.expression, parts)
        view_text = tree.expression.sql(dialect="spark")
        if names:
            view_text = f"SELECT * FROM ({view_text}) AS _v({', '.join(names)})"
        session.catalog._new_table(parts, df.schema, "view", if_not_exists=bool(
            tree.args.get("exists")), replace=replace, view_text=view_text)
    return _empty(session)


def _check_no_temp_reference(session: Any, query: exp.Expression, parts: list[str]) -> None:
    """A persistent view outlives the session: it may not read its temporary views."""
    catalog = session.catalog
    ctes = {c.alias_or_name.lower() for c in query.find_all(exp.CTE)}
    for node in query.find_all(exp.Table):
        if not isinstance(node.this, exp.Identifier):
            continue
        ref = _parts(node)
        if len(ref) == 1 and ref[0].lower() in ctes:
            continue
        found = catalog._lookup(ref)
        if found is not None and found[0] in ("temp", "global"):
            db, name = catalog._qualify(parts)
            raise _raw_error("INVALID_TEMP_OBJ_REFERENCE", "Cannot create the persistent "
                             f"object {_name(['spark_catalog', db, name])} of the type VIEW "
                             "because it references to the temporary object "
                             f"{_name(ref)} of the type VIEW. Please make the temporary "
                             f"object {_name(ref)} persistent, or make the persistent object "
                             f"{_name(['spark_catalog', db, name])} temporary.", "42K0F")


def _create_table(session: Any, tree: exp.Create, text: str) -> Any:
    catalog = session.catalog
    props = _props(tree)
    target = tree.this
    fields = []
    if isinstance(target, exp.Schema):
        fields = [_field(c) for c in target.expressions if isinstance(c, exp.ColumnDef)]
    partition_by = []
    for p in props.get("partitioned", []):
        if isinstance(p, exp.ColumnDef):  # Hive style: PARTITIONED BY (b STRING)
            fields.append(_field(p))
        partition_by.append(p.name)
    provider = props.get("using") or session.conf.get("spark.sql.sources.default", "parquet")
    parts = _parts(target)
    df = None
    if tree.expression is not None:
        df = _query(session, tree.expression, text)
        fields = [T.StructField(f.name, f.dataType, True, f.metadata)
                  for f in df.schema.fields]
    elif not fields and props.get("location"):
        schema = catalog._infer_schema(props["location"], provider, props.get("options", {}))
        fields = list(schema.fields)
    meta = catalog._new_table(parts, T.StructType(fields), provider, partition_by,
                              props.get("location"), props.get("options"),
                              props.get("comment"), if_not_exists=bool(tree.args.get("exists")),
                              replace=bool(tree.args.get("replace")))
    if meta is not None and props.get("properties"):
        catalog._set_properties(parts, props["properties"])
    if meta is not None and df is not None:
        catalog._write(meta, df.select(*[f.name for f in catalog._schema(meta).fields]),
                       overwrite=False)
    return _empty(session)


def _static_partition(partition: exp.Partition) -> dict[str, Any]:
    out = {}
    for e in partition.expressions:
        if isinstance(e, exp.EQ):
            out[e.this.name.lower()] = _literal_value(e.expression)
    return out


def _insert(session: Any, tree: exp.Insert, text: str) -> Any:
    catalog = session.catalog
    target = tree.this
    columns = None
    if isinstance(target, exp.Schema):
        columns = [e.name for e in target.expressions]
        target = target.this
    parts = _parts(target)
    if catalog._lookup(catalog._split(_name(parts))) is None:
        from sparklet.sql.sqlparse import _relation_error

        raise _relation_error(session, parts, target, text)
    static = {}
    partition = target.args.get("partition") if isinstance(target, exp.Table) else None
    if partition is not None:
        static = _static_partition(partition)
    source = tree.expression
    if isinstance(source, exp.Values):
        source = exp.Select(expressions=[exp.Star()]).from_(source)
    df = _query(session, source, text)
    if columns is not None:  # INSERT INTO t (b, a): reorder into the table's order
        meta = catalog._table_meta(catalog._split(_name(parts)))
        schema = catalog._schema(meta)
        if len(columns) != len(df.columns):
            raise catalog._arity_error(meta, len(df.columns), len(columns))
        named = dict(zip([c.lower() for c in columns], df.columns, strict=True))
        from sparklet.sql import functions as F

        data = df.toDF(*[f"_c{i}" for i in range(len(df.columns))])
        index = {c.lower(): f"_c{i}" for i, c in enumerate(columns)}
        cols = [data[index[f.name.lower()]] if f.name.lower() in named else
                F.lit(None).cast(f.dataType) for f in schema.fields
                if f.name.lower() not in static]
        df = data.select(*cols)
    catalog._insert_into(df, _name(parts), overwrite=bool(tree.args.get("overwrite")),
                         static=static)
    return _empty(session)


# -- statements read from their tokens ------------------------------------------------------
class _Words:
    """A cursor over a statement's tokens."""

    def __init__(self, text: str, tokens: list[Any]):
        self.text = text
        self.tokens = tokens
        self.i = 0

    def peek(self, ahead: int = 0) -> str:
        j = self.i + ahead
        if j >= len(self.tokens):
            return ""
        t = self.tokens[j]
        return self.text[t.start:t.end + 1].upper() if t.token_type != TokenType.STRING \
            else "'"

    def take(self, *words: str) -> bool:
        if self.peek() in words:
            self.i += 1
            return True
        return False

    def done(self) -> bool:
        return self.i >= len(self.tokens)

    def rest(self) -> str:
        if self.done():
            return ""
        return self.text[self.tokens[self.i].start:].strip().rstrip(";").strip()

    def string(self) -> str | None:
        if not self.done() and self.tokens[self.i].token_type == TokenType.STRING:
            self.i += 1
            return self.tokens[self.i - 1].text
        return None

    def name(self) -> list[str]:
        parts = []
        while not self.done():
            t = self.tokens[self.i]
            if t.token_type in (TokenType.DOT, TokenType.L_PAREN, TokenType.STRING,
                                TokenType.SEMICOLON):
                break
            parts.append(t.text)
            self.i += 1
            if self.done() or self.tokens[self.i].token_type != TokenType.DOT:
                break
            self.i += 1
        if not parts:
            raise self.error()
        return parts

    def error(self) -> Exception:
        from sparklet.sql.sqlparse import syntax_error

        if self.done():
            return syntax_error(self.text, None)
        return syntax_error(self.text, self.tokens[self.i].start)

    def end(self) -> None:
        if not self.done():
            raise self.error()


def run_text(session: Any, text: str, tokens: list[Any]) -> Any:
    """Run a SHOW / DESCRIBE / SET / RESET / EXPLAIN / USE / REFRESH / CLEAR / MSCK /
    ALTER ... RECOVER PARTITIONS statement from its tokens."""
    w = _Words(text, tokens)
    head = w.peek()
    w.i += 1
    catalog = session.catalog
    if head == "SET":
        return _set(session, w.rest())
    if head == "RESET":
        _reset(session, w.rest() or None)
        return _empty(session)
    if head == "USE":
        w.take("DATABASE", "SCHEMA", "NAMESPACE")
        parts = w.name()
        w.end()
        catalog.setCurrentDatabase(parts[-1])
        return _empty(session)
    if head == "SHOW":
        return _show(session, w)
    if head in ("DESCRIBE", "DESC"):
        return _describe(session, w)
    if head == "EXPLAIN":
        w.take("EXTENDED", "CODEGEN", "COST", "FORMATTED", "LOGICAL")
        df = session.sql(w.rest())
        rows = session._execute(f"EXPLAIN {df._sql}").fetchall()
        plan = "== Physical Plan ==\n" + "\n".join(r[1] for r in rows) + "\n"
        return _result(session, [(plan,)], _schema(("plan", _S, True)))
    if head == "CLEAR":
        if not w.take("CACHE"):
            raise w.error()
        w.end()
        catalog.clearCache()
        return _empty(session)
    if head == "REFRESH":
        if w.take("FUNCTION"):
            return _empty(session)
        if w.string() is not None:  # REFRESH 'path'
            return _empty(session)
        w.take("TABLE")
        catalog.refreshTable(_name(w.name()))
        return _empty(session)
    if head == "MSCK":
        if not (w.take("REPAIR") and w.take("TABLE")):
            raise w.error()
        catalog.recoverPartitions(_name(w.name()))
        return _empty(session)
    if head == "ALTER":  # ALTER TABLE t RECOVER PARTITIONS
        w.take("TABLE")
        catalog.recoverPartitions(_name(w.name()))
        return _empty(session)
    if head == "ANALYZE":
        return _empty(session)
    raise NotImplementedError(f"spark.sql: this statement is not supported yet: {text!r}")


def _set(session: Any, rest: str) -> Any:
    schema = _schema(("key", _S, False), ("value", _S, True))
    if not rest:
        rows = sorted(session.conf.getAll().items())
        return _result(session, rows, schema)
    if rest == "-v":
        rows = [(k, v, "", "") for k, v in sorted(session.conf.getAll().items())]
        return _result(session, rows, _schema(("key", _S, False), ("value", _S, True),
                                              ("meaning", _S, True),
                                              ("Since version", _S, True)))
    if "=" in rest:
        key, _, value = rest.partition("=")
        key, value = key.strip(), value.strip()
        if key in ("spark.sql.warehouse.dir", "spark.sql.catalogImplementation"):
            raise _raw_error("CANNOT_MODIFY_CONFIG", "Cannot modify the value of the Spark "
                             f'config: "{key}".\nSee also \'https://spark.apache.org/docs/'
                             "latest/sql-migration-guide.html#ddl-statements'.", "46110")
        session.conf.set(key, value)
        return _result(session, [(key, value)], schema)
    key = rest.strip()
    return _result(session, [(key, session.conf.get(key, "<undefined>"))], schema)


def _reset(session: Any, key: str | None) -> None:
    conf = session.conf
    initial = session._options
    keys = [key] if key is not None else list(conf._conf)
    for k in keys:
        if k in initial:
            conf.set(k, initial[k])
        else:
            conf.unset(k)


def _show(session: Any, w: _Words) -> Any:
    catalog = session.catalog
    what = w.peek()
    w.i += 1

    def pattern() -> str | None:
        w.take("LIKE")
        value = w.string()
        w.end()
        return value

    def in_db() -> str | None:
        if w.take("IN", "FROM"):
            return w.name()[-1]
        return None

    if what in ("TABLES", "VIEWS"):
        db = in_db()
        like = pattern()
        tables = catalog.listTables(db, like)
        if what == "VIEWS":
            tables = [t for t in tables if t.tableType in ("VIEW", "TEMPORARY")]
        rows = [(t.namespace[0] if t.namespace else "", t.name, t.isTemporary)
                for t in tables]
        return _result(session, rows, _schema(
            ("namespace", _S, False), ("tableName" if what == "TABLES" else "viewName", _S,
                                       False), ("isTemporary", T.BooleanType(), False)))
    if what in ("DATABASES", "SCHEMAS", "NAMESPACES"):
        like = pattern()
        rows = [(d.name,) for d in catalog.listDatabases(like)]
        return _result(session, rows, _schema(("namespace", _S, False)))
    if what == "COLUMNS":
        if not w.take("IN", "FROM"):
            raise w.error()
        parts = w.name()
        db = in_db()
        w.end()
        if db is not None:
            parts = [db, parts[-1]]
        rows = [(c.name,) for c in catalog.listColumns(_name(parts))]
        return _result(session, rows, _schema(("col_name", _S, False)))
    if what == "FUNCTIONS":
        w.take("USER", "SYSTEM", "ALL")
        like = pattern()
        rows = [(f.name,) for f in catalog.listFunctions(pattern=like)]
        return _result(session, rows, _schema(("function", _S, False)))
    if what == "PARTITIONS":
        parts = w.name()
        w.end()
        rows = [(p,) for p in catalog._partitions(parts)]
        return _result(session, rows, _schema(("partition", _S, False)))
    if what == "CATALOGS":
        like = pattern()
        return _result(session, [(c.name,) for c in catalog.listCatalogs(like)],
                       _schema(("catalog", _S, False)))
    if what == "CURRENT":
        if not w.take("NAMESPACE", "SCHEMA", "DATABASE"):
            raise w.error()
        return _result(session, [("spark_catalog", catalog.currentDatabase())],
                       _schema(("catalog", _S, False), ("namespace", _S, False)))
    if what == "TBLPROPERTIES":
        parts = w.name()
        meta = catalog._table_meta(parts)
        if meta is None:
            raise catalog._not_found(parts)
        rows = sorted(meta.get("properties", {}).items())
        return _result(session, rows, _schema(("key", _S, False), ("value", _S, False)))
    if what in ("CREATE", "TABLE", "GRANT", "ROLE", "ROLES", "PRINCIPALS"):
        raise NotImplementedError(f"spark.sql: SHOW {what} is not supported yet")
    w.i -= 1
    raise w.error()


_DESCRIBE = _schema(("col_name", _S, False), ("data_type", _S, False), ("comment", _S, True))


def _describe(session: Any, w: _Words) -> Any:
    catalog = session.catalog
    if w.peek() in ("DATABASE", "SCHEMA", "NAMESPACE"):
        w.i += 1
        extended = w.take("EXTENDED")
        db = w.name()[-1]
        w.end()
        d = catalog.getDatabase(db)
        rows = [("Catalog Name", "spark_catalog"), ("Namespace Name", d.name),
                ("Comment", d.description or ""), ("Location", d.locationUri),
                ("Owner", _owner())]
        if extended:
            rows.append(("Properties", ""))
        return _result(session, rows, _schema(("info_name", _S, False),
                                              ("info_value", _S, False)))
    if w.peek() in ("QUERY", "SELECT", "WITH", "VALUES", "FROM", "(", "TABLE") and (
            w.peek() != "TABLE" or w.peek(1) in ("SELECT", "WITH")):
        w.take("QUERY")
        df = session.sql(w.rest())
        return _result(session, _column_rows(df.schema), _DESCRIBE)
    w.take("TABLE")
    extended = w.take("EXTENDED", "FORMATTED")
    parts = w.name()
    if w.take("PARTITION"):
        depth = 0
        while not w.done():
            depth += w.peek() == "("
            depth -= w.peek() == ")"
            w.i += 1
            if depth == 0:
                break
    column = None if w.done() else w.name()
    w.end()
    lookup = catalog._split(_name(parts))
    if catalog._lookup(lookup) is None:
        raise catalog._not_found(lookup)
    meta = catalog._table_meta(lookup)
    if meta is not None and meta["type"] != "VIEW":
        schema = catalog._schema(meta)
    else:
        schema = catalog._table(_name(parts)).schema
    if column is not None:
        field = next((f for f in schema.fields if f.name.lower() == column[-1].lower()), None)
        if field is None:
            raise _raw_error("COLUMN_NOT_FOUND", f"The column `{column[-1]}` cannot be found. "
                             "Verify the spelling and correctness of the column name "
                             'according to the SQL config "spark.sql.caseSensitive".', "42703")
        comment = (field.metadata or {}).get("comment")
        rows = [("col_name", field.name), ("data_type", field.dataType.simpleString()),
                ("comment", "NULL" if comment is None else comment)]
        return _result(session, rows, _schema(("info_name", _S, False),
                                              ("info_value", _S, False)))
    rows = _column_rows(schema)
    partition = meta.get("partitionColumns", []) if meta is not None else []
    if partition:
        rows.append(("# Partition Information", "", ""))
        rows.append(("# col_name", "data_type", "comment"))
        by_name = {f.name.lower(): f for f in schema.fields}
        rows += _column_rows(T.StructType([by_name[p.lower()] for p in partition]))
    if extended and meta is not None:
        rows.append(("", "", ""))
        rows.append(("# Detailed Table Information", "", ""))
        created = time.strftime("%a %b %d %H:%M:%S %Z %Y",
                                time.localtime(meta["createTime"] / 1000))
        details = [("Catalog", "spark_catalog"), ("Database", meta["database"]),
                   ("Table", meta["name"]), ("Owner", _owner()), ("Created Time", created),
                   ("Last Access", "UNKNOWN"), ("Created By", f"Spark {session.version}"),
                   ("Type", meta["type"])]
        if meta["type"] == "VIEW":
            details.append(("View Text", meta.get("viewText", "")))
        else:
            details.append(("Provider", meta.get("provider", "parquet")))
            if meta.get("comment"):
                details.append(("Comment", meta["comment"]))
            details.append(("Location", "file:" + meta["location"]))
            if meta.get("options"):
                details.append(("Storage Properties", "[" + ", ".join(
                    f"{k}={v}" for k, v in sorted(meta["options"].items())) + "]"))
            if partition:
                details.append(("Partition Provider", "Catalog"))
        rows += [(k, v, "") for k, v in details]
    return _result(session, rows, _DESCRIBE)


def _owner() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        return ""


def _column_rows(schema: T.StructType) -> list[tuple]:
    return [(f.name, f.dataType.simpleString(), (f.metadata or {}).get("comment"))
            for f in schema.fields]
