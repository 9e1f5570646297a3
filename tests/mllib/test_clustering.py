"""KMeans and KMeansModel: the centers, costs and predictions real PySpark 3.5.3 gave
(tests/mllib/pyspark_reference/clustering.json), scikit-learn's and plain numpy's Lloyd's
iterations, seeded initializations on well-separated data, save/load and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from mllib_helpers import reference, sc_fixture  # noqa: F401

from sparklet.mllib.clustering import KMeans, KMeansModel, StreamingKMeansModel
from sparklet.mllib.linalg import DenseVector, SparseVector, Vectors
from sparklet.mllib.regression import LinearRegressionModel

REF = reference("clustering")


def _sorted_rows(centers) -> np.ndarray:
    return np.array(sorted([float(x) for x in c] for c in centers))


def _cost(points: np.ndarray, centers: np.ndarray) -> float:
    d2 = ((points[:, None, :] - centers[None, :, :]) ** 2).sum(-1)
    return float(d2.min(axis=1).sum())


@pytest.mark.parametrize("case", REF["kmeans_initial"],
                         ids=lambda c: "%s-%s" % (c["data"], c["kwargs"]))
def test_from_initial_model_equals_pyspark(sc, case):
    rdd = sc.parallelize(REF[case["data"]], 3)
    model = KMeans.train(rdd, len(case["initial"]), initialModel=KMeansModel(case["initial"]),
                         **case["kwargs"])
    assert model.k == len(case["initial"])
    assert all(isinstance(c, np.ndarray) for c in model.clusterCenters)
    np.testing.assert_allclose(np.array(model.clusterCenters), case["centers"], atol=1e-10)
    assert model.computeCost(rdd) == pytest.approx(case["cost"], rel=1e-10)
    assert model.predict(rdd).collect() == case["predictions"]


def test_sparse_input_equals_pyspark(sc):
    case = REF["kmeans_sparse"]
    vectors = [SparseVector(n, {int(i): v for i, v in d.items()}) for n, d in case["data"]]
    rdd = sc.parallelize(vectors, 2)
    model = KMeans.train(rdd, 3, maxIterations=20, initialModel=KMeansModel(case["initial"]))
    np.testing.assert_allclose(np.array(model.clusterCenters), case["centers"], atol=1e-12)
    assert model.computeCost(rdd) == pytest.approx(case["cost"], rel=1e-10)
    # the same points dense give the same model
    dense = sc.parallelize([v.toArray() for v in vectors], 3)
    again = KMeans.train(dense, 3, maxIterations=20, initialModel=KMeansModel(case["initial"]))
    np.testing.assert_allclose(np.array(again.clusterCenters), case["centers"], atol=1e-12)


def test_seeded_kmeans_parallel_finds_pysparks_clusters(sc):
    """Seeds cannot pick the points the JVM's generator picks; on four well-separated blobs
    the converged centers and cost are the ones PySpark found (with seed 7)."""
    expected = REF["kmeans_seeded"]["k-means||"]
    rdd = sc.parallelize(REF["separated"], 4)
    model = KMeans.train(rdd, 4, maxIterations=50, initializationMode="k-means||", seed=7)
    np.testing.assert_allclose(_sorted_rows(model.clusterCenters), expected["centers"],
                               atol=1e-9)
    assert model.computeCost(rdd) == pytest.approx(expected["cost"], rel=1e-9)
    # the same seed gives the same model
    again = KMeans.train(rdd, 4, maxIterations=50, initializationMode="k-means||", seed=7)
    np.testing.assert_array_equal(np.array(again.clusterCenters),
                                  np.array(model.clusterCenters))


def _lloyd_fixed_point(X: np.ndarray, C: np.ndarray) -> bool:
    labels = ((X[:, None, :] - C[None]) ** 2).sum(-1).argmin(1)
    return all(np.allclose(C[j], X[labels == j].mean(0), atol=1e-9)
               for j in range(len(C)) if (labels == j).any())


def test_seeded_random_initialization(sc):
    """"random" starts from k sampled points, so on four blobs a seed may start two centers
    in one blob and end in a local optimum (as Spark can). Every seed's model is a fixed
    point of Lloyd's iterations at least as costly as PySpark's; seeds that find the four
    blobs find PySpark's centers; a seed gives the same model every time."""
    expected = REF["kmeans_seeded"]["random"]
    X = np.array(REF["separated"])
    rdd = sc.parallelize(REF["separated"], 4)
    found = 0
    for seed in range(8):
        model = KMeans.train(rdd, 4, maxIterations=50, initializationMode="random",
                             seed=seed)
        C = np.array(model.clusterCenters)
        assert _lloyd_fixed_point(X, C), seed
        cost = model.computeCost(rdd)
        assert cost >= expected["cost"] * (1 - 1e-9), seed
        if cost < 2 * expected["cost"]:
            found += 1
            np.testing.assert_allclose(_sorted_rows(C), expected["centers"], atol=1e-9)
            assert cost == pytest.approx(expected["cost"], rel=1e-9)
    assert found >= 1
    first = KMeans.train(rdd, 4, initializationMode="random", seed=3)
    again = KMeans.train(rdd, 4, initializationMode="random", seed=3)
    np.testing.assert_array_equal(np.array(first.clusterCenters),
                                  np.array(again.clusterCenters))


