"""Every docs page runs: each ```python block of every ``docs/**/*.md``, in order, in one
namespace per page (as a reader would paste the page into one session), one case per page.

Pages are found on disk, so a page is covered the moment it lands. A page with a runner of
its own (which checks more: what the blocks print, a subprocess of sparklet-submit...) is
listed in ``OWN_RUNNER`` and its case checks that the runner is there and names the page.
A page whose blocks talk to a broker or a database is listed in ``PAGES`` with the service
fixtures it needs (``tests/services.py``: a real server, the session's, started once) and
the text substitutions that point the page's example addresses at the fixture's server.
A missing service skips (a failure under ``CI=true``, as every fixture does).

A block written as a console session (``>>>`` prompts) runs through ``doctest`` in the same
namespace, so what the page shows after a prompt is checked too. ```text, ```console,
```bash and unmarked fences are not Python and do not run.

The companion check: every page is linked from ``docs/README.md``, the index.
"""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from services import Service, free_ports, require_module, start_flume_agent

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
INDEX = DOCS / "README.md"

# Pages that have a runner of their own: page (relative to docs/) -> that test file.
OWN_RUNNER = {
    "quick-start.md": "tests/test_quick_start.py",
    "quick-start.zh.md": "tests/test_quick_start.py",
    "streaming-sinks.md": "tests/streaming/test_docs_streaming_sinks.py",
    "cluster.md": "tests/dask/test_docs_cluster.py",
    "graphx.md": "tests/graphx/test_docs_graphx.py",
    # Its blocks are two versions of a program, run by sparklet-submit as an upgrade.
    "deploying.md": "tests/test_submit.py",
}


@dataclass(frozen=True)
class Page:
    """What a page's blocks need to run here.

    ``fixtures``: the services (fixture names of ``tests/services.py``); ``modules``: client
    libraries as (import name, what to pip install); ``env``: environment variables a
    reader would have set; ``check``: given the page's namespace after its last block, true
    when what it computed is right (for pages whose blocks cannot assert it themselves);
    ``start``: given the page's text (substituted), starts what its non-Python blocks
    would (returns what to ``stop()`` after the page); ``replace``: given the services by
    fixture name, the substitutions {text in the page: text to run} that point its example
    addresses at them (each must occur in the page, so a stale entry fails loudly)."""

    fixtures: tuple[str, ...] = ()
    modules: tuple[tuple[str, str], ...] = ()
    replace: Callable[[dict[str, Service]], dict[str, str]] = field(
        default=lambda services: {})
    env: dict[str, str] = field(default_factory=dict)
    check: Callable[[dict], object] | None = None
    start: Callable[[str], object] | None = None


def _port() -> str:
    return str(free_ports(1)[0])


