"""Helpers for the data source tests: a DuckDB connection in UTC, Arrow tables from rows,
collecting a relation as PySpark's Rows, and the cases recorded on PySpark 4.3."""

from __future__ import annotations

import datetime
import decimal
import json
import os
import pathlib
import time

import duckdb
import pytest

from sparklet.sql import types as T
from sparklet.sql.conversion import row_converter, to_arrow_table
from sparklet.sql.row import Row

_RESULTS = pathlib.Path(__file__).parents[2] / "sql_parity" / "pyspark_results.json"
RECORDED = json.loads(_RESULTS.read_text())["cases"]


def recorded_value(case: str):
    """A recorded case's value (a repr) evaluated back into Python values."""
    entry = RECORDED[f"io.{case}"]
    text = entry["value"] if "value" in entry else "[" + ", ".join(entry["rows"]) + "]"
    return eval(text, {"Row": Row, "datetime": datetime, "Decimal": decimal.Decimal})  # noqa: S307


def recorded(case: str) -> dict:
    return RECORDED[f"io.{case}"]


@pytest.fixture(autouse=True)
def utc():
    # The recording ran with TZ=UTC and session time zone UTC: collected timestamps are
    # naive datetimes in the process's zone.
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    yield c
    c.close()


def frame(rows: list, ddl: str):
    """(Arrow table, schema) of rows given as createDataFrame takes them."""
    schema = T._parse_datatype_string(ddl)
    return to_arrow_table(rows, schema), schema


PEOPLE = ([(1, "Alice", 34, "NY"), (2, "Bob", None, "SF"), (3, "Cara", 29, None),
           (4, None, 51, "NY"), (5, "Dan", 29, "SF")], "id INT, name STRING, age INT, city STRING")


def people():
    return frame(*PEOPLE)


def collect(con, sql: str, schema: T.StructType, order: str | None = None) -> list:
    """The relation's rows as PySpark's collect() gives them."""
    if order:
        sql = f"SELECT * FROM ({sql}) ORDER BY {order}"
    to_row = row_converter(schema)
    return [to_row(r) for r in con.sql(sql).fetchall()]


def dtypes(schema: T.StructType) -> list[tuple[str, str]]:
    return [(f.name, f.dataType.simpleString()) for f in schema.fields]


def part_files(path) -> list[str]:
    return sorted(str(p) for p in pathlib.Path(path).rglob("part-*"))


def part_lines(path) -> list[str]:
    """The lines of the (single) part file under ``path``, as the recorded cases read them."""
    files = part_files(path)
    assert len(files) == 1, files
    return pathlib.Path(files[0]).read_text().splitlines()
