"""Collection functions: arrays, maps, structs, JSON/CSV/XML.

Most are thin wrappers: each builds the node Spark SQL text ``name(args)`` parses into
(:func:`sparklet.sql.functions._base._invoke`), with PySpark's conventions for its
arguments (column-or-name, or literal).

>>> from sparklet.sql import functions as F
>>> F.array_contains("a", 2), F.explode("a"), F.transform("a", lambda x: x + 1)
... # doctest: +ELLIPSIS
(Column<'array_contains(a, 2)'>, Column<'col'>, Column<'transform(a, ...)'>)
"""

from __future__ import annotations

from typing import Any  # noqa: F401 - PySpark's annotations

from sqlglot import expressions as E

from sparklet.errors import PySparkValueError
from sparklet.sql.column import Column
from sparklet.sql.functions._base import (  # noqa: F401
    _c,
    _cl,
    _cn,
    _cols,
    _error,
    _hof,
    _invoke,
    _invoke_opt,
    _lambda,
    _options,
    _schema,
)

__all__ = [
    "map_from_arrays",
    "array_contains",
    "arrays_overlap",
    "slice",
    "array_join",
    "array_position",
    "element_at",
    "try_element_at",
    "get",
    "array_prepend",
    "array_remove",
    "array_distinct",
    "array_insert",
    "array_intersect",
    "array_union",
    "array_except",
    "array_compact",
    "array_append",
    "get_json_object",
    "try_parse_json",
    "to_variant_object",
    "parse_json",
    "is_variant_null",
    "is_valid_variant",
    "variant_delete",
    "variant_insert",
    "try_variant_insert",
    "variant_set",
    "try_variant_set",
    "variant_array_append",
    "try_variant_array_append",
    "variant_strip_nulls",
    "variant_get",
    "try_variant_get",
    "schema_of_variant",
    "json_array_length",
    "json_object_keys",
    "size",
    "array_min",
    "array_max",
    "array_size",
    "cardinality",
    "shuffle",
    "flatten",
    "map_contains_key",
    "map_keys",
    "map_values",
    "map_entries",
    "map_from_entries",
    "array_repeat",
    "arrays_zip",
    "sequence",
    "str_to_map",
    "kll_sketch_get_n_bigint",
    "kll_sketch_get_n_float",
    "kll_sketch_get_n_double",
    "kll_sketch_get_quantile_bigint",
    "kll_sketch_get_quantile_float",
    "kll_sketch_get_quantile_double",
    "kll_sketch_get_rank_bigint",
    "kll_sketch_get_rank_float",
    "kll_sketch_get_rank_double",
    "bitmap_bit_position",
    "bitmap_bucket_number",
    "bitmap_count",
    "bitmap_and_agg",
]


def map_from_arrays(col1, col2) -> Column:
    """Spark SQL ``map_from_arrays``."""
    return _invoke("map_from_arrays", _c(col1, "col1"), _c(col2, "col2"))


def array_contains(col, value) -> Column:
    """Spark SQL ``array_contains``."""
    return _invoke("array_contains", _c(col, "col"), _cl(value))


def arrays_overlap(a1, a2) -> Column:
    """Spark SQL ``arrays_overlap``."""
    return _invoke("arrays_overlap", _c(a1, "a1"), _c(a2, "a2"))


def slice(x, start, length) -> Column:
    """Spark SQL ``slice``."""
    return _invoke("slice", _c(x, "x"), _cn(start), _cn(length))


def array_join(col, delimiter, null_replacement=None) -> Column:
    """Spark SQL ``array_join``."""
    return _invoke_opt("array_join", _c(col, "col"), _cl(delimiter), _cl(null_replacement))


def array_position(col, value) -> Column:
    """Spark SQL ``array_position``."""
    return _invoke("array_position", _c(col, "col"), _cl(value))


