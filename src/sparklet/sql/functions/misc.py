"""Other functions: conditionals, hashes, crypto, sketches, misc.

Most are thin wrappers: each builds the node Spark SQL text ``name(args)`` parses into
(:func:`sparklet.sql.functions._base._invoke`), with PySpark's conventions for its
arguments (column-or-name, or literal).

>>> from sparklet.sql import functions as F
>>> F.coalesce("a", F.lit(0)), F.desc("v"), F.isnull("a")
(Column<'coalesce(a, 0)'>, Column<'v DESC NULLS LAST'>, Column<'(a IS NULL)'>)
"""

from __future__ import annotations

from typing import Any  # noqa: F401 - PySpark's annotations

from sqlglot import expressions as E

from sparklet.sql.column import Column
from sparklet.sql.functions._base import _c, _cl, _cn, _cols, _invoke, _invoke_opt, _type_error  # noqa: F401

__all__ = [
    "xpath",
    "xpath_boolean",
    "xpath_double",
    "xpath_number",
    "xpath_float",
    "xpath_int",
    "xpath_long",
    "xpath_short",
    "xpath_string",
    "current_catalog",
    "current_path",
    "current_database",
    "current_schema",
    "current_user",
    "user",
    "session_user",
    "uuid",
    "crc32",
    "md5",
    "sha1",
    "sha2",
    "hash",
    "xxhash64",
    "assert_true",
    "raise_error",
    "to_base32",
    "from_base32",
    "bucket",
    "st_asbinary",
    "st_geogfromwkb",
    "st_geomfromwkb",
    "st_setsrid",
    "st_srid",
    "unwrap_udt",
    "hll_sketch_estimate",
    "hll_union",
    "theta_intersection_agg",
    "tuple_sketch_agg_double",
    "tuple_sketch_agg_integer",
    "tuple_union_agg_double",
    "tuple_union_agg_integer",
    "tuple_intersection_agg_double",
    "tuple_intersection_agg_integer",
    "kll_sketch_agg_bigint",
    "kll_sketch_agg_float",
    "kll_sketch_agg_double",
    "kll_merge_agg_bigint",
    "kll_merge_agg_float",
    "kll_merge_agg_double",
    "kll_sketch_to_string_bigint",
    "kll_sketch_to_string_float",
    "kll_sketch_to_string_double",
    "kll_sketch_merge_bigint",
    "kll_sketch_merge_float",
    "kll_sketch_merge_double",
    "theta_sketch_estimate",
    "theta_union",
    "theta_intersection",
    "theta_difference",
    "tuple_sketch_estimate_double",
    "tuple_sketch_estimate_integer",
    "tuple_sketch_summary_double",
    "tuple_sketch_summary_integer",
    "tuple_sketch_theta_double",
    "tuple_sketch_theta_integer",
    "tuple_union_double",
    "tuple_union_integer",
    "tuple_intersection_double",
    "tuple_intersection_integer",
    "tuple_difference_double",
    "tuple_difference_integer",
    "tuple_difference_theta_double",
    "tuple_difference_theta_integer",
    "tuple_intersection_theta_double",
    "tuple_intersection_theta_integer",
    "tuple_union_theta_double",
    "tuple_union_theta_integer",
    "ifnull",
    "equal_null",
    "nullif",
    "nullifzero",
    "nvl",
    "nvl2",
    "zeroifnull",
    "hmac",
    "aes_encrypt",
    "aes_decrypt",
    "try_aes_decrypt",
    "sha",
    "input_file_block_length",
    "input_file_block_start",
    "reflect",
    "java_method",
    "try_reflect",
    "version",
    "typeof",
    "vector_cosine_similarity",
    "vector_inner_product",
    "vector_l2_distance",
    "vector_norm",
    "vector_normalize",
    "vector_avg",
    "vector_sum",
]


def xpath(xml, path) -> Column:
    """Spark SQL ``xpath``."""
    return _invoke("xpath", _c(xml, "xml"), _c(path, "path"))


def xpath_boolean(xml, path) -> Column:
    """Spark SQL ``xpath_boolean``."""
    return _invoke("xpath_boolean", _c(xml, "xml"), _c(path, "path"))


def xpath_double(xml, path) -> Column:
    """Spark SQL ``xpath_double``."""
    return _invoke("xpath_double", _c(xml, "xml"), _c(path, "path"))


def xpath_number(xml, path) -> Column:
    """Spark SQL ``xpath_number``."""
    return _invoke("xpath_number", _c(xml, "xml"), _c(path, "path"))


