"""Word count four ways: sparklet vs PySpark vs two plain-Python limits.

The job is the classic RDD word count,

    textFile -> flatMap(split) -> map((w, 1)) -> reduceByKey(add) -> collect

run on the same deterministic text file (10, 50, 200 MiB...) by

* sparklet, ``local[N]``, in this interpreter (what we are building);
* PySpark 3.5.3, ``local[N]``, in a subprocess of a private venv (what we imitate; JVM + py4j);
* the *same-work* limit: ``multiprocessing.Pool(N)`` over newline-aligned byte ranges, each
  worker making exactly the job's per-record user calls (the ``line.split()`` lambda per line,
  the ``(w, 1)`` lambda per word, ``operator.add`` into a map-side dict) with no engine at all,
  partial dicts merged in the driver with ``add``: what sparklet's overhead is measured from;
* the *Counter* limit: ``Pool(N)`` + ``collections.Counter`` over the decoded chunks, the fastest
  plain-Python word count (no per-record Python calls), the floor of any Python program here.

Each variant gets one warm-up and ``--repeat`` timed runs; the context (or pool) start-up is timed
separately. The machine has 2 cores and is shared, so we report medians and ratios, and all
results must be identical (the script exits non-zero otherwise).

    .venv/bin/python bench/rdd_wordcount.py              # 50 MiB, 3 repeats, all variants
    .venv/bin/python bench/rdd_wordcount.py --mb 10 50 200   # the sizes side by side
    .venv/bin/python bench/rdd_wordcount.py --mb 5 --skip-pyspark --json /tmp/wc.json
    .venv/bin/python bench/rdd_wordcount.py --profile    # where one map task's time goes
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing import Pool
from operator import add
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common  # noqa: E402  (bench/ is not a package; path set just above)

PYSPARK_VERSION = "3.5.3"
PYSPARK_REQUIREMENT = f"pyspark=={PYSPARK_VERSION}"
PYSPARK_VENV = common.BENCH_DIR / ".venv-pyspark"
PYSPARK_DRIVER = common.BENCH_DIR / "_pyspark_wordcount.py"
PYSPARK_TIMEOUT_S = 3600


@dataclass
class Variant:
    """Timings and output of one implementation; ``skipped`` holds the reason it did not run."""

    name: str
    label: str
    startup_s: float | None = None
    job_s: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)  # CPU seconds of the process tree per run
    counts: dict[str, int] | None = None
    skipped: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def median(self) -> float | None:
        """Median job time, the figure every comparison uses."""
        return common.summarize(self.job_s)["median"] if self.job_s else None

    @property
    def cpu_median(self) -> float | None:
        """Median CPU seconds per job (driver + workers), steadier than wall time under load."""
        return common.summarize(self.cpu_s)["median"] if self.cpu_s else None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; defaults reproduce the published figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mb", type=float, nargs="+", default=[50],
                   help="corpus size(s) in MiB, each run in turn (default 50)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per variant (default 3)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    p.add_argument("--cores", type=int, default=2, help="local[N] and Pool(N) (default 2)")
    p.add_argument("--skip-pyspark", action="store_true", help="do not run the PySpark variant")
    p.add_argument("--skip-sparklet", action="store_true", help="do not run the sparklet variant")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--profile", action="store_true",
                   help="instead of timing, cProfile one sparklet map task in-process "
                        "(threads backend, local[1]) on the first --mb size and print it")
    p.add_argument("--profile-lines", type=int, default=25,
                   help="functions listed by --profile (default 25)")
    args = p.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0 or args.cores < 1 or min(args.mb) <= 0:
        p.error("--repeat and --cores must be >= 1, --warmup >= 0, --mb > 0")
    return args


# --------------------------------------------------------------------------------------------
# The job, shared verbatim by sparklet and (in _pyspark_wordcount.py) PySpark
# --------------------------------------------------------------------------------------------


def word_count(sc, path: str) -> list[tuple[str, int]]:
    """The benchmarked RDD job; keep it textually identical to the PySpark driver's."""
    return (
        sc.textFile(path)
        .flatMap(lambda line: line.split())
        .map(lambda word: (word, 1))
        .reduceByKey(add)
        .collect()
    )


# --------------------------------------------------------------------------------------------
# Variant: plain-Python limit
# --------------------------------------------------------------------------------------------


def _count_range(task: tuple[str, int, int]) -> Counter[str]:
    """Count the words in one byte range of the file (runs in a pool worker).

    Decoding to ``str`` before splitting keeps the work the same as textFile's, which yields
    decoded lines; splitting bytes would be faster but would not be the same job.
    """
    path, start, end = task
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    return Counter(data.decode("utf-8").split())


