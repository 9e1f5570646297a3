"""Streaming linear regression, the MLlib guide's example: the model trains on the labeled
points of new text files in one directory and predicts the labels of the points of new
files in another, printing ``(label, prediction)`` for every test point of every batch.

    python examples/streaming/streaming_linear_regression.py <trainingDir> <testDir> \\
        <batchSeconds> [numFeatures]

Both directories take files of one labeled point a line, ``(y,[x1,x2,x3])``; move each file
into its directory once written (the streaming guide's rule for file streams). The model
starts from zero weights of ``numFeatures`` (default 3), takes 50 gradient steps of size
0.1 on every training batch (StreamingLinearRegressionWithSGD's defaults) and runs until
Ctrl-C, which stops it gracefully.
"""

from __future__ import annotations

import argparse

from sparklet import SparkConf, SparkContext
from sparklet.mllib.linalg import Vectors
from sparklet.mllib.regression import LabeledPoint, StreamingLinearRegressionWithSGD
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
    parser.add_argument("numFeatures", nargs="?", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    conf = SparkConf().setMaster(args.master).setAppName("StreamingLinearRegressionExample")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    ssc = StreamingContext(sc, args.batchSeconds)

    trainingData = ssc.textFileStream(args.trainingDir).map(parse).cache()
    testData = ssc.textFileStream(args.testDir).map(parse)

    model = StreamingLinearRegressionWithSGD()
    model.setInitialWeights([0.0] * args.numFeatures)
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
