"""Python UDFs: ``udf``, ``pandas_udf``, ``spark.udf.register``, ``applyInPandas`` and
``mapInPandas``, as PySpark 4's.

A UDF runs inside DuckDB as a vectorised (Arrow) function: DuckDB hands it a batch of Arrow
arrays, the values are turned into PySpark's Python values (``Row`` for structs, ``dict`` for
maps, ``bytes`` for binary), the function runs per row (per batch of pandas Series for a
``pandas_udf``), and the results become an Arrow array of the declared return type:

- **Arrow-optimised** (``useArrow=None`` or ``True``; PySpark 4's default,
  ``spark.sql.execution.pythonUDF.arrow.enabled``): pyarrow infers the results' own type and
  casts it safely, so ``"str"`` or ``2**40`` for an ``int`` fail, a float for an integer
  type is truncated, an int for a ``string`` becomes its text;
- **pickled** (``useArrow=False``): as the JVM's ``EvaluatePython`` takes a pickled value,
  a value of another type is NULL (``1.5`` for ``int``), a ``long`` into ``int`` wraps;
- **pandas** (``pandas_udf``): Series → Series (scalar), ``Iterator[pd.Series]`` →
  ``Iterator[pd.Series]`` (scalar iterator: the function gets an iterator over the batches
  of one DuckDB call), Series → scalar (grouped aggregate, in ``groupBy().agg``).

An exception in the function is a ``PythonException`` whose message is PySpark's: ``An
exception was thrown from the Python worker:`` and the function's own traceback.

Not as in Spark: ``groupBy().applyInPandas``, ``mapInPandas`` and grouped-aggregate pandas
UDFs run on the driver, in pandas, over the whole DataFrame brought to the driver (DuckDB has
no Python table or aggregate functions); they suit data that fits in the driver's memory.

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
import inspect
import itertools
import threading
import traceback
from typing import Any

from sqlglot import exp

from sparklet.errors import PySparkRuntimeError, PySparkTypeError
from sparklet.errors import PythonException as _PythonException
from sparklet.sql import types as T
from sparklet.sql.column import Column, _to_expr
from sparklet.sql.conversion import pyspark_error

__all__ = ["udf", "pandas_udf", "UserDefinedFunction", "UDFRegistration", "PandasUDFType",
           "PythonEvalType", "PythonException"]

_ids = itertools.count(1)
# Tracebacks of failed UDF calls, by token: DuckDB re-raises a UDF's exception as its own
# error with the message only, so the wrapper keeps the traceback and puts the token there.
_FAILURES: dict[str, str] = {}
_FAILURE_MARK = "__sparklet_udf_failure_"
_lock = threading.Lock()


class PythonEvalType:
    """PySpark's evaluation types of Python functions."""

    NON_UDF = 0
    SQL_BATCHED_UDF = 100
    SQL_ARROW_BATCHED_UDF = 101
    SQL_SCALAR_PANDAS_UDF = 200
    SQL_GROUPED_MAP_PANDAS_UDF = 201
    SQL_GROUPED_AGG_PANDAS_UDF = 202
    SQL_WINDOW_AGG_PANDAS_UDF = 203
    SQL_SCALAR_PANDAS_ITER_UDF = 204
    SQL_MAP_PANDAS_ITER_UDF = 205


class PandasUDFType:
    """The ``functionType`` of ``pandas_udf`` (PySpark's, deprecated there for type hints)."""

    SCALAR = PythonEvalType.SQL_SCALAR_PANDAS_UDF
    SCALAR_ITER = PythonEvalType.SQL_SCALAR_PANDAS_ITER_UDF
    GROUPED_MAP = PythonEvalType.SQL_GROUPED_MAP_PANDAS_UDF
    GROUPED_AGG = PythonEvalType.SQL_GROUPED_AGG_PANDAS_UDF


_PANDAS_TYPES = {PandasUDFType.SCALAR, PandasUDFType.SCALAR_ITER, PandasUDFType.GROUPED_MAP,
                 PandasUDFType.GROUPED_AGG}


class PythonException(_PythonException):
    """A UDF failed: PySpark's captured ``PythonException`` (condition ``PYTHON_EXCEPTION``),
    whose text is the worker's description without the ``[PYTHON_EXCEPTION]`` prefix."""

    def __str__(self) -> str:
        return self._message


