"""QueueStream, as in Spark's examples: a stream fed from a list of RDDs, one per 1 s batch,
counting each number's remainder mod 10.

    python examples/streaming/queue_stream.py
"""

import time

from sparklet import SparkContext
from sparklet.streaming import StreamingContext

if __name__ == "__main__":
    sc = SparkContext(appName="PythonStreamingQueueStream")
    ssc = StreamingContext(sc, 1)

    # Create the queue through which RDDs can be pushed to a QueueInputDStream.
    rddQueue = [ssc.sparkContext.parallelize([j for j in range(1, 1001)], 10)
                for _ in range(5)]

    inputStream = ssc.queueStream(rddQueue)
    mappedStream = inputStream.map(lambda x: (x % 10, 1))
    reducedStream = mappedStream.reduceByKey(lambda a, b: a + b)
    reducedStream.pprint()

    ssc.start()
    time.sleep(6)
    ssc.stop(stopSparkContext=True, stopGraceFully=True)
