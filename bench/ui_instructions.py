"""The web UI's cost in instructions, not seconds: a streaming word count under callgrind.

Wall-clock comparisons of UI off and on (``bench/streaming.py --ui-overhead``) swing by tens
of percent on a shared 2-core machine. Instruction counts do not: valgrind's callgrind
counts them in every process (driver, executor daemon, executors), the same for the same
program whatever else the machine does. This runs one manual-clock streaming word count
(``--lines`` lines a batch) with the UI off, on, and on with an open Streaming page (the
five requests of ``pages/streaming.js`` once per batch, as a page polling every second
does for 1 s batches), each at ``--batches`` and twice that, and reports per batch (the
difference between the two lengths, so start-up is left out) and for start-up.

    .venv/bin/python bench/ui_instructions.py            # ~6 minutes: valgrind is ~50x slower
    .venv/bin/python bench/ui_instructions.py --batches 10 --lines 5000
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

APP = r'''
import random, sys, urllib.request
from sparklet import SparkConf, SparkContext
from sparklet.streaming import StreamingContext
from sparklet.streaming.testing import advance_batches, use_manual_clock

ui, n, lines, page = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "page"
random.seed(1)
words = ["w%d" % i for i in range(5000)]
batch = [" ".join(random.choice(words) for _ in range(10)) for _ in range(lines)]
sc = SparkContext(conf=SparkConf().setMaster("local[2]").setAppName("ui-instructions")
                  .set("spark.ui.enabled", ui).set("spark.ui.port", "0"))
ssc = StreamingContext(sc, 1)
use_manual_clock(ssc)
seen = []
(ssc.queueStream([batch] * n).flatMap(str.split).map(lambda w: (w, 1))
    .reduceByKey(lambda a, b: a + b).foreachRDD(lambda rdd: seen.append(len(rdd.collect()))))
ssc.start()
base = sc.uiWebUrl and sc.uiWebUrl + "/api/v1/applications/" + sc.applicationId
for _ in range(n):
    advance_batches(ssc, 1)
    if page:
        for path in ("/streaming/statistics", "/streaming/timeline?count=300",
                     "/streaming/receivers", "/streaming/batches", "/streaming/progress"):
            urllib.request.urlopen(base + path).read()
ssc.stop(True, False)
assert seen == [len(words)] * n or all(0 < s <= len(words) for s in seen), seen
'''

MODES = {"UI off": ("false", "nopage"), "UI on": ("true", "nopage"),
         "UI on, page open": ("true", "page")}


def instructions(script: str, mode: tuple[str, str], batches: int, lines: int,
                 out_dir: str) -> tuple[int, int]:
    """(driver, all processes) instruction counts of one run."""
    tag = "%s-%s-%d" % (mode[0], mode[1], batches)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    cmd = ["valgrind", "--tool=callgrind", "--trace-children=yes",
           f"--callgrind-out-file={out_dir}/{tag}.%p", sys.executable, script, mode[0],
           str(batches), str(lines), mode[1]]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
    if run.returncode != 0:
        raise RuntimeError(f"{tag} failed:\n{run.stderr[-3000:]}")
    commands = dict(re.findall(r"==(\d+)== Command: (.*)", run.stderr))
    refs = {pid: int(n.replace(",", ""))
            for pid, n in re.findall(r"==(\d+)== I\s+refs:\s+([\d,]+)", run.stderr)}
    driver = next(pid for pid, c in commands.items() if c.endswith(
        " ".join([script, *cmd[-4:]])))
    return refs[driver], sum(refs.values())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batches", type=int, default=20)
    p.add_argument("--lines", type=int, default=10000, help="lines per batch (10000)")
    args = p.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian package valgrind)", file=sys.stderr)
        return 2
    out_dir = tempfile.mkdtemp(prefix="ui-instructions-")
    script = os.path.join(out_dir, "app.py")
    with open(script, "w") as f:
        f.write(APP)
    jobs = [(name, mode, n) for name, mode in MODES.items()
            for n in (args.batches, 2 * args.batches)]
    with ThreadPoolExecutor(2) as pool:
        counts = dict(zip([(name, n) for name, _, n in jobs],
                          pool.map(lambda j: instructions(script, j[1], j[2], args.lines,
                                                          out_dir), jobs), strict=True))
    shutil.rmtree(out_dir, ignore_errors=True)
    n1, n2 = args.batches, 2 * args.batches
    per_batch = {name: ((counts[name, n2][0] - counts[name, n1][0]) / n1,
                        (counts[name, n2][1] - counts[name, n1][1]) / n1) for name in MODES}
    startup = {name: counts[name, n1][0] - n1 * per_batch[name][0] for name in MODES}
    base_driver, base_total = per_batch["UI off"]
    print(f"\nstreaming word count, {args.lines} lines a batch, local[2]; instructions "
          f"(callgrind, every process), per batch from {n1} vs {n2} batches\n")
    print("| mode | driver M/batch | all processes M/batch | UI cost per batch | "
          "driver start-up M |\n|---|---:|---:|---:|---:|")
    for name in MODES:
        d, t = per_batch[name]
        print(f"| {name} | {d / 1e6:.1f} | {t / 1e6:.1f} | "
              f"{(t - base_total) / base_total * 100:+.1f}% | {startup[name] / 1e6:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
