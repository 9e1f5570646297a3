"""docs/streaming-sinks.md runs: its ```python blocks, in order, in one namespace (as a
reader would paste them). The MySQL block runs against the ``mariadb_service`` fixture's
server (a fresh database in place of the page's example URL) after the setup block, and
is skipped (a failure under CI=true) without one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services import fresh_mariadb_database, require_module

DOC = Path(__file__).resolve().parents[2] / "docs" / "streaming-sinks.md"
EXAMPLE_URL = "mysql://app:secret@127.0.0.1:3306/shop"

pytestmark = pytest.mark.timeout(240)


def blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", DOC.read_text(), re.S | re.M)


def needs_mysql(block: str) -> bool:
    return "mysql_sink(" in block


def run_blocks(selected: list[str], replace: dict[str, str] | None = None) -> None:
    # Not importable by name, so cloudpickle ships the page's functions by value.
    namespace: dict = {"__name__": "docs_streaming_sinks"}
    for number, block in selected:
        for old, new in (replace or {}).items():
            block = block.replace(old, new)
        try:
            exec(compile(block, f"{DOC.name}, python block {number}", "exec"), namespace)
        except Exception as e:
            raise AssertionError(f"python block {number} of {DOC} failed: {e!r}") from e


def test_page_has_the_patterns():
    found = blocks()
    assert len(found) >= 8
    assert sum(needs_mysql(b) for b in found) == 1


def test_python_blocks_run(sc):
    run_blocks([(i, b) for i, b in enumerate(blocks(), 1) if not needs_mysql(b)])


@pytest.mark.integration
def test_mysql_block_runs(sc, mariadb_service):
    require_module("pymysql", "pymysql (the 'mysql' extra)")
    numbered = list(enumerate(blocks(), 1))
    with fresh_mariadb_database(mariadb_service) as url:
        run_blocks([numbered[0]] + [nb for nb in numbered if needs_mysql(nb[1])],
                   {EXAMPLE_URL: url})
