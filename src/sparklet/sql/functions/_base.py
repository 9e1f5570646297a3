"""The machinery under ``sparklet.sql.functions``: building Spark's function nodes and
PySpark's argument conventions (column-or-name, literal, lambda, options).

>>> from sparklet.sql.functions._base import _invoke
>>> _invoke("upper", "name")
Column<'upper(name)'>
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any

import sqlglot
from sqlglot import expressions as E
from sqlglot.dialects.spark import Spark

from sparklet.errors import PySparkTypeError, PySparkValueError
from sparklet.sql.column import Column, _literal, _to_expr

# PySpark's own (Python-side) messages, for the conditions the shared table may lack
_MESSAGES = {
    "NOT_EXPECTED_TYPE": "Argument `<arg_name>` should be <expected_type>, got <arg_type>.",
    "NOT_COLUMN_OR_STR": "Argument `<arg_name>` should be a Column or str, got <arg_type>.",
    "NOT_COLUMN": "Argument `<arg_name>` should be a Column, got <arg_type>.",
    "NOT_COLUMN_OR_INT": "Argument `<arg_name>` should be a Column or int, got <arg_type>.",
    "NOT_COLUMN_OR_INT_OR_STR":
        "Argument `<arg_name>` should be a Column, int or str, got <arg_type>.",
    "NOT_STR": "Argument `<arg_name>` should be a str, got <arg_type>.",
    "NOT_INT": "Argument `<arg_name>` should be an int, got <arg_type>.",
    "NOT_BOOL": "Argument `<arg_name>` should be a bool, got <arg_type>.",
    "NOT_LIST_OR_TUPLE": "Argument `<arg_name>` should be a list or tuple, got <arg_type>.",
    "NOT_COLUMN_OR_FLOAT_OR_LIST_OR_TUPLE":
        "Argument `<arg_name>` should be a Column, float, list or tuple, got <arg_type>.",
    "CANNOT_BE_EMPTY": "At least one <item> must be specified.",
    "WRONG_NUM_ARGS_FOR_HIGHER_ORDER_FUNCTION":
        "Function `<func_name>` should take between 1 and 3 arguments, but the provided "
        "function takes <num_args>.",
    "UNSUPPORTED_PARAM_TYPE_FOR_HIGHER_ORDER_FUNCTION":
        "Function `<func_name>` should use only POSITIONAL or POSITIONAL OR KEYWORD arguments.",
    "NOT_DATATYPE_OR_STR": "Argument `<arg_name>` should be a DataType or str, got <arg_type>.",
    "NOT_CALLABLE": "Argument `<arg_name>` should be a callable, got <arg_type>.",
    "HIGHER_ORDER_FUNCTION_SHOULD_RETURN_COLUMN":
        "Function `<func_name>` should return Column, got <return_type>.",
    "WRONG_NUM_COLUMNS": "Function `<func_name>` should take at least <num_cols> columns.",
    "UDTF_ALIAS_NUMBER_MISMATCH":
        "The number of aliases supplied in the AS clause does not match the number of columns "
        "output by the UDTF. Expected <aliasesSize> aliases, but got <aliasesNames>. Please "
        "ensure that the number of aliases provided matches the number of columns output by "
        "the UDTF.",
    "UNSUPPORTED_GENERATOR.MULTI_GENERATOR":
        "The generator is not supported: only one generator allowed per SELECT clause but "
        "found <num>: <generators>.",
}


def _error(cls: type, condition: str, **params: str) -> Exception:
    """A PySpark exception for ``condition`` (from the shared table, else PySpark's text)."""
    try:
        return cls(errorClass=condition, messageParameters=params)
    except ValueError:
        text = _MESSAGES.get(condition, condition)
        for k, v in params.items():
            text = text.replace(f"<{k}>", str(v))
        return cls(text, errorClass=condition, messageParameters=params)


def _type_error(condition: str, arg_name: str, value: Any) -> Exception:
    return _error(PySparkTypeError, condition, arg_name=arg_name,
                  arg_type=type(value).__name__)


def _value_error(condition: str, **params: str) -> Exception:
    return _error(PySparkValueError, condition, **params)


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> E.Expression:
    return sqlglot.parse_one(text, read=Spark)


def _template(name: str, nargs: int) -> E.Expression:
    return _parsed(f"{name}({', '.join(f'__sparklet_arg{i}' for i in range(nargs))})")


def _inline(tree: E.Expression) -> bool:
    # literals go into the text: Spark's parser reads some of them (a date_format pattern,
    # a unit) into the node it builds, exactly as for SQL text
    return isinstance(tree, (E.Literal, E.Boolean, E.Null)) and not tree.meta


def _node(name: str, trees: list[E.Expression]) -> E.Expression:
    parts = [t.sql(dialect=Spark) if _inline(t) else f"__sparklet_arg{i}"
             for i, t in enumerate(trees)]
    node = _parsed(f"{name}({', '.join(parts)})").copy()

    def put(n: E.Expression) -> E.Expression:
        if isinstance(n, E.Column) and n.name.startswith("__sparklet_arg") and not n.table:
            return trees[int(n.name[len("__sparklet_arg"):])].copy()
        return n
    node = node.transform(put, copy=False)
    node.meta["spark_fn"] = name
    # Spark names a call by its function and arguments as given, whatever sqlglot's parser
    # made of them (``date_sub(d, 2)`` parses into ``date_add(d, 2 * -1)``)
    node.meta["spark_args"] = trees
    return node


def _invoke(name: str, *args: Any, names: bool = True) -> Column:
    """Spark function ``name`` applied to ``args`` (Columns, column names, or literals).

    The node is the one Spark's SQL parser builds for ``name(args)``.
    """
    return Column(_node(name, [_to_expr(a, names=names) for a in args]))


def _invoke_opt(name: str, *args: Any) -> Column:
    """``_invoke`` without the trailing arguments left out (``None``)."""
    args_list = list(args)
    while args_list and args_list[-1] is None:
        args_list.pop()
    return _invoke(name, *[E.Null() if a is None else a for a in args_list])


def _c(value: Any, arg_name: str = "col") -> Column | None:
    """A column-or-name argument (PySpark's ``ColumnOrName``); ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, Column):
        return value
    if isinstance(value, str):
        return Column(_to_expr(value))
    # PySpark's _to_java_column names the argument ``col`` whatever the parameter is
    raise _error(PySparkTypeError, "NOT_EXPECTED_TYPE", expected_type="Column or str",
                 arg_name="col", arg_type=type(value).__name__)


def _cn(value: Any) -> Any:
    """A Column, a column name, or a literal (``Union[ColumnOrName, int]``)."""
    if value is None or isinstance(value, (Column, str)):
        return value
    return Column(_literal(value))


def _cl(value: Any) -> Any:
    """A Column or a literal: a string here is a string literal, not a column name."""
    if value is None or isinstance(value, Column):
        return value
    return Column(_literal(value))


def _cols(cols: tuple, arg_name: str = "cols") -> list[Column]:
    """Varargs of columns, also given as one list or tuple (PySpark accepts both)."""
    if len(cols) == 1 and isinstance(cols[0], (list, tuple, set)):
        cols = tuple(cols[0])
    return [_c(c, arg_name) for c in cols]


def _options(options: Any) -> Column | None:
    """A ``map('k', 'v', ...)`` of reader/writer options, as PySpark passes them."""
    if not options:
        return None
    args = []
    for k, v in options.items():
        args += [Column(E.Literal.string(str(k))), Column(E.Literal.string(
            str(v).lower() if isinstance(v, bool) else str(v)))]
    return _invoke("map", *args)


def _schema(schema: Any) -> Column:
    """A schema argument: a DataType (as its DDL), a DDL string, or a Column."""
    from sparklet.sql import types as T

    if isinstance(schema, Column):
        return schema
    if isinstance(schema, T.DataType):
        text = schema.simpleString() if not isinstance(schema, T.StructType) else ", ".join(
            f"{f.name} {f.dataType.simpleString()}" for f in schema.fields)
        return Column(E.Literal.string(text))
    if isinstance(schema, str):
        return Column(E.Literal.string(schema))
    raise _type_error("NOT_COLUMN_OR_STR", "schema", schema)


_lambda_ids = itertools.count()


def _lambda(f: Callable[..., Column], func_name: str, max_args: int = 3) -> E.Lambda:
    """A Python function of Columns as Spark's lambda (``x -> x + 1``)."""
    import inspect

    if not callable(f):
        raise _type_error("NOT_CALLABLE", "f", f)
    params = list(inspect.signature(f).parameters.values())
    if any(p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params):
        raise _value_error("UNSUPPORTED_PARAM_TYPE_FOR_HIGHER_ORDER_FUNCTION",
                           func_name=f.__name__)
    if not 1 <= len(params) <= max_args:
        raise _value_error("WRONG_NUM_ARGS_FOR_HIGHER_ORDER_FUNCTION",
                           func_name=f.__name__, num_args=str(len(params)))
    # PySpark names the variables x, y, z with a fresh suffix (Spark's freshVarName)
    names = [f"{v}_{next(_lambda_ids)}" for v in "xyz"[:len(params)]]
    variables = [Column(E.Column(this=E.Identifier(this=v, quoted=False))) for v in names]
    body = f(*variables)
    if not isinstance(body, Column):
        raise _error(PySparkValueError, "HIGHER_ORDER_FUNCTION_SHOULD_RETURN_COLUMN",
                     func_name=f.__name__, return_type=type(body).__name__)
    return E.Lambda(this=body._expr, expressions=[E.to_identifier(v) for v in names])


def _hof(name: str, *args: Any) -> Column:
    """A higher-order function: Columns and already-built lambdas."""
    trees = [a if isinstance(a, E.Expression) else _to_expr(a) for a in args]
    return Column(_node(name, trees))
