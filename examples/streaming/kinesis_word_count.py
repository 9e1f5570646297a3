"""KinesisWordCountASL, the Spark Streaming + Kinesis guide's example: counts the words of
the records of a Kinesis stream in one-second batches, with one receiver whose shard
leases and checkpoints live in the DynamoDB table ``<appName>``.

    python examples/streaming/kinesis_word_count.py wordcount words \\
        https://kinesis.us-east-1.amazonaws.com us-east-1
    python examples/streaming/kinesis_word_count.py wordcount words \\
        http://127.0.0.1:5000 us-east-1 --generate      # against `moto_server -p 5000`

``--generate`` creates the stream if it is missing and puts lines of text into it from an
in-process producer (``--rate`` lines per second). Credentials come from boto3's default
chain (environment, ``~/.aws``...). Needs the Kinesis extra: ``pip install
'sparklet[kinesis]'``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sparklet import SparkConf, SparkContext  # noqa: E402
from sparklet.streaming import StreamingContext  # noqa: E402
from sparklet.streaming.kinesis import InitialPositionInStream, KinesisUtils  # noqa: E402


def client(endpoint: str, region: str):
    import boto3

    return boto3.client("kinesis", endpoint_url=endpoint, region_name=region)


def ensure_stream(endpoint: str, region: str, stream: str) -> None:
    kinesis = client(endpoint, region)
    try:
        kinesis.describe_stream_summary(StreamName=stream)
    except kinesis.exceptions.ResourceNotFoundException:
        kinesis.create_stream(StreamName=stream, ShardCount=2)
        kinesis.get_waiter("stream_exists").wait(StreamName=stream)


def generate(endpoint: str, region: str, stream: str, rate: float,
             stop: threading.Event) -> None:
    """Put the bundled text's lines into ``stream`` at ``rate`` lines/s until ``stop``."""
    from line_server import bundled_lines

    kinesis = client(endpoint, region)
    for i, line in enumerate(itertools.cycle(bundled_lines())):
        if stop.wait(1.0 / rate):
            break
        kinesis.put_record(StreamName=stream, Data=line.encode("utf-8"), PartitionKey=str(i))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("appName", help="the application: names the DynamoDB lease table")
    parser.add_argument("streamName")
    parser.add_argument("endpointUrl", help="e.g. https://kinesis.us-east-1.amazonaws.com")
    parser.add_argument("regionName", help="e.g. us-east-1")
    parser.add_argument("--generate", action="store_true",
                        help="put generated lines into the stream from an in-process producer")
    parser.add_argument("--rate", type=float, default=20.0,
                        help="lines per second from --generate")
    parser.add_argument("--latest", action="store_true",
                        help="start shards without a checkpoint at LATEST (default "
                             "TRIM_HORIZON)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop gracefully after this long (default: run until Ctrl-C)")
    parser.add_argument("--batch", type=float, default=1.0, help="batch interval (s)")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    stop, producer = threading.Event(), None
    if args.generate:
        ensure_stream(args.endpointUrl, args.regionName, args.streamName)
        producer = threading.Thread(target=generate, daemon=True, args=(
            args.endpointUrl, args.regionName, args.streamName, args.rate, stop))
        producer.start()
        print(f"putting {args.rate:g} lines/s into {args.streamName} at {args.endpointUrl}")

    conf = SparkConf().setMaster(args.master).setAppName("PythonStreamingKinesisWordCountAsl")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    ssc = StreamingContext(sc, args.batch)
    position = (InitialPositionInStream.LATEST if args.latest
                else InitialPositionInStream.TRIM_HORIZON)
    lines = KinesisUtils.createStream(ssc, args.appName, args.streamName, args.endpointUrl,
                                      args.regionName, position, 2)
    counts = (lines.flatMap(lambda line: line.split(" "))
              .map(lambda word: (word, 1))
              .reduceByKey(lambda a, b: a + b))
    counts.pprint()

    ssc.start()
    try:
        if args.seconds is None:
            ssc.awaitTermination()
        else:
            ssc.awaitTerminationOrTimeout(args.seconds)
    except KeyboardInterrupt:
        pass
    finally:
        ssc.stop(stopSparkContext=True, stopGraceFully=True)
        stop.set()
        if producer is not None:
            producer.join(15)


if __name__ == "__main__":
    main()
