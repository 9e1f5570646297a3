"""Connectors through a word count: each source's DStream against its client's plain loop.

For every module ``bench/connectors/<name>.py`` (or the names given on the command line)
the runner starts the module's service (a module whose client library is missing or whose
service does not start here is reported as skipped, with the reason), generates
``--records`` corpus-like lines (~10 Zipf-distributed words each: bench/_common.py's
generator) and measures records/s of:

* ``plain`` -- the client library's own consume loop reading the N records
  (``plain_consume``: the limit, no engine at all), the median of ``--repeat`` runs;
* ``stream`` -- sparklet's stream of the connector (``stream(ctx, ssc)``) into a word count
  (flatMap(split) -> map((w, 1)) -> reduceByKey(add), the counts collected into the driver
  and checked against a ``Counter`` of the lines), ``local[2]``, ``--batch`` 1 s batches,
  stopped by hand once a ``StreamingListener`` summing the batches' ``numRecords`` has seen
  all N. ``stream rec/s`` is N over the wall time from ``ssc.start()`` to the completion of
  the batch that counted the last record (so it includes the receiver's start and the
  batch interval's granularity); ``proc rec/s`` is N over the sum of the batches'
  processing delays (the engine's own cost); ``CPU s`` the CPU seconds of the bench's
  process tree (driver and executors; a service started in-process counts too) over the
  run. With the write-ahead log off, and with ``--wal`` also on
  (``spark.streaming.receiver.writeAheadLog.enable``, a checkpoint directory in a
  temporary directory) for the modules that say ``RELIABLE = True``; ``--wal-all`` for
  every module.

A module defines (the contract of SPEC-CONNECTORS.md)::

    NAME = "<name>"
    def start() -> dict                         # start the service, return a context
    def fill(ctx, lines: list[str]) -> None     # put the lines into the source
    def plain_consume(ctx, n: int) -> float     # the plain client loop; seconds for n
    def stream(ctx, ssc) -> DStream             # the connector's DStream of str lines
    def stop(ctx) -> None
    PUSH = True        # optional: fill while the consumer runs (ZeroMQ, sockets, ...)
    RELIABLE = True    # optional: a reliable receiver (measured with the WAL on by --wal)

Order of calls: for a pull source, ``fill`` before each plain run and before each stream
(the records wait in the source); for a push source (``PUSH``), ``plain_consume`` runs on
a thread of its own while the runner calls ``fill``, and the stream is started before
``fill``. Modules are loaded by path (``bench/connectors`` is never put on ``sys.path``:
``socket.py`` there must not shadow the standard library's).

The machine is shared and has 2 cores: quote medians and ratios, not single figures.

    .venv/bin/python bench/connectors.py                       # every module, 100k lines
    .venv/bin/python bench/connectors.py socket --records 20000 --repeat 3
    .venv/bin/python bench/connectors.py --wal --json /tmp/connectors.json
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from operator import add
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common  # noqa: E402  (bench/ is not a package; path set just above)
import rdd_wordcount  # noqa: E402  (reused: sparklet import with the src/ fallback)

MODULES_DIR = Path(__file__).resolve().parent / "connectors"
REQUIRED = ("NAME", "start", "fill", "plain_consume", "stream", "stop")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*",
                   help="connector modules, or paths of .py files (default: all found)")
    p.add_argument("--records", type=int, default=100_000, help="lines per run")
    p.add_argument("--repeat", type=int, default=3, help="plain consume runs (median)")
    p.add_argument("--stream-repeat", type=int, default=1, help="stream runs per variant")
    p.add_argument("--batch", type=float, default=1.0, help="batch interval, seconds")
    p.add_argument("--wal", action="store_true",
                   help="also run the reliable receivers with the write-ahead log on")
    p.add_argument("--wal-all", action="store_true",
                   help="also run every connector with the write-ahead log on")
    p.add_argument("--timeout", type=float, default=600.0,
                   help="seconds a stream run may take to count every record")
    p.add_argument("--json", help="also write the results to this JSON file")
    return p.parse_args(argv)


def available() -> list[str]:
    return sorted(p.stem for p in MODULES_DIR.glob("*.py") if not p.stem.startswith("_"))


def load(name: str) -> ModuleType:
    path = Path(name) if name.endswith(".py") else MODULES_DIR / f"{name}.py"
    if not path.exists():
        raise SystemExit(f"no connector module {path} (found: {', '.join(available())})")
    spec = importlib.util.spec_from_file_location(f"bench_connector_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    missing = [attr for attr in REQUIRED if not hasattr(module, attr)]
    if missing:
        raise SystemExit(f"{path} lacks {', '.join(missing)}")
    return module


# -- the plain client loop -----------------------------------------------------------------


def plain_run(mod: ModuleType, ctx: dict, lines: list[str]) -> float:
    """Seconds the plain loop takes for ``len(lines)`` records (one run)."""
    n = len(lines)
    if not getattr(mod, "PUSH", False):
        mod.fill(ctx, lines)
        return mod.plain_consume(ctx, n)
    result: dict[str, Any] = {}

    def consume() -> None:
        try:
            result["seconds"] = mod.plain_consume(ctx, n)
        except BaseException as e:  # noqa: BLE001 - reported on the runner's thread
            result["error"] = e

    thread = threading.Thread(target=consume, daemon=True, name="plain-consume")
    thread.start()
    mod.fill(ctx, lines)
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["seconds"]


# -- the stream ----------------------------------------------------------------------------


def _listener_class():
    from sparklet.streaming import StreamingListener

    class Counting(StreamingListener):
        """Sums the completed batches' records; ``done`` once ``target`` are counted."""

        def __init__(self, target: int):
            self.target, self.records, self.batches = target, 0, 0
            self.processing_ms = 0
            self.done_at: float | None = None
            self.done = threading.Event()

        def onBatchCompleted(self, batchCompleted) -> None:
            info = batchCompleted.batchInfo()
            n = info.numRecords()
            self.records += n
            if n:
                self.batches += 1
                self.processing_ms += max(info.processingDelay(), 0)
            if self.records >= self.target and not self.done.is_set():
                self.done_at = time.perf_counter()
                self.done.set()

    return Counting


