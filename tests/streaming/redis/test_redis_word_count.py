"""examples/streaming/redis_word_count.py run as a program against the real server: the
counts it prints over its batches add up to the words of the entries added."""

from __future__ import annotations

from example_helpers import LINES, WORDS, Example, counted_words
from redis_helpers import add, redis_url_fixture, unique  # noqa: F401 - a fixture


def test_redis_word_count_example(redis_url):
    key = unique("words")
    # Added before the example starts: its group starts at 0, the whole stream.
    add(redis_url, key, LINES)
    with Example("redis_word_count.py", [redis_url, key, "--start-id", "0", "--batch", "0.5"]) \
            as example:
        counts = counted_words(example)
        assert example.stop() == 0
    assert counts == WORDS