def test_kmeans_parallel_finds_the_blobs_whatever_the_seed(sc):
    expected = REF["kmeans_seeded"]["k-means||"]
    rdd = sc.parallelize(REF["separated"], 3)
    for seed in (0, 1, 2, 3, None):
        model = KMeans.train(rdd, 4, seed=seed)
        np.testing.assert_allclose(_sorted_rows(model.clusterCenters), expected["centers"],
                                   atol=1e-9, err_msg="seed %s" % seed)


def test_lloyd_equals_scikit_learn(sc):
    sklearn_cluster = pytest.importorskip("sklearn.cluster")
    rng = np.random.RandomState(3)
    X = np.concatenate([rng.normal(loc=c, scale=1.5, size=(40, 3))
                        for c in ([0, 0, 0], [4, 4, 0], [0, 4, 4])])
    init = X[[0, 1, 2]]
    model = KMeans.train(sc.parallelize(X.tolist(), 4), 3, maxIterations=300, epsilon=0.0,
                         initialModel=KMeansModel(init))
    ref = sklearn_cluster.KMeans(3, init=init, n_init=1, max_iter=300, tol=0.0,
                                 algorithm="lloyd").fit(X)
    np.testing.assert_allclose(np.array(model.clusterCenters), ref.cluster_centers_,
                               atol=1e-10)
    assert model.computeCost(sc.parallelize(X.tolist(), 2)) == pytest.approx(ref.inertia_,
                                                                            rel=1e-9)
    assert model.predict(sc.parallelize(X.tolist(), 3)).collect() == ref.labels_.tolist()


def _numpy_cosine_lloyd(X, C, iterations):
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    for _ in range(iterations):
        labels = np.argmax(U @ (C / np.linalg.norm(C, axis=1, keepdims=True)).T, axis=1)
        for j in range(len(C)):
            if (labels == j).any():
                m = U[labels == j].mean(axis=0)
                C[j] = m / np.linalg.norm(m)
    return C


def test_cosine_centers_are_normalised_means_of_unit_vectors(sc):
    rng = np.random.RandomState(4)
    X = np.concatenate([rng.normal(loc=c, scale=0.3, size=(30, 2))
                        for c in ([5, 0.5], [0.5, 5], [-3, -3])])
    init = np.array([[1.0, 0.1], [0.1, 1.0], [-1.0, 0.0]])
    model = KMeans.train(sc.parallelize(X.tolist(), 3), 3, maxIterations=5, epsilon=0.0,
                         initialModel=KMeansModel(init), distanceMeasure="cosine")
    C = np.array(model.clusterCenters)
    np.testing.assert_allclose(np.linalg.norm(C, axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(C, _numpy_cosine_lloyd(X, init.copy(), 5), atol=1e-12)


def test_cosine_from_seeded_initialization_finds_the_directions(sc):
    """Three directions at any distance from the origin: cosine k-means groups by angle
    (euclidean k-means could not: the magnitudes overlap)."""
    rng = np.random.RandomState(9)
    directions = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]) / np.array(
        [[1.0], [1.0], [np.sqrt(2)]])
    groups = [d * rng.uniform(0.5, 20.0, size=(25, 1)) + 0.05 * rng.normal(size=(25, 2))
              for d in directions]
    X = np.concatenate(groups)
    expected = []
    for g in groups:
        m = (g / np.linalg.norm(g, axis=1, keepdims=True)).mean(axis=0)
        expected.append(m / np.linalg.norm(m))
    model = KMeans.train(sc.parallelize(X.tolist(), 3), 3, seed=4, distanceMeasure="cosine")
    np.testing.assert_allclose(_sorted_rows(model.clusterCenters), _sorted_rows(expected),
                               atol=1e-9)


