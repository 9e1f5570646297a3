"""HdfsWordCount-style file stream: counts the words of new text files that appear in a
directory, every 2 s batch. With ``--demo`` the program writes a few files itself (moving
each into place, as the streaming guide asks) and stops after some batches.

    python examples/streaming/file_stream.py /tmp/incoming      # add files yourself
    python examples/streaming/file_stream.py --demo
"""

import os
import sys
import tempfile
import threading
import time

from sparklet import SparkContext
from sparklet.streaming import StreamingContext


def feed(directory: str) -> None:
    """Write three files, one per batch, atomically (write elsewhere, then rename)."""
    staging = tempfile.mkdtemp()
    for i, text in enumerate(["to be or not to be", "that is the question", "to be"]):
        time.sleep(2)
        tmp = os.path.join(staging, f"part-{i}.txt")
        with open(tmp, "w") as f:
            f.write(text + "\n")
        os.replace(tmp, os.path.join(directory, f"part-{i}.txt"))


if __name__ == "__main__":
    demo = "--demo" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--demo"]
    directory = args[0] if args else tempfile.mkdtemp(prefix="file-stream-")
    os.makedirs(directory, exist_ok=True)

    sc = SparkContext(appName="PythonStreamingHDFSWordCount")
    ssc = StreamingContext(sc, 2)
    lines = ssc.textFileStream(directory)
    counts = lines.flatMap(lambda line: line.split(" ")) \
                  .map(lambda x: (x, 1)) \
                  .reduceByKey(lambda a, b: a + b)
    counts.pprint()

    ssc.start()
    if demo:
        threading.Thread(target=feed, args=(directory,), daemon=True).start()
        ssc.awaitTerminationOrTimeout(9)
        ssc.stop(stopGraceFully=True)
    else:
        print(f"watching {directory} for new files (Ctrl-C to stop)")
        ssc.awaitTermination()
