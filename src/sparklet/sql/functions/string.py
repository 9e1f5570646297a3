"""String functions (``upper``, ``substring``, ``regexp_extract``, ...).

Most are thin wrappers: each builds the node Spark SQL text ``name(args)`` parses into
(:func:`sparklet.sql.functions._base._invoke`), with PySpark's conventions for its
arguments (column-or-name, or literal).

>>> from sparklet.sql import functions as F
>>> F.concat_ws("-", "a", "b"), F.upper("s")
(Column<'concat_ws(-, a, b)'>, Column<'upper(s)'>)
"""

from __future__ import annotations

from typing import Any  # noqa: F401 - PySpark's annotations

from sparklet.sql.column import Column
from sparklet.sql.functions._base import _c, _cl, _cn, _cols, _invoke, _invoke_opt, _type_error  # noqa: F401

__all__ = [
    "upper",
    "lower",
    "ascii",
    "base64",
    "unbase64",
    "ltrim",
    "rtrim",
    "trim",
    "decode",
    "encode",
    "is_valid_utf8",
    "make_valid_utf8",
    "validate_utf8",
    "try_validate_utf8",
    "format_number",
    "instr",
    "overlay",
    "sentences",
    "substring",
    "substring_index",
    "levenshtein",
    "jaro_winkler_similarity",
    "locate",
    "lpad",
    "rpad",
    "repeat",
    "split",
    "rlike",
    "regexp",
    "regexp_like",
    "randstr",
    "regexp_count",
    "regexp_extract",
    "regexp_extract_all",
    "regexp_replace",
    "regexp_substr",
    "regexp_instr",
    "initcap",
    "soundex",
    "length",
    "octet_length",
    "bit_length",
    "translate",
    "to_binary",
    "to_char",
    "to_varchar",
    "to_number",
    "replace",
    "split_part",
    "substr",
    "try_parse_url",
    "parse_url",
    "printf",
    "url_decode",
    "try_url_decode",
    "url_encode",
    "position",
    "endswith",
    "startswith",
    "char",
    "btrim",
    "char_length",
    "character_length",
    "chr",
    "try_to_binary",
    "try_to_number",
    "contains",
    "elt",
    "find_in_set",
    "like",
    "ilike",
    "lcase",
    "ucase",
    "left",
    "right",
    "mask",
    "collate",
    "collation",
    "quote",
    "concat",
    "reverse",
]


def upper(col) -> Column:
    """Spark SQL ``upper``."""
    return _invoke("upper", _c(col, "col"))


def lower(col) -> Column:
    """Spark SQL ``lower``."""
    return _invoke("lower", _c(col, "col"))


def ascii(col) -> Column:
    """Spark SQL ``ascii``."""
    return _invoke("ascii", _c(col, "col"))


def base64(col) -> Column:
    """Spark SQL ``base64``."""
    return _invoke("base64", _c(col, "col"))


def unbase64(col) -> Column:
    """Spark SQL ``unbase64``."""
    return _invoke("unbase64", _c(col, "col"))


def ltrim(col, trim=None) -> Column:
    """Spark SQL ``ltrim``."""
    return _invoke_opt("ltrim", _c(col, "col"), _c(trim, "trim"))


def rtrim(col, trim=None) -> Column:
    """Spark SQL ``rtrim``."""
    return _invoke_opt("rtrim", _c(col, "col"), _c(trim, "trim"))


def trim(col, trim=None) -> Column:
    """Spark SQL ``trim``."""
    return _invoke_opt("trim", _c(col, "col"), _c(trim, "trim"))


def decode(col, charset) -> Column:
    """Spark SQL ``decode``."""
    return _invoke("decode", _c(col, "col"), _cl(charset))


def encode(col, charset) -> Column:
    """Spark SQL ``encode``."""
    return _invoke("encode", _c(col, "col"), _cl(charset))


def is_valid_utf8(str) -> Column:
    """Spark SQL ``is_valid_utf8``."""
    return _invoke("is_valid_utf8", _c(str, "str"))


def make_valid_utf8(str) -> Column:
    """Spark SQL ``make_valid_utf8``."""
    return _invoke("make_valid_utf8", _c(str, "str"))


