"""The date/time rules of the Spark-on-DuckDB dialect against PySpark 4.3.

Every recorded single-statement case of the ``datetime`` area (tests/sql_parity) must match
PySpark's rows and types, except the ones in ``KNOWN`` (each with the reason it cannot yet);
the recorded ``ansi`` cases of the date functions' errors are checked too, and
``DOCUMENTED`` holds examples from Spark's SQL function reference (session time zone UTC).
"""

from __future__ import annotations

import duckdb
import pytest

from sparklet.sql.dialect import parse, to_duckdb

from .test_strings import judge, observe, sql_cases

CASES = sql_cases("datetime")
ANSI_CASES = {k: v for k, v in sql_cases("ansi").items() if k in ("ansi.sql_39", "ansi.sql_40")}

_CAST = "a cast rule, the ANSI helper's"
KNOWN = {
    "datetime.sql_52": "DATE - DATE is exp.Sub (the ANSI helper's), and its Spark type "
                       "'interval day' has no DuckDB type: typemap reads INTERVAL as "
                       "'interval day to second'",
    "datetime.sql_59": "make_interval's CalendarIntervalType: PySpark fails to collect it "
                       "(NOT_IMPLEMENTED), DuckDB's INTERVAL reads back as a day-time interval",
}


def _params(cases):
    for cid in sorted(cases):
        marks = [pytest.mark.xfail(reason=KNOWN[cid], strict=False)] if cid in KNOWN else []
        yield pytest.param(cid, marks=marks, id=cid)


@pytest.mark.parametrize("cid", list(_params(CASES)))
def test_recorded_case(cid):
    assert judge(CASES[cid]) == "match"


@pytest.mark.parametrize("cid", sorted(ANSI_CASES))
def test_recorded_ansi_parse_error(cid):
    # to_date('x') raises CAST_INVALID_INPUT, unix_timestamp('x', 'yyyy')
    # CANNOT_PARSE_TIMESTAMP (both DateTimeException)
    assert judge(ANSI_CASES[cid]) == "match"


def test_known_are_recorded_cases():
    assert set(KNOWN) <= set(CASES)
    assert len(ANSI_CASES) == 2


def test_bad_date_is_null_with_ansi_off():
    # Spark 3 semantics (spark.sql.ansi.enabled=false): malformed input gives NULL
    for q in ("to_date('2024-13-01')", "unix_timestamp('x', 'yyyy')", "to_date('x', 'yyyy')",
              "next_day(DATE'2024-01-05', 'xx')", "make_date(2024, 13, 1)"):
        assert observe(f"SELECT {q} AS r", ansi=False)["rows"] == ["Row(r=None)"], q


