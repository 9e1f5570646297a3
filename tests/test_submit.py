"""sparklet-submit runs an application with spark-submit's options; sparklet run-example runs
the bundled examples. Each test runs the real command (``python -m sparklet.cli``) in a
subprocess on this worktree's sources."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from collections import Counter
from pathlib import Path

import pytest

import sparklet

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 180  # a failure guard only: each run takes seconds


def _env(**extra: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p), **extra}
    # What this process was started with must not leak into the application's conf.
    for var in ("SPARKLET_BACKEND", "SPARKLET_DASK_SCHEDULER", "SPARKLET_SUBMIT_CONF",
                "SPARK_CONF_DIR", "SPARK_HOME", "SPARK_ENV_LOADED", "MASTER"):
        if var not in extra:
            env.pop(var, None)
    return env


def submit(*args, env: dict | None = None, cwd=None, timeout: float = TIMEOUT):
    return subprocess.run([sys.executable, "-m", "sparklet.cli", *map(str, args)],
                          capture_output=True, text=True, env=env or _env(), cwd=cwd,
                          timeout=timeout)


def result(stdout: str) -> dict:
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 1, stdout
    return json.loads(lines[0][len("RESULT "):])


# -- dependencies: --py-files, --files, --archives ------------------------------------------

DEPS_APP = textwrap.dedent("""
    import json, os, sys
    from sparklet import SparkConf, SparkContext, SparkFiles
    import plain_helper    # a .py of --py-files
    import zipped_helper   # only inside deps.zip of --py-files

    def in_task(x):
        import plain_helper, zipped_helper
        with open(SparkFiles.get("factor.txt")) as f:
            factor = int(f.read())
        with open(os.path.join(SparkFiles.get("tables"), "inner", "t.txt")) as f:
            table = f.read()
        return [plain_helper.double(x), zipped_helper.triple(x), factor * x, table,
                os.getpid()]

    with SparkContext(conf=SparkConf()) as sc:
        rows = sc.parallelize(range(4), 2).map(in_task).collect()
        with open(SparkFiles.get("factor.txt")) as f:
            driver_factor = int(f.read())
        with open(SparkFiles.get("plain.tgz") + "/p.txt") as f:
            driver_plain = f.read()
        print("RESULT " + json.dumps({
            "driver": [plain_helper.double(5), zipped_helper.triple(5), driver_factor,
                       driver_plain],
            "rows": rows, "driver_pid": os.getpid(), "master": sc.master,
            "archives": sc.listArchives, "args": sys.argv[1:]}))