def validate_utf8(str) -> Column:
    """Spark SQL ``validate_utf8``."""
    return _invoke("validate_utf8", _c(str, "str"))


def try_validate_utf8(str) -> Column:
    """Spark SQL ``try_validate_utf8``."""
    return _invoke("try_validate_utf8", _c(str, "str"))


def format_number(col, d) -> Column:
    """Spark SQL ``format_number``."""
    return _invoke("format_number", _c(col, "col"), _cl(d))


def instr(str, substr, start=None, occurrence=None) -> Column:
    """Spark SQL ``instr``."""
    return _invoke_opt("instr", _c(str, "str"), _cl(substr), _cl(start), _cl(occurrence))


def overlay(src, replace, pos, len=-1) -> Column:
    """Spark SQL ``overlay``."""
    return _invoke("overlay", _c(src, "src"), _c(replace, "replace"), _cn(pos), _cn(len))


def sentences(string, language=None, country=None) -> Column:
    """Spark SQL ``sentences``."""
    return _invoke_opt(
        "sentences", _c(string, "string"), _c(language, "language"), _c(country, "country")
    )


def substring(str, pos, len) -> Column:
    """Spark SQL ``substring``."""
    return _invoke("substring", _c(str, "str"), _cn(pos), _cn(len))


def substring_index(str, delim, count) -> Column:
    """Spark SQL ``substring_index``."""
    return _invoke("substring_index", _c(str, "str"), _cl(delim), _cl(count))


def levenshtein(left, right, threshold=None) -> Column:
    """Spark SQL ``levenshtein``."""
    return _invoke_opt("levenshtein", _c(left, "left"), _c(right, "right"), _cl(threshold))


def jaro_winkler_similarity(left, right) -> Column:
    """Spark SQL ``jaro_winkler_similarity``."""
    return _invoke("jaro_winkler_similarity", _c(left, "left"), _c(right, "right"))


def locate(substr, str, pos=1) -> Column:
    """Spark SQL ``locate``."""
    return _invoke("locate", _cl(substr), _c(str, "str"), _cl(pos))


def lpad(col, len, pad) -> Column:
    """Spark SQL ``lpad``."""
    return _invoke("lpad", _c(col, "col"), _cl(len), _cl(pad))


def rpad(col, len, pad) -> Column:
    """Spark SQL ``rpad``."""
    return _invoke("rpad", _c(col, "col"), _cl(len), _cl(pad))


def repeat(col, n) -> Column:
    """Spark SQL ``repeat``."""
    return _invoke("repeat", _c(col, "col"), _cn(n))


def split(str, pattern, limit=-1) -> Column:
    """Spark SQL ``split``."""
    return _invoke("split", _c(str, "str"), _cl(pattern), _cn(limit))


def rlike(str, regexp) -> Column:
    """Spark SQL ``rlike``."""
    return _invoke("rlike", _c(str, "str"), _c(regexp, "regexp"))


def regexp(str, regexp) -> Column:
    """Spark SQL ``regexp``."""
    return _invoke("regexp", _c(str, "str"), _c(regexp, "regexp"))


def regexp_like(str, regexp) -> Column:
    """Spark SQL ``regexp_like``."""
    return _invoke("regexp_like", _c(str, "str"), _c(regexp, "regexp"))


def randstr(length, seed=None) -> Column:
    """Spark SQL ``randstr``."""
    return _invoke_opt("randstr", _cl(length), _cl(seed))


def regexp_count(str, regexp) -> Column:
    """Spark SQL ``regexp_count``."""
    return _invoke("regexp_count", _c(str, "str"), _c(regexp, "regexp"))


def regexp_extract(str, pattern, idx) -> Column:
    """Spark SQL ``regexp_extract``."""
    return _invoke("regexp_extract", _c(str, "str"), _cl(pattern), _cl(idx))


def regexp_extract_all(str, regexp, idx=None) -> Column:
    """Spark SQL ``regexp_extract_all``."""
    return _invoke_opt("regexp_extract_all", _c(str, "str"), _c(regexp, "regexp"), _cl(idx))


def regexp_replace(string, pattern, replacement, position=None) -> Column:
    """Spark SQL ``regexp_replace``."""
    return _invoke_opt(
        "regexp_replace", _c(string, "string"), _cl(pattern), _cl(replacement), _cl(position)
    )


