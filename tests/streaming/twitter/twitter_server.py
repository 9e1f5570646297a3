"""A local X API v2 filtered-stream server for the tests (a threaded ``http.server`` on a
free 127.0.0.1 port): the rules endpoints over an in-memory rule set, and the stream
endpoint answering each connection with the next scripted :class:`Answer` (then, when the
scripts are used up, feeding lines given to :meth:`TwitterServer.feed`). Every request is
recorded (path, query, Authorization header) so tests assert on what the receiver did."""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

STREAM = "/2/tweets/search/stream"
RULES = "/2/tweets/search/stream/rules"


@dataclass
class Answer:
    """One stream connection: ``status`` and ``headers``, the ``lines`` (bytes, sent as
    given), then ``then``: ``"close"`` (drop the connection), ``"hold"`` (send nothing
    more until the server stops: a stall) or ``"feed"`` (serve the feed queue)."""
    status: int = 200
    headers: dict = field(default_factory=dict)
    lines: list = field(default_factory=list)
    then: str = "feed"
    body: bytes = b""


def tweet(i: int, text: str | None = None, tags: tuple = (), user: str = "ada") -> bytes:
    obj = {"data": {"id": str(1000 + i), "text": text or f"tweet {i}", "lang": "en",
                    "author_id": "42", "created_at": "2026-01-02T03:04:05.000Z",
                    "entities": {"hashtags": [{"tag": t} for t in tags]}},
           "includes": {"users": [{"id": "42", "username": user, "name": user.title()}]},
           "matching_rules": [{"id": "1", "tag": "sparklet"}]}
    return json.dumps(obj).encode() + b"\r\n"


class TwitterServer:
    def __init__(self, rules: list[dict] | None = None, keepalive: float = 0.05,
                 rule_error: dict | None = None):
        self.rules: list[dict] = list(rules or [])
        self.next_id = 100
        self.scripts: list[Answer] = []
        self.requests: list[dict] = []
        self.rule_posts: list[dict] = []
        self.stream_attempts: list[float] = []
        self.rule_error = rule_error
        self.keepalive = keepalive
        self.queue: queue.Queue = queue.Queue()
        self.closed = threading.Event()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _record(self, body=None):
                url = urlsplit(self.path)
                with server.lock:
                    server.requests.append({
                        "method": self.command, "path": url.path,
                        "query": {k: v[0] for k, v in parse_qs(url.query).items()},
                        "auth": self.headers.get("Authorization"), "body": body})
                return url.path

            def _json(self, status, obj, headers=None):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = self._record()
                if path == RULES:
                    with server.lock:
                        rules = [dict(r) for r in server.rules]
                    return self._json(200, {"data": rules} if rules else {"meta": {}})
                if path == STREAM:
                    return server._serve_stream(self)
                self._json(404, {"title": "Not Found"})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                path = self._record(body)
                if path != RULES:
                    return self._json(404, {"title": "Not Found"})
                with server.lock:
                    server.rule_posts.append(body)
                    if server.rule_error is not None and "add" in body:
                        return self._json(400, server.rule_error)
                    for rule in body.get("add", []):
                        server.rules.append({"id": str(server.next_id), **rule})
                        server.next_id += 1
                    ids = set(body.get("delete", {}).get("ids", []))
                    server.rules = [r for r in server.rules if r["id"] not in ids]
                self._json(200, {"meta": {"summary": {}}})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    # -- the stream ---------------------------------------------------------------------------

    def _serve_stream(self, handler) -> None:
        with self.lock:
            self.stream_attempts.append(time.monotonic())
            answer = self.scripts.pop(0) if self.scripts else Answer()
        if answer.status != 200:
            body = answer.body or json.dumps({"title": "error", "status": answer.status}).encode()
            handler.send_response(answer.status)
            for k, v in answer.headers.items():
                handler.send_header(k, v)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()

        def send(data: bytes) -> None:
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            handler.wfile.flush()

        try:
            for line in answer.lines:
                send(line)
            if answer.then == "close":
                handler.close_connection = True
                return  # no terminating chunk: a dropped connection
            if answer.then == "hold":
                self.closed.wait()
                return
            while not self.closed.is_set():
                try:
                    line = self.queue.get(timeout=self.keepalive)
                except queue.Empty:
                    send(b"\r\n")  # X's keep-alive
                    continue
                send(line)
        except OSError:
            return
        finally:
            handler.close_connection = True

    def feed(self, lines: list[bytes]) -> None:
        for line in lines:
            self.queue.put(line)

    def stream_requests(self) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"] == STREAM]

    def stop(self) -> None:
        self.closed.set()
        self.httpd.shutdown()
        self.httpd.server_close()
