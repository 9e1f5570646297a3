"""Streaming k-means, the MLlib guide's example: the model trains on the vectors of new
text files in one directory and predicts the cluster of the labeled points of new files in
another, printing ``(label, cluster)`` for every test point of every batch.

    python examples/streaming/streaming_kmeans.py <trainingDir> <testDir> <batchSeconds> \\
        [numClusters] [numDimensions]

Training files hold one vector a line, ``[x1,x2,x3]``; test files one labeled point a line,
``(label,[x1,x2,x3])``. Move each file into its directory once written (the streaming
guide's rule for file streams). The model starts from ``numClusters`` (default 2) random
centers of ``numDimensions`` (default 3) and runs until Ctrl-C, which stops it gracefully.
"""

from __future__ import annotations

import argparse

from sparklet import SparkConf, SparkContext
from sparklet.mllib.clustering import StreamingKMeans
from sparklet.mllib.linalg import Vectors
from sparklet.mllib.regression import LabeledPoint
from sparklet.streaming import StreamingContext


def parse(lp: str) -> LabeledPoint:
    """``(label,[x1,x2,...])`` as a LabeledPoint (the guide's parser)."""
    label = float(lp[lp.find("(") + 1: lp.find(",")])
    vec = Vectors.dense([float(x) for x in lp[lp.find("[") + 1: lp.find("]")].split(",")])
    return LabeledPoint(label, vec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trainingDir")
    parser.add_argument("testDir")
    parser.add_argument("batchSeconds", type=float)
    parser.add_argument("numClusters", nargs="?", type=int, default=2)
    parser.add_argument("numDimensions", nargs="?", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    conf = SparkConf().setMaster(args.master).setAppName("StreamingKMeansExample")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    ssc = StreamingContext(sc, args.batchSeconds)

    trainingData = ssc.textFileStream(args.trainingDir).map(Vectors.parse)
    testData = ssc.textFileStream(args.testDir).map(parse)

    model = StreamingKMeans(k=args.numClusters, decayFactor=1.0) \
        .setRandomCenters(args.numDimensions, 1.0, 0)
    model.trainOn(trainingData)
    model.predictOnValues(testData.map(lambda lp: (lp.label, lp.features))).pprint()

    ssc.start()
    try:
        ssc.awaitTermination()
    except KeyboardInterrupt:
        pass
    finally:
        ssc.stop(stopSparkContext=True, stopGraceFully=True)


if __name__ == "__main__":
    main()
