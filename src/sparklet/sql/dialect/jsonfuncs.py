"""jsonfuncs rules of the Spark-on-DuckDB dialect (see the package docstring)."""

TRANSFORMS: dict = {}
FUNCTIONS: dict = {}
