"""Applications submitted to a Dask cluster started from the command line.

``dask scheduler`` and ``dask worker --nworkers 2`` run as a user would run them (the
``dask_cluster`` fixture of ``services.py``); the application is a script run by
``sparklet-submit --master dask://127.0.0.1:PORT`` in a process of its own, as a user
would submit it. What is checked is what the issue asks of the Dask backend: the
``--py-files`` reach the workers (also once Dask keeps one copy of them, and once the
worker with that copy died), and a worker killed in the middle of a job -- while its task
runs, or after its map outputs were written and before they are read -- costs time, not
the answer. Every answer is checked against a plain-Python word count of the same text.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from services import REPO, wait_dask_workers

APP_TIMEOUT = 300.0   # seconds an application may take, killed worker and all (CI is loaded)
WAIT = 120.0          # seconds a test waits for one of the application's signals

VOCABULARY = ["Spark", "dask", "shuffle,", "Worker.", "nanny", "stage;", "task", "RDD",
              "lineage", "executor", "map", "reduce.", "scheduler", "partition,", "fetch"]


def _text(path: Path, lines: int = 2000, seed: int = 11) -> list[str]:
    """Generated words with punctuation and capitals (so normalising them matters)."""
    rng = random.Random(seed)
    rows = [" ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(0, 12)))
            for _ in range(lines)]
    path.write_text("\n".join(rows) + "\n")
    return rows


def _expected(rows: list[str]) -> dict[str, int]:
    """The word count in plain Python: words split on whitespace, stripped of ``.,;`` and
    lower-cased, empty ones dropped."""
    return dict(Counter(w.strip(".,;").lower() for row in rows for w in row.split()
                        if w.strip(".,;")))


def _env() -> dict:
    env = {**os.environ, "PYTHONHASHSEED": "0",
           "PYTHONPATH": os.pathsep.join(p for p in (str(REPO / "src"),
                                                     os.environ.get("PYTHONPATH")) if p)}
    # Only the --master given counts here, not a backend the suite was started with.
    for var in ("SPARKLET_BACKEND", "SPARKLET_DASK_SCHEDULER"):
        env.pop(var, None)
    return env


def _submit_command(master: str, app: Path, *args: str, py_files: list[Path] = ()) -> list:
    script = os.path.join(os.path.dirname(sys.executable), "sparklet-submit")
    cmd = [script] if os.access(script, os.X_OK) else [sys.executable, "-m", "sparklet.cli"]
    cmd += ["--master", master]
    if py_files:
        cmd += ["--py-files", ",".join(str(p) for p in py_files)]
    return cmd + [str(app), *args]


def _result(stdout: str) -> dict:
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 1, stdout
    return json.loads(lines[0][len("RESULT "):])


def _finish(proc: subprocess.Popen, out_path: Path, err_path: Path) -> dict:
    try:
        proc.wait(APP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(30)
        pytest.fail(f"the application did not finish in {APP_TIMEOUT:.0f} s; stderr:\n"
                    + err_path.read_text()[-4000:])
    assert proc.returncode == 0, err_path.read_text()[-4000:]
    return _result(out_path.read_text())


@contextlib.contextmanager
def _running(cmd: list, env: dict, tmp_path: Path):
    """The submitted application, in the background: yields its Popen, makes sure it is
    gone afterwards (killed by its PID if a failed test left it running)."""
    out_path, err_path = tmp_path / "app.out", tmp_path / "app.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                env=env, cwd=tmp_path)
    try:
        yield proc, out_path, err_path
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)


def _wait_for(what: str, found, proc: subprocess.Popen, err_path: Path):
    """Poll ``found()`` until it returns something truthy; fail if the application exits
    first or after ``WAIT`` seconds."""
    deadline = time.monotonic() + WAIT
    while True:
        value = found()
        if value:
            return value
        if proc.poll() is not None:
            pytest.fail(f"the application exited ({proc.returncode}) before {what}; "
                        f"stderr:\n" + err_path.read_text()[-4000:])
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {WAIT:.0f} s; stderr:\n"
                        + err_path.read_text()[-4000:])
        time.sleep(0.02)


def _gone(pid: int) -> bool:
    """The process has exited (a zombie its nanny has not reaped yet counts as exited)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(") ", 1)[1][:1] in "ZX"
    except (FileNotFoundError, ProcessLookupError):
        return True


