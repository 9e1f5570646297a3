"""The history server (sparklet.ui.history): a finished application, run as a separate
process, shown from its event log with the values it saw live; truncated and in-progress
logs; the command lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from history_helpers import (
    CRASH_SCRIPT,
    SRC,
    app_factory,
    drain,
    event_log_of,
    get_json,
    has_module,
    read_log,
    run_finished_app,
    server_factory,
    store_factory,
)

from sparklet import SparkConf
from sparklet.ui.eventlog import log_file_name
from sparklet.ui.history import FsHistoryProvider, HistoryServer, replay


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """``(log dir, facts)`` of one application that ran to its end in another process."""
    root = tmp_path_factory.mktemp("history")
    log_dir = root / "events"
    log_dir.mkdir()
    facts = run_finished_app(str(log_dir), str(root))
    return str(log_dir), facts


@pytest.fixture
def history_server():
    """``start(log_dir) -> HistoryServer`` on a free port; stopped afterwards."""
    started: list[HistoryServer] = []

    def start(log_dir, **kw):
        server = HistoryServer(log_dir, host="127.0.0.1", port=0, update_interval=0,
                               store_factory=store_factory, app_factory=app_factory(),
                               server_factory=server_factory(), **kw)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def test_the_finished_app_ran_and_left_a_complete_log(finished):
    log_dir, facts = finished
    assert facts["results"] == [10, 2, 6] and facts["seen"] == [2, 3, 1]
    assert facts["batchTimes"] == [1000, 2000, 3000]
    assert os.listdir(log_dir) == [log_file_name(facts["appId"])]
    events = read_log(facts["logPath"])
    assert events[1]["Event"] == "SparkListenerApplicationStart"
    assert events[-1]["Event"] == "SparkListenerApplicationEnd"


def test_rest_api_of_the_finished_app_shows_what_it_saw_live(finished, history_server):
    log_dir, facts = finished
    app = facts["appId"]
    server = history_server(log_dir)
    base = server.url + "/api/v1/applications"

    apps = get_json(base)
    assert [a["id"] for a in apps] == [app]
    (info,) = apps
    assert info["name"] == "history-app"
    (attempt,) = info["attempts"]
    assert attempt["completed"] is True
    assert attempt["startTimeEpoch"] <= attempt["endTimeEpoch"]
    assert attempt["startTime"].endswith("GMT") and attempt["endTime"].endswith("GMT")
    assert get_json(base + "/" + app)["id"] == app

    jobs = get_json(base + "/%s/jobs" % app)
    assert {j["jobId"]: j["status"] for j in jobs} == {
        int(k): v["status"] for k, v in facts["jobs"].items()}
    assert set(v["status"] for v in facts["jobs"].values()) == {"SUCCEEDED"}
    assert {j["jobId"]: sorted(j["stageIds"]) for j in jobs} == {
        int(k): v["stageIds"] for k, v in facts["jobs"].items()}

    stages = get_json(base + "/%s/stages" % app)
    assert {s["stageId"]: (s["numTasks"], s["numCompleteTasks"]) for s in stages} == {
        int(k): (v["numTasks"], v["numCompleteTasks"]) for k, v in facts["stages"].items()}
    assert {s["status"] for s in stages} == {"COMPLETE"}

    executors = get_json(base + "/%s/executors" % app)
    assert "driver" in {e["id"] for e in executors}

    env = get_json(base + "/%s/environment" % app)
    props = {k: v for k, v in env["sparkProperties"]}
    assert props["spark.app.name"] == "history-app"
    assert props["spark.eventLog.enabled"] == "true"

    stats = get_json(base + "/%s/streaming/statistics" % app)
    assert stats["batchDuration"] == 1000
    assert stats["numTotalCompletedBatches"] == 3
    batches = get_json(base + "/%s/streaming/batches" % app)
    assert sorted(b["batchId"] for b in batches) == facts["batchTimes"]
    assert {b["status"] for b in batches} == {"COMPLETED"}
    assert {b["batchId"]: b["inputSize"] for b in batches} == {
        int(k): v for k, v in facts["batchRecords"].items()}


def _cut(src: str, dst: str, keep_events: int, extra: bytes) -> None:
    with open(src, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    with open(dst, "wb") as f:
        f.writelines(lines[:keep_events])
        f.write(extra)


def test_a_log_cut_mid_line_by_a_crash_is_still_listed(finished, tmp_path, history_server):
    log_dir, facts = finished
    events = read_log(facts["logPath"])
    first_job_end = next(i for i, e in enumerate(events) if e["Event"] == "SparkListenerJobEnd")
    app = facts["appId"]
    # a crash: in progress, and the last line half written
    _cut(facts["logPath"], str(tmp_path / (log_file_name(app) + ".inprogress")),
         first_job_end + 1, b'{"Event":"SparkListenerJobStart","jobId":1,"ti')
    server = history_server(str(tmp_path))
    (info,) = get_json(server.url + "/api/v1/applications")
    assert info["id"] == app and info["attempts"][0]["completed"] is False
    jobs = get_json(server.url + "/api/v1/applications/%s/jobs" % app)
    assert [(j["jobId"], j["status"]) for j in jobs] == [(0, "SUCCEEDED")]


def test_an_app_that_died_is_listed_incomplete_with_what_it_ran(tmp_path, history_server):
    log_dir = tmp_path / "events"
    log_dir.mkdir()
    facts = run_finished_app(str(log_dir), str(tmp_path), script_text=CRASH_SCRIPT,
                             returncode=7)
    app = facts["appId"]
    assert os.listdir(log_dir) == [log_file_name(app) + ".inprogress"]
    (tmp_path / "events" / "notes.txt").write_text("not an event log\n")  # not an app
    server = history_server(str(log_dir))
    apps = get_json(server.url + "/api/v1/applications")
    assert [(a["id"], a["attempts"][0]["completed"]) for a in apps] == [(app, False)]
    jobs = get_json(server.url + "/api/v1/applications/%s/jobs" % app)
    assert sorted((j["jobId"], j["status"]) for j in jobs) == [
        (j, "SUCCEEDED") for j in facts["jobs"]]


def test_replay_skips_a_malformed_middle_line_and_waits_for_a_partial_last_one():
    seen = []

    class Sink:
        def on_event(self, e):
            seen.append(e["Event"])

    data = b'{"Event":"A"}\nnot json\n{"Event":"B"}\n{"Event":"C"'
    consumed = replay(data, Sink(), final=False)
    assert seen == ["A", "B"] and data[consumed:] == b'{"Event":"C"'
    assert replay(data[consumed:] + b"}", Sink(), final=True) == len(data) - consumed + 1
    assert seen == ["A", "B", "C"]


def test_a_running_app_is_listed_incomplete_then_complete(make_context, tmp_path):
    conf = (SparkConf().setAppName("running-app").set("spark.eventLog.enabled", "true")
            .set("spark.eventLog.dir", str(tmp_path)).set("spark.ui.port", "0"))
    sc = make_context(conf)
    assert event_log_of(sc) is not None
    provider = FsHistoryProvider(str(tmp_path), update_interval=0,
                                 store_factory=store_factory)
    sc.parallelize(range(4), 2).count()
    drain(sc)
    (store,) = provider.list()
    assert store.app_id == sc.applicationId
    assert store.application_info()["attempts"][0]["completed"] is False
    assert [j["status"] for j in store.jobs()] == ["SUCCEEDED"]
    assert provider.log_paths()[log_file_name(sc.applicationId)].endswith(".inprogress")
    sc.parallelize(range(4), 2).count()
    drain(sc)
    assert len(provider.get(sc.applicationId).jobs()) == 2  # the grown log, replayed on
    sc.stop()
    (done,) = provider.list()
    assert done is store  # the renamed file continued, not replayed afresh
    assert done.application_info()["attempts"][0]["completed"] is True
    assert len(done.jobs()) == 2
    assert not provider.log_paths()[log_file_name(sc.applicationId)].endswith(".inprogress")


def _copy_as(facts, directory, app_id: str) -> None:
    """The finished app's log as the log of another application id."""
    with open(facts["logPath"], encoding="utf-8") as f:
        text = f.read().replace(facts["appId"], app_id)
    (directory / app_id).write_text(text, encoding="utf-8")


