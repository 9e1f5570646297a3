"""The Spark SQL example programs run and print what their inputs imply.

Each script runs as a subprocess and prints its parts under ``-- title`` lines; the tests
parse the ``show()`` tables and schemas of each part and compare them with values worked
out here, in plain Python, from the same input files (people.json, people.txt,
addresses.json, employees.json, departments.json), never copied from a script's output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from statistics import mean

import pytest

pytest.importorskip("duckdb", reason="sparklet.sql needs the 'sql' extra")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples", "sql")


def run_example(name: str) -> dict[str, list[str]]:
    """Run examples/sql/<name> and return its output lines by section title."""
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    out = subprocess.run([sys.executable, os.path.join(EXAMPLES, name)],
                         capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in out.stdout.splitlines():
        if line.startswith("-- "):
            assert line[3:] not in sections, f"section {line!r} printed twice"
            current = sections.setdefault(line[3:], [])
        elif line.strip():
            current.append(line)
    return sections


def table(lines: list[str]) -> tuple[list[str], list[tuple]]:
    """A ``show()`` table's header and rows; NULL cells are None."""
    body = [ln for ln in lines if ln.startswith("|")]
    assert lines[0].startswith("+") and body, lines

    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.strip("|").split("|")]

    rows = [tuple(None if c == "NULL" else c for c in cells(ln)) for ln in body[1:]]
    return cells(body[0]), rows


def schema(lines: list[str]) -> list[tuple[str, str]]:
    """A ``printSchema()`` tree's top-level (name, type) pairs."""
    assert lines[0] == "root", lines
    return [tuple(ln[len(" |-- "):].split(" (")[0].split(": ")) for ln in lines[1:]
            if ln.startswith(" |-- ")]


def text(v) -> str | None:
    return None if v is None else str(v)


def people_json() -> list[dict]:
    with open(os.path.join(EXAMPLES, "people.json")) as f:
        return [json.loads(line) for line in f if line.strip()]


def people_txt() -> list[tuple[str, int]]:
    with open(os.path.join(EXAMPLES, "people.txt")) as f:
        return [(n, int(a)) for n, a in (line.split(",") for line in f if line.strip())]


@pytest.fixture(scope="module")
def basic():
    return run_example("basic.py")


def test_basic_dataframe_operations(basic):
    people = people_json()
    # JSON columns are read in alphabetical order, integral numbers as long
    assert table(basic["people.json"]) == (
        ["age", "name"], [(text(p.get("age")), p["name"]) for p in people])
    assert schema(basic["schema"]) == [("age", "long"), ("name", "string")]
    assert table(basic["names"]) == (["name"], [(p["name"],) for p in people])
    older = [(p["name"], text(p["age"] + 1 if "age" in p else None)) for p in people]
    assert table(basic["everybody a year older"]) == (["name", "(age + 1)"], older)
    assert table(basic["older than 21"])[1] == [
        (str(p["age"]), p["name"]) for p in people if p.get("age", 0) > 21]
    counts = Counter(p.get("age") for p in people)
    by_age = sorted(counts.items(), key=lambda kv: (kv[0] is not None, kv[0] or 0))
    assert table(basic["count by age"]) == (
        ["age", "count"], [(text(a), str(n)) for a, n in by_age])


def test_basic_temporary_views(basic):
    people = people_json()
    assert table(basic["SQL over a temporary view"])[1] == [
        (str(p["age"]), p["name"]) for p in people if 13 <= p.get("age", -1) <= 19]
    aged = sorted((p for p in people if "age" in p), key=lambda p: -p["age"])
    assert table(basic["SQL over a global temporary view"]) == (
        ["name", "age"], [(p["name"], str(p["age"])) for p in aged])


def test_basic_rdd_interoperation(basic):
    people = people_txt()
    assert basic["teenagers, schema inferred from Rows"] == [
        f"Name: {n}" for n, a in people if 13 <= a <= 19]
    assert schema(basic["inferred schema"]) == [("name", "string"), ("age", "long")]
    assert table(basic["names, schema given as a StructType"]) == (
        ["name"], [(n,) for n, _ in people])
    assert schema(basic["age cast to int"]) == [("name", "string"), ("age", "integer")]


@pytest.fixture(scope="module")
def datasource():
    return run_example("datasource.py")


def by_name(people: list[dict]) -> list[dict]:
    return sorted(people, key=lambda p: p["name"])