def _kill_worker(pid: int) -> None:
    """SIGKILL one Dask worker process (a child of a nanny the fixture started), by PID,
    and wait until it is gone: no clean shutdown, no goodbye to the scheduler."""
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + WAIT
    while not _gone(pid):
        assert time.monotonic() < deadline, f"worker process {pid} survived SIGKILL"
        time.sleep(0.02)


def _announcements(signals: Path) -> list[tuple[int, int]]:
    """(partition, worker pid) of every first-stage task that announced itself."""
    found = []
    for path in glob.glob(str(signals / "map-*.pid")):
        _, index, pid = Path(path).stem.split("-")
        found.append((int(index), int(pid)))
    return sorted(found)


def _worker_pids(address: str) -> set[int]:
    from distributed import Client

    with Client(address, timeout=30, set_as_default=False) as client:
        return set(client.run(os.getpid).values())


# -- the applications ---------------------------------------------------------------------

WORDCOUNT_APP = textwrap.dedent('''
    """Word count whose helpers come from --py-files only: a .py and a module in a .zip
    (named by the test: a worker process keeps what it imported for the next application).
    Given a signal directory, it says when its context has started (``started``) and waits
    for the test's ``go`` before its jobs."""
    import importlib
    import json
    import os
    import sys
    import time
    from operator import add

    from sparklet import SparkContext

    text, split_module, norm_module, *signals = sys.argv[1:]
    wc_split = importlib.import_module(split_module)   # shipped as a .py
    wc_norm = importlib.import_module(norm_module)     # shipped inside a .zip
    with open(text) as fh:
        lines = fh.read().splitlines()
    with SparkContext(appName="dask-cli-wordcount") as sc:
        if signals:
            open(os.path.join(signals[0], "started"), "w").close()
            deadline = time.monotonic() + 300
            while not os.path.exists(os.path.join(signals[0], "go")):
                if time.monotonic() > deadline:
                    raise TimeoutError("the test never said go")
                time.sleep(0.02)
        sc.setJobGroup("wordcount", "the jobs whose tasks are counted")
        counts = (sc.parallelize(lines, 6).flatMap(wc_split.words).map(wc_norm.normalize)
                  .filter(bool).map(lambda w: (w, 1)).reduceByKey(add, 3))
        result = dict(counts.collect())
        where = (sc.parallelize(range(8), 8)
                 .map(lambda _: (wc_split.__file__, wc_norm.__file__, os.getpid()))
                 .collect())
        tracker = sc.statusTracker()
        stages = [tracker.getStageInfo(s) for j in tracker.getJobIdsForGroup("wordcount")
                  for s in tracker.getJobInfo(j).stageIds]
        print("RESULT " + json.dumps({"counts": result, "where": where,
                                      "driver": os.getpid(),
                                      "failed": sum(s.numFailedTasks for s in stages),
                                      "completed": sum(s.numCompletedTasks for s in stages)}))
''')

# The first stage's tasks announce themselves (``map-<partition>-<worker pid>.pid`` in the
# signal directory). With HOLD set they then wait for the test's ``go`` file, so the test
# can kill a worker while a task of this job runs on it. With PHASES set the driver counts
# first (the map stage runs, its outputs stay on the workers), says so (``counted``), waits
# for ``go``, and collects the same shuffle: what the killed worker held must be recomputed.
KILL_APP = textwrap.dedent('''
    import json
    import os
    import sys
    import time
    from operator import add

    from sparklet import SparkContext

    text, signals, mode = sys.argv[1:4]
    GO = os.path.join(signals, "go")


    def wait_for_go():
        deadline = time.monotonic() + 300
        while not os.path.exists(GO):
            if time.monotonic() > deadline:
                raise TimeoutError("the test never said go")
            time.sleep(0.02)


    def announce(index, rows):
        name = os.path.join(signals, "map-%d-%d" % (index, os.getpid()))
        with open(name + ".tmp", "w") as fh:
            fh.write(str(os.getpid()))
        os.replace(name + ".tmp", name + ".pid")
        if mode == "HOLD":
            wait_for_go()
        return rows


    def words(line):
        return [w.strip(".,;").lower() for w in line.split() if w.strip(".,;")]


    with open(text) as fh:
        lines = fh.read().splitlines()
    with SparkContext(appName="dask-cli-" + mode.lower()) as sc:
        counts = (sc.parallelize(lines, 6).mapPartitionsWithIndex(announce)
                  .flatMap(words).map(lambda w: (w, 1)).reduceByKey(add, 3))
        distinct = None
        if mode == "PHASES":
            distinct = counts.count()
            with open(os.path.join(signals, "counted.tmp"), "w") as fh:
                fh.write(str(distinct))
            os.replace(os.path.join(signals, "counted.tmp"), os.path.join(signals, "counted"))
            wait_for_go()
        result = dict(counts.collect())
        print("RESULT " + json.dumps({"counts": result, "distinct": distinct}))
''')