def test_logs_are_cached_until_the_update_interval(finished, tmp_path):
    _, facts = finished
    _copy_as(facts, tmp_path, "local-1")
    provider = FsHistoryProvider(str(tmp_path), update_interval=3600,
                                 store_factory=store_factory)
    (first,) = provider.list()
    assert first.app_id == "local-1"
    _copy_as(facts, tmp_path, "local-2")
    assert provider.list() == [first]  # not rescanned yet: within the interval
    provider.refresh()
    stores = provider.list()
    assert len(stores) == 2 and first in stores  # the unchanged log was not replayed again
    assert provider.get("local-2").app_id == "local-2"
    os.remove(tmp_path / "local-1")
    provider.refresh()
    assert provider.get("local-1") is None and provider.get("local-2") is not None
    # rewritten in place (same inode, longer): another log, replayed from the start
    with open(facts["logPath"], encoding="utf-8") as f:
        other = f.read().replace(facts["appId"], "local-22")
    with open(tmp_path / "local-2", "w", encoding="utf-8") as f:
        f.write(other)
    provider.refresh()
    assert [s.app_id for s in provider.list()] == ["local-22"]


def test_missing_history_directory_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="spark.history.fs.logDirectory"):
        FsHistoryProvider(str(tmp_path / "nope"))
    from sparklet.ui.history import main

    assert main([str(tmp_path / "nope"), "--port", "0"]) == 2
    from sparklet.launcher import main as sparklet_main

    assert sparklet_main(["history", str(tmp_path / "nope"), "--port", "0"]) == 2
    with pytest.raises(SystemExit):
        sparklet_main(["no-such-command"])


