"""Math functions (``abs``, ``round``, ``pmod``, ...).

Most are thin wrappers: each builds the node Spark SQL text ``name(args)`` parses into
(:func:`sparklet.sql.functions._base._invoke`), with PySpark's conventions for its
arguments (column-or-name, or literal).

>>> from sparklet.sql import functions as F
>>> F.round("v", 2), F.pmod("a", 3), F.log(2.0, "x")
(Column<'round(v, 2)'>, Column<'pmod(a, 3)'>, Column<'log(2.0, x)'>)
"""

from __future__ import annotations

from typing import Any  # noqa: F401 - PySpark's annotations

from sqlglot import expressions as E

from sparklet.sql.column import Column
from sparklet.sql.functions._base import _c, _cl, _cn, _cols, _invoke, _invoke_opt, _value_error  # noqa: F401

__all__ = [
    "sqrt",
    "try_add",
    "try_divide",
    "try_mod",
    "try_multiply",
    "try_subtract",
    "abs",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "cbrt",
    "ceil",
    "ceiling",
    "cos",
    "cosh",
    "cot",
    "csc",
    "e",
    "exp",
    "expm1",
    "floor",
    "log10",
    "log1p",
    "negative",
    "pi",
    "positive",
    "rint",
    "sec",
    "signum",
    "sign",
    "sin",
    "sinh",
    "tan",
    "tanh",
    "toDegrees",
    "toRadians",
    "bit_count",
    "bit_get",
    "getbit",
    "degrees",
    "radians",
    "atan2",
    "hypot",
    "pow",
    "pmod",
    "width_bucket",
    "isnan",
    "nanvl",
    "shiftLeft",
    "shiftleft",
    "shiftRight",
    "shiftright",
    "shiftRightUnsigned",
    "shiftrightunsigned",
    "ln",
    "log2",
    "conv",
    "factorial",
    "bin",
    "hex",
    "unhex",
    "uniform",
]


def sqrt(col) -> Column:
    """Spark SQL ``sqrt``."""
    return _invoke("sqrt", _c(col, "col"))


def try_add(left, right) -> Column:
    """Spark SQL ``try_add``."""
    return _invoke("try_add", _c(left, "left"), _c(right, "right"))


def try_divide(left, right) -> Column:
    """Spark SQL ``try_divide``."""
    return _invoke("try_divide", _c(left, "left"), _c(right, "right"))


def try_mod(left, right) -> Column:
    """Spark SQL ``try_mod``."""
    return _invoke("try_mod", _c(left, "left"), _c(right, "right"))


def try_multiply(left, right) -> Column:
    """Spark SQL ``try_multiply``."""
    return _invoke("try_multiply", _c(left, "left"), _c(right, "right"))


def try_subtract(left, right) -> Column:
    """Spark SQL ``try_subtract``."""
    return _invoke("try_subtract", _c(left, "left"), _c(right, "right"))


def abs(col) -> Column:
    """Spark SQL ``abs``."""
    return _invoke("abs", _c(col, "col"))


def acos(col) -> Column:
    """Spark SQL ``acos``."""
    return _invoke("acos", _c(col, "col"))


def acosh(col) -> Column:
    """Spark SQL ``acosh``."""
    return _invoke("acosh", _c(col, "col"))


def asin(col) -> Column:
    """Spark SQL ``asin``."""
    return _invoke("asin", _c(col, "col"))


def asinh(col) -> Column:
    """Spark SQL ``asinh``."""
    return _invoke("asinh", _c(col, "col"))


def atan(col) -> Column:
    """Spark SQL ``atan``."""
    return _invoke("atan", _c(col, "col"))


def atanh(col) -> Column:
    """Spark SQL ``atanh``."""
    return _invoke("atanh", _c(col, "col"))


def cbrt(col) -> Column:
    """Spark SQL ``cbrt``."""
    return _invoke("cbrt", _c(col, "col"))


def ceil(col, scale=None) -> Column:
    """Spark SQL ``ceil``."""
    return _invoke_opt("ceil", _c(col, "col"), _cl(scale))


def ceiling(col, scale=None) -> Column:
    """Spark SQL ``ceiling``."""
    return _invoke_opt("ceiling", _c(col, "col"), _cl(scale))


def cos(col) -> Column:
    """Spark SQL ``cos``."""
    return _invoke("cos", _c(col, "col"))


