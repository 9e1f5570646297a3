"""Our ``pyspark.testing``: replacements for the helpers PySpark's unit tests import."""
