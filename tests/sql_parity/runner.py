"""Runs the programs of ``cases.py`` on one engine and writes what each one gave, as JSON.

Used by ``record_pyspark.py`` and ``record_sqlframe.py`` (and, later, by a sparklet.sql
parity test): the engine is whatever ``namespace`` holds under ``spark``, ``F``, ``T``,
``Row`` and ``Window``. One observation per case, keyed by the case id:

- ``rows`` (repr of each collected Row) and ``dtypes`` when the last line is a DataFrame,
- ``value`` (a repr) for any other value,
- ``error`` (``type``, ``condition``, ``message``) when the program raised,
- ``stdout``: what it printed (``show()``, ``printSchema()``).
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time

try:  # run as a script from this folder, or imported as tests.sql_parity.runner
    from cases import CASES, PRELUDE
except ImportError:  # pragma: no cover
    from .cases import CASES, PRELUDE

CASE_TIMEOUT_S = 180
MESSAGE_LIMIT = 1200


class CaseTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise CaseTimeout(f"case took longer than {CASE_TIMEOUT_S} s")


def clean_message(message: str) -> str:
    """Drop what differs from run to run: the JVM stack, the analyzed plan that PySpark
    appends after ``SQLSTATE: xxxxx;`` (or ``; line 1 pos 7;``), expression ids
    (``id#3928``) and the case's temporary directory."""
    message = message.split("\nJVM stacktrace:")[0]
    message = re.sub(r"(SQLSTATE: \w+(?:; line \d+ pos \d+)?);\n.*", r"\1", message, flags=re.S)
    message = re.sub(r"(\w)#\d+", r"\1#N", message)
    message = re.sub(r"/tmp/sqlparity-[\w-]+", "<tmp>", message)
    return message[:MESSAGE_LIMIT]


def describe_error(exc: BaseException) -> dict:
    condition = None
    for getter in ("getCondition", "getErrorClass"):
        fn = getattr(exc, getter, None)
        if fn is not None:
            try:
                condition = fn()
            except Exception:  # noqa: BLE001 - a getter that fails still leaves the message
                condition = None
            if condition:
                break
    message = clean_message(str(exc))
    return {
        "type": type(exc).__name__,
        "mro": [c.__name__ for c in type(exc).__mro__[1:4]],
        "condition": condition,
        "message": message,
    }


def is_dataframe(value) -> bool:
    return type(value).__name__.endswith("DataFrame") and hasattr(value, "collect")


def observe(value) -> dict:
    if is_dataframe(value):
        obs = {"rows": [repr(r) for r in value.collect()]}
        try:
            dtypes = value.dtypes
            if not isinstance(dtypes, list):
                # An engine without DataFrame.dtypes (SQLFrame): take them from its schema,
                # so that the types can still be compared, and say so.
                dtypes = [(f.name, f.dataType.simpleString()) for f in value.schema.fields]
                obs["dtypes_from_schema"] = True
            obs["dtypes"] = [list(t) for t in dtypes]
        except Exception as exc:  # noqa: BLE001 - rows without types are still an observation
            obs["dtypes"] = None
            obs["dtypes_error"] = describe_error(exc)
        return obs
    return {"value": repr(value)}


def run_case(case: dict, base_namespace: dict) -> dict:
    tree = ast.parse(case["code"])
    last = tree.body[-1] if tree.body else None
    expr = None
    if isinstance(last, ast.Expr):
        expr = ast.Expression(last.value)
        tree.body = tree.body[:-1]
    tmp = tempfile.mkdtemp(prefix="sqlparity-")
    ns = dict(base_namespace, tmp=tmp)
    out = io.StringIO()
    started = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_TIMEOUT_S)
    try:
        with contextlib.redirect_stdout(out):
            try:
                exec(compile(PRELUDE, "<prelude>", "exec"), ns)
                exec(compile(tree, f"<{case['id']}>", "exec"), ns)
                value = eval(compile(expr, f"<{case['id']}>", "eval"), ns) if expr else None
                obs = observe(value)
            except Exception as exc:  # noqa: BLE001 - the exception is the observation
                obs = {"error": describe_error(exc)}
    finally:
        signal.alarm(0)
        shutil.rmtree(tmp, ignore_errors=True)
    obs["stdout"] = out.getvalue()
    obs["seconds"] = round(time.perf_counter() - started, 3)
    return obs


def run_all(base_namespace: dict, after_each=None, only: list[str] | None = None) -> dict:
    """Run every case (or those whose id starts with one of ``only``)."""
    results = {}
    for i, case in enumerate(CASES):
        if only and not case["id"].startswith(tuple(only)):
            continue
        if i % 50 == 0:
            print(f"case {i}/{len(CASES)} {case['id']}", file=sys.stderr, flush=True)
        results[case["id"]] = dict(run_case(case, base_namespace), code=case["code"],
                                   area=case["area"], unordered=case["unordered"])
        if after_each is not None:
            after_each()
    return results


def write(path: str, meta: dict, results: dict, merge: bool = False) -> None:
    """Write the table; with ``merge``, update an existing one (and drop cases gone from
    ``cases.py``)."""
    if merge and os.path.exists(path):
        with open(path) as f:
            old = json.load(f)
        known = {c["id"] for c in CASES}
        results = {k: v for k, v in {**old["cases"], **results}.items() if k in known}
        meta = {**old["meta"], **meta}
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"meta": meta, "cases": results}, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)