def _return_type(returnType: Any) -> T.DataType:
    if isinstance(returnType, str):
        return T._parse_datatype_string(returnType)
    if isinstance(returnType, T.DataType):
        return returnType
    raise pyspark_error(PySparkTypeError, "NOT_DATATYPE_OR_STR", {
        "arg_name": "returnType", "arg_type": type(returnType).__name__})


def _user_traceback(exc: BaseException) -> str:
    """``Traceback ...`` of the user's frames (and the libraries they called), without
    sparklet's own."""
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
    desc = "An exception was thrown from the Python worker:\n" + text
    return PythonException(message=desc, remote_traceback=text, errorClass="PYTHON_EXCEPTION",
                           messageParameters={"msg": desc})


# -- arguments: Arrow → PySpark's Python values ------------------------------------------------

def _from_arrow(array: Any) -> list[Any]:
    """An Arrow array as PySpark's Python values."""
    from sparklet.sql.conversion import _value_converter
    from sparklet.sql.typemap import from_arrow_type

    dt = from_arrow_type(array.type)
    values = array.to_pylist()
    if _has_map(dt):
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


def _to_series(array: Any, time_zone: str) -> Any:
    """An Arrow argument as the pandas Series a pandas UDF gets (timestamps naive in the
    session time zone, as PySpark's)."""
    import pyarrow as pa

    series = array.to_pandas()
    if pa.types.is_timestamp(array.type) and array.type.tz is not None:
        series = series.dt.tz_convert(time_zone).dt.tz_localize(None)
    return series


# -- results: Python values → Arrow -----------------------------------------------------------

def _arrow_result(dt: T.DataType) -> Any:
    """PySpark's coercion of a returned Python value before it becomes Arrow (Arrow UDFs)."""
    if isinstance(dt, T.StringType):
        return lambda v: v if v is None or isinstance(v, str) else (
            ("true" if v else "false") if isinstance(v, bool) else str(v))
    if isinstance(dt, T.IntegralType):
        return lambda v: int(v) if isinstance(v, float) else v
    if isinstance(dt, (T.DoubleType, T.FloatType)):
        return lambda v: float(v) if isinstance(v, int) and not isinstance(v, bool) else v
    if isinstance(dt, T.StructType):
        return lambda v: v.asDict() if isinstance(v, T.Row) and hasattr(v, "__fields__") else v
    if isinstance(dt, T.BinaryType):
        return lambda v: v.encode() if isinstance(v, str) else v  # pyarrow takes str as UTF-8
    return None


_WIDTH = {T.ByteType: 8, T.ShortType: 16, T.IntegerType: 32, T.LongType: 64}


def _wrap(v: int, bits: int) -> int:
    """``v`` narrowed as the JVM's ``Long.toInt`` / ``toShort`` / ``toByte`` (two's
    complement)."""
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >= 1 << (bits - 1) else v


def _pickled_result(dt: T.DataType) -> Any:
    """A returned value as the JVM's ``EvaluatePython.makeFromJava`` takes it from a pickled
    (non-Arrow) UDF: another type than the declared one is NULL."""
    import datetime
    import decimal

    from sparklet.sql.conversion import _java_string

    if isinstance(dt, T.BooleanType):
        return lambda v: v if type(v) is bool else None
    if type(dt) in _WIDTH:
        bits = _WIDTH[type(dt)]
        return lambda v: _wrap(v, bits) if type(v) is int and -(2**63) <= v < 2**63 else None
    if isinstance(dt, (T.FloatType, T.DoubleType)):
        return lambda v: v if type(v) is float else None
    if isinstance(dt, T.DecimalType):
        return lambda v: v if isinstance(v, decimal.Decimal) else None
    if isinstance(dt, T.StringType):
        return lambda v: v if v is None or isinstance(v, str) else _java_string(v)
    if isinstance(dt, T.BinaryType):
        return lambda v: bytes(v) if isinstance(v, (bytes, bytearray)) else (
            v.encode() if isinstance(v, str) else None)
    if isinstance(dt, (T.DateType, T.TimestampType, T.TimestampNTZType)):
        # the worker's toInternal runs first: another type fails there, as in PySpark
        date = isinstance(dt, T.DateType)
        kind, attr = (datetime.date, "toordinal") if date else (datetime.datetime, "tzinfo")

        def temporal(v: Any) -> Any:
            if not isinstance(v, kind):
                raise AttributeError(f"'{type(v).__name__}' object has no attribute '{attr}'")
            return v
        return temporal
    if isinstance(dt, T.ArrayType):
        inner = _pickled_result(dt.elementType)
        return lambda v: [None if x is None else inner(x) for x in v] if isinstance(
            v, (list, tuple)) else None
    if isinstance(dt, T.MapType):
        kc, vc = _pickled_result(dt.keyType), _pickled_result(dt.valueType)
        return lambda v: {kc(k): None if x is None else vc(x) for k, x in v.items()} if \
            isinstance(v, dict) else None
    if isinstance(dt, T.StructType):
        fields = [(f.name, _pickled_result(f.dataType)) for f in dt.fields]

        def struct(v: Any) -> Any:
            if isinstance(v, dict):
                values = [v.get(n) for n, _ in fields]
            elif isinstance(v, (tuple, list)):
                values = list(v)
            else:
                return None
            return {n: None if x is None else c(x) for (n, c), x in zip(fields, values,
                                                                       strict=False)}
        return struct
    return lambda v: v


