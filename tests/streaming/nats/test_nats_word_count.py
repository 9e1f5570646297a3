"""examples/streaming/nats_word_count.py run as a program against the real server: the
counts it prints over its batches add up to the words of the messages published."""

from __future__ import annotations

from example_helpers import LINES, WORDS, Example, counted_words
from nats_helpers import nats_url_fixture, publish, unique  # noqa: F401 - a fixture


def test_nats_word_count_example(nats_url):
    subject = unique("words.")
    # Published before the example starts: its new consumer reads the whole stream.
    publish(nats_url, subject, [line.encode() for line in LINES], stream=unique("W"))
    with Example("nats_word_count.py", [nats_url, subject, "--batch", "0.5"]) as example:
        counts = counted_words(example)
        assert example.stop() == 0
    assert counts == WORDS