def xpath_float(xml, path) -> Column:
    """Spark SQL ``xpath_float``."""
    return _invoke("xpath_float", _c(xml, "xml"), _c(path, "path"))


def xpath_int(xml, path) -> Column:
    """Spark SQL ``xpath_int``."""
    return _invoke("xpath_int", _c(xml, "xml"), _c(path, "path"))


def xpath_long(xml, path) -> Column:
    """Spark SQL ``xpath_long``."""
    return _invoke("xpath_long", _c(xml, "xml"), _c(path, "path"))


def xpath_short(xml, path) -> Column:
    """Spark SQL ``xpath_short``."""
    return _invoke("xpath_short", _c(xml, "xml"), _c(path, "path"))


def xpath_string(xml, path) -> Column:
    """Spark SQL ``xpath_string``."""
    return _invoke("xpath_string", _c(xml, "xml"), _c(path, "path"))


def current_catalog() -> Column:
    """Spark SQL ``current_catalog``."""
    return _invoke("current_catalog")


def current_path() -> Column:
    """Spark SQL ``current_path``."""
    return _invoke("current_path")


def current_database() -> Column:
    """Spark SQL ``current_database``."""
    return _invoke("current_database")


def current_schema() -> Column:
    """Spark SQL ``current_schema``."""
    return _invoke("current_schema")


def current_user() -> Column:
    """Spark SQL ``current_user``."""
    return _invoke("current_user")


def user() -> Column:
    """Spark SQL ``user``."""
    return _invoke("user")


def session_user() -> Column:
    """Spark SQL ``session_user``."""
    return _invoke("session_user")


def uuid(seed=None) -> Column:
    """Spark SQL ``uuid``."""
    return _invoke_opt("uuid", _cl(seed))


def crc32(col) -> Column:
    """Spark SQL ``crc32``."""
    return _invoke("crc32", _c(col, "col"))


def md5(col) -> Column:
    """Spark SQL ``md5``."""
    return _invoke("md5", _c(col, "col"))


def sha1(col) -> Column:
    """Spark SQL ``sha1``."""
    return _invoke("sha1", _c(col, "col"))


def sha2(col, numBits) -> Column:
    """Spark SQL ``sha2``."""
    return _invoke("sha2", _c(col, "col"), _cl(numBits))


def hash(*cols) -> Column:
    """Spark SQL ``hash``."""
    return _invoke("hash", *_cols(cols, "cols"))


def xxhash64(*cols) -> Column:
    """Spark SQL ``xxhash64``."""
    return _invoke("xxhash64", *_cols(cols, "cols"))


def assert_true(col, errMsg=None) -> Column:
    """Spark SQL ``assert_true``."""
    return _invoke_opt("assert_true", _c(col, "col"), _cl(errMsg))


def raise_error(errMsg) -> Column:
    """Spark SQL ``raise_error``."""
    return _invoke("raise_error", _cl(errMsg))


def to_base32(col) -> Column:
    """Spark SQL ``to_base32``."""
    return _invoke("to_base32", _c(col, "col"))


def from_base32(col) -> Column:
    """Spark SQL ``from_base32``."""
    return _invoke("from_base32", _c(col, "col"))


def bucket(numBuckets, col) -> Column:
    """Spark SQL ``bucket``."""
    return _invoke("bucket", _cl(numBuckets), _c(col, "col"))


def st_asbinary(geo, endianness=None) -> Column:
    """Spark SQL ``st_asbinary``."""
    return _invoke_opt("st_asbinary", _c(geo, "geo"), _c(endianness, "endianness"))


def st_geogfromwkb(wkb) -> Column:
    """Spark SQL ``st_geogfromwkb``."""
    return _invoke("st_geogfromwkb", _c(wkb, "wkb"))


def st_geomfromwkb(wkb, srid=None) -> Column:
    """Spark SQL ``st_geomfromwkb``."""
    return _invoke_opt("st_geomfromwkb", _c(wkb, "wkb"), _cn(srid))


def st_setsrid(geo, srid) -> Column:
    """Spark SQL ``st_setsrid``."""
    return _invoke("st_setsrid", _c(geo, "geo"), _cn(srid))


def st_srid(geo) -> Column:
    """Spark SQL ``st_srid``."""
    return _invoke("st_srid", _c(geo, "geo"))


def unwrap_udt(col) -> Column:
    """Spark SQL ``unwrap_udt``."""
    return _invoke("unwrap_udt", _c(col, "col"))


