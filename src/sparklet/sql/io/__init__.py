"""Spark's file data sources (parquet, json, csv, text, orc) over Arrow and DuckDB.

- :func:`write` puts an Arrow table at a path the way Spark's ``DataFrameWriter`` does
  (``part-*`` files, ``_SUCCESS``, ``key=value`` partition directories, save modes).
- :func:`read` turns paths into a DuckDB relation text and the Spark schema Spark's
  ``DataFrameReader`` would give them.

One module per job: ``layout`` (directories, save modes, partition discovery), ``options``
(Spark's case-insensitive options), ``values`` (Java's number and datetime text),
``files`` (compression codecs), and one per format family: ``columnar`` (parquet, orc),
``jsonfmt``, ``csvfmt``, ``textfmt``.
"""

from sparklet.sql.io.reader import read
from sparklet.sql.io.writer import write

__all__ = ["read", "write"]
