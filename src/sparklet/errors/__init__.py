"""Errors: PySpark's exception classes (``pyspark.errors``) and sparklet's job failures.

The classes, their bases and their methods are PySpark's; an exception built from an error
condition (``errorClass``) and its ``messageParameters`` has Spark's message for it, with
the SQLSTATE when Spark raises that condition from its engine.

>>> from sparklet.errors import AnalysisException
>>> e = AnalysisException(errorClass="TEMP_TABLE_OR_VIEW_ALREADY_EXISTS",
...                       messageParameters={"relationName": "`v`"})
>>> print(e)
[TEMP_TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create the temporary view `v` because it already exists.
Choose a different name, drop or replace the existing view. SQLSTATE: 42P07
>>> e.getSqlState()
'42P07'
"""

from sparklet.errors.context import (
    DataFrameQueryContext,
    QueryContext,
    QueryContextType,
    SQLQueryContext,
)
from sparklet.errors.core import (  # noqa: F401 - FetchFailedError: the scheduler's own
    FetchFailedError,
    SparkContextStoppedError,
    SparkException,
)
from sparklet.errors.exceptions import (
    AnalysisException,
    ArithmeticException,
    ArrayIndexOutOfBoundsException,
    DateTimeException,
    IllegalArgumentException,
    NumberFormatException,
    ParseException,
    PickleException,
    PySparkAssertionError,
    PySparkAttributeError,
    PySparkException,
    PySparkImportError,
    PySparkIndexError,
    PySparkKeyError,
    PySparkNotImplementedError,
    PySparkPicklingError,
    PySparkRuntimeError,
    PySparkTypeError,
    PySparkValueError,
    PythonException,
    QueryExecutionException,
    SessionNotSameException,
    SparkNoSuchElementException,
    SparkRuntimeException,
    SparkUpgradeException,
    StreamingPythonRunnerInitializationException,
    StreamingQueryException,
    TempTableAlreadyExistsException,
    UnknownException,
    UnsupportedOperationException,
    exception_class_for,
    exception_for,
)
from sparklet.errors.suggestions import order_suggestions, unresolved_column

__all__ = [
    # pyspark.errors, in its order
    "PySparkException",
    "AnalysisException",
    "SessionNotSameException",
    "TempTableAlreadyExistsException",
    "ParseException",
    "IllegalArgumentException",
    "ArithmeticException",
    "UnsupportedOperationException",
    "ArrayIndexOutOfBoundsException",
    "DateTimeException",
    "NumberFormatException",
    "StreamingQueryException",
    "QueryExecutionException",
    "PythonException",
    "UnknownException",
    "SparkRuntimeException",
    "SparkUpgradeException",
    "SparkNoSuchElementException",
    "PySparkTypeError",
    "PySparkValueError",
    "PySparkImportError",
    "PySparkIndexError",
    "PySparkAttributeError",
    "PySparkRuntimeError",
    "PySparkAssertionError",
    "PySparkNotImplementedError",
    "PySparkPicklingError",
    "PySparkKeyError",
    "QueryContext",
    "QueryContextType",
    "StreamingPythonRunnerInitializationException",
    "PickleException",
    # sparklet's
    "SparkException",
    "SparkContextStoppedError",
    "SQLQueryContext",
    "DataFrameQueryContext",
    "exception_for",
    "exception_class_for",
    "order_suggestions",
    "unresolved_column",
]
