"""Record PySpark's answers to the 22 TPC-H queries on the SF 0.001 data of bench/tpch_data.py.

Writes ``pyspark_tpch_sf0.001.json`` beside this file: per query, PySpark 4.3's result
columns (``df.dtypes``) and rows (normalized by ``tpch_queries.normalize_rows``), which
test_tpch_data.py compares DuckDB's and sparklet.sql's answers with. It runs bench/sql.py
(which builds its PySpark venv on first use) with only the PySpark engine; re-run it after
any change of the generator's output (``GENERATOR_VERSION``) or of the query texts:

    PYTHONPATH=$PWD/src .venv/bin/python tests/bench/record_tpch_pyspark.py
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
BENCH = HERE.parents[1] / "bench"
OUT = HERE / "pyspark_tpch_sf0.001.json"
SF = 0.001


def main() -> int:
    sys.path.insert(0, str(BENCH))
    import tpch_data

    with tempfile.TemporaryDirectory() as tmp:
        result = pathlib.Path(tmp) / "result.json"
        subprocess.run([sys.executable, str(BENCH / "sql.py"), "--sf", str(SF), "--queries",
                        "all", "--repeat", "1", "--warmup", "0", "--skip-sparklet",
                        "--skip-duckdb", "--json", str(result)], check=True)
        run = json.loads(result.read_text())
    engine = run["engines"]["pyspark"]
    OUT.write_text(json.dumps({
        "meta": {"engine": "pyspark", "version": engine["version"], "sf": SF,
                 "generator_version": tpch_data.GENERATOR_VERSION,
                 "seed": tpch_data.DEFAULT_SEED},
        "queries": {q: {"dtypes": e["dtypes"], "rows": e["rows"]}
                    for q, e in engine["queries"].items()},
    }, indent=1) + "\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
