"""sparklet.streaming.dashboard (publish, the record conversion), the DashboardStore and the
/dashboard REST routes, the last against a real streaming application's UI."""

from __future__ import annotations

import collections
import dataclasses
import logging
import math
import pickle
import random
import threading
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import cloudpickle
import numpy as np
import pytest
from dash_helpers import Recorder, listen, streaming_app, top_words
from hypothesis import given, settings
from hypothesis import strategies as st

from sparklet.sql import Row
from sparklet.streaming import dashboard
from sparklet.streaming.dashboard import jsonable, to_rows
from sparklet.streaming.testing import advance_batches
from sparklet.ui.store.dashboard import DashboardStore

# -- record conversion -------------------------------------------------------------------


def test_bar_rows_convert_numpy_decimal_and_labels():
    columns, rows, dropped, error = to_rows("bar", [
        ("spark", np.int64(7)), (b"bytes", np.float32(1.5)), (("a", 1), Decimal("2")),
        (None, Decimal("0.25")), ("yes", True)])
    assert columns == ["label", "value"]
    assert rows == [["spark", 7], ["bytes", 1.5], ["['a', 1]", 2], ["null", 0.25],
                    ["yes", 1]]
    assert type(rows[0][1]) is int and type(rows[1][1]) is float
    assert (dropped, error) == (0, None)


def test_bad_bar_rows_are_dropped_and_counted():
    records = [("ok", 1), ("text", "3"), "not a pair", ("nan", float("nan")), ("x", 2, 3),
               ("inf", Decimal("Infinity")), ("fine", 2.5)]
    columns, rows, dropped, error = to_rows("bar", records, ["word", "count"])
    assert columns == ["word", "count"]
    assert rows == [["ok", 1], ["fine", 2.5]]
    assert dropped == 5
    assert error.startswith("('text', '3')")


def test_line_rows_numbers_and_series_pairs():
    assert to_rows("line", [42], name="count")[:3] == (["series", "value"], [["count", 42]], 0)
    assert to_rows("line", [1, 2.5], name="n")[1] == [["n", 1], ["n #2", 2.5]]
    assert to_rows("line", [("a", 1), ("b", np.int32(2))])[1] == [["a", 1], ["b", 2]]
    _, rows, dropped, _ = to_rows("line", ["x", ("a", None), ("b", 3)])
    assert rows == [["b", 3]] and dropped == 2


Point = collections.namedtuple("Point", "x y")


@dataclasses.dataclass
class Reading:
    sensor: str
    value: float


def test_table_columns_inferred_from_rows_dicts_tuples_and_scalars():
    assert to_rows("table", [Row(word="a", n=1), Row(word="b", n=2)])[:2] == (
        ["word", "n"], [["a", 1], ["b", 2]])
    assert to_rows("table", [Point(1, 2)])[:2] == (["x", "y"], [[1, 2]])
    assert to_rows("table", [Reading("t1", 0.5)])[:2] == (["sensor", "value"], [["t1", 0.5]])
    assert to_rows("table", [{"a": 1}, {"b": 2, "a": 3}])[:2] == (
        ["a", "b"], [[1, None], [3, 2]])
    assert to_rows("table", [(1, "x"), (2,), (3, "y", True)])[:2] == (
        ["_1", "_2", "_3"], [[1, "x", None], [2, None, None], [3, "y", True]])
    assert to_rows("table", ["s", 2, None])[:2] == (["value"], [["s"], [2], [None]])
    assert to_rows("table", [])[:2] == (["value"], [])


def test_table_given_columns_pick_fields_by_name_or_position():
    columns, rows, _, _ = to_rows("table", [Row(word="a", n=1), {"n": 5}, ("z", 9, "extra")],
                                  ["n", "word"])
    assert columns == ["n", "word"]
    assert rows == [[1, "a"], [5, None], ["z", 9]]


