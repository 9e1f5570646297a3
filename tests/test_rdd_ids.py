"""RDD ids as PySpark numbers them: a chain of narrow transformations is one PipelinedRDD in
PySpark, which takes its id only when first used, so ``rdd.map(f).filter(g).id()`` is
``rdd.id() + 1`` (PySpark's test_rdd ``test_id``)."""


def test_a_pipelined_chain_takes_one_id_when_first_asked(sc):
    rdd = sc.parallelize(range(10))
    first = rdd.id()
    chained = rdd.map(str).filter(bool)
    assert chained.id() == first + 1
    assert chained.id() == first + 1  # stable once taken


def test_each_asked_step_gets_the_next_id(sc):
    rdd = sc.parallelize(range(4))
    a = rdd.map(str)
    assert a.id() == rdd.id() + 1
    b = a.filter(bool)
    assert b.id() == a.id() + 1


def test_an_rdd_shipped_without_being_asked_still_has_a_unique_cached_id(sc):
    rdd = sc.parallelize(range(8), 2).map(lambda x: x * 2).cache()
    assert rdd.count() == 8  # shipped to executors before anyone asked for its id
    assert sc._block_master.cached_partitions(rdd.id()) == 2
    other = sc.parallelize([1]).map(lambda x: x)
    assert other.id() != rdd.id()
    assert rdd.map(lambda x: x + 1).collect() == [x * 2 + 1 for x in range(8)]
    rdd.unpersist()
