"""MQTTWordCount: counts the words of the messages published to an MQTT topic, in
two-second batches (Apache Bahir's mqtt_wordcount.py).

    python examples/streaming/mqtt_word_count.py tcp://127.0.0.1:1883 words
    python examples/streaming/mqtt_word_count.py tcp://127.0.0.1:1883 words --generate

``topic`` is a topic filter (``sensors/#``). ``--generate`` publishes lines of text to the
topic from an in-process paho client (``--rate`` lines per second), so only a broker is
needed. Without it, publish yourself: ``mosquitto_pub -t words -m "to be or not to be"``.
Needs the MQTT extra: ``pip install 'sparklet[mqtt]'``.
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
from sparklet.streaming.mqtt import MQTTUtils  # noqa: E402


def generate(url: str, topic: str, rate: float, stop: threading.Event) -> None:
    """Publish the bundled text's lines to ``topic`` at ``rate`` lines/s until ``stop``."""
    import paho.mqtt.client as mqtt
    from line_server import bundled_lines

    host, port = url.split("://", 1)[1].rsplit(":", 1)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect(host, int(port))
    client.loop_start()
    for line in itertools.cycle(bundled_lines()):
        if stop.wait(1.0 / rate):
            break
        client.publish(topic, line, qos=1)
    client.disconnect()
    client.loop_stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("brokerUrl", help="the broker, tcp://host:port")
    parser.add_argument("topic", help="the topic (filter) to count the words of")
    parser.add_argument("--generate", action="store_true",
                        help="publish generated lines from an in-process client")
    parser.add_argument("--rate", type=float, default=20.0,
                        help="lines per second from --generate")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop gracefully after this long (default: run until Ctrl-C)")
    parser.add_argument("--batch", type=float, default=2.0, help="batch interval (s)")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    conf = SparkConf().setMaster(args.master).setAppName("MQTTWordCount")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    ssc = StreamingContext(sc, args.batch)

    lines = MQTTUtils.createStream(ssc, args.brokerUrl, args.topic)
    counts = (lines.flatMap(lambda line: line.split(" "))
              .map(lambda word: (word, 1))
              .reduceByKey(lambda a, b: a + b))
    counts.pprint()

    ssc.start()
    stop, producer = threading.Event(), None
    if args.generate:
        producer = threading.Thread(target=generate, daemon=True,
                                    args=(args.brokerUrl, args.topic, args.rate, stop))
        producer.start()
        print(f"publishing {args.rate:g} lines/s to {args.topic} at {args.brokerUrl}")
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