def test_jsonable_values():
    when = datetime(2026, 12, 2, 18, 3, 4, 567000, tzinfo=UTC)
    value = jsonable({"when": when, "day": date(2026, 1, 2), "at": time(3, 4),
                      "took": timedelta(milliseconds=1500), "raw": b"a\xff",
                      "big": Decimal("12.30"), "nan": float("nan"), "inf": float("-inf"),
                      "arr": np.arange(3), "f": np.float64(0.5), "set": {3, 1},
                      "nested": Row(a=Row(b=[1, (2, 3)])), 7: "int key", "obj": object})
    assert value == {"when": "2026-12-02T18:03:04.567000+00:00", "day": "2026-01-02",
                     "at": "03:04:00", "took": 1.5, "raw": "a\\xff", "big": 12.3,
                     "nan": None, "inf": None, "arr": [0, 1, 2], "f": 0.5, "set": [1, 3],
                     "nested": {"a": {"b": [1, [2, 3]]}}, "7": "int key",
                     "obj": "<class 'object'>"}
    deep: list = []
    cur = deep
    for _ in range(100):
        cur.append([])
        cur = cur[0]
    assert isinstance(jsonable(deep), list)  # cut at a depth, not a RecursionError


def test_unprintable_table_cell_is_a_dropped_row():
    class Bad:
        def __str__(self):
            raise RuntimeError("no text")

        __repr__ = __str__

    _, rows, dropped, error = to_rows("table", [(1, Bad()), (2, "ok")])
    assert rows == [[2, "ok"]] and dropped == 1 and "no text" in error


# -- publish: arguments --------------------------------------------------------------------


@pytest.fixture
def app(make_context):
    sc, ssc = streaming_app(make_context)
    yield sc, ssc
    ssc.stop(stopSparkContext=False)


def test_publish_checks_its_arguments(app):
    _, ssc = app
    stream = ssc.queueStream([[1]])
    with pytest.raises(ValueError, match="kind must be one of"):
        dashboard.publish(stream, "x", "pie")
    with pytest.raises(ValueError, match="non-empty"):
        dashboard.publish(stream, "", "line")
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="limit"):
            dashboard.publish(stream, "x", "line", limit=bad)
    with pytest.raises(ValueError, match="two columns"):
        dashboard.publish(stream, "x", "bar", columns=["a"])
    with pytest.raises(ValueError, match="key function"):
        dashboard.publish(stream, "x", "table", sort="desc")
    with pytest.raises(ValueError, match="sort must be"):
        dashboard.publish(stream, "x", "bar", sort="up")
    assert dashboard.publish(stream, "x", "table") is stream
    with pytest.raises(ValueError, match="already published"):
        dashboard.publish(stream, "x", "bar")
    ssc.start()
    with pytest.raises(Exception, match="(?i)start"):
        dashboard.publish(stream, "late", "bar")  # no new output operations once started
    ssc.stop(stopSparkContext=False)


def test_publisher_pickles_with_the_graph():
    from sparklet.streaming.dashboard import _Publisher

    p = _Publisher("n", "table", 3, None, "t", lambda r: -r[0])
    p.dropped_total = 4
    q = pickle.loads(cloudpickle.dumps(p))
    assert (q.name, q.limit, q.dropped_total, q.sort((5,))) == ("n", 3, 4, -5)
    with q._lock:
        pass


# -- publish: a running stream ----------------------------------------------------------------


def _lines(rng: random.Random, n_batches: int, per_batch: int) -> list[list[str]]:
    words = ["spark", "stream", "batch", "rdd", "window", "state", "dag", "task"]
    return [[" ".join(rng.choices(words, weights=range(1, 9), k=rng.randint(1, 6)))
             for _ in range(per_batch)] for _ in range(n_batches)]