def element_at(col, extraction) -> Column:
    """Spark SQL ``element_at``."""
    return _invoke("element_at", _c(col, "col"), _cl(extraction))


def try_element_at(col, extraction) -> Column:
    """Spark SQL ``try_element_at``."""
    return _invoke("try_element_at", _c(col, "col"), _c(extraction, "extraction"))


def get(col, index) -> Column:
    """Spark SQL ``get``."""
    return _invoke("get", _c(col, "col"), _cn(index))


def array_prepend(col, value) -> Column:
    """Spark SQL ``array_prepend``."""
    return _invoke("array_prepend", _c(col, "col"), _cl(value))


def array_remove(col, element) -> Column:
    """Spark SQL ``array_remove``."""
    return _invoke("array_remove", _c(col, "col"), _cl(element))


def array_distinct(col) -> Column:
    """Spark SQL ``array_distinct``."""
    return _invoke("array_distinct", _c(col, "col"))


def array_insert(arr, pos, value) -> Column:
    """Spark SQL ``array_insert``."""
    return _invoke("array_insert", _c(arr, "arr"), _cn(pos), _cl(value))


def array_intersect(col1, col2) -> Column:
    """Spark SQL ``array_intersect``."""
    return _invoke("array_intersect", _c(col1, "col1"), _c(col2, "col2"))


def array_union(col1, col2) -> Column:
    """Spark SQL ``array_union``."""
    return _invoke("array_union", _c(col1, "col1"), _c(col2, "col2"))


def array_except(col1, col2) -> Column:
    """Spark SQL ``array_except``."""
    return _invoke("array_except", _c(col1, "col1"), _c(col2, "col2"))


def array_compact(col) -> Column:
    """Spark SQL ``array_compact``."""
    return _invoke("array_compact", _c(col, "col"))


def array_append(col, value) -> Column:
    """Spark SQL ``array_append``."""
    return _invoke("array_append", _c(col, "col"), _cl(value))


def get_json_object(col, path) -> Column:
    """Spark SQL ``get_json_object``."""
    return _invoke("get_json_object", _c(col, "col"), _cl(path))


def try_parse_json(col) -> Column:
    """Spark SQL ``try_parse_json``."""
    return _invoke("try_parse_json", _c(col, "col"))


def to_variant_object(col) -> Column:
    """Spark SQL ``to_variant_object``."""
    return _invoke("to_variant_object", _c(col, "col"))


def parse_json(col) -> Column:
    """Spark SQL ``parse_json``."""
    return _invoke("parse_json", _c(col, "col"))


def is_variant_null(v) -> Column:
    """Spark SQL ``is_variant_null``."""
    return _invoke("is_variant_null", _c(v, "v"))


def is_valid_variant(v) -> Column:
    """Spark SQL ``is_valid_variant``."""
    return _invoke("is_valid_variant", _c(v, "v"))


def variant_delete(v, *paths) -> Column:
    """Spark SQL ``variant_delete``."""
    return _invoke("variant_delete", _c(v, "v"), *_cols(paths, "paths"))


def variant_insert(v, path, value) -> Column:
    """Spark SQL ``variant_insert``."""
    return _invoke("variant_insert", _c(v, "v"), _cl(path), _c(value, "value"))


def try_variant_insert(v, path, value) -> Column:
    """Spark SQL ``try_variant_insert``."""
    return _invoke("try_variant_insert", _c(v, "v"), _cl(path), _c(value, "value"))


def variant_set(v, path, value, create_if_missing=True) -> Column:
    """Spark SQL ``variant_set``."""
    return _invoke("variant_set", _c(v, "v"), _cl(path), _c(value, "value"), _cl(create_if_missing))


def try_variant_set(v, path, value, create_if_missing=True) -> Column:
    """Spark SQL ``try_variant_set``."""
    return _invoke(
        "try_variant_set", _c(v, "v"), _cl(path), _c(value, "value"), _cl(create_if_missing)
    )