def test_datasource_generic_load_save(datasource):
    people = people_json()
    assert table(datasource["generic load of the default format"]) == (
        ["name", "age"], [(p["name"], text(p.get("age"))) for p in people])
    # the CSV was written with the JSON's columns (age, name), so the header is theirs
    assert table(datasource["CSV with header and sep"]) == (
        ["age", "name"], [(text(p.get("age")), p["name"]) for p in by_name(people)])
    assert schema(datasource["CSV schema inferred"]) == [("age", "integer"), ("name", "string")]
    assert schema(datasource["CSV without header"]) == [("_c0", "string"), ("_c1", "string")]
    assert table(datasource["ORC round trip"]) == (
        ["age", "name"], [(text(p.get("age")), p["name"]) for p in by_name(people)])
    assert table(datasource["SQL on a parquet file"]) == (
        ["name"], [(p["name"],) for p in by_name(people) if "age" in p])


def test_datasource_parquet(datasource):
    people = people_json()
    assert table(datasource["teenagers from parquet"])[1] == [
        (p["name"],) for p in people if 13 <= p.get("age", -1) <= 19]
    # a NULL partition value is Hive's default partition name
    assert datasource["partition directories"] == sorted(
        {f"age={p.get('age', '__HIVE_DEFAULT_PARTITION__')}" for p in people})
    # the partition column comes last, its type inferred from the directory names
    assert schema(datasource["partition discovery schema"]) == [
        ("name", "string"), ("age", "integer")]


def test_datasource_parquet_schema_merging(datasource):
    assert schema(datasource["merged schema"]) == [
        ("single", "long"), ("double", "long"), ("triple", "long"), ("key", "integer")]
    squares = [(i, i * i, None, 1) for i in range(1, 6)]
    cubes = [(i, None, i * i * i, 2) for i in range(6, 11)]
    assert table(datasource["merged rows"]) == (
        ["single", "double", "triple", "key"],
        [tuple(map(text, r)) for r in squares + cubes])


def test_datasource_json(datasource):
    people = people_json()
    assert table(datasource["JSON lines, teenagers"])[1] == [
        (p["name"],) for p in people if 13 <= p.get("age", -1) <= 19]
    with open(os.path.join(EXAMPLES, "addresses.json")) as f:
        addresses = json.load(f)
    tree = datasource["multi-line JSON schema"]
    assert schema(tree) == [("address", "struct"), ("name", "string")]
    nested = sorted({k for a in addresses for k in a["address"]})
    assert [ln.split(":")[0].split("-- ")[1] for ln in tree if ln.startswith(" |    |-- ")] == (
        nested)
    assert table(datasource["multi-line JSON addresses"]) == (
        ["name", "city", "state"],
        [(a["name"], a["address"]["city"], a["address"]["state"]) for a in addresses])
    assert table(datasource["JSON from an RDD of strings"]) == (["name", "state"],
                                                               [("Zoe", "Oslo")])


def test_datasource_text(datasource):
    with open(os.path.join(EXAMPLES, "people.txt")) as f:
        content = f.read()
    lines = content.splitlines()
    assert table(datasource["text lines"]) == (["value"], [(ln,) for ln in lines])
    # show() prints a newline inside a value as \n; cells are compared stripped
    records = [r.replace("\n", "\\n").strip() for r in content.split(",")]
    assert table(datasource["text with lineSep"]) == (["value"], [(r,) for r in records])
    assert datasource["text as whole files"] == [repr(content)]
    assert datasource["text written and read back"] == [str(len(lines))]


def test_datasource_file_options_and_tables(datasource):
    assert table(datasource["recursiveFileLookup"]) == (
        ["file"], [("file1.parquet",), ("file2.parquet",)])
    assert table(datasource["pathGlobFilter"]) == (["file"], [("file3.json",)])
    people = people_json()
    assert table(datasource["persistent table"]) == (
        ["name", "age"], [(p["name"], str(p["age"])) for p in people if p.get("age", 0) > 20])
    assert datasource["tables in the catalog"] == [
        "people_partitioned MANAGED", "people_table MANAGED"]
    assert table(datasource["partitioned table"]) == (
        ["name", "age"], [(p["name"], text(p.get("age"))) for p in by_name(people)])


def employees_json() -> list[dict]:
    with open(os.path.join(EXAMPLES, "employees.json")) as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def udfs():
    return run_example("udf.py")


def test_udf_python_functions(udfs):
    emps = by_name(employees_json())
    assert table(udfs["udf on columns"]) == (
        ["name", "length", "initial"], [(e["name"], str(len(e["name"])), e["name"][0] + ".")
                                        for e in emps])
    assert table(udfs["udf registered for SQL"]) == (
        ["name", "length"], [(e["name"], str(len(e["name"]))) for e in emps
                             if len(e["name"]) > 4])