def test_top_words_per_batch_match_the_model(app):
    sc, ssc = app
    recorder = listen(sc)
    batches = _lines(random.Random(11), 5, 30)
    batches.insert(2, [])  # an empty batch: no rows
    counts = (ssc.queueStream(batches).flatMap(str.split).map(lambda w: (w, 1))
              .reduceByKey(lambda a, b: a + b))
    dashboard.publish(counts, "top words", "bar", limit=3, columns=["word", "count"])
    dashboard.publish(ssc.queueStream(batches).count(), "lines", "line")
    ssc.start()
    times = advance_batches(ssc, len(batches))
    events = recorder.of("top words")
    assert [e["batchTime"] for e in events] == times
    for e, lines in zip(events, batches, strict=True):
        assert e["kind"] == "bar" and e["columns"] == ["word", "count"]
        assert e["rows"] == top_words(lines, 3)
        words = {w for line in lines for w in line.split()}
        assert e["options"]["truncated"] == (len(words) > 3)
        assert e["options"]["title"] == "top words" and e["options"]["sort"] == "desc"
        assert isinstance(e["time"], int)
    assert [e["rows"] for e in recorder.of("lines")] == [[["lines", len(b)]] for b in batches]


def test_a_windowed_stream_publishes_once_per_slide(app):
    sc, ssc = app
    recorder = listen(sc)
    batches = _lines(random.Random(5), 6, 10)
    pairs = ssc.queueStream(batches).flatMap(str.split).map(lambda w: (w, 1))
    windowed = pairs.reduceByKeyAndWindow(lambda a, b: a + b, None, 3, 2)
    dashboard.publish(windowed, "window", "bar", limit=4)
    ssc.start()
    advance_batches(ssc, 6)
    events = recorder.of("window")
    assert [e["batchTime"] for e in events] == [2000, 4000, 6000]
    for e in events:
        k = e["batchTime"] // 1000  # the window covers batches k-2 .. k (1-based)
        window_lines = [line for b in batches[max(0, k - 3):k] for line in b]
        assert e["rows"] == top_words(window_lines, 4)


def test_at_most_limit_records_reach_the_driver(app, monkeypatch):
    sc, ssc = app
    recorder = listen(sc)
    received = []
    real_run_job = type(sc).runJob

    def run_job(self, rdd, func, partitions=None, *args, **kwargs):
        result = real_run_job(self, rdd, func, partitions, *args, **kwargs)
        received.append(sum(len(r) if isinstance(r, list) else 1 for r in result))
        return result

    big = [[(f"k{i}", i) for i in range(2000)], [f"row {i}" for i in range(2000)]]
    stream = ssc.queueStream(big, oneAtATime=True)
    dashboard.publish(stream.filter(lambda r: isinstance(r, tuple)), "bars", "bar", limit=5)
    dashboard.publish(stream.filter(lambda r: isinstance(r, str)), "rows", "table", limit=5)
    monkeypatch.setattr(type(sc), "runJob", run_job)
    ssc.start()
    advance_batches(ssc, 2)
    assert recorder.of("bars")[0]["rows"] == [[f"k{i}", i] for i in range(1999, 1994, -1)]
    assert recorder.of("rows")[1]["rows"] == [[f"row {i}"] for i in range(5)]
    assert recorder.of("rows")[1]["columns"] == ["value"]
    assert recorder.of("rows")[1]["options"]["truncated"] is True
    parts = sc.defaultParallelism
    assert received and max(received) <= parts * 6  # limit + 1 per partition, not 2000


def test_bad_records_do_not_stop_the_stream(app, caplog):
    sc, ssc = app
    recorder = listen(sc)
    batches = [[("a", 1), ("b", "x")], [("c", 2), "junk", ("d", float("nan"))], [("e", 3)]]
    dashboard.publish(ssc.queueStream(batches), "mixed", "bar")
    ssc.start()
    with caplog.at_level(logging.WARNING, logger="sparklet.streaming"):
        advance_batches(ssc, 3)
    events = recorder.of("mixed")
    assert [e["rows"] for e in events] == [[["a", 1]], [["c", 2]], [["e", 3]]]
    assert [e["options"]["droppedRows"] for e in events] == [1, 2, 0]
    assert [e["options"]["droppedRowsTotal"] for e in events] == [1, 3, 3]
    warnings = [r for r in caplog.records if "dropped" in r.getMessage()]
    assert len(warnings) == 1 and "'mixed'" in warnings[0].getMessage()


