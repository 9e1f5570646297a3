"""Reading and writing the row formats' files, compressed as Spark's codecs name them.

JSON, CSV and text files go through Hadoop's codecs in Spark: the ``compression`` option
picks one for writing (``gzip`` → ``.gz``), and on reading the file's extension says how it
was compressed. The codecs the standard library has are supported here; the others
(``lz4``, ``snappy``) raise.
"""

from __future__ import annotations

import bz2
import gzip
import zlib

from sparklet.errors import AnalysisException, SparkRuntimeException

# Spark's short codec names → (file extension, compress function)
_CODECS = {
    "gzip": (".gz", lambda b: gzip.compress(b)),
    "bzip2": (".bz2", lambda b: bz2.compress(b)),
    "deflate": (".deflate", lambda b: zlib.compress(b)),
}
_NONE = ("none", "uncompressed")


def codec_extension(codec: str | None) -> str:
    """The file extension a codec adds (``""`` for none); an unknown codec raises."""
    name = (codec or "none").lower()
    if name in _NONE:
        return ""
    if name in _CODECS:
        return _CODECS[name][0]
    raise AnalysisException(message=(
        f"Codec [{codec}] is not available. Available codecs are bzip2, deflate, uncompressed, "
        "gzip, none."))


def write_bytes(path: str, data: bytes, codec: str | None) -> None:
    """Write ``data`` to ``path`` through ``codec``."""
    name = (codec or "none").lower()
    if name not in _NONE:
        data = _CODECS[name][1](data)
    with open(path, "wb") as f:
        f.write(data)


def read_bytes(path: str) -> bytes:
    """A file's bytes, decompressed by its extension as Hadoop's codec factory would."""
    with open(path, "rb") as f:
        data = f.read()
    lower = path.lower()
    if lower.endswith(".gz"):
        return gzip.decompress(data)
    if lower.endswith(".bz2"):
        return bz2.decompress(data)
    if lower.endswith(".deflate"):
        return zlib.decompress(data)
    return data


def read_text(path: str, encoding: str | None = None) -> str:
    """A file's text (UTF-8 unless ``encoding``); bytes that do not decode become U+FFFD."""
    return read_bytes(path).decode(encoding or "utf-8", errors="replace")


def is_compressed(path: str) -> bool:
    return path.lower().endswith((".gz", ".bz2", ".deflate"))


def unsupported_type(column: str, dtype, fmt: str) -> AnalysisException:
    """UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE, as Spark raises it for a type a format cannot hold."""
    params = {"columnName": f"`{column}`", "columnType": f'"{dtype.simpleString().upper()}"',
              "format": fmt.upper() if fmt != "text" else "Text"}
    message = (f"The {params['format']} datasource doesn't support the column "
               f"{params['columnName']} of the type {params['columnType']}.")
    return AnalysisException(message=message, errorClass="UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE",
                             messageParameters=params)


def malformed(record: str) -> SparkRuntimeException:
    """The FAILFAST error for a record that does not parse."""
    message = (f"Malformed records are detected in record parsing: {record}.\n"
               "Parse Mode: FAILFAST. To process malformed records as null result, try setting "
               "the option 'mode' as 'PERMISSIVE'.")
    return SparkRuntimeException(
        message=message, errorClass="MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION",
        messageParameters={"badRecord": record, "failFastMode": "FAILFAST"})


_REGISTERED = __import__("itertools").count()


def register_arrow(con, table) -> str:
    """Register an Arrow table on ``con`` under a fresh name; the name, quoted for SQL."""
    name = f"__sparklet_io_{next(_REGISTERED)}"
    con.register(name, table)
    return f'"{name}"'


_SCRATCH: list[str] = []


def scratch_directory() -> str:
    """A directory for this process's temporary input copies, removed at exit."""
    import atexit
    import shutil
    import tempfile

    if not _SCRATCH:
        _SCRATCH.append(tempfile.mkdtemp(prefix="sparklet-io-"))
        atexit.register(shutil.rmtree, _SCRATCH[0], True)
    return _SCRATCH[0]


def duckdb_readable(path: str) -> str:
    """``path``, or a decompressed copy of it when DuckDB's readers lack its codec (DuckDB
    reads gzip and zstd itself; bzip2 and deflate files are inflated to a scratch directory
    that lives as long as the process, since the relation reading them is lazy)."""
    lower = path.lower()
    if not lower.endswith((".bz2", ".deflate")):
        return path
    import os
    import tempfile

    base = os.path.basename(path).rsplit(".", 1)[0]
    fd, copy = tempfile.mkstemp(prefix="inflated-", suffix="-" + base, dir=scratch_directory())
    with os.fdopen(fd, "wb") as f:
        f.write(read_bytes(path))
    return copy
