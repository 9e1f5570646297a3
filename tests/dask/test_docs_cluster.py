"""docs/cluster.md runs: every ```python block compiles; the blocks that start their own Dask
cluster (``dask-local[N]``, or ``local[N]`` with ``spark.sparklet.backend=dask``) run, in
one namespace as a reader would paste them; and the standalone section's ``app.py`` and
``textutil.py`` run through ``sparklet-submit --py-files`` on ``dask-local[2]`` (the page
ran them on a ``dask scheduler``/``dask worker`` pair; the program is the same). The
blocks for SLURM, Kubernetes, YARN and Coiled need those systems and are only compiled."""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from services import require_module

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "cluster.md"
# The words.txt of the page's standalone run: its shell loop cycles three sentences and
# keeps the first 100 lines.
SENTENCES = ["the quick brown fox jumps over the lazy dog", "the dog barks and the fox runs",
             "a fox a dog and the end"]

pytestmark = pytest.mark.timeout(240)


def blocks(language: str = "python") -> list[str]:
    return re.findall(r"^```%s\n(.*?)^```$" % language, DOC.read_text(), re.S | re.M)


def starts_own_cluster(block: str) -> bool:
    return "dask-local[" in block or '"spark.sparklet.backend", "dask"' in block


def named_block(name: str) -> str:
    found = [b for b in blocks() if b.startswith("# " + name)]
    assert len(found) == 1, f"{DOC.name} should have one python block starting '# {name}'"
    return found[0]


def test_every_python_block_compiles():
    found = blocks()
    assert len(found) >= 10
    for number, block in enumerate(found, 1):
        compile(block, f"{DOC.name}, python block {number}", "exec")
    assert sum(map(starts_own_cluster, found)) == 2


def test_tools_blocks_use_the_tools_names():
    """The untested examples import what their tool exports (names checked against each
    tool's source when the page was written) and never start a cluster of their own."""
    imports = {}
    for block in blocks():
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.ImportFrom) and node.module:
                imports.setdefault(node.module, set()).update(a.name for a in node.names)
            elif isinstance(node, ast.Import):
                imports.update({a.name: set() for a in node.names})
    assert imports["dask_jobqueue"] == {"SLURMCluster"}
    assert imports["dask_kubernetes.operator"] == {"KubeCluster", "make_cluster_spec"}
    assert imports["dask_yarn"] == {"YarnCluster"}
    assert "coiled" in imports


@pytest.mark.integration
def test_dask_local_blocks_run():
    require_module("distributed", "dask[distributed] (the 'dask' extra)")
    namespace: dict = {"__name__": "docs_cluster"}
    printed = io.StringIO()
    selected = [(i, b) for i, b in enumerate(blocks(), 1) if starts_own_cluster(b)]
    for number, block in selected:
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(block, f"{DOC.name}, python block {number}", "exec"), namespace)
        except Exception as e:
            raise AssertionError(f"python block {number} of {DOC} failed: {e!r}") from e
    expected_counts = sorted(Counter(" ".join(namespace["text"]).split()).items())
    assert namespace["result"] == expected_counts
    assert namespace["squares"] == [x * x for x in range(10)]
    # What the page says each block prints is what it prints.
    lines = printed.getvalue().splitlines()
    assert lines == [str(expected_counts[:3]), "2 81"]
    comments = [line.split("#", 1)[1].strip() for _, b in selected
                for line in b.splitlines() if line.strip().startswith("print(") and "#" in line]
    assert comments == lines


def submit(tmp_path: Path, master: str, app: str, *args: str,
           py_files: bool = True) -> list[str]:
    """``sparklet-submit --master MASTER [--py-files deps.zip] APP ARGS`` in ``tmp_path``,
    with the page's ``app.py``, ``lose_a_worker.py`` and its ``textutil.py`` zipped (the
    module is only in the zip: the workers can import it from nowhere else)."""
    for name in ("app.py", "lose_a_worker.py"):
        (tmp_path / name).write_text(named_block(name))
    with zipfile.ZipFile(tmp_path / "deps.zip", "w") as z:
        z.writestr("textutil.py", named_block("textutil.py"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)}
    run = subprocess.run(
        [sys.executable, "-m", "sparklet.cli", "--master", master,
         *(["--py-files", "deps.zip"] if py_files else []), app, *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=200)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout.splitlines()


def check_word_count(tmp_path: Path, master: str) -> None:
    lines = [SENTENCES[i % 3] for i in range(100)]
    (tmp_path / "words.txt").write_text("".join(line + "\n" for line in lines))
    out = submit(tmp_path, master, "app.py", "words.txt")
    counts = Counter(" ".join(lines).split())
    top = [f"{word:>8} {n}" for word, n in
           sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))[:5]]
    assert out[:5] == top
    # Both executors normally run some of the 8 tasks; the point is that none ran in the
    # driver's process.
    assert re.fullmatch(r"master: %s \| executors: [12] \| driver pid among them: False"
                        % re.escape(master), out[5]), out
    assert len(out) == 6
    # The output the page shows for its own run has the same counts.
    shown = "\n".join(line for block in blocks("sh") for line in block.splitlines())
    assert "\n".join(top) in shown


@pytest.mark.integration
def test_standalone_app_runs_with_py_files_on_dask_local(tmp_path):
    require_module("distributed", "dask[distributed] (the 'dask' extra)")
    check_word_count(tmp_path, "dask-local[2]")


@pytest.mark.integration
def test_standalone_app_runs_on_dask_scheduler_and_workers(dask_cluster, tmp_path):
    """The page's standalone run: ``dask scheduler`` and ``dask worker`` processes."""
    check_word_count(tmp_path, dask_cluster.extra["master"])


@pytest.mark.integration
def test_lose_a_worker_recomputes(dask_cluster, tmp_path):
    """The page's lose_a_worker.py kills one of the cluster's worker processes (its nanny
    starts it again)."""
    from services import wait_dask_workers

    wait_dask_workers(dask_cluster.address, 2, 60)
    # As the page runs it: no --py-files (see its Limits on files after a lost worker).
    out = submit(tmp_path, dask_cluster.extra["master"], "lose_a_worker.py",
                 py_files=False)
    counts = sorted(Counter(x % 10 for x in range(10000)).items())
    assert out == ["before: %s" % counts, "after:  %s" % counts]
