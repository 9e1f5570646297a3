"""Windowed word count, the streaming guide's window example: word counts over the last
3 s, every 1 s, kept incrementally with an inverse function (which needs a checkpoint
directory). Input comes from a queue of generated lines so it runs anywhere.

    python examples/streaming/windowed_word_count.py
"""

import random
import tempfile
import time

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

    ssc.start()
    time.sleep(6)
    ssc.stop(stopGraceFully=True)
