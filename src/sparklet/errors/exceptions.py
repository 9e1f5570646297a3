"""PySpark's exception classes, name for name and base for base (``pyspark.errors``)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pickle import PicklingError
from typing import Any

from sparklet.errors.conditions import get_error_message, get_sqlstate, is_jvm_condition
from sparklet.errors.context import QueryContext
from sparklet.errors.core import SparkException

__all__ = [
    "PySparkException", "AnalysisException", "SessionNotSameException",
    "TempTableAlreadyExistsException", "ParseException", "IllegalArgumentException",
    "ArithmeticException", "UnsupportedOperationException", "ArrayIndexOutOfBoundsException",
    "DateTimeException", "NumberFormatException", "StreamingQueryException",
    "QueryExecutionException", "PythonException", "UnknownException", "SparkRuntimeException",
    "SparkUpgradeException", "SparkNoSuchElementException", "PySparkTypeError",
    "PySparkValueError", "PySparkImportError", "PySparkIndexError", "PySparkAttributeError",
    "PySparkRuntimeError", "PySparkAssertionError", "PySparkNotImplementedError",
    "PySparkPicklingError", "PySparkKeyError", "StreamingPythonRunnerInitializationException",
    "PickleException", "exception_for", "exception_class_for",
]


class PySparkException(Exception):
    """Base Exception for handling errors generated from PySpark.

    Built from an error condition and its parameters, the message is Spark's template for
    that condition; a condition Spark raises from the JVM also shows its SQLSTATE, as the
    exceptions PySpark brings back from the JVM do.

    Parameters
    ----------
    message : str, optional
        The message, when not built from ``errorClass``.
    errorClass : str, optional
        The error condition, ``MAIN`` or ``MAIN.SUB``.
    messageParameters : dict, optional
        The values of the condition's ``<name>`` placeholders.
    contexts : list of :class:`QueryContext`, optional
        Where in the query the error happened.

    Examples
    --------
    >>> e = PySparkException(errorClass="CANNOT_MERGE_TYPE",
    ...     messageParameters={"data_type1": "LongType()", "data_type2": "StringType()"})
    >>> str(e)
    '[CANNOT_MERGE_TYPE] Can not merge type `LongType()` and `StringType()`.'
    >>> e.getCondition(), e.getSqlState()
    ('CANNOT_MERGE_TYPE', '42K09')
    >>> e.getMessageParameters()
    {'data_type1': 'LongType()', 'data_type2': 'StringType()'}
    >>> str(ArithmeticException(errorClass="REMAINDER_BY_ZERO",
    ...     messageParameters={"config": '"spark.sql.ansi.enabled"'}))  # doctest: +ELLIPSIS
    '[REMAINDER_BY_ZERO] Remainder by zero. Use `try_mod` ... this error. SQLSTATE: 22012'
    """

    def __init__(
        self,
        message: str | None = None,
        errorClass: str | None = None,
        messageParameters: dict[str, str] | None = None,
        contexts: list[QueryContext] | None = None,
    ):
        if message is None:
            if errorClass is None:
                raise ValueError("a PySparkException needs a message or an errorClass")
            errorClass, messageParameters = _expected_type(errorClass, messageParameters)
            message = get_error_message(errorClass, messageParameters or {})
        super().__init__(message)
        self._message = message
        self._errorClass = errorClass
        self._messageParameters = messageParameters
        self._contexts = [] if contexts is None else list(contexts)

    def getCondition(self) -> str | None:
        """Returns an error condition."""
        return self._errorClass

    def getErrorClass(self) -> str | None:
        """Returns an error class as a string (deprecated: use :meth:`getCondition`)."""
        warnings.warn("Deprecated in 4.0.0, use getCondition instead.", FutureWarning,
                      stacklevel=2)
        return self.getCondition()

    def getMessageParameters(self) -> dict[str, str] | None:
        """Returns a message parameters as a dictionary."""
        return self._messageParameters

    def getSqlState(self) -> str | None:
        """Returns an SQLSTATE as a string; None when the condition has none."""
        return get_sqlstate(self._errorClass)

    def getMessage(self) -> str:
        """Returns full error message: ``[CONDITION] message`` (and ``SQLSTATE: ...``)."""
        text = f"[{self.getCondition()}] {self._message}"
        state = self.getSqlState()
        if state is not None and is_jvm_condition(self._errorClass) and \
                "SQLSTATE: " not in self._message:  # a message given whole may carry it
            text += f" SQLSTATE: {state}"
        return text

    def getQueryContext(self) -> list[QueryContext]:
        """Returns the list of :class:`QueryContext`."""
        return self._contexts

    def getBreakingChangeInfo(self) -> dict[str, Any] | None:
        """Returns the breaking change info for an error, or None (sparklet keeps none)."""
        return None

    def _context_block(self) -> str:
        if not self._contexts or not is_jvm_condition(self._errorClass):
            return ""
        return "\n" + self._contexts[0].summary()

    def __str__(self) -> str:
        if self.getCondition() is None:
            return self._message
        return self.getMessage() + self._context_block()

    def __reduce__(self):
        return (_rebuild, (type(self), self.__dict__.copy()))


_TYPE_WORDS = {"COLUMN": "Column", "STR": "str", "INT": "int", "FLOAT": "float",
               "LIST": "list", "TUPLE": "tuple", "DICT": "dict", "BOOL": "bool",
               "DATATYPE": "DataType", "STRUCT": "StructType", "CALLABLE": "callable",
               "RDD": "RDD", "OF": "of"}


def _expected_type(errorClass: str, params: dict[str, str] | None
                   ) -> tuple[str, dict[str, str] | None]:
    """PySpark 3's ``NOT_<TYPE>[_OR_<TYPE>...]`` conditions are PySpark 4's
    ``NOT_EXPECTED_TYPE`` with the types spelt out (``NOT_COLUMN_OR_STR`` → ``Column or
    str``)."""
    from sparklet.errors.error_conditions import ERROR_CONDITIONS

    if not errorClass.startswith("NOT_") or errorClass in ERROR_CONDITIONS:
        return errorClass, params
    words = errorClass[4:].split("_")
    if not all(w in _TYPE_WORDS or w == "OR" for w in words):
        return errorClass, params
    expected = " ".join("or" if w == "OR" else _TYPE_WORDS[w] for w in words)
    params = dict(params or {})
    return "NOT_EXPECTED_TYPE", {"arg_name": params.get("arg_name", ""),
                                 "expected_type": expected,
                                 "arg_type": params.get("arg_type", "")}


def _rebuild(cls: type, state: dict) -> PySparkException:
    # Subclasses have their own constructors; set the state back without calling them.
    exc = cls.__new__(cls)
    Exception.__init__(exc, state.get("_message"))
    exc.__dict__.update(state)
    return exc


class AnalysisException(PySparkException):
    """Failed to analyze a SQL query plan.

    ``line`` and ``startPosition`` (sparklet's, as Spark's JVM exception has them) place the
    error in a SQL text; Spark appends them to the message.

    Examples
    --------
    >>> print(AnalysisException(errorClass="UNRESOLVED_ROUTINE", messageParameters={
    ...     "routineName": "`no_such_fn`",
    ...     "searchPath": "[`system`.`builtin`, `system`.`session`, `spark_catalog`.`default`]"},
    ...     line=1, startPosition=7))  # doctest: +NORMALIZE_WHITESPACE
    [UNRESOLVED_ROUTINE] Cannot resolve routine `no_such_fn` on search path
    [`system`.`builtin`, `system`.`session`, `spark_catalog`.`default`].
    SQLSTATE: 42883; line 1 pos 7
    """

    def __init__(
        self,
        message: str | None = None,
        errorClass: str | None = None,
        messageParameters: dict[str, str] | None = None,
        contexts: list[QueryContext] | None = None,
        *,
        line: int | None = None,
        startPosition: int | None = None,
    ):
        super().__init__(message, errorClass, messageParameters, contexts)
        self.line = line
        self.startPosition = startPosition

    def __str__(self) -> str:
        text = super().__str__()
        if self.line is None and self.startPosition is None:
            return text
        where = "" if self.line is None else f" line {self.line}"
        where += "" if self.startPosition is None else f" pos {self.startPosition}"
        return f"{text};{where}"


class SessionNotSameException(PySparkException):
    """Performed the same operation on different SparkSession."""


class TempTableAlreadyExistsException(AnalysisException):
    """Failed to create temp view since it is already exists."""


class ParseException(AnalysisException):
    """Failed to parse a SQL command.

    With ``command`` (the SQL text) and the position of the error (``line`` from 1,
    ``startPosition`` from 0), the message shows the text with a marker under the error.

    Examples
    --------
    >>> print(ParseException(errorClass="PARSE_SYNTAX_ERROR",
    ...     messageParameters={"error": "'SELEC'", "hint": ""},
    ...     command="SELEC 1", line=1, startPosition=0))
    <BLANKLINE>
    [PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'. SQLSTATE: 42601 (line 1, pos 0)
    <BLANKLINE>
    == SQL ==
    SELEC 1
    ^^^
    <BLANKLINE>
    """

    def __init__(
        self,
        message: str | None = None,
        errorClass: str | None = None,
        messageParameters: dict[str, str] | None = None,
        contexts: list[QueryContext] | None = None,
        *,
        command: str | None = None,
        line: int | None = None,
        startPosition: int | None = None,
    ):
        super().__init__(message, errorClass, messageParameters, contexts,
                         line=line, startPosition=startPosition)
        self.command = command

    def __str__(self) -> str:
        text = "\n" + PySparkException.__str__(self)
        if self.line is not None and self.startPosition is not None:
            text += f" (line {self.line}, pos {self.startPosition})\n"
            if self.command is not None:
                lines = self.command.split("\n")
                above, below = lines[:self.line], lines[self.line:]
                text += "\n== SQL ==\n" + "".join(f"{s}\n" for s in above)
                text += "-" * self.startPosition + "^^^\n" + "".join(f"{s}\n" for s in below)
        elif self.command is not None:
            text += "\n== SQL ==\n" + self.command
        return text


class IllegalArgumentException(PySparkException):
    """Passed an illegal or inappropriate argument."""


class ArithmeticException(PySparkException):
    """Arithmetic exception thrown from Spark with an error class."""


class UnsupportedOperationException(PySparkException):
    """Unsupported operation exception thrown from Spark with an error class."""


class ArrayIndexOutOfBoundsException(PySparkException):
    """Array index out of bounds exception thrown from Spark with an error class."""


class DateTimeException(PySparkException):
    """Datetime exception thrown from Spark with an error class."""


class NumberFormatException(IllegalArgumentException):
    """Number format exception thrown from Spark with an error class."""


class StreamingQueryException(PySparkException):
    """Exception that stopped a :class:`StreamingQuery`."""


class StreamingPythonRunnerInitializationException(PySparkException):
    """Failed to initialize a streaming Python runner."""


class QueryExecutionException(PySparkException):
    """Failed to execute a query."""


class PythonException(PySparkException, SparkException):
    """Exceptions thrown from Python workers: user code raised inside a task.

    The message carries the task's own traceback (``remote_traceback``). The original
    exception, when it could be brought back to the driver, is chained as ``__cause__`` so
    ``except ZeroDivisionError`` style handling can inspect it. It is also a sparklet
    :class:`SparkException`, as every job failure is.

    >>> str(PythonException("ZeroDivisionError: division by zero"))
    'ZeroDivisionError: division by zero'
    """

    def __init__(
        self,
        message: str | None = None,
        remote_traceback: str = "",
        errorClass: str | None = None,
        messageParameters: dict[str, str] | None = None,
        contexts: list[QueryContext] | None = None,
    ):
        super().__init__(message, errorClass, messageParameters, contexts)
        self.remote_traceback = remote_traceback


class SparkRuntimeException(PySparkException):
    """Runtime exception thrown from Spark with an error class."""


class SparkUpgradeException(PySparkException):
    """Exception thrown because of Spark upgrade."""


class SparkNoSuchElementException(PySparkException):
    """Exception thrown for `java.util.NoSuchElementException`."""


class UnknownException(PySparkException):
    """None of the other exceptions."""


class PySparkValueError(PySparkException, ValueError):
    """Wrapper class for ValueError to support error classes.

    >>> try:
    ...     raise PySparkValueError(errorClass="CANNOT_INFER_EMPTY_SCHEMA", messageParameters={})
    ... except ValueError as e:
    ...     print(e)
    [CANNOT_INFER_EMPTY_SCHEMA] Can not infer schema from an empty dataset.
    """


class PySparkTypeError(PySparkException, TypeError):
    """Wrapper class for TypeError to support error classes."""


class PySparkIndexError(PySparkException, IndexError):
    """Wrapper class for IndexError to support error classes."""


class PySparkAttributeError(PySparkException, AttributeError):
    """Wrapper class for AttributeError to support error classes."""


class PySparkRuntimeError(PySparkException, RuntimeError):
    """Wrapper class for RuntimeError to support error classes."""


class PySparkAssertionError(PySparkException, AssertionError):
    """Wrapper class for AssertionError to support error classes; ``data`` is the rows."""

    def __init__(
        self,
        message: str | None = None,
        errorClass: str | None = None,
        messageParameters: dict[str, str] | None = None,
        data: Iterable[Any] | None = None,
    ):
        super().__init__(message, errorClass, messageParameters)
        self.data = data


class PySparkNotImplementedError(PySparkException, NotImplementedError):
    """Wrapper class for NotImplementedError to support error classes."""


class PySparkPicklingError(PySparkException, PicklingError):
    """Wrapper class for pickle.PicklingError to support error classes."""


class PySparkKeyError(PySparkException, KeyError):
    """Wrapper class for KeyError to support error classes."""


class PySparkImportError(PySparkException, ImportError):
    """Wrapper class for ImportError to support error classes."""


class PickleException(PySparkException):
    """An object could not be pickled or unpickled on the engine's side."""


# The class PySpark 4.3 raises each condition with, as recorded (tests/sql_parity); a JVM
# condition not listed is an AnalysisException.
_CLASS_OF = {
    "ARITHMETIC_OVERFLOW": ArithmeticException,
    "BINARY_ARITHMETIC_OVERFLOW": ArithmeticException,
    "CAST_OVERFLOW": ArithmeticException,
    "DIVIDE_BY_ZERO": ArithmeticException,
    "NUMERIC_VALUE_OUT_OF_RANGE": ArithmeticException,
    "REMAINDER_BY_ZERO": ArithmeticException,
    "INVALID_ARRAY_INDEX": ArrayIndexOutOfBoundsException,
    "INVALID_ARRAY_INDEX_IN_ELEMENT_AT": ArrayIndexOutOfBoundsException,
    "CANNOT_PARSE_TIMESTAMP": DateTimeException,
    "DUPLICATED_MAP_KEY": SparkRuntimeException,
    "PARSE_SYNTAX_ERROR": ParseException,
    "UNSUPPORTED_DATATYPE": ParseException,
    # raised by PySpark itself
    "ATTRIBUTE_NOT_SUPPORTED": PySparkAttributeError,
    "CANNOT_CONVERT_COLUMN_INTO_BOOL": PySparkValueError,
    "CANNOT_DETERMINE_TYPE": PySparkValueError,
    "CANNOT_INFER_EMPTY_SCHEMA": PySparkValueError,
    "CANNOT_INFER_SCHEMA_FOR_TYPE": PySparkTypeError,
    "CANNOT_MERGE_TYPE": PySparkTypeError,
    "FIELD_DATA_TYPE_UNACCEPTABLE": PySparkTypeError,
    "FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME": PySparkTypeError,
    "FIELD_NOT_NULLABLE_WITH_NAME": PySparkValueError,
    "INVALID_TYPE": PySparkTypeError,
    "NOT_EXPECTED_TYPE": PySparkTypeError,
    "NOT_IMPLEMENTED": PySparkNotImplementedError,
    "NOT_ITERABLE": PySparkTypeError,
    "PYTHON_EXCEPTION": PythonException,
    "SQL_CONF_NOT_FOUND": SparkNoSuchElementException,
    "CANNOT_BE_EMPTY": PySparkValueError,
    "SLICE_WITH_STEP": PySparkValueError,
    "VALUE_NOT_POSITIVE": PySparkValueError,
    "UNSUPPORTED_LITERAL": PySparkTypeError,
    "CANNOT_APPLY_IN_FOR_COLUMN": PySparkValueError,
}

# CAST_INVALID_INPUT's class follows the target type.
_CAST_TARGET_CLASS = {
    '"DATE"': DateTimeException,
    '"TIMESTAMP"': DateTimeException,
    '"TIMESTAMP_NTZ"': DateTimeException,
    '"BOOLEAN"': SparkRuntimeException,
}


def exception_for(errorClass: str, messageParameters: dict[str, str],
                  **kwargs: Any) -> PySparkException:
    """The exception PySpark raises for ``errorClass``, of the class it raises it with.

    ``kwargs`` (``contexts``, and ``line``/``startPosition``/``command`` for analysis
    errors) go to the exception.

    >>> e = exception_for("CAST_INVALID_INPUT", {"expression": "'x'",
    ...     "sourceType": '"STRING"', "targetType": '"DATE"'})
    >>> type(e).__name__, e.getSqlState()
    ('DateTimeException', '22018')
    >>> type(exception_for("DIVIDE_BY_ZERO", {"config": '"spark.sql.ansi.enabled"'})).__name__
    'ArithmeticException'
    """
    cls = exception_class_for(errorClass, messageParameters)
    return cls(errorClass=errorClass, messageParameters=messageParameters, **kwargs)


def exception_class_for(errorClass: str, messageParameters: dict[str, str]) -> type:
    """The class PySpark raises ``errorClass`` with (see :func:`exception_for`).

    >>> exception_class_for("CAST_INVALID_INPUT", {"targetType": '"INT"'}).__name__
    'NumberFormatException'
    """
    main = errorClass.split(".")[0]
    if main == "CAST_INVALID_INPUT":
        return _CAST_TARGET_CLASS.get(messageParameters.get("targetType", ""),
                                      NumberFormatException)
    return _CLASS_OF.get(main, AnalysisException)