def _to_arrow(values: list[Any], dt: T.DataType, pickled: bool = False) -> Any:
    import pyarrow as pa

    from sparklet.sql.conversion import _to_arrow_value
    from sparklet.sql.typemap import to_arrow_type

    coerce = _pickled_result(dt) if pickled else _arrow_result(dt)
    if coerce is not None:
        values = [None if v is None else coerce(v) for v in values]
    convert = _to_arrow_value(dt)
    if convert is not None:
        values = [None if v is None else convert(v) for v in values]
    target = to_arrow_type(dt)
    if not pickled and isinstance(dt, (T.IntegralType, T.FractionalType, T.BooleanType)) \
            and not isinstance(dt, T.DecimalType):
        # Arrow infers the values' own type, then casts safely: "str" or 2**40 for an int fail
        return pa.array(values).cast(target) if values else pa.array([], target)
    return pa.array(values, type=target)


def _pandas_to_arrow(result: Any, dt: T.DataType) -> Any:
    """A pandas UDF's result (a Series, or a DataFrame for a struct type) as Arrow."""
    import pyarrow as pa

    from sparklet.sql.typemap import to_arrow_type

    target = to_arrow_type(dt)
    if isinstance(dt, T.StructType):
        table = pa.Table.from_pandas(result, preserve_index=False)
        return table.to_struct_array().combine_chunks().cast(target) if hasattr(
            table, "to_struct_array") else pa.StructArray.from_arrays(
            [c.combine_chunks() for c in table.columns], names=table.column_names).cast(target)
    return pa.Array.from_pandas(result).cast(target)


def _length(x: Any) -> int:
    return len(x)


# -- the UDF object -----------------------------------------------------------------------

