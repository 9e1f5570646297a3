"""examples/streaming/mqtt_word_count.py run as a program against the real broker: once a
probe has been counted (the subscription is live), the counts it prints over its batches
add up to the words of the lines published."""

from __future__ import annotations

from example_helpers import LINES, WORDS, Example, counted_words
from mqtt_helpers import mqtt_url_fixture, publish, unique  # noqa: F401 - a fixture


def test_mqtt_word_count_example(mqtt_url):
    topic = unique("words")
    with Example("mqtt_word_count.py", [mqtt_url, topic, "--batch", "0.5"]) as example:
        counts = counted_words(example, send_probe=lambda: publish(mqtt_url, topic, ["probe"]),
                               send_lines=lambda: publish(mqtt_url, topic, LINES))
        assert example.stop() == 0
    assert counts == WORDS
