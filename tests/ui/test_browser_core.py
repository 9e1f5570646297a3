"""The core pages in a real headless Chromium against a real SparkContext's live UI
(spark.ui.enabled=true on a free port): the values the pages show are the store's, the
job's DAG is drawn, user text stays text, and pages update without reloading.

Full-page screenshots of every page go to tests/ui/artifacts/ (git-ignored)."""

from __future__ import annotations

import threading
from operator import add
from pathlib import Path

import pytest
from web_helpers import one_job_events, wait_until

pytest.importorskip("sparklet.ui.store", reason="the status store (H-store) is not merged")
pytest.importorskip("sparklet.ui.api", reason="the REST API (H-store) is not merged")

from sparklet import SparkConf, SparkContext  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
EVIL_NAME = "<script>alert(1)</script>"
TIMEOUT_MS = 20_000


def js_bytes(n: float) -> str:
    """lib.js's fmt.bytes, for comparing the store's numbers with the page's text."""
    units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
    i = 0
    while abs(n) >= 1024 and i < len(units) - 1:
        n /= 1024
        i += 1
    return f"{n:.1f} {units[i]}"


@pytest.fixture
def ui_context(request):
    """A SparkContext of its own with the UI on a free port (stopped afterwards)."""
    param = getattr(request, "param", "browser-core")
    name, extra = (param, {}) if isinstance(param, str) else (param["name"], param["conf"])
    active = SparkContext._active_spark_context
    if active is not None:
        active.stop()
    conf = (SparkConf().setMaster("local[2]").setAppName(name)
            .set("spark.ui.enabled", "true").set("spark.ui.port", "0")
            .set("spark.ui.refreshInterval", "100ms").set("spark.ui.liveUpdate.period", "100ms"))
    for k, v in extra.items():
        conf.set(k, v)
    sc = SparkContext(conf=conf)
    try:
        assert sc.uiWebUrl, "spark.ui.enabled=true but the context has no UI URL"
        yield sc
    finally:
        sc.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.set_default_timeout(TIMEOUT_MS)
    try:
        yield pg
    finally:
        context.close()


def settle(sc) -> object:
    """Every event posted so far is in the store; returns the store."""
    assert sc._listener_bus.wait_until_empty(10)
    return sc._ui.store


def shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def field(row, name: str) -> str:
    return row.locator(f'[data-field="{name}"]').inner_text().strip()