class UserDefinedFunction:
    """A Python function usable as a Column expression (what ``udf`` returns)."""

    def __init__(self, func: Any, returnType: Any = None, name: str | None = None,
                 evalType: int = PythonEvalType.SQL_BATCHED_UDF, deterministic: bool = True,
                 useArrow: bool | None = None):
        if not callable(func):
            raise pyspark_error(PySparkTypeError, "NOT_CALLABLE", {
                "arg_name": "func", "arg_type": type(func).__name__})
        self.func = func
        self._returnType = _return_type(T.StringType() if returnType is None else returnType)
        self._name = name or getattr(func, "__name__", type(func).__name__)
        self.evalType = evalType
        self.deterministic = deterministic
        self.useArrow = useArrow
        self._sql_name = f"__sparklet_udf_{next(_ids)}"
        if hasattr(func, "__name__"):
            functools.update_wrapper(self, func, updated=())

    @property
    def returnType(self) -> T.DataType:
        return self._returnType

    def asNondeterministic(self) -> UserDefinedFunction:
        """The same UDF, marked non-deterministic (DuckDB then calls it for every row)."""
        self.deterministic = False
        self._sql_name = f"__sparklet_udf_{next(_ids)}"
        return self

    def _arrow_enabled(self, session: Any) -> bool:
        if self.useArrow is not None:
            return bool(self.useArrow)
        value = session.conf.get("spark.sql.execution.pythonUDF.arrow.enabled", "true")
        return str(value).strip().lower() == "true"

    def _scalar(self, session: Any) -> Any:
        """A function of no arguments, as DuckDB calls it: once per row (an Arrow function
        would not learn the batch's length), its result converted as an Arrow batch's."""
        func, dt = self.func, self.returnType
        pickled = self.evalType == PythonEvalType.SQL_BATCHED_UDF and \
            not self._arrow_enabled(session)

        def run() -> Any:
            try:
                return _to_arrow([func()], dt, pickled).to_pylist()[0]
            except Exception as exc:  # noqa: BLE001 - it becomes the query's PythonException
                raise _fail(_user_traceback(exc)) from None
        return run

    def _vectorised(self, nargs: int, session: Any) -> Any:
        """The Arrow function DuckDB calls, with exactly ``nargs`` (> 0) parameters."""
        func, dt, kind = self.func, self.returnType, self.evalType
        pickled = kind == PythonEvalType.SQL_BATCHED_UDF and not self._arrow_enabled(session)
        import weakref

        session_ref = weakref.ref(session)  # the time zone is read per call: it may change

        def time_zone() -> str:
            live = session_ref()
            return "UTC" if live is None else live._time_zone

        def run(*arrays: Any) -> Any:
            try:
                n = len(arrays[0])
                if kind == PandasUDFType.SCALAR_ITER:
                    series = [_to_series(a, time_zone()) for a in arrays]
                    batch = series[0] if len(series) == 1 else tuple(series)
                    parts = list(func(iter([batch])))
                    import pandas as pd

                    result = pd.concat(parts, ignore_index=True) if parts else pd.Series([])
                    if _length(result) != n:
                        raise pyspark_error(
                            PySparkRuntimeError,
                            "RESULT_LENGTH_MISMATCH_FOR_SCALAR_ITER_PANDAS_UDF",
                            {"output_length": str(_length(result)), "input_length": str(n)})
                    return _pandas_to_arrow(result, dt)
                if kind in _PANDAS_TYPES:
                    result = func(*[_to_series(a, time_zone()) for a in arrays])
                    if not hasattr(result, "__len__"):
                        raise pyspark_error(PySparkTypeError, "UDF_RETURN_TYPE", {
                            "expected": "pandas.Series", "actual": type(result).__name__})
                    if _length(result) != n:
                        raise pyspark_error(PySparkRuntimeError,
                                            "SCHEMA_MISMATCH_FOR_PANDAS_UDF", {
                                                "udf_type": "pandas_udf",
                                                "expected": str(n),
                                                "actual": str(_length(result))})
                    return _pandas_to_arrow(result, dt)
                columns = [_from_arrow(a) for a in arrays]
                results = [func(*row) for row in zip(*columns, strict=True)]
                return _to_arrow(results, dt, pickled)
            except Exception as exc:  # noqa: BLE001 - it becomes the query's PythonException
                raise _fail(_user_traceback(exc)) from None

        run.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
            inspect.Parameter(f"a{i}", inspect.Parameter.POSITIONAL_ONLY) for i in range(nargs)])
        return run

    def _create(self, session: Any, name: str, nargs: int) -> None:
        from sparklet.sql.typemap import to_duckdb_type

        with session._lock:
            try:
                session._con.remove_function(name)
            except Exception:  # noqa: BLE001 - not registered yet
                pass
            if nargs == 0 and self.evalType not in _PANDAS_TYPES:
                session._con.create_function(
                    name, self._scalar(session), [], to_duckdb_type(self.returnType),
                    type="native", null_handling="special",
                    side_effects=not self.deterministic)
                return
            session._con.create_function(
                name, self._vectorised(nargs, session), None, to_duckdb_type(self.returnType),
                type="arrow", null_handling="special", side_effects=not self.deterministic)

    def _register(self, session: Any, nargs: int) -> str:
        name = f"{self._sql_name}_{nargs}"
        # kept on the session (an id() may come back for a later session)
        made = session.__dict__.setdefault("_udf_functions", set())
        if name not in made:
            self._create(session, name, nargs)
            made.add(name)
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


def udf(f: Any = None, returnType: Any = None, *, useArrow: bool | None = None) -> Any:
    """A Python UDF (the default return type is ``string``); also a decorator
    (``@udf``, ``@udf("int")``, ``@udf(returnType=...)``)."""
    if f is None or isinstance(f, (str, T.DataType)):
        rt = returnType if f is None else f
        return lambda func: UserDefinedFunction(func, rt, useArrow=useArrow,
                                                evalType=_batched(useArrow))
    return UserDefinedFunction(f, returnType, useArrow=useArrow, evalType=_batched(useArrow))


def _batched(useArrow: bool | None) -> int:
    return PythonEvalType.SQL_ARROW_BATCHED_UDF if useArrow else PythonEvalType.SQL_BATCHED_UDF


