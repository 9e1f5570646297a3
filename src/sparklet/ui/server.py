"""The web UI's HTTP side: the starlette app (pages, REST API, /metrics, auth) and the
uvicorn server that serves it from a daemon thread.

Why this shape:

- The server reads the :class:`~sparklet.ui.store.AppStatusStore` only (through a
  ``StoreProvider``); it never calls into the scheduler, so a slow browser cannot slow a
  job. The one exception is the opt-in kill link (``spark.ui.killEnabled``), which calls the
  ``kill_handler`` the driver hands in.
- Auth and the security headers are one pure ASGI middleware (not starlette's
  ``BaseHTTPMiddleware``, which costs a task and a queue per request): the SPA polls every
  ``pollMs`` and the middleware is on every request.
- :meth:`UIServer.start` binds the socket itself (``port``, ``port + 1``, ...) so the port
  is known synchronously and the caller can print the URL at once, then hands the
  listening socket to uvicorn in a daemon thread. Connections that arrive before uvicorn
  runs wait in the socket's backlog. uvicorn (and, with ``factory=``, starlette) are
  imported in that thread, so starting a SparkContext with the UI on stays cheap.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import html
import logging
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
TOKEN_COOKIE = "sparklet_ui_token"
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


# -- auth and headers ------------------------------------------------------------------------

class _Guard:
    """Pure ASGI middleware: token check (when a token is set) and security headers.

    A request passes with ``Authorization: Bearer <token>``, with the cookie
    ``sparklet_ui_token``, or with ``?token=<token>``; the last one sets the cookie
    (HttpOnly, SameSite=Strict, so the SPA's own fetches carry it) and, for a page, redirects
    to the same URL without the token so it does not stay in the address bar or history.
    Every comparison goes through :func:`hmac.compare_digest`.
    """

    def __init__(self, app, token: str | None):
        self.app = app
        self.token = token.encode("utf-8") if token else None
        # The cookie carries a value derived from the token (ASCII whatever the token is),
        # not the token itself.
        self.cookie_value = (hmac.new(self.token, b"sparklet-ui-cookie", hashlib.sha256)
                             .hexdigest().encode() if self.token else None)

    @staticmethod
    def _ok(given: str | bytes | None, expected: bytes | None) -> bool:
        if given is None or expected is None:
            return False
        if isinstance(given, str):
            given = given.encode("utf-8", "surrogateescape")
        return hmac.compare_digest(given, expected)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra: list[tuple[bytes, bytes]] = []
        if self.token is not None:
            verdict = self._check(scope)
            if verdict == "deny":
                await _plain(send, 401, b"401 Unauthorized: this UI needs its token "
                                        b"(Authorization: Bearer <token> or ?token=<token>)\n",
                             [(b"www-authenticate", b'Bearer realm="sparklet"')])
                return
            if verdict == "query":
                extra.append((b"set-cookie", self._cookie()))
                path = scope["path"]
                if scope["method"] in ("GET", "HEAD") and not (
                        path.startswith("/api/") or path == "/metrics"):
                    rest = [(k, v) for k, v in parse_qsl(
                        scope.get("query_string", b"").decode("latin-1"),
                        keep_blank_values=True) if k != "token"]
                    location = quote(scope.get("root_path", "") + path)
                    if rest:
                        location += "?" + urlencode(rest)
                    await _plain(send, 303, b"", [(b"location", location.encode("latin-1")),
                                                  *extra])
                    return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                headers.extend(extra)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _check(self, scope) -> str:
        """'header' / 'cookie' / 'query' when the request carries the token, else 'deny'.
        Every candidate is compared (no early exit on a wrong header) to keep the timing
        independent of which credential was wrong."""
        auth = cookie = None
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                if value[:7].lower() == b"bearer ":
                    auth = value[7:].strip()  # raw bytes: a UTF-8 token compares as sent
            elif name == b"cookie":
                for part in value.split(b";"):
                    k, _, v = part.strip().partition(b"=")
                    if k == TOKEN_COOKIE.encode():
                        cookie = v
        query = None
        qs = scope.get("query_string", b"")
        if b"token=" in qs:
            query = dict(parse_qsl(qs.decode("latin-1"), keep_blank_values=True)).get("token")
        ok_auth = self._ok(auth, self.token)
        ok_cookie = self._ok(cookie, self.cookie_value)
        ok_query = self._ok(query, self.token)
        if ok_auth:
            return "header"
        if ok_cookie:
            return "cookie"
        if ok_query:
            return "query"
        return "deny"

    def _cookie(self) -> bytes:
        return (TOKEN_COOKIE.encode() + b"=" + self.cookie_value
                + b"; Path=/; HttpOnly; SameSite=Strict")


async def _plain(send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]):
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            *SECURITY_HEADERS, *headers]})
    await send({"type": "http.response.body", "body": body})


# -- the app ---------------------------------------------------------------------------------

def _api_routes(provider) -> list:
    """H-store's /api/v1 routes; when that module is not importable (a partial checkout),
    a minimal stand-in serving only /version and /applications so the shell still loads."""
    from starlette.responses import JSONResponse
    from starlette.routing import Mount, Route
    try:
        from sparklet.ui import api
    except ImportError as e:  # pragma: no cover - only before sparklet.ui.api exists
        log.debug("sparklet.ui.api not importable (%s): serving a minimal /api/v1", e)

        async def version(request):
            import sparklet
            return JSONResponse({"spark": getattr(sparklet, "__version__", "unknown")})

        async def applications(request):
            return JSONResponse([s.application_info() for s in provider.list()])

        return [Route("/api/v1/version", version),
                Route("/api/v1/applications", applications)]
    routes = list(api.routes(provider))
    if any(getattr(r, "path", "").startswith("/api/v1") for r in routes):
        return routes
    return [Mount("/api/v1", routes=routes)]


def _render_metrics(store) -> str:
    try:
        from sparklet.ui import metrics
    except ImportError:  # pragma: no cover - only before sparklet.ui.metrics exists
        return "# sparklet.ui.metrics is not available\n"
    return metrics.render(store)


def _history_list_page(stores: list) -> bytes:
    """The history server's front page: one row per application, linking to its UI.
    Built here with html.escape (no data in a template engine's hands)."""
    rows = []
    for s in stores:
        info = {}
        try:
            info = s.application_info() or {}
        except Exception:  # noqa: BLE001 - a half-replayed log still gets its row
            pass
        attempt = (info.get("attempts") or [{}])[-1]
        app_id = s.app_id or ""
        rows.append(
            "<tr data-testid=\"history-app\" data-app-id=\"{id}\"><td><a href=\"/history/{q}/\">"
            "{id}</a></td><td>{name}</td><td>{start}</td><td>{end}</td><td>{user}</td>"
            "<td>{done}</td></tr>".format(
                id=html.escape(app_id), q=quote(app_id, safe=""),
                name=html.escape(str(s.app_name or info.get("name") or "")),
                start=html.escape(str(attempt.get("startTime") or "")),
                end=html.escape(str(attempt.get("endTime") or "")),
                user=html.escape(str(attempt.get("sparkUser") or "")),
                done="completed" if getattr(s, "completed", False) else "incomplete"))
    body = "\n".join(rows) or '<tr><td colspan="6">No applications found.</td></tr>'
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>sparklet history</title><link rel=\"stylesheet\" href=\"/static/style.css\">"
        "</head><body><header class=\"topbar\"><span class=\"brand\">sparklet</span>"
        "<span class=\"app-name\">History Server</span></header><main>"
        "<h2>Applications</h2><table class=\"grid\" data-testid=\"history-apps\"><thead><tr>"
        "<th>App ID</th><th>App Name</th><th>Started</th><th>Completed</th><th>Spark User</th>"
        "<th>Status</th></tr></thead><tbody>" + body + "</tbody></table></main></body></html>"
    ).encode()


def create_app(provider, *, token: str | None = None, kill_enabled: bool = False,
               poll_ms: int = 100, history: bool = False,
               kill_handler: Callable[[int], Any] | None = None):
    """The UI's starlette app over ``provider`` (``get(app_id)``/``list()`` of
    AppStatusStores).

    Live (``history=False``): ``/`` is the SPA for the provider's one application. History:
    ``/`` lists the applications and ``/history/{app}/`` serves the SPA for one of them
    (its ``ui-config.json`` names it). ``kill_enabled`` adds
    ``POST /api/v1/applications/{app}/jobs/{jobId}/kill`` calling ``kill_handler(jobId)``;
    without it the route does not exist and the Jobs page shows no kill links.
    """
    from starlette.applications import Starlette
    from starlette.responses import (
        HTMLResponse,
        JSONResponse,
        PlainTextResponse,
        RedirectResponse,
        Response,
    )
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    index_html = (STATIC_DIR / "index.html").read_bytes()
    kill_on = bool(kill_enabled) and not history

    def live_store():
        stores = provider.list()
        return stores[0] if stores else None

    def config_for(store, app_id=None) -> dict:
        return {"appId": getattr(store, "app_id", None) or app_id,
                "appName": getattr(store, "app_name", None),
                "pollMs": int(poll_ms), "killEnabled": kill_on, "history": bool(history),
                "completed": bool(getattr(store, "completed", False))}

    def no_cache(resp):
        resp.headers["cache-control"] = "no-store"
        return resp

    async def index(request):
        if history:
            return no_cache(HTMLResponse(_history_list_page(provider.list())))
        return no_cache(Response(index_html, media_type="text/html; charset=utf-8"))

    async def ui_config(request):
        return no_cache(JSONResponse(config_for(live_store())))

    async def history_index(request):
        app_id = request.path_params["app"]
        if provider.get(app_id) is None:
            return PlainTextResponse(f"no application {app_id}\n", status_code=404)
        return no_cache(Response(index_html, media_type="text/html; charset=utf-8"))

    async def history_redirect(request):
        return RedirectResponse(f"/history/{quote(request.path_params['app'], safe='')}/")

    async def history_config(request):
        app_id = request.path_params["app"]
        store = provider.get(app_id)
        if store is None:
            return PlainTextResponse(f"no application {app_id}\n", status_code=404)
        return no_cache(JSONResponse(config_for(store, app_id)))

    async def metrics_live(request):
        store = live_store()
        text = _render_metrics(store) if store is not None else ""
        return PlainTextResponse(text, media_type="text/plain; version=0.0.4; charset=utf-8")

    async def metrics_history(request):
        store = provider.get(request.path_params["app"])
        if store is None:
            return PlainTextResponse("no such application\n", status_code=404)
        return PlainTextResponse(_render_metrics(store),
                                 media_type="text/plain; version=0.0.4; charset=utf-8")

    async def kill(request):
        # A same-site check on top of the token: a cross-site form POST (no preflight)
        # must not kill jobs of an unauthenticated local UI.
        origin = request.headers.get("origin")
        if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
            return PlainTextResponse("cross-origin kill refused\n", status_code=403)
        app_id = request.path_params["app"]
        if provider.get(app_id) is None:
            return PlainTextResponse(f"no application {app_id}\n", status_code=404)
        job_id = request.path_params["job_id"]
        if kill_handler is None:
            return PlainTextResponse("no kill handler\n", status_code=501)
        result = kill_handler(job_id)
        return JSONResponse({"jobId": job_id, "killed": result is not False})

    routes: list = []
    if kill_on:
        routes.append(Route("/api/v1/applications/{app}/jobs/{job_id:int}/kill", kill,
                            methods=["POST"]))
    routes.extend(_api_routes(provider))
    routes.append(Route("/", index))
    routes.append(Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"))
    if history:
        routes += [Route("/history/{app}", history_redirect),
                   Route("/history/{app}/", history_index),
                   Route("/history/{app}/ui-config.json", history_config),
                   Route("/history/{app}/metrics", metrics_history)]
    else:
        routes += [Route("/ui-config.json", ui_config), Route("/metrics", metrics_live)]

    app = Starlette(routes=routes)
    app.add_middleware(_Guard, token=token)
    return app


# -- the server ------------------------------------------------------------------------------

def bind_socket(host: str, port: int, max_retries: int = 16) -> socket.socket:
    """A listening TCP socket on ``host``: ``port``, else ``port + 1``, ... (``max_retries``
    more tries, as Spark's ``spark.port.maxRetries``); ``port`` 0 = any free port."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    family = infos[0][0] if infos else socket.AF_INET
    tries = 1 if port == 0 else max(1, int(max_retries) + 1)
    last: OSError | None = None
    for i in range(tries):
        candidate = 0 if port == 0 else port + i
        if candidate > 65535:
            candidate = 1024 + (candidate - 65536)
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, candidate))
            sock.listen(128)
            sock.setblocking(False)
            return sock
        except OSError as e:
            sock.close()
            if e.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise
            last = e
    raise OSError(errno.EADDRINUSE,
                  f"could not bind the UI on {host}:{port} after {tries} tries "
                  f"(spark.port.maxRetries={max_retries}): {last}")


class UIServer:
    """uvicorn serving ``app`` on ``host`` from a daemon thread.

    ``app`` is an ASGI app; or pass ``factory`` (a zero-argument callable returning one) to
    build the app in the server thread too, so :meth:`start` costs only the bind.
    """

    def __init__(self, app=None, host: str = "127.0.0.1", port: int = 4040,
                 max_retries: int = 16, *, factory: Callable[[], Any] | None = None):
        if (app is None) == (factory is None):
            raise ValueError("UIServer needs exactly one of app or factory")
        self.app = app
        self.factory = factory
        self.host = host
        self.requested_port = int(port)
        self.max_retries = int(max_retries)
        self.port: int | None = None
        self._sock: socket.socket | None = None
        self._server = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self.error: BaseException | None = None

    @property
    def url(self) -> str:
        host = self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def start(self) -> int:
        """Bind (retrying the next ports), start serving, return the bound port. The socket
        listens when this returns, so a client may connect at once."""
        if self._thread is not None:
            return self.port  # type: ignore[return-value]
        self._sock = bind_socket(self.host, self.requested_port, self.max_retries)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._run, name=f"sparklet-ui-{self.port}",
                                        daemon=True)
        self._thread.start()
        return self.port

    def _run(self) -> None:
        try:
            import uvicorn

            app = self.app if self.app is not None else self.factory()
            config = uvicorn.Config(app, host=self.host, port=self.port, log_level="warning",
                                    lifespan="off", access_log=False, log_config=None,
                                    timeout_graceful_shutdown=1)
            server = uvicorn.Server(config)
            self._server = server
            if self._stopping.is_set():
                return
            self._ready.set()
            server.run(sockets=[self._sock])
        except BaseException as e:  # noqa: BLE001 - reported through .error and the log
            self.error = e
            log.warning("sparklet UI server on %s stopped: %r", self.url, e)
        finally:
            self._ready.set()
            sock, self._sock = self._sock, None
            if sock is not None:
                sock.close()

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Block until uvicorn is built (tests; requests made earlier just queue)."""
        return self._ready.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Ask uvicorn to exit and join the thread (bounded by ``timeout`` seconds)."""
        self._stopping.set()
        thread = self._thread
        if thread is None:
            return
        deadline = time.monotonic() + timeout
        while thread.is_alive() and time.monotonic() < deadline:
            server = self._server
            if server is not None:
                server.should_exit = True
            thread.join(0.05)
        if thread.is_alive():
            log.warning("sparklet UI server thread did not stop within %.1fs", timeout)
        self._thread = None


def describe(server: UIServer) -> str:
    """One line for the driver's log: where the UI is."""
    return f"Bound SparkUI to {server.host}, and started at {server.url}"