def _pool_word_count(pool, tasks: list[tuple[str, int, int]]) -> dict[str, int]:
    """Count all chunks in the pool and merge the partial Counters as they arrive."""
    total: Counter[str] = Counter()
    for part in pool.imap_unordered(_count_range, tasks):
        total.update(part)
    return dict(total)


def run_limit(path: Path, cores: int, repeat: int, warmup: int) -> Variant:
    """Pool(cores) over 4 chunks per worker (evens out a noisy core), Counters merged in order."""
    v = Variant("limit", f"limit: Pool({cores})+Counter")
    tasks = [(str(path), a, b) for a, b in common.newline_aligned_ranges(path, cores * 4)]
    v.startup_s, pool = common.time_call(lambda: Pool(cores))
    try:
        job = lambda: _pool_word_count(pool, tasks)
        v.job_s, v.counts = common.time_repeats(job, repeat, warmup, v.cpu_s)
    finally:
        pool.close()
        pool.join()
    return v


# --------------------------------------------------------------------------------------------
# Variant: same-work limit (the job's per-record user calls, no engine)
# --------------------------------------------------------------------------------------------

# The job's user functions, defined as in word_count: one call per line, one per word, and the
# reduce function into the map-side dict for every word whose key was seen before.
_split_line = lambda line: line.split()  # noqa: E731  (the job's lambdas, kept as lambdas)
_pair = lambda word: (word, 1)  # noqa: E731


def _same_work_range(task: tuple[str, int, int]) -> dict[str, int]:
    """One byte range through the job's user calls into a map-side dict (in a pool worker).

    Lines come out as textFile's do (decoded, split at ``\\n``); the per-record calls are
    the RDD job's, in the shape a careful hand-written program gives them: builtin ``map`` and
    ``chain`` drive the lambdas, an ``in`` test picks first-seen keys.
    """
    path, start, end = task
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    lines = data.decode("utf-8").split("\n")
    if not lines[-1]:
        lines.pop()
    combined: dict[str, int] = {}
    for key, value in map(_pair, itertools.chain.from_iterable(map(_split_line, lines))):
        if key in combined:
            combined[key] = add(combined[key], value)
        else:
            combined[key] = value
    return combined


def _same_work_count(pool, tasks: list[tuple[str, int, int]]) -> dict[str, int]:
    """Map every range in the pool; merge the partial dicts in the driver with ``add``."""
    total: dict[str, int] = {}
    for part in pool.imap_unordered(_same_work_range, tasks):
        for key, value in part.items():
            total[key] = add(total[key], value) if key in total else value
    return total


def run_same_work(path: Path, cores: int, repeat: int, warmup: int) -> Variant:
    """Pool(cores) over 4 ranges per worker, the job's user calls per record."""
    v = Variant("same_work", f"same-work: Pool({cores})+user calls")
    tasks = [(str(path), a, b) for a, b in common.newline_aligned_ranges(path, cores * 4)]
    v.startup_s, pool = common.time_call(lambda: Pool(cores))
    try:
        v.job_s, v.counts = common.time_repeats(lambda: _same_work_count(pool, tasks), repeat,
                                                warmup, v.cpu_s)
    finally:
        pool.close()
        pool.join()
    return v


# --------------------------------------------------------------------------------------------
# Variant: sparklet (this project), in-process
# --------------------------------------------------------------------------------------------


def import_sparklet():
    """Import sparklet from the active environment, falling back to the checkout's src/.

    ``make bench`` runs with the project's venv (editable install); the fallback lets the bench
    run with any python 3.11 from a fresh checkout too. The fallback also goes into PYTHONPATH,
    because sparklet's executors are separate processes that must import sparklet themselves.
    """
    try:
        import sparklet
    except ImportError:
        src = str(common.REPO_ROOT / "src")
        sys.path.insert(0, src)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (src, os.environ.get("PYTHONPATH")) if p
        )
        import sparklet
    return sparklet


