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

ROOT = Path(__file__).resolve().parents[1]
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


@pytest.mark.integration
def test_standalone_app_runs_with_py_files(tmp_path):
    require_module("distributed", "dask[distributed] (the 'dask' extra)")
    (tmp_path / "app.py").write_text(named_block("app.py"))
    # The module goes only into the zip: the workers can import it from nowhere else.
    with zipfile.ZipFile(tmp_path / "deps.zip", "w") as z:
        z.writestr("textutil.py", named_block("textutil.py"))
    lines = [SENTENCES[i % 3] for i in range(100)]
    (tmp_path / "words.txt").write_text("".join(line + "\n" for line in lines))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)}
    run = subprocess.run(
        [sys.executable, "-m", "sparklet.cli", "--master", "dask-local[2]",
         "--py-files", "deps.zip", "app.py", "words.txt"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=200)
    assert run.returncode == 0, run.stderr[-3000:]
    counts = Counter(" ".join(lines).split())
    top = sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))[:5]
    expected_top = [f"{word:>8} {n}" for word, n in top]
    out = run.stdout.splitlines()
    assert out == expected_top + [
        "master: dask-local[2] | executors: 2 | driver pid among them: False"]
    # The output the page shows for its own run has the same counts.
    shown = [line for block in blocks("sh") for line in block.splitlines()]
    assert "\n".join(expected_top) in "\n".join(shown)
