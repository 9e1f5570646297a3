"""Spark Streaming side by side: sparklet local[N] vs PySpark local[N], in one run.

Three DStream workloads over ``queueStream`` batches of corpus-like lines (~10 words each, from
the same generator as bench/rdd_wordcount.py's corpus):

* (a) ``wordcount`` -- per-batch word count: flatMap(split) -> map((w, 1)) -> reduceByKey(add);
* (b) ``window``    -- reduceByKeyAndWindow(add, sub, window = --window-batches batches,
  slide = 1 batch, filterFunc = count > 0). Note: Spark, PySpark and sparklet use the inverse
  function only when the window spans >= 5 slides; with the default 3 both reduce each window
  from its batches (run with --window-batches 5 to time the inverse path);
* (c) ``state``     -- updateStateByKey(running count) over a 100k-word key space, the state
  seeded with every key (initialRDD), so every batch carries 100k keys of state.

For each, on both engines (PySpark in a subprocess of bench/.venv-pyspark, built on first use):

* tiny batches (10 lines) every 50 ms: per-batch processing time, median and p95;
* large batches (200k lines): processing time median and p95, and sustained lines/s =
  lines processed / total processing time of those batches;
* an interval sweep: 10-line batches on the real clock for a few seconds at 1.0, 0.5, 0.2,
  0.1 and 0.05 s; an interval "keeps up" when, at the end, at most 2 batches are waiting and
  the scheduling delay over the second half of the run has a median within one interval.

Beside the engines, the large word-count batches also run with no engine at all: the
same-work limit (bench/_streaming_limit.py), a ``multiprocessing.Pool(cores)`` making the
same per-record user calls over the same slices, its dicts merged in the driver. Its lines/s
is what the per-record work alone allows; the gap to it is engine overhead.

Processing time is ``BatchInfo.processingDelay`` as reported to a ``StreamingListener`` on both
sides (the same listener code: the PySpark driver, bench/_pyspark_streaming.py, is imported
here and run with sparklet's classes). Before any timing, small batches are run through all
three workloads on both engines and every batch's output is compared with a plain-Python model;
the script fails (exit 1) if either engine disagrees. The machine is shared and has 2 cores:
quote medians and ratios, not single absolute times.

    .venv/bin/python bench/streaming.py                       # default run, under ~10 min
    .venv/bin/python bench/streaming.py --quick --skip-pyspark
    .venv/bin/python bench/streaming.py --json /tmp/streaming.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common  # noqa: E402  (bench/ is not a package; path set just above)
import _pyspark_streaming as driver  # noqa: E402
import _streaming_limit as limit  # noqa: E402
import rdd_wordcount  # noqa: E402  (reused: sparklet import, PySpark venv and environment)

PYSPARK_DRIVER = common.BENCH_DIR / "_pyspark_streaming.py"
PYSPARK_TIMEOUT_S = 1800
TINY_LINES = 10
SWEEP_INTERVALS = (1.0, 0.5, 0.2, 0.1, 0.05)
TARGET_TINY_MS = 2  # issue 8: tiny batches <= 2 ms median processing at a 50 ms interval
TARGET_SPEEDUP = 3.0  # issue 8: 200k-line batches >= 3x PySpark's lines/s


@dataclass(frozen=True)
class Settings:
    """Sizes of one run; ``--quick`` shrinks everything but keeps every measurement."""

    tiny_batches: int = 30  # timed, after tiny_warmup
    tiny_warmup: int = 3
    tiny_interval: float = 0.05
    tiny_max_s: float = 20
    large_lines: int = 200_000
    large_batches: int = 3  # timed, after large_warmup
    large_warmup: int = 1
    large_interval: float = 0.5
    large_max_s: float = 40
    sweep_s: float = 3.0
    state_keys: int = 100_000
    check_batches: int = 5
    check_lines: int = 50


QUICK = Settings(
    tiny_batches=8,
    tiny_warmup=2,
    tiny_max_s=10,
    large_lines=20_000,
    large_batches=3,
    large_max_s=20,
    sweep_s=1.5,
    state_keys=10_000,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; defaults reproduce the published figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--quick",
        action="store_true",
        help="small sizes, few batches (a few minutes with PySpark)",
    )
    p.add_argument("--skip-pyspark", action="store_true", help="do not run the PySpark side")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--cores", type=int, default=2, help="local[N] on both sides (default 2)")
    p.add_argument(
        "--window-batches", type=int, default=3, help="window length of (b) in batches (3)"
    )
    p.add_argument(
        "--ui-overhead", action="store_true",
        help="instead: sparklet with the web UI off and on (a client polling the streaming "
             "page's API every second), alternating --ui-rounds times; report the overhead",
    )
    p.add_argument("--ui-rounds", type=int, default=3, help="rounds of --ui-overhead (3)")
    args = p.parse_args(argv)
    if args.cores < 1 or args.window_batches < 1:
        p.error("--cores and --window-batches must be >= 1")
    return args


# --------------------------------------------------------------------------------------------
# The plan: what both engines run, phase by phase
# --------------------------------------------------------------------------------------------


def vocab_for(workload: str, s: Settings) -> int:
    """Word counts use the corpus vocabulary; the state workload its own 100k-key space."""
    return s.state_keys if workload == "state" else common.VOCAB_SIZE


def phase(workload: str, kind: str, s: Settings, window: int, **fields) -> dict[str, Any]:
    """One phase spec (JSON-able, sent as is to the PySpark driver)."""
    spec = {
        "workload": workload,
        "kind": kind,
        "vocab": vocab_for(workload, s),
        "window_batches": window,
        "distinct": 2,
        "trailing_batches": 0,
    }
    spec.update(fields)
    spec["name"] = f"{workload}/{kind}" + (f"@{spec['interval']:g}s" if kind == "sweep" else "")
    return spec


def build_plan(s: Settings, window: int) -> list[dict[str, Any]]:
    """Per workload: correctness check, tiny-batch latency, interval sweep, large batches.

    The check comes first so a wrong engine is known before minutes of timing; trailing empty
    batches let the window slide past the data so the check also covers windows emptying.
    """
    plan = []
    for w in driver.WORKLOADS:
        plan.append(
            phase(w, "check", s, window, interval=0.2, lines=s.check_lines,
                  data_batches=s.check_batches, distinct=s.check_batches,
                  trailing_batches=window, max_s=120)
        )  # fmt: skip
        plan.append(
            phase(w, "tiny", s, window, interval=s.tiny_interval, lines=TINY_LINES,
                  data_batches=s.tiny_warmup + s.tiny_batches, distinct=50, max_s=s.tiny_max_s)
        )  # fmt: skip
        for interval in SWEEP_INTERVALS:
            batches = int(s.sweep_s / interval) + 5
            plan.append(
                phase(w, "sweep", s, window, interval=interval, lines=TINY_LINES,
                      data_batches=batches, distinct=50, duration_s=s.sweep_s)
            )  # fmt: skip
        plan.append(
            phase(w, "large", s, window, interval=s.large_interval, lines=s.large_lines,
                  data_batches=s.large_warmup + s.large_batches, max_s=s.large_max_s)
        )  # fmt: skip
    return plan


# --------------------------------------------------------------------------------------------
# Running the two engines
# --------------------------------------------------------------------------------------------


def run_sparklet(plan: list[dict], cores: int, ui: bool = False) -> dict[str, Any]:
    """Run the plan in this process on sparklet local[cores]; same shape as PySpark's result.

    The web UI is off, as on the PySpark side, unless ``ui``: then it runs on a free port
    with a client asking for what an open streaming page asks, once a second.

    bench/ goes into PYTHONPATH so sparklet's executor processes can import the driver module
    should a function be pickled by reference.
    """
    sparklet = rdd_wordcount.import_sparklet()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(common.BENCH_DIR), os.environ.get("PYTHONPATH")) if p
    )
    from sparklet.streaming import StreamingContext, StreamingListener

    conf = (sparklet.SparkConf().setMaster(f"local[{cores}]").setAppName("bench-streaming")
            .set("spark.ui.enabled", str(ui).lower()).set("spark.ui.port", "0"))
    startup_s, sc = common.time_call(lambda: sparklet.SparkContext(conf=conf))
    poller = _PagePoller(sc.uiWebUrl, sc.applicationId) if ui else None
    engine = {
        "sc": sc,
        "StreamingContext": StreamingContext,
        "StreamingListener": StreamingListener,
    }
    executors0, driver0 = _executor_cpu(sc), time.process_time()
    try:
        phases = driver.run_plan(engine, plan, log=lambda msg: print(msg, flush=True))
        cpu = {"driver_cpu_s": time.process_time() - driver0,
               "executors_cpu_s": sum(_executor_cpu(sc).values())
               - sum(executors0.values())}
    finally:
        if poller is not None:
            poller.stop()
        sc.stop()
    out = {"version": sparklet.__version__, "startup_s": startup_s, "phases": phases, **cpu}
    if poller is not None:
        out["ui_requests"], out["ui_request_errors"] = poller.requests, poller.errors
    return out


def _executor_cpu(sc) -> dict[str, float]:
    """CPU seconds (user + system) each executor process has used so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for executor_id, pid in sc._backend.executor_pids().items():
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[executor_id] = (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            pass
    return out


class _PagePoller:
    """What an open browser tab on the Streaming page asks the UI for, every second."""

    # the requests of sparklet/ui/static/pages/streaming.js's update()
    PATHS = ("/streaming/statistics", "/streaming/timeline?count=300", "/streaming/receivers",
             "/streaming/batches", "/streaming/progress")

    def __init__(self, url: str, app_id: str, period: float = 1.0):
        import threading

        self.url, self.app_id, self.period = url, app_id, period
        self.requests = self.errors = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import urllib.request

        base = f"{self.url}/api/v1/applications/{self.app_id}"
        while not self._stop.wait(self.period):
            for path in self.PATHS:
                try:
                    with urllib.request.urlopen(base + path, timeout=10) as r:
                        r.read()
                    self.requests += 1
                except OSError:
                    self.errors += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(15)


def ui_overhead(plan: list[dict], s: Settings, cores: int, rounds: int) -> int:
    """sparklet with the UI off and on, alternating; medians over rounds and the overhead."""
    runs: dict[str, list[dict]] = {"off": [], "on": []}
    for i in range(rounds):
        for mode in ("off", "on") if i % 2 == 0 else ("on", "off"):
            print(f"round {i + 1}/{rounds}: UI {mode} ...", flush=True)
            runs[mode].append(run_sparklet(plan, cores, ui=mode == "on"))
    failed = [f"UI {mode}: {e}" for mode, rs in runs.items() for r in rs
              for e in verify(plan, {"sparklet": r}) + failures(plan, {"sparklet": r})]
    rows = []
    for w in driver.WORKLOADS:
        for key, label, better in (("tiny", "tiny batch median ms", "low"),
                                   ("large", "large batch median ms", "low"),
                                   ("lines_per_s", "large batches lines/s", "high")):
            values = {}
            for mode, rs in runs.items():
                per_round = []
                for r in rs:
                    w_sum = summarize_engine(plan, r, s)[w]
                    per_round.append(w_sum[key]["median_ms"] if key != "lines_per_s"
                                     else w_sum[key])
                values[mode] = statistics.median(per_round)
            off, on = values["off"], values["on"]
            cost = (on / off - 1) if better == "low" else (off / on - 1)
            rows.append(f"| {w} | {label} | {off:.1f} | {on:.1f} | {cost * 100:+.1f}% |")
    # Wall-clock figures on a shared 2-core machine swing by tens of percent from run to run;
    # the CPU the same work took is steadier, and the UI adds CPU on the driver only.
    for key, label in (("driver_cpu_s", "driver CPU s"), ("executors_cpu_s", "executors CPU s"),
                       ("total_cpu_s", "driver + executors CPU s")):
        values = {}
        for mode, rs in runs.items():
            values[mode] = statistics.median(
                r["driver_cpu_s"] + r["executors_cpu_s"] if key == "total_cpu_s" else r[key]
                for r in rs)
        off, on = values["off"], values["on"]
        cost = (on / off - 1) * 100
        rows.append(f"| whole plan | {label} | {off:.2f} | {on:.2f} | {cost:+.1f}% |")
    requests = sum(r.get("ui_requests", 0) for r in runs["on"])
    errors = sum(r.get("ui_request_errors", 0) for r in runs["on"])
    print(f"\nsparklet local[{cores}], UI off vs on, medians of {rounds} rounds "
          f"(UI on: {requests} API requests answered, {errors} failed)\n")
    print("| workload | metric | UI off | UI on | UI cost |\n|---|---|---:|---:|---:|")
    print("\n".join(rows))
    for line in failed:
        print("FAIL:", line, file=sys.stderr)
    return 1 if failed or errors else 0


def run_pyspark(python: Path, plan: list[dict], cores: int) -> dict[str, Any]:
    """Run the plan in the PySpark venv; progress on our stdout, JVM chatter to a log file."""
    with tempfile.TemporaryDirectory(prefix="bench-pyspark-streaming-") as tmp:
        plan_file, result_file, log_file = (Path(tmp) / n for n in ("plan", "result", "log"))
        plan_file.write_text(json.dumps(plan))
        cmd = [
            str(python),
            str(PYSPARK_DRIVER),
            f"--plan={plan_file}",
            f"--result={result_file}",
            f"--master=local[{cores}]",
        ]
        with open(log_file, "w") as errors:
            proc = subprocess.run(
                cmd,
                env=rdd_wordcount.pyspark_env(python),
                stderr=errors,
                timeout=PYSPARK_TIMEOUT_S,
                check=False,
            )
        if proc.returncode != 0 or not result_file.exists():
            tail = "\n".join(log_file.read_text().strip().splitlines()[-30:])
            raise RuntimeError(f"PySpark driver failed (exit {proc.returncode}):\n{tail}")
        return json.loads(result_file.read_text())


def run_same_work_limit(plan: list[dict], cores: int, s: Settings) -> dict[str, Any] | None:
    """The large word-count phase's batches through the no-engine limit; checked by Counter.

    Returns lines/s and the median batch time, or None when the plan has no such phase.
    """
    spec = next((p for p in plan if p["workload"] == "wordcount" and p["kind"] == "large"), None)
    if spec is None:
        return None
    batches = [driver.batch_lines(spec, i) for i in range(spec["data_batches"])]
    result = limit.run_wordcount_limit(batches, cores, driver.PARTITIONS, s.large_warmup)
    for i, (lines, got) in enumerate(zip(batches, result.pop("outputs"), strict=True)):
        if got != Counter(" ".join(lines).split()):
            raise RuntimeError(f"same-work limit: wrong counts in batch {i}")
    return result


# --------------------------------------------------------------------------------------------
# Correctness: both engines against a plain-Python model
# --------------------------------------------------------------------------------------------


def model_outputs(spec: dict[str, Any]) -> list:
    """What every batch of a check phase must output, computed with Counters."""
    batches = [Counter(" ".join(driver.batch_lines(spec, i)).split()) for i in range(
        spec["data_batches"] + spec["trailing_batches"])]  # fmt: skip
    outputs = []
    if spec["workload"] == "state":
        state = Counter()
        for batch in batches:
            state.update(batch)
            outputs.append([spec["vocab"], sorted([k, v] for k, v in state.items() if v)])
        return outputs
    for i, batch in enumerate(batches):
        if spec["workload"] == "window":
            batch = sum(batches[max(0, i - spec["window_batches"] + 1) : i + 1], Counter())
        outputs.append([len(batch), sorted([k, v] for k, v in batch.items())])
    return outputs


def check_phase(spec: dict, engine_name: str, got: list) -> str | None:
    """None if ``got`` equals the model's outputs, else a message naming the first bad batch."""
    want = model_outputs(spec)
    if got == want:
        return None
    if len(got) != len(want):
        return f"{engine_name} {spec['name']}: {len(got)} batches output, expected {len(want)}"
    i = next(i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w)
    g, w = dict(map(tuple, got[i][1])), dict(map(tuple, want[i][1]))
    diff = sorted(k for k in set(g) | set(w) if g.get(k) != w.get(k))[:5]
    sample = ", ".join(f"{k!r}: {g.get(k)} vs {w.get(k)}" for k in diff)
    return (
        f"{engine_name} {spec['name']} batch {i}: {got[i][0]} keys vs {want[i][0]} expected; "
        f"first differences (got vs expected): {sample or 'key count only'}"
    )


def verify(plan: list[dict], runs: dict[str, dict]) -> list[str]:
    """Every engine's check phases against the model (so also against each other)."""
    errors = []
    for name, run in runs.items():
        for spec, result in zip(plan, run["phases"], strict=True):
            if spec["kind"] == "check":
                error = check_phase(spec, name, result["results"])
                if error:
                    errors.append(error)
    return errors


def _error_line(reason: str) -> str:
    """The telling line of a failure: a Python traceback's last, a Java exception's first."""
    lines = [line.strip() for line in reason.splitlines() if line.strip()]
    python = [line for line in lines if "Error" in line or "Exception" in line]
    return (python[-1] if lines[0].startswith("Traceback") and python else lines[0])[:200]


def failures(plan: list[dict], runs: dict[str, dict]) -> list[str]:
    """Phases where an engine's batches failed: their timings mean nothing, so say it loudly."""
    out = []
    for name, run in runs.items():
        for spec, result in zip(plan, run["phases"], strict=True):
            if result["failed"]:
                reason = _error_line(result["failed"][0][1])
                out.append(
                    f"{name} {spec['name']}: {len(result['failed'])} of "
                    f"{len(result['completed'])} batches failed, first: {reason}"
                )
    return out


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def processing_ms(result: dict, warmup: int, count: int) -> tuple[list[int], bool]:
    """Processing delays of the timed batches (after the warm-up ones) that did not fail.

    When the phase hit its time limit before any timed batch finished (a very slow engine),
    the warm-up batches are used instead and the second value says so: a flagged figure is
    more useful than none, the engines being warm from earlier phases anyway.
    """
    failed = {t for t, _ in result["failed"]}
    data = result["completed"][: warmup + count]
    usable = [(i, r[5]) for i, r in enumerate(data) if r[5] >= 0 and r[0] not in failed]
    timed = [delay for i, delay in usable if i >= warmup]
    if timed:
        return timed, False
    return [delay for _, delay in usable], bool(usable)


def latency_stats(delays: list[int], result: dict, warmup_only: bool) -> dict[str, Any]:
    """Median and p95 (nearest rank) of per-batch processing times, sample size, failures."""
    stats = {
        "n": len(delays),
        "warmup_only": warmup_only,
        "failed": len(result["failed"]),
        "timed_out": result["timed_out"],
    }
    if not delays:
        return {**stats, "median_ms": None, "p95_ms": None}
    return {
        **stats,
        "median_ms": statistics.median(delays),
        "p95_ms": common.percentile(delays, 95),
    }


def sweep_stats(result: dict, interval: float) -> dict[str, Any]:
    """Did the engine keep up with the interval? Judged from BatchInfo times at the deadline.

    Keeping up means a bounded scheduling delay: at the deadline at most 2 batches submitted
    but not finished, and the median scheduling delay over the second half of the batches
    finished by then is within one interval (the first half absorbs start-up hiccups), and
    the median processing time is below the interval (else the delay grows, however slowly).
    A run with failed batches does not keep up, whatever its times.
    """
    deadline = result["deadline_ms"]
    done = [r for r in result["completed"] if 0 <= r[3] <= deadline]
    submitted = [t for t, s in result["submitted"] if s <= deadline]
    backlog = max(0, len(submitted) - len(done))
    late = [r[4] for r in done[len(done) // 2 :]]
    late_median = statistics.median(late) if late else None
    processing = statistics.median([r[5] for r in done]) if done else None
    keeps_up = (
        bool(done)
        and not result["failed"]
        and backlog <= 2
        and late_median <= interval * 1000
        and processing <= interval * 1000
    )
    return {
        "interval_s": interval,
        "submitted": len(submitted),
        "completed": len(done),
        "backlog": backlog,
        "sched_delay_late_median_ms": late_median,
        "sched_delay_last_ms": done[-1][4] if done else None,
        "processing_median_ms": processing,
        "failed": len(result["failed"]),
        "keeps_up": keeps_up,
    }


def summarize_engine(plan: list[dict], run: dict, s: Settings) -> dict[str, dict]:
    """Per workload: tiny and large latency, sustained lines/s, the sweep and its verdict."""
    out: dict[str, dict] = {w: {"sweep": []} for w in driver.WORKLOADS}
    for spec, result in zip(plan, run["phases"], strict=True):
        w = out[spec["workload"]]
        if spec["kind"] == "tiny":
            delays, warm = processing_ms(result, s.tiny_warmup, s.tiny_batches)
            w["tiny"] = latency_stats(delays, result, warm)
        elif spec["kind"] == "large":
            delays, warm = processing_ms(result, s.large_warmup, s.large_batches)
            w["large"] = latency_stats(delays, result, warm)
            w["lines_per_s"] = (
                spec["lines"] * len(delays) / (sum(delays) / 1000) if delays else None
            )
        elif spec["kind"] == "sweep":
            w["sweep"].append(sweep_stats(result, spec["interval"]))
    for w in out.values():
        ok = [x["interval_s"] for x in w["sweep"] if x["keeps_up"]]
        w["smallest_interval_s"] = min(ok) if ok else None
    return out


def speedups(summary: dict[str, dict]) -> dict[str, dict]:
    """PySpark / sparklet for times, sparklet / PySpark for throughput: >1 means sparklet wins."""
    if "pyspark" not in summary or "sparklet" not in summary:
        return {}
    sp, ps = summary["sparklet"], summary["pyspark"]
    out = {}
    for w in driver.WORKLOADS:
        a, b = sp[w], ps[w]
        out[w] = {
            "tiny_median": common.ratio(b["tiny"]["median_ms"], a["tiny"]["median_ms"]),
            "tiny_p95": common.ratio(b["tiny"]["p95_ms"], a["tiny"]["p95_ms"]),
            "large_median": common.ratio(b["large"]["median_ms"], a["large"]["median_ms"]),
            "large_p95": common.ratio(b["large"]["p95_ms"], a["large"]["p95_ms"]),
            "lines_per_s": common.ratio(a["lines_per_s"], b["lines_per_s"]),
        }
    return out


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value / 1000:,.0f}k"


def _stat(stats: dict, key: str) -> str:
    """A latency figure with its sample size; '*' marks one taken from warm-up batches."""
    if stats[key] is None:
        return "-"
    return f"{_ms(stats[key])}{'*' if stats['warmup_only'] else ''} (n={stats['n']})"


def _interval(w: dict) -> str:
    return "none" if w["smallest_interval_s"] is None else f"{w['smallest_interval_s']:g} s"


def target_notes(sp: dict, ratios: dict | None, same_work: dict | None = None) -> list[str]:
    """The issue's targets for sparklet, each marked met or MISSED; and the gap to the limit."""
    notes = []
    for name, w in sp.items():
        med = w["tiny"]["median_ms"]
        met = med is not None and med <= TARGET_TINY_MS
        notes.append(f"{name}: tiny median {_ms(med)} ms <= {TARGET_TINY_MS} ms: "
                     + ("met" if met else "MISSED"))  # fmt: skip
        keeps = {x["interval_s"]: x["keeps_up"] for x in w["sweep"]}
        for iv in (0.1, 0.05):
            if iv in keeps:
                notes[-1] += f"; {iv:g} s keeps up: " + ("met" if keeps[iv] else "MISSED")
        if ratios:
            r = ratios[name]["lines_per_s"]
            ok = r is not None and r >= TARGET_SPEEDUP
            notes[-1] += f"; lines/s {common.fmt_ratio(r)} PySpark's (>= {TARGET_SPEEDUP:g}x): "
            notes[-1] += "met" if ok else "MISSED"
        if same_work and name == "wordcount":
            r = common.ratio(same_work["lines_per_s"], w["lines_per_s"])
            notes[-1] += f"; same-work limit's lines/s {common.fmt_ratio(r)} sparklet's"
    return notes


def _metric_rows(s: Settings) -> list[tuple[str, Any, str | None]]:
    """(label, formatter of one engine's workload summary, key in the speed-up dict)."""
    return [
        (f"{TINY_LINES}-line batch p50 ms", lambda e: _stat(e["tiny"], "median_ms"),
         "tiny_median"),
        ("  p95 ms", lambda e: _stat(e["tiny"], "p95_ms"), "tiny_p95"),
        (f"{s.large_lines:,}-line batch p50 ms", lambda e: _stat(e["large"], "median_ms"),
         "large_median"),
        ("  p95 ms", lambda e: _stat(e["large"], "p95_ms"), "large_p95"),
        ("  sustained lines/s", lambda e: _rate(e["lines_per_s"]), "lines_per_s"),
        ("smallest interval kept up", _interval, None),
    ]  # fmt: skip


def _limit_cells(same_work: dict | None, sp: dict | None, workload: str, key: str | None):
    """The same-work limit's figure for a row, and sparklet's over it (>1: sparklet slower)."""
    if same_work is None or workload != "wordcount" or key not in ("large_median",
                                                                  "lines_per_s"):
        return ["", ""] if same_work else []
    if key == "large_median":
        mine = sp["large"]["median_ms"] if sp else None
        return [_ms(same_work["median_ms"]), common.fmt_ratio(common.ratio(mine,
                                                               same_work["median_ms"]))]
    mine = sp["lines_per_s"] if sp else None
    return [_rate(same_work["lines_per_s"]),
            common.fmt_ratio(common.ratio(same_work["lines_per_s"], mine))]


def main_table(summary: dict, ratios: dict, s: Settings, same_work: dict | None = None) -> str:
    """One block of rows per workload; sparklet's speed-up over PySpark; the same-work limit
    (large word-count batches only) and how far sparklet is behind it."""
    engines = [e for e in ("sparklet", "pyspark") if e in summary]
    headers = ["workload / metric", *engines, "sparklet speed-up" if ratios else ""]
    if same_work:
        headers += ["same-work limit", "sparklet / limit"]
    rows = []
    for w in driver.WORKLOADS:
        r = ratios.get(w, {})
        rows.append([w, *([""] * len(engines)), "", *(["", ""] if same_work else [])])
        for label, fmt, key in _metric_rows(s):
            ratio = common.fmt_ratio(r.get(key)) if key and r else ""
            rows.append([f"  {label}", *(fmt(summary[e][w]) for e in engines), ratio,
                         *_limit_cells(same_work, summary.get("sparklet", {}).get(w), w, key)])
    return common.format_table(headers, rows)


def sweep_table(summary: dict) -> str:
    """Per workload and interval: verdict, finished/submitted batches, late scheduling delay."""
    engines = [e for e in ("sparklet", "pyspark") if e in summary]
    rows = []
    for w in driver.WORKLOADS:
        for i, iv in enumerate(SWEEP_INTERVALS):
            row = [w if i == 0 else "", f"{iv:g} s"]
            for e in engines:
                x = summary[e][w]["sweep"][i]
                verdict = "ok" if x["keeps_up"] else "FAILED" if x["failed"] else "BEHIND"
                row.append(
                    f"{verdict} {x['completed']}/{x['submitted']} "
                    f"sched {_ms(x['sched_delay_late_median_ms'])} ms"
                )
            rows.append(row)
    return common.format_table(["workload", "interval", *engines], rows)


def render(summary, ratios, runs, s: Settings, args, errors, failed, same_work=None) -> str:
    """The compact end-of-run report."""
    m = common.machine_info()
    versions = ", ".join(f"{k} {v['version']} (start-up {v['startup_s']:.1f} s)"
                         for k, v in runs.items())  # fmt: skip
    lines = [
        "",
        f"streaming on local[{args.cores}]: {versions}",
        f"{m['cpus']} CPUs, Python {m['python']}, load average {m['loadavg_1m']}; "
        f"processing time = BatchInfo.processingDelay from a StreamingListener",
        f"tiny: {s.tiny_batches} batches of {TINY_LINES} lines every {s.tiny_interval:g} s after "
        f"{s.tiny_warmup} warm-up; large: {s.large_batches} batches of {s.large_lines:,} lines "
        f"after {s.large_warmup} warm-up; window = {args.window_batches} batches; "
        f"state = {s.state_keys:,} keys",
        "",
        main_table(summary, ratios, s, same_work),
        "",
        "* = only warm-up batches finished within the phase's time limit",
        *([f"same-work limit: Pool({args.cores}), the same user calls per record over the same "
           f"{driver.PARTITIONS} slices of each large word-count batch, merged in the driver; "
           "sparklet / limit: times sparklet's over the limit's (batch ms), the limit's lines/s "
           "over sparklet's"] if same_work else []),
        "",
        f"interval sweep: {TINY_LINES}-line batches for {s.sweep_s:g} s each; finished/submitted "
        "by the deadline; sched = median scheduling delay over the 2nd half",
        sweep_table(summary),
    ]
    if "sparklet" in summary:
        lines += ["", "targets (sparklet):",
                  *target_notes(summary["sparklet"], ratios, same_work)]
    lines.append("")
    if failed:
        lines += ["FAILED BATCHES (left out of the figures above):", *(f"  {f}" for f in failed)]
    if errors:
        lines += ["results: MISMATCH", *(f"  {e}" for e in errors)]
    else:
        lines.append(f"results: {' and '.join(runs)} match the plain-Python model on every "
                     "check batch of (a)-(c)")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Build the plan, run sparklet then PySpark (never concurrently), verify, report."""
    args = parse_args(argv)
    s = QUICK if args.quick else Settings()
    plan = build_plan(s, args.window_batches)
    if args.ui_overhead:
        return ui_overhead(plan, s, args.cores, args.ui_rounds)
    pyspark_python, skip_reason = rdd_wordcount.prepare_pyspark(args.skip_pyspark)
    if skip_reason and not args.skip_pyspark:
        print(f"NOTE: skipping PySpark: {skip_reason}", file=sys.stderr)
    runs: dict[str, dict] = {}
    print(f"sparklet local[{args.cores}] ...", flush=True)
    runs["sparklet"] = run_sparklet(plan, args.cores)
    if pyspark_python is not None:
        print(f"PySpark local[{args.cores}] (subprocess) ...", flush=True)
        runs["pyspark"] = run_pyspark(pyspark_python, plan, args.cores)
    print(f"same-work limit: Pool({args.cores}) ...", flush=True)
    same_work = run_same_work_limit(plan, args.cores, s)
    errors = verify(plan, runs)
    failed = failures(plan, runs)
    summary = {name: summarize_engine(plan, run, s) for name, run in runs.items()}
    ratios = speedups(summary)
    print(render(summary, ratios, runs, s, args, errors, failed, same_work))
    if args.json:
        payload = {
            "benchmark": "streaming",
            "machine": common.machine_info(),
            "settings": {**s.__dict__, "cores": args.cores, "window_batches": args.window_batches,
                         "quick": args.quick, "pyspark_skipped": skip_reason},
            "summary": summary,
            "ratios_pyspark_over_sparklet": ratios,
            "same_work_limit": same_work,
            "errors": errors,
            "failures": failed,
            "plan": plan,
            "raw": {name: {**run, "phases": [{k: v for k, v in p.items() if k != "results"}
                                            for p in run["phases"]]} for name, run in runs.items()},
        }  # fmt: skip
        common.write_json(args.json, payload)
        print(f"results written to {args.json}")
    if errors or failed:
        print("FAIL: wrong results or failed batches (see above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    status = main()
    print(f"(total {time.perf_counter() - started:.0f} s)")
    sys.exit(status)
