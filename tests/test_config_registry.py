"""The configuration registry (sparklet.internal.config): every key the code reads is
declared and documented, docs/configuration.md is the generator's output, unknown keys
warn once, wrong-typed values fail the SparkContext start, and sizes and durations parse
as Spark's JavaUtils parses them."""

from __future__ import annotations

import ast
import logging
import os
import pathlib
import re
import subprocess
import sys
import uuid

import pytest

from sparklet import SparkConf, SparkContext
from sparklet.internal import units
from sparklet.internal.config import (
    ConfigBuilder,
    Section,
    _suggestion,
    find_entry,
    is_known,
    markdown,
    registry,
    validate_conf,
)

ROOT = pathlib.Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "sparklet"
DOCS = ROOT / "docs" / "configuration.md"

# A whole string literal that is a key (``spark.ui.port``), a key prefix the code matches
# settings against (``spark.dask.client.``) or a %-format of keys (``spark.%s.resource.``);
# messages never match this (they have blanks).
_PART = r"(?:[A-Za-z0-9_\-]+|%s)"
_KEY_LITERAL = re.compile(r"spark\.%s(?:\.%s)*\.?" % (_PART, _PART))
# The registry's own declarations are not evidence that a key is read.
_NOT_SCANNED = ("internal",)


def _docstring_ids(tree: ast.AST) -> set[int]:
    """ids of the string constants that are whole statements (docstrings, notes)."""
    return {id(node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}


def keys_in_source() -> dict[str, set[str]]:
    """Every ``spark.*`` key literal in src/sparklet (outside docstrings), by key -> files."""
    found: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        if path.relative_to(SRC).parts[0] in _NOT_SCANNED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skip = _docstring_ids(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in skip and _KEY_LITERAL.fullmatch(node.value)
                    and node.value != "spark."):
                found.setdefault(node.value, set()).add(str(path.relative_to(SRC)))
    return found


def _covers(literal: str, entry) -> bool:
    """Whether the literal the code reads is ``entry``'s key, one of its family, a prefix
    the entry's key lies under, or a %-format of its shape."""
    if "%s" in literal or literal.endswith("."):
        shape = re.escape(literal).replace("%s", r"[^.]+") + (".*" if literal[-1] == "." else "")
        return re.fullmatch(shape, entry.key) is not None or entry.matches(literal + "x")
    return entry.matches(literal)


def _covered(literal: str) -> bool:
    if "%s" not in literal and not literal.endswith("."):
        return is_known(literal)
    return any(_covers(literal, e) for e in registry())


# -- (a) every key read in the code is in the registry and in the docs ------------------

def test_every_key_in_the_source_is_registered_and_documented():
    found = keys_in_source()
    # The scan sees the keys of every component (a broken scan would find few or none).
    for expected in ("spark.default.parallelism", "spark.ui.port", "spark.sql.ansi.enabled",
                     "spark.streaming.blockInterval", "spark.graphx.pregel.checkpointInterval",
                     "spark.sparklet.kinesis.maxRecords", "spark.dask.client.",
                     "spark.executorEnv.", "spark.jobGroup.id", "spark.%s.resource.",
                     "spark.sql.sources.partitionOverwriteMode", "spark.streaming.clock"):
        assert expected in found, expected
    assert len(found) > 110
    missing = {k: sorted(files) for k, files in found.items() if not _covered(k)}
    assert missing == {}, "keys read in the code but not in sparklet/internal/entries.py"
    docs = DOCS.read_text(encoding="utf-8")
    for key in found:
        entry = find_entry(key) if not key.endswith(".") else None
        if entry is not None:
            assert "`%s`" % entry.key in docs, key


def test_every_used_entry_is_read_somewhere():
    found = keys_in_source()
    unread = [e.key for e in registry() if e.used and not any(_covers(k, e) for k in found)]
    assert unread == [], "entries nothing reads: drop them or mark them .unused()"


def test_every_entry_is_complete():
    version = re.compile(r"\d+\.\d+\.\d+")
    for entry in registry():
        assert entry.key.startswith("spark."), entry.key
        assert entry.doc and (entry.doc[0].isupper() or entry.doc[0] == "`"), entry.key
        assert entry.doc.endswith("."), entry.key
        assert version.fullmatch(entry.version), entry.key
        assert entry.section in Section.ORDER, entry.key
        if entry.default_text and not entry.default_text.startswith("("):
            # A written default parses as the entry's own type.
            entry.parse(entry.default_text)


# -- (b) docs/configuration.md is the generator's output --------------------------------

def test_docs_are_the_generated_markdown():
    assert DOCS.read_text(encoding="utf-8") == markdown(), (
        "docs/configuration.md is stale: run "
        "`python -m sparklet.internal.config --markdown > docs/configuration.md`")


def test_the_command_line_prints_the_docs():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)}
    out = subprocess.run([sys.executable, "-m", "sparklet.internal.config", "--markdown"],
                         capture_output=True, text=True, env=env, timeout=120, check=True)
    assert out.stdout == DOCS.read_text(encoding="utf-8")


