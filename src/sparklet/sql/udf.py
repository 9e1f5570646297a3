"""Python UDFs: ``udf``, ``pandas_udf``, ``spark.udf.register``, ``applyInPandas`` and
``mapInPandas``, as PySpark 4's.

A UDF runs inside DuckDB as a vectorised (Arrow) function: DuckDB hands it a batch of Arrow
arrays, the values are turned into PySpark's Python values (``Row`` for structs, ``dict`` for
maps), the function runs per row (per batch for ``pandas_udf``), and the results become an
Arrow array of the declared return type, as PySpark 4's Arrow-optimised UDFs convert them:
a value that does not fit the type fails (``"str"`` or ``2**40`` for ``int``), a float for an
integer type is truncated. An exception in the function is a ``PythonException`` with the
function's own traceback.

>>> from sparklet.sql import SparkSession, functions as F
>>> spark = SparkSession.builder.getOrCreate()
>>> plus_one = F.udf(lambda x: x + 1, "long")
>>> spark.range(3).select(plus_one("id").alias("r")).collect()
[Row(r=1), Row(r=2), Row(r=3)]
>>> spark.range(1).select(F.udf(lambda x: x * 2)("id")).collect()  # the default type: string
[Row(<lambda>(id)='0')]
"""

from __future__ import annotations

import functools
import itertools
import threading
import traceback
from typing import Any

from sqlglot import exp

from sparklet.errors import PySparkTypeError, PythonException
from sparklet.sql import types as T
from sparklet.sql.column import Column, _to_expr

__all__ = ["udf", "pandas_udf", "UserDefinedFunction", "UDFRegistration", "PandasUDFType"]

_ids = itertools.count(1)
# Tracebacks of failed UDF calls, by token: DuckDB re-raises a UDF's exception as its own
# error with the message only, so the wrapper keeps the traceback and puts the token there.
_FAILURES: dict[str, str] = {}
_FAILURE_MARK = "__sparklet_udf_failure_"
_lock = threading.Lock()


class PandasUDFType:
    SCALAR = 200
    SCALAR_ITER = 204
    GROUPED_MAP = 201
    GROUPED_AGG = 202


def _return_type(returnType: Any) -> T.DataType:
    if isinstance(returnType, str):
        return T._parse_datatype_string(returnType)
    if isinstance(returnType, T.DataType):
        return returnType
    raise PySparkTypeError(errorClass="NOT_DATATYPE_OR_STR", messageParameters={
        "arg_name": "returnType", "arg_type": type(returnType).__name__})


def _user_traceback(exc: BaseException) -> str:
    """``Traceback ...`` of the user's frames only (not sparklet's wrapper)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(traceback.extract_tb(tb))
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines).rstrip("\n")


def _fail(text: str) -> RuntimeError:
    token = f"{_FAILURE_MARK}{next(_ids)}__"
    with _lock:
        if len(_FAILURES) > 1000:
            _FAILURES.clear()
        _FAILURES[token] = text
    return RuntimeError(token)


def python_exception_of(message: str) -> PythonException | None:
    """The PythonException a DuckDB error message stands for, if it carries a UDF failure."""
    start = message.find(_FAILURE_MARK)
    if start < 0:
        return None
    end = message.find("__", start + len(_FAILURE_MARK)) + 2
    with _lock:
        text = _FAILURES.pop(message[start:end], None)
    if text is None:
        return None
    return PythonException(errorClass="PYTHON_EXCEPTION", messageParameters={
        "msg": "An exception was thrown from the Python worker:\n" + text})


def _from_arrow(array: Any) -> list[Any]:
    """An Arrow array as PySpark's Python values."""
    from sparklet.sql.conversion import _value_converter
    from sparklet.sql.typemap import from_arrow_type

    dt = from_arrow_type(array.type)
    values = array.to_pylist()
    if isinstance(dt, T.MapType) or _has_map(dt):
        values = [_maps_to_dicts(v, dt) for v in values]
    convert = _value_converter(dt)
    return values if convert is None else [convert(v) for v in values]


def _has_map(dt: T.DataType) -> bool:
    if isinstance(dt, T.MapType):
        return True
    if isinstance(dt, T.ArrayType):
        return _has_map(dt.elementType)
    if isinstance(dt, T.StructType):
        return any(_has_map(f.dataType) for f in dt.fields)
    return False


def _maps_to_dicts(v: Any, dt: T.DataType) -> Any:
    # pyarrow lists a map's entries as (key, value) pairs; PySpark gives a dict
    if v is None:
        return None
    if isinstance(dt, T.MapType):
        return {k: _maps_to_dicts(x, dt.valueType) for k, x in v}
    if isinstance(dt, T.ArrayType):
        return [_maps_to_dicts(x, dt.elementType) for x in v]
    if isinstance(dt, T.StructType):
        return {f.name: _maps_to_dicts(v.get(f.name), f.dataType) for f in dt.fields}
    return v