def variant_array_append(v, path, value) -> Column:
    """Spark SQL ``variant_array_append``."""
    return _invoke("variant_array_append", _c(v, "v"), _cl(path), _c(value, "value"))


def try_variant_array_append(v, path, value) -> Column:
    """Spark SQL ``try_variant_array_append``."""
    return _invoke("try_variant_array_append", _c(v, "v"), _cl(path), _c(value, "value"))


def variant_strip_nulls(v, include_arrays=True) -> Column:
    """Spark SQL ``variant_strip_nulls``."""
    return _invoke("variant_strip_nulls", _c(v, "v"), _cl(include_arrays))


def variant_get(v, path, targetType) -> Column:
    """Spark SQL ``variant_get``."""
    return _invoke("variant_get", _c(v, "v"), _cl(path), _cl(targetType))


def try_variant_get(v, path, targetType) -> Column:
    """Spark SQL ``try_variant_get``."""
    return _invoke("try_variant_get", _c(v, "v"), _cl(path), _cl(targetType))


def schema_of_variant(v) -> Column:
    """Spark SQL ``schema_of_variant``."""
    return _invoke("schema_of_variant", _c(v, "v"))


def json_array_length(col) -> Column:
    """Spark SQL ``json_array_length``."""
    return _invoke("json_array_length", _c(col, "col"))


def json_object_keys(col) -> Column:
    """Spark SQL ``json_object_keys``."""
    return _invoke("json_object_keys", _c(col, "col"))


def size(col) -> Column:
    """Spark SQL ``size``."""
    return _invoke("size", _c(col, "col"))


def array_min(col) -> Column:
    """Spark SQL ``array_min``."""
    return _invoke("array_min", _c(col, "col"))


def array_max(col) -> Column:
    """Spark SQL ``array_max``."""
    return _invoke("array_max", _c(col, "col"))


def array_size(col) -> Column:
    """Spark SQL ``array_size``."""
    return _invoke("array_size", _c(col, "col"))


def cardinality(col) -> Column:
    """Spark SQL ``cardinality``."""
    return _invoke("cardinality", _c(col, "col"))


def shuffle(col, seed=None) -> Column:
    """Spark SQL ``shuffle``."""
    return _invoke_opt("shuffle", _c(col, "col"), _cl(seed))


def flatten(col) -> Column:
    """Spark SQL ``flatten``."""
    return _invoke("flatten", _c(col, "col"))


def map_contains_key(col, value) -> Column:
    """Spark SQL ``map_contains_key``."""
    return _invoke("map_contains_key", _c(col, "col"), _cl(value))


def map_keys(col) -> Column:
    """Spark SQL ``map_keys``."""
    return _invoke("map_keys", _c(col, "col"))


def map_values(col) -> Column:
    """Spark SQL ``map_values``."""
    return _invoke("map_values", _c(col, "col"))


def map_entries(col) -> Column:
    """Spark SQL ``map_entries``."""
    return _invoke("map_entries", _c(col, "col"))


def map_from_entries(col) -> Column:
    """Spark SQL ``map_from_entries``."""
    return _invoke("map_from_entries", _c(col, "col"))


def array_repeat(col, count) -> Column:
    """Spark SQL ``array_repeat``."""
    return _invoke("array_repeat", _c(col, "col"), _cn(count))


def arrays_zip(*cols) -> Column:
    """Spark SQL ``arrays_zip``."""
    return _invoke("arrays_zip", *_cols(cols, "cols"))


def sequence(start, stop, step=None) -> Column:
    """Spark SQL ``sequence``."""
    return _invoke_opt("sequence", _c(start, "start"), _c(stop, "stop"), _c(step, "step"))


def str_to_map(text, pairDelim=None, keyValueDelim=None) -> Column:
    """Spark SQL ``str_to_map``."""
    return _invoke_opt(
        "str_to_map",
        _c(text, "text"),
        _c(pairDelim, "pairDelim"),
        _c(keyValueDelim, "keyValueDelim"),
    )