def test_markdown_tables_follow_sparks_sections():
    text = markdown()
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    assert headings == [s for s in Section.ORDER if s in headings]
    for needed in (Section.APPLICATION, Section.UI, Section.SQL, Section.STREAMING,
                   Section.GRAPHX, Section.IGNORED):
        assert needed in headings
    row = next(line for line in text.splitlines() if line.startswith("| `spark.ui.port`"))
    assert row == ("| `spark.ui.port` | `4040` | int | Port of the application's web UI; "
                   "when taken, the next ones are tried (`spark.port.maxRetries`). 0 picks "
                   "any free port. | 0.7.0 |")


# -- (c) unknown keys warn once per process; other keys never --------------------------

@pytest.fixture
def no_active_context():
    active = SparkContext._active_spark_context
    if active is not None:
        active.stop()
    yield
    active = SparkContext._active_spark_context
    if active is not None:
        active.stop()


@pytest.fixture
def conf_log():
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Collect(level=logging.WARNING)
    logger = logging.getLogger("sparklet.conf")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def _conf(**pairs: str) -> SparkConf:
    conf = SparkConf(loadDefaults=False).set("spark.ui.enabled", "false") \
        .set("spark.ui.showConsoleProgress", "false").set("spark.sparklet.backend", "threads")
    for key, value in pairs.items():
        conf.set(key.replace("__", "."), value)
    return conf


def test_unknown_key_warns_once_across_two_contexts(no_active_context, conf_log):
    unknown = "spark.sparkletTest.k%s" % uuid.uuid4().hex  # never seen by this process
    for _ in range(2):
        conf = _conf().set(unknown, "1").set("myapp.threshold", "7") \
            .set("spark.executor.cores", "4").set("spark.executorEnv.MY_VAR", "x")
        sc = SparkContext("local[1]", "t", conf=conf)
        try:
            assert sc.parallelize([1, 2, 3]).sum() == 6
            assert sc.getConf().get(unknown) == "1"  # kept, as Spark keeps it
        finally:
            sc.stop()
    messages = [r.getMessage() for r in conf_log]
    assert sum(unknown in m for m in messages) == 1
    (warning,) = [r for r in conf_log if unknown in r.getMessage()]
    assert warning.levelno == logging.WARNING
    # Not spark.*, a Spark key sparklet deliberately ignores, a key family: no warning.
    for quiet in ("myapp.threshold", "spark.executor.cores", "spark.executorEnv.MY_VAR"):
        assert not any(quiet in m for m in messages), quiet


def test_validate_conf_directly(conf_log):
    validate_conf([("other.key", "x"), ("spark.sql.shuffle.partitions", "8")])
    assert conf_log == []
    typo = "spark.sql.shufle.partitions.%s" % uuid.uuid4().hex
    validate_conf({typo: "8"})
    validate_conf({typo: "9"})
    assert [typo in r.getMessage() for r in conf_log] == [True]
    assert "did you mean" not in conf_log[0].getMessage()  # too far from any key
    assert _suggestion("spark.executor.memroy") == "; did you mean spark.executor.memory?"
    assert _suggestion("spark.sql.shufle.partitions") == \
        "; did you mean spark.sql.shuffle.partitions?"
    typo2 = "spark.executor.memroy"
    validate_conf({typo2: "2g"})  # (a key warns once per process: maybe logged already)
    hints = [r.getMessage() for r in conf_log if typo2 in r.getMessage()]
    assert len(hints) <= 1 and all("did you mean spark.executor.memory?" in m for m in hints)


# -- (d) wrong types fail at start, naming the key --------------------------------------