def _eval_type_from_hints(func: Any) -> int | None:
    """PySpark's reading of a pandas UDF's type hints: Series → Series is scalar,
    Iterator[Series] → Iterator[Series] scalar iterator, Series → a scalar grouped-agg."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    ret = sig.return_annotation
    params = [p.annotation for p in sig.parameters.values()]
    if ret is inspect.Signature.empty:
        return None
    text = str(ret)
    if "Iterator" in text:
        return PandasUDFType.SCALAR_ITER
    if "Series" in text or "DataFrame" in text:
        return PandasUDFType.SCALAR
    if params and all("Series" in str(p) or "DataFrame" in str(p) for p in params):
        return PandasUDFType.GROUPED_AGG
    return PandasUDFType.GROUPED_AGG


def pandas_udf(f: Any = None, returnType: Any = None, functionType: int | None = None) -> Any:
    """A vectorised UDF over pandas Series: Series → Series (scalar), Iterator[Series] →
    Iterator[Series] (scalar iterator), Series → scalar (a grouped aggregate, used in
    ``groupBy().agg``); the kind is read from the type hints, or ``functionType``."""
    if functionType is not None and functionType not in _PANDAS_TYPES:
        raise pyspark_error(PySparkTypeError, "INVALID_PANDAS_UDF_TYPE", {
            "arg_name": "functionType", "arg_type": str(functionType)})

    def make(func: Any, rt: Any) -> UserDefinedFunction:
        eval_type = functionType or _eval_type_from_hints(func) or PandasUDFType.SCALAR
        return UserDefinedFunction(func, rt, evalType=eval_type)

    if isinstance(f, int) and not isinstance(f, bool) and returnType is None:
        raise pyspark_error(PySparkTypeError, "NOT_DATATYPE_OR_STR", {
            "arg_name": "returnType", "arg_type": type(f).__name__})
    if f is None or isinstance(f, (str, T.DataType)):
        rt = returnType if f is None else f
        if isinstance(returnType, int) and f is not None:  # pandas_udf("long", SCALAR)
            functionType = returnType
            rt = f
        return lambda func: make(func, rt)
    return make(f, returnType)


class UDFRegistration:
    """``spark.udf``: Python functions callable from SQL by name."""

    def __init__(self, session: Any):
        self._session = session

    def register(self, name: str, f: Any, returnType: Any = None) -> UserDefinedFunction:
        """Register ``f`` (a function, default type ``string``, or a UDF keeping its own
        type) as the SQL function ``name``; returns the UDF."""
        if isinstance(f, UserDefinedFunction):
            if returnType is not None:
                raise pyspark_error(PySparkTypeError, "CANNOT_SPECIFY_RETURN_TYPE_FOR_UDF", {
                    "arg_name": "f", "return_type": str(returnType)})
            fn = UserDefinedFunction(f.func, f.returnType, name=name, evalType=f.evalType,
                                     deterministic=f.deterministic, useArrow=f.useArrow)
        else:
            fn = UserDefinedFunction(f, returnType, name=name)
        try:
            params = [p for p in inspect.signature(fn.func).parameters.values()
                      if p.default is inspect.Parameter.empty and p.kind in
                      (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            nargs = len(params)
        except (TypeError, ValueError):
            nargs = 1
        fn._create(self._session, name, nargs)
        self._session.__dict__.setdefault("_udfs", {})[name.lower()] = fn
        return fn

    def registerJavaFunction(self, *args: Any, **kwargs: Any) -> None:
        raise pyspark_error(PySparkTypeError, "UNSUPPORTED_OPERATION", {
            "operation": "registerJavaFunction (no JVM in sparklet)"})


# -- pandas over groups and batches ----------------------------------------------------------

def _schema(schema: Any) -> T.StructType:
    dt = _return_type(schema)
    if not isinstance(dt, T.StructType):
        raise pyspark_error(PySparkTypeError, "NOT_STRUCT", {
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
    pdf = df.toPandas()
    # the batches PySpark's Arrow stream gives: spark.sql.execution.arrow.maxRecordsPerBatch
    size = int(df._session.conf.get("spark.sql.execution.arrow.maxRecordsPerBatch", "10000"))
    size = size if size > 0 else max(len(pdf), 1)
    batches = (pdf.iloc[i:i + size].reset_index(drop=True) for i in range(0, len(pdf), size))
    parts = list(func(batches))
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
