"""State lineage between checkpoints: many short batches must not break task shipping."""

from __future__ import annotations

from sparklet.streaming.testing import advance_batches


def test_update_state_by_key_over_many_short_batches(make_ssc):
    # 0.1 s batches: the default data checkpoint interval (10 s) is 100 batches, so the
    # state's lineage grows about a hundred narrow steps deep between checkpoints.
    ssc = make_ssc(batch=0.1, checkpoint=True)
    sc = ssc.sparkContext
    batches = [sc.parallelize([("a", 1), ("b", i)], 2) for i in range(90)]
    totals = []
    (ssc.queueStream(batches)
        .updateStateByKey(lambda new, old: sum(new) + (old or 0))
        .foreachRDD(lambda rdd: totals.append(sorted(rdd.collect()))))
    ssc.start()
    advance_batches(ssc, 90)
    assert len(totals) == 90
    assert totals[-1] == [("a", 90), ("b", sum(range(90)))]
    assert totals[41] == [("a", 42), ("b", sum(range(42)))]