def run_sparklet(path: Path, cores: int, repeat: int, warmup: int) -> Variant:
    """Start a local[cores] SparkContext, then time the job; start-up is reported on its own."""
    v = Variant("sparklet", f"sparklet local[{cores}]")
    import_s, sparklet = common.time_call(import_sparklet)
    v.extra.update(import_s=import_s, module=os.path.dirname(sparklet.__file__))

    def start():
        conf = sparklet.SparkConf().setMaster(f"local[{cores}]").setAppName("bench-wordcount")
        sc = sparklet.SparkContext(conf=conf)
        if hasattr(sc, "setLogLevel"):
            sc.setLogLevel("ERROR")
        return sc

    v.startup_s, sc = common.time_call(start)
    try:
        v.job_s, result = common.time_repeats(lambda: word_count(sc, str(path)), repeat, warmup,
                                              v.cpu_s)
    finally:
        v.extra["stop_s"] = common.time_call(sc.stop)[0]
    v.counts = dict(result)
    return v


def profile_sparklet(path: Path, lines: int) -> str:
    """cProfile of one shuffle-map task of the word count, run in this process.

    The threads backend at local[1] runs tasks in the driver, so the profiler sees the task
    function (``run_task``: deserialising the lineage, reading lines, the narrow chain, the
    map-side combine, partitioning and the shuffle write) exactly as an executor runs it. The
    caller makes sure PYTHONHASHSEED=0, as in executors, so strings hash the executors' way. One
    unprofiled job first warms imports and the page cache.
    """
    sparklet = import_sparklet()
    from sparklet.backends import local_threads
    from sparklet.scheduler.task import SHUFFLE_MAP

    conf = (sparklet.SparkConf().setMaster("local[1]").setAppName("bench-wordcount-profile")
            .set("spark.sparklet.backend", "threads"))
    sc = sparklet.SparkContext(conf=conf)
    profiles: list[tuple[cProfile.Profile, float]] = []
    original = local_threads.run_task

    def profiled(task, binary, env):
        if task.kind != SHUFFLE_MAP or profiles:
            return original(task, binary, env)
        prof = cProfile.Profile()
        cpu = time.process_time()
        prof.enable()
        try:
            return original(task, binary, env)
        finally:
            prof.disable()
            profiles.append((prof, time.process_time() - cpu))

    try:
        word_count(sc, str(path))  # warm-up
        local_threads.run_task = profiled
        word_count(sc, str(path))
    finally:
        local_threads.run_task = original
        sc.stop()
    prof, cpu_s = profiles[0]
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    out.write(f"one map task of the word count of {path.name} "
              f"({cpu_s:.2f} CPU-s under the profiler)\n")
    stats.sort_stats("tottime").print_stats(lines)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Variant: PySpark, in a subprocess of bench/.venv-pyspark
# --------------------------------------------------------------------------------------------


def prepare_pyspark(skip: bool) -> tuple[Path | None, str | None]:
    """Return (venv python, None) or (None, reason to skip), building the venv on first use.

    Done before any timing so a missing Java or a failed install is reported up front.
    """
    if skip:
        return None, "--skip-pyspark given"
    java = common.java_version()
    if java is None:
        return None, "no working `java` on PATH (PySpark needs Java 8/11/17)"
    print(f"PySpark runs on {java}")
    try:
        python = common.ensure_venv(PYSPARK_VENV, [PYSPARK_REQUIREMENT])
    except common.VenvError as exc:
        return None, f"could not build {PYSPARK_VENV.name}: {exc}"
    return python, None


def pyspark_env(python: Path) -> dict[str, str]:
    """Environment for the driver: workers use the venv's python, Spark stays on loopback.

    SPARK_HOME and PYTHONPATH are dropped so that the pip-installed PySpark (and not some other
    Spark, or sparklet's src/) is what runs.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("SPARK_HOME", "PYTHONPATH")}
    env.update(
        PYSPARK_PYTHON=str(python),
        PYSPARK_DRIVER_PYTHON=str(python),
        SPARK_LOCAL_IP="127.0.0.1",
    )
    return env


def run_pyspark(python: Path, path: Path, cores: int, repeat: int, warmup: int) -> Variant:
    """Run _pyspark_wordcount.py in the venv and read back its JSON timings and counts."""
    v = Variant("pyspark", f"PySpark {PYSPARK_VERSION} local[{cores}]")
    with tempfile.TemporaryDirectory(prefix="bench-pyspark-") as tmp:
        result_file = Path(tmp) / "result.json"
        cmd = [
            str(python),
            str(PYSPARK_DRIVER),
            str(path),
            f"--master=local[{cores}]",
            f"--repeat={repeat}",
            f"--warmup={warmup}",
            f"--result={result_file}",
        ]
        wall_s, proc = common.time_call(
            lambda: subprocess.run(
                cmd,
                env=pyspark_env(python),
                capture_output=True,
                text=True,
                timeout=PYSPARK_TIMEOUT_S,
                check=False,
            )
        )
        if proc.returncode != 0 or not result_file.exists():
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
            raise RuntimeError(f"PySpark driver failed (exit {proc.returncode}):\n{tail}")
        data = json.loads(result_file.read_text())
    v.startup_s = data["startup_s"]
    v.job_s = data["job_s"]
    v.cpu_s = data.get("cpu_s", [])
    v.counts = data["counts"]
    v.extra.update(
        version=data["pyspark_version"],
        import_s=data["import_s"],
        stop_s=data["stop_s"],
        process_wall_s=wall_s,
    )
    return v


# --------------------------------------------------------------------------------------------
# Checking and reporting
# --------------------------------------------------------------------------------------------


def verify(variants: list[Variant]) -> str | None:
    """Compare every variant's counts with the first (the limit); return an error or None."""
    ran = [v for v in variants if v.counts is not None]
    reference = ran[0]
    for other in ran[1:]:
        try:
            common.check_same_counts(reference.label, reference.counts, other.label, other.counts)
        except common.MismatchError as exc:
            return str(exc)
    return None


