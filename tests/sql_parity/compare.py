"""Compare one engine's recorded results with PySpark's, case by case and per area.

    python compare.py pyspark_results.json sqlframe_results.json [--list AREA]

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


if __name__ == "__main__":
    verdicts = compare_files(sys.argv[1], sys.argv[2])
    if "--list" in sys.argv:
        area = sys.argv[sys.argv.index("--list") + 1]
        for k, (a, v) in sorted(verdicts.items()):
            if a == area or area == "all":
                print(f"{v:14} {k}")
    else:
        print(summary_markdown(verdicts))