def kll_sketch_get_n_bigint(col) -> Column:
    """Spark SQL ``kll_sketch_get_n_bigint``."""
    return _invoke("kll_sketch_get_n_bigint", _c(col, "col"))


def kll_sketch_get_n_float(col) -> Column:
    """Spark SQL ``kll_sketch_get_n_float``."""
    return _invoke("kll_sketch_get_n_float", _c(col, "col"))


def kll_sketch_get_n_double(col) -> Column:
    """Spark SQL ``kll_sketch_get_n_double``."""
    return _invoke("kll_sketch_get_n_double", _c(col, "col"))


def kll_sketch_get_quantile_bigint(sketch, rank) -> Column:
    """Spark SQL ``kll_sketch_get_quantile_bigint``."""
    return _invoke("kll_sketch_get_quantile_bigint", _c(sketch, "sketch"), _c(rank, "rank"))


def kll_sketch_get_quantile_float(sketch, rank) -> Column:
    """Spark SQL ``kll_sketch_get_quantile_float``."""
    return _invoke("kll_sketch_get_quantile_float", _c(sketch, "sketch"), _c(rank, "rank"))


def kll_sketch_get_quantile_double(sketch, rank) -> Column:
    """Spark SQL ``kll_sketch_get_quantile_double``."""
    return _invoke("kll_sketch_get_quantile_double", _c(sketch, "sketch"), _c(rank, "rank"))


def kll_sketch_get_rank_bigint(sketch, quantile) -> Column:
    """Spark SQL ``kll_sketch_get_rank_bigint``."""
    return _invoke("kll_sketch_get_rank_bigint", _c(sketch, "sketch"), _c(quantile, "quantile"))


def kll_sketch_get_rank_float(sketch, quantile) -> Column:
    """Spark SQL ``kll_sketch_get_rank_float``."""
    return _invoke("kll_sketch_get_rank_float", _c(sketch, "sketch"), _c(quantile, "quantile"))


def kll_sketch_get_rank_double(sketch, quantile) -> Column:
    """Spark SQL ``kll_sketch_get_rank_double``."""
    return _invoke("kll_sketch_get_rank_double", _c(sketch, "sketch"), _c(quantile, "quantile"))


def bitmap_bit_position(col) -> Column:
    """Spark SQL ``bitmap_bit_position``."""
    return _invoke("bitmap_bit_position", _c(col, "col"))


def bitmap_bucket_number(col) -> Column:
    """Spark SQL ``bitmap_bucket_number``."""
    return _invoke("bitmap_bucket_number", _c(col, "col"))


def bitmap_count(col) -> Column:
    """Spark SQL ``bitmap_count``."""
    return _invoke("bitmap_count", _c(col, "col"))


def bitmap_and_agg(col) -> Column:
    """Spark SQL ``bitmap_and_agg``."""
    return _invoke("bitmap_and_agg", _c(col, "col"))


# -- hand-written ----------------------------------------------------------------------------


def _flat(cols: tuple) -> tuple:
    if len(cols) == 1 and isinstance(cols[0], (list, tuple, set)):
        return tuple(cols[0])
    return cols


def array(*cols) -> Column:
    """An array of the columns' values (also given as one list)."""
    return _invoke("array", *_cols(_flat(cols)))


def struct(*cols) -> Column:
    """A struct of the columns: a field per column, named as the column (or its alias;
    ``col1``, ``col2``... for other expressions), as Spark's ``struct``."""
    fields = []
    for i, c in enumerate(_cols(_flat(cols)), start=1):
        tree = c._expr
        if isinstance(tree, E.Alias):
            name, tree = tree.alias, tree.this
        elif isinstance(tree, E.Column) and not isinstance(tree.this, E.Star):
            name = (tree.meta or {}).get("parts", [tree.name])[-1]
        elif isinstance(tree, E.Dot):
            name = tree.expression.name
        else:
            name = f"col{i}"
        fields.append(E.PropertyEQ(this=E.Identifier(this=name, quoted=True), expression=tree))
    return Column(E.Struct(expressions=fields))