PAGES: dict[str, Page] = {
    "sql.md": Page(modules=(("duckdb", "sparklet[sql]"),)),
    "redis.md": Page(("redis_service",), (("redis", "sparklet[redis]"),), lambda s: {
        "redis://127.0.0.1:6379/0": s["redis_service"].url}),
    "mqtt.md": Page(("mqtt_service",), (("paho.mqtt", "sparklet[mqtt]"),), lambda s: {
        "tcp://127.0.0.1:1883": s["mqtt_service"].url}),
    "nats.md": Page(("nats_service",), (("nats", "sparklet[nats]"),), lambda s: {
        "nats://127.0.0.1:4222": s["nats_service"].url}),
    "rabbitmq.md": Page(("rabbitmq_service",), (("pika", "sparklet[rabbitmq]"),), lambda s: {
        "amqp://guest:guest@127.0.0.1:5672/%2F": s["rabbitmq_service"].url}),
    "kafka.md": Page(("kafka_service",), (("confluent_kafka", "sparklet[kafka]"),),
                     lambda s: {"127.0.0.1:9092": s["kafka_service"].url}),
    # What the page prints comes from X; here, from the three posts of ``x_api``.
    "twitter.md": Page(("x_api",), (("httpx", "sparklet[twitter]"),), lambda s: {
        "https://api.x.com": s["x_api"].url}, check=lambda ns: (
            ns["latest"] and all(0 < n <= {"spark": 2, "python": 1}.get(tag, 0)
                                 for tag, n in ns["latest"].items()))),
    # moto takes any credentials; boto3 finds these in the environment, as a reader's own.
    "kinesis.md": Page(("moto_service",), (("boto3", "sparklet[kinesis]"),), lambda s: {
        "https://kinesis.us-east-1.amazonaws.com": s["moto_service"].url},
        env={"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}),
    # The page's agent.properties runs in a real Flume agent (as its flume-ng line would).
    "flume.md": Page(modules=(("fastavro", "sparklet[flume]"),), replace=lambda s: {
        "41414": _port()}, start=lambda text: start_flume_agent(
            fenced_text(text, "properties")[0], agent="agent")),
    "fault-tolerance.md": Page(("postgres_service",), (("psycopg", "sparklet[postgres]"),),
                               lambda s: {"host=db dbname=app": s["postgres_service"].url}),
    "zeromq.md": Page(modules=(("zmq", "sparklet[zeromq]"),), replace=lambda s: {
        "tcp://127.0.0.1:5555": f"tcp://127.0.0.1:{_port()}"}),
}


@pytest.fixture
def x_api():
    """The tests' local X API (tests/streaming/twitter/twitter_server.py): its filtered
    stream sends three posts with hashtags, then holds the connection open."""
    spec = importlib.util.spec_from_file_location(
        "twitter_server", ROOT / "tests" / "streaming" / "twitter" / "twitter_server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = module.TwitterServer()
    server.script(module.post(1, "#spark on #python", ("spark", "python")),
                  module.post(2, "more #spark", ("spark",)), module.post(3, "no tags"),
                  module.HOLD)
    try:
        yield Service("x", "127.0.0.1", int(server.url.rsplit(":", 1)[1]), server.url)
    finally:
        server.close()


# -- reading a page ------------------------------------------------------------------------

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")


@dataclass
class Block:
    line: int  # where its code starts in the page (1-based)
    language: str
    code: str


def fenced_blocks(text: str) -> list[Block]:
    """The page's fenced code blocks (CommonMark fences, indented ones in lists too)."""
    found: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = len(m["indent"]), m["fence"]
        language = (m["info"].split() or [""])[0].lower()
        start, i = i + 1, i + 1
        body: list[str] = []
        while i < len(lines):
            close = FENCE.match(lines[i])
            if close and close["fence"].startswith(fence) and not close["info"].strip():
                break
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        found.append(Block(start + 1, language, "\n".join(body) + "\n"))
        i += 1
    return found


def fenced_text(text: str, language: str) -> list[str]:
    return [b.code for b in fenced_blocks(text) if b.language == language]


def python_blocks(path: Path) -> list[Block]:
    return [b for b in fenced_blocks(path.read_text(encoding="utf-8"))
            if b.language in ("python", "py", "python3", "pycon")]


def all_pages() -> list[str]:
    return sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))


# -- running a page ------------------------------------------------------------------------

def _stop_contexts() -> None:
    """Stop whatever a page left running: its StreamingContext and SparkContext (the shared
    ``sc`` of the other tests is started again by conftest when a test asks for it)."""
    from sparklet import SparkContext
    from sparklet.streaming import StreamingContext

    ssc = StreamingContext.getActive()
    if ssc is not None:
        ssc.stop(stopSparkContext=False)
    active = SparkContext._active_spark_context
    if active is not None:
        active.stop()


def run_block(block: Block, code: str, page: str, namespace: dict) -> None:
    where = f"docs/{page}, line {block.line}"
    if code.lstrip().startswith(">>>"):
        parser = doctest.DocTestParser()
        test = parser.get_doctest(code, namespace, where, where, block.line - 1)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS
                                       | doctest.NORMALIZE_WHITESPACE)
        out: list[str] = []
        runner.run(test, out=out.append, clear_globs=False)
        if runner.failures:
            raise AssertionError(f"the session in {where} does not give what it shows:\n"
                                 + "".join(out))
        return
    try:
        exec(compile(code, where, "exec"), namespace)
    except Exception as e:
        raise AssertionError(f"the python block at {where} failed: {e!r}") from e


