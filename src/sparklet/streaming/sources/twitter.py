"""The receiver behind :mod:`sparklet.streaming.twitter`: a client of X's v2 filtered stream.

One start of the receiver does what X's integration guide asks of a streaming client:

1. **Rules.** The filtered stream delivers the posts that match the app's *rules*, kept by
   X between connections. With ``filters`` given, the receiver reads the rules
   (``GET /2/tweets/search/stream/rules``), adds the filters that are missing, tagged with
   ``ruleTag``, and deletes the rules of that tag that are no longer filters -- rules of
   other tags are never touched. ``filters=None`` keeps the rules as they are. A rule X
   refuses (HTTP 400, or ``errors`` in the answer) stops the receiver with X's message.
2. **The stream.** ``GET /2/tweets/search/stream`` is one long response of JSON objects, one
   per line, with an empty line as a keep-alive at least every 20 seconds. Each post's line
   is stored as it came (parsing runs on the stream, so a bad line is a counted malformed
   record); an ``errors`` object (an operational disconnect) is logged and reported.
3. **Reconnecting.** A stream that ends, breaks, or sends nothing -- not even a keep-alive --
   for ``stallTimeout`` seconds (21 by default: X's 20 and a second's slack) is reconnected
   at once; a connection that then fails waits as X documents:

   ==========================  ==========================================================
   failure                     delay before the next attempt
   ==========================  ==========================================================
   network (TCP/IP, TLS)       linear: 250 ms more per attempt, up to 16 s
   HTTP error (5xx, 401, ...)  exponential: 5 s, doubling, up to 320 s
   HTTP 429 (rate limited)     exponential from 1 min, doubling; at least until
                               ``x-rate-limit-reset`` when X sends it
   ==========================  ==========================================================

   Delays restart from the bottom once a connection is established. Each failure is logged
   with the delay, and the first of an outage is reported to the driver (``ReceiverError``).
   ``spark.sparklet.twitter.backoffScale`` multiplies every delay (tests use a small one).

The stream cannot be replayed (``backfillMinutes`` recovers up to 5 minutes on the access
levels that have it), so this is a plain receiver: posts delivered to a driver that dies
before they were processed are lost, with the write-ahead log or without.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from typing import Any

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.receiver import Receiver
from sparklet.streaming.sources.backoff import Backoff

__all__ = ["TwitterReceiver", "ReconnectPolicy", "TwitterRuleError", "require_httpx"]

log = logging.getLogger("sparklet.streaming.twitter")

STREAM_PATH = "/2/tweets/search/stream"
RULES_PATH = "/2/tweets/search/stream/rules"
_JOIN_S = 10.0


def require_httpx():
    """The ``httpx`` module, or an ImportError naming the extra."""
    try:
        import httpx
    except ImportError as e:
        raise ImportError("TwitterUtils needs httpx: pip install 'sparklet[twitter]'") from e
    return httpx


class TwitterRuleError(ValueError):
    """X refused to add or delete a stream rule."""


class _HTTPError(Exception):
    def __init__(self, status: int, text: str, reset: float | None = None):
        super().__init__(f"HTTP {status}: {text}")
        self.status, self.reset = status, reset


class ReconnectPolicy:
    """The delays X's guide prescribes between failed connection attempts, scaled by
    ``scale``; ``connected()`` after a success starts them all again.

    >>> p = ReconnectPolicy()
    >>> [p.network_error() for _ in range(3)], p.http_error(503), p.http_error(503)
    ([0.25, 0.5, 0.75], 5.0, 10.0)
    >>> p.http_error(429), p.http_error(429, reset_in=300.0)
    (60.0, 300.0)
    >>> p.connected(); p.network_error()
    0.25
    """

    def __init__(self, scale: float = 1.0):
        self.scale = scale
        self._network = Backoff(0.25, 16.0, linear=True)
        self._http = Backoff(5.0, 320.0)
        self._rate = Backoff(60.0, 15 * 60.0)

    def network_error(self) -> float:
        return self._network.next_delay() * self.scale

    def http_error(self, status: int, reset_in: float | None = None) -> float:
        if status == 429:
            delay = self._rate.next_delay() * self.scale
            return max(delay, reset_in * self.scale) if reset_in else delay
        return self._http.next_delay() * self.scale

    def connected(self) -> None:
        for backoff in (self._network, self._http, self._rate):
            backoff.reset()


class TwitterReceiver(Receiver):
    """Stores each post's JSON line (str) from the filtered stream at ``apiUrl``, after
    bringing the rules in line with ``filters`` (see the module documentation)."""

    def __init__(self, bearerToken: str, filters: list[str] | None, apiUrl: str,
                 params: dict[str, str], ruleTag: str, stallTimeout: float,
                 backoffScale: float,
                 storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2):
        super().__init__(storageLevel)
        self.bearerToken = bearerToken
        self.filters = None if filters is None else list(filters)
        self.apiUrl = apiUrl.rstrip("/")
        self.params = dict(params)
        self.ruleTag = ruleTag
        self.stallTimeout = stallTimeout
        self.backoffScale = backoffScale
        self._run: _Run | None = None

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["_run"] = None
        return state

    def onStart(self) -> None:
        self._run = _Run(self)
        self._run.thread.start()

    def onStop(self) -> None:
        run, self._run = self._run, None
        if run is not None:
            run.stop()

    def describe(self) -> str:
        return f"the X filtered stream at {self.apiUrl}"


class _Run:
    """One start of a :class:`TwitterReceiver`: its thread, HTTP client and response."""

    def __init__(self, receiver: TwitterReceiver):
        self.receiver = receiver
        self.stopping = threading.Event()
        self.policy = ReconnectPolicy(receiver.backoffScale)
        self.reported = False  # the current outage was told to the driver
        self._sock: socket.socket | None = None
        self.thread = threading.Thread(target=self._loop, daemon=True,
                                       name="Twitter Receiver")

    def stop(self) -> None:
        self.stopping.set()
        sock = self._sock
        if sock is not None:
            try:  # wakes a read blocked on the long-lived response
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if threading.current_thread() is not self.thread:
            self.thread.join(_JOIN_S)

    # -- the loop --------------------------------------------------------------------------

    def _loop(self) -> None:
        httpx = require_httpx()
        r = self.receiver
        headers = {"Authorization": f"Bearer {r.bearerToken}",
                   "User-Agent": "sparklet-twitter"}
        timeout = httpx.Timeout(10.0, read=r.stallTimeout)
        with httpx.Client(base_url=r.apiUrl, headers=headers, timeout=timeout) as client:
            while not self.stopping.is_set():
                try:
                    if r.filters is not None:
                        sync_rules(client, r.filters, r.ruleTag)
                    if self._stream(client) or self.stopping.is_set():
                        continue  # it delivered, then ended or stalled: reconnect at once
                    # Established, then ended with nothing at all: not a hot loop.
                    self._failed(f"{r.describe()} ended the stream without any data",
                                 None, self.policy.network_error())
                except TwitterRuleError as e:
                    if not r.isStopped():
                        r.stop(f"X refused the stream rules: {e}", e)
                    return
                except _HTTPError as e:
                    reset_in = None if e.reset is None else max(0.0, e.reset - time.time())
                    delay = self.policy.http_error(e.status, reset_in)
                    self._failed(f"{r.describe()} answered {e}", e, delay)
                except (httpx.TransportError, OSError) as e:
                    if self.stopping.is_set():
                        break
                    self._failed(f"Cannot reach {r.describe()}: {type(e).__name__}: {e}", e,
                                 self.policy.network_error())
        log.info("Stopped receiving from %s", r.describe())

    def _failed(self, message: str, error: BaseException | None, delay: float) -> None:
        log.warning("%s; reconnecting in %.2f s", message, delay)
        if not self.reported and not self.receiver.isStopped():
            self.reported = True
            self.receiver.reportError(f"{message} (reconnecting)", error)
        self.stopping.wait(delay)

    def _stream(self, client: Any) -> bool:
        """Read the stream until it ends, stalls or breaks; whether any line came."""
        import httpx

        r = self.receiver
        with client.stream("GET", STREAM_PATH, params=r.params) as response:
            if response.status_code != 200:
                response.read()
                raise _HTTPError(response.status_code, _error_text(response),
                                 _reset(response))
            self._sock = _socket_of(response)
            log.info("Connected to %s", r.describe())
            got_any = False
            try:
                for line in response.iter_lines():
                    if self.stopping.is_set():
                        return got_any
                    if not got_any:
                        # Only a line (data or keep-alive) proves the connection healthy:
                        # one accepted and ended at once keeps the backoff growing.
                        got_any = True
                        self.policy.connected()
                        self.reported = False
                    line = line.strip()
                    if not line:
                        continue  # a keep-alive
                    if _is_error_object(line):
                        self._operational_error(line)
                        continue
                    r.store(line)
            except httpx.ReadTimeout:
                log.warning("No data or keep-alive from %s for %.1f s: the connection "
                            "stalled; reconnecting", r.describe(), r.stallTimeout)
            except (httpx.TransportError, OSError) as e:
                if not self.stopping.is_set():
                    log.warning("The stream from %s broke (%s: %s); reconnecting",
                                r.describe(), type(e).__name__, e)
            finally:
                self._sock = None
        if not self.stopping.is_set():
            log.info("The stream from %s ended; reconnecting", r.describe())
        return got_any

    def _operational_error(self, line: str) -> None:
        try:
            errors = json.loads(line).get("errors") or []
        except ValueError:
            errors = []
        text = "; ".join(str(e.get("detail") or e.get("title") or e) for e in errors)
        log.warning("%s sent an error: %s", self.receiver.describe(), text or line)
        self.receiver.reportError(f"{self.receiver.describe()} sent an error: {text or line}")


# -- rules -------------------------------------------------------------------------------


def sync_rules(client: Any, filters: list[str], tag: str) -> None:
    """Make the rules tagged ``tag`` exactly ``filters``: add what is missing, delete what is
    no longer wanted; rules of other tags stay (one matching a filter counts as present)."""
    response = client.get(RULES_PATH)
    if response.status_code != 200:
        raise _HTTPError(response.status_code, _error_text(response), _reset(response))
    existing = response.json().get("data") or []
    present = {rule.get("value") for rule in existing}
    stale = [rule["id"] for rule in existing
             if rule.get("tag") == tag and rule.get("value") not in filters]
    missing = [f for f in dict.fromkeys(filters) if f not in present]
    if stale:
        _post_rules(client, {"delete": {"ids": stale}})
        log.info("Deleted %d stale stream rules tagged %r", len(stale), tag)
    if missing:
        _post_rules(client, {"add": [{"value": f, "tag": tag} for f in missing]})
        log.info("Added stream rules %s tagged %r", missing, tag)


def _post_rules(client: Any, body: dict) -> None:
    response = client.post(RULES_PATH, json=body)
    if response.status_code == 400 or (response.status_code in (200, 201)
                                       and response.json().get("errors")):
        raise TwitterRuleError(_error_text(response))
    if response.status_code not in (200, 201):
        raise _HTTPError(response.status_code, _error_text(response), _reset(response))


# -- HTTP details -------------------------------------------------------------------------


def _is_error_object(line: str) -> bool:
    return line.startswith('{"errors"') or ('"errors"' in line and '"data"' not in line
                                             and line.startswith("{"))


def _error_text(response: Any) -> str:
    """X's explanation of a failed request: its ``errors``/``detail``, else the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict):
        errors = body.get("errors")
        if errors:
            return "; ".join(
                " ".join(str(x) for x in (e.get("title"), e.get("value"), e.get("detail")
                                          or e.get("message")) if x) for e in errors)
        if body.get("detail") or body.get("title"):
            return str(body.get("detail") or body.get("title"))
    return json.dumps(body)[:300]


def _reset(response: Any) -> float | None:
    """``x-rate-limit-reset`` (epoch seconds) when X sends it."""
    value = response.headers.get("x-rate-limit-reset")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _socket_of(response: Any) -> socket.socket | None:
    stream = response.extensions.get("network_stream")
    try:
        return stream.get_extra_info("socket") if stream is not None else None
    except Exception:  # noqa: BLE001 - only used to stop promptly
        return None
