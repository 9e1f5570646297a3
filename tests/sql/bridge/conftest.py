"""Fixtures of the bridge tests: one sparklet.sql session (session time zone UTC, as the
parity table was recorded with), and the recorded PySpark 4.3 cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

RESULTS = Path(__file__).parents[2] / "sql_parity" / "pyspark_results.json"


@pytest.fixture(scope="session")
def recorded() -> dict:
    with open(RESULTS) as f:
        return json.load(f)["cases"]


@pytest.fixture
def spark():
    """The active session, reset to the parity table's settings after each test."""
    from sparklet.sql import SparkSession

    session = SparkSession.builder.config("spark.sql.session.timeZone", "UTC").getOrCreate()
    session.conf.set("spark.sql.session.timeZone", "UTC")
    yield session
    for name in list(session._views):
        session.catalog.dropTempView(name)
    session.conf.set("spark.sql.session.timeZone", "UTC")
    session.conf.set("spark.sql.ansi.enabled", "true")
    for key in ("spark.sql.pyspark.inferNestedDictAsStruct.enabled",
                "spark.sql.execution.pythonUDF.arrow.enabled", "spark.sql.timestampType"):
        session.conf.unset(key)
