"""examples/streaming/rabbitmq_word_count.py run as a program against the real broker: the
counts it prints over its batches add up to the words of the messages published."""

from __future__ import annotations

from example_helpers import LINES, WORDS, Example, counted_words
from rabbitmq_helpers import amqp_url_fixture, publish, unique  # noqa: F401 - a fixture


def test_rabbitmq_word_count_example(amqp_url):
    name = unique("words")
    publish(amqp_url, [line.encode() for line in LINES], queue=name)  # waits in the queue
    with Example("rabbitmq_word_count.py", [amqp_url, name, "--batch", "0.5"]) as example:
        counts = counted_words(example)
        assert example.stop() == 0
    assert counts == WORDS
