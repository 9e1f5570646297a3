"""Run the programs of ``cases.py`` on sparklet.sql and compare with PySpark's recording.

From this folder: ``PYTHONPATH=../../src python record_sparklet.py [AREA_OR_ID_PREFIX ...]
[--list]``. Writes ``sparklet_results.json`` (not committed: it changes with every change to
sparklet) and prints the per-area summary of ``compare.py``; ``--list`` also prints each
case that does not match with what sparklet gave.
"""

from __future__ import annotations

import json
import os
import sys
import time


def namespace() -> dict:
    import shim

    shim.install()
    import tempfile

    from sparklet.sql import Row, SparkSession, Window
    from sparklet.sql import functions as F
    from sparklet.sql import types as T

    # a fresh warehouse: tables a failing case leaves behind must not break the next run
    spark = (SparkSession.builder.config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="sqlparity-wh-"))
             .getOrCreate())
    return {"spark": spark, "F": F, "T": T, "Row": Row, "Window": Window}


def main() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    import compare
    import runner

    ns = namespace()

    def reset() -> None:  # a case's temp views must not leak into the next
        for name in list(ns["spark"]._views):
            ns["spark"].catalog.dropTempView(name)
        ns["spark"].conf.set("spark.sql.ansi.enabled", "true")
        ns["spark"].conf.set("spark.sql.session.timeZone", "UTC")

    results = runner.run_all(ns, after_each=reset, only=args or None)
    with open("sparklet_results.json", "w") as f:
        json.dump({"meta": {}, "cases": results}, f, indent=1, sort_keys=True, default=str)
    with open("pyspark_results.json") as f:
        want = json.load(f)["cases"]
    verdicts = {k: (want[k]["area"], compare.verdict(want[k], v)) for k, v in results.items()
                if k in want}
    print(compare.summary_markdown(verdicts))
    if "--list" in sys.argv:
        for k, (_, v) in sorted(verdicts.items()):
            if v != "match":
                got, w = results[k], want[k]
                shown = got.get("error") or got.get("rows") or got.get("value")
                wanted = w.get("error") or w.get("rows") or w.get("value")
                print(f"{k} [{v}]\n  code: {w['code'][:200]}\n  want: {wanted!s:.300}"
                      f"\n  got:  {shown!s:.300}")


if __name__ == "__main__":
    main()
