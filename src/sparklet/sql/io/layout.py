"""Spark's file layout: save modes, ``part-*`` files, ``key=value`` partition directories.

A DataFrame written to ``path`` is a directory of ``part-00000-<uuid>-c000.<ext>`` files and
an empty ``_SUCCESS`` marker; ``partitionBy("k")`` puts each row in ``path/k=<value>/`` (the
value as Spark casts it to a string, path-escaped; NULL and ``""`` become
``__HIVE_DEFAULT_PARTITION__``). Reading lists a path's files recursively, skipping names
that start with ``_`` or ``.`` (``_SUCCESS``, checksums, ``_temporary``), and turns the
``k=v`` directories above the data files back into columns whose types it infers as Spark
does: int, then bigint, decimal, double, date, timestamp, else string.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field

from sparklet.errors import AnalysisException, exception_for
from sparklet.sql import types as T

DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"
SAVE_MODES = ("append", "overwrite", "ignore", "error", "errorifexists", "default")

# The characters Spark escapes in partition directory names (ExternalCatalogUtils): the
# control characters and those that mean something in a path or a glob.
_ESCAPED = set(chr(c) for c in range(1, 0x20)) | set('"#%\'*/:=?\\\x7f{[]^')


def local_path(path: str) -> str:
    """A ``file:`` URI or a plain path as a local absolute path."""
    if path.startswith("file://"):
        path = path[len("file://"):]
    elif path.startswith("file:"):
        path = path[len("file:"):]
    return os.path.abspath(os.path.expanduser(path))


def qualified(path: str) -> str:
    """The path as Spark prints it in messages: ``file:/abs/path``."""
    return "file:" + local_path(path)


# ---------------------------------------------------------------- writing

def normalize_save_mode(mode: str | None) -> str:
    """Spark's save mode name (case-insensitive); an unknown one raises INVALID_SAVE_MODE."""
    name = "errorifexists" if mode is None else str(mode).lower()
    if name not in SAVE_MODES:
        raise exception_for("INVALID_SAVE_MODE", {"mode": f'"{mode}"'})
    return "errorifexists" if name in ("error", "default") else name


def prepare_output(path: str, mode: str) -> bool:
    """Apply save mode ``mode`` to the output directory; False when nothing is to be written.

    ``errorifexists`` raises PATH_ALREADY_EXISTS for an existing path, ``ignore`` skips the
    write, ``overwrite`` deletes what is there, ``append`` adds files next to the old ones.
    """
    mode = normalize_save_mode(mode)
    target = local_path(path)
    exists = os.path.lexists(target)
    if exists and mode == "errorifexists":
        raise exception_for("PATH_ALREADY_EXISTS", {"outputPath": qualified(path)})
    if exists and mode == "ignore":
        return False
    if exists and mode == "overwrite":
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)
        else:
            os.remove(target)
    os.makedirs(target, exist_ok=True)
    return True


def new_job_id() -> str:
    """The uuid that names one write job's files (as Spark's ``part-NNNNN-<uuid>-c000``)."""
    return str(uuid.uuid4())


def part_file_name(index: int, job_id: str, extension: str) -> str:
    """``part-00000-<job uuid>-c000<extension>`` (extension with its dot: ``.snappy.parquet``)."""
    return f"part-{index:05d}-{job_id}-c000{extension}"


def mark_success(path: str) -> None:
    """Write the empty ``_SUCCESS`` file a committed Spark job leaves."""
    with open(os.path.join(local_path(path), "_SUCCESS"), "wb"):
        pass


def escape_path_name(text: str) -> str:
    """Escape a partition value or name for a directory name, as Spark does (``%3A``)."""
    return "".join(f"%{ord(c):02X}" if c in _ESCAPED else c for c in text)


def unescape_path_name(text: str) -> str:
    """Undo :func:`escape_path_name` (``%XX`` with two hex digits; a lone ``%`` stays)."""
    return re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), text)


