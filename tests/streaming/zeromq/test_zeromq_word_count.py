"""examples/streaming/zeromq_word_count.py run as a program against a real PUB socket:
once a probe has been counted (the subscription is live), the counts it prints add up to
the words of the lines published."""

from __future__ import annotations

from example_helpers import LINES, WORDS, Example, counted_words
from zeromq_helpers import publisher_fixture  # noqa: F401 - a fixture


def test_zeromq_word_count_example(publisher):
    with Example("zeromq_word_count.py", [publisher.url, "words", "--batch", "0.5"]) \
            as example:
        counts = counted_words(
            example, send_probe=lambda: publisher.send([b"words", b"probe"]),
            send_lines=lambda: publisher.send(*[[b"words", line.encode()] for line in LINES]))
        assert example.stop() == 0
    assert counts == WORDS