@pytest.mark.parametrize("ui_context", [EVIL_NAME], indirect=True)
def test_core_pages_show_the_store(ui_context, page):
    sc = ui_context
    pairs = sc.parallelize(range(100), 4).map(lambda x: (x % 5, x)).reduceByKey(add, 3)
    assert sorted(pairs.collect()) == [(k, sum(range(k, 100, 5))) for k in range(5)]
    cached = sc.parallelize(range(60), 3).setName("cached-numbers").cache()
    assert cached.count() == 60
    store = settle(sc)
    jobs = {j["jobId"]: j for j in store.jobs()}
    assert len(jobs) == 2
    shuffle_job = min(jobs)

    # -- Jobs ---------------------------------------------------------------------------
    page.goto(sc.uiWebUrl + "/#/jobs")
    for job_id, job in jobs.items():
        row = page.locator(f'[data-testid="jobs-completed"] [data-testid="job-row"]'
                           f'[data-key="{job_id}"]')
        row.wait_for()
        bar = row.locator('[data-field="tasks"] [data-testid="progress"]')
        assert bar.get_attribute("data-done") == str(job["numCompletedTasks"])
        assert bar.get_attribute("data-total") == str(job["numTasks"])
        assert job["name"] in field(row, "description")
    assert page.locator('[data-testid="jobs-active"] [data-testid="job-row"]').count() == 0
    # the application's name is text in the header, never markup
    assert page.get_by_test_id("app-name").inner_text() == EVIL_NAME
    assert page.get_by_test_id("app-id").inner_text() == f"({store.app_id})"
    assert page.locator("header script").count() == 0
    shot(page, "jobs")

    # -- one job and its DAG -------------------------------------------------------------
    page.locator(f'[data-testid="job-row"][data-key="{shuffle_job}"] '
                 f'[data-testid="job-link"]').click()
    page.wait_for_function("location.hash === '#/jobs/%d'" % shuffle_job)
    dag = page.get_by_test_id("job-dag")
    dag.wait_for()
    expected = store.job_dag(shuffle_job)["stages"]
    assert len(expected) == 2
    nodes = dag.locator('[data-testid="dag-stage"]')
    wait_until(lambda: nodes.count() == 2, what="2 stage nodes")
    assert sorted(nodes.nth(i).get_attribute("data-stage-id") for i in range(2)) == sorted(
        str(s["stageId"]) for s in expected)
    edges = dag.locator('[data-testid="dag-edge"]')
    assert edges.count() == 1
    child = next(s for s in expected if s["parentIds"])
    assert edges.first.get_attribute("data-from") == str(child["parentIds"][0])
    assert edges.first.get_attribute("data-to") == str(child["stageId"])
    assert edges.first.get_attribute("d").startswith("M")
    for s in expected:
        node = dag.locator(f'[data-testid="dag-stage"][data-stage-id="{s["stageId"]}"]')
        assert node.get_attribute("data-status") == s["status"]
        assert node.locator('[data-testid="dag-rdd"]').count() == len(s["rdds"])
    shot(page, "job")

    # -- Stages --------------------------------------------------------------------------
    page.get_by_test_id("tab-stages").click()
    stages = store.stages()
    for st in stages:
        row = page.locator(f'[data-testid="stages-completed"] [data-testid="stage-row"]'
                           f'[data-key="{st["stageId"]}.{st["attemptId"]}"]')
        row.wait_for()
        bar = row.locator('[data-testid="progress"]')
        assert bar.get_attribute("data-done") == str(st["numCompleteTasks"])
        assert bar.get_attribute("data-total") == str(st["numTasks"])
        want = js_bytes(st["shuffleWriteBytes"]) if st["shuffleWriteBytes"] else ""
        assert field(row, "shuffleWriteBytes") == want
        want = js_bytes(st["shuffleReadBytes"]) if st["shuffleReadBytes"] else ""
        assert field(row, "shuffleReadBytes") == want
    shot(page, "stages")

    # -- one stage: the map side of the shuffle -------------------------------------------
    map_stage = next(st for st in stages if st["stageId"] == child["parentIds"][0])
    sid, att = map_stage["stageId"], map_stage["attemptId"]
    page.locator(f'[data-testid="stage-row"][data-key="{sid}.{att}"] '
                 f'[data-testid="stage-link"]').click()
    tasks = store.task_list(sid, att, offset=0, length=1000, sort_by="ID")
    assert len(tasks) == map_stage["numTasks"] == 4
    for t in tasks:
        row = page.locator(f'[data-testid="tasks"] [data-testid="task-row"]'
                           f'[data-key="{t["taskId"]}"]')
        row.wait_for()
        assert field(row, "status") == t["status"] == "SUCCESS"
        assert field(row, "executorId") == t["executorId"]
        assert field(row, "index") == str(t["index"])
        written = t["taskMetrics"]["shuffleWriteMetrics"]["bytesWritten"]
        assert field(row, "shuffleWrite") == (js_bytes(written) if written else "")
    quantiles = page.locator('[data-testid="task-summary"] [data-testid="quantile-row"]')
    wait_until(lambda: quantiles.count() > 0, what="task summary rows")
    summary_text = page.get_by_test_id("task-summary").inner_text()
    assert "Executor Run Time" in summary_text and "Result Size" in summary_text
    shot(page, "stage")

    # -- Executors -----------------------------------------------------------------------
    page.get_by_test_id("tab-executors").click()
    execs = store.executors(include_removed=True)
    assert execs
    for e in execs:
        row = page.locator(f'[data-testid="executor-row"][data-key="{e["id"]}"]')
        row.wait_for()
        assert field(row, "completedTasks") == str(e["completedTasks"])
        assert field(row, "totalCores") == str(e["totalCores"])
        assert field(row, "isActive") == ("Active" if e["isActive"] else "Dead")
    assert sum(e["completedTasks"] for e in execs) >= 4 + 3 + 3
    shot(page, "executors")

    # -- Environment ---------------------------------------------------------------------
    page.get_by_test_id("tab-environment").click()
    env = store.environment()
    props = dict(env["sparkProperties"])
    assert props["spark.app.name"] == EVIL_NAME
    row = page.locator('[data-testid="env-spark"] [data-testid="env-spark-row"]'
                       '[data-key="spark.app.name"]')
    row.wait_for()
    assert field(row, "value") == EVIL_NAME
    spark_rows = page.locator('[data-testid="env-spark"] [data-testid="env-spark-row"]')
    wait_until(lambda: spark_rows.count() == len(props), what="every spark property")
    runtime = page.locator('[data-testid="env-runtime"] [data-testid="env-runtime-row"]')
    wait_until(lambda: runtime.count() == len(env["runtime"]), what="runtime rows")
    for k, v in env["runtime"].items():
        if v is not None:
            assert field(runtime.and_(page.locator(f'[data-key="{k}"]')), "value") == str(v)
    shot(page, "environment")

    # -- Storage -------------------------------------------------------------------------
    page.get_by_test_id("tab-storage").click()
    (rdd,) = [r for r in store.rdds() if r["id"] == cached.id()]
    row = page.locator(f'[data-testid="rdd-row"][data-key="{cached.id()}"]')
    row.wait_for()
    assert field(row, "name") == "cached-numbers"
    assert field(row, "numCachedPartitions") == str(rdd["numCachedPartitions"]) == "3"
    assert field(row, "memoryUsed") == js_bytes(rdd["memoryUsed"])
    assert field(row, "storageLevel") == rdd["storageLevel"]
    shot(page, "storage")
    row.locator('[data-testid="rdd-link"]').click()
    parts = page.locator('[data-testid="rdd-partition-row"]')
    wait_until(lambda: parts.count() == 3, what="3 cached partitions")
    shot(page, "rdd")

    assert page.dialogs == []
    assert page.errors == []
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_pages_update_live_and_say_when_the_connection_is_lost(ui_context, page):
    sc = ui_context
    assert sc.parallelize(range(10), 2).sum() == 45
    settle(sc)
    page.goto(sc.uiWebUrl + "/#/jobs")
    page.locator('[data-testid="job-row"][data-key="0"]').wait_for()
    page.evaluate("window.__marker = 'still here'")

    # a second job while the page is open: its row appears without a reload
    assert sc.parallelize(range(20), 4).map(lambda x: (x % 2, 1)).reduceByKey(add).count() == 2
    row = page.locator('[data-testid="jobs-completed"] [data-testid="job-row"][data-key="1"]')
    row.wait_for()
    job = settle(sc).job(1)
    assert row.locator('[data-field="tasks"] [data-testid="progress"]').get_attribute(
        "data-done") == str(
        job["numCompletedTasks"])
    assert page.evaluate("window.__marker") == "still here"
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1

    # the job page of a job that is still coming: live too
    page.goto(sc.uiWebUrl + "/#/jobs/1")
    page.get_by_test_id("job-dag").wait_for()
    page.evaluate("window.__marker = 'job page'")
    cached = sc.parallelize(range(8), 2).cache()
    cached.count()
    page.get_by_test_id("tab-storage").click()
    page.locator(f'[data-testid="rdd-row"][data-key="{cached.id()}"]').wait_for()
    assert page.evaluate("window.__marker") == "job page"
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert page.get_by_test_id("conn-lost").is_hidden()

    # the driver goes away: the page says so instead of showing stale data silently
    sc.stop()
    page.get_by_test_id("conn-lost").wait_for(state="visible")
    assert "Connection lost" in page.get_by_test_id("conn-lost").inner_text()
    assert page.dialogs == []


