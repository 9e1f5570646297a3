"""The registry of every configuration entry sparklet reads, as Spark's
``org.apache.spark.internal.config``: each :class:`ConfigEntry` has a key, a type, a
default, a doc and the version that added it (Spark's version for Spark's own keys,
sparklet's for ``spark.sparklet.*`` ones). Entries are declared with :class:`ConfigBuilder`
in :mod:`sparklet.internal.entries`; ``docs/configuration.md`` is generated from them::

    python -m sparklet.internal.config --markdown > docs/configuration.md

A SparkContext checks its conf against the registry when it starts
(:func:`validate_conf`): a ``spark.*`` key nobody reads is logged once per process at
WARN (it is most likely a typo, or a setting of a Spark component sparklet does not have),
and a value that does not parse as its key's type fails the start with the key's name.

>>> entry = find_entry("spark.executor.memory")
>>> entry.value_type, entry.default_text, entry.parse("2g")
('size', '1g', 2048)
>>> find_entry("spark.executorEnv.PATH").key
'spark.executorEnv.{name}'
>>> find_entry("spark.executor.memroy") is None
True
>>> find_entry("spark.default.parallelism").parse("abc")
Traceback (most recent call last):
...
ValueError: spark.default.parallelism should be int, but was abc
"""

from __future__ import annotations

import difflib
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sparklet.internal import units

__all__ = ["ConfigEntry", "ConfigBuilder", "TypedConfigBuilder", "Section", "registry",
           "find_entry", "is_known", "validate_conf", "markdown", "main"]

_log = logging.getLogger("sparklet.conf")


class Section:
    """The groups of Spark's configuration page, in its order (plus sparklet's own)."""

    APPLICATION = "Application Properties"
    RUNTIME = "Runtime Environment"
    SHUFFLE = "Shuffle Behavior"
    UI = "Spark UI"
    HISTORY = "History Server"
    MEMORY = "Memory Management"
    EXECUTION = "Execution Behavior"
    NETWORKING = "Networking"
    SCHEDULING = "Scheduling"
    BARRIER = "Barrier Execution Mode"
    RESOURCES = "Custom Resource Scheduling"
    LOCAL_PROPERTIES = "Job Local Properties"
    DASK = "Dask Backend"
    SQL = "Spark SQL"
    STREAMING = "Spark Streaming"
    CONNECTORS = "Streaming Connectors"
    GRAPHX = "GraphX"
    MLLIB = "MLlib"
    IGNORED = "Spark Properties sparklet Accepts and Ignores"

    ORDER = (APPLICATION, RUNTIME, SHUFFLE, UI, HISTORY, MEMORY, EXECUTION, NETWORKING,
             SCHEDULING, BARRIER, RESOURCES, LOCAL_PROPERTIES, DASK, SQL, STREAMING,
             CONNECTORS, GRAPHX, MLLIB, IGNORED)


# Names of the value types, as the start-up error message and the docs show them.
BOOL, INT, FLOAT, STRING, SIZE, DURATION, LIST = (
    "boolean", "int", "double", "string", "size", "duration", "list")

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _to_bool(key: str, text: str) -> bool:
    # Scala's String.toBoolean: "true"/"false" in any case, nothing else.
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise ValueError("%s should be boolean, but was %s" % (key, text))
    return lowered == "true"


def _to_number(key: str, text: str, kind: type, type_name: str) -> Any:
    try:
        return kind(text.strip())
    except ValueError:
        raise ValueError("%s should be %s, but was %s" % (key, type_name, text)) from None


