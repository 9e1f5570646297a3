"""Names near a misspelt one, ordered as Spark orders its "Did you mean" proposals."""

from __future__ import annotations

from collections.abc import Sequence

from sparklet.errors.exceptions import AnalysisException

__all__ = ["quote_identifier", "parse_attribute_name", "to_sql_id", "levenshtein",
           "order_suggestions", "unresolved_column"]

# Spark proposes at most this many names.
MAX_PROPOSALS = 5


def quote_identifier(name: str) -> str:
    """``name`` between backticks, its own backticks doubled.

    >>> quote_identifier("a`b")
    '`a``b`'
    """
    return "`" + name.replace("`", "``") + "`"


def parse_attribute_name(name: str) -> list[str]:
    """The parts of a dotted, possibly back-quoted, name.

    >>> parse_attribute_name("t.`a.b`.c")
    ['t', 'a.b', 'c']
    """
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    while i < len(name):
        ch = name[i]
        if quoted:
            if ch == "`" and name[i + 1:i + 2] == "`":
                current.append("`")
                i += 1
            elif ch == "`":
                quoted = False
            else:
                current.append(ch)
        elif ch == "`":
            quoted = True
        elif ch == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    if quoted:
        raise ValueError(f"unclosed backtick in name: {name}")
    parts.append("".join(current))
    return parts


def to_sql_id(name: str | Sequence[str]) -> str:
    """A name as Spark shows identifiers in messages: each part back-quoted.

    >>> to_sql_id("nmae"), to_sql_id("t.a"), to_sql_id(["t", "a.b"])
    ('`nmae`', '`t`.`a`', '`t`.`a.b`')
    """
    parts = parse_attribute_name(name) if isinstance(name, str) else list(name)
    return ".".join(quote_identifier(p) for p in parts)


def levenshtein(a: str, b: str) -> int:
    """The number of one-character insertions, deletions or substitutions from ``a`` to ``b``.

    >>> levenshtein("kitten", "sitting")
    3
    """
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def order_suggestions(name: str, candidates: Sequence[str | Sequence[str]]) -> list[str]:
    """The ``candidates`` (names, or qualifier parts + name), back-quoted, nearest first.

    As Spark: a qualifier shared by every candidate is dropped (the table's, or the
    database's when ``name`` has at most two parts); the distance is measured between the
    back-quoted candidate and ``name`` as written; equally near names come in code point
    order of their parts (``B1`` before ``a1`` before ``a1_``), whatever the schema's order.

    >>> order_suggestions("nmae", ["id", "name", "age", "city"])
    ['`age`', '`id`', '`name`', '`city`']
    >>> order_suggestions("b", [["c1"], ["v1", "c2"], ["v2.c2"]])
    ['`c1`', '`v2.c2`', '`v1`.`c2`']
    """
    parts = [[c] if isinstance(c, str) else list(c) for c in candidates]
    name_parts = len(parse_attribute_name(name))
    if name_parts == 1 and len({tuple(p[:-1]) for p in parts}) == 1:
        parts = [p[-1:] for p in parts]
    elif name_parts <= 2 and len({tuple(p[:-2]) for p in parts}) == 1:
        parts = [p[-2:] for p in parts]
    keyed = sorted((levenshtein(to_sql_id(p), name), p) for p in parts)
    return [to_sql_id(p) for _, p in keyed]


def unresolved_column(name: str, candidates: Sequence[str | Sequence[str]],
                      **position) -> AnalysisException:
    """The :class:`AnalysisException` for a column ``name`` not among ``candidates``.

    ``position`` (``line``, ``startPosition``, ``contexts``) is passed to the exception.

    >>> print(unresolved_column("nme", ["name", "age"]))  # doctest: +NORMALIZE_WHITESPACE
    [UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with
    name `nme` cannot be resolved. Did you mean one of the following? [`name`, `age`].
    SQLSTATE: 42703
    >>> unresolved_column("x", []).getCondition()
    'UNRESOLVED_COLUMN.WITHOUT_SUGGESTION'
    """
    params = {"objectName": to_sql_id(name)}
    proposal = order_suggestions(name, candidates)[:MAX_PROPOSALS]
    if proposal:
        params["proposal"] = ", ".join(proposal)
    sub = "WITH_SUGGESTION" if proposal else "WITHOUT_SUGGESTION"
    return AnalysisException(errorClass=f"UNRESOLVED_COLUMN.{sub}", messageParameters=params,
                             **position)
