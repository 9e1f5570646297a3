"""The Streaming tab in headless Chromium, on a running streaming application driven by
the manual clock: the completed batches table fills in place with the numbers a
StreamingListener saw, the charts are drawn, a batch's page lists its output operations
and their jobs, and application-supplied names containing markup show as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from stream_helpers_ui import STATIC, UIHarness, wait_until

from sparklet.streaming.receiver import Receiver
from sparklet.streaming.testing import advance_batches

ARTIFACTS = Path(__file__).parent / "artifacts"
EVIL = "<script>alert(1)</script>"
TIMEOUT_MS = 30_000

pytestmark = pytest.mark.skipif(not (STATIC / "lib.js").exists(),
                                reason="the front end's lib.js (H-web) is not installed")


class Letters(Receiver):
    def onStart(self):
        self.store(list("abcabca"))

    def onStop(self):
        pass


def add(new, old):
    return sum(new) + (old or 0)


@pytest.fixture
def app(tmp_path):
    h = UIHarness(checkpoint=str(tmp_path / "ck"), master="local[3]",
                  **{"spark.streaming.blockInterval": "50ms"})
    ssc = h.ssc
    letters = ssc.receiverStream(Letters()).setName(EVIL)
    state = letters.map(lambda w: (w, 1)).updateStateByKey(add).setName(EVIL + " state")
    state.foreachRDD(lambda rdd: rdd.count())
    letters.foreachRDD(lambda rdd: rdd.count())
    ssc.start()
    assert wait_until(lambda: ssc._receiver_tracker.received_records(0) == 7)
    yield h
    h.stop()


def cell_value(row, field: str) -> int | None:
    value = row.locator(f'td[data-field="{field}"] [data-value]')
    return int(float(value.get_attribute("data-value"))) if value.count() else None


def test_streaming_tab_live(browser, app):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1300, "height": 2200})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(f"{app.url}/#/streaming")
        page.wait_for_selector('[data-testid="streaming-summary"]', timeout=TIMEOUT_MS)
        # mark the table: an in-place update keeps this very element
        page.eval_on_selector('[data-testid="batches-completed-table"]',
                              "t => { t.__marker = 42; }")
        advance_batches(app.ssc, 3)
        app.settle()
        rows = page.locator('tr[data-testid="batches-completed"]')
        page.wait_for_function(
            "() => document.querySelectorAll('tr[data-testid=\"batches-completed\"]').length"
            " === 3", timeout=TIMEOUT_MS)
        truth = app.truth.completed
        assert sorted(truth) == [1000, 2000, 3000]
        seen = {}
        for i in range(rows.count()):
            row = rows.nth(i)
            t = int(row.get_attribute("data-batch-time"))
            seen[t] = (cell_value(row, "numRecords"), cell_value(row, "schedulingDelay"),
                       cell_value(row, "processingTime"), cell_value(row, "totalDelay"))
        assert seen == {t: (info.numRecords(), info.schedulingDelay(),
                            info.processingDelay(), info.totalDelay())
                        for t, info in truth.items()}
        assert sum(v[0] for v in seen.values()) == 7
        assert page.eval_on_selector('[data-testid="batches-completed-table"]',
                                     "t => t.__marker") == 42
        # the four time series and their histograms are drawn
        for key in ("inputRate", "schedulingDelay", "processingTime", "totalDelay"):
            assert page.locator(f'[data-testid="chart-{key}"] canvas').count() == 1
            assert page.locator(f'[data-testid="hist-{key}"] canvas').count() == 1
        # names with markup are text
        stream_names = page.locator('tr[data-testid="input-stream"] td[data-field="name"]')
        page.wait_for_function(
            "() => document.querySelectorAll('tr[data-testid=\"state-stream\"]').length === 1",
            timeout=TIMEOUT_MS)
        assert stream_names.first.text_content() == EVIL
        state_row = page.locator('tr[data-testid="state-stream"]')
        assert state_row.locator('td[data-field="name"]').text_content() == EVIL + " state"
        assert cell_value(state_row, "numKeys") == 3  # a b c
        assert page.locator("main script").count() == 0
        assert page.locator('tr[data-testid="receiver"]').count() == 1
        ck = page.locator('[data-testid="checkpoint"] [data-field="dir"]')
        assert ck.text_content() == app.ssc._checkpoint_dir
        page.screenshot(path=str(ARTIFACTS / "streaming.png"), full_page=True)

        # a batch's page: its output operations and links to their jobs
        page.locator('tr[data-batch-time="1000"] a[data-testid="batch-link"]').click()
        page.wait_for_function(
            "() => document.querySelectorAll('tr[data-testid=\"output-op\"]').length === 2",
            timeout=TIMEOUT_MS)
        assert page.url.endswith("#/streaming/batch/1000")
        ops = app.api("/streaming/batches/1000/operations")
        for op in ops:
            row = page.locator(f'tr[data-testid="output-op"][data-key="{op["outputOpId"]}"]')
            links = row.locator('a[data-testid="job-link"]')
            assert [links.nth(i).get_attribute("href") for i in range(links.count())] == \
                [f"#/jobs/{j}" for j in op["jobIds"]]
            assert op["jobIds"]
            assert row.locator('td[data-field="name"]').text_content() == op["name"]
        summary = page.locator('[data-testid="batch-summary"]')
        assert int(summary.locator('[data-field="numRecords"] [data-value]')
                   .get_attribute("data-value")) == truth[1000].numRecords()
        page.screenshot(path=str(ARTIFACTS / "streaming-batch.png"), full_page=True)
        assert dialogs == []
    finally:
        page.close()
