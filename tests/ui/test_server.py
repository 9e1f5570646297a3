"""The UI's HTTP server for real: uvicorn on 127.0.0.1, clients over httpx. Binding and
port retry, the token (header, ?token= then the cookie, 401 otherwise), the security
headers, the static files, the history routes and the opt-in kill route."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
from web_helpers import StubProvider, make_store, serving

from sparklet.ui import server as ui_server
from sparklet.ui.server import UIServer, bind_socket, create_app

TOKEN = "s3cr3t-t0ken-\u00e9"  # non-ASCII on purpose: compared as UTF-8 bytes


@pytest.fixture
def store():
    return make_store(app_id="local-1764000000001", app_name="server-test")


def test_serves_index_config_static_and_security_headers(store):
    with serving(create_app(StubProvider(store), poll_ms=250)) as srv:
        with httpx.Client(base_url=srv.url, timeout=10) as c:
            index = c.get("/")
            assert index.status_code == 200
            assert 'src="/static/app.js"' in index.text
            assert index.headers["content-security-policy"] == (
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")
            assert index.headers["x-content-type-options"] == "nosniff"
            assert index.headers["x-frame-options"] == "DENY"
            cfg = c.get("/ui-config.json").json()
            assert cfg == {"appId": store.app_id, "appName": "server-test", "pollMs": 250,
                           "killEnabled": False, "history": False, "completed": False}
            js = c.get("/static/app.js")
            assert js.status_code == 200
            assert "javascript" in js.headers["content-type"]
            assert js.headers["x-content-type-options"] == "nosniff"
            for path in ("/static/lib.js", "/static/style.css", "/static/pages/jobs.js",
                         "/static/pages/streaming.js", "/static/pages/dashboard.js",
                         "/static/vendor/uPlot.iife.min.js", "/static/vendor/dagre.min.js",
                         "/static/vendor/uPlot.min.css"):
                assert c.get(path).status_code == 200, path
            assert c.get("/static/../server.py").status_code == 404
            assert c.get("/static/nope.js").status_code == 404
            apps = c.get("/api/v1/applications")
            assert apps.status_code == 200
            assert [a["id"] for a in apps.json()] == [store.app_id]
            assert c.get("/metrics").status_code == 200


def test_port_retry_takes_the_next_free_port(store):
    app = create_app(StubProvider(store))
    # find two consecutive free ports and occupy the first with a listening socket
    for _ in range(50):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        base = probe.getsockname()[1]
        nxt = socket.socket()
        try:
            nxt.bind(("127.0.0.1", base + 1))
        except OSError:
            probe.close()
            nxt.close()
            continue
        nxt.close()
        break
    else:  # pragma: no cover
        pytest.skip("no two consecutive free ports")
    probe.listen(1)
    try:
        with serving(app, port=base) as srv:
            assert srv.port == base + 1
            assert srv.url == f"http://127.0.0.1:{base + 1}"
            assert httpx.get(srv.url + "/ui-config.json", timeout=10).status_code == 200
        # no retries allowed: the taken port is an error naming it
        with pytest.raises(OSError, match=str(base)):
            bind_socket("127.0.0.1", base, max_retries=0)
    finally:
        probe.close()


def test_binds_the_requested_host_and_port_zero(store):
    with serving(create_app(StubProvider(store)), host="127.0.0.1", port=0) as srv:
        assert srv.port > 0
        assert srv.url == f"http://127.0.0.1:{srv.port}"
        # listening on 127.0.0.1 only: the socket's own address says so
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
            assert s.getpeername() == ("127.0.0.1", srv.port)
        assert httpx.get(srv.url + "/", timeout=10).status_code == 200
    # stopped: the port no longer answers
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()


def test_start_is_cheap_and_stop_is_bounded(store):
    srv = UIServer(create_app(StubProvider(store)), port=0)
    t0 = time.perf_counter()
    port = srv.start()
    started_ms = (time.perf_counter() - t0) * 1000
    try:
        # the socket listens when start() returns: a request made at once is answered
        assert httpx.get(f"http://127.0.0.1:{port}/ui-config.json", timeout=10).status_code == 200
        assert started_ms < 500, f"UIServer.start() took {started_ms:.1f} ms"
    finally:
        t0 = time.perf_counter()
        srv.stop()
        assert time.perf_counter() - t0 < 6


def test_factory_builds_the_app_in_the_server_thread(store):
    calls = []

    def factory():
        calls.append(1)
        return create_app(StubProvider(store))

    srv = UIServer(factory=factory, port=0)
    port = srv.start()
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 200
        assert calls == [1]
    finally:
        srv.stop()


def test_token_required_everywhere(store):
    with serving(create_app(StubProvider(store), token=TOKEN)) as srv:
        with httpx.Client(base_url=srv.url, timeout=10) as c:
            for path in ("/", "/ui-config.json", "/static/app.js", "/api/v1/applications",
                         "/metrics", "/nope"):
                r = c.get(path)
                assert r.status_code == 401, path
                assert r.headers["content-type"].startswith("text/plain")
                assert "401" in r.text
                assert r.headers["content-security-policy"].startswith("default-src 'self'")
            good = {"Authorization": f"Bearer {TOKEN}".encode()}
            r = c.get("/api/v1/applications", headers=good)
            assert r.status_code == 200
            assert r.json()[0]["id"] == store.app_id
            assert c.get("/static/app.js", headers=good).status_code == 200
            assert c.get("/metrics", headers=good).status_code == 200


def test_wrong_tokens_are_refused_by_constant_time_compare(store, monkeypatch):
    seen = []
    real = ui_server.hmac.compare_digest

    def spy(a, b):
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(ui_server.hmac, "compare_digest", spy)
    with serving(create_app(StubProvider(store), token=TOKEN)) as srv:
        with httpx.Client(base_url=srv.url, timeout=10) as c:
            wrong = [TOKEN[:-1], TOKEN + "x", TOKEN.upper(), "", TOKEN[:-1] + "F", "a" * 4096]
            for w in wrong:
                if w:  # (an empty bearer value is not a legal header for the client)
                    hdr = {"Authorization": b"Bearer " + w.encode()}
                    assert c.get("/ui-config.json", headers=hdr).status_code == 401, w
                assert c.get("/ui-config.json", params={"token": w},
                             follow_redirects=False).status_code == 401, w
                c.cookies.set("sparklet_ui_token", w.encode().hex())
                assert c.get("/ui-config.json").status_code == 401
                c.cookies.clear()
            assert c.get("/ui-config.json",
                         headers={"Authorization": f"Basic {TOKEN}".encode()}).status_code == 401
    assert seen
    assert {a for a, _ in seen} >= {w.encode() for w in wrong if w}
    assert TOKEN.encode() in {b for _, b in seen}


def test_query_token_sets_cookie_then_cookie_suffices(store):
    with serving(create_app(StubProvider(store), token=TOKEN)) as srv:
        with httpx.Client(base_url=srv.url, timeout=10) as c:
            r = c.get("/", params={"token": TOKEN, "x": "1"}, follow_redirects=False)
            assert r.status_code == 303
            assert r.headers["location"] == "/?x=1"  # the token leaves the address bar
            cookie = r.headers["set-cookie"]
            assert cookie.startswith("sparklet_ui_token=")
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
            # httpx keeps the cookie: the SPA's later requests carry it, no token needed
            assert c.get("/").status_code == 200
            assert c.get("/ui-config.json").json()["appId"] == store.app_id
            assert c.get("/static/app.js").status_code == 200
            # an API call with ?token= answers at once (no redirect for clients)
            fresh = httpx.get(srv.url + "/api/v1/applications", params={"token": TOKEN},
                              timeout=10)
            assert fresh.status_code == 200
            assert "sparklet_ui_token=" in fresh.headers["set-cookie"]
        with httpx.Client(base_url=srv.url, timeout=10) as other:
            assert other.get("/").status_code == 401  # no cookie, no token


def test_kill_route_absent_unless_enabled(store):
    killed = []
    path = f"/api/v1/applications/{store.app_id}/jobs/7/kill"
    with serving(create_app(StubProvider(store), kill_handler=killed.append)) as srv:
        r = httpx.post(srv.url + path, timeout=10)
        assert r.status_code in (404, 405)
        assert httpx.get(srv.url + "/ui-config.json", timeout=10).json()["killEnabled"] is False
    assert killed == []
    with serving(create_app(StubProvider(store), kill_enabled=True,
                            kill_handler=killed.append)) as srv:
        assert httpx.get(srv.url + "/ui-config.json", timeout=10).json()["killEnabled"] is True
        r = httpx.post(srv.url + path, timeout=10)
        assert r.status_code == 200
        assert r.json() == {"jobId": 7, "killed": True}
        assert killed == [7]
        assert httpx.get(srv.url + path, timeout=10).status_code == 405
        assert httpx.post(srv.url + "/api/v1/applications/nope/jobs/7/kill",
                          timeout=10).status_code == 404
        foreign = httpx.post(srv.url + path, headers={"Origin": "http://evil.example"},
                             timeout=10)
        assert foreign.status_code == 403
    assert killed == [7]


def test_history_mode_lists_apps_and_serves_each(store):
    other = make_store(app_id="app-<i>&2", app_name="<script>alert(1)</script>",
                      completed=True)
    with serving(create_app(StubProvider(store, other), history=True)) as srv:
        with httpx.Client(base_url=srv.url, timeout=10) as c:
            page = c.get("/")
            assert page.status_code == 200
            assert f'href="/history/{store.app_id}/"' in page.text
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
            assert "<script>alert" not in page.text
            assert 'href="/history/app-%3Ci%3E%262/"' in page.text
            spa = c.get(f"/history/{store.app_id}/")
            assert spa.status_code == 200 and 'src="/static/app.js"' in spa.text
            assert c.get(f"/history/{store.app_id}", follow_redirects=False).status_code == 307
            cfg = c.get("/history/app-%3Ci%3E%262/ui-config.json").json()
            assert cfg["appId"] == "app-<i>&2" and cfg["history"] is True
            assert cfg["completed"] is True and cfg["killEnabled"] is False
            assert c.get("/history/nope/").status_code == 404
            assert c.get("/history/nope/ui-config.json").status_code == 404