needs_server = pytest.mark.skipif(
    not (has_module("sparklet.ui.server") and has_module("sparklet.ui.store")),
    reason="needs sparklet.ui.server and sparklet.ui.store (not merged yet)")


@needs_server
@pytest.mark.parametrize("command", [["-m", "sparklet.ui.history"],
                                     ["-m", "sparklet.launcher", "history"]])
def test_command_line_serves_the_log_directory(finished, tmp_path, command):
    log_dir, facts = finished
    env = dict(os.environ, PYTHONPATH=SRC)
    proc = subprocess.Popen([sys.executable, *command, log_dir, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=str(tmp_path), env=env)
    try:
        line = proc.stdout.readline()  # printed once listening
        assert "listening on http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split("listening on ")[1].strip()
        deadline = time.monotonic() + 10
        apps = get_json(url + "/api/v1/applications")
        while not apps and time.monotonic() < deadline:
            apps = get_json(url + "/api/v1/applications")
        assert [(a["id"], a["attempts"][0]["completed"]) for a in apps] == [
            (facts["appId"], True)]
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()


def test_json_of_every_line_round_trips(finished):
    _, facts = finished
    with open(facts["logPath"], encoding="utf-8") as f:
        for line in f:
            assert json.dumps(json.loads(line), separators=(",", ":")) == line.rstrip("\n")


@needs_server
def test_history_pages_in_a_browser(finished, history_server, browser):
    from playwright.sync_api import expect

    log_dir, facts = finished
    app = facts["appId"]
    server = history_server(log_dir)
    page = browser.new_page()
    try:
        page.goto(server.url + "/")
        page.locator('[data-testid=history-app][data-app-id="%s"] a' % app).click()
        page.wait_for_url("**/history/%s/**" % app, timeout=10_000)
        rows = page.locator("[data-testid=jobs-completed] [data-testid=job-row]")
        expect(rows).to_have_count(len(facts["jobs"]), timeout=10_000)
        assert sorted(int(k) for k in rows.evaluate_all("rs => rs.map(r => r.dataset.key)")
                      ) == sorted(int(k) for k in facts["jobs"])
        page.goto(server.url + "/history/%s/#/streaming" % app)
        batches = page.locator("tr[data-testid=batches-completed][data-batch-time]")
        expect(batches).to_have_count(len(facts["batchTimes"]), timeout=10_000)
        assert sorted(int(t) for t in batches.evaluate_all(
            "rs => rs.map(r => r.dataset.batchTime)")) == facts["batchTimes"]
    finally:
        page.close()
