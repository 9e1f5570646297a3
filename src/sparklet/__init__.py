"""sparklet: Apache Spark's programming model -- RDDs and Spark Streaming -- in pure Python.

A PySpark program runs on sparklet by changing ``pyspark`` to ``sparklet`` in its imports.

>>> from sparklet import SparkContext
>>> sc = SparkContext.getOrCreate()
>>> counts = (sc.parallelize(["to be or", "not to be"])
...           .flatMap(lambda line: line.split())
...           .map(lambda word: (word, 1))
...           .reduceByKey(lambda a, b: a + b))
>>> sorted(counts.collect())
[('be', 2), ('not', 1), ('or', 1), ('to', 2)]
"""

from sparklet.accumulators import Accumulator, AccumulatorParam
from sparklet.barrier import RDDBarrier
from sparklet.broadcast import Broadcast
from sparklet.conf import SparkConf
from sparklet.context import SparkContext
from sparklet.errors import PythonException, SparkException
from sparklet.files import SparkFiles
from sparklet.partitioner import Partitioner, portable_hash
from sparklet.rdd import RDD
from sparklet.resultiterable import ResultIterable
from sparklet.serializer_api import CPickleSerializer, MarshalSerializer
from sparklet.statcounter import StatCounter
from sparklet.status import SparkJobInfo, SparkStageInfo, StatusTracker
from sparklet.storagelevel import StorageLevel
from sparklet.taskcontext import BarrierTaskContext, BarrierTaskInfo, TaskContext
from sparklet.threads import InheritableThread, inheritable_thread_target

__version__ = "0.1.0"

__all__ = [
    "SparkConf", "SparkContext", "RDD", "StorageLevel", "Broadcast", "Accumulator",
    "AccumulatorParam", "TaskContext", "SparkFiles", "StatCounter", "StatusTracker",
    "Partitioner", "portable_hash", "ResultIterable", "SparkException", "PythonException",
    "MarshalSerializer", "CPickleSerializer",
    "BarrierTaskContext", "BarrierTaskInfo", "RDDBarrier", "SparkJobInfo", "SparkStageInfo",
    "InheritableThread", "inheritable_thread_target",
]