def _py_files(tmp_path: Path, tag: str) -> list[Path]:
    """``wc_split_<tag>.py`` and ``wc_deps_<tag>.zip`` (holding ``wc_norm_<tag>.py``), in
    a folder of the test's own: nothing puts it on the workers' path but --py-files."""
    deps = tmp_path / "deps"
    deps.mkdir()
    split = deps / f"wc_split_{tag}.py"
    split.write_text("def words(line):\n    return line.split()\n")
    archive = deps / f"wc_deps_{tag}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"wc_norm_{tag}.py", "def normalize(word):\n"
                                         "    return word.strip('.,;').lower()\n")
    return [split, archive]


# -- the tests ----------------------------------------------------------------------------

@pytest.mark.parametrize("replicas", ["as scattered", "down to one"])
def test_submit_ships_py_files_and_counts_words(dask_cluster, tmp_path, replicas):
    """``down to one``: the jobs start once Dask has dropped all but one replica of each
    shipped file, so one worker or the other has to fetch each from its peer."""
    wait_dask_workers(dask_cluster.url)
    worker_pids = _worker_pids(dask_cluster.url)
    rows = _text(tmp_path / "words.txt")
    app = tmp_path / "wordcount.py"
    app.write_text(WORDCOUNT_APP)
    tag = replicas.split()[0]
    py_files = _py_files(tmp_path, tag)
    args = [str(tmp_path / "words.txt"), f"wc_split_{tag}", f"wc_norm_{tag}"]
    if replicas == "down to one":
        signals = tmp_path / "signals"
        signals.mkdir()
        args.append(str(signals))
    cmd = _submit_command(dask_cluster.extra["master"], app, *args, py_files=py_files)
    with _running(cmd, _env(), tmp_path) as (proc, out_path, err_path):
        if replicas == "down to one":
            _wait_for("the context to start", lambda: (signals / "started").exists(), proc,
                      err_path)
            _wait_for("a single replica of each shipped file", lambda: (
                (h := _scattered_holders(dask_cluster.url)) and len(h) == len(py_files)
                and all(len(w) == 1 for w in h.values())), proc, err_path)
            (signals / "go").touch()
        result = _finish(proc, out_path, err_path)
    assert result["counts"] == _expected(rows)
    # No task failed on the way (a failed one is retried elsewhere, which would hide a
    # worker that could not get the files): 6 map tasks, 3 reduce tasks, 8 tasks.
    assert (result["failed"], result["completed"]) == (0, 6 + 3 + 8)
    # The tasks ran in the cluster's worker processes, and imported the helpers from the
    # copies shipped to the workers' own directories, not from where the test wrote them.
    ran_in = {pid for _, _, pid in result["where"]}
    assert ran_in <= worker_pids and result["driver"] not in ran_in
    workers_dir = os.path.join(dask_cluster.workdir, "workers") + os.sep
    for split_file, norm_file, _ in result["where"]:
        assert split_file.startswith(workers_dir), split_file
        assert split_file.endswith(os.sep + f"wc_split_{tag}.py")
        assert norm_file.startswith(workers_dir), norm_file
        assert norm_file.endswith(os.path.join(f"wc_deps_{tag}.zip", f"wc_norm_{tag}.py"))


def _start_kill_app(dask_cluster, tmp_path: Path, mode: str):
    wait_dask_workers(dask_cluster.url)
    rows = _text(tmp_path / "words.txt", seed=23 if mode == "HOLD" else 29)
    signals = tmp_path / "signals"
    signals.mkdir()
    app = tmp_path / "killapp.py"
    app.write_text(KILL_APP)
    cmd = _submit_command(dask_cluster.extra["master"], app, str(tmp_path / "words.txt"),
                          str(signals), mode)
    return rows, signals, _running(cmd, _env(), tmp_path)


def test_worker_killed_while_its_task_runs(dask_cluster, tmp_path):
    rows, signals, running = _start_kill_app(dask_cluster, tmp_path, "HOLD")
    with running as (proc, out_path, err_path):
        index, pid = _wait_for("first-stage task announcing itself",
                               lambda: _announcements(signals), proc, err_path)[0]
        _kill_worker(pid)
        (signals / "go").touch()
        result = _finish(proc, out_path, err_path)
    assert result["counts"] == _expected(rows)
    # The task that was running on the killed worker ran again, in another process.
    assert any(i == index and p != pid for i, p in _announcements(signals)), \
        _announcements(signals)


