"""Our ``pyspark.testing.streamingutils``.

PySpark's ``PySparkStreamingTestCase`` runs a real StreamingContext on the system clock: one
SparkContext per class (``spark.default.parallelism`` 1, a checkpoint dir), a new
StreamingContext of ``duration`` seconds per test, stopped (keeping the SparkContext) after
it; results are gathered by ``foreachRDD`` and awaited by polling with a ``timeout``
(30 s). No manual clock is involved, so this replacement does the same: it is the peer suite
of PySpark's tests, run as PySpark runs them.
"""

from __future__ import annotations

import tempfile
import time
import unittest

from sparklet import RDD, SparkConf, SparkContext
from sparklet.streaming import StreamingContext

should_test_kinesis = False
kinesis_requirement_message = "sparklet has no Kinesis assembly jar to test against"


class PySparkStreamingTestCase(unittest.TestCase):
    timeout = 30  # seconds
    duration = 0.5

    @classmethod
    def setUpClass(cls):
        conf = SparkConf().set("spark.default.parallelism", 1)
        cls.sc = SparkContext("local[4]", cls.__name__, conf=conf)
        cls.sc.setCheckpointDir(tempfile.mkdtemp())

    @classmethod
    def tearDownClass(cls):
        cls.sc.stop()

    def setUp(self):
        self.ssc = StreamingContext(self.sc, self.duration)

    def tearDown(self):
        if self.ssc is not None:
            self.ssc.stop(False)

    def wait_for(self, result, n):
        """Poll until ``result`` holds ``n`` items or ``timeout`` seconds pass."""
        deadline = time.time() + self.timeout
        while len(result) < n and time.time() < deadline:
            time.sleep(0.01)

    def _take(self, dstream, n):
        """Start the context and return the stream's first ``n`` elements."""
        results = []

        def take(_, rdd):
            if rdd and len(results) < n:
                results.extend(rdd.take(n - len(results)))

        dstream.foreachRDD(take)
        self.ssc.start()
        self.wait_for(results, n)
        return results

    def _collect(self, dstream, n, block=True):
        """Collect each non-empty batch into a list; start and wait for ``n`` of them unless
        ``block`` is False."""
        result = []

        def get_output(_, rdd):
            if rdd and len(result) < n:
                r = rdd.collect()
                if r:
                    result.append(r)

        dstream.foreachRDD(get_output)
        if not block:
            return result
        self.ssc.start()
        self.wait_for(result, n)
        return result

    def _test_func(self, input, func, expected, sort=False, input2=None):
        """Feed ``input`` (and ``input2``) as queue streams through ``func`` and compare the
        collected batches with ``expected``."""
        if not isinstance(input[0], RDD):
            input = [self.sc.parallelize(d, 1) for d in input]
        input_stream = self.ssc.queueStream(input)
        if input2 and not isinstance(input2[0], RDD):
            input2 = [self.sc.parallelize(d, 1) for d in input2]
        input_stream2 = self.ssc.queueStream(input2) if input2 is not None else None

        stream = func(input_stream, input_stream2) if input2 else func(input_stream)
        result = self._collect(stream, len(expected))
        if sort:
            self._sort_result_based_on_key(result)
            self._sort_result_based_on_key(expected)
        self.assertEqual(expected, result)

    def _sort_result_based_on_key(self, outputs):
        for output in outputs:
            output.sort(key=lambda x: x[0])