def test_udf_pandas_functions(udfs):
    emps = employees_json()
    assert table(udfs["pandas_udf Series to Series"]) == (
        ["name", "salary", "bonus"], [(e["name"], str(e["salary"]), str(e["salary"] // 10))
                                      for e in by_name(emps)])
    salaries = defaultdict(list)
    for e in emps:
        salaries[e["dept"]].append(e["salary"])
    header, rows = table(udfs["pandas_udf grouped aggregate"])
    assert header == ["dept", "mean_salary"]
    assert [(d, float(m)) for d, m in rows] == [(d, mean(s)) for d, s in sorted(
        salaries.items())]
    header, rows = table(udfs["applyInPandas"])
    assert header == ["dept", "name", "above"]
    assert [(d, n, float(a)) for d, n, a in rows] == sorted(
        (e["dept"], e["name"], e["salary"] - mean(salaries[e["dept"]])) for e in emps)


def dept_ranks(emps: list[dict]) -> list[dict]:
    """Each employee with rank, dense rank, row number and running total in the department,
    by salary descending (then name), in that order."""
    out = []
    for dept in sorted({e["dept"] for e in emps}):
        staff = sorted((e for e in emps if e["dept"] == dept),
                       key=lambda e: (-e["salary"], e["name"]))
        distinct = sorted({e["salary"] for e in staff}, reverse=True)
        running = 0
        for i, e in enumerate(staff, start=1):
            running += e["salary"]
            out.append(dict(e, rank=1 + sum(o["salary"] > e["salary"] for o in staff),
                            dense_rank=1 + distinct.index(e["salary"]), row_number=i,
                            running=running, total=sum(o["salary"] for o in staff)))
    return out


def test_udf_window_functions(udfs):
    ranked = dept_ranks(employees_json())
    assert table(udfs["ranking window functions"]) == (
        ["dept", "name", "salary", "rank", "dense_rank", "row_number"],
        [tuple(map(str, (e["dept"], e["name"], e["salary"], e["rank"], e["dense_rank"],
                         e["row_number"]))) for e in ranked])
    assert table(udfs["top salaries per department in SQL"]) == (
        ["dept", "name", "salary"],
        [(e["dept"], e["name"], str(e["salary"])) for e in ranked if e["dense_rank"] <= 2])
    assert table(udfs["aggregate window functions"]) == (
        ["dept", "name", "salary", "running_total", "dept_total"],
        [tuple(map(str, (e["dept"], e["name"], e["salary"], e["running"], e["total"])))
         for e in ranked])


def test_udf_arrow_and_pandas(udfs):
    emps = by_name(employees_json())
    assert schema(udfs["DataFrame from pandas, schema"]) == [
        ("name", "string"), ("salary", "long"), ("salary_k", "double")]
    header, rows = table(udfs["DataFrame from pandas"])
    assert header == ["name", "salary", "salary_k"]
    assert [(n, int(s), float(k)) for n, s, k in rows] == [
        (e["name"], e["salary"], e["salary"] / 1000) for e in emps]
    assert table(udfs["pandas_udf Iterator of Series"]) == (
        ["name", "raised"], [(e["name"], str(e["salary"] + 100)) for e in emps])
    assert table(udfs["mapInPandas"]) == (
        ["name", "salary"], [(e["name"], str(e["salary"])) for e in emps
                             if e["dept"] == "engineering"])


def test_performance_caching_and_joins():
    perf = run_example("performance.py")
    emps = employees_json()
    assert perf["cached after cacheTable"] == ["True"]
    assert perf["cached after uncacheTable"] == ["False"]
    staff = Counter(e["dept"] for e in emps)
    assert table(perf["head count per department from the cache"]) == (
        ["dept", "staff"], [(d, str(n)) for d, n in sorted(staff.items())])
    cache_sql = perf["CACHE TABLE ... AS SELECT"]
    assert cache_sql[0] == "True"
    assert table(cache_sql[1:]) == (
        ["payroll"], [(str(sum(e["salary"] for e in emps if e["dept"] == "sales")),)])
    assert perf["DataFrame.cache"] == [f"True {len(emps)}"]
    with open(os.path.join(EXAMPLES, "departments.json")) as f:
        city = {d["dept"]: d["city"] for d in map(json.loads, f)}
    assert table(perf["broadcast join"]) == (
        ["name", "city"], [(e["name"], city[e["dept"]]) for e in by_name(emps)])
    assert perf["repartition"] == ["4"]
    assert perf["coalesce"] == ["1"]
