"""Spark's file data sources (parquet, json, csv, text, orc) over Arrow and DuckDB.

- :func:`write` puts an Arrow table at a path the way Spark's ``DataFrameWriter`` does
  (``part-*`` files, ``_SUCCESS``, ``key=value`` partition directories, save modes).
- :func:`read` turns paths into a DuckDB relation text and the Spark schema Spark's
  ``DataFrameReader`` would give them.

One module per job: ``writer`` and ``reader`` (the two entry points), ``layout``
(directories, save modes, partition discovery and type inference), ``options`` (Spark's
case-insensitive options), ``values`` (Java's number strings, Spark's datetime patterns),
``files`` (compression codecs, registered Arrow tables, scratch copies), and one per format
family, each saying in its docstring which engine reads and writes it and why:
``columnar`` (parquet through DuckDB's ``read_parquet``, ORC through ``pyarrow.orc``),
``jsonfmt`` (Python, for Spark's inference and corrupt records), ``csvfmt`` (DuckDB's
``read_csv`` with Spark's parsing rules as SQL; univocity's escapes in Python), ``textfmt``.
"""

from sparklet.sql.io.reader import read
from sparklet.sql.io.writer import write

__all__ = ["read", "write"]
