"""examples/streaming/twitter_popular_tags.py run as a program against the local server:
it sets the rules it is given and prints the posts' hashtags, most used first."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

from receiver_helpers import WAIT
from twitter_server import HOLD, TwitterServer, post

REPO = Path(__file__).parents[3]
APP = REPO / "examples" / "streaming" / "twitter_popular_tags.py"


def test_twitter_popular_tags_example():
    server = TwitterServer()
    server.script(*[post(i, tags=("spark",) + (("python",) if i % 3 == 0 else ()))
                    for i in range(9)], HOLD)
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, str(APP), "spark", "--bearer-token", "t",
                             "--api-url", server.url, "--batch", "0.5"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env, start_new_session=True)
    out: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [out.put(line) for line in proc.stdout],
                     daemon=True).start()
    block: list[str] = []
    try:
        while True:  # until a report holds every post: #spark 9, #python 3
            line = out.get(timeout=WAIT).rstrip("\n")
            if line.startswith("Popular topics"):
                block = [line]
            elif block:
                block.append(line)
                if block[1:] == ["#spark (9 posts)", "#python (3 posts)"]:
                    break
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        server.close()
    assert re.match(r"Popular topics in last \d+ seconds \(2 total\):", block[0])
    assert [(r["value"], r["tag"]) for r in server.rules] == [("spark", "sparklet")]
    assert proc.returncode == 0
