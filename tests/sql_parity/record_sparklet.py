"""Run the programs of ``cases.py`` on sparklet.sql and compare with PySpark's recording.

From this folder: ``PYTHONPATH=../../src python record_sparklet.py [AREA_OR_ID_PREFIX ...]
[--list]``. Writes ``sparklet_results.json`` (not committed: it changes with every change to
sparklet) and prints the per-area summary of ``compare.py``; ``--list`` also prints each
case that does not match with what sparklet gave.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator


@contextlib.contextmanager
def sparklet_namespace(warehouse: str | None = None) -> Iterator[dict]:
    """What a recorded program runs with on sparklet, as ``record_pyspark.py`` had it on
    PySpark: ``pyspark`` imports aliased to sparklet, the process and the session in UTC, a
    session of its own whose warehouse is ``warehouse`` (a fresh temporary directory by
    default, so tables a failing case leaves behind cannot break the next run). Undone on
    exit."""
    import shim

    old_tz = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    undo = shim.install()
    from sparklet.sql import Row, SparkSession, Window
    from sparklet.sql import functions as F
    from sparklet.sql import types as T

    spark = (SparkSession.builder.config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.warehouse.dir",
                     warehouse or tempfile.mkdtemp(prefix="sqlparity-wh-"))
             .create())
    try:
        yield {"spark": spark, "F": F, "T": T, "Row": Row, "Window": Window}
    finally:
        spark.stop()
        undo()
        if old_tz is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old_tz
        time.tzset()


def reset(ns: dict) -> None:
    """Undo what a case may have left in the session: temp views, ANSI, the time zone."""
    spark = ns["spark"]
    for name in list(spark._views):
        spark.catalog.dropTempView(name)
    spark.conf.set("spark.sql.ansi.enabled", "true")
    spark.conf.set("spark.sql.session.timeZone", "UTC")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    import compare
    import runner

    with sparklet_namespace() as ns:
        results = runner.run_all(ns, after_each=lambda: reset(ns), only=args or None)
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
