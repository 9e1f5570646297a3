"""SimpleApp: the quick start's self-contained application (docs/quick-start.md).

Counts the lines of a text file that contain an "a" and those that contain a "b".

Run:  sparklet-submit --master "local[4]" examples/simple_app.py [README.md]
"""

import sys

from sparklet import SparkConf, SparkContext


def main(argv: list[str]) -> None:
    log_file = argv[1] if len(argv) > 1 else "README.md"  # any text file on your system
    # No master here: sparklet-submit's --master sets it (local[*] without one).
    sc = SparkContext(conf=SparkConf().setAppName("SimpleApp"))
    log_data = sc.textFile(log_file).cache()  # read twice below: keep it in memory

    num_as = log_data.filter(lambda line: "a" in line).count()
    num_bs = log_data.filter(lambda line: "b" in line).count()

    print("Lines with a: %i, lines with b: %i" % (num_as, num_bs))
    sc.stop()


if __name__ == "__main__":
    main(sys.argv)