""")


def test_py_files_files_and_archives_reach_the_driver_and_the_tasks(tmp_path):
    import tarfile

    (tmp_path / "app.py").write_text(DEPS_APP)
    (tmp_path / "plain_helper.py").write_text("def double(x):\n    return 2 * x\n")
    with zipfile.ZipFile(tmp_path / "deps.zip", "w") as z:
        z.writestr("zipped_helper.py", "def triple(x):\n    return 3 * x\n")
    (tmp_path / "factor.txt").write_text("100")
    with zipfile.ZipFile(tmp_path / "tables.zip", "w") as z:
        z.writestr("inner/t.txt", "from the archive")
    (tmp_path / "p.txt").write_text("tarred")
    with tarfile.open(tmp_path / "plain.tgz", "w:gz") as tar:
        tar.add(tmp_path / "p.txt", arcname="p.txt")
    (tmp_path / "p.txt").unlink()
    run_dir = tmp_path / "elsewhere"  # the app must not find its modules in the cwd
    run_dir.mkdir()
    deps = tmp_path / "deps"
    deps.mkdir()
    for name in ("plain_helper.py", "deps.zip", "factor.txt", "app.py"):
        (tmp_path / name).rename(deps / name)
    out = submit("--master", "local[2]",
                 "--py-files", f"{deps / 'plain_helper.py'},{deps / 'deps.zip'}",
                 "--files", deps / "factor.txt",
                 "--archives", f"{tmp_path / 'tables.zip'}#tables,{tmp_path / 'plain.tgz'}",
                 deps / "app.py", "one", "--two", cwd=run_dir)
    assert out.returncode == 0, out.stderr
    got = result(out.stdout)
    assert got["driver"] == [10, 15, 100, "tarred"]
    assert [row[:4] for row in got["rows"]] == [
        [2 * x, 3 * x, 100 * x, "from the archive"] for x in range(4)]
    assert got["driver_pid"] not in {row[4] for row in got["rows"]}  # ran on executors
    assert got["master"] == "local[2]" and got["args"] == ["one", "--two"]
    assert got["archives"] == [f"{tmp_path / 'tables.zip'}#tables", str(tmp_path / "plain.tgz")]


def test_a_missing_dependency_is_refused_before_the_app_runs(tmp_path):
    (tmp_path / "app.py").write_text("print('ran')\n")
    out = submit("--files", tmp_path / "nope.txt", tmp_path / "app.py")
    assert out.returncode == 2 and "--files: no such file" in out.stderr
    assert "ran" not in out.stdout


# -- configuration: precedence of the four levels ------------------------------------------

CONF_APP = textwrap.dedent("""
    import json, os, sys
    from sparklet import SparkConf, SparkContext
    conf = SparkConf()
    if sys.argv[1:] == ["set-in-code"]:
        conf.set("spark.test.level", "code")
        with SparkContext(conf=conf) as sc:
            conf = sc.getConf()
    keys = ["spark.test.level", "spark.only.defaults", "spark.only.props", "spark.only.conf",
            "spark.app.name", "spark.executor.memory", "spark.master", "spark.foo"]
    print("RESULT " + json.dumps({
        "conf": {k: conf.get(k) for k in keys}, "env": os.environ.get("FROM_SPARK_ENV")}))
