"""docs/graphx.md runs: its ```python blocks, in order, in one namespace (as a reader would
paste them into one session); each block asserts on what it computes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphx_helpers import sc_fixture  # noqa: F401

DOC = Path(__file__).resolve().parents[2] / "docs" / "graphx.md"

pytestmark = pytest.mark.timeout(240)


def test_python_blocks_run(sc):
    blocks = re.findall(r"^```python\n(.*?)^```$", DOC.read_text(), re.S | re.M)
    assert len(blocks) >= 6
    # Not importable by name, so cloudpickle ships the page's functions by value.
    namespace: dict = {"__name__": "docs_graphx"}
    for number, block in enumerate(blocks, 1):
        try:
            exec(compile(block, f"{DOC.name}, python block {number}", "exec"), namespace)
        except Exception as e:
            raise AssertionError(f"python block {number} of {DOC} failed: {e!r}") from e