def test_predict_and_cost_are_euclidean_even_for_a_cosine_model(sc):
    """As in PySpark: a cosine-trained model still predicts by squared euclidean distance.
    With ``maxIterations=0`` the (unnormalized) initial centers are the model's, so angle and
    euclidean distance disagree about [3, 1]."""
    model = KMeans.train(sc.parallelize([[3.0, 1.0]], 1), 2, maxIterations=0,
                         initialModel=KMeansModel([[10.0, 0.0], [0.0, 1.0]]),
                         distanceMeasure="cosine")
    C = np.array(model.clusterCenters)
    np.testing.assert_array_equal(C, [[10.0, 0.0], [0.0, 1.0]])
    x = np.array([3.0, 1.0])
    cosines = C @ x / np.linalg.norm(C, axis=1) / np.linalg.norm(x)
    assert int(np.argmax(cosines)) == 0  # nearest by angle
    assert model.predict(x) == 1  # nearest by euclidean distance
    pts = np.array([[3.0, 1.0], [9.0, 1.0]])
    assert model.computeCost(sc.parallelize(pts.tolist(), 2)) == pytest.approx(
        _cost(pts, C), rel=1e-12)
    # and one cosine iteration assigns [3, 1] to the first center, by angle
    one = KMeans.train(sc.parallelize([[3.0, 1.0], [0.0, 2.0]], 1), 2, maxIterations=1,
                       initialModel=KMeansModel(C), distanceMeasure="cosine")
    np.testing.assert_allclose(one.clusterCenters[0], x / np.linalg.norm(x), atol=1e-15)


def test_a_center_without_points_stays_put(sc):
    rdd = sc.parallelize(REF["data2"], 3)
    model = KMeans.train(rdd, 3, maxIterations=10,
                         initialModel=KMeansModel([[-50.0, -50.0], [2.0, 2.0], [3.0, 3.0]]))
    np.testing.assert_array_equal(model.clusterCenters[0], [-50.0, -50.0])
    assert 0 not in model.predict(rdd).collect()


def test_fewer_distinct_points_than_k(sc):
    rdd = sc.parallelize([[1.0, 1.0], [1.0, 1.0], [5.0, 5.0], [9.0, 0.0]] * 3, 4)
    for mode in ("random", "k-means||"):
        model = KMeans.train(rdd, 6, initializationMode=mode, seed=1)
        assert _sorted_rows(model.clusterCenters).tolist() == [[1, 1], [5, 5], [9, 0]], mode
        assert model.computeCost(rdd) == 0.0


def test_empty_partitions_and_more_partitions_than_points(sc):
    pts = [[0.0, 0.0], [0.0, 1.0], [10.0, 10.0], [10.0, 11.0], [10.0, 9.0]]
    model = KMeans.train(sc.parallelize(pts, 8), 2, seed=3)
    assert _sorted_rows(model.clusterCenters).tolist() == [[0.0, 0.5], [10.0, 10.0]]


