"""Compare one engine's recorded results with PySpark's, case by case and per area.

    python compare.py pyspark_results.json sqlframe_results.json [--list AREA]
    python compare.py --report     # every table of docs/design/sql-evaluation.md

A case matches when everything PySpark's observation holds is equal: the collected rows
(as a multiset for cases marked ``unordered``), the dtypes, a value's repr, the printed text,
or, for an exception, its class name. ``rows`` counts cases whose rows alone match (types
aside); ``raises`` counts cases where both raised, whatever the class.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict


def verdict(want: dict, got: dict | None) -> str:
    """One of: match, rows (rows equal, types differ), raises (both raised, other class),
    missing-error (PySpark raised, the engine did not), error (the engine raised, PySpark
    did not), mismatch."""
    if got is None:
        return "mismatch"
    if "error" in want:
        if "error" not in got:
            return "missing-error"
        return "match" if got["error"]["type"] == want["error"]["type"] else "raises"
    if "error" in got:
        return "error"
    if want.get("stdout", "") != got.get("stdout", ""):
        return "mismatch"
    if "rows" in want:
        if "rows" not in got:
            return "mismatch"
        a, b = want["rows"], got["rows"]
        if want.get("unordered"):
            a, b = sorted(a), sorted(b)
        if a != b:
            return "mismatch"
        return "match" if want["dtypes"] == got["dtypes"] else "rows"
    return "match" if want.get("value") == got.get("value") else "mismatch"


def compare_files(want_path: str, got_path: str) -> dict:
    with open(want_path) as f:
        want = json.load(f)["cases"]
    with open(got_path) as f:
        got = json.load(f)["cases"]
    stale = [k for k, w in want.items() if k in got and got[k].get("code") != w.get("code")]
    if stale:  # a case edited since one of the two files was recorded: re-record it
        print(f"warning: {len(stale)} cases differ in code between the files: {stale[:5]}",
              file=sys.stderr)
    return {k: (w["area"], verdict(w, got.get(k))) for k, w in want.items() if k in got}


def summary_markdown(verdicts: dict) -> str:
    kinds = ["match", "rows", "raises", "missing-error", "error", "mismatch"]
    per = defaultdict(lambda: defaultdict(int))
    for area, v in verdicts.values():
        per[area][v] += 1
        per["ALL"][v] += 1
    lines = ["| area | cases | match | % | " + " | ".join(kinds[1:]) + " |",
             "|---" * (len(kinds) + 3) + "|"]
    for area in sorted(per, key=lambda a: (a == "ALL", a)):
        c = per[area]
        n = sum(c.values())
        lines.append(f"| {area} | {n} | {c['match']} | {100 * c['match'] / n:.0f} | "
                     + " | ".join(str(c[k]) for k in kinds[1:]) + " |")
    return "\n".join(lines)


def _cases(path: str) -> dict:
    with open(path) as f:
        return json.load(f)["cases"]


def report_markdown() -> str:
    """The tables of docs/design/sql-evaluation.md, from the four recorded files here."""
    want, frame = _cases("pyspark_results.json"), _cases("sqlframe_results.json")
    plain, ansi = _cases("sqlglot_results.json"), _cases("sqlglot_ansi_results.json")
    out = [summary_markdown({k: (w["area"], verdict(w, frame.get(k))) for k, w in want.items()})]
    out += ["", "| part | cases | SQLFrame match | SQLFrame rows right |", "|---|---|---|---|"]
    right = ("match", "rows")
    for label, keys in [("SQL text only", [k for k in want if k in plain]),
                        ("DataFrame API, IO, catalog, UDFs, printing",
                         [k for k in want if k not in plain])]:
        vs = [verdict(want[k], frame[k]) for k in keys]
        out.append(f"| {label} | {len(keys)} | {vs.count('match')} | "
                   f"{sum(v in right for v in vs)} |")
    out += ["", "| area | cases | SQLFrame rows right | sqlglot+DuckDB rows right | "
            "SQLFrame right where sqlglot is not | ANSI generator: right (value or raise) |",
            "|---|---|---|---|---|---|"]
    per = defaultdict(lambda: [0, 0, 0, 0, 0])
    for k in plain:
        vs, vp, va = (verdict(want[k], d[k]) for d in (frame, plain, ansi))
        for area in (want[k]["area"], "ALL"):
            c = per[area]
            c[0] += 1
            c[1] += vs in right
            c[2] += vp in right
            c[3] += vs in right and vp not in right
            c[4] += va in (*right, "raises")
    for area in sorted(per, key=lambda a: (a == "ALL", a)):
        out.append(f"| {area} | " + " | ".join(map(str, per[area])) + " |")
    return "\n".join(out)


if __name__ == "__main__":
    if "--report" in sys.argv:
        print(report_markdown())
        sys.exit()
    verdicts = compare_files(sys.argv[1], sys.argv[2])
    if "--list" in sys.argv:
        area = sys.argv[sys.argv.index("--list") + 1]
        for k, (a, v) in sorted(verdicts.items()):
            if a == area or area == "all":
                print(f"{v:14} {k}")
    else:
        print(summary_markdown(verdicts))