def run_page(page: str, replace: dict[str, str]) -> dict:
    text = (DOCS / page).read_text(encoding="utf-8")
    for old in replace:
        assert old in text, f"docs/{page} no longer has {old!r}: update PAGES in {__file__}"
    # Not importable by name, so cloudpickle ships the page's functions by value.
    namespace: dict = {"__name__": "docs_" + re.sub(r"\W", "_", page[:-3])}
    for block in python_blocks(DOCS / page):
        code = block.code
        for old, new in replace.items():
            code = code.replace(old, new)
        run_block(block, code, page, namespace)
    return namespace


@pytest.mark.integration
@pytest.mark.timeout(180)
@pytest.mark.parametrize("page", all_pages())
def test_page_runs(page, request, tmp_path, monkeypatch):
    if page in OWN_RUNNER:
        runner = ROOT / OWN_RUNNER[page]
        assert runner.is_file(), f"docs/{page} is run by {OWN_RUNNER[page]}, which is gone"
        assert Path(page).name in runner.read_text(encoding="utf-8"), \
            f"{OWN_RUNNER[page]} does not name docs/{page}"
        return
    setup = PAGES.get(page, Page())
    for module, pip_name in setup.modules:
        require_module(module, pip_name)
    services = {name: request.getfixturevalue(name) for name in setup.fixtures}
    monkeypatch.chdir(tmp_path)  # files a page writes land in a directory of its own
    for name, value in setup.env.items():
        monkeypatch.setenv(name, value)
    replace = setup.replace(services)
    started = None
    if setup.start is not None:
        text = (DOCS / page).read_text(encoding="utf-8")
        for old, new in replace.items():
            text = text.replace(old, new)
        started = setup.start(text)
    _stop_contexts()  # pages build their own SparkContext, as programs do
    try:
        namespace = run_page(page, replace)
        if setup.check is not None:
            assert setup.check(namespace), f"docs/{page} ran but computed something else"
    finally:
        _stop_contexts()
        if started is not None:
            started.stop()


def test_tables_name_pages_that_exist():
    pages = set(all_pages())
    assert set(OWN_RUNNER) <= pages, set(OWN_RUNNER) - pages
    assert set(PAGES) <= pages, set(PAGES) - pages
    assert not set(OWN_RUNNER) & set(PAGES), "a page is run here or by its own runner"


def test_fences_are_read_as_a_markdown_reader_reads_them():
    text = ("intro\n```python\nx = 1\n```\n\n- a list item:\n\n  ```python\n  y = x + 1\n"
            "  ```\n\n````text\n```python\nnot code\n```\n````\n```\nplain\n```\n")
    blocks = fenced_blocks(text)
    assert [(b.language, b.code, b.line) for b in blocks] == [
        ("python", "x = 1\n", 3), ("python", "y = x + 1\n", 9),
        ("text", "```python\nnot code\n```\n", 13), ("", "plain\n", 18)]


# -- the index -----------------------------------------------------------------------------

def index_links() -> set[str]:
    text = INDEX.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s#]+)(?:#[^)]*)?\)", text)
    return {os.path.normpath(t) for t in targets if "://" not in t}


def test_every_page_is_linked_from_the_index():
    assert INDEX.is_file(), "docs/README.md, the index of the docs, is missing"
    linked = index_links()
    missing = [p for p in all_pages() if p != "README.md" and os.path.normpath(p) not in linked]
    assert not missing, f"docs/README.md does not link {missing}"


def test_the_index_links_only_pages_that_exist():
    gone = [t for t in index_links() if not (DOCS / t).exists()]
    assert not gone, f"docs/README.md links pages that do not exist: {gone}"
