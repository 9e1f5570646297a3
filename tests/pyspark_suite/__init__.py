"""PySpark's own unit tests run against sparklet: the ``pyspark`` -> ``sparklet`` import shim,
our replacements for ``pyspark.testing``, the not-applicable and expected-failure lists, and
the runner (``python tests/pyspark_suite/run.py`` or ``make test-pyspark``)."""
