"""sparklet's internals shared across components, as Spark's ``org.apache.spark.internal``:
the registry of configuration entries (:mod:`sparklet.internal.config`) and the size and
duration grammar those entries are parsed with (:mod:`sparklet.internal.units`)."""