@pytest.mark.parametrize("key,value,expected", [
    ("spark.default.parallelism", "abc", "should be int, but was abc"),
    ("spark.executor.memory", "lots", "should be a size"),
    ("spark.executor.memory", "1.5g", "Fractional values are not supported"),
    ("spark.ui.enabled", "maybe", "should be boolean, but was maybe"),
    ("spark.locality.wait", "3 seconds", "should be a duration"),
    ("spark.memory.fraction", "0.6x", "should be double"),
    ("spark.memory.fraction", "1.5", "must be in (0, 1]"),
    ("spark.sparklet.backend", "gpus", "should be one of processes, threads, dask"),
    ("spark.task.resource.gpu.amount", "two", "should be double"),
    ("spark.sql.shuffle.partitions", "0", "must be positive"),
])
def test_wrong_typed_value_fails_the_start(no_active_context, key, value, expected):
    with pytest.raises(ValueError) as info:
        SparkContext("local[1]", "t", conf=_conf().set(key, value))
    message = str(info.value)
    assert message.startswith(key + " ") and expected in message
    assert SparkContext._active_spark_context is None
    # Nothing was left half-started: the next context starts.
    sc = SparkContext("local[1]", "t", conf=_conf())
    try:
        assert sc.parallelize(range(4), 2).count() == 4
    finally:
        sc.stop()


def test_good_values_of_every_type_start(no_active_context):
    conf = _conf(spark__default__parallelism="3", spark__executor__memory="512m",
                 spark__locality__wait="100ms", spark__memory__fraction="0.5",
                 spark__task__maxFailures="2", spark__submit__pyFiles="",
                 spark__sql__legacy__timeParserPolicy="legacy")
    sc = SparkContext("local[1]", "t", conf=conf)
    try:
        assert sc.defaultParallelism == 3
        assert sc.parallelize(range(6)).getNumPartitions() == 3
    finally:
        sc.stop()


def test_entry_parse_and_read():
    port = find_entry("spark.ui.port")
    assert port.read({}) == 4040 and port.read({"spark.ui.port": "4041"}) == 4041
    memory = find_entry("spark.executor.memory")
    assert memory.read({}) == 1024 and memory.parse("300") == 300  # MiB, as Spark
    assert find_entry("spark.eventLog.buffer.kb").parse("4") == 4  # KiB
    assert find_entry("spark.locality.wait").default == 3000  # ms
    assert find_entry("spark.submit.pyFiles").parse("a.py, b.zip,") == ["a.py", "b.zip"]
    assert find_entry("spark.sql.catalogImplementation").parse("HIVE") == "HIVE"
    gpu = find_entry("spark.executor.resource.gpu.amount")
    assert gpu.key == "spark.executor.resource.{resourceName}.amount"
    assert gpu.parse("2", "spark.executor.resource.gpu.amount") == 2.0
    assert find_entry("spark.dask.cluster.memory_limit").key == "spark.dask.cluster.{option}"
    assert find_entry("spark.executor.resource.gpu") is None
    assert not find_entry("spark.executor.cores").used
    with pytest.raises(ValueError, match="has been registered already"):
        ConfigBuilder("spark.ui.port").doc("Again.").version("0.7.0").intConf() \
            .createWithDefault(1)


# -- (e) sizes and durations as Spark's JavaUtils --------------------------------------

# Spark's documented forms (docs/configuration.md of Spark: "1b, 1k or 1kb, ... 1p or 1pb",
# "25ms, 5s, 10m or 10min, 3h, 5d"); expected values worked out by hand.
KIB, MIB, GIB, TIB, PIB = 1024, 1024 ** 2, 1024 ** 3, 1024 ** 4, 1024 ** 5


@pytest.mark.parametrize("text,unit,expected", [
    ("1b", "b", 1), ("1k", "b", KIB), ("1kb", "b", KIB), ("1m", "b", MIB), ("1mb", "b", MIB),
    ("1g", "b", GIB), ("1gb", "b", GIB), ("1t", "b", TIB), ("1tb", "b", TIB),
    ("1p", "b", PIB), ("1pb", "b", PIB), ("512m", "b", 512 * MIB), ("2G", "b", 2 * GIB),
    (" 10m ", "b", 10 * MIB), ("100", "b", 100), ("100", "k", 100), ("100", "m", 100),
    ("1m", "k", 1024), ("1g", "m", 1024), ("1t", "g", 1024), ("1023b", "k", 0),
    ("1536k", "m", 1), ("500k", "k", 500), ("2g", "k", 2 * 1024 * 1024),
])
def test_byte_strings(text, unit, expected):
    assert units.byte_string_as(text, unit) == expected