def _result_value(dt: T.DataType) -> Any:
    """PySpark's coercion of a returned Python value before it becomes Arrow."""
    if isinstance(dt, T.StringType):
        return lambda v: v if v is None or isinstance(v, str) else (
            ("true" if v else "false") if isinstance(v, bool) else str(v))
    if isinstance(dt, T.IntegralType):
        return lambda v: int(v) if isinstance(v, float) else v
    if isinstance(dt, (T.DoubleType, T.FloatType)):
        return lambda v: float(v) if isinstance(v, int) and not isinstance(v, bool) else v
    if isinstance(dt, T.StructType):
        return lambda v: v.asDict() if isinstance(v, T.Row) and hasattr(v, "__fields__") else v
    return None


def _to_arrow(values: list[Any], dt: T.DataType) -> Any:
    import pyarrow as pa

    from sparklet.sql.conversion import _to_arrow_value
    from sparklet.sql.typemap import to_arrow_type

    coerce = _result_value(dt)
    if coerce is not None:
        values = [coerce(v) for v in values]
    convert = _to_arrow_value(dt)
    if convert is not None:
        values = [convert(v) for v in values]
    target = to_arrow_type(dt)
    if isinstance(dt, (T.IntegralType, T.FractionalType, T.BooleanType)):
        # Arrow infers the values' own type, then casts safely: "str" or 2**40 for an int fail
        return pa.array(values).cast(target) if values else pa.array([], target)
    return pa.array(values, type=target)


class UserDefinedFunction:
    """A Python function usable as a Column expression (what ``udf`` returns)."""

    def __init__(self, func: Any, returnType: Any = T.StringType(), name: str | None = None,
                 evalType: int = 100, deterministic: bool = True):
        if not callable(func):
            raise PySparkTypeError(errorClass="NOT_CALLABLE", messageParameters={
                "arg_name": "func", "arg_type": type(func).__name__})
        self.func = func
        self.returnType = _return_type(returnType)
        self._name = name or getattr(func, "__name__", type(func).__name__)
        self.evalType = evalType
        self.deterministic = deterministic
        self._sql_name = f"__sparklet_udf_{next(_ids)}"
        self._registered: set[int] = set()
        functools.update_wrapper(self, func, updated=()) if hasattr(func, "__name__") else None

    def asNondeterministic(self) -> UserDefinedFunction:
        self.deterministic = False
        return self

    def _vectorised(self, nargs: int) -> Any:
        """The Arrow function DuckDB calls, with exactly ``nargs`` parameters."""
        func, dt, pandas = self.func, self.returnType, self.evalType != 100

        def run(*arrays: Any) -> Any:
            try:
                if pandas:
                    import pyarrow as pa

                    series = [a.to_pandas() for a in arrays]
                    result = func(*series)
                    return pa.Array.from_pandas(result, type=None).cast(
                        __import__("sparklet.sql.typemap", fromlist=["x"]).to_arrow_type(dt))
                columns = [_from_arrow(a) for a in arrays]
                n = len(arrays[0]) if arrays else 1
                if not columns:
                    results = [func() for _ in range(n)]
                else:
                    results = [func(*row) for row in zip(*columns, strict=True)]
                return _to_arrow(results, dt)
            except Exception as exc:  # noqa: BLE001 - it becomes the query's PythonException
                raise _fail(_user_traceback(exc)) from None

        import inspect

        run.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
            inspect.Parameter(f"a{i}", inspect.Parameter.POSITIONAL_ONLY) for i in range(nargs)])
        return run

    def _register(self, session: Any, nargs: int) -> str:
        from sparklet.sql.typemap import to_duckdb_type

        name = f"{self._sql_name}_{nargs}"
        key = id(session) * 1000 + nargs
        if key not in self._registered:
            with session._lock:
                session._con.create_function(
                    name, self._vectorised(nargs), None, to_duckdb_type(self.returnType),
                    type="arrow", null_handling="special", side_effects=not self.deterministic)
            self._registered.add(key)
        return name

    def __call__(self, *cols: Any) -> Column:
        from sparklet.sql.naming import spark_name
        from sparklet.sql.session import SparkSession

        session = SparkSession._active or SparkSession.builder.getOrCreate()
        trees = [_to_expr(c) for c in cols]
        node = exp.Anonymous(this=self._register(session, len(trees)), expressions=trees)
        node.meta["spark_name"] = f"{self._name}({', '.join(spark_name(t) for t in trees)})"
        node.meta["udf"] = self
        return Column(node)


def udf(f: Any = None, returnType: Any = T.StringType(), *, useArrow: bool | None = None) -> Any:
    """A Python UDF (the default return type is ``string``); also a decorator."""
    if f is None or isinstance(f, (str, T.DataType)):
        rt = returnType if f is None else f
        return lambda func: UserDefinedFunction(func, rt)
    return UserDefinedFunction(f, returnType)


