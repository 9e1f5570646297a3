"""Data source options as Spark reads them: case-insensitive keys, string values.

Spark keeps every option as a string (``option("header", True)`` is ``"true"``) in a
case-insensitive map, and each format parses the ones it knows; an unknown option is ignored.
"""

from __future__ import annotations

from typing import Any

from sparklet.errors import AnalysisException

# the file formats sparklet reads and writes
FORMATS = ("parquet", "json", "csv", "text", "orc")


def check_format(format: str) -> str:  # noqa: A002 - PySpark's parameter name
    """The lower-cased format name; Spark's DATA_SOURCE_NOT_FOUND for an unknown one."""
    fmt = format.lower()
    if fmt not in FORMATS:
        raise AnalysisException(
            message=(f"Failed to find the data source: {format}. Make sure the provider name "
                     "is correct and the package is properly registered and compatible with "
                     "your Spark version."),
            errorClass="DATA_SOURCE_NOT_FOUND", messageParameters={"provider": format})
    return fmt


def option_string(value: Any) -> str | None:
    """An option value as Spark stores it: ``True`` → ``"true"``, ``None`` stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Options:
    """A case-insensitive view of a format's options (keys compared lower-cased)."""

    def __init__(self, options: dict[str, Any] | None = None):
        self._map: dict[str, str] = {}
        for key, value in (options or {}).items():
            text = option_string(value)
            if text is not None:
                self._map[key.lower()] = text

    def __contains__(self, key: str) -> bool:
        return key.lower() in self._map

    def get(self, key: str, default: str | None = None) -> str | None:
        """The option's text, or ``default``."""
        return self._map.get(key.lower(), default)

    def first(self, keys: tuple[str, ...], default: str | None = None) -> str | None:
        """The first of several aliases that is set (``sep`` / ``delimiter``)."""
        for key in keys:
            if key.lower() in self._map:
                return self._map[key.lower()]
        return default

    def bool(self, key: str, default: bool = False) -> bool:
        """A boolean option; Spark accepts ``true``/``false`` in any case and nothing else."""
        text = self._map.get(key.lower())
        if text is None:
            return default
        low = text.strip().lower()
        if low in ("true", "false"):
            return low == "true"
        raise AnalysisException(
            message=f"{key} flag can be true or false, but got {text!r}.")

    def char(self, key: str, default: str) -> str:
        """A one-character option (``quote``, ``escape``); an empty value means none (``\\0``)."""
        text = self._map.get(key.lower())
        if text is None:
            return default
        if text == "":
            return "\0"
        if len(text) == 1:
            return text
        if text == "\\t":
            return "\t"
        if text.startswith("\\u") and len(text) == 6:
            return chr(int(text[2:], 16))
        raise AnalysisException(message=f"{key} cannot be more than one character")

    def mode(self) -> str:
        """The parse mode (``PERMISSIVE``, ``DROPMALFORMED``, ``FAILFAST``); others: permissive."""
        text = (self._map.get("mode") or "PERMISSIVE").upper()
        return text if text in ("PERMISSIVE", "DROPMALFORMED", "FAILFAST") else "PERMISSIVE"

    def items(self) -> list[tuple[str, str]]:
        return list(self._map.items())