def cosh(col) -> Column:
    """Spark SQL ``cosh``."""
    return _invoke("cosh", _c(col, "col"))


def cot(col) -> Column:
    """Spark SQL ``cot``."""
    return _invoke("cot", _c(col, "col"))


def csc(col) -> Column:
    """Spark SQL ``csc``."""
    return _invoke("csc", _c(col, "col"))


def e() -> Column:
    """Spark SQL ``e``."""
    return _invoke("e")


def exp(col) -> Column:
    """Spark SQL ``exp``."""
    return _invoke("exp", _c(col, "col"))


def expm1(col) -> Column:
    """Spark SQL ``expm1``."""
    return _invoke("expm1", _c(col, "col"))


def floor(col, scale=None) -> Column:
    """Spark SQL ``floor``."""
    return _invoke_opt("floor", _c(col, "col"), _cl(scale))


def log10(col) -> Column:
    """Spark SQL ``log10``."""
    return _invoke("log10", _c(col, "col"))


def log1p(col) -> Column:
    """Spark SQL ``log1p``."""
    return _invoke("log1p", _c(col, "col"))


def negative(col) -> Column:
    """Spark SQL ``negative``."""
    return _invoke("negative", _c(col, "col"))


def pi() -> Column:
    """Spark SQL ``pi``."""
    return _invoke("pi")


def positive(col) -> Column:
    """Spark SQL ``positive``."""
    return _invoke("positive", _c(col, "col"))


def rint(col) -> Column:
    """Spark SQL ``rint``."""
    return _invoke("rint", _c(col, "col"))


def sec(col) -> Column:
    """Spark SQL ``sec``."""
    return _invoke("sec", _c(col, "col"))


def signum(col) -> Column:
    """Spark SQL ``signum``."""
    return _invoke("signum", _c(col, "col"))


def sign(col) -> Column:
    """Spark SQL ``sign``."""
    return _invoke("sign", _c(col, "col"))


def sin(col) -> Column:
    """Spark SQL ``sin``."""
    return _invoke("sin", _c(col, "col"))


def sinh(col) -> Column:
    """Spark SQL ``sinh``."""
    return _invoke("sinh", _c(col, "col"))


def tan(col) -> Column:
    """Spark SQL ``tan``."""
    return _invoke("tan", _c(col, "col"))


def tanh(col) -> Column:
    """Spark SQL ``tanh``."""
    return _invoke("tanh", _c(col, "col"))


def toDegrees(col) -> Column:
    """Spark SQL ``degrees``."""
    return _invoke("degrees", _c(col, "col"))


def toRadians(col) -> Column:
    """Spark SQL ``radians``."""
    return _invoke("radians", _c(col, "col"))


def bit_count(col) -> Column:
    """Spark SQL ``bit_count``."""
    return _invoke("bit_count", _c(col, "col"))


def bit_get(col, pos) -> Column:
    """Spark SQL ``bit_get``."""
    return _invoke("bit_get", _c(col, "col"), _c(pos, "pos"))


def getbit(col, pos) -> Column:
    """Spark SQL ``getbit``."""
    return _invoke("getbit", _c(col, "col"), _c(pos, "pos"))


def degrees(col) -> Column:
    """Spark SQL ``degrees``."""
    return _invoke("degrees", _c(col, "col"))


def radians(col) -> Column:
    """Spark SQL ``radians``."""
    return _invoke("radians", _c(col, "col"))


def atan2(col1, col2) -> Column:
    """Spark SQL ``atan2``."""
    return _invoke("atan2", _cn(col1), _cn(col2))


def hypot(col1, col2) -> Column:
    """Spark SQL ``hypot``."""
    return _invoke("hypot", _cn(col1), _cn(col2))


def pow(col1, col2) -> Column:
    """Spark SQL ``pow``."""
    return _invoke("pow", _cn(col1), _cn(col2))


def pmod(dividend, divisor) -> Column:
    """Spark SQL ``pmod``."""
    return _invoke("pmod", _cn(dividend), _cn(divisor))


def width_bucket(v, min, max, numBucket) -> Column:
    """Spark SQL ``width_bucket``."""
    return _invoke("width_bucket", _c(v, "v"), _c(min, "min"), _c(max, "max"), _cn(numBucket))


def isnan(col) -> Column:
    """Spark SQL ``isnan``."""
    return _invoke("isnan", _c(col, "col"))