def test_user_sort_key_and_ascending_order(app):
    sc, ssc = app
    recorder = listen(sc)
    rows = [[(3, "c"), (1, "a"), (2, "b"), ("bad",)]]
    dashboard.publish(ssc.queueStream(rows), "by key", "table", limit=2,
                      sort=lambda r: -r[0])
    dashboard.publish(ssc.queueStream([[("x", 5), ("y", 1), ("z", 3)]]), "asc", "bar",
                      sort="asc")
    dashboard.publish(ssc.queueStream([[("x", 5), ("y", 1)]]), "stream order", "bar",
                      sort=None)
    ssc.start()
    advance_batches(ssc, 1)
    assert recorder.of("by key")[0]["rows"] == [[3, "c"], [2, "b"]]
    assert recorder.of("by key")[0]["options"]["sort"] == "key"
    assert recorder.of("asc")[0]["rows"] == [["y", 1], ["z", 3], ["x", 5]]
    assert recorder.of("stream order")[0]["rows"] == [["x", 5], ["y", 1]]


def test_without_listeners_publish_logs_once_and_runs(app, caplog):
    sc, ssc = app
    assert not sc._listener_bus.active  # the UI is off in the test suite
    seen = []
    stream = ssc.queueStream([[("a", 1)], [("b", 2)]])
    dashboard.publish(stream, "quiet", "bar").foreachRDD(lambda rdd: seen.append(rdd.collect()))
    ssc.start()
    with caplog.at_level(logging.WARNING, logger="sparklet.streaming"):
        advance_batches(ssc, 2)
    assert seen == [[("a", 1)], [("b", 2)]]
    off = [r for r in caplog.records
           if "the web UI and the event log are off" in r.getMessage()]
    assert len(off) == 1


# -- the store -----------------------------------------------------------------------------


def _update(name, batch_time, rows, kind="line", columns=None, options=None, t=None):
    return {"Event": "SparkletDashboardUpdate", "time": t or batch_time + 5, "name": name,
            "kind": kind, "batchTime": batch_time,
            "columns": columns or ["series", "value"], "rows": rows,
            "options": options or {"title": name}}


