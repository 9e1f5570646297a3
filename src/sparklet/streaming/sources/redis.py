"""The Redis Streams receiver behind :mod:`sparklet.streaming.redis`: a consumer of a
consumer group, reliable on the shared
:class:`~sparklet.streaming.sources.acking.AckingReceiver`.

Redis keeps, per consumer, the entries delivered and not yet acknowledged (its pending
entries list), but never redelivers them by itself. So every session (the first, and each
one after a lost connection, a receiver restart or a driver restart) first reads this
consumer's own pending entries (``XREADGROUP ... 0``) and only then new ones (``>``); entries
are acknowledged (``XACK``) once their block is stored. The consumer's name is stable (from
the application, the keys and the input stream unless given), so a restarted driver finds
its pending entries. Entries pending on *another* consumer that died are taken over with
``XAUTOCLAIM`` when ``claimIdle`` is set: those idle longer than ``claimIdle`` seconds.

A record is stored as ``(key, id, fields)`` in bytes, as Redis returns them; the stream
decodes them (:mod:`sparklet.streaming.redis`).
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.sources.acking import AckingReceiver

__all__ = ["RedisStreamReceiver", "require_redis", "consumer_name", "safe_url"]

log = logging.getLogger("sparklet.streaming.redis")

_SOCKET_S = 10.0   # longest wait for one reply (XREADGROUP blocks 100 ms at most)
_NEW = ">"


def require_redis():
    """The ``redis`` module (redis-py), or an ImportError naming the extra."""
    try:
        import redis
    except ImportError as e:
        raise ImportError("RedisUtils needs redis-py: pip install 'sparklet[redis]'") from e
    return redis


def consumer_name(app: str, streams: list[str]) -> str:
    """A consumer name from the application and the stream keys.

    >>> consumer_name("My App", ["orders", "refunds"])
    'sparklet-My_App-orders,refunds'
    """
    return re.sub(r"\s", "_", f"sparklet-{app}-{','.join(streams)}")


class _Session:
    def __init__(self, client: Any, consumer: str, streams: list[str]):
        self.client = client
        self.consumer = consumer
        # Per key: the id after which this consumer's own pending entries are read, or ">"
        # once they are all read (new entries only from then on).
        self.cursors: dict[str, str] = {k: "0" for k in streams}
        self.claim_cursors: dict[str, str] = {k: "0-0" for k in streams}
        self.claim_at = 0.0  # monotonic time of the next XAUTOCLAIM round


class RedisStreamReceiver(AckingReceiver):
    """Reads the stream ``streams`` (keys) as consumer ``consumerName`` of group
    ``groupName`` (created at ``startId`` if missing, with the stream), acknowledging each
    entry once stored. ``consumerName`` None: ``<consumerPrefix>-<input stream id>``."""

    def __init__(self, url: str, streams: list[str], groupName: str,
                 consumerName: str | None, consumerPrefix: str, startId: str = "$",
                 storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                 claimIdle: float | None = None, connectOptions: dict | None = None):
        super().__init__(storageLevel)
        self.url = url
        self.streams = list(streams)
        self.groupName = groupName
        self.consumerName = consumerName
        self.consumerPrefix = consumerPrefix
        self.startId = startId
        self.claimIdle = claimIdle
        self.connectOptions = dict(connectOptions or {})

    def consumer(self) -> str:
        return self.consumerName or f"{self.consumerPrefix}-{self.streamId}"

    # -- AckingReceiver --------------------------------------------------------------------

    def describe(self) -> str:
        return (f"Redis stream{'s' if len(self.streams) > 1 else ''} "
                f"{','.join(self.streams)} (group {self.groupName}, consumer "
                f"{self.consumer()}) at {safe_url(self.url)}")

    def connect(self) -> _Session:
        redis = require_redis()
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        options = {"socket_connect_timeout": 2.0, "socket_timeout": _SOCKET_S,
                   **self.connectOptions,
                   # No retries inside the client: a lost connection ends the session and
                   # the receiver reconnects with backoff, logging and reporting it.
                   "retry": Retry(NoBackoff(), 0), "decode_responses": False}
        client = redis.Redis.from_url(self.url, **options)
        try:
            client.ping()
            for key in self.streams:
                try:
                    client.xgroup_create(key, self.groupName, id=self.startId, mkstream=True)
                    log.info("Created consumer group %s of Redis stream %s at %s",
                             self.groupName, key, self.startId)
                except redis.ResponseError as e:
                    if "BUSYGROUP" not in str(e):
                        raise
        except BaseException:
            client.close()
            raise
        return _Session(client, self.consumer(), self.streams)

    def fetch(self, session: _Session, max_records: int, timeout: float) -> list:
        got = self._pending(session, max_records)
        if got is None and self.claimIdle is not None \
                and time.monotonic() >= session.claim_at:
            got = self._claim(session, max_records)
        if got is None:
            count = max(1, max_records // len(self.streams))
            block = int(timeout * 1000)
            reply = session.client.xreadgroup(
                self.groupName, session.consumer, {k: _NEW for k in self.streams},
                count=count, block=block if block > 0 else None)
            got = self._records(session, reply)
        return got

    def ack(self, session: _Session, tokens: list) -> None:
        by_key: dict[bytes, list] = {}
        for key, entry_id in tokens:
            by_key.setdefault(key, []).append(entry_id)
        pipe = session.client.pipeline(transaction=False)
        for key, ids in by_key.items():
            pipe.xack(key, self.groupName, *ids)
        pipe.execute()

    def close(self, session: _Session) -> None:
        session.client.close()

    # -- reading ---------------------------------------------------------------------------

    def _pending(self, session: _Session, n: int) -> list | None:
        """This consumer's own pending entries, after its cursors; None when all are read."""
        keys = {k: c for k, c in session.cursors.items() if c != _NEW}
        if not keys:
            return None
        reply = session.client.xreadgroup(self.groupName, session.consumer, keys,
                                          count=max(1, n // len(keys)))
        seen = {_text(key): entries for key, entries in reply or []}
        for key in keys:
            entries = seen.get(key)
            if entries:
                session.cursors[key] = _text(entries[-1][0])
            else:
                session.cursors[key] = _NEW
                log.info("Read the pending entries of consumer %s on Redis stream %s",
                         session.consumer, key)
        records = self._records(session, reply)
        return records or (None if all(c == _NEW for c in session.cursors.values()) else [])

    def _claim(self, session: _Session, n: int) -> list | None:
        """Entries idle longer than ``claimIdle`` on any consumer of the group, taken over
        (``XAUTOCLAIM``), one page per key; None once a round over every key is done."""
        idle_ms = int(self.claimIdle * 1000)
        records: list = []
        for key in self.streams:
            start = session.claim_cursors[key]
            if start == _NEW:
                continue
            cursor, entries, *_ = session.client.xautoclaim(
                key, self.groupName, session.consumer, idle_ms, start_id=start, count=n)
            cursor = _text(cursor)
            session.claim_cursors[key] = _NEW if cursor == "0-0" else cursor
            if entries:
                log.info("Claimed %d entries of Redis stream %s idle for more than %.1f s",
                         len(entries), key, self.claimIdle)
                records.extend(self._records(session, [(key.encode(), entries)]))
        if all(c == _NEW for c in session.claim_cursors.values()):
            session.claim_cursors = {k: "0-0" for k in self.streams}
            session.claim_at = time.monotonic() + self.claimIdle
        return records or None

    def _records(self, session: _Session, reply) -> list:
        out, gone = [], []
        for key, entries in reply or []:
            for entry_id, fields in entries:
                if entry_id is None:
                    continue
                if not fields:  # deleted (XDEL, trimming) while pending: nothing to give
                    gone.append((key, entry_id))
                    continue
                out.append(((key, entry_id, fields), (key, entry_id)))
        if gone:
            log.info("Acknowledging %d pending entries deleted from their stream", len(gone))
            self.ack(session, gone)
        return out


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def safe_url(url: str) -> str:
    """``url`` without its password, for logs."""
    return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url)