TOKEN = "t0ken-for-the-browser"


@pytest.mark.parametrize("ui_context", [{"name": "token-app",
                                         "conf": {"spark.ui.auth.token": TOKEN}}],
                         indirect=True)
def test_token_in_the_url_then_the_cookie_carries_the_spa(browser, ui_context):
    sc, token = ui_context, TOKEN
    assert sc.parallelize(range(6), 2).count() == 6
    settle(sc)
    context = browser.new_context()
    try:
        pg = context.new_page()
        pg.set_default_timeout(TIMEOUT_MS)
        denied = pg.goto(sc.uiWebUrl + "/#/jobs")
        assert denied.status == 401
        pg.goto(sc.uiWebUrl + f"/?token={token}#/jobs")
        assert "token=" not in pg.url  # redirected to the same page without it
        pg.locator('[data-testid="job-row"][data-key="0"]').wait_for()
        cookies = {c["name"]: c for c in context.cookies()}
        assert cookies["sparklet_ui_token"]["httpOnly"] is True
        assert cookies["sparklet_ui_token"]["sameSite"] == "Strict"
    finally:
        context.close()


def test_history_mode_lists_apps_and_stops_polling_a_finished_one(page):
    from sparklet.ui.server import UIServer, create_app
    from sparklet.ui.store import AppStatusStore, MultiStore

    provider = MultiStore()
    for app_id, name, done in (("app-20261202-0001", "finished <b>app</b>", True),
                               ("app-20261202-0002", "still running", False)):
        store = AppStatusStore(live=False)
        for event in one_job_events(app_id, name, completed=done):
            store.on_event(event)
        provider.add(store)
    server = UIServer(create_app(provider, history=True, poll_ms=100), port=0)
    server.start()
    try:
        page.goto(server.url + "/")
        rows = page.locator('[data-testid="history-app"]')
        wait_until(lambda: rows.count() == 2, what="two applications listed")
        assert "finished <b>app</b>" in page.inner_text("body")
        page.locator('[data-app-id="app-20261202-0001"] a').click()
        page.wait_for_url("**/history/app-20261202-0001/**")
        page.locator('[data-testid="jobs-completed"] [data-testid="job-row"][data-key="0"]'
                     ).wait_for()
        assert page.get_by_test_id("app-name").inner_text() == "finished <b>app</b>"
        page.wait_for_selector('body[data-polling="stopped"]')
        page.get_by_test_id("tab-executors").click()
        page.locator('[data-testid="executor-row"][data-key="0"]').wait_for()
        shot(page, "history-app")
        # an application still running keeps being polled
        page.goto(server.url + "/history/app-20261202-0002/#/jobs")
        page.locator('[data-testid="job-row"][data-key="0"]').wait_for()
        page.wait_for_selector('body[data-polling="on"]')
        assert page.dialogs == [] and page.errors == []
    finally:
        server.stop()


