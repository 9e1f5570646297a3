"""The guide's Kinesis word count (examples/streaming/kinesis_word_count.py) run as a
program against moto: the counts it prints add up to the words of the stream's records."""

from __future__ import annotations

from example_helpers import LINES, WORDS, Example, counted_words
from kinesis_helpers import unique

# The example reads its credentials from the default chain (the environment here), on the
# executors too, as Spark's does: under --backend=dask the app gets a Dask cluster of its own
# (SPARKLET_DASK_SCHEDULER empty), whose workers inherit the app's environment, where the
# suite's shared cluster's workers were started without these variables.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "SPARKLET_DASK_SCHEDULER": ""}


def test_kinesis_word_count_example(kinesis):
    stream = kinesis.create(shards=2)
    kinesis.put(stream, [line.encode() for line in LINES], shards=2)
    with Example("kinesis_word_count.py", [unique("wordcount"), stream, kinesis.url,
                                           "us-east-1", "--batch", "0.5"],
                 env=CREDENTIALS) as example:
        counts = counted_words(example)
        assert example.stop() == 0
    assert counts == WORDS
