"""Apache Kafka: the direct stream and ``createRDD`` (``direct``, ``rdd``), the
receiver-based stream (``receiver``) and output to topics (``sink``). The public API is
:mod:`sparklet.streaming.kafka`, PySpark 2.4's module of the same name."""
