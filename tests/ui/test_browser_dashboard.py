"""The Dashboard tab in headless Chromium against a live streaming application's UI.

A queue stream on a manual clock is advanced batch by batch; after each batch the page
(opened once, never reloaded) must show that batch's true top words (a plain-Python model),
its word count in the line chart's legend, and the same words in the table panel. A panel
named ``<script>alert(1)</script>`` must show that text and run nothing. Screenshots go to
tests/ui/artifacts/ (not committed)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from dash_helpers import streaming_app, top_words

from sparklet.streaming import dashboard
from sparklet.streaming.testing import advance_batches

pytest.importorskip("sparklet.ui.server", reason="the UI server is not merged yet")

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
XSS = "<script>alert(1)</script>"
TIMEOUT_MS = 15000

BARS = """el => Array.from(el.querySelectorAll('[data-testid=dashboard-bar]'))
                   .map(li => [li.dataset.label, Number(li.dataset.value)])"""


def _panel(page, name):
    return page.locator(f'[data-testid="dashboard-panel"][data-name="{name}"]')


def _wait_panel_batch(page, name, batch_time):
    page.wait_for_function(
        """([name, t]) => Array.from(document.querySelectorAll('[data-testid=dashboard-panel]'))
             .some(p => p.dataset.name === name && p.dataset.batchTime === String(t))""",
        arg=[name, batch_time], timeout=TIMEOUT_MS)


@pytest.fixture
def app(make_context):
    sc, ssc = streaming_app(make_context, {"spark.ui.enabled": "true", "spark.ui.port": "0",
                                           "spark.ui.refreshInterval": "100ms"})
    yield sc, ssc
    ssc.stop(stopSparkContext=False)


def test_dashboard_panels_follow_each_batch(app, browser):
    sc, ssc = app
    assert sc.uiWebUrl, "the UI did not start"
    rng = random.Random(2026)
    words = ["spark", "stream", "batch", "rdd", "window", "state", "dag", "task", "shuffle"]
    batches = [[" ".join(rng.choices(words, weights=range(9, 0, -1), k=rng.randint(2, 7)))
                for _ in range(rng.randint(5, 25))] for _ in range(5)]
    lines = ssc.queueStream(batches)
    counts = lines.flatMap(str.split).map(lambda w: (w, 1)).reduceByKey(lambda a, b: a + b)
    dashboard.publish(counts, "top words", "bar", limit=4, columns=["word", "count"])
    dashboard.publish(lines.flatMap(str.split).count(), "words per batch", "line")
    dashboard.publish(counts, "counts table", "table", limit=3,
                      sort=lambda kv: (-kv[1], kv[0]), columns=["word", "count"])
    dashboard.publish(counts, XSS, "bar", limit=1)
    ssc.start()

    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1200, "height": 1500})
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{sc.uiWebUrl}/#/dashboard")
        page.get_by_test_id("dashboard-empty").wait_for(state="visible", timeout=TIMEOUT_MS)
        page.evaluate("window.__sameDocument = true")  # gone if the page reloads

        history = []
        for k, batch in enumerate(batches):
            (t,) = advance_batches(ssc, 1)
            expected = top_words(batch, 4)
            n_words = sum(len(line.split()) for line in batch)
            history.append(n_words)
            for name in ("top words", "words per batch", "counts table", XSS):
                _wait_panel_batch(page, name, t)

            top = _panel(page, "top words")
            assert top.evaluate(BARS) == expected
            assert top.get_by_test_id("dashboard-batch-time").text_content() != ""

            legend = _panel(page, "words per batch").get_by_test_id("dashboard-series")
            assert legend.evaluate_all("els => els.map(e => [e.dataset.series, e.dataset.value])") \
                == [["words per batch", str(n_words)]]
            chart = _panel(page, "words per batch").get_by_test_id("dashboard-chart")
            assert chart.get_attribute("data-points") == str(k + 1)
            assert chart.locator("canvas").count() >= 1  # uPlot drew it

            cells = _panel(page, "counts table").get_by_test_id("dashboard-row").evaluate_all(
                "rows => rows.map(r => Array.from(r.querySelectorAll('td'))"
                ".map(td => td.textContent))")
            assert cells == [[w, str(c)] for w, c in top_words(batch, 3)]
            if k == 1:
                page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

        assert page.evaluate("window.__sameDocument") is True
        names = page.get_by_test_id("dashboard-panel").evaluate_all(
            "els => els.map(e => e.dataset.name)")
        assert names == ["top words", "words per batch", "counts table", XSS]

        xss = _panel(page, XSS)
        assert xss.get_by_test_id("dashboard-title").text_content() == XSS
        assert xss.locator("script").count() == 0
        assert page.locator("main script").count() == 0
        assert dialogs == [] and errors == []
        page.screenshot(path=str(ARTIFACTS / "dashboard-final.png"), full_page=True)
    finally:
        page.close()


def test_dashboard_route_for_one_panel(app, browser):
    sc, ssc = app
    name = "a/b panel ü"
    dashboard.publish(ssc.queueStream([[("x", 2), ("y", 1)]]), name, "bar")
    dashboard.publish(ssc.queueStream([[("z", 1)]]), "other", "bar")
    ssc.start()
    (t,) = advance_batches(ssc, 1)
    page = browser.new_page()
    try:
        from urllib.parse import quote

        page.goto(f"{sc.uiWebUrl}/#/dashboard/{quote(name, safe='')}")
        _wait_panel_batch(page, name, t)
        assert page.get_by_test_id("dashboard-panel").count() == 1
        assert _panel(page, name).evaluate(BARS) == [["x", 2], ["y", 1]]
    finally:
        page.close()


def test_markup_in_labels_and_cells_is_text(app, browser):
    sc, ssc = app
    img = "<img src=x onerror=alert(2)>"
    dashboard.publish(ssc.queueStream([[(img, 3)]]), "bars", "bar")
    dashboard.publish(ssc.queueStream([[{"html": img, "n": 1}]]), "cells", "table")
    dashboard.publish(ssc.queueStream([[(img, 1.5)]]), "series", "line")
    ssc.start()
    (t,) = advance_batches(ssc, 1)
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(f"{sc.uiWebUrl}/#/dashboard")
        for name in ("bars", "cells", "series"):
            _wait_panel_batch(page, name, t)
        assert _panel(page, "bars").evaluate(BARS) == [[img, 3]]
        assert _panel(page, "bars").locator(".dash-bar-label").text_content() == img
        row = _panel(page, "cells").get_by_test_id("dashboard-row")
        assert row.locator("td").all_text_contents() == [img, "1"]
        legend = _panel(page, "series").get_by_test_id("dashboard-series")
        assert legend.get_attribute("data-series") == img
        assert page.locator("main img").count() == 0 and dialogs == []
    finally:
        page.close()
