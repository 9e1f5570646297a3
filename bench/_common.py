"""Shared helpers for sparklet's benchmarks.

Everything a benchmark needs besides the workload itself lives here, so that the word-count
benchmark and later ones (streaming, joins, ...) generate the same data, time things the same way,
build the same reference PySpark installation and print results in the same shape:

* ``ensure_corpus``   -- deterministic Zipf-distributed text, generated once into bench/data/.
* ``time_repeats``    -- warm-up runs, then timed repeats; results are compared by their median.
* ``ensure_venv``     -- a private virtualenv (e.g. bench/.venv-pyspark) built on first use.
* ``check_same_counts`` -- fail loudly when two implementations disagree.
* ``format_table`` / ``write_json`` -- compact reporting.

The machine the benchmarks run on has 2 cores and is shared, so single timings are noisy: we
always report medians of several repeats and ratios between variants rather than absolute speed.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"  # git-ignored

MIB = 1 << 20
DEFAULT_SEED = 20240611
VOCAB_SIZE = 5000
ZIPF_EXPONENT = 1.0
WORDS_PER_LINE = (5, 15)  # uniform, so ~10 words per line on average

_CONSONANTS = "bcdfghjklmnprstvwz"
_VOWELS = "aeiou"


# --------------------------------------------------------------------------------------------
# Corpus generation
# --------------------------------------------------------------------------------------------


def corpus_path(mb: float) -> Path:
    """Where the ``mb``-MiB corpus lives; the size is in the name so sizes can coexist."""
    return DATA_DIR / f"words-{mb:g}mb.txt"


def make_vocabulary(rng: random.Random, size: int = VOCAB_SIZE) -> list[str]:
    """Pronounceable pseudo-words, shortest first.

    Sorting by length before ranks are assigned mimics natural language, where the most
    frequent words are short; it also keeps the average word (and so line) length realistic.
    """
    words: set[str] = set()
    while len(words) < size:
        syllables = rng.randint(1, 4)
        words.add("".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(syllables)))
    return sorted(words, key=lambda w: (len(w), w))


def zipf_cum_weights(n: int, exponent: float = ZIPF_EXPONENT) -> list[float]:
    """Cumulative weights with P(rank r) proportional to 1 / r**exponent (Zipf's law)."""
    return list(itertools.accumulate(1.0 / (rank**exponent) for rank in range(1, n + 1)))


def _generate_lines(rng: random.Random, vocab: Sequence[str], batch_lines: int = 20_000):
    """Yield batches of text lines forever; drawing words in bulk keeps generation fast."""
    cum = zipf_cum_weights(len(vocab))
    lo, hi = WORDS_PER_LINE
    while True:
        lengths = [rng.randint(lo, hi) for _ in range(batch_lines)]
        words = rng.choices(vocab, cum_weights=cum, k=sum(lengths))
        lines, pos = [], 0
        for n in lengths:
            lines.append(" ".join(words[pos : pos + n]))
            pos += n
        yield lines


def _last_line(rng: random.Random, vocab: Sequence[str], room: int) -> str:
    """A final line of exactly ``room`` bytes (newline included), padded with spaces.

    Padding (which ``str.split`` ignores) instead of cutting a word in half gives the file an
    exact, predictable size without inventing tokens that are not in the vocabulary.
    """
    cum = zipf_cum_weights(len(vocab))
    words: list[str] = []
    used = 0
    while True:
        word = rng.choices(vocab, cum_weights=cum)[0]
        extra = len(word) + (1 if words else 0)
        if used + extra > room - 1:
            break
        words.append(word)
        used += extra
    return " ".join(words).ljust(room - 1) + "\n"


def write_corpus(path: Path, size_bytes: int, seed: int = DEFAULT_SEED) -> None:
    """Write exactly ``size_bytes`` of deterministic text to ``path`` (atomically)."""
    rng = random.Random(seed)
    vocab = make_vocabulary(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    written = 0
    with open(tmp, "w", encoding="ascii", newline="\n") as out:
        for lines in _generate_lines(rng, vocab):
            for line in lines:
                room = size_bytes - written
                if len(line) + 1 > room:
                    if room > 0:
                        out.write(_last_line(rng, vocab, room))
                    written = size_bytes
                    break
                out.write(line)
                out.write("\n")
                written += len(line) + 1
            if written >= size_bytes:
                break
    os.replace(tmp, path)


def ensure_corpus(mb: float, seed: int = DEFAULT_SEED, log: Callable[[str], None] = print) -> Path:
    """Return the path of the ``mb``-MiB corpus, generating it unless it already has that size.

    Generation is deterministic (fixed seed), so an existing file of the right size is taken
    to be the same corpus and reused: regenerating 50 MiB on every run would waste ~10 s.
    """
    size_bytes = int(mb * MIB)
    if size_bytes <= 0:
        raise ValueError(f"corpus size must be positive, got {mb} MiB")
    path = corpus_path(mb)
    if path.exists() and path.stat().st_size == size_bytes:
        return path
    log(f"generating {path.relative_to(REPO_ROOT)} ({size_bytes:,} bytes, seed {seed}) ...")
    start = time.perf_counter()
    write_corpus(path, size_bytes, seed)
    log(f"  done in {time.perf_counter() - start:.1f} s")
    return path


@functools.lru_cache(maxsize=4)
def vocabulary(size: int = VOCAB_SIZE, seed: int = DEFAULT_SEED) -> tuple[str, ...]:
    """The corpus vocabulary (``size`` words), cached: a 100k-word one takes a while to draw.

    With the defaults this is exactly the vocabulary of the corpus files, so in-memory batches
    (streaming benchmarks) have the same word distribution as ``ensure_corpus``'s text.
    """
    return tuple(make_vocabulary(random.Random(seed), size))


def generate_lines(count: int, seed: int = DEFAULT_SEED, vocab_size: int = VOCAB_SIZE) -> list[str]:
    """``count`` corpus-like lines (~10 Zipf-distributed words each), deterministic in the seed.

    The seed picks the lines, never the vocabulary: every batch of a stream draws its words
    from the same ``vocab_size`` words (for the state benchmark, its whole key space).

    Streaming benchmarks feed batches from memory rather than from the corpus file; two
    processes (sparklet's and PySpark's drivers) calling this with the same arguments get the
    same lines, so their results can be compared.
    """
    if count <= 0:
        return []
    return next(_generate_lines(random.Random(seed), vocabulary(vocab_size), count))


def newline_aligned_ranges(path: Path, parts: int) -> list[tuple[int, int]]:
    """Split a file into ``parts`` byte ranges that each start at the beginning of a line.

    This is what Hadoop-style input splits do; plain-Python baselines use it to divide a text
    file between worker processes without any of them reading the whole file.
    """
    size = path.stat().st_size
    bounds = [0]
    with open(path, "rb") as f:
        for i in range(1, parts):
            f.seek(max(size * i // parts, bounds[-1]))
            f.readline()  # move to the start of the next line
            bounds.append(min(f.tell(), size))
    bounds.append(size)
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


# --------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------


def time_call(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``fn`` once; return (wall-clock seconds, result)."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def time_repeats(
    fn: Callable[[], Any], repeat: int, warmup: int = 1, cpu: list[float] | None = None
) -> tuple[list[float], Any]:
    """Run ``fn`` ``warmup`` times untimed, then ``repeat`` times timed.

    The warm-up absorbs one-off costs (imports, worker start-up, page cache) that are not part of
    steady-state job time. Returns the timed durations and the result of the last run, which the
    caller uses to check correctness. With ``cpu`` (a list), each timed run also appends the CPU
    seconds this process and all its descendants spent on it (:func:`tree_cpu_seconds`).
    """
    result = None
    for _ in range(warmup):
        result = fn()
    times = []
    for _ in range(repeat):
        before = tree_cpu_seconds() if cpu is not None else 0.0
        elapsed, result = time_call(fn)
        times.append(elapsed)
        if cpu is not None:
            cpu.append(tree_cpu_seconds() - before)
    return times, result


def proc_cpu_table() -> dict[int, tuple[int, float, float]]:
    """pid -> (parent pid, CPU seconds the process used, CPU seconds its reaped children
    left in its counters), user + system, for every process (Linux ``/proc``)."""
    tick = os.sysconf("SC_CLK_TCK")
    table: dict[int, tuple[int, float, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue  # exited while we looked
        # After "pid (comm)": state ppid ... utime(14) stime(15) cutime(16) cstime(17).
        table[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick,
                             (int(fields[13]) + int(fields[14])) / tick)
    return table


def descendants(table: dict[int, tuple], root: int) -> list[int]:
    """The living descendants of ``root`` in a :func:`proc_cpu_table`."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, *_) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], list(children.get(root, ()))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def tree_cpu_seconds(root: int | None = None) -> float:
    """User + system CPU seconds of process ``root`` (default: this one) and all its living
    descendants, plus what its reaped children left in its own counters (Linux ``/proc``).

    Job time on a shared 2-core machine mostly measures the other users; CPU seconds of the
    process tree (driver, executors or pool workers, a JVM and its Python workers) are what the
    job itself cost, so ratios of them hold up under load far better than wall-clock ratios.
    """
    root = os.getpid() if root is None else root
    table = proc_cpu_table()
    _, own, reaped = table.get(root, (0, 0.0, 0.0))
    return own + reaped + sum(table[pid][1] for pid in descendants(table, root))


def summarize(times: Sequence[float]) -> dict[str, float]:
    """Median, min and max of a list of timings (median is the headline on a noisy machine)."""
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile (``pct`` in 0..100), or None for no values.

    Nearest rank always returns an observed value, which is what a reader expects of "p95 of
    20 batches" (it is the 19th slowest, not an interpolation between two batches).
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``, or None when either side was not measured."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


# --------------------------------------------------------------------------------------------
# Correctness
# --------------------------------------------------------------------------------------------


class MismatchError(AssertionError):
    """Two implementations of the same benchmark produced different results."""


def check_same_counts(
    name_a: str, counts_a: Mapping[str, int], name_b: str, counts_b: Mapping[str, int]
) -> None:
    """Raise ``MismatchError`` naming a few differing keys unless the two count maps are equal.

    A benchmark that is fast but wrong is worthless, so every variant's output is compared with
    the reference before any timing is reported.
    """
    a = sorted(counts_a.items())
    b = sorted(counts_b.items())
    if a == b:
        return
    da, db = dict(a), dict(b)
    keys = sorted(k for k in set(da) | set(db) if da.get(k) != db.get(k))
    sample = ", ".join(f"{k!r}: {da.get(k)} vs {db.get(k)}" for k in keys[:8])
    raise MismatchError(
        f"{name_a} and {name_b} disagree on {len(keys)} of {len(set(da) | set(db))} keys "
        f"({name_a}: {len(da)} keys, {sum(da.values())} total; "
        f"{name_b}: {len(db)} keys, {sum(db.values())} total). First: {sample}"
    )


# --------------------------------------------------------------------------------------------
# Reference installations (PySpark)
# --------------------------------------------------------------------------------------------


class VenvError(RuntimeError):
    """A private benchmark virtualenv could not be built; the message says why."""



def run_engine_driver(engine: str, cmd: list[str], env: Mapping[str, str], result: Path,
                      timeout: float) -> dict[str, Any]:
    """Run one engine's driver subprocess ``cmd``, which writes its JSON to ``result``: that
    JSON with the run's wall time and 1-minute load before/after, or ``{"failed": why}``
    (a timeout, a non-zero exit with the tail of its stderr, or no result)."""
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=dict(env), stdout=None, stderr=subprocess.PIPE,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"engine": engine, "failed": f"timed out after {timeout} s"}
    if proc.returncode != 0 or not result.exists():
        tail = "\n".join(proc.stderr.strip().splitlines()[-30:])
        return {"engine": engine, "failed": f"driver exited {proc.returncode}:\n{tail}"}
    out = json.loads(result.read_text())
    out["wall_s"] = time.perf_counter() - start
    out["loadavg_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return out

def venv_python(venv_dir: Path) -> Path:
    """The interpreter inside a virtualenv (POSIX layout; the benchmarks target Linux)."""
    return venv_dir / "bin" / "python"


def ensure_venv(
    venv_dir: Path,
    requirements: Sequence[str],
    log: Callable[[str], None] = print,
    timeout: float = 1800,
) -> Path:
    """Return the python of a virtualenv with ``requirements`` installed, building it if needed.

    Reference systems (PySpark and its 300 MB wheel) must not leak into the project's own venv,
    so each gets a private, git-ignored one. A marker file records what was installed; a venv
    without a matching marker (e.g. an interrupted install) is rebuilt. Raises ``VenvError``.
    """
    python = venv_python(venv_dir)
    marker = venv_dir / ".bench-installed"
    wanted = "\n".join(requirements) + "\n"
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    log(f"building {venv_dir} with {' '.join(requirements)} (first use; this takes a while) ...")
    start = time.perf_counter()
    # `venv --clear` empties the directory, so the install log (kept inside the git-ignored venv,
    # for post-mortems) is opened only once the venv exists.
    _run_logged([sys.executable, "-m", "venv", "--clear", str(venv_dir)], None, timeout)
    install_log = venv_dir / "bench-install.log"
    with open(install_log, "w") as logf:
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", *requirements]
        _run_logged(pip, logf, timeout)
    marker.write_text(wanted)
    log(f"  done in {time.perf_counter() - start:.0f} s (log: {install_log})")
    return python


def _run_logged(cmd: list[str], logf: IO[str] | None, timeout: float) -> None:
    """Run one install step, its output going to ``logf`` (or, if None, kept for the error)."""
    if logf:
        logf.write(f"$ {' '.join(cmd)}\n")
        logf.flush()
    try:
        proc = subprocess.run(
            cmd,
            stdout=logf or subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise VenvError(f"`{' '.join(cmd[:5])} ...` failed: {exc}") from exc
    if proc.returncode != 0:
        detail = proc.stdout.strip()[-2000:] if logf is None else f"see {logf.name}"
        raise VenvError(f"`{' '.join(cmd[:5])} ...` exited with {proc.returncode}: {detail}")


def java_version() -> str | None:
    """First line of ``java -version``, or None when no Java is on PATH (PySpark needs one)."""
    if shutil.which("java") is None:
        return None
    try:
        proc = subprocess.run(
            ["java", "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    return lines[0] if proc.returncode == 0 and lines else None


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    """What a reader needs to interpret absolute numbers from another machine.

    The load average is included because the machine is shared: a run made while other jobs
    kept the cores busy explains absolute figures far from earlier ones.
    """
    return {
        "cpus": os.cpu_count(),
        "loadavg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(terse=True),
    }


def fmt_seconds(value: float | None) -> str:
    """Seconds with 2-3 significant decimals; '-' for not measured."""
    if value is None:
        return "-"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def fmt_ratio(value: float | None) -> str:
    """A ratio as '1.23x'; '-' for not measured."""
    return "-" if value is None else f"{value:.2f}x"


def format_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    rows = [list(map(str, r)) for r in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        aligned = (c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))
        return "  ".join([first.ljust(widths[0]), *aligned]).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def write_json(path: str | os.PathLike[str], payload: Mapping[str, Any]) -> None:
    """Write results as indented JSON, for tracking figures across commits."""
    Path(path).write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n")


__all__ = [
    "BENCH_DIR",
    "DATA_DIR",
    "MIB",
    "REPO_ROOT",
    "MismatchError",
    "VenvError",
    "check_same_counts",
    "corpus_path",
    "ensure_corpus",
    "ensure_venv",
    "fmt_ratio",
    "fmt_seconds",
    "format_table",
    "generate_lines",
    "java_version",
    "machine_info",
    "newline_aligned_ranges",
    "percentile",
    "ratio",
    "summarize",
    "time_call",
    "time_repeats",
    "descendants",
    "proc_cpu_table",
    "tree_cpu_seconds",
    "venv_python",
    "vocabulary",
    "write_json",
]