def test_predict_accepts_vectors_lists_arrays_and_rdds(sc):
    model = KMeansModel([[0.0, 0.0], [4.0, 4.0]])
    assert model.k == 2
    assert model.predict([3.0, 3.5]) == 1
    assert model.predict(np.array([0.5, 1.0])) == 0
    assert model.predict(DenseVector([5.0, 5.0])) == 1
    assert model.predict(Vectors.sparse(2, {0: 1.0})) == 0
    assert model.predict(sc.parallelize([[0.0, 0.0], [4.0, 5.0]], 2)).collect() == [0, 1]
    # a tie goes to the first center, as PySpark's strict comparison does
    assert model.predict([2.0, 2.0]) == 0
    pts = np.array([[1.0, 2.0], [3.0, 3.0], [7.0, 1.0]])
    assert model.computeCost(sc.parallelize(pts.tolist(), 2)) == pytest.approx(
        _cost(pts, np.array([[0.0, 0.0], [4.0, 4.0]])), rel=1e-12)


def test_save_and_load_round_trip(sc, tmp_path):
    model = KMeans.train(sc.parallelize(REF["data2"], 2), 3, seed=5)
    path = str(tmp_path / "kmeans")
    model.save(sc, path)
    loaded = KMeansModel.load(sc, path)
    assert type(loaded) is KMeansModel and loaded.k == 3
    np.testing.assert_array_equal(np.array(loaded.clusterCenters),
                                  np.array(model.clusterCenters))
    # a streaming model saves as a KMeansModel, as PySpark's does
    streaming = StreamingKMeansModel([[1.0, 2.0], [3.0, 4.0]], [1.0, 2.0])
    streaming.save(sc, str(tmp_path / "streaming"))
    assert KMeansModel.load(sc, str(tmp_path / "streaming")).clusterCenters[1].tolist() == [
        3.0, 4.0]


def test_loading_another_model_class_fails_naming_both(sc, tmp_path):
    path = str(tmp_path / "linear")
    LinearRegressionModel(DenseVector([1.0, 2.0]), 0.5).save(sc, path)
    with pytest.raises(ValueError, match="KMeansModel.*LinearRegressionModel"):
        KMeansModel.load(sc, path)
    km = str(tmp_path / "km")
    KMeansModel([[0.0], [1.0]]).save(sc, km)
    with pytest.raises(ValueError, match="LinearRegressionModel.*KMeansModel"):
        LinearRegressionModel.load(sc, km)


def test_bad_input(sc):
    rdd = sc.parallelize(REF["data2"], 2)
    assert "trainKMeansModel" in REF["kmeans_mismatched_initial_error"]  # the JVM's require
    with pytest.raises(ValueError, match="mismatched cluster count"):
        KMeans.train(rdd, 2, initialModel=KMeansModel([[0.0, 0.0]]))
    with pytest.raises(TypeError, match="KMeansModel"):
        KMeans.train(rdd, 1, initialModel=[[0.0, 0.0]])
    for k in (0, -1):
        with pytest.raises(ValueError, match="must be positive"):
            KMeans.train(rdd, k)
    with pytest.raises(ValueError, match="initializationMode"):
        KMeans.train(rdd, 2, initializationMode="kmeans++")
    with pytest.raises(ValueError, match="distanceMeasure"):
        KMeans.train(rdd, 2, distanceMeasure="manhattan")
    with pytest.raises(ValueError, match="nonnegative"):
        KMeans.train(rdd, 2, maxIterations=-1)
    with pytest.raises(ValueError, match="empty"):
        KMeans.train(sc.parallelize([], 2), 2)
    with pytest.raises(Exception, match="same size"):
        KMeans.train(sc.parallelize([[1.0, 2.0], [1.0, 2.0, 3.0]], 1), 1, seed=1)
    with pytest.raises(Exception, match="a point has 3 features but the centers have 2"):
        KMeans.train(sc.parallelize([[1.0, 2.0, 3.0]], 1), 1,
                     initialModel=KMeansModel([[0.0, 0.0]]))
    with pytest.raises(Exception, match="zero-length"):
        KMeans.train(sc.parallelize([[0.0, 0.0], [1.0, 0.0]], 1), 1,
                     initialModel=KMeansModel([[1.0, 1.0]]), distanceMeasure="cosine")
    with pytest.raises(TypeError, match="RDD"):
        KMeans.train(REF["data2"], 2)
