"""The streaming guide's "DataFrame and SQL Operations" example
(examples/streaming/sql_network_wordcount.py): each batch's words through createDataFrame of
an RDD of Row, a temporary view and ``spark.sql`` must count exactly what a plain-Python count
of the words fed gives -- batches fed by queueStream on a manual clock, so nothing waits on
time; one run of the program itself over its ``--generate`` server, bounded by
``--seconds``."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from sparklet.streaming.testing import advance_batches

APP = Path(__file__).parents[2] / "examples" / "streaming" / "sql_network_wordcount.py"

BATCHES = [
    ["to be or not to be", "that is the question"],
    [],
    ["a a a"],
    ["the rest is silence", "the the"],
]


@pytest.fixture(scope="module")
def app():
    spec = importlib.util.spec_from_file_location("sql_network_wordcount", APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def model(lines: list[str]) -> dict[str, int]:
    """The plain-Python word count of a batch (the example splits on single spaces)."""
    return dict(Counter(w for line in lines for w in line.split(" ")))


def test_sql_counts_per_batch_equal_a_python_count(app, make_ssc):
    ssc = make_ssc(batch=1)
    seen: list[tuple[int, dict | None]] = []

    def report(time, rdd):
        counts = app.word_counts(rdd)
        rows = None if counts is None else {r.word: r.total for r in counts.collect()}
        if counts is not None:
            assert counts.dtypes == [("word", "string"), ("total", "bigint")]
        seen.append((round(time.timestamp() * 1000), rows))

    app.attach(ssc.queueStream([list(b) for b in BATCHES]), report)
    ssc.start()
    advance_batches(ssc, len(BATCHES))
    assert [t for t, _ in seen] == [1000, 2000, 3000, 4000]
    assert [rows for _, rows in seen] == [model(b) if b else None for b in BATCHES]


def test_show_prints_the_guide_table(app, make_ssc, capsys):
    ssc = make_ssc(batch=1)
    app.attach(ssc.queueStream([["a a a"], []]))
    ssc.start()
    advance_batches(ssc, 2)
    out = capsys.readouterr().out
    first, second = re.findall(r"^========= (.*) =========$", out, re.M)
    assert first.endswith(":01") and second.endswith(":02")
    assert ("+----+-----+\n|word|total|\n+----+-----+\n|   a|    3|\n+----+-----+\n"
            in out)


def test_session_is_one_instance_from_the_context_conf(app, sc):
    first = app.getSparkSessionInstance(sc.getConf())
    assert app.getSparkSessionInstance(sc.getConf()) is first
    assert first.sparkContext is sc


@pytest.mark.timeout(120)
def test_program_runs_with_generate_and_seconds():
    env = dict(os.environ, PYTHONUNBUFFERED="1",
               PYTHONPATH=str(Path(__file__).parents[2] / "src"))
    done = subprocess.run([sys.executable, str(APP), "--generate", "--rate", "50",
                           "--seconds", "3"], capture_output=True, text=True, env=env,
                          timeout=100)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("generating 50 lines/s on 127.0.0.1:")
    tables = re.findall(r"\|\s*word\|total\|\n\+-+\+-+\+\n((?:\|.*\|\n)+)", out)
    assert tables, out
    # every count is a positive integer of a word of the generated text
    from sparklet.sql import SparkSession  # noqa: F401 - the example's own dependency

    text_words = set(" ".join(_bundled_lines()).split(" "))
    for table in tables:
        for line in table.splitlines():
            word, total = (c.strip() for c in line.strip("|").split("|"))
            assert int(total) > 0
            assert word in text_words or word.endswith("...")  # show() cuts at 20


def _bundled_lines() -> list[str]:
    sys.path.insert(0, str(APP.parent))
    try:
        from line_server import bundled_lines
    finally:
        sys.path.pop(0)
    return bundled_lines()