""")


@pytest.fixture
def conf_setup(tmp_path):
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    (conf_dir / "spark-defaults.conf").write_text(
        "# the lowest level\nspark.test.level  defaults\nspark.only.defaults d\n"
        "spark.master local[1]\n")
    (conf_dir / "spark-env.sh").write_text(
        "# read, not run\nexport FROM_SPARK_ENV='from env file'\nSPARK_EXECUTOR_MEMORY=3g\n")
    (tmp_path / "props.conf").write_text(
        "spark.test.level=props\nspark.only.props p\nspark.foo bar\nnot.spark.key x\n")
    (tmp_path / "app.py").write_text(CONF_APP)
    return tmp_path, _env(SPARK_CONF_DIR=str(conf_dir))


def test_each_level_is_seen_and_precedence_is_spark_submits(conf_setup):
    tmp, env = conf_setup
    app, props = tmp / "app.py", tmp / "props.conf"
    conf_args = ["--conf", "spark.test.level=conf", "-c", "spark.only.conf=c"]

    def run(*args):
        out = submit(*args, env=env)
        assert out.returncode == 0, out.stderr
        return result(out.stdout)

    only_defaults = run(app)
    assert only_defaults["conf"]["spark.test.level"] == "defaults"
    assert only_defaults["conf"]["spark.only.defaults"] == "d"
    assert only_defaults["conf"]["spark.master"] == "local[1]"
    # spark-env.sh: in the app's environment, and SPARK_EXECUTOR_MEMORY as spark-submit's
    # fallback for spark.executor.memory
    assert only_defaults["env"] == "from env file"
    assert only_defaults["conf"]["spark.executor.memory"] == "3g"
    assert only_defaults["conf"]["spark.app.name"] == "app.py"

    # A properties file replaces spark-defaults.conf ...
    with_props = run("--properties-file", props, app)["conf"]
    assert with_props["spark.test.level"] == "props" and with_props["spark.only.props"] == "p"
    assert with_props["spark.only.defaults"] is None and with_props["spark.master"] == "local[*]"
    assert with_props["spark.foo"] == "bar"
    # ... unless --load-spark-defaults, and then its values still win.
    both = run("--properties-file", props, "--load-spark-defaults", app)["conf"]
    assert both["spark.test.level"] == "props" and both["spark.only.defaults"] == "d"
    assert both["spark.only.props"] == "p"

    flags = run("--properties-file", props, "--load-spark-defaults", *conf_args, app)["conf"]
    assert flags["spark.test.level"] == "conf" and flags["spark.only.conf"] == "c"
    assert (flags["spark.only.props"], flags["spark.only.defaults"]) == ("p", "d")

    # A dedicated flag beats --conf for its key, as spark-submit's; --conf beats the files.
    named = run("--name", "ByFlag", "--conf", "spark.app.name=ByConf", "--executor-memory",
                "1g", "--conf", "spark.foo=conf", "--properties-file", props, app)["conf"]
    assert named["spark.app.name"] == "ByFlag" and named["spark.executor.memory"] == "1g"
    assert named["spark.foo"] == "conf"

    in_code = run("--properties-file", props, "--load-spark-defaults", *conf_args, app,
                  "set-in-code")["conf"]
    assert in_code["spark.test.level"] == "code" and in_code["spark.only.conf"] == "c"


def test_verbose_prints_the_arguments_and_properties_used(conf_setup):
    tmp, env = conf_setup
    out = submit("--verbose", "--conf", "spark.my.password=hunter2", "--conf", "other=1",
                 tmp / "app.py", "a1", env=env)
    assert out.returncode == 0, out.stderr
    defaults = str(tmp / "conf" / "spark-defaults.conf")
    assert f"Using properties file: {defaults}" in out.stderr
    assert re.search(r"^  master +local\[1\]$", out.stderr, re.M)
    assert re.search(r"^  childArgs +\[a1\]$", out.stderr, re.M)
    assert "  (spark.test.level,defaults)" in out.stderr
    assert "  (spark.my.password,*********(redacted))" in out.stderr
    assert "hunter2" not in out.stderr
    assert "Warning: Ignoring non-Spark config property: other" in out.stderr


def test_executor_flags_pick_a_local_cluster_master(tmp_path):
    (tmp_path / "app.py").write_text(textwrap.dedent("""
        import json, os
        from sparklet import SparkContext
        with SparkContext.getOrCreate() as sc:
            pids = set(sc.parallelize(range(8), 8).map(lambda _: os.getpid()).collect())
            conf = sc.getConf()
            print("RESULT " + json.dumps({
                "master": sc.master, "instances": conf.get("spark.executor.instances"),
                "cores": conf.get("spark.executor.cores"), "executors": len(pids)}))
    """))
    out = submit("--num-executors", "2", "--executor-cores", "1", "--executor-memory", "512m",
                 tmp_path / "app.py")
    assert out.returncode == 0, out.stderr
    got = result(out.stdout)
    assert got["master"] == "local-cluster[2,1,512]"
    assert (got["instances"], got["cores"]) == ("2", "1")
    assert 1 <= got["executors"] <= 2


# -- exit codes -----------------------------------------------------------------------------

def test_exit_codes_and_messages(tmp_path):
    app = tmp_path / "app.py"
    app.write_text("import sys\nprint('ran')\nsys.exit(int(sys.argv[1]))\n")
    (tmp_path / "boom.py").write_text("def f():\n    raise RuntimeError('boom here')\nf()\n")

    unknown = submit("--foo", app, "0")
    assert unknown.returncode == 2 and "ran" not in unknown.stdout
    assert unknown.stderr.startswith("Error: Unrecognized option: --foo\n")
    assert "Usage: sparklet-submit [options] <python file>" in unknown.stderr

    helped = submit("--help")
    assert helped.returncode == 0 and helped.stdout.startswith("Usage: sparklet-submit")
    assert "--load-spark-defaults" in helped.stdout

    version = submit("--version")
    assert version.returncode == 0
    assert f"sparklet version {sparklet.__version__}" in version.stdout

    assert submit(app, "3").returncode == 3
    assert submit(app, "0").returncode == 0
    crashed = submit(tmp_path / "boom.py")
    assert crashed.returncode == 1
    assert crashed.stderr.startswith("Traceback (most recent call last):\n")
    assert "RuntimeError: boom here" in crashed.stderr and "runpy" not in crashed.stderr

    cluster = submit("--deploy-mode", "cluster", app, "0")
    assert cluster.returncode == 2 and "ran" not in cluster.stdout
    assert 'Cluster deploy mode is not compatible with master "local"' in cluster.stderr
    missing = submit("--master")
    assert missing.returncode == 2 and "Missing argument for option '--master'" in missing.stderr


def test_submit_rejects_bad_conf(tmp_path):
    (tmp_path / "app.py").write_text("print('ran')\n")
    out = submit("--conf", "novalue", tmp_path / "app.py")
    assert out.returncode == 2 and "KEY=VALUE" in out.stderr and "ran" not in out.stdout


# -- --supervise ----------------------------------------------------------------------------

SUPERVISED_APP = textwrap.dedent("""
    # Counts words of the files dropped in DATA; kills itself (SIGKILL, as a crash) on its
    # first run once a batch with the first file's counts is checkpointed, finishes on the
    # second, recovered from the checkpoint by getOrCreate.
    import json, os, signal, sys, time
    from sparklet import SparkConf, SparkContext
    from sparklet.streaming import StreamingContext

    ck, data, work = sys.argv[1:]
    runs = os.path.join(work, "runs")
    with open(runs, "a") as f:
        f.write("run\\n")
    run = len(open(runs).read().split())
    if run > 2:
        sys.exit(0)  # never loop forever: the test fails on the run count
    states = os.path.join(work, "states.jsonl")

    def record(time, rdd):
        with open(states, "a") as f:
            f.write(json.dumps({"run": run_marker(), "state": sorted(rdd.collect())}) + "\\n")

    def run_marker():
        return len(open(runs).read().split())

    def setup():
        with open(os.path.join(work, "setup-calls"), "a") as f:
            f.write("setup\\n")
        sc = SparkContext.getOrCreate(SparkConf().setAppName("supervised"))
        ssc = StreamingContext(sc, 0.5)
        totals = (ssc.textFileStream(data).flatMap(str.split).map(lambda w: (w, 1))
                  .updateStateByKey(lambda new, old: sum(new) + (old or 0)))
        totals.checkpoint(0.5)
        totals.foreachRDD(record)
        return ssc

    def drop(name, text):
        tmp = os.path.join(work, name)
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, os.path.join(data, name))

    def wait_for(want, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(states):
                for line in open(states).read().splitlines():
                    entry = json.loads(line)
                    if entry["run"] == run and dict(entry["state"]) == want:
                        return
            time.sleep(0.05)
        sys.exit(10)  # a failure the supervisor restarts; the run count tells the test

    def checkpointed_after(mark, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            meta = os.path.join(ck, "metadata")  # a completed batch's checkpoint, newer
            names = os.listdir(meta) if os.path.isdir(meta) else []
            if any(n.startswith("checkpoint-") and n.endswith("-c")
                   and os.path.getmtime(os.path.join(meta, n)) > mark for n in names):
                return
            time.sleep(0.05)
        sys.exit(11)

    ssc = StreamingContext.getOrCreate(ck, setup)
    ssc.start()
    if run == 1:
        drop("a.txt", "spark streaming spark")
        wait_for({"spark": 2, "streaming": 1})
        checkpointed_after(time.time())
        os.kill(os.getpid(), signal.SIGKILL)
    drop("b.txt", "streaming again")
    wait_for({"spark": 2, "streaming": 2, "again": 1})
    ssc.stop(stopSparkContext=True, stopGraceFully=True)
""")


@pytest.mark.timeout(240)
def test_supervise_restarts_a_killed_streaming_app_which_resumes(tmp_path):
    ck, data, work = tmp_path / "ck", tmp_path / "data", tmp_path / "work"
    data.mkdir()
    work.mkdir()
    (tmp_path / "app.py").write_text(SUPERVISED_APP)
    out = submit("--supervise", "--master", "local[2]", tmp_path / "app.py", ck, data, work,
                 timeout=200)
    assert out.returncode == 0, out.stderr
    assert (work / "runs").read_text().split() == ["run", "run"], out.stderr
    # The second run recovered from the checkpoint: setup() ran once.
    assert (work / "setup-calls").read_text().split() == ["setup"]
    assert ("the application was killed by signal 9 (SIGKILL); re-launching it after 1 s "
            "(attempt 2)") in out.stderr
    entries = [json.loads(line) for line in (work / "states.jsonl").read_text().splitlines()]
    first = [dict(e["state"]) for e in entries if e["run"] == 1]
    second = [dict(e["state"]) for e in entries if e["run"] == 2]
    assert {"spark": 2, "streaming": 1} in first
    assert all("again" not in s for s in first)
    # The recovered state carried the first run's counts on: never lost, never doubled.
    assert second and all(s.get("spark") == 2 for s in second)
    assert second[-1] == {"spark": 2, "streaming": 2, "again": 1}


# -- run-example ----------------------------------------------------------------------------

def test_run_example_wordcount_prints_the_counts():
    out = subprocess.run([sys.executable, "-m", "sparklet.launcher", "run-example",
                          "wordcount", "--master", "local[1]"],
                         capture_output=True, text=True, env=_env(), timeout=TIMEOUT)
    assert out.returncode == 0, out.stderr
    text = (ROOT / "src" / "sparklet" / "data" / "README.txt").read_text()
    words = [w.strip(".,;:'-?!") for w in text.lower().split()]
    counts = Counter(w for w in words if w)
    lines = out.stdout.splitlines()
    assert lines[0] == "%d lines, %d distinct words; the 15 most frequent:" % (
        text.count("\n") + (not text.endswith("\n")), len(counts))
    top = sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))[:15]
    assert lines[1:16] == ["%-12s %d" % wc for wc in top]


def test_run_example_names_and_listing():
    def run(*args):
        return subprocess.run([sys.executable, "-m", "sparklet.launcher", "run-example",
                               *args], capture_output=True, text=True, env=_env(),
                              timeout=TIMEOUT)

    listed = run("--list")
    assert listed.returncode == 0
    names = listed.stdout.split()
    assert "wordcount" in names and "streaming.network_word_count" in names
    unknown = run("streaming.no_such_example")
    assert unknown.returncode == 2 and "unknown example" in unknown.stderr
    assert "streaming.network_word_count" in unknown.stderr
    # The path-ish and Spark's class-name spellings name the same example.
    from sparklet.launcher import _example_name

    assert {_example_name(n) for n in ("streaming/network_word_count.py",
                                       "streaming.network_word_count",
                                       "org.apache.spark.examples.streaming.NetworkWordCount")
            } == {"streaming.network_word_count"}


# -- docs/deploying.md: upgrading a streaming application's code ---------------------------

DOC = ROOT / "docs" / "deploying.md"


def doc_block(name: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    found = [b for b in blocks if b.startswith("# " + name)]
    assert len(found) == 1, f"{DOC.name} should have one python block starting '# {name}'"
    return found[0]


def _wait_until(predicate, proc: subprocess.Popen, err: Path, timeout: float = 90) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        assert proc.poll() is None, f"the application exited:\n{err.read_text()[-3000:]}"
        time.sleep(0.05)
    raise AssertionError(f"condition not reached in {timeout} s:\n{err.read_text()[-3000:]}")


def _totals(out: Path) -> list[dict]:
    return [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []


@pytest.mark.timeout(240)
def test_upgrade_procedure_of_the_deploying_guide(tmp_path):
    import signal

    ck, incoming, out = tmp_path / "ck", tmp_path / "incoming", tmp_path / "totals.jsonl"
    incoming.mkdir()
    for name in ("counts_v1.py", "counts_v2.py"):
        (tmp_path / name).write_text(doc_block(name))

    def drop(name: str, text: str) -> None:
        (tmp_path / name).write_text(text)
        os.replace(tmp_path / name, incoming / name)  # files must appear atomically

    def start(app: str, *conf: str) -> tuple[subprocess.Popen, Path]:
        err = tmp_path / (app + ".err")
        with open(err, "w") as fh:
            proc = subprocess.Popen(
                [sys.executable, "-m", "sparklet.cli", "--supervise", "--master", "local[2]",
                 "--conf", "spark.streaming.stopGracefullyOnShutdown=true", *conf,
                 str(tmp_path / app), str(ck), str(incoming), str(out)],
                stdout=fh, stderr=subprocess.STDOUT, env=_env(), start_new_session=True)
        return proc, err

    def stop(proc: subprocess.Popen, err: Path) -> int:
        proc.send_signal(signal.SIGTERM)  # to the supervising sparklet-submit
        try:
            return proc.wait(120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
            raise AssertionError("no graceful stop:\n" + err.read_text()[-3000:]) from None

    v1, err1 = start("counts_v1.py")
    try:
        _wait_until(lambda: _totals(out), v1, err1)  # batches are running: files count now
        drop("a.txt", "Spark streaming spark")
        _wait_until(lambda: any(t["totals"] == {"Spark": 1, "spark": 1, "streaming": 1}
                                for t in _totals(out)), v1, err1)
        assert stop(v1, err1) == 0, err1.read_text()[-3000:]
    finally:
        if v1.poll() is None:
            os.killpg(v1.pid, signal.SIGKILL)
    assert "re-launching" not in err1.read_text()  # SIGTERM ended the supervision
    drop("b.txt", "SPARK again")  # arrives while no version runs

    v2, err2 = start("counts_v2.py",
                     "--conf", "spark.sparklet.streaming.recovery.rebuildFromSetupFunc=true")
    try:
        _wait_until(lambda: any(t["version"] == 2 and "again" in t["totals"]
                                for t in _totals(out)), v2, err2)
        drop("c.txt", "Again")
        want = {"Spark": 1, "spark": 2, "streaming": 1, "again": 2}
        _wait_until(lambda: _totals(out)[-1] == {"version": 2, "totals": want}, v2, err2)
        assert stop(v2, err2) == 0, err2.read_text()[-3000:]
    finally:
        if v2.poll() is None:
            os.killpg(v2.pid, signal.SIGKILL)
    versions = [t["version"] for t in _totals(out)]
    assert versions == sorted(versions)  # v1's lines, then v2's: one version at a time
    # The old state carried over (v1's case-sensitive keys stay), the new code lowercases;
    # b.txt, which arrived while no version ran, was counted once.
    v2_totals = [t["totals"] for t in _totals(out) if t["version"] == 2]
    assert all(t["Spark"] == 1 and t["streaming"] == 1 for t in v2_totals)
    assert {"Spark": 1, "spark": 2, "streaming": 1, "again": 1} in v2_totals


@pytest.mark.parametrize("memory,limit", [("512", 512 << 20), ("2g", 2 << 30)])
def test_executor_memory_sets_the_dask_workers_limit_in_mib_when_bare(memory, limit):
    from sparklet.cli import parse_submit_arguments, resolve_properties

    args = parse_submit_arguments(["--master", "dask-local[1]", "--executor-memory", memory,
                                   "app.py"])
    props = resolve_properties(args, {}).properties
    assert props["spark.dask.cluster.memory_limit"] == str(limit)
