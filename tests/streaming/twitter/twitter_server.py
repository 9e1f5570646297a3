"""A local server of the tests that speaks X's v2 filtered stream: the rules endpoints and
the long-lived stream of newline-delimited JSON, on a free loopback port.

Each stream connection plays the next *script* (``script(...)``); a script is a list of
items sent in order: a ``str`` is a line (``""`` a keep-alive), a ``threading.Event`` holds
the rest back until it is set, a ``queue.Queue`` is drained line by line until it yields
None, ``HOLD`` keeps the connection open (sending nothing) until the server stops. With no
script left a connection is held open. Every request is recorded for the tests to check.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

HOLD = object()


def post(i: int, text: str | None = None, tags: tuple[str, ...] = (), user: str = "ada") -> str:
    """One post of the stream, as X sends it (with the author expanded)."""
    text = text if text is not None else f"post {i}"
    data = {"id": str(1000 + i), "text": text, "author_id": "42", "lang": "en",
            "created_at": "2026-12-02T10:00:00.000Z",
            "entities": {"hashtags": [{"start": 0, "end": len(t) + 1, "tag": t} for t in tags]}}
    return json.dumps({"data": data, "includes": {"users": [
        {"id": "42", "username": user, "name": user.title()}]},
        "matching_rules": [{"id": "1", "tag": "sparklet"}]})


class Script:
    def __init__(self, items, status: int = 200, headers: dict | None = None,
                 body: dict | None = None):
        self.items, self.status = list(items), status
        self.headers, self.body = dict(headers or {}), body


class TwitterServer:
    def __init__(self, rules: list[dict] | None = None):
        self.rules = [dict(r) for r in rules or []]
        self.scripts: queue.Queue[Script] = queue.Queue()
        self.requests: list[dict] = []   # method, path, query, authorization, body, time
        self.stopped = threading.Event()
        self._lock = threading.Lock()
        self._next_id = 100
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # the body ends when the connection closes

            def log_message(self, *args):
                pass

            def do_GET(self):
                server._handle(self, "GET")

            def do_POST(self):
                server._handle(self, "POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def script(self, *items, status: int = 200, headers: dict | None = None,
               body: dict | None = None) -> None:
        self.scripts.put(Script(items, status, headers, body))

    def stream_connections(self) -> list[dict]:
        with self._lock:
            return [r for r in self.requests if r["path"] == "/2/tweets/search/stream"]

    def close(self) -> None:
        self.stopped.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- requests ------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = json.loads(h.rfile.read(length)) if length else None
        with self._lock:
            self.requests.append({"method": method, "path": url.path,
                                  "query": parse_qs(url.query), "body": body,
                                  "authorization": h.headers.get("Authorization"),
                                  "time": time.monotonic()})
        if url.path == "/2/tweets/search/stream/rules":
            self._rules(h, method, body)
        elif url.path == "/2/tweets/search/stream" and method == "GET":
            self._stream(h)
        else:
            self._json(h, 404, {"title": "Not Found"})

    def _json(self, h, status: int, obj: dict, headers: dict | None = None) -> None:
        data = json.dumps(obj).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _rules(self, h, method: str, body: dict | None) -> None:
        with self._lock:
            if method == "GET":
                self._json(h, 200, {"data": list(self.rules),
                                    "meta": {"result_count": len(self.rules)}})
                return
            if "add" in body:
                bad = [r for r in body["add"] if "INVALID" in r["value"]]
                if bad:
                    self._json(h, 400, {"errors": [{"title": "Invalid Rule",
                                                    "value": r["value"],
                                                    "detail": "syntax error"} for r in bad]})
                    return
                for r in body["add"]:
                    self._next_id += 1
                    self.rules.append({"id": str(self._next_id), **r})
            if "delete" in body:
                ids = set(body["delete"]["ids"])
                self.rules = [r for r in self.rules if r["id"] not in ids]
            self._json(h, 200, {"meta": {"summary": {}}})

    def _stream(self, h) -> None:
        try:
            script = self.scripts.get_nowait()
        except queue.Empty:
            script = Script([HOLD])
        if script.status != 200:
            self._json(h, script.status, script.body or {"title": "error"}, script.headers)
            return
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.end_headers()
        try:
            for item in script.items:
                if item is HOLD:
                    self.stopped.wait()
                elif isinstance(item, threading.Event):
                    item.wait()
                elif isinstance(item, queue.Queue):
                    while (line := item.get()) is not None:
                        h.wfile.write(line.encode() + b"\r\n")
                        h.wfile.flush()
                else:
                    h.wfile.write(item.encode() + b"\r\n")
                    h.wfile.flush()
        except OSError:
            pass  # the client went away
