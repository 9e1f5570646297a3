"""The receiver of the X API v2 filtered stream (``GET /2/tweets/search/stream``).

On start it makes the stream rules match ``filters`` (its own rules carry ``tag``, so it
deletes only its own stale ones), then reads the long-lived response: one JSON object a
line, blank keep-alive lines about every 20 s. It stores each line's raw bytes; the stream
parses them (:func:`sparklet.streaming.sources.malformed.decoded`).

Reconnects follow X's documented backoff, every delay times ``scale``
(``spark.sparklet.twitter.backoffScale``): network errors and a stall (nothing, not even
a keep-alive, for ``stall_timeout`` s) linear from 250 ms to 16 s; HTTP errors exponential
from 5 s to 320 s; HTTP 429 exponential from 60 s, and never before ``x-rate-limit-reset``.
401/403 (bad or unauthorized token) are reported to the driver and stop the receiver:
retrying cannot fix a credential. Each reconnect is one log line.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.receiver import Receiver
from sparklet.streaming.sources.backoff import Backoff

log = logging.getLogger("sparklet.streaming.twitter")

__all__ = ["TwitterReceiver", "TwitterRuleError", "TwitterAuthError"]


class TwitterRuleError(ValueError):
    """X refused the stream rules (HTTP 400 with ``errors``)."""


class TwitterAuthError(PermissionError):
    """X refused the bearer token (HTTP 401/403)."""


class _HTTPError(Exception):
    def __init__(self, status: int, body: str, headers: Any):
        super().__init__(f"HTTP {status}: {body[:300]}")
        self.status, self.headers = status, headers


class TwitterReceiver(Receiver):
    def __init__(self, bearer_token: str, filters: list[str] | None, api_url: str,
                 params: dict[str, str], tag: str = "sparklet", stall_timeout: float = 90.0,
                 scale: float = 1.0,
                 storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2):
        super().__init__(storageLevel)
        self.bearer_token, self.filters, self.tag = bearer_token, filters, tag
        self.api_url, self.params = api_url.rstrip("/"), dict(params)
        self.stall_timeout, self.scale = stall_timeout, scale
        self._init_runtime()

    def _init_runtime(self) -> None:
        self._stopping = threading.Event()
        self._client: Any = None

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_stopping", None)
        state.pop("_client", None)
        state.pop("_backoffs", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._init_runtime()

    # -- lifecycle -------------------------------------------------------------------------

    def onStart(self) -> None:
        import httpx

        self._stopping.clear()
        self._client = httpx.Client(
            base_url=self.api_url,
            headers={"Authorization": f"Bearer {self.bearer_token}",
                     "User-Agent": "sparklet-twitter"},
            timeout=httpx.Timeout(30.0, read=self.stall_timeout))
        threading.Thread(target=self._run, name="twitter-receiver", daemon=True).start()

    def onStop(self) -> None:
        self._stopping.set()
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def _done(self) -> bool:
        return self._stopping.is_set() or self.isStopped()

    # -- rules -----------------------------------------------------------------------------

    def _check(self, response: Any) -> Any:
        if response.status_code >= 400:
            raise _HTTPError(response.status_code, response.text, response.headers)
        return response.json()

    def sync_rules(self) -> None:
        """Add the missing ``filters`` as rules tagged ``tag``; delete stale rules of that
        tag. ``filters=None`` leaves the rules as they are."""
        if self.filters is None:
            return
        client = self._client
        current = self._check(client.get("/2/tweets/search/stream/rules")).get("data") or []
        have = {r.get("value") for r in current}
        stale = [r["id"] for r in current
                 if r.get("tag") == self.tag and r.get("value") not in self.filters]
        if stale:
            self._post_rules({"delete": {"ids": stale}})
            log.info("Deleted %d stale stream rule(s) tagged %r", len(stale), self.tag)
        missing = [f for f in self.filters if f not in have]
        if missing:
            self._post_rules({"add": [{"value": f, "tag": self.tag} for f in missing]})
            log.info("Added %d stream rule(s): %s", len(missing), missing)

    def _post_rules(self, body: dict) -> None:
        response = self._client.post("/2/tweets/search/stream/rules", json=body)
        result = self._check(response)
        errors = result.get("errors") if isinstance(result, dict) else None
        if errors:
            raise TwitterRuleError(f"X refused the stream rules {body}: {errors}")

    # -- the stream --------------------------------------------------------------------------

    def _run(self) -> None:
        import httpx

        network = Backoff(0.25 * self.scale, 16.0 * self.scale, linear=True)
        http = Backoff(5.0 * self.scale, 320.0 * self.scale)
        limited = Backoff(60.0 * self.scale, 960.0 * self.scale)
        self._backoffs = (network, http, limited)
        rules_done = False
        reported = False
        while not self._done():
            try:
                if not rules_done:
                    self.sync_rules()
                    rules_done = True
                self._stream()
                delay, why = network.next_delay(), "the stream ended"
            except TwitterRuleError as e:
                self._fatal(str(e), e)
                return
            except _HTTPError as e:
                if e.status in (401, 403):
                    self._fatal(f"X refused the bearer token ({e}); stopping the Twitter "
                                "receiver", TwitterAuthError(str(e)))
                    return
                if e.status == 400 and not rules_done:
                    self._fatal(f"X refused the stream rules: {e}", TwitterRuleError(str(e)))
                    return
                if e.status == 429:
                    delay = limited.next_delay()
                    reset = e.headers.get("x-rate-limit-reset")
                    if reset and reset.isdigit():
                        delay = max(delay, (int(reset) - time.time()) * self.scale)
                else:
                    delay = http.next_delay()
                why = str(e)
            except (httpx.TransportError, httpx.StreamError, OSError) as e:
                if self._done():
                    return
                if isinstance(e, httpx.ReadTimeout):
                    why = f"stalled: no data for {self.stall_timeout} s"
                else:
                    why = f"network error: {type(e).__name__}: {e}"
                delay = network.next_delay()
            if self._done():
                return
            log.warning("Twitter stream %s: %s; reconnecting in %.3f s", self.api_url, why,
                        delay)
            if not reported:
                self.reportError(f"Twitter stream {self.api_url}: {why} (reconnecting)")
                reported = True
            self._stopping.wait(delay)
        return

    def _stream(self) -> None:
        client = self._client
        if client is None:
            return
        with client.stream("GET", "/2/tweets/search/stream", params=self.params) as response:
            if response.status_code != 200:
                response.read()
                raise _HTTPError(response.status_code, response.text, response.headers)
            log.info("Connected to the X filtered stream at %s", self.api_url)
            network, http, limited = self._backoffs
            http.reset()
            limited.reset()
            for line in response.iter_lines():
                if self._done():
                    return
                if not line.strip():
                    continue  # a keep-alive
                # Only data proves the connection healthy: one dropped right after its
                # 200 keeps the network backoff growing.
                network.reset()
                self.store(line.encode("utf-8"))

    def _fatal(self, message: str, error: BaseException) -> None:
        log.error("%s", message)
        if not self.isStopped():
            self.reportError(message, error)
            self.stop(message, error)
