"""``pyspark`` imports inside the recorded programs resolve to sparklet's modules — the
one change a user makes to run a PySpark program on sparklet (``pyspark`` → ``sparklet``)."""

from __future__ import annotations

import importlib
import sys

_MODULES = ("", ".errors", ".sql", ".sql.functions", ".sql.types", ".sql.window",
            ".sql.column", ".sql.dataframe", ".sql.session", ".sql.udf")


def install() -> callable:
    """Alias ``pyspark[.x]`` to ``sparklet[.x]`` in ``sys.modules``; returns the undo."""
    saved = {}
    for suffix in _MODULES:
        name = "pyspark" + suffix
        saved[name] = sys.modules.get(name)
        sys.modules[name] = importlib.import_module("sparklet" + suffix)

    def undo() -> None:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    return undo
