"""Spark SQL for sparklet: ``sparklet.sql`` mirrors ``pyspark.sql``.

This first slice holds the data types and :class:`Row`; it needs no optional dependency.

>>> from sparklet.sql import Row
>>> Row(name="Alice", age=11)
Row(name='Alice', age=11)
"""

from sparklet.sql.types import Row

__all__ = ["Row"]