def hll_sketch_estimate(col) -> Column:
    """Spark SQL ``hll_sketch_estimate``."""
    return _invoke("hll_sketch_estimate", _c(col, "col"))


def hll_union(col1, col2, allowDifferentLgConfigK=None) -> Column:
    """Spark SQL ``hll_union``."""
    return _invoke_opt(
        "hll_union", _c(col1, "col1"), _c(col2, "col2"), _cl(allowDifferentLgConfigK)
    )


def theta_intersection_agg(col) -> Column:
    """Spark SQL ``theta_intersection_agg``."""
    return _invoke("theta_intersection_agg", _c(col, "col"))


def tuple_sketch_agg_double(key, summary, lgNomEntries=None, mode=None) -> Column:
    """Spark SQL ``tuple_sketch_agg_double``."""
    return _invoke_opt(
        "tuple_sketch_agg_double",
        _c(key, "key"),
        _c(summary, "summary"),
        _cl(lgNomEntries),
        _cl(mode),
    )


def tuple_sketch_agg_integer(key, summary, lgNomEntries=None, mode=None) -> Column:
    """Spark SQL ``tuple_sketch_agg_integer``."""
    return _invoke_opt(
        "tuple_sketch_agg_integer",
        _c(key, "key"),
        _c(summary, "summary"),
        _cl(lgNomEntries),
        _cl(mode),
    )


def tuple_union_agg_double(col, lgNomEntries=None, mode=None) -> Column:
    """Spark SQL ``tuple_union_agg_double``."""
    return _invoke_opt("tuple_union_agg_double", _c(col, "col"), _cl(lgNomEntries), _cl(mode))


def tuple_union_agg_integer(col, lgNomEntries=None, mode=None) -> Column:
    """Spark SQL ``tuple_union_agg_integer``."""
    return _invoke_opt("tuple_union_agg_integer", _c(col, "col"), _cl(lgNomEntries), _cl(mode))


def tuple_intersection_agg_double(col, mode=None) -> Column:
    """Spark SQL ``tuple_intersection_agg_double``."""
    return _invoke_opt("tuple_intersection_agg_double", _c(col, "col"), _cl(mode))


def tuple_intersection_agg_integer(col, mode=None) -> Column:
    """Spark SQL ``tuple_intersection_agg_integer``."""
    return _invoke_opt("tuple_intersection_agg_integer", _c(col, "col"), _cl(mode))


def kll_sketch_agg_bigint(col, k=None) -> Column:
    """Spark SQL ``kll_sketch_agg_bigint``."""
    return _invoke_opt("kll_sketch_agg_bigint", _c(col, "col"), _cl(k))


def kll_sketch_agg_float(col, k=None) -> Column:
    """Spark SQL ``kll_sketch_agg_float``."""
    return _invoke_opt("kll_sketch_agg_float", _c(col, "col"), _cl(k))


def kll_sketch_agg_double(col, k=None) -> Column:
    """Spark SQL ``kll_sketch_agg_double``."""
    return _invoke_opt("kll_sketch_agg_double", _c(col, "col"), _cl(k))


def kll_merge_agg_bigint(col, k=None) -> Column:
    """Spark SQL ``kll_merge_agg_bigint``."""
    return _invoke_opt("kll_merge_agg_bigint", _c(col, "col"), _cl(k))


def kll_merge_agg_float(col, k=None) -> Column:
    """Spark SQL ``kll_merge_agg_float``."""
    return _invoke_opt("kll_merge_agg_float", _c(col, "col"), _cl(k))


def kll_merge_agg_double(col, k=None) -> Column:
    """Spark SQL ``kll_merge_agg_double``."""
    return _invoke_opt("kll_merge_agg_double", _c(col, "col"), _cl(k))


def kll_sketch_to_string_bigint(col) -> Column:
    """Spark SQL ``kll_sketch_to_string_bigint``."""
    return _invoke("kll_sketch_to_string_bigint", _c(col, "col"))


def kll_sketch_to_string_float(col) -> Column:
    """Spark SQL ``kll_sketch_to_string_float``."""
    return _invoke("kll_sketch_to_string_float", _c(col, "col"))


def kll_sketch_to_string_double(col) -> Column:
    """Spark SQL ``kll_sketch_to_string_double``."""
    return _invoke("kll_sketch_to_string_double", _c(col, "col"))


