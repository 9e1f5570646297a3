"""Programs whose output was recorded from PySpark 3.5.3 (local[2], ManualClock advanced
through py4j one batch at a time, TZ=UTC) and must print the same here, byte for byte.

Recorded programs (data/*.out):

* first_program: 1 s batches of [0,1,2], [3,4,5], ...; pprint(2), window(3, 2),
  reduceByKeyAndWindow(add, sub, 5, 1), countByWindow(2, 1), updateStateByKey removing keys,
  reduceByKeyAndWindow(add, None, 3, 2). Shows: first batch at 1000 ms, windows at slide
  multiples only, partial first windows, empty windows printing no record, key order.
* parity: 0.5 s batches (``Time: 1970-01-01 00:00:00.500000``), incremental inverse windows
  over 10 batches, countByValueAndWindow, groupByKeyAndWindow, updateStateByKey with
  initialRDD and removal, join with a window, countByWindow of a window.
"""

from __future__ import annotations

import operator
import os
import time
from pathlib import Path

import pytest

from sparklet.streaming import StreamingContext
from sparklet.streaming.testing import advance_batches, use_manual_clock

DATA = Path(__file__).parent / "data"


@pytest.fixture
def utc():
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def make(sc, batch, tmp_path):
    ssc = StreamingContext(sc, batch)
    use_manual_clock(ssc)
    ssc.checkpoint(str(tmp_path / "ckpt"))
    return ssc


def test_first_program_prints_what_pyspark_printed(sc, tmp_path, capsys, utc):
    ssc = make(sc, 1, tmp_path)
    try:
        s = ssc.queueStream([sc.parallelize(list(range(i * 3, i * 3 + 3)), 2)
                             for i in range(6)])
        s.pprint(2)
        s.window(3, 2).pprint(20)
        s.map(lambda x: (x % 2, x)).reduceByKeyAndWindow(operator.add, operator.sub, 5,
                                                          1).pprint(20)
        s.countByWindow(2, 1).pprint()
        s.map(lambda x: (x % 3, 1)).updateStateByKey(
            lambda vs, st: None if st and st > 4 else sum(vs) + (st or 0)).pprint()
        s.map(lambda x: (x % 2, x)).reduceByKeyAndWindow(operator.add, None, 3, 2).pprint()
        ssc.start()
        advance_batches(ssc, 8)
    finally:
        ssc.stop(stopSparkContext=False)
        sc._checkpoint_dir = None
    assert capsys.readouterr().out == (DATA / "pyspark_3.5.3_first_program.out").read_text()


def test_parity_program_prints_what_pyspark_printed(sc, tmp_path, capsys, utc):
    ssc = make(sc, 0.5, tmp_path)
    try:
        data = [[(i * 7 + j) % 11 for j in range(i % 4 + 1)] for i in range(14)]
        s = ssc.queueStream([sc.parallelize(b, 2) for b in data])
        s.pprint(3)
        pairs = s.map(lambda x: (x % 3, x))
        pairs.reduceByKeyAndWindow(lambda a, b: a + b, lambda a, b: a - b, 5, 1).pprint(20)
        s.countByValueAndWindow(2, 1).transform(lambda r: r.sortByKey()).pprint(20)
        pairs.groupByKeyAndWindow(1.5, 0.5).mapValues(sorted).transform(
            lambda r: r.sortByKey()).pprint(20)
        pairs.updateStateByKey(lambda vs, st: (st or 0) + len(vs) if (st or 0) < 6 else None,
                               initialRDD=sc.parallelize([(5, 100)])).transform(
            lambda r: r.sortByKey()).pprint(20)
        pairs.join(pairs.window(1, 1)).count().pprint()
        s.window(2, 1).countByWindow(1, 1).pprint()
        ssc.start()
        advance_batches(ssc, 14)
    finally:
        ssc.stop(stopSparkContext=False)
        sc._checkpoint_dir = None
    assert capsys.readouterr().out == (DATA / "pyspark_3.5.3_parity.out").read_text()
