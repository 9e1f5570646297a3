"""The guide's Kinesis word count (examples/streaming/kinesis_word_count.py) run as a
program against moto: the counts it prints add up to the words of the stream's records."""

from __future__ import annotations

from example_helpers import LINES, WORDS, Example, counted_words
from kinesis_helpers import unique


def test_kinesis_word_count_example(kinesis):
    stream = kinesis.create(shards=2)
    kinesis.put(stream, [line.encode() for line in LINES], shards=2)
    with Example("kinesis_word_count.py", [unique("wordcount"), stream, kinesis.url,
                                           "us-east-1", "--batch", "0.5"],
                 env={"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}) \
            as example:
        counts = counted_words(example)
        assert example.stop() == 0
    assert counts == WORDS
