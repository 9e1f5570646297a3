"""Windowed word count, the streaming guide's window example: word counts over the last
3 s, every 1 s, kept incrementally with an inverse function (which needs a checkpoint
directory). Input comes from a queue of generated lines so it runs anywhere.

    python examples/streaming/windowed_word_count.py
"""

import random
import tempfile

from sparklet import SparkContext
from sparklet.streaming import StreamingContext

if __name__ == "__main__":
    sc = SparkContext(appName="PythonStreamingWindowedWordCount")
    ssc = StreamingContext(sc, 1)
    ssc.checkpoint(tempfile.mkdtemp(prefix="windowed-word-count-"))

    rng = random.Random(7)
    words = ["spark", "stream", "window", "batch"]
    batches = [[" ".join(rng.choices(words, k=4)) for _ in range(3)] for _ in range(8)]

    lines = ssc.queueStream(batches)
    pairs = lines.flatMap(lambda line: line.split()).map(lambda w: (w, 1))
    windowed = pairs.reduceByKeyAndWindow(lambda a, b: a + b, lambda a, b: a - b, 3, 1)
    windowed.pprint()

    # Stop once every queued batch has been through a window (counted per batch).
    # (A list, not an Event: with checkpointing on, output functions must pickle.)
    processed = []

    def count_batch(rdd):
        processed.append(1)
    lines.foreachRDD(count_batch)

    ssc.start()
    while len(processed) < len(batches):
        ssc.awaitTerminationOrTimeout(0.1)
    ssc.stop(stopGraceFully=True)