def kll_sketch_merge_bigint(left, right) -> Column:
    """Spark SQL ``kll_sketch_merge_bigint``."""
    return _invoke("kll_sketch_merge_bigint", _c(left, "left"), _c(right, "right"))


def kll_sketch_merge_float(left, right) -> Column:
    """Spark SQL ``kll_sketch_merge_float``."""
    return _invoke("kll_sketch_merge_float", _c(left, "left"), _c(right, "right"))


def kll_sketch_merge_double(left, right) -> Column:
    """Spark SQL ``kll_sketch_merge_double``."""
    return _invoke("kll_sketch_merge_double", _c(left, "left"), _c(right, "right"))


def theta_sketch_estimate(col) -> Column:
    """Spark SQL ``theta_sketch_estimate``."""
    return _invoke("theta_sketch_estimate", _c(col, "col"))


def theta_union(col1, col2, lgNomEntries=None) -> Column:
    """Spark SQL ``theta_union``."""
    return _invoke_opt("theta_union", _c(col1, "col1"), _c(col2, "col2"), _cl(lgNomEntries))


def theta_intersection(col1, col2) -> Column:
    """Spark SQL ``theta_intersection``."""
    return _invoke("theta_intersection", _c(col1, "col1"), _c(col2, "col2"))


def theta_difference(col1, col2) -> Column:
    """Spark SQL ``theta_difference``."""
    return _invoke("theta_difference", _c(col1, "col1"), _c(col2, "col2"))


def tuple_sketch_estimate_double(col) -> Column:
    """Spark SQL ``tuple_sketch_estimate_double``."""
    return _invoke("tuple_sketch_estimate_double", _c(col, "col"))


def tuple_sketch_estimate_integer(col) -> Column:
    """Spark SQL ``tuple_sketch_estimate_integer``."""
    return _invoke("tuple_sketch_estimate_integer", _c(col, "col"))


def tuple_sketch_summary_double(col, mode=None) -> Column:
    """Spark SQL ``tuple_sketch_summary_double``."""
    return _invoke_opt("tuple_sketch_summary_double", _c(col, "col"), _cl(mode))


def tuple_sketch_summary_integer(col, mode=None) -> Column:
    """Spark SQL ``tuple_sketch_summary_integer``."""
    return _invoke_opt("tuple_sketch_summary_integer", _c(col, "col"), _cl(mode))


def tuple_sketch_theta_double(col) -> Column:
    """Spark SQL ``tuple_sketch_theta_double``."""
    return _invoke("tuple_sketch_theta_double", _c(col, "col"))


def tuple_sketch_theta_integer(col) -> Column:
    """Spark SQL ``tuple_sketch_theta_integer``."""
    return _invoke("tuple_sketch_theta_integer", _c(col, "col"))


def tuple_union_double(col1, col2, lgNomEntries=None, mode=None) -> Column:
    """Spark SQL ``tuple_union_double``."""
    return _invoke_opt(
        "tuple_union_double", _c(col1, "col1"), _c(col2, "col2"), _cl(lgNomEntries), _cl(mode)
    )


def tuple_union_integer(col1, col2, lgNomEntries=None, mode=None) -> Column:
    """Spark SQL ``tuple_union_integer``."""
    return _invoke_opt(
        "tuple_union_integer", _c(col1, "col1"), _c(col2, "col2"), _cl(lgNomEntries), _cl(mode)
    )


def tuple_intersection_double(col1, col2, mode=None) -> Column:
    """Spark SQL ``tuple_intersection_double``."""
    return _invoke_opt("tuple_intersection_double", _c(col1, "col1"), _c(col2, "col2"), _cl(mode))


def tuple_intersection_integer(col1, col2, mode=None) -> Column:
    """Spark SQL ``tuple_intersection_integer``."""
    return _invoke_opt("tuple_intersection_integer", _c(col1, "col1"), _c(col2, "col2"), _cl(mode))


def tuple_difference_double(col1, col2) -> Column:
    """Spark SQL ``tuple_difference_double``."""
    return _invoke("tuple_difference_double", _c(col1, "col1"), _c(col2, "col2"))


def tuple_difference_integer(col1, col2) -> Column:
    """Spark SQL ``tuple_difference_integer``."""
    return _invoke("tuple_difference_integer", _c(col1, "col1"), _c(col2, "col2"))


def tuple_difference_theta_double(col1, col2) -> Column:
    """Spark SQL ``tuple_difference_theta_double``."""
    return _invoke("tuple_difference_theta_double", _c(col1, "col1"), _c(col2, "col2"))