def compute_ratios(by_name: dict[str, Variant]) -> dict[str, float | None]:
    """The headline numbers: how far ahead of PySpark, how far behind each limit."""
    med = {name: v.median for name, v in by_name.items()}
    cpu = {name: v.cpu_median for name, v in by_name.items()}
    return {
        "pyspark/sparklet": common.ratio(med.get("pyspark"), med.get("sparklet")),
        "sparklet/same_work": common.ratio(med.get("sparklet"), med.get("same_work")),
        "sparklet/limit": common.ratio(med.get("sparklet"), med.get("limit")),
        "same_work/limit": common.ratio(med.get("same_work"), med.get("limit")),
        "pyspark/limit": common.ratio(med.get("pyspark"), med.get("limit")),
        "cpu pyspark/sparklet": common.ratio(cpu.get("pyspark"), cpu.get("sparklet")),
        "cpu sparklet/same_work": common.ratio(cpu.get("sparklet"), cpu.get("same_work")),
    }


def render(variants: list[Variant], ratios: dict, corpus: dict, args, error: str | None) -> str:
    """The compact report of one size: one row per variant, then ratios and the count check."""
    mib = corpus["bytes"] / common.MIB
    rows, notes = [], []
    for v in variants:
        if v.skipped:
            rows.append([v.label, "skipped", "-", "-", "-", "-", "-"])
            notes.append(f"{v.label} skipped: {v.skipped}")
            continue
        s = common.summarize(v.job_s)
        rows.append(
            [
                v.label,
                common.fmt_seconds(v.startup_s),
                common.fmt_seconds(s["median"]),
                common.fmt_seconds(s["min"]),
                common.fmt_seconds(s["max"]),
                f"{mib / s['median']:.1f}",
                common.fmt_seconds(v.cpu_median),
            ]
        )
    headers = ["variant", "start-up s", "job median s", "min s", "max s", "MiB/s", "CPU s"]
    m = common.machine_info()
    lines = [
        "",
        f"word count of {corpus['path']}: {corpus['bytes']:,} bytes, "
        f"{corpus['words']:,} words, {corpus['distinct']:,} distinct",
        f"{m['cpus']} CPUs, Python {m['python']}, load {m['loadavg_1m']}; median of "
        f"{args.repeat} timed runs after {args.warmup} warm-up;",
        "start-up (context or pool creation) is not part of the job time; CPU s: median CPU",
        "seconds of the variant's whole process tree per job (driver, executors, JVM, workers)",
        "",
        common.format_table(headers, rows),
        *notes,
        "",
        "ratios of median job times: "
        + "   ".join(f"{k} = {common.fmt_ratio(r)}" for k, r in ratios.items()),
        "counts: " + (f"MISMATCH: {error}" if error else "identical across all variants that ran"),
    ]
    return "\n".join(lines)


def render_sizes(results: list[dict]) -> str:
    """All sizes side by side: median job seconds per variant and the two target ratios."""
    names = ["limit", "same_work", "sparklet", "pyspark"]
    headers = ["MiB", "Counter limit s", "same-work s", "sparklet s", "PySpark s",
               "sparklet/same-work", "pyspark/sparklet", "CPU: sparklet/same-work",
               "CPU: pyspark/sparklet"]
    rows = []
    for r in results:
        med = {name: v["median"] for name, v in r["variants"].items() if not v["skipped"]}
        ratios = r["ratios"]
        rows.append([
            f"{r['corpus']['bytes'] / common.MIB:g}",
            *(common.fmt_seconds(med.get(name)) for name in names),
            *(common.fmt_ratio(ratios[k]) for k in ("sparklet/same_work", "pyspark/sparklet",
                                                    "cpu sparklet/same_work",
                                                    "cpu pyspark/sparklet")),
        ])
    return "\n".join(["", "all sizes (median job s, ratios of medians; targets: "
                          "sparklet/same-work <= 1.25x, pyspark/sparklet >= 3x)",
                          common.format_table(headers, rows)])