def named_struct(*cols) -> Column:
    """A struct from name, value, name, value, ... columns."""
    return _invoke("named_struct", *_cols(cols))


def create_map(*cols) -> Column:
    """A map from key, value, key, value, ... columns."""
    return _invoke("map", *_cols(_flat(cols)))


def map_concat(*cols) -> Column:
    """The union of the maps (a duplicate key raises, as Spark's default policy)."""
    return _invoke("map_concat", *_cols(_flat(cols)))


def sort_array(col, asc=True) -> Column:
    """The array sorted (ascending: NULLs first; descending: NULLs last)."""
    return _invoke("sort_array", _c(col, "col"), _cl(bool(asc)))


def array_sort(col, comparator=None) -> Column:
    """The array sorted ascending, NULLs last (or by ``comparator(left, right)``)."""
    if comparator is None:
        return _invoke("array_sort", _c(col, "col"))
    return _hof("array_sort", _c(col, "col"), _lambda(comparator, "array_sort", 2))


def transform(col, f) -> Column:
    """Each element mapped by ``f(x)`` (or ``f(x, index)``)."""
    return _hof("transform", _c(col, "col"), _lambda(f, "transform", 2))


def exists(col, f) -> Column:
    """Whether ``f`` holds for some element."""
    return _hof("exists", _c(col, "col"), _lambda(f, "exists", 1))


def forall(col, f) -> Column:
    """Whether ``f`` holds for every element."""
    return _hof("forall", _c(col, "col"), _lambda(f, "forall", 1))


def filter(col, f) -> Column:
    """The elements for which ``f(x)`` (or ``f(x, index)``) holds."""
    return _hof("filter", _c(col, "col"), _lambda(f, "filter", 2))


def aggregate(col, initialValue, merge, finish=None) -> Column:
    """The elements folded with ``merge(acc, x)`` from ``initialValue``, then ``finish``."""
    args = [_c(col, "col"), _c(initialValue, "initialValue"), _lambda(merge, "aggregate", 2)]
    if finish is not None:
        args.append(_lambda(finish, "aggregate", 1))
    return _hof("aggregate", *args)


def reduce(col, initialValue, merge, finish=None) -> Column:
    """``aggregate`` under its other name."""
    args = [_c(col, "col"), _c(initialValue, "initialValue"), _lambda(merge, "reduce", 2)]
    if finish is not None:
        args.append(_lambda(finish, "reduce", 1))
    return _hof("reduce", *args)


def zip_with(left, right, f) -> Column:
    """The two arrays merged element-wise by ``f(x, y)``."""
    return _hof("zip_with", _c(left, "left"), _c(right, "right"), _lambda(f, "zip_with", 2))


def transform_keys(col, f) -> Column:
    """The map with each key replaced by ``f(k, v)``."""
    return _hof("transform_keys", _c(col, "col"), _lambda(f, "transform_keys", 2))


def transform_values(col, f) -> Column:
    """The map with each value replaced by ``f(k, v)``."""
    return _hof("transform_values", _c(col, "col"), _lambda(f, "transform_values", 2))


def map_filter(col, f) -> Column:
    """The entries of the map for which ``f(k, v)`` holds."""
    return _hof("map_filter", _c(col, "col"), _lambda(f, "map_filter", 2))


def map_zip_with(col1, col2, f) -> Column:
    """The two maps merged by key with ``f(k, v1, v2)``."""
    return _hof("map_zip_with", _c(col1, "col1"), _c(col2, "col2"), _lambda(f, "map_zip_with", 3))