DOCUMENTED = [
    ("months_between('1997-02-28 10:30:00', '1996-10-30')", "Row(r=3.94959677)"),
    ("months_between('1997-02-28 10:30:00', '1996-10-30', false)",
     "Row(r=3.9495967741935485)"),
    ("trunc('2019-08-04', 'week')", "Row(r=datetime.date(2019, 7, 29))"),
    ("trunc('2019-08-04', 'quarter')", "Row(r=datetime.date(2019, 7, 1))"),
    ("trunc('2009-02-12', 'MM')", "Row(r=datetime.date(2009, 2, 1))"),
    ("trunc('2015-10-27', 'YEAR')", "Row(r=datetime.date(2015, 1, 1))"),
    ("date_trunc('YEAR', '2015-03-05T09:32:05.359')", "Row(r=datetime.datetime(2015, 1, 1, 0, 0))"),
    ("date_trunc('MM', '2015-03-05T09:32:05.359')", "Row(r=datetime.datetime(2015, 3, 1, 0, 0))"),
    ("date_trunc('HOUR', '2015-03-05T09:32:05.359')",
     "Row(r=datetime.datetime(2015, 3, 5, 9, 0))"),
    ("from_utc_timestamp('2016-08-31', 'Asia/Seoul')",
     "Row(r=datetime.datetime(2016, 8, 31, 9, 0))"),
    ("to_utc_timestamp('2016-08-31', 'Asia/Seoul')",
     "Row(r=datetime.datetime(2016, 8, 30, 15, 0))"),
    ("weekday('2009-07-30')", "Row(r=3)"),
    ("dayofweek('2009-07-30')", "Row(r=5)"),
    ("extract(SECONDS FROM timestamp'2019-10-01 00:00:01.000001')",
     "Row(r=Decimal('1.000001'))"),
    ("date_part('seconds', timestamp'2019-10-01 00:00:01.000001')",
     "Row(r=Decimal('1.000001'))"),
    ("extract(week FROM timestamp'2019-08-12 01:00:00.123456')", "Row(r=33)"),
    ("date_part('YEAR', TIMESTAMP'2019-08-12 01:00:00.123456')", "Row(r=2019)"),
    ("date_format('2016-04-08', 'y')", "Row(r='2016')"),
    ("to_date('2016-12-31', 'yyyy-MM-dd')", "Row(r=datetime.date(2016, 12, 31))"),
    ("to_timestamp('2016-12-31', 'yyyy-MM-dd')", "Row(r=datetime.datetime(2016, 12, 31, 0, 0))"),
    ("try_to_timestamp('2016-12-31', 'yyyy-MM-dd')",
     "Row(r=datetime.datetime(2016, 12, 31, 0, 0))"),
    ("try_to_timestamp('foo', 'yyyy-MM-dd')", "Row(r=None)"),
    ("timestamp_millis(1230219000123)",
     "Row(r=datetime.datetime(2008, 12, 25, 15, 30, 0, 123000))"),
    ("timestamp_micros(1230219000123123)",
     "Row(r=datetime.datetime(2008, 12, 25, 15, 30, 0, 123123))"),
    ("timestamp_seconds(1230219000)", "Row(r=datetime.datetime(2008, 12, 25, 15, 30))"),
    ("unix_seconds(TIMESTAMP('1970-01-01 00:00:01Z'))", "Row(r=1)"),
    ("unix_millis(TIMESTAMP('1970-01-01 00:00:01Z'))", "Row(r=1000)"),
    ("unix_micros(TIMESTAMP('1970-01-01 00:00:01Z'))", "Row(r=1000000)"),
    ("make_date(2013, 7, 15)", "Row(r=datetime.date(2013, 7, 15))"),
    ("make_timestamp(2014, 12, 28, 6, 30, 45.887)",
     "Row(r=datetime.datetime(2014, 12, 28, 6, 30, 45, 887000))"),
    ("make_timestamp(2014, 12, 28, 6, 30, 45.887, 'CET')",
     "Row(r=datetime.datetime(2014, 12, 28, 5, 30, 45, 887000))"),
    ("date_add('2016-07-30', 1)", "Row(r=datetime.date(2016, 7, 31))"),
    ("date_sub('2016-07-30', 1)", "Row(r=datetime.date(2016, 7, 29))"),
    ("datediff('2009-07-30', '2009-07-31')", "Row(r=-1)"),
    ("add_months('2016-08-31', 1)", "Row(r=datetime.date(2016, 9, 30))"),
    ("last_day('2009-01-12')", "Row(r=datetime.date(2009, 1, 31))"),
    ("next_day('2015-01-14', 'TU')", "Row(r=datetime.date(2015, 1, 20))"),
    ("date_from_unix_date(1)", "Row(r=datetime.date(1970, 1, 2))"),
    ("unix_date(DATE('1970-01-02'))", "Row(r=1)"),
    ("quarter('2016-08-31')", "Row(r=3)"),
    ("weekofyear('2008-02-20')", "Row(r=8)"),
    ("dayofyear('2016-04-09')", "Row(r=100)"),
    ("hour('2009-07-30 12:58:59')", "Row(r=12)"),
    ("second('2009-07-30 12:58:59')", "Row(r=59)"),
    ("timestampdiff(MONTH, timestamp'2021-02-28 12:00:00', timestamp'2021-03-28 11:59:59')",
     "Row(r=0)"),
    ("timestampdiff(MONTH, timestamp'2021-02-28 12:00:00', timestamp'2021-03-28 12:00:00')",
     "Row(r=1)"),
    ("timestampdiff(YEAR, date'2021-01-01', date'1900-03-28')", "Row(r=-120)"),
    ("timestampadd(HOUR, 8, timestamp_ntz'2022-02-11 20:30:00')",
     "Row(r=datetime.datetime(2022, 2, 12, 4, 30))"),
    ("dayname(DATE('2008-02-20'))", "Row(r='Wed')"),
    ("monthname('2008-02-20')", "Row(r='Feb')"),
]


@pytest.mark.parametrize("expr, row", DOCUMENTED)
def test_documented_example(expr, row):
    assert observe(f"SELECT {expr} AS r")["rows"] == [row]


def test_session_time_zone_from_the_reference():
    # Spark's reference runs unix_timestamp / from_unixtime with the session time zone
    # America/Los_Angeles: the wall clock is read and shown in that zone
    con = duckdb.connect()
    con.execute("SET TimeZone = 'America/Los_Angeles'")

    def one(expr):
        sql = to_duckdb(parse(f"SELECT {expr}"), time_zone="America/Los_Angeles")
        return con.sql(sql).fetchall()[0][0]

    assert one("unix_timestamp('2016-04-08', 'yyyy-MM-dd')") == 1460098800
    assert one("from_unixtime(0, 'yyyy-MM-dd HH:mm:ss')") == "1969-12-31 16:00:00"
    assert one("current_timezone()") == "America/Los_Angeles"