def stream_run(mod: ModuleType, ctx: dict, lines: list[str], batch: float, wal: bool,
               timeout: float) -> dict[str, Any]:
    """One stream run into a word count; raises if the counts are wrong or incomplete."""
    sparklet = rdd_wordcount.import_sparklet()
    from sparklet.streaming import StreamingContext

    n = len(lines)
    conf = sparklet.SparkConf().setMaster("local[2]").setAppName(f"bench-{mod.NAME}")
    if wal:
        conf.set("spark.streaming.receiver.writeAheadLog.enable", "true")
    sc = sparklet.SparkContext(conf=conf)
    checkpoint = tempfile.TemporaryDirectory(prefix="sparklet-bench-connectors-")
    try:
        ssc = StreamingContext(sc, batch)
        if wal:
            ssc.checkpoint(checkpoint.name)
        counted: Counter[str] = Counter()

        def collect(rdd) -> None:
            counted.update(dict(rdd.collect()))

        push = getattr(mod, "PUSH", False)
        if not push:
            mod.fill(ctx, lines)  # before the stream is made: it may name what fill made
        words = mod.stream(ctx, ssc).flatMap(str.split).map(lambda w: (w, 1))
        words.reduceByKey(add).foreachRDD(collect)
        listener = _listener_class()(n)
        ssc.addStreamingListener(listener)
        cpu_before = common.tree_cpu_seconds()
        start = time.perf_counter()
        ssc.start()
        try:
            if push:
                mod.fill(ctx, lines)
            finished = listener.done.wait(timeout)
            cpu = common.tree_cpu_seconds() - cpu_before
        finally:
            ssc.stop(stopSparkContext=False, stopGraceFully=False)
        if not finished:
            raise RuntimeError(f"{mod.NAME}: {listener.records} of {n} records counted in "
                               f"{timeout:.0f} s")
        expected = Counter(w for line in lines for w in line.split())
        if listener.records != n:
            raise common.MismatchError(f"{mod.NAME}: the batches counted {listener.records} "
                                       f"records, {n} were written")
        common.check_same_counts("stream", counted, "lines", expected)
        seconds = listener.done_at - start
        return {"records": listener.records, "seconds": seconds, "rps": n / seconds,
                "batches": listener.batches, "processing_s": listener.processing_ms / 1000,
                "proc_rps": common.ratio(n, listener.processing_ms / 1000),
                "cpu_s": cpu}
    finally:
        sc.stop()
        checkpoint.cleanup()


