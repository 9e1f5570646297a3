"""MLlib on sparklet's RDDs: ``pyspark.mllib`` name for name (optional extra ``sparklet[mllib]``).

Models train distributed, as Spark's: each partition computes its sufficient statistics or
gradient with numpy, and ``treeAggregate`` combines them, so training data never gathers on
the driver. The streaming models (``StreamingKMeans``, ``StreamingLinearRegressionWithSGD``,
``StreamingLogisticRegressionWithSGD``) update a model per batch of a DStream.
"""

try:
    import numpy  # noqa: F401
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError("sparklet.mllib needs numpy: pip install 'sparklet[mllib]'") from e