@dataclass
class ConfigEntry:
    """One configuration key: how to parse it, its default and what it means.

    ``key`` may hold ``{placeholders}`` (``spark.executorEnv.{name}``): the entry then
    stands for every key of that shape. ``unit`` is the unit of a bare number for sizes
    (``b``, ``k``, ``m``...) and durations (``ms``, ``s``...), which are parsed in that
    unit. ``used`` is False for Spark keys that sparklet accepts and ignores.
    """

    key: str
    value_type: str
    default: Any
    default_text: str
    doc: str
    version: str
    section: str
    unit: str | None = None
    choices: tuple[str, ...] | None = None
    checks: list[tuple[Callable[[Any], bool], str]] = field(default_factory=list)
    sequence: bool = False
    used: bool = True

    def __post_init__(self):
        parts = _PLACEHOLDER.split(self.key)
        if len(parts) == 1:
            self._pattern = None
        else:
            # Names in the middle are one dotted component; the last one takes the rest.
            regex = ""
            for i, part in enumerate(parts):
                if i % 2 == 0:
                    regex += re.escape(part)
                else:
                    regex += "(.+)" if i == len(parts) - 2 and not parts[-1] else "([^.]+)"
            self._pattern = re.compile(regex)

    @property
    def is_pattern(self) -> bool:
        """Whether the key stands for a family of keys (it has ``{placeholders}``)."""
        return self._pattern is not None

    def matches(self, key: str) -> bool:
        """Whether ``key`` is this entry's key (or one of its family)."""
        return key == self.key if self._pattern is None else bool(self._pattern.fullmatch(key))

    def _parse_one(self, key: str, text: str) -> Any:
        kind = self.value_type
        if kind == BOOL:
            return _to_bool(key, text)
        if kind == INT:
            return _to_number(key, text, int, "int")
        if kind == FLOAT:
            return _to_number(key, text, float, "double")
        if kind == SIZE:
            try:
                return units.byte_string_as(text, self.unit or "b")
            except ValueError as e:
                raise ValueError("%s should be a size (e.g. 512m, 2g; a bare number is %s), "
                                 "but was %s: %s" % (key, _UNIT_NAMES[self.unit or "b"], text,
                                                     e)) from None
        if kind == DURATION:
            try:
                return units.time_string_as(text, self.unit or "ms")
            except ValueError as e:
                raise ValueError("%s should be a duration (e.g. 100ms, 5s, 1min; a bare "
                                 "number is %s), but was %s: %s"
                                 % (key, _UNIT_NAMES[self.unit or "ms"], text, e)) from None
        return text

    def parse(self, text: Any, key: str | None = None) -> Any:
        """The value of ``text`` for this entry (sizes and durations in :attr:`unit`);
        ValueError naming the key when it is not a value of the entry's type.

        >>> find_entry("spark.ui.port").parse("4050")
        4050
        >>> find_entry("spark.streaming.blockInterval").parse("1s")
        1000
        """
        key = key or self.key
        text = str(text)
        if self.sequence:
            value: Any = [self._parse_one(key, p.strip()) for p in text.split(",") if p.strip()]
            items = value
        else:
            value = self._parse_one(key, text)
            items = [value]
        for item in items:
            if self.choices is not None and str(item).upper() not in \
                    {c.upper() for c in self.choices}:
                raise ValueError("%s should be one of %s, but was %s"
                                 % (key, ", ".join(self.choices), text))
            for check, message in self.checks:
                if not check(item):
                    raise ValueError("%s %s, but was %s" % (key, message, text))
        return value

    def read(self, conf: Any, key: str | None = None) -> Any:
        """The entry's value in ``conf`` (a SparkConf or a dict), else its default."""
        key = key or self.key
        text = conf.get(key)
        if text is None:
            return self.default
        return self.parse(text, key)


_UNIT_NAMES = {"b": "bytes", "k": "KiB", "m": "MiB", "g": "GiB", "t": "TiB", "p": "PiB",
               "us": "microseconds", "ms": "milliseconds", "s": "seconds",
               "min": "minutes", "h": "hours", "d": "days"}


class _Registry:
    def __init__(self):
        self.entries: dict[str, ConfigEntry] = {}
        self.patterns: list[ConfigEntry] = []

    def register(self, entry: ConfigEntry) -> ConfigEntry:
        if entry.key in self.entries or any(p.key == entry.key for p in self.patterns):
            raise ValueError("Config entry %s has been registered already" % entry.key)
        if entry.is_pattern:
            self.patterns.append(entry)
        else:
            self.entries[entry.key] = entry
        return entry


_REGISTRY = _Registry()


class ConfigBuilder:
    """Declares one entry, as Spark's ``ConfigBuilder``::

        ConfigBuilder("spark.ui.port").doc("...").version("0.7.0").section(Section.UI) \\
            .intConf().createWithDefault(4040)

    The typed builder's ``create*`` call registers the entry and returns it.
    """

    def __init__(self, key: str):
        self._key = key
        self._doc = ""
        self._version = ""
        self._section = Section.APPLICATION
        self._used = True

    def doc(self, text: str) -> ConfigBuilder:
        self._doc = " ".join(text.split())
        return self

    def version(self, version: str) -> ConfigBuilder:
        self._version = version
        return self

    def section(self, section: str) -> ConfigBuilder:
        self._section = section
        return self

    def unused(self) -> ConfigBuilder:
        """A Spark key sparklet accepts without a warning and without any effect."""
        self._used = False
        self._section = Section.IGNORED
        return self

    def _typed(self, value_type: str, unit: str | None = None) -> TypedConfigBuilder:
        return TypedConfigBuilder(self, value_type, unit)

    def booleanConf(self) -> TypedConfigBuilder:
        return self._typed(BOOL)

    def intConf(self) -> TypedConfigBuilder:
        return self._typed(INT)

    def doubleConf(self) -> TypedConfigBuilder:
        return self._typed(FLOAT)

    def stringConf(self) -> TypedConfigBuilder:
        return self._typed(STRING)

    def bytesConf(self, unit: str = "b") -> TypedConfigBuilder:
        """A size; a bare number is in ``unit`` (``b``, ``k``, ``m``, ``g``...)."""
        if unit not in units.BYTE_UNITS:
            raise ValueError("Unknown size unit %r" % unit)
        return self._typed(SIZE, unit)

    def timeConf(self, unit: str = "ms") -> TypedConfigBuilder:
        """A duration; a bare number is in ``unit`` (``ms``, ``s``...)."""
        if unit not in units.TIME_UNITS:
            raise ValueError("Unknown time unit %r" % unit)
        return self._typed(DURATION, unit)


