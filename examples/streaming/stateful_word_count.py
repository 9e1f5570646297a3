"""Stateful word count (Spark's stateful_network_wordcount.py over a queue stream): a
running count per word across batches with updateStateByKey, starting from an initial
state; the same with mapWithState, which also emits each batch's updated counts.

    python examples/streaming/stateful_word_count.py
"""

import tempfile

from sparklet import SparkContext
from sparklet.streaming import StateSpec, StreamingContext

if __name__ == "__main__":
    sc = SparkContext(appName="PythonStreamingStatefulWordCount")
    ssc = StreamingContext(sc, 1)
    ssc.checkpoint(tempfile.mkdtemp(prefix="stateful-word-count-"))

    # RDD with initial state (key, value) pairs
    initialStateRDD = sc.parallelize([("hello", 1), ("world", 1)])

    def updateFunc(new_values, last_sum):
        return sum(new_values) + (last_sum or 0)

    batches = [["hello spark"], ["hello streaming world"], ["spark"]]
    lines = ssc.queueStream(batches)
    pairs = lines.flatMap(lambda line: line.split(" ")).map(lambda word: (word, 1))
    running_counts = pairs.updateStateByKey(updateFunc, initialRDD=initialStateRDD)
    running_counts.pprint()

    def track(word, one, state):
        total = (state.getOption() or 0) + one
        state.update(total)
        return (word, total)

    pairs.mapWithState(StateSpec.function(track)).pprint()

    # Stop once every queued batch has been counted.
    # (A list, not an Event: with checkpointing on, output functions must pickle.)
    processed = []

    def count_batch(rdd):
        processed.append(1)
    running_counts.foreachRDD(count_batch)

    ssc.start()
    while len(processed) < len(batches):
        ssc.awaitTerminationOrTimeout(0.1)
    ssc.stop(stopGraceFully=True)