def regexp_substr(str, regexp) -> Column:
    """Spark SQL ``regexp_substr``."""
    return _invoke("regexp_substr", _c(str, "str"), _c(regexp, "regexp"))


def regexp_instr(str, regexp, idx=None) -> Column:
    """Spark SQL ``regexp_instr``."""
    return _invoke_opt("regexp_instr", _c(str, "str"), _c(regexp, "regexp"), _cl(idx))


def initcap(col) -> Column:
    """Spark SQL ``initcap``."""
    return _invoke("initcap", _c(col, "col"))


def soundex(col) -> Column:
    """Spark SQL ``soundex``."""
    return _invoke("soundex", _c(col, "col"))


def length(col) -> Column:
    """Spark SQL ``length``."""
    return _invoke("length", _c(col, "col"))


def octet_length(col) -> Column:
    """Spark SQL ``octet_length``."""
    return _invoke("octet_length", _c(col, "col"))


def bit_length(col) -> Column:
    """Spark SQL ``bit_length``."""
    return _invoke("bit_length", _c(col, "col"))


def translate(srcCol, matching, replace) -> Column:
    """Spark SQL ``translate``."""
    return _invoke("translate", _c(srcCol, "srcCol"), _cl(matching), _cl(replace))


def to_binary(col, format=None) -> Column:
    """Spark SQL ``to_binary``."""
    return _invoke_opt("to_binary", _c(col, "col"), _c(format, "format"))


def to_char(col, format) -> Column:
    """Spark SQL ``to_char``."""
    return _invoke("to_char", _c(col, "col"), _c(format, "format"))


def to_varchar(col, format) -> Column:
    """Spark SQL ``to_varchar``."""
    return _invoke("to_varchar", _c(col, "col"), _c(format, "format"))


def to_number(col, format) -> Column:
    """Spark SQL ``to_number``."""
    return _invoke("to_number", _c(col, "col"), _c(format, "format"))


def replace(src, search, replace=None) -> Column:
    """Spark SQL ``replace``."""
    return _invoke_opt("replace", _c(src, "src"), _c(search, "search"), _c(replace, "replace"))


def split_part(src, delimiter, partNum) -> Column:
    """Spark SQL ``split_part``."""
    return _invoke("split_part", _c(src, "src"), _c(delimiter, "delimiter"), _c(partNum, "partNum"))


def substr(str, pos, len=None) -> Column:
    """Spark SQL ``substr``."""
    return _invoke_opt("substr", _c(str, "str"), _c(pos, "pos"), _c(len, "len"))


def try_parse_url(url, partToExtract, key=None) -> Column:
    """Spark SQL ``try_parse_url``."""
    return _invoke_opt(
        "try_parse_url", _c(url, "url"), _c(partToExtract, "partToExtract"), _c(key, "key")
    )


def parse_url(url, partToExtract, key=None) -> Column:
    """Spark SQL ``parse_url``."""
    return _invoke_opt(
        "parse_url", _c(url, "url"), _c(partToExtract, "partToExtract"), _c(key, "key")
    )


def printf(format, *cols) -> Column:
    """Spark SQL ``printf``."""
    return _invoke("printf", _c(format, "format"), *_cols(cols, "cols"))


def url_decode(str) -> Column:
    """Spark SQL ``url_decode``."""
    return _invoke("url_decode", _c(str, "str"))


def try_url_decode(str) -> Column:
    """Spark SQL ``try_url_decode``."""
    return _invoke("try_url_decode", _c(str, "str"))


def url_encode(str) -> Column:
    """Spark SQL ``url_encode``."""
    return _invoke("url_encode", _c(str, "str"))


def position(substr, str, start=None) -> Column:
    """Spark SQL ``position``."""
    return _invoke_opt("position", _c(substr, "substr"), _c(str, "str"), _c(start, "start"))


def endswith(str, suffix) -> Column:
    """Spark SQL ``endswith``."""
    return _invoke("endswith", _c(str, "str"), _c(suffix, "suffix"))


def startswith(str, prefix) -> Column:
    """Spark SQL ``startswith``."""
    return _invoke("startswith", _c(str, "str"), _c(prefix, "prefix"))