class TypedConfigBuilder:
    """The second half of :class:`ConfigBuilder`: checks, then ``create*``."""

    def __init__(self, parent: ConfigBuilder, value_type: str, unit: str | None):
        self._parent = parent
        self._type = value_type
        self._unit = unit
        self._choices: tuple[str, ...] | None = None
        self._checks: list[tuple[Callable[[Any], bool], str]] = []
        self._sequence = False

    def checkValue(self, check: Callable[[Any], bool], message: str) -> TypedConfigBuilder:
        """Refuse parsed values for which ``check`` is false; ``message`` says why
        (``"must be positive"``)."""
        self._checks.append((check, message))
        return self

    def checkValues(self, choices: Iterable[str]) -> TypedConfigBuilder:
        """Accept only these values (compared case-insensitively, as Spark's enums)."""
        self._choices = tuple(choices)
        return self

    def toSequence(self) -> TypedConfigBuilder:
        """A comma-separated list of values of this type."""
        self._sequence = True
        return self

    def _create(self, default: Any, default_text: str) -> ConfigEntry:
        p = self._parent
        entry = ConfigEntry(p._key, LIST if self._sequence and self._type == STRING
                            else self._type, default, default_text, p._doc, p._version,
                            p._section, self._unit, self._choices, self._checks,
                            self._sequence, p._used)
        return _REGISTRY.register(entry)

    def createWithDefault(self, default: Any) -> ConfigEntry:
        """An entry whose default is a value of its type (``4040``, ``True``)."""
        if isinstance(default, bool):
            text = str(default).lower()
        elif isinstance(default, list | tuple):
            text = ",".join(map(str, default))
        else:
            text = str(default)
        return self._create(default, text)

    def createWithDefaultString(self, text: str) -> ConfigEntry:
        """An entry whose default is written as a user would write it (``"1g"``)."""
        entry = self._create(None, text)
        entry.default = entry.parse(text)
        return entry

    def createWithDynamicDefault(self, description: str) -> ConfigEntry:
        """An entry whose default is computed when it is read (``description`` says how)."""
        return self._create(None, description)

    def createOptional(self) -> ConfigEntry:
        """An entry with no default (``None`` when unset)."""
        return self._create(None, "(none)")


def _loaded() -> _Registry:
    import sparklet.internal.entries  # noqa: F401  (declaring the entries registers them)

    return _REGISTRY


def registry() -> list[ConfigEntry]:
    """Every entry, in declaration order (exact keys, then key families)."""
    reg = _loaded()
    return [*reg.entries.values(), *reg.patterns]


def find_entry(key: str) -> ConfigEntry | None:
    """The entry for ``key`` (exact, else the first family it belongs to), or None."""
    reg = _loaded()
    entry = reg.entries.get(key)
    if entry is not None:
        return entry
    return next((p for p in reg.patterns if p.matches(key)), None)


def is_known(key: str) -> bool:
    """Whether some entry (used or deliberately ignored) covers ``key``."""
    return find_entry(key) is not None


def _suggestion(key: str) -> str:
    """``; did you mean spark.executor.memory?`` for a key one typo away from an entry's."""
    close = difflib.get_close_matches(key, list(_loaded().entries), n=1, cutoff=0.85)
    return "; did you mean %s?" % close[0] if close else ""


_warned: set[str] = set()
_warned_lock = threading.Lock()


