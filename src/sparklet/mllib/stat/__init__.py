"""Statistics on RDDs, as ``pyspark.mllib.stat``."""

from sparklet.mllib.stat._statistics import MultivariateStatisticalSummary, Statistics
from sparklet.mllib.stat.distribution import MultivariateGaussian
from sparklet.mllib.stat.KernelDensity import KernelDensity
from sparklet.mllib.stat.test import ChiSqTestResult, KolmogorovSmirnovTestResult

__all__ = [
    "Statistics",
    "MultivariateStatisticalSummary",
    "ChiSqTestResult",
    "KolmogorovSmirnovTestResult",
    "MultivariateGaussian",
    "KernelDensity",
]