def char(col) -> Column:
    """Spark SQL ``char``."""
    return _invoke("char", _c(col, "col"))


def btrim(str, trim=None) -> Column:
    """Spark SQL ``btrim``."""
    return _invoke_opt("btrim", _c(str, "str"), _c(trim, "trim"))


def char_length(str) -> Column:
    """Spark SQL ``char_length``."""
    return _invoke("char_length", _c(str, "str"))


def character_length(str) -> Column:
    """Spark SQL ``character_length``."""
    return _invoke("character_length", _c(str, "str"))


def chr(n) -> Column:
    """Spark SQL ``chr``."""
    return _invoke("chr", _c(n, "n"))


def try_to_binary(col, format=None) -> Column:
    """Spark SQL ``try_to_binary``."""
    return _invoke_opt("try_to_binary", _c(col, "col"), _c(format, "format"))


def try_to_number(col, format) -> Column:
    """Spark SQL ``try_to_number``."""
    return _invoke("try_to_number", _c(col, "col"), _c(format, "format"))


def contains(left, right) -> Column:
    """Spark SQL ``contains``."""
    return _invoke("contains", _c(left, "left"), _c(right, "right"))


def elt(*inputs) -> Column:
    """Spark SQL ``elt``."""
    return _invoke("elt", *_cols(inputs, "inputs"))


def find_in_set(str, str_array) -> Column:
    """Spark SQL ``find_in_set``."""
    return _invoke("find_in_set", _c(str, "str"), _c(str_array, "str_array"))


def like(str, pattern, escapeChar=None) -> Column:
    """Spark SQL ``like``."""
    return _invoke_opt("like", _c(str, "str"), _c(pattern, "pattern"), _cl(escapeChar))


def ilike(str, pattern, escapeChar=None) -> Column:
    """Spark SQL ``ilike``."""
    return _invoke_opt("ilike", _c(str, "str"), _c(pattern, "pattern"), _cl(escapeChar))


def lcase(str) -> Column:
    """Spark SQL ``lcase``."""
    return _invoke("lcase", _c(str, "str"))


def ucase(str) -> Column:
    """Spark SQL ``ucase``."""
    return _invoke("ucase", _c(str, "str"))


def left(str, len) -> Column:
    """Spark SQL ``left``."""
    return _invoke("left", _c(str, "str"), _c(len, "len"))


def right(str, len) -> Column:
    """Spark SQL ``right``."""
    return _invoke("right", _c(str, "str"), _c(len, "len"))


def mask(col, upperChar=None, lowerChar=None, digitChar=None, otherChar=None) -> Column:
    """Spark SQL ``mask``."""
    return _invoke_opt(
        "mask",
        _c(col, "col"),
        _c(upperChar, "upperChar"),
        _c(lowerChar, "lowerChar"),
        _c(digitChar, "digitChar"),
        _c(otherChar, "otherChar"),
    )


def collate(col, collation) -> Column:
    """Spark SQL ``collate``."""
    return _invoke("collate", _c(col, "col"), _cl(collation))


def collation(col) -> Column:
    """Spark SQL ``collation``."""
    return _invoke("collation", _c(col, "col"))


def quote(col) -> Column:
    """Spark SQL ``quote``."""
    return _invoke("quote", _c(col, "col"))


def concat(*cols) -> Column:
    """Spark SQL ``concat``."""
    return _invoke("concat", *_cols(cols, "cols"))


def reverse(col) -> Column:
    """Spark SQL ``reverse``."""
    return _invoke("reverse", _c(col, "col"))


# -- hand-written ----------------------------------------------------------------------------


def concat_ws(sep, *cols) -> Column:
    """The columns' strings joined with ``sep`` (NULLs skipped)."""
    if not isinstance(sep, str):
        raise _type_error("NOT_STR", "sep", sep)
    return _invoke("concat_ws", _cl(sep), *_cols(cols))


def format_string(format, *cols) -> Column:  # noqa: A002 - PySpark's parameter name
    """``printf``-style formatting of the columns with ``format``."""
    if not isinstance(format, str):
        raise _type_error("NOT_STR", "format", format)
    return _invoke("format_string", _cl(format), *_cols(cols))


__all__ += ["concat_ws", "format_string"]