def validate_conf(pairs: Iterable[tuple[str, str]] | Mapping[str, str]) -> None:
    """What a SparkContext checks at start: every ``spark.*`` value parses as its key's
    type (ValueError naming the key otherwise); a ``spark.*`` key no entry covers is
    logged at WARN, once per key per process. Other keys are the application's own.

    >>> validate_conf({"spark.ui.port": "4041", "myapp.threshold": "x"})
    >>> validate_conf({"spark.executor.memory": "lots"})
    Traceback (most recent call last):
    ...
    ValueError: spark.executor.memory should be a size (e.g. 512m, 2g; ...), but was lots: ...
    """
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    for key, value in items:
        if not key.startswith("spark."):
            continue
        entry = find_entry(key)
        if entry is None:
            with _warned_lock:
                first = key not in _warned
                _warned.add(key)
            if first:
                _log.warning("Ignoring unknown Spark config property %s=%s: sparklet does not "
                             "read it%s (see docs/configuration.md)", key, value,
                             _suggestion(key))
        elif entry.used:
            entry.parse(value, key)


# -- docs/configuration.md -------------------------------------------------------------

_HEADER = """\
# Configuration

<!-- Generated by `python -m sparklet.internal.config --markdown > docs/configuration.md`
from the entries in src/sparklet/internal/entries.py; edit those, not this file. -->

sparklet reads Spark's properties from a `SparkConf`, from `--conf` of `sparklet-submit`
and from `$SPARK_CONF_DIR/spark-defaults.conf`, with Spark's precedence. Spark's keys keep
Spark's meaning and default where sparklet follows them; keys of sparklet's own are
`spark.sparklet.*` (and `spark.sql.sparklet.*`, `spark.dask.*`).

When a SparkContext starts, every `spark.*` property is checked against this list: a value
that does not parse as its key's type fails the start with a `ValueError` naming the key;
a key that is not listed is logged once per process at WARN (`sparklet.conf` logger) and
otherwise ignored.

Sizes are written as Spark writes them: an integer with an optional binary unit, `b`,
`k`/`kb`, `m`/`mb`, `g`/`gb`, `t`/`tb`, `p`/`pb` (`1k` = 1024 bytes); fractions such as
`1.5g` are refused. Durations are an integer with `us`, `ms`, `s`, `m`/`min`, `h` or `d`.
A bare number is in the unit the Type column names (bytes, MiB, milliseconds, seconds...).
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _type_text(entry: ConfigEntry) -> str:
    if entry.value_type in (SIZE, DURATION):
        text = "%s (bare number: %s)" % (entry.value_type, _UNIT_NAMES[entry.unit or ""])
    else:
        text = entry.value_type
    if entry.sequence and entry.value_type != LIST:
        text = "list of %s" % text
    if entry.choices:
        text += ": " + ", ".join("`%s`" % c for c in entry.choices)
    return text


def markdown() -> str:
    """``docs/configuration.md``: one table per section, in Spark's order."""
    out = [_HEADER]
    by_section: dict[str, list[ConfigEntry]] = {}
    for entry in registry():
        by_section.setdefault(entry.section, []).append(entry)
    unknown = set(by_section) - set(Section.ORDER)
    if unknown:
        raise ValueError("Entries in sections with no place on the page: %s" % sorted(unknown))
    for section in Section.ORDER:
        entries = sorted(by_section.get(section, []), key=lambda e: e.key)
        if not entries:
            continue
        out.append("\n## %s\n" % section)
        if section == Section.IGNORED:
            out.append("Spark properties of components sparklet does not have (the JVM, "
                       "cluster managers, Spark's serializers and codecs...). Setting them "
                       "changes nothing, and they are not reported as unknown.\n")
            out.append("| Property Name | Meaning in Spark | Since Version |")
            out.append("|---|---|---|")
            out.extend("| `%s` | %s | %s |" % (e.key, _cell(e.doc), e.version) for e in entries)
            continue
        out.append("| Property Name | Default | Type | Meaning | Since Version |")
        out.append("|---|---|---|---|---|")
        for e in entries:
            default = e.default_text if e.default_text.startswith("(") else \
                "`%s`" % e.default_text if e.default_text else "(empty)"
            out.append("| `%s` | %s | %s | %s | %s |" % (e.key, _cell(default),
                                                       _cell(_type_text(e)), _cell(e.doc),
                                                       e.version))
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m sparklet.internal.config --markdown``: print docs/configuration.md."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m sparklet.internal.config",
                                     description="sparklet's configuration registry")
    parser.add_argument("--markdown", action="store_true",
                        help="print docs/configuration.md generated from the registry")
    args = parser.parse_args(argv)
    if not args.markdown:
        for entry in registry():
            print("%s=%s" % (entry.key, entry.default_text))
        return 0
    sys.stdout.write(markdown())
    return 0


if __name__ == "__main__":
    # Run as a script this file is __main__, a second copy of the module: the entries
    # register in the imported sparklet.internal.config, so hand over to that one.
    from sparklet.internal.config import main as _main

    sys.exit(_main())
