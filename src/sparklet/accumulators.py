"""Accumulators: variables that tasks only add to, and the driver reads.

A task works on its own copy, starting from the zero value; the copy's total travels back
with the task's result and is merged on the driver once per successful task, so a retried
or failed attempt never counts twice.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from sparklet.taskcontext import TaskContext

__all__ = ["Accumulator", "AccumulatorParam", "AddingAccumulatorParam",
           "INT_ACCUMULATOR_PARAM", "FLOAT_ACCUMULATOR_PARAM", "COMPLEX_ACCUMULATOR_PARAM"]

T = TypeVar("T")

# PySpark's error text (its PySparkRuntimeError is a RuntimeError too).
_NOT_ACCESSIBLE = ("[VALUE_NOT_ACCESSIBLE] Value `Accumulator.value` cannot be accessed "
                   "inside tasks.")


class AccumulatorParam(Generic[T]):
    """How to add up values of a data type: subclass and define ``zero`` and ``addInPlace``.

    >>> class VectorParam(AccumulatorParam):
    ...     def zero(self, value):
    ...         return [0.0] * len(value)
    ...     def addInPlace(self, v1, v2):
    ...         return [a + b for a, b in zip(v1, v2)]
    >>> VectorParam().addInPlace([1.0, 2.0], [3.0, 4.0])
    [4.0, 6.0]
    """

    def zero(self, value: T) -> T:
        """The "zero value" for the type, compatible in dimensions with ``value``."""
        raise NotImplementedError

    def addInPlace(self, value1: T, value2: T) -> T:
        """Add two values; may modify and return ``value1`` for efficiency."""
        raise NotImplementedError


class AddingAccumulatorParam(AccumulatorParam[T]):
    """Adds with ``+=``, starting from a fixed zero."""

    def __init__(self, zero_value: T):
        self.zero_value = zero_value

    def zero(self, value: T) -> T:
        return self.zero_value

    def addInPlace(self, value1: T, value2: T) -> T:
        value1 += value2  # type: ignore[operator]
        return value1


INT_ACCUMULATOR_PARAM = AddingAccumulatorParam(0)
FLOAT_ACCUMULATOR_PARAM = AddingAccumulatorParam(0.0)
COMPLEX_ACCUMULATOR_PARAM = AddingAccumulatorParam(0.0j)


def _task_copy(aid: int, zero: Any, accum_param: AccumulatorParam) -> Accumulator:
    """Unpickling an accumulator inside a task gives the task's own zeroed copy."""
    acc = Accumulator(aid, zero, accum_param)
    acc._deserialized = True
    context = TaskContext.get()
    if context is not None:
        # The same accumulator captured twice in one task must add into one copy.
        acc = context._accumulators.setdefault(aid, acc)
    return acc


class Accumulator(Generic[T]):
    """A shared variable that tasks can only add to; only the driver can read its value.

    Create one with :meth:`SparkContext.accumulator`:

    >>> from sparklet import SparkContext
    >>> sc = SparkContext.getOrCreate()
    >>> acc = sc.accumulator(0)
    >>> sc.parallelize(range(10), 2).foreach(lambda x: acc.add(x))
    >>> acc.value
    45
    >>> acc += 5
    >>> acc
    Accumulator<id=..., value=50>
    """

    def __init__(self, aid: int, value: T, accum_param: AccumulatorParam[T]):
        self.aid = aid
        self.accum_param = accum_param
        self._value = value
        self._deserialized = False

    def __reduce__(self):
        zero = self.accum_param.zero(self._value)
        return (_task_copy, (self.aid, zero, self.accum_param))

    @property
    def value(self) -> T:
        """Current value; readable only on the driver."""
        if self._deserialized:
            raise RuntimeError(_NOT_ACCESSIBLE)
        return self._value

    @value.setter
    def value(self, value: T) -> None:
        if self._deserialized:
            raise RuntimeError(_NOT_ACCESSIBLE)
        self._value = value

    def add(self, term: T) -> None:
        """Add a term to this accumulator's value."""
        self._value = self.accum_param.addInPlace(self._value, term)

    def __iadd__(self, term: T) -> Accumulator[T]:
        self.add(term)
        return self

    def _merge(self, update: T) -> None:
        """Driver side: fold one successful task's total into the value."""
        self._value = self.accum_param.addInPlace(self._value, update)

    def __str__(self) -> str:
        return str(self._value)

    def __repr__(self) -> str:
        return "Accumulator<id=%i, value=%s>" % (self.aid, self._value)


def default_param(value: Any) -> AccumulatorParam:
    """The param PySpark picks for ints, floats and complex numbers."""
    if isinstance(value, int):
        return INT_ACCUMULATOR_PARAM
    if isinstance(value, float):
        return FLOAT_ACCUMULATOR_PARAM
    if isinstance(value, complex):
        return COMPLEX_ACCUMULATOR_PARAM
    raise TypeError("No default accumulator param for type %s" % type(value))


def task_updates(context: TaskContext) -> dict[int, Any]:
    """The totals a finished task sends back, by accumulator id."""
    return {aid: acc._value for aid, acc in context._accumulators.items()}