def test_worker_killed_between_map_and_reduce(dask_cluster, tmp_path):
    rows, signals, running = _start_kill_app(dask_cluster, tmp_path, "PHASES")
    with running as (proc, out_path, err_path):
        _wait_for("the first count", lambda: (signals / "counted").exists(), proc, err_path)
        before = _announcements(signals)
        # A worker that ran map tasks: their outputs are files in its directory, lost now.
        index, pid = before[0]
        _kill_worker(pid)
        (signals / "go").touch()
        result = _finish(proc, out_path, err_path)
    expected = _expected(rows)
    assert result["distinct"] == len(expected)
    assert result["counts"] == expected
    # Its map outputs were computed again (by lineage), in another process.
    lost = {i for i, p in before if p == pid}
    rerun = {i for i, p in _announcements(signals) if (i, p) not in before}
    assert index in lost and lost <= rerun, (before, _announcements(signals))


# The --py-files are scattered to the workers when the context starts. Dask keeps one
# replica of data no task needs (its memory manager drops the rest within seconds): the
# test waits for that, kills the one worker holding the zip, and only then lets the
# application run its job -- on workers none of which has the zip.
LATE_APP = textwrap.dedent('''
    import json
    import os
    import sys
    import time
    from operator import add

    import late_words        # shipped inside a .zip

    from sparklet import SparkContext

    text, signals = sys.argv[1:3]
    with open(text) as fh:
        lines = fh.read().splitlines()
    with SparkContext(appName="dask-cli-late") as sc:
        open(os.path.join(signals, "started"), "w").close()
        deadline = time.monotonic() + 300
        while not os.path.exists(os.path.join(signals, "go")):
            if time.monotonic() > deadline:
                raise TimeoutError("the test never said go")
            time.sleep(0.02)
        counts = (sc.parallelize(lines, 6).flatMap(late_words.words)
                  .map(lambda w: (w, 1)).reduceByKey(add, 3))
        result = dict(counts.collect())
        where = sc.parallelize(range(8), 8).map(lambda _: late_words.__file__).collect()
        print("RESULT " + json.dumps({"counts": result, "where": where}))
''')


def _scattered_holders(address: str) -> dict:
    """Every key the scheduler knows that was scattered as bytes, and who holds it."""
    from distributed import Client

    with Client(address, timeout=30, set_as_default=False) as client:
        return {k: v for k, v in client.who_has().items() if str(k).startswith("bytes-")}


def test_py_files_outlive_the_worker_that_held_them(dask_cluster, tmp_path):
    from distributed import Client

    wait_dask_workers(dask_cluster.url)
    rows = _text(tmp_path / "words.txt", seed=31)
    signals = tmp_path / "signals"
    signals.mkdir()
    archive = tmp_path / "late_deps.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("late_words.py", "def words(line):\n"
                                     "    return [w.strip('.,;').lower() for w in line.split()\n"
                                     "            if w.strip('.,;')]\n")
    app = tmp_path / "lateapp.py"
    app.write_text(LATE_APP)
    cmd = _submit_command(dask_cluster.extra["master"], app, str(tmp_path / "words.txt"),
                          str(signals), py_files=[archive])
    with _running(cmd, _env(), tmp_path) as (proc, out_path, err_path):
        _wait_for("the context to start", lambda: (signals / "started").exists(), proc,
                  err_path)
        # The zip, down to one replica: {key: (its one holder,)}.
        holders = _wait_for("a single replica of the scattered zip", lambda: (
            (h := _scattered_holders(dask_cluster.url)) and len(h) == 1
            and len(next(iter(h.values()))) == 1 and h), proc, err_path)
        (holder,) = next(iter(holders.values()))
        with Client(dask_cluster.url, timeout=30, set_as_default=False) as client:
            pid = client.run(os.getpid, workers=[holder])[holder]
        _kill_worker(pid)
        wait_dask_workers(dask_cluster.url, without=(holder,))  # and its replacement joined
        (signals / "go").touch()
        result = _finish(proc, out_path, err_path)
    assert result["counts"] == _expected(rows)
    workers_dir = os.path.join(dask_cluster.workdir, "workers") + os.sep
    for path in result["where"]:
        assert path.startswith(workers_dir), path
        assert path.endswith(os.path.join("late_deps.zip", "late_words.py")), path