def pandas_udf(f: Any = None, returnType: Any = None, functionType: int | None = None) -> Any:
    """A vectorised UDF over pandas Series: Series → Series (scalar) or Series → scalar
    (a grouped aggregate, used in ``groupBy().agg``)."""
    def make(func: Any, rt: Any) -> UserDefinedFunction:
        import inspect

        eval_type = functionType or PandasUDFType.SCALAR
        ret = inspect.signature(func).return_annotation
        if functionType is None and ret is not inspect.Signature.empty and \
                "Series" not in str(ret) and "DataFrame" not in str(ret) and "Iterator" not in \
                str(ret):
            eval_type = PandasUDFType.GROUPED_AGG
        return UserDefinedFunction(func, rt, evalType=eval_type)

    if f is None or isinstance(f, (str, T.DataType)):
        rt = returnType if f is None else f
        return lambda func: make(func, rt)
    return make(f, returnType)


class UDFRegistration:
    """``spark.udf``: Python functions callable from SQL by name."""

    def __init__(self, session: Any):
        self._session = session

    def register(self, name: str, f: Any, returnType: Any = None) -> UserDefinedFunction:
        if isinstance(f, UserDefinedFunction):
            fn = f
        else:
            fn = UserDefinedFunction(f, returnType or T.StringType(), name=name)
        fn._name = name
        import inspect

        try:
            params = [p for p in inspect.signature(fn.func).parameters.values()
                      if p.default is inspect.Parameter.empty and p.kind in
                      (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            nargs = len(params)
        except (TypeError, ValueError):
            nargs = 1
        from sparklet.sql.typemap import to_duckdb_type

        with self._session._lock:
            self._session._con.create_function(
                name, fn._vectorised(nargs), None, to_duckdb_type(fn.returnType), type="arrow",
                null_handling="special", side_effects=not fn.deterministic)
        self._session.__dict__.setdefault("_udfs", {})[name.lower()] = fn
        return fn

    def registerJavaFunction(self, *args: Any, **kwargs: Any) -> None:
        raise PySparkTypeError(errorClass="UNSUPPORTED_OPERATION", messageParameters={
            "operation": "registerJavaFunction (no JVM in sparklet)"})


# -- pandas over groups and batches ----------------------------------------------------------

def _schema(schema: Any) -> T.StructType:
    dt = _return_type(schema)
    if not isinstance(dt, T.StructType):
        raise PySparkTypeError(errorClass="NOT_STRUCT", messageParameters={
            "arg_name": "schema", "arg_type": type(dt).__name__})
    return dt


def _frame_of(session: Any, pdf: Any, schema: T.StructType) -> Any:
    import pyarrow as pa

    from sparklet.sql.typemap import to_arrow_type

    pdf = pdf[[f.name for f in schema.fields]] if set(schema.names) <= set(pdf.columns) else pdf
    arrays = []
    for f, name in zip(schema.fields, pdf.columns, strict=False):
        arrays.append(pa.Array.from_pandas(pdf[name], type=to_arrow_type(f.dataType)))
    table = pa.Table.from_arrays(arrays, names=schema.names)
    return session._register_arrow(table, schema)


def apply_in_pandas(grouped: Any, func: Any, schema: Any) -> Any:
    """``groupBy(...).applyInPandas``: ``func`` on each group's pandas DataFrame."""
    import pandas as pd

    schema = _schema(schema)
    df = grouped._df
    pdf = df.toPandas()
    keys = [k.name for k in grouped._keys]
    parts = [func(group.reset_index(drop=True)) for _, group in
             pdf.groupby(keys, sort=False, dropna=False)] if keys else [func(pdf)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=schema.names)
    return _frame_of(df._session, out, schema)


def map_in_pandas(df: Any, func: Any, schema: Any) -> Any:
    """``df.mapInPandas``: ``func`` maps an iterator of pandas DataFrames to another."""
    import pandas as pd

    schema = _schema(schema)
    parts = list(func(iter([df.toPandas()])))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=schema.names)
    return _frame_of(df._session, out, schema)


def aggregate_in_pandas(grouped: Any, aggs: list[exp.Expression]) -> Any:
    """``groupBy(...).agg`` of grouped-aggregate pandas UDFs (DuckDB has no Python
    aggregates): the groups are aggregated with pandas on the driver."""
    import pandas as pd

    df = grouped._df
    keys = [k.name for k in grouped._keys]
    pdf = df.toPandas()
    fields, specs = [], []
    for a in aggs:
        name = a.alias if isinstance(a, exp.Alias) else None
        call = a.this if isinstance(a, exp.Alias) else a
        fn: UserDefinedFunction = call.meta["udf"]
        args = [c.name for c in call.expressions]
        specs.append((name or call.meta["spark_name"], fn, args))
        fields.append(T.StructField(name or call.meta["spark_name"], fn.returnType, True))
    rows = []
    groups = pdf.groupby(keys, sort=False, dropna=False) if keys else [((), pdf)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        rows.append(list(key) + [fn.func(*[group[c] for c in args]) for _, fn, args in specs])
    key_fields = [df.schema[k] for k in keys]
    schema = T.StructType(key_fields + fields)
    out = pd.DataFrame(rows, columns=schema.names)
    return _frame_of(df._session, out, schema)


def is_pandas_aggregate(tree: exp.Expression) -> bool:
    node = tree.this if isinstance(tree, exp.Alias) else tree
    fn = (node.meta or {}).get("udf") if isinstance(node, exp.Anonymous) else None
    return fn is not None and fn.evalType == PandasUDFType.GROUPED_AGG
