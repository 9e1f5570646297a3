"""Our ``pyspark.testing.sqlutils``: only what the chosen core test modules import from it."""

from pyspark_suite.pyspark_testing.utils import SPARK_HOME, have_pandas, have_pyarrow

__all__ = ["SPARK_HOME", "have_pandas", "have_pyarrow"]