def partition_directory(names: list[str], texts: list[str | None]) -> str:
    """``k1=v1/k2=v2`` for partition values already cast to strings (None: the default)."""
    parts = []
    for name, text in zip(names, texts, strict=False):
        value = DEFAULT_PARTITION if text is None or text == "" else escape_path_name(text)
        parts.append(f"{escape_path_name(name)}={value}")
    return os.path.join(*parts)


# ---------------------------------------------------------------- listing input

_GLOB = re.compile(r"[*?\[{]")


def _hidden(name: str) -> bool:
    # Spark skips "_x" (but not "_k=v" partition directories) and ".x" (checksums, temps).
    return (name.startswith("_") and "=" not in name) or name.startswith(".") \
        or name.endswith("._COPYING_")


def _expand_braces(pattern: str) -> list[str]:
    """Hadoop's globs allow ``{a,b}``; Python's ``glob`` does not."""
    m = re.search(r"\{([^{}]*)\}", pattern)
    if not m:
        return [pattern]
    out = []
    for alt in m.group(1).split(","):
        out.extend(_expand_braces(pattern[:m.start()] + alt + pattern[m.end():]))
    return out


def list_input_files(paths: list[str]) -> list[tuple[str, str]]:
    """Each data file under ``paths`` with the base path partition discovery starts from.

    A directory is its own base path; a file's base path is its directory (so a file named
    directly has no partition columns). A missing path (or a glob matching nothing) raises
    PATH_NOT_FOUND.
    """
    out: list[tuple[str, str]] = []
    for path in paths:
        target = local_path(path)
        if _GLOB.search(path):
            matches = sorted({m for p in _expand_braces(target) for m in glob.glob(p)})
            matches = [m for m in matches if not _hidden(os.path.basename(m))]
        else:
            matches = [target] if os.path.exists(target) else []
        if not matches:
            raise exception_for("PATH_NOT_FOUND", {"path": qualified(path)})
        for match in matches:
            if os.path.isdir(match):
                out.extend((match, f) for f in _walk(match))
            else:
                out.append((os.path.dirname(match), match))
    return out


def _walk(directory: str) -> list[str]:
    files = []
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        files.extend(os.path.join(root, n) for n in sorted(names) if not _hidden(n))
    return files


# ---------------------------------------------------------------- partition discovery

@dataclass
class Partitioning:
    """The partition columns found under the input paths and the files of each directory."""

    schema: T.StructType = field(default_factory=lambda: T.StructType([]))
    # (raw partition values of the directory, its files), in listing order
    groups: list[tuple[tuple[str | None, ...], list[str]]] = field(default_factory=list)


def _directory_spec(base: str, file: str) -> list[tuple[str, str]]:
    """The ``k=v`` directories right above ``file`` (up to ``base`` or a non-``k=v`` one)."""
    rel = os.path.relpath(os.path.dirname(file), base)
    if rel in (".", ""):
        return []
    spec: list[tuple[str, str]] = []
    for segment in reversed(rel.split(os.sep)):
        name, eq, value = segment.partition("=")
        if not eq or not name:
            break
        spec.append((unescape_path_name(name), value))
    return list(reversed(spec))


_INT = re.compile(r"[+-]?\d+")
_DOUBLE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?|[+-]?(NaN|Infinity)")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}:\d{2}(\.\d{1,9})?")


def infer_partition_type(raw: str | None) -> T.DataType:
    """The type Spark infers for one partition directory value (``spark.sql.sources.
    partitionColumnTypeInference.enabled``): int, bigint, decimal (no fraction), double,
    timestamp, date, else string; the default partition is NULL (void)."""
    if raw is None:
        return T.NullType()
    if _INT.fullmatch(raw):
        n = int(raw)
        if -2**31 <= n < 2**31:
            return T.IntegerType()
        if -2**63 <= n < 2**63:
            return T.LongType()
        digits = len(raw.lstrip("+-"))
        if digits <= 38:
            return T.DecimalType(digits, 0)
        return T.DoubleType()
    if _DOUBLE.fullmatch(raw):
        return T.DoubleType()
    if _TIMESTAMP.fullmatch(unescape_path_name(raw)) and _valid_date(raw[:10]):
        return T.TimestampType()
    if _DATE.fullmatch(raw) and _valid_date(raw):
        return T.DateType()
    return T.StringType()