def explode(col) -> Column:
    """One row per element of an array (column ``col``) or entry of a map (``key``,
    ``value``)."""
    return _invoke("explode", _c(col, "col"))


def explode_outer(col) -> Column:
    """``explode``, with a NULL row for a NULL or empty collection."""
    return _invoke("explode_outer", _c(col, "col"))


def posexplode(col) -> Column:
    """``explode`` with the position: columns ``pos`` and ``col`` (or ``key``, ``value``)."""
    return _invoke("posexplode", _c(col, "col"))


def posexplode_outer(col) -> Column:
    """``posexplode``, with a NULL row for a NULL or empty collection."""
    return _invoke("posexplode_outer", _c(col, "col"))


def inline(col) -> Column:
    """One row per struct of an array of structs, a column per field."""
    return _invoke("inline", _c(col, "col"))


def inline_outer(col) -> Column:
    """``inline``, with a NULL row for a NULL or empty array."""
    return _invoke("inline_outer", _c(col, "col"))


def stack(*cols) -> Column:
    """``stack(n, v1, v2, ...)``: the values as ``n`` rows (columns ``col0``, ``col1``...)."""
    return _invoke("stack", *[_cn(c) for c in cols])


def json_tuple(col, *fields) -> Column:
    """The top-level ``fields`` of a JSON string, one column each (``c0``, ``c1``...)."""
    if not fields:
        raise _error(PySparkValueError, "CANNOT_BE_EMPTY", item="field")
    return _invoke("json_tuple", _c(col, "col"), *[_cl(f) for f in fields])


def from_json(col, schema, options=None) -> Column:
    """The JSON string parsed with ``schema`` (a DataType, DDL string or Column)."""
    return _invoke_opt("from_json", _c(col, "col"), _schema(schema), _options(options))


def from_csv(col, schema, options=None) -> Column:
    """The CSV string parsed with ``schema`` (a DDL string or Column)."""
    return _invoke_opt("from_csv", _c(col, "col"), _schema(schema), _options(options))


def from_xml(col, schema, options=None) -> Column:
    """The XML string parsed with ``schema``."""
    return _invoke_opt("from_xml", _c(col, "col"), _schema(schema), _options(options))


def to_json(col, options=None) -> Column:
    """The struct, map or array as a JSON string."""
    return _invoke_opt("to_json", _c(col, "col"), _options(options))


def to_csv(col, options=None) -> Column:
    """The struct as a CSV string."""
    return _invoke_opt("to_csv", _c(col, "col"), _options(options))


def to_xml(col, options=None) -> Column:
    """The struct as an XML string."""
    return _invoke_opt("to_xml", _c(col, "col"), _options(options))


def schema_of_json(json, options=None) -> Column:
    """The DDL schema Spark infers for a JSON string (a literal or Column)."""
    return _invoke_opt("schema_of_json", _cl(json), _options(options))


def schema_of_csv(csv, options=None) -> Column:
    """The DDL schema Spark infers for a CSV string."""
    return _invoke_opt("schema_of_csv", _cl(csv), _options(options))


def schema_of_xml(xml, options=None) -> Column:
    """The DDL schema Spark infers for an XML string."""
    return _invoke_opt("schema_of_xml", _cl(xml), _options(options))


__all__ += [
    "array",
    "struct",
    "named_struct",
    "create_map",
    "map_concat",
    "sort_array",
    "array_sort",
    "transform",
    "exists",
    "forall",
    "filter",
    "aggregate",
    "reduce",
    "zip_with",
    "transform_keys",
    "transform_values",
    "map_filter",
    "map_zip_with",
    "explode",
    "explode_outer",
    "posexplode",
    "posexplode_outer",
    "inline",
    "inline_outer",
    "stack",
    "json_tuple",
    "from_json",
    "from_csv",
    "from_xml",
    "to_json",
    "to_csv",
    "to_xml",
    "schema_of_json",
    "schema_of_csv",
    "schema_of_xml",
]