# -- one connector, all of it ----------------------------------------------------------------


def bench_connector(mod: ModuleType, args: argparse.Namespace,
                    log=print) -> dict[str, Any]:
    lines = common.generate_lines(args.records)
    n = len(lines)
    wal_variants = [False]
    if args.wal_all or (args.wal and getattr(mod, "RELIABLE", False)):
        wal_variants.append(True)
    try:
        ctx = mod.start()
    except Exception as e:  # noqa: BLE001 - a service that cannot start here is skipped
        reason = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        log(f"  {mod.NAME}: skipped, its service did not start ({reason})")
        return {"name": mod.NAME, "skipped": reason}
    try:
        plain = [plain_run(mod, ctx, lines) for _ in range(args.repeat)]
        plain_rps = n / statistics.median(plain)
        log(f"  {mod.NAME} plain: {plain_rps:,.0f} records/s (median of {len(plain)})")
        streams = {}
        for wal in wal_variants:
            runs = [stream_run(mod, ctx, lines, args.batch, wal, args.timeout)
                    for _ in range(args.stream_repeat)]
            best = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]  # the median
            best["runs"] = len(runs)
            streams["wal" if wal else "no_wal"] = best
            log(f"  {mod.NAME} stream (WAL {'on' if wal else 'off'}): "
                f"{best['rps']:,.0f} records/s, {best['batches']} batches")
    finally:
        mod.stop(ctx)
    return {"name": mod.NAME, "records": n, "push": bool(getattr(mod, "PUSH", False)),
            "reliable": bool(getattr(mod, "RELIABLE", False)),
            "plain": {"seconds": plain, "rps": plain_rps}, "stream": streams,
            "ratio": {k: common.ratio(v["rps"], plain_rps) for k, v in streams.items()}}


def table(results: list[dict[str, Any]]) -> str:
    rows = []
    for r in results:
        if "skipped" in r:
            rows.append([r["name"], "-", "-", "-", "-", "-", "skipped", "-", "-"])
            continue
        for variant, s in r["stream"].items():
            rows.append([r["name"], "on" if variant == "wal" else "off", f"{r['records']:,}",
                         f"{r['plain']['rps']:,.0f}", f"{s['rps']:,.0f}",
                         f"{s['proc_rps']:,.0f}" if s["proc_rps"] else "-",
                         f"{r['ratio'][variant]:.3g}", str(s["batches"]),
                         f"{s['cpu_s']:.2f}"])
    return common.format_table(["connector", "WAL", "records", "plain rec/s", "stream rec/s",
                                "proc rec/s", "stream/plain", "batches", "CPU s"], rows)


def run(args: argparse.Namespace, log=print) -> dict[str, Any]:
    names = args.names or available()
    results = []
    for name in names:
        try:
            mod = load(name)
        except ImportError as e:  # its client library is not installed here
            log(f"{name}: skipped ({e})")
            results.append({"name": name, "skipped": f"ImportError: {e}"})
            continue
        log(f"{mod.NAME}: {args.records:,} records, batch {args.batch:g} s")
        results.append(bench_connector(mod, args, log))
    return {"machine": common.machine_info(),
            "settings": {"records": args.records, "repeat": args.repeat,
                         "stream_repeat": args.stream_repeat, "batch_s": args.batch,
                         "master": "local[2]"},
            "results": results}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = run(args)
    print()
    print(table(report["results"]))
    print(f"(load average {report['machine']['loadavg_1m']}; stream rec/s: wall time from "
          "start to the last record counted; proc rec/s: over the batches' processing time)")
    for r in report["results"]:
        if "skipped" in r:
            print(f"{r['name']}: skipped -- {r['skipped']}")
    if args.json:
        common.write_json(args.json, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