@pytest.mark.parametrize("text,message", [
    ("1.5g", "Fractional values are not supported. Input was: 1.5"),
    ("0.5", "Fractional values are not supported. Input was: 0.5"),
    ("5xb", 'Invalid suffix: "xb"'),
    ("10 gb", "Failed to parse byte string: 10 gb"),
    ("-1", "Failed to parse byte string: -1"),
    ("", "Failed to parse byte string"),
    ("lots", "Failed to parse byte string: lots"),
])
def test_bad_byte_strings(text, message):
    with pytest.raises(ValueError) as info:
        units.byte_string_as_bytes(text)
    assert str(info.value).startswith("Size must be specified as bytes (b), kibibytes (k)")
    assert message in str(info.value)


@pytest.mark.parametrize("text,unit,expected", [
    ("25ms", "ms", 25), ("5s", "ms", 5000), ("10m", "ms", 600_000), ("10min", "ms", 600_000),
    ("3h", "ms", 10_800_000), ("5d", "ms", 432_000_000), ("100us", "ms", 0),
    ("1500us", "ms", 1), ("100", "ms", 100), ("100", "s", 100), ("1500ms", "s", 1),
    ("2h", "min", 120), ("1d", "s", 86_400), ("-1", "s", -1), ("-5s", "ms", -5000),
    (" 5S ", "s", 5), ("250us", "us", 250),
])
def test_time_strings(text, unit, expected):
    assert units.time_string_as(text, unit) == expected


@pytest.mark.parametrize("text,message", [
    ("1.5s", "Failed to parse time string: 1.5s"),
    ("5 s", "Failed to parse time string: 5 s"),
    ("1y", 'Invalid suffix: "y"'),
    ("3sec", 'Invalid suffix: "sec"'),
    ("soon", "Failed to parse time string: soon"),
])
def test_bad_time_strings(text, message):
    with pytest.raises(ValueError) as info:
        units.time_string_as_ms(text)
    assert str(info.value).startswith("Time must be specified as seconds (s), milliseconds")
    assert message in str(info.value)


def test_spark_conf_getters_use_the_same_parser():
    conf = SparkConf(loadDefaults=False).setAll([
        ("spark.a.size", "2g"), ("spark.a.time", "1500ms"), ("spark.a.int", "12"),
        ("spark.a.bool", "TRUE"), ("spark.a.double", "0.25"), ("spark.a.bad", "1.5g")])
    assert conf.getSizeAsBytes("spark.a.size") == 2 * GIB
    assert conf.getSizeAsKb("spark.a.size") == 2 * 1024 * 1024
    assert conf.getSizeAsMb("spark.a.size") == 2048 and conf.getSizeAsGb("spark.a.size") == 2
    assert conf.getSizeAsBytes("spark.missing", "1k") == KIB
    assert conf.getSizeAsBytes("spark.missing", 77) == 77
    assert conf.getSizeAsMb("spark.missing", "300") == 300  # a bare default is in MiB
    assert conf.getTimeAsMs("spark.a.time") == 1500
    assert conf.getTimeAsSeconds("spark.a.time") == 1.5  # sparklet keeps the fraction
    assert conf.getTimeAsSeconds("spark.missing", "2min") == 120
    assert conf.getInt("spark.a.int", 0) == 12 and conf.getLong("spark.a.int", 0) == 12
    assert conf.getInt("spark.missing", 5) == 5
    assert conf.getBoolean("spark.a.bool", False) is True
    assert conf.getDouble("spark.a.double", 1.0) == 0.25
    with pytest.raises(ValueError, match="Illegal value for config key spark.a.bad: Size must"):
        conf.getSizeAsBytes("spark.a.bad")
    with pytest.raises(ValueError, match="Illegal value for config key spark.a.size"):
        conf.getInt("spark.a.size", 0)
    with pytest.raises(ValueError, match="Illegal value for config key spark.a.int"):
        conf.getBoolean("spark.a.int", False)
    with pytest.raises(KeyError):
        conf.getTimeAsMs("spark.missing")
