"""Error conditions: a condition's message template, SQLSTATE and rendering with parameters."""

from __future__ import annotations

import re

from sparklet.errors.error_conditions import ERROR_CONDITIONS

__all__ = ["get_message_template", "get_error_message", "get_sqlstate", "is_jvm_condition"]

# Spark fills ``<docroot>`` itself, with its documentation's address.
DOC_ROOT = "https://spark.apache.org/docs/latest"

# A parameter is ``<name>``; a lone ``<`` or ``>`` (``a < b``, ``ARRAY<INT>`` in data) is text.
_PARAMETER = re.compile(r"<([a-zA-Z0-9_-]+)>")


def _entry(condition: str) -> tuple[dict, dict | None]:
    main, _, sub = condition.partition(".")
    info = ERROR_CONDITIONS.get(main)
    if info is None:
        raise ValueError(f"Cannot find main error class '{main}'")
    if not sub:
        return info, None
    sub_info = info.get("subClass", {}).get(sub)
    if sub_info is None:
        raise ValueError(f"Cannot find sub error class '{sub}'")
    return info, sub_info


def get_message_template(condition: str) -> str:
    """The message template of ``condition`` (``MAIN`` or ``MAIN.SUB``).

    A sub-condition's template is its main condition's followed by a space and its own, as
    Spark builds it.

    >>> get_message_template("UNRESOLVED_COLUMN.WITH_SUGGESTION")
    'A column, variable, or function parameter with name <objectName> cannot be resolved. \
Did you mean one of the following? [<proposal>].'
    """
    info, sub_info = _entry(condition)
    template = "\n".join(info["message"])
    if sub_info is not None:
        template += " " + "\n".join(sub_info["message"])
    return template


def get_error_message(condition: str, parameters: dict[str, str]) -> str:
    """The message of ``condition`` with its ``<name>`` placeholders replaced by ``parameters``.

    The parameters must be exactly the template's, as PySpark checks (``docroot`` aside,
    which Spark supplies).

    >>> get_error_message("DIVIDE_BY_ZERO", {"config": '"spark.sql.ansi.enabled"'})
    'Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead. \
If necessary set "spark.sql.ansi.enabled" to "false" to bypass this error.'
    """
    template = get_message_template(condition)
    wanted = set(_PARAMETER.findall(template))
    if "docroot" in wanted and "docroot" not in parameters:
        parameters = {**parameters, "docroot": DOC_ROOT}
    if wanted != set(parameters):
        raise ValueError(
            f"Undefined error message parameter for error class: {condition}. "
            f"Parameters: {parameters}")
    # One pass, so a parameter's value that looks like ``<x>`` stays as it is.
    return _PARAMETER.sub(lambda m: str(parameters[m.group(1)]), template)


def get_sqlstate(condition: str | None) -> str | None:
    """The SQLSTATE of ``condition``, declared on its main condition; None if it has none.

    >>> get_sqlstate("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION")
    '42703'
    >>> get_sqlstate("INVALID_TYPE") is None
    True
    """
    if condition is None:
        return None
    info = ERROR_CONDITIONS.get(condition.split(".")[0])
    return None if info is None else info.get("sqlState")


def is_jvm_condition(condition: str | None) -> bool:
    """Whether Spark renders ``condition`` on the JVM side (its text then carries the SQLSTATE).

    >>> is_jvm_condition("DIVIDE_BY_ZERO"), is_jvm_condition("NOT_EXPECTED_TYPE")
    (True, False)
    """
    if condition is None:
        return False
    info = ERROR_CONDITIONS.get(condition.split(".")[0])
    return info is not None and info.get("origin") == "jvm"