def to_json(variants: list[Variant], ratios: dict, corpus: dict, args, error: str | None):
    """Machine-readable results of one size (everything but the counts themselves)."""
    return {
        "benchmark": "rdd_wordcount",
        "machine": common.machine_info(),
        "settings": {"repeat": args.repeat, "warmup": args.warmup, "cores": args.cores},
        "corpus": corpus,
        "variants": {
            v.name: {
                "label": v.label,
                "skipped": v.skipped,
                "startup_s": v.startup_s,
                "job_s": v.job_s,
                "cpu_s": v.cpu_s,
                "median": v.median,
                "cpu_median": v.cpu_median,
                **(common.summarize(v.job_s) if v.job_s else {}),
                **v.extra,
            }
            for v in variants
        },
        "ratios": ratios,
        "counts_identical": error is None,
        "error": error,
    }


def run_size(mb: float, args, pyspark_python: Path | None, pyspark_skip: str | None) -> dict:
    """Every variant on the ``mb``-MiB corpus, one after the other (never concurrently)."""
    path = common.ensure_corpus(mb)
    run = (path, args.cores, args.repeat, args.warmup)
    variants: list[Variant] = []
    print(f"[{mb:g} MiB] limit: Pool({args.cores}) + Counter ...", flush=True)
    variants.append(run_limit(*run))
    print(f"[{mb:g} MiB] same-work: Pool({args.cores}) + the job's user calls ...", flush=True)
    variants.append(run_same_work(*run))
    if args.skip_sparklet:
        variants.append(
            Variant("sparklet", f"sparklet local[{args.cores}]", skipped="--skip-sparklet given")
        )
    else:
        print(f"[{mb:g} MiB] sparklet local[{args.cores}] ...", flush=True)
        variants.append(run_sparklet(*run))
    if pyspark_python is None:
        variants.append(
            Variant(
                "pyspark", f"PySpark {PYSPARK_VERSION} local[{args.cores}]", skipped=pyspark_skip
            )
        )
    else:
        print(f"[{mb:g} MiB] PySpark local[{args.cores}] (subprocess) ...", flush=True)
        variants.append(run_pyspark(pyspark_python, *run))

    limit_counts = variants[0].counts
    corpus = {
        "path": str(path.relative_to(common.REPO_ROOT)),
        "bytes": path.stat().st_size,
        "words": sum(limit_counts.values()),
        "distinct": len(limit_counts),
    }
    error = verify(variants)
    ratios = compute_ratios({v.name: v for v in variants if not v.skipped})
    print(render(variants, ratios, corpus, args, error), flush=True)
    return to_json(variants, ratios, corpus, args, error)


def main(argv: list[str] | None = None) -> int:
    """Generate data, run each size's variants in turn, verify, report."""
    args = parse_args(argv)
    if args.profile:
        if os.environ.get("PYTHONHASHSEED") != "0":
            # Executors hash strings with seed 0; so must the in-process task being profiled.
            env = dict(os.environ, PYTHONHASHSEED="0")
            cmd = [sys.executable, os.path.abspath(__file__), *(argv or sys.argv[1:])]
            os.execve(sys.executable, cmd, env)
        print(profile_sparklet(common.ensure_corpus(args.mb[0]), args.profile_lines))
        return 0
    pyspark_python, pyspark_skip = prepare_pyspark(args.skip_pyspark)
    if pyspark_skip and not args.skip_pyspark:
        print(f"NOTE: skipping PySpark: {pyspark_skip}", file=sys.stderr)

    results = [run_size(mb, args, pyspark_python, pyspark_skip) for mb in args.mb]
    if len(results) > 1:
        print(render_sizes(results))
    if args.json:
        payload = results[0] if len(results) == 1 else {"benchmark": "rdd_wordcount",
                                                         "sizes": results}
        common.write_json(args.json, payload)
        print(f"results written to {args.json}")
    errors = [r["error"] for r in results if r["error"]]
    if errors:
        print(f"FAIL: word counts differ between variants: {errors[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    status = main()
    print(f"(total {time.perf_counter() - started:.0f} s)")
    sys.exit(status)