def _valid_date(text: str) -> bool:
    import datetime

    try:
        y, m, d = (int(x) for x in text.split("-"))
        datetime.date(y, m, d)
        return True
    except ValueError:
        return False


_INTEGRAL_WIDTH = {T.IntegerType: 10, T.LongType: 20}


def merge_partition_types(a: T.DataType, b: T.DataType) -> T.DataType:
    """The type of a partition column whose directories infer ``a`` and ``b`` (Spark's
    ``findWiderTypeForPartitionColumn``: integers widen to bigint and decimal, int to
    double, date to timestamp; a double never meets a bigint or a decimal without
    precision loss, so those, like everything else, become string)."""
    if isinstance(a, T.NullType):
        return b
    if isinstance(b, T.NullType) or a == b:
        return a
    kinds = {type(a), type(b)}
    if kinds == {T.IntegerType, T.LongType}:
        return T.LongType()
    if kinds == {T.IntegerType, T.DoubleType}:
        return T.DoubleType()
    if T.DecimalType in kinds and kinds <= {T.DecimalType, T.IntegerType, T.LongType}:
        digits = [x.precision if isinstance(x, T.DecimalType) else _INTEGRAL_WIDTH[type(x)]
                  for x in (a, b)]
        return T.DecimalType(min(max(digits), 38), 0)
    if kinds == {T.DateType, T.TimestampType}:
        return T.TimestampType()
    return T.StringType()


def discover_partitions(files: list[tuple[str, str]], infer_types: bool = True,
                        user_schema: T.StructType | None = None) -> Partitioning:
    """Find the partition columns of ``files`` (from :func:`list_input_files`).

    Every data file must sit under the same partition column names; the types are inferred
    from all the values (``infer_types=False``: strings) unless the user's schema names a
    partition column, whose type it then gives.
    """
    specs = [(_directory_spec(base, f), f) for base, f in files]
    names: list[str] | None = None
    groups: dict[tuple, list[str]] = {}
    for spec, f in specs:
        these = [n for n, _ in spec]
        if names is None:
            names = these
        elif [n.lower() for n in these] != [n.lower() for n in names]:
            raise AnalysisException(message=(
                "Conflicting directory structures detected. Suspicious paths:\n\t"
                + "\n\t".join(sorted({os.path.dirname(x) for _, x in specs}))))
        values = tuple(None if v == DEFAULT_PARTITION else v for _, v in spec)
        groups.setdefault(values, []).append(f)
    names = names or []
    user = {f.name.lower(): f.dataType for f in (user_schema.fields if user_schema else [])}
    fields = []
    for i, name in enumerate(names):
        if name.lower() in user:
            dt = user[name.lower()]
        elif not infer_types:
            dt = T.StringType()
        else:
            dt = T.NullType()
            for values in groups:
                dt = merge_partition_types(dt, infer_partition_type(values[i]))
            if isinstance(dt, T.NullType):
                dt = T.StringType()
        fields.append(T.StructField(name, dt, True))
    return Partitioning(T.StructType(fields), list(groups.items()))


def partition_value_sql(raw: str | None, dt: T.DataType) -> str:
    """A DuckDB literal of partition directory value ``raw`` as type ``dt``."""
    from sparklet.sql.typemap import to_duckdb_type

    if raw is None:
        return f"CAST(NULL AS {to_duckdb_type(dt)})"
    text = unescape_path_name(raw)
    if isinstance(dt, T.DoubleType) and text[-1:] in "dDfF" and text[-1:] != "":
        text = text[:-1]
    literal = "'" + text.replace("'", "''") + "'"
    return f"TRY_CAST({literal} AS {to_duckdb_type(dt)})"