def nanvl(col1, col2) -> Column:
    """Spark SQL ``nanvl``."""
    return _invoke("nanvl", _c(col1, "col1"), _c(col2, "col2"))


def shiftLeft(col, numBits) -> Column:
    """Spark SQL ``shiftleft``."""
    return _invoke("shiftleft", _c(col, "col"), _cl(numBits))


def shiftleft(col, numBits) -> Column:
    """Spark SQL ``shiftleft``."""
    return _invoke("shiftleft", _c(col, "col"), _cl(numBits))


def shiftRight(col, numBits) -> Column:
    """Spark SQL ``shiftright``."""
    return _invoke("shiftright", _c(col, "col"), _cl(numBits))


def shiftright(col, numBits) -> Column:
    """Spark SQL ``shiftright``."""
    return _invoke("shiftright", _c(col, "col"), _cl(numBits))


def shiftRightUnsigned(col, numBits) -> Column:
    """Spark SQL ``shiftrightunsigned``."""
    return _invoke("shiftrightunsigned", _c(col, "col"), _cl(numBits))


def shiftrightunsigned(col, numBits) -> Column:
    """Spark SQL ``shiftrightunsigned``."""
    return _invoke("shiftrightunsigned", _c(col, "col"), _cl(numBits))


def ln(col) -> Column:
    """Spark SQL ``ln``."""
    return _invoke("ln", _c(col, "col"))


def log2(col) -> Column:
    """Spark SQL ``log2``."""
    return _invoke("log2", _c(col, "col"))


def conv(col, fromBase, toBase) -> Column:
    """Spark SQL ``conv``."""
    return _invoke("conv", _c(col, "col"), _cl(fromBase), _cl(toBase))


def factorial(col) -> Column:
    """Spark SQL ``factorial``."""
    return _invoke("factorial", _c(col, "col"))


def bin(col) -> Column:
    """Spark SQL ``bin``."""
    return _invoke("bin", _c(col, "col"))


def hex(col) -> Column:
    """Spark SQL ``hex``."""
    return _invoke("hex", _c(col, "col"))


def unhex(col) -> Column:
    """Spark SQL ``unhex``."""
    return _invoke("unhex", _c(col, "col"))


def uniform(min, max, seed=None) -> Column:
    """Spark SQL ``uniform``."""
    return _invoke_opt("uniform", _cl(min), _cl(max), _cl(seed))


# -- hand-written ----------------------------------------------------------------------------


def round(col, scale=None) -> Column:
    """``col`` rounded to ``scale`` decimal places, half up (``round(col, 0)`` by default)."""
    return _invoke("round", _c(col, "col"), _cl(0 if scale is None else scale))


def bround(col, scale=None) -> Column:
    """``col`` rounded to ``scale`` decimal places, half to even."""
    return _invoke("bround", _c(col, "col"), _cl(0 if scale is None else scale))


def log(arg1, arg2=None) -> Column:
    """The natural logarithm of ``arg1``, or with ``arg2`` given the logarithm of ``arg2``
    in base ``arg1``."""
    if arg2 is None:
        return _invoke("ln", _c(arg1, "arg1"))
    return _invoke("log", _cn(arg1), _c(arg2, "arg2"))


def bitwise_not(col) -> Column:
    """The bitwise complement of ``col`` (named ``~col``)."""
    return Column(E.BitwiseNot(this=_c(col, "col")._expr))


bitwiseNOT = bitwise_not


def rand(seed=None) -> Column:
    """A random double in [0, 1) per row."""
    return _invoke("rand") if seed is None else _invoke("rand", _cl(seed))


def randn(seed=None) -> Column:
    """A standard normal random double per row."""
    return _invoke("randn") if seed is None else _invoke("randn", _cl(seed))


def greatest(*cols) -> Column:
    """The largest of the columns' values, NULLs skipped."""
    if len(cols) < 2:
        raise _value_error("WRONG_NUM_COLUMNS", func_name="greatest", num_cols="2")
    return _invoke("greatest", *_cols(cols))


def least(*cols) -> Column:
    """The smallest of the columns' values, NULLs skipped."""
    if len(cols) < 2:
        raise _value_error("WRONG_NUM_COLUMNS", func_name="least", num_cols="2")
    return _invoke("least", *_cols(cols))


__all__ += [
    "round",
    "bround",
    "log",
    "bitwise_not",
    "bitwiseNOT",
    "rand",
    "randn",
    "greatest",
    "least",
]
