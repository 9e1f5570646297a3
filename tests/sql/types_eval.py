"""Runs the cases of type_cases.py against one ``types`` module (PySpark's or sparklet's).

The result of each case is a plain JSON value, so PySpark's recorded results and sparklet's
compare with ``==``.
"""

from __future__ import annotations

import array
import collections
import copy
import datetime
import decimal
import json
import pickle
import re
from typing import Any

import type_cases

_BUILTIN_ERRORS = (KeyError, IndexError, AttributeError, NotImplementedError, TypeError,
                   ValueError, RuntimeError, AssertionError)  # fmt: skip


class Obj:
    def __init__(self) -> None:
        self.b = 1
        self.a = "x"


def _error(e: BaseException) -> dict[str, Any]:
    kind = next((c.__name__ for c in _BUILTIN_ERRORS if isinstance(e, c)), type(e).__name__)
    cond = getattr(e, "getCondition", lambda: None)()
    if cond is None:
        m = re.match(r"\s*['\"]?\[([A-Z_]+)\]", str(e))
        cond = m.group(1) if m else None
    # Messages name classes by module; compare them without it.
    message = re.sub(r"(pyspark|sparklet)\.sql\.types\.", "", str(e))
    return {"error": kind, "condition": cond, "message": message}


def _run(source: str, scope: dict[str, Any]) -> Any:
    *statements, last = source.split("; ")
    for s in statements:
        exec(s, scope)
    try:
        code = compile(last, "<case>", "eval")
    except SyntaxError:
        exec(last, scope)
        return None
    return eval(code, scope)


def _outcome(source: str, scope: dict[str, Any], show=repr) -> Any:
    try:
        return {"value": show(_run(source, dict(scope)))}
    except Exception as e:  # noqa: BLE001 - the exception is the recorded result
        return _error(e)


def _type_facts(t: Any, types: Any) -> dict[str, Any]:
    facts = {"repr": repr(t), "simpleString": t.simpleString(), "json": t.json(),
             "jsonValue": t.jsonValue(), "needConversion": t.needConversion(),
             "fromJson": repr(types._parse_datatype_json_string(t.json()))}  # fmt: skip
    try:
        facts["typeName"] = t.typeName()
    except Exception as e:  # noqa: BLE001
        facts["typeName"] = _error(e)
    if hasattr(t, "treeString"):
        facts["treeString"] = t.treeString()
        facts["treeString2"] = t.treeString(2)
    return facts


def evaluate(types: Any, parse_ddl: Any = None) -> dict[str, Any]:
    """All cases' results for ``types``; DDL cases only when ``parse_ddl`` is given."""
    scope = {name: getattr(types, name) for name in dir(types) if not name.startswith("__")}
    scope.update(array=array, datetime=datetime, decimal=decimal, pickle=pickle, copy=copy,
                 namedtuple=collections.namedtuple, Obj=Obj)  # fmt: skip
    out: dict[str, Any] = {
        "types": {src: _type_facts(eval(src, dict(scope)), types) for src in type_cases.TYPES},
        "equality": {},
        "expressions": {src: _outcome(src, scope) for src in type_cases.EXPRESSIONS},
        "infer": {src: _outcome("_infer_type(%s)" % src, scope) for src in type_cases.INFER},
        "schemas": {src: _outcome("_infer_schema(%s)" % src, scope) for src in type_cases.SCHEMAS},
    }
    for a, b in type_cases.EQUALITY:
        x, y = eval(a, dict(scope)), eval(b, dict(scope))
        out["equality"]["%s == %s" % (a, b)] = [x == y, x != y, hash(x) == hash(y)]
    randoms = {src: eval(src, dict(scope)) for src in type_cases.random_types()}
    out["random"] = {src: _type_facts(t, types) for src, t in randoms.items()}
    if parse_ddl is not None:
        out["ddl"] = {s: _outcome("parse(%r)" % s, {"parse": parse_ddl}) for s in type_cases.DDL}
        # A random type's DDL, and the same as the one column of a column list.
        out["random_ddl"] = {
            src: [
                _outcome("parse(%r)" % t.simpleString(), {"parse": parse_ddl}),
                _outcome("parse('col %s NOT NULL')" % t.simpleString(), {"parse": parse_ddl}),
            ]
            for src, t in randoms.items()
        }
    return json.loads(json.dumps(out))