@pytest.mark.parametrize("ui_context", [{"name": "kill-app",
                                         "conf": {"spark.ui.killEnabled": "true"}}],
                         indirect=True)
def test_kill_link_cancels_a_running_job(browser, ui_context):
    sc = ui_context
    outcome = {}

    def slow_job():
        import time as _t
        try:
            outcome["value"] = sc.parallelize(range(2), 2).map(
                lambda x: _t.sleep(60) or x).collect()
        except Exception as e:  # noqa: BLE001 - the cancellation is the expected outcome
            outcome["error"] = e

    runner = threading.Thread(target=slow_job, daemon=True)
    runner.start()
    context = browser.new_context()
    try:
        pg = context.new_page()
        pg.set_default_timeout(TIMEOUT_MS)
        pg.on("dialog", lambda d: d.accept())
        pg.goto(sc.uiWebUrl + "/#/jobs")
        row = pg.locator('[data-testid="jobs-active"] [data-testid="job-row"][data-key="0"]')
        row.locator('[data-testid="kill-job"]').click()
        pg.locator('[data-testid="jobs-failed"] [data-testid="job-row"][data-key="0"]'
                   ).wait_for()
        runner.join(30)
        assert not runner.is_alive()
        assert "error" in outcome and "value" not in outcome
        assert settle(sc).job(0)["status"] == "FAILED"
        assert pg.locator('[data-testid="kill-job"]').count() == 0
    finally:
        context.close()


def test_a_failed_task_shows_its_traceback(ui_context, page):
    sc = ui_context

    def boom(x):
        raise ValueError(f"bad record {x} <img src=x onerror=alert(2)>")

    with pytest.raises(Exception, match="bad record"):
        sc.parallelize([7], 1).map(boom).collect()
    store = settle(sc)
    (job,) = store.jobs()
    assert job["status"] == "FAILED"
    page.goto(sc.uiWebUrl + "/#/jobs")
    page.locator(f'[data-testid="jobs-failed"] [data-testid="job-row"]'
                 f'[data-key="{job["jobId"]}"]').wait_for()
    (stage,) = store.stages()
    assert stage["status"] == "FAILED"
    page.goto(sc.uiWebUrl + f"/#/stages/{stage['stageId']}/{stage['attemptId']}")
    failed = [t for t in store.task_list(stage["stageId"], stage["attemptId"], offset=0,
                                         length=100, sort_by="ID") if t["status"] == "FAILED"]
    assert failed
    row = page.locator(f'[data-testid="task-row"][data-key="{failed[0]["taskId"]}"]')
    row.wait_for()
    assert field(row, "status") == "FAILED"
    err = row.locator('[data-testid="error"]')
    pre = err.locator("pre")
    assert pre.is_hidden()  # collapsed until asked for
    err.locator("summary").click()
    pre.wait_for(state="visible")
    assert pre.inner_text().strip() == failed[0]["errorMessage"].strip()
    assert "ValueError: bad record 7 <img src=x onerror=alert(2)>" in pre.inner_text()
    assert "Traceback" in pre.inner_text()
    assert page.locator("img").count() == 0
    shot(page, "stage-failed")
    assert page.dialogs == [] and page.errors == []
