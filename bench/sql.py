"""TPC-H-style SQL: sparklet.sql vs PySpark SQL vs DuckDB, the same queries on the same data.

Each engine registers the 8 parquet tables of ``tpch_data.py`` as temporary views and runs
the TPC-H query texts of ``tpch_queries.py`` (Spark SQL, the spec's validation parameters)
unchanged:

* sparklet, ``sparklet.sql.SparkSession`` (what we are building: Spark SQL semantics
  translated by sqlglot and executed by DuckDB)::

      spark.read.parquet(path).createOrReplaceTempView(name)
      spark.sql(text).collect()

* PySpark 4.3.0 SQL, ``local[2]``, the very same two lines (a private venv, built on first use
  under bench/data/, with PySpark 4.x + 'pandas<3' + pyarrow; Java 17 on PATH);
* DuckDB directly, the *limit*: ``CREATE TEMP VIEW name AS SELECT * FROM read_parquet(path)``
  and ``con.execute(text).fetchall()``, the same SQL on the same data with no sparklet layer,
  so sparklet/DuckDB is exactly what the layer costs.

Every engine runs in a driver subprocess of its own (this script with ``--engine-driver``),
one after the other, at the same ``--nice`` level. Per query: ``--warmup`` untimed runs, then
``--repeat`` timed ones; we report the median wall time, the ratios PySpark/sparklet and
sparklet/DuckDB, and (JSON) the CPU seconds of each driver's process tree. Session start-up
and view registration are timed apart. Results must agree: every engine's rows are compared
with PySpark's (or DuckDB's when PySpark is skipped), numbers within a relative 1e-6 (Spark
returns decimals where DuckDB returns doubles); any difference, and any query an engine
failed, makes the script exit non-zero after printing the table.

Data: generated once by ``tpch_data.ensure_tpch`` into ~/.cache/sparklet/tpch-sf<SF>/ (SF 1:
about 6M lineitem rows, 20 s) and reused.

    PYTHONPATH=$PWD/src .venv/bin/python bench/sql.py               # SF 1, Q1 Q3 Q5 Q6 Q10
    PYTHONPATH=$PWD/src .venv/bin/python bench/sql.py --sf 0.1 --repeat 3
    PYTHONPATH=$PWD/src .venv/bin/python bench/sql.py --queries all --skip-pyspark
    PYTHONPATH=$PWD/src .venv/bin/python bench/sql.py --queries 1 6 --json /tmp/sql.json

Results (2026-12-02, SF 1 = 6,001,723 lineitem rows, all 22 queries, median of 5 after 1
warm-up, local[2], nice 10, 2-CPU shared machine, load average 0.0 at the start, 2.4 after
PySpark; PySpark 4.3.0 with 4g driver memory, DuckDB 2.0.1; 4 min 43 s in all)::

    PYTHONPATH=$PWD/src .venv/bin/python bench/sql.py --sf 1 --queries all --repeat 5

    query           rows  PySpark s  sparklet s  DuckDB s  PySpark/sparklet  sparklet/DuckDB
    -------------  -----  ---------  ----------  --------  ----------------  ---------------
    Q1                 4      3.594       0.144     0.117            25.02x            1.23x
    Q2               100      1.454       0.045     0.030            32.49x            1.50x
    Q3                10      1.620       0.109     0.096            14.86x            1.14x
    Q4                 5      1.203       0.063     0.050            19.18x            1.26x
    Q5                 5      2.797       0.112     0.094            24.91x            1.19x
    Q6                 1      0.519       0.062     0.052             8.43x            1.18x
    Q7                 4      1.923       0.117     0.100            16.37x            1.18x
    Q8                 2      1.566       0.137     0.106            11.46x            1.29x
    Q9               175      2.628       0.246     0.219            10.69x            1.12x
    Q10               20      1.877       0.147     0.134            12.79x            1.10x
    Q11             1106      0.645       0.036     0.026            17.90x            1.39x
    Q12                2      0.927       0.074     0.065            12.47x            1.14x
    Q13               35      1.387       0.200     0.144             6.94x            1.39x
    Q14                1      0.503       0.103     0.080             4.89x            1.28x
    Q15                1      1.173       0.071     0.057            16.59x            1.25x
    Q16            18288      0.796       0.075     0.050            10.61x            1.50x
    Q17                1      2.014       0.106     0.102            19.07x            1.04x
    Q18               59      4.270       0.201     0.170            21.26x            1.18x
    Q19                1      0.631       0.095     0.081             6.62x            1.18x
    Q20              174      0.910       0.088     0.076            10.39x            1.15x
    Q21              100      4.053       0.178     0.161            22.83x            1.10x
    Q22                7      0.709       0.053     0.041            13.34x            1.30x
    total                      37.2       2.460     2.050            15.12x            1.20x
    session start             5.187       0.265     0.119            19.57x            2.23x
    8 temp views              2.552       0.087     0.008            29.39x           10.32x

All three engines returned the same rows (tolerance 1e-6). The headline five (Q1 Q3 Q5 Q6
Q10): sparklet 8-25x faster than PySpark, 1.10-1.23x DuckDB's time. Median CPU seconds:
total PySpark/sparklet 16.8x, sparklet/DuckDB 1.14x. Parity notes from the run: sparklet's
result types differ from PySpark's on Q7 Q9 (sum of a decimal product typed decimal(25,2)
and rounded to 2 digits, Spark: decimal(38,4)) and Q8 Q14 Q17 (decimal division/avg as
double, Spark: decimal(38,6)/(30,6)).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common  # noqa: E402  (bench/ is not a package; path set just above)
import tpch_queries  # noqa: E402

PYSPARK_VERSION = "4.3.0"
PYSPARK_REQUIREMENTS = [f"pyspark=={PYSPARK_VERSION}", "pandas<3", "pyarrow"]
# bench/data/ is git-ignored; bench/.venv-pyspark is the PySpark 3.5 venv of the RDD benches.
PYSPARK_VENV = common.DATA_DIR / f"venv-pyspark-{PYSPARK_VERSION}"
DRIVER_TIMEOUT_S = 3600
ENGINES = ("duckdb", "sparklet", "pyspark")
LABELS = {"duckdb": "DuckDB", "sparklet": "sparklet", "pyspark": f"PySpark {PYSPARK_VERSION}"}
# PySpark's defaults, except what a local benchmark needs: enough driver memory for SF 1 joins
# (DuckDB may take most of the machine's), no UI, loopback only, quiet logs.
PYSPARK_CONF = {
    "spark.driver.memory": "4g",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}


class EngineUnavailable(RuntimeError):
    """An engine cannot run at all here (e.g. sparklet.sql lacks the API); message says why."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; the defaults reproduce the figures in the docstring."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sf", type=float, default=1.0, help="TPC-H scale factor (default 1)")
    p.add_argument("--queries", nargs="+", default=[str(q) for q in tpch_queries.DEFAULT],
                   help="query numbers, or 'all' (default: 1 3 5 6 10)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per query (default 3)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    p.add_argument("--cores", type=int, default=2, help="local[N] (default 2)")
    p.add_argument("--nice", type=int, default=10,
                   help="niceness of every engine's driver, the same for all (default 10: "
                        "the machine is shared)")
    for engine in ENGINES:
        p.add_argument(f"--skip-{engine}", action="store_true", help=f"do not run {engine}")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    # Internal: run one engine in this process and write its results to --out.
    p.add_argument("--engine-driver", choices=ENGINES, help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.queries == ["all"]:
        args.queries = list(tpch_queries.ALL)
    else:
        try:
            args.queries = [int(q) for q in args.queries]
        except ValueError:
            p.error("--queries takes query numbers 1..22 or 'all'")
        if not all(1 <= q <= 22 for q in args.queries):
            p.error("--queries takes query numbers 1..22 or 'all'")
    if args.repeat < 1 or args.warmup < 0 or args.cores < 1 or args.sf <= 0:
        p.error("--repeat and --cores must be >= 1, --warmup >= 0, --sf > 0")
    return args


# --------------------------------------------------------------------------------------------
# The engine drivers (run in a subprocess each)
# --------------------------------------------------------------------------------------------


def _spark_session(module: str, cores: int):
    """A SparkSession of ``pyspark.sql`` or ``sparklet.sql``, checking the API it needs."""
    if module == "pyspark":
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.master(f"local[{cores}]").appName("bench-sql")
        for key, value in PYSPARK_CONF.items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        return spark
    try:
        from sparklet.sql import SparkSession
    except ImportError as exc:
        raise EngineUnavailable(
            f"sparklet.sql has no SparkSession yet ({exc}): the SQL layer has not landed on "
            "this branch (git merge main), or run with --skip-sparklet") from exc
    spark = (SparkSession.builder.master(f"local[{cores}]").appName("bench-sql")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    try:
        reader = spark.read
    except Exception as exc:  # noqa: BLE001  (e.g. ImportError of a module not yet written)
        raise EngineUnavailable(
            f"sparklet.sql's SparkSession.read fails ({type(exc).__name__}: {exc}): "
            "DataFrameReader has not landed on this branch (git merge main), or run with "
            "--skip-sparklet") from exc
    missing = [name for name, ok in (
        ("SparkSession.read.parquet", callable(getattr(reader, "parquet", None))),
        ("SparkSession.sql", callable(getattr(spark, "sql", None))),
    ) if not ok]
    if missing:
        raise EngineUnavailable(f"sparklet.sql lacks {', '.join(missing)}: the bench needs "
                                "read.parquet, createOrReplaceTempView and sql")
    return spark


def _register(engine: str, session: Any, paths: dict[str, Path]) -> None:
    """Register every table as a temporary view, the way a user of that engine would."""
    for name, path in paths.items():
        if engine == "duckdb":
            session.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM read_parquet('{path}')")
        else:
            df = session.read.parquet(str(path))
            if not callable(getattr(df, "createOrReplaceTempView", None)):
                raise EngineUnavailable("sparklet.sql's DataFrame lacks createOrReplaceTempView")
            df.createOrReplaceTempView(name)


def _runner(engine: str, session: Any, text: str):
    """A no-argument function running one query to completion and returning its rows."""
    if engine == "duckdb":
        return lambda: session.execute(text).fetchall()
    return lambda: session.sql(text).collect()


def run_driver(args: argparse.Namespace) -> None:
    """Run every query on one engine; write timings, rows and errors as JSON to ``--out``."""
    engine = args.engine_driver
    if args.nice:
        os.nice(args.nice)
    paths = {t: Path(args.data) / f"{t}.parquet" for t in
             ("region", "nation", "supplier", "part", "partsupp", "customer", "orders",
              "lineitem")}
    out: dict[str, Any] = {"engine": engine, "queries": {}}
    try:
        start = time.perf_counter()
        if engine == "duckdb":
            import duckdb

            session = duckdb.connect()
            out["version"] = duckdb.__version__
        else:
            session = _spark_session(engine, args.cores)
            out["version"] = session.version
        out["startup_s"] = time.perf_counter() - start
        out["register_s"], _ = common.time_call(lambda: _register(engine, session, paths))
    except EngineUnavailable as exc:
        out["unavailable"] = str(exc)
        Path(args.out).write_text(json.dumps(out))
        return
    for n in args.queries:
        text = tpch_queries.query(n, args.sf)
        cpu: list[float] = []
        entry: dict[str, Any] = {}
        try:
            entry["times"], rows = common.time_repeats(
                _runner(engine, session, text), args.repeat, args.warmup, cpu=cpu)
            entry["cpu"] = cpu
            entry["rows"] = tpch_queries.normalize_rows(rows)
            if engine != "duckdb":  # result names and types, for the parity note (untimed)
                entry["dtypes"] = [list(d) for d in session.sql(text).dtypes]
                entry["exact"] = tpch_queries.exact_rows(rows)
        except Exception as exc:  # noqa: BLE001  (an engine's failure on one query is data)
            entry["error"] = f"{type(exc).__name__}: {str(exc).strip()[:2000]}"
            entry["traceback"] = traceback.format_exc()[-4000:]
        out["queries"][str(n)] = entry
        print(f"  {engine} Q{n}: " + (
            f"median {common.fmt_seconds(common.summarize(entry['times'])['median'])} s"
            if "times" in entry else entry["error"].splitlines()[0][:200]), flush=True)
    if engine == "duckdb":
        session.close()
    else:
        session.stop()
    Path(args.out).write_text(json.dumps(out))


# --------------------------------------------------------------------------------------------
# The parent: data, drivers, checks, report
# --------------------------------------------------------------------------------------------


def _driver_env(engine: str, python: str) -> dict[str, str]:
    env = dict(os.environ)
    if engine == "pyspark":
        env.pop("PYTHONPATH", None)  # the venv's own packages only
        env["PYSPARK_PYTHON"] = env["PYSPARK_DRIVER_PYTHON"] = python
    else:
        src = str(common.REPO_ROOT / "src")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    return env


def run_engine(engine: str, python: str, data: Path, args: argparse.Namespace) -> dict:
    """One engine's driver subprocess; its JSON, or {"unavailable"/"failed": reason}."""
    with tempfile.TemporaryDirectory(prefix="bench-sql-") as tmp:
        result = Path(tmp) / "result.json"
        cmd = [python, str(Path(__file__).resolve()), "--engine-driver", engine,
               "--data", str(data), "--out", str(result), "--sf", str(args.sf),
               "--repeat", str(args.repeat), "--warmup", str(args.warmup),
               "--cores", str(args.cores), "--nice", str(args.nice),
               "--queries", *map(str, args.queries)]
        return common.run_engine_driver(engine, cmd, _driver_env(engine, python), result,
                                        DRIVER_TIMEOUT_S)


def _median(entry: dict | None, key: str = "times") -> float | None:
    """Median of an entry's wall times (``times``) or CPU seconds (``cpu``); None if absent."""
    if not entry or not entry.get(key):
        return None
    return common.summarize(entry[key])["median"]


def check_results(results: dict[str, dict], queries: list[int]) -> list[str]:
    """Every engine's rows against the reference engine's; the list of problems found."""
    ran = [e for e in ENGINES if e in results
           and not {"unavailable", "failed"} & results[e].keys()]
    reference = "pyspark" if "pyspark" in ran else (ran[0] if ran else None)
    problems = []
    for n in queries:
        ref_entry = results[reference]["queries"].get(str(n), {}) if reference else {}
        for engine in ran:
            entry = results[engine]["queries"].get(str(n), {})
            if "error" in entry:
                problems.append(f"Q{n} {engine} failed: {entry['error'].splitlines()[0][:300]}")
            elif "rows" not in entry:
                problems.append(f"Q{n} {engine}: no result")
            elif engine != reference and "rows" in ref_entry:
                why = tpch_queries.compare_rows(entry["rows"], ref_entry["rows"])
                if why:
                    problems.append(f"Q{n} {engine} differs from {reference}: {why[:600]}")
    return problems


def dtype_notes(results: dict[str, dict], queries: list[int]) -> list[str]:
    """Queries whose sparklet result columns (names, Spark types) are not PySpark's, or
    whose decimal values differ from PySpark's in any digit (the row check has a tolerance).
    """
    notes = []
    for n in queries:
        ours, theirs = (results.get(e, {}).get("queries", {}).get(str(n), {}).get("dtypes")
                        for e in ("sparklet", "pyspark"))
        if ours is not None and theirs is not None and ours != theirs:
            diff = [f"{a} vs {b}" for a, b in zip(ours, theirs, strict=False) if a != b]
            if len(ours) != len(theirs):
                diff.append(f"{len(ours)} columns vs {len(theirs)}")
            notes.append(f"Q{n} sparklet's result columns differ from PySpark's: "
                         + "; ".join(diff[:6]))
        ours, theirs = (results.get(e, {}).get("queries", {}).get(str(n), {}).get("exact")
                        for e in ("sparklet", "pyspark"))
        why = tpch_queries.compare_exact(ours, theirs) if ours and theirs else None
        if why:
            notes.append(f"Q{n} sparklet's decimals are not exactly PySpark's: {why[:400]}")
    return notes


SHOWN = ("pyspark", "sparklet", "duckdb")  # column order of the tables


def _ratio_cells(m: dict[str, float | None]) -> list[str]:
    return [common.fmt_ratio(common.ratio(m["pyspark"], m["sparklet"])),
            common.fmt_ratio(common.ratio(m["sparklet"], m["duckdb"]))]


def report(results: dict[str, dict], queries: list[int], key: str = "times") -> str:
    """The table: per query, each engine's median (wall ``times`` or ``cpu`` seconds) and
    the ratios PySpark/sparklet and sparklet/DuckDB; then the total of the medians (for an
    engine that ran every query) and, for wall time, session start and view registration."""
    def entry(engine: str, n: int) -> dict:
        return results.get(engine, {}).get("queries", {}).get(str(n), {})

    rows = []
    medians = {n: {e: _median(entry(e, n), key) for e in SHOWN} for n in queries}
    for n in queries:
        ref = next((entry(e, n) for e in ("pyspark", "duckdb", "sparklet")
                    if "rows" in entry(e, n)), None)
        m = medians[n]
        rows.append([f"Q{n}", str(len(ref["rows"])) if ref else "-",
                     *(common.fmt_seconds(m[e]) for e in SHOWN), *_ratio_cells(m)])
    total = {e: None if any(medians[n][e] is None for n in queries)
             else sum(medians[n][e] for n in queries) for e in SHOWN}
    rows.append(["total", "", *(common.fmt_seconds(total[e]) for e in SHOWN),
                 *_ratio_cells(total)])
    if key == "times":
        for field, label in (("startup_s", "session start"), ("register_s", "8 temp views")):
            m = {e: results.get(e, {}).get(field) for e in SHOWN}
            rows.append([label, "", *(common.fmt_seconds(m[e]) for e in SHOWN),
                         *_ratio_cells(m)])
    unit = "s" if key == "times" else "CPU s"
    headers = ["query", "rows", f"PySpark {unit}", f"sparklet {unit}", f"DuckDB {unit}",
               "PySpark/sparklet", "sparklet/DuckDB"]
    return common.format_table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.engine_driver:
        run_driver(args)
        return 0
    import tpch_data  # numpy + pyarrow: the parent only (the PySpark venv need not have them)

    data = tpch_data.ensure_tpch(args.sf)
    machine = common.machine_info()
    print(f"TPC-H-style SF {args.sf:g} ({data}), queries {' '.join(map(str, args.queries))}, "
          f"median of {args.repeat} after {args.warmup} warm-up, local[{args.cores}], "
          f"nice {args.nice}; {machine['cpus']} CPUs, load {machine['loadavg_1m']}", flush=True)
    results: dict[str, dict] = {}
    for engine in ENGINES:
        if getattr(args, f"skip_{engine}"):
            continue
        python = sys.executable
        if engine == "pyspark":
            if common.java_version() is None:
                results[engine] = {"engine": engine, "unavailable": "no working `java` on PATH"}
                print("skipping PySpark: no working `java` on PATH")
                continue
            python = str(common.ensure_venv(PYSPARK_VENV, PYSPARK_REQUIREMENTS))
        print(f"{LABELS[engine]} ...", flush=True)
        results[engine] = run_engine(engine, python, data, args)
        for key in ("unavailable", "failed"):
            if key in results[engine]:
                print(f"{LABELS[engine]} {key}: {results[engine][key]}", flush=True)
    print()
    print(report(results, args.queries))
    print()
    print(report(results, args.queries, "cpu"))
    loads = {e: r["loadavg_1m"] for e, r in results.items() if "loadavg_1m" in r}
    print("load average (1 min) before/after each engine: "
          + ", ".join(f"{e} {a}/{b}" for e, (a, b) in loads.items()))
    notes = dtype_notes(results, args.queries)
    for note in notes:
        print(f"note: {note}")
    problems = check_results(results, args.queries)
    problems += [f"{e} {k}: {r[k]}" for e, r in results.items()
                 for k in ("unavailable", "failed") if k in r]
    if args.json:
        common.write_json(args.json, {
            "benchmark": "tpch-sql", "sf": args.sf, "queries": args.queries,
            "repeat": args.repeat, "warmup": args.warmup, "cores": args.cores,
            "nice": args.nice, "machine": machine, "pyspark_conf": PYSPARK_CONF,
            "problems": problems, "dtype_notes": notes,
            "engines": {e: {k: v for k, v in r.items() if k != "queries"} | {
                "queries": {q: {k: v for k, v in entry.items() if k != "traceback"}
                            for q, entry in r.get("queries", {}).items()}}
                for e, r in results.items()}})
    if problems:
        print("\nFAILED: " + "\n        ".join(problems), file=sys.stderr)
        return 1
    print("all engines returned the same rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
