"""examples/streaming/twitter_popular_tags.py run as a program against the local server:
it sets the rules it is given and prints the posts' hashtags, most used first."""

from __future__ import annotations

import re

from example_helpers import Example
from twitter_server import HOLD, TwitterServer, post


def test_twitter_popular_tags_example():
    server = TwitterServer()
    server.script(*[post(i, tags=("spark",) + (("python",) if i % 3 == 0 else ()))
                    for i in range(9)], HOLD)
    block: list[str] = []
    try:
        with Example("twitter_popular_tags.py", ["spark", "--bearer-token", "t",
                                                 "--api-url", server.url, "--batch", "0.5"]) \
                as example:
            while True:  # until a report holds every post: #spark 9, #python 3
                line = example.line()
                if line.startswith("Popular topics"):
                    block = [line]
                elif block:
                    block.append(line)
                    if block[1:] == ["#spark (9 posts)", "#python (3 posts)"]:
                        break
            assert example.stop() == 0
    finally:
        server.close()
    assert re.match(r"Popular topics in last \d+ seconds \(2 total\):", block[0])
    assert [(r["value"], r["tag"]) for r in server.rules] == [("spark", "sparklet")]