def tuple_difference_theta_integer(col1, col2) -> Column:
    """Spark SQL ``tuple_difference_theta_integer``."""
    return _invoke("tuple_difference_theta_integer", _c(col1, "col1"), _c(col2, "col2"))


def tuple_intersection_theta_double(col1, col2, mode=None) -> Column:
    """Spark SQL ``tuple_intersection_theta_double``."""
    return _invoke_opt(
        "tuple_intersection_theta_double", _c(col1, "col1"), _c(col2, "col2"), _cl(mode)
    )


def tuple_intersection_theta_integer(col1, col2, mode=None) -> Column:
    """Spark SQL ``tuple_intersection_theta_integer``."""
    return _invoke_opt(
        "tuple_intersection_theta_integer", _c(col1, "col1"), _c(col2, "col2"), _cl(mode)
    )


def tuple_union_theta_double(col1, col2, lgNomEntries=None, mode=None) -> Column:
    """Spark SQL ``tuple_union_theta_double``."""
    return _invoke_opt(
        "tuple_union_theta_double", _c(col1, "col1"), _c(col2, "col2"), _cl(lgNomEntries), _cl(mode)
    )


def tuple_union_theta_integer(col1, col2, lgNomEntries=None, mode=None) -> Column:
    """Spark SQL ``tuple_union_theta_integer``."""
    return _invoke_opt(
        "tuple_union_theta_integer",
        _c(col1, "col1"),
        _c(col2, "col2"),
        _cl(lgNomEntries),
        _cl(mode),
    )


def ifnull(col1, col2) -> Column:
    """Spark SQL ``ifnull``."""
    return _invoke("ifnull", _c(col1, "col1"), _c(col2, "col2"))


def equal_null(col1, col2) -> Column:
    """Spark SQL ``equal_null``."""
    return _invoke("equal_null", _c(col1, "col1"), _c(col2, "col2"))


def nullif(col1, col2) -> Column:
    """Spark SQL ``nullif``."""
    return _invoke("nullif", _c(col1, "col1"), _c(col2, "col2"))


def nullifzero(col) -> Column:
    """Spark SQL ``nullifzero``."""
    return _invoke("nullifzero", _c(col, "col"))


def nvl(col1, col2) -> Column:
    """Spark SQL ``nvl``."""
    return _invoke("nvl", _c(col1, "col1"), _c(col2, "col2"))


def nvl2(col1, col2, col3) -> Column:
    """Spark SQL ``nvl2``."""
    return _invoke("nvl2", _c(col1, "col1"), _c(col2, "col2"), _c(col3, "col3"))


def zeroifnull(col) -> Column:
    """Spark SQL ``zeroifnull``."""
    return _invoke("zeroifnull", _c(col, "col"))


def hmac(key, message, algorithm=None) -> Column:
    """Spark SQL ``hmac``."""
    return _invoke_opt("hmac", _c(key, "key"), _c(message, "message"), _c(algorithm, "algorithm"))


def aes_encrypt(input, key, mode=None, padding=None, iv=None, aad=None) -> Column:
    """Spark SQL ``aes_encrypt``."""
    return _invoke_opt(
        "aes_encrypt",
        _c(input, "input"),
        _c(key, "key"),
        _c(mode, "mode"),
        _c(padding, "padding"),
        _c(iv, "iv"),
        _c(aad, "aad"),
    )


def aes_decrypt(input, key, mode=None, padding=None, aad=None) -> Column:
    """Spark SQL ``aes_decrypt``."""
    return _invoke_opt(
        "aes_decrypt",
        _c(input, "input"),
        _c(key, "key"),
        _c(mode, "mode"),
        _c(padding, "padding"),
        _c(aad, "aad"),
    )


def try_aes_decrypt(input, key, mode=None, padding=None, aad=None) -> Column:
    """Spark SQL ``try_aes_decrypt``."""
    return _invoke_opt(
        "try_aes_decrypt",
        _c(input, "input"),
        _c(key, "key"),
        _c(mode, "mode"),
        _c(padding, "padding"),
        _c(aad, "aad"),
    )


def sha(col) -> Column:
    """Spark SQL ``sha``."""
    return _invoke("sha", _c(col, "col"))


def input_file_block_length() -> Column:
    """Spark SQL ``input_file_block_length``."""
    return _invoke("input_file_block_length")


def input_file_block_start() -> Column:
    """Spark SQL ``input_file_block_start``."""
    return _invoke("input_file_block_start")