def test_store_keeps_the_latest_rows_and_the_line_history():
    store = DashboardStore({"spark.ui.dashboard.retainedPoints": "3"})
    store.on_event({"Event": "SparkListenerJobStart", "jobId": 1})
    for k in range(1, 6):
        store.on_event(_update("rate", k * 1000, [["in", k], ["out", 10 * k]]))
    store.on_event(_update("top", 1000, [["a", 2]], kind="bar", columns=["w", "n"]))
    assert store.list() == [
        {"name": "rate", "kind": "line", "title": "rate", "updated": "1970-01-01T00:00:05.005GMT",
         "updatedEpoch": 5005, "batchTime": 5000},
        {"name": "top", "kind": "bar", "title": "top", "updated": "1970-01-01T00:00:01.005GMT",
         "updatedEpoch": 1005, "batchTime": 1000}]
    rate = store.get("rate")
    assert rate["rows"] == [["in", 5], ["out", 50]] and rate["batchTime"] == 5000
    assert rate["history"] == [[t, [["in", t // 1000], ["out", t // 100]]]
                               for t in (3000, 4000, 5000)]
    top = store.get("top")
    assert (top["columns"], top["rows"], top["history"]) == (["w", "n"], [["a", 2]], [])
    assert store.get("nope") is None


def test_store_orders_late_batches_and_replaces_a_rerun_batch():
    store = DashboardStore()
    store.on_event(_update("n", 2000, [["n", 2]]))
    store.on_event(_update("n", 1000, [["n", 1]]))  # an older batch finishing late
    assert store.get("n")["rows"] == [["n", 2]] and store.get("n")["batchTime"] == 2000
    store.on_event(_update("n", 2000, [["n", 20]]))  # batch 2000 again (recovery)
    assert store.get("n")["history"] == [[1000, [["n", 1]]], [2000, [["n", 20]]]]
    assert store.get("n")["rows"] == [["n", 20]]


def test_store_drops_series_gone_for_the_retained_window_and_resets_on_a_new_kind():
    store = DashboardStore({"spark.ui.dashboard.retainedPoints": "2"})
    store.on_event(_update("w", 1000, [["old", 1], ["kept", 1]]))
    store.on_event(_update("w", 2000, [["kept", 2]]))
    assert {s for _, rows in store.get("w")["history"] for s, _ in rows} == {"old", "kept"}
    store.on_event(_update("w", 3000, [["kept", 3]]))
    assert store.get("w")["history"] == [[2000, [["kept", 2]]], [3000, [["kept", 3]]]]
    store.on_event(_update("w", 4000, [["x", 1]], kind="table", columns=["_1", "_2"]))
    assert store.get("w")["kind"] == "table" and store.get("w")["history"] == []


def test_store_bodies_are_copies():
    store = DashboardStore()
    store.on_event(_update("t", 1000, [["a", 1]], kind="bar", options={"title": "t"}))
    body = store.get("t")
    body["rows"][0][1] = 99
    body["options"]["title"] = "changed"
    assert store.get("t")["rows"] == [["a", 1]] and store.get("t")["options"]["title"] == "t"


def test_store_is_thread_safe_under_concurrent_updates_and_reads():
    store = DashboardStore({"spark.ui.dashboard.retainedPoints": "50"})
    errors: list[BaseException] = []
    stop = threading.Event()

    def write(name):
        for k in range(1, 301):
            store.on_event(_update(name, k * 1000, [[f"s{k % 7}", k], ["all", k]]))

    def read():
        try:
            while not stop.is_set():
                for entry in store.list():
                    body = store.get(entry["name"])
                    times = [t for t, _ in body["history"]]
                    assert times == sorted(times)
                store.metric_samples()
        except BaseException as e:  # noqa: B036 (reported below)
            errors.append(e)

    readers = [threading.Thread(target=read) for _ in range(2)]
    writers = [threading.Thread(target=write, args=(f"p{i}",)) for i in range(3)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert not errors
    for i in range(3):
        body = store.get(f"p{i}")
        assert body["batchTime"] == 300000
        all_points = [v for _, rows in body["history"] for s, v in rows if s == "all"]
        assert all_points == list(range(251, 301))


def test_metric_samples():
    store = DashboardStore()
    store.on_event(_update("top", 1000, [["a", 2], ["b", 1.5]], kind="bar"))
    store.on_event(_update("t", 1000, [["x"]], kind="table", columns=["value"]))
    families = {name: (kind, rows) for name, kind, _, rows in store.metric_samples()}
    assert families["sparklet_dashboard_updates_total"] == (
        "counter", [({"name": "top", "kind": "bar"}, 1), ({"name": "t", "kind": "table"}, 1)])
    assert families["sparklet_dashboard_value"] == (
        "gauge", [({"name": "top", "series": "a"}, 2.0), ({"name": "top", "series": "b"}, 1.5)])
    assert families["sparklet_dashboard_last_batch_time_seconds"][1][1] == (
        {"name": "t", "kind": "table"}, 1.0)
    assert all(math.isfinite(v) for _, _, _, rows in store.metric_samples() for _, v in rows)


# -- REST routes -------------------------------------------------------------------------------

NAMES = ["top words", "a/b", "<script>alert(1)</script>", "100% ?#&", "ünï €"]


class _Provider:
    """The stand-in of a StoreProvider: one application whose store has ``dashboard``."""

    def __init__(self, app_id, dashboard_store):
        self.app_id = app_id
        self.store = type("Store", (), {"dashboard": dashboard_store})()

    def get(self, app_id):
        return self.store if app_id == self.app_id else None


def test_routes_quote_names_and_answer_404():
    from urllib.parse import quote

    import httpx
    from starlette.applications import Starlette

    from sparklet.ui.api_dashboard import routes
    from sparklet.ui.server import UIServer

    store = DashboardStore()
    for i, name in enumerate(NAMES):
        store.on_event(_update(name, 1000, [["a", i]], kind="bar"))
    server = UIServer(Starlette(routes=routes(_Provider("app-1", store))), port=0)
    server.start()
    base = "/api/v1/applications/app-1/dashboard"
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert [e["name"] for e in client.get(base).json()] == NAMES
            for i, name in enumerate(NAMES):
                body = client.get(f"{base}/{quote(name, safe='')}").json()
                assert (body["name"], body["rows"]) == (name, [["a", i]])
            # an unencoded slash names the same panel
            assert client.get(f"{base}/a/b").json()["name"] == "a/b"
            for missing in (f"{base}/missing", f"{base}/",
                            "/api/v1/applications/other/dashboard",
                            "/api/v1/applications/other/dashboard/a"):
                assert client.get(missing).status_code == 404, missing
    finally:
        server.stop()


def test_rest_api_of_a_running_app_serves_the_top_words(make_context):
    """The real UI (uvicorn, the app's status store) of a streaming application."""
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("sparklet.ui.server", reason="the UI server is not merged yet")
    sc, ssc = streaming_app(make_context, {"spark.ui.enabled": "true", "spark.ui.port": "0"})
    try:
        assert sc.uiWebUrl is not None
        batches = _lines(random.Random(3), 4, 20)
        counts = (ssc.queueStream(batches).flatMap(str.split).map(lambda w: (w, 1))
                  .reduceByKey(lambda a, b: a + b))
        name = "top words / <b>batch</b>"
        dashboard.publish(counts, name, "bar", limit=4)
        dashboard.publish(counts.count(), "distinct words")
        ssc.start()
        api = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}/dashboard"
        from urllib.parse import quote

        with httpx.Client(timeout=10) as client:
            for lines in batches:
                (t,) = advance_batches(ssc, 1)
                assert sc._listener_bus.wait_until_empty(10)
                body = client.get(f"{api}/{quote(name, safe='')}").json()
                assert body["batchTime"] == t and body["kind"] == "bar"
                assert body["rows"] == top_words(lines, 4)
            listing = client.get(api).json()
            assert [(e["name"], e["kind"]) for e in listing] == [
                (name, "bar"), ("distinct words", "line")]
            line = client.get(f"{api}/distinct%20words").json()
            assert line["history"] == [
                [1000 * (k + 1), [["distinct words", len(top_words(b, 100))]]]
                for k, b in enumerate(batches)]
            assert client.get(f"{api}/nothing").status_code == 404
    finally:
        ssc.stop(stopSparkContext=False)


def test_recorder_helper_filters_dashboard_events():
    r = Recorder()
    r.on_event({"Event": "SparkListenerJobEnd"})
    r.on_event(_update("n", 2000, []))
    r.on_event(_update("n", 1000, []))
    assert [e["batchTime"] for e in r.of("n")] == [1000, 2000]


def test_example_runs_and_prints_the_dashboard_address():
    """examples/streaming/dashboard_top_words.py for a few seconds (the UI on, any port)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("sparklet.ui.server", reason="the UI server is not merged yet")
    import sparklet

    root = Path(__file__).resolve().parents[2]
    # the sparklet this test imported (the worktree's src/)
    env = {**os.environ, "PYTHONPATH": str(Path(sparklet.__file__).resolve().parents[1])}
    result = subprocess.run(
        [sys.executable, str(root / "examples" / "streaming" / "dashboard_top_words.py"),
         "--seconds", "3", "--ui-port", "0", "--window", "2", "--top", "3"],
        capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL,
        cwd=root)
    assert result.returncode == 0, result.stderr[-3000:]
    first = result.stdout.splitlines()[0]
    assert first.startswith("Spark UI at http://127.0.0.1:") and first.endswith(
        "/#/dashboard (top words, live)")
    assert "Time: " in result.stdout and "('" in result.stdout  # pprint of the top words
    assert "not shown" not in result.stderr


# -- properties ------------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True), st.text(), st.binary(),
    st.datetimes(), st.dates(), st.timedeltas(),
    st.integers(-2**31, 2**31).map(np.int64), st.floats(width=32).map(np.float32))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner),
    st.dictionaries(st.one_of(st.text(), st.integers()), inner, max_size=4),
    st.frozensets(st.integers(), max_size=4)), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(_values, max_size=6), st.sampled_from(["bar", "line", "table"]))
def test_every_published_row_is_strict_json(records, kind):
    import json

    columns, rows, dropped, _ = to_rows(kind, records, name="n")
    json.dumps({"columns": columns, "rows": rows}, allow_nan=False)  # what the API sends
    assert len(rows) + dropped == len(records)
    if kind != "table":
        assert all(isinstance(v, (int, float)) and math.isfinite(v) for _, v in rows)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 4), st.lists(st.tuples(
    st.integers(1, 8), st.lists(st.tuples(st.sampled_from("abcde"), st.integers(0, 9)),
                                max_size=3, unique_by=lambda p: p[0])), max_size=25))
def test_line_history_matches_a_model(retained, updates):
    """The history is, per series, the ``retained`` latest batch times ever posted (a rerun
    batch's newest value), for series with a point in the last ``retained`` updates."""
    store = DashboardStore({"spark.ui.dashboard.retainedPoints": str(retained)})
    points: dict[str, dict[int, int]] = {}
    last_seen: dict[str, int] = {}
    for n, (k, rows) in enumerate(updates, 1):
        store.on_event(_update("p", k * 1000, [list(r) for r in rows]))
        for s, v in rows:
            points.setdefault(s, {})[k * 1000] = v
            kept = sorted(points[s])[-retained:]
            points[s] = {t: points[s][t] for t in kept}
            last_seen[s] = n
        for s in [s for s, seen in last_seen.items() if n - seen >= retained]:
            del points[s], last_seen[s]
    if not updates:
        assert store.get("p") is None
        return
    model: dict[int, list] = {}
    for s in points:  # the store lists a batch's series in their first-seen order
        for t in sorted(points[s]):
            model.setdefault(t, []).append([s, points[s][t]])
    got = store.get("p")["history"]
    assert [t for t, _ in got] == sorted(model)
    for t, rows in got:
        assert sorted(rows) == sorted(model[t])


def test_publish_survives_the_checkpointed_graph(make_context, tmp_path):
    """With checkpointing on, start() serializes the graph: the publisher (and a user sort
    key) must pickle, and the restored graph holds a publisher with the same settings."""
    from sparklet.streaming.dashboard import _Publisher
    from sparklet.streaming.recovery.checkpoint import latest_checkpoint

    sc, ssc = streaming_app(make_context)
    try:
        ssc.checkpoint(str(tmp_path / "ck"))
        (tmp_path / "in").mkdir()
        lines = ssc.textFileStream(str(tmp_path / "in"))
        dashboard.publish(lines.map(lambda s: (s, len(s))), "lengths", "table", limit=3,
                          sort=lambda kv: -kv[1])
        ssc.start()
        advance_batches(ssc, 2)
        payload, _ = latest_checkpoint(str(tmp_path / "ck"))
        graph = pickle.loads(payload["dstream_graph"])
        publishers = [d.func for d in graph.output_streams if isinstance(d.func, _Publisher)]
        assert [(p.name, p.kind, p.limit, p.sort(("x", 4))) for p in publishers] == [
            ("lengths", "table", 3, -4)]
    finally:
        ssc.stop(stopSparkContext=False)