def reflect(*cols) -> Column:
    """Spark SQL ``reflect``."""
    return _invoke("reflect", *_cols(cols, "cols"))


def java_method(*cols) -> Column:
    """Spark SQL ``java_method``."""
    return _invoke("java_method", *_cols(cols, "cols"))


def try_reflect(*cols) -> Column:
    """Spark SQL ``try_reflect``."""
    return _invoke("try_reflect", *_cols(cols, "cols"))


def version() -> Column:
    """Spark SQL ``version``."""
    return _invoke("version")


def typeof(col) -> Column:
    """Spark SQL ``typeof``."""
    return _invoke("typeof", _c(col, "col"))


def vector_cosine_similarity(left, right) -> Column:
    """Spark SQL ``vector_cosine_similarity``."""
    return _invoke("vector_cosine_similarity", _c(left, "left"), _c(right, "right"))


def vector_inner_product(left, right) -> Column:
    """Spark SQL ``vector_inner_product``."""
    return _invoke("vector_inner_product", _c(left, "left"), _c(right, "right"))


def vector_l2_distance(left, right) -> Column:
    """Spark SQL ``vector_l2_distance``."""
    return _invoke("vector_l2_distance", _c(left, "left"), _c(right, "right"))


def vector_norm(vector, degree=None) -> Column:
    """Spark SQL ``vector_norm``."""
    return _invoke_opt("vector_norm", _c(vector, "vector"), _c(degree, "degree"))


def vector_normalize(vector, degree=None) -> Column:
    """Spark SQL ``vector_normalize``."""
    return _invoke_opt("vector_normalize", _c(vector, "vector"), _c(degree, "degree"))


def vector_avg(col) -> Column:
    """Spark SQL ``vector_avg``."""
    return _invoke("vector_avg", _c(col, "col"))


def vector_sum(col) -> Column:
    """Spark SQL ``vector_sum``."""
    return _invoke("vector_sum", _c(col, "col"))


# -- hand-written ----------------------------------------------------------------------------


def coalesce(*cols) -> Column:
    """The first non-NULL value of the columns."""
    return _invoke("coalesce", *_cols(cols))


def isnull(col) -> Column:
    """Whether ``col`` is NULL."""
    return Column(E.Is(this=_c(col, "col")._expr, expression=E.Null()))


def isnotnull(col) -> Column:
    """Whether ``col`` is not NULL."""
    return _c(col, "col").isNotNull()


def monotonically_increasing_id() -> Column:
    """A unique, increasing 64-bit id per row."""
    return _invoke("monotonically_increasing_id")


def spark_partition_id() -> Column:
    """The partition id of the row."""
    return _invoke("spark_partition_id")


def input_file_name() -> Column:
    """The file the row was read from (an empty string when none)."""
    return _invoke("input_file_name")


def call_function(funcName, *cols) -> Column:
    """The SQL function ``funcName`` (built-in or registered) of the columns."""
    if not isinstance(funcName, str):
        raise _type_error("NOT_STR", "funcName", funcName)
    return _invoke(funcName, *_cols(cols))


def call_udf(udfName, *cols) -> Column:
    """The registered UDF ``udfName`` of the columns."""
    return call_function(udfName, *cols)


def _ordered(col: Any, desc: bool, nulls_first: bool) -> Column:
    return Column(E.Ordered(this=_c(col, "col")._expr, desc=desc, nulls_first=nulls_first))


def asc(col) -> Column:
    """Ascending order of ``col``, NULLs first."""
    return _ordered(col, False, True)


def asc_nulls_first(col) -> Column:
    """Ascending order of ``col``, NULLs first."""
    return _ordered(col, False, True)


def asc_nulls_last(col) -> Column:
    """Ascending order of ``col``, NULLs last."""
    return _ordered(col, False, False)


def desc(col) -> Column:
    """Descending order of ``col``, NULLs last."""
    return _ordered(col, True, False)


def desc_nulls_first(col) -> Column:
    """Descending order of ``col``, NULLs first."""
    return _ordered(col, True, True)


def desc_nulls_last(col) -> Column:
    """Descending order of ``col``, NULLs last."""
    return _ordered(col, True, False)


__all__ += [
    "coalesce",
    "isnull",
    "isnotnull",
    "monotonically_increasing_id",
    "spark_partition_id",
    "input_file_name",
    "call_function",
    "call_udf",
    "asc",
    "asc_nulls_first",
    "asc_nulls_last",
    "desc",
    "desc_nulls_first",
    "desc_nulls_last",
]
