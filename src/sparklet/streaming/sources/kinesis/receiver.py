"""The Kinesis receiver: what the Kinesis Client Library does, on boto3.

One thread per receiver keeps the shards it holds leases on (see :mod:`.leases`), reads each
with ``GetRecords`` in turn, stores every response's records as one block
(``store(list)``: with the write-ahead log on, durable before it returns) and then, every
``checkpointInterval`` and when it stops, writes the sequence number of the last *stored*
record of each shard to the lease table. A sequence number is never checkpointed before its
record is stored, so a restarted receiver -- or the one that takes a shard over -- resumes
after it (``AFTER_SEQUENCE_NUMBER``) and loses nothing; what was stored after the last
checkpoint is read again (the at-least-once window: up to one ``checkpointInterval`` of
records, after a crash or a lease taken away).

Around the reading, the coordination the KCL does:

* shard discovery: ``ListShards`` every ``shardSyncInterval``; each new shard gets a lease
  (its checkpoint the initial position, or ``TRIM_HORIZON`` for a child shard: a child is
  read from its start);
* resharding: a child shard (of a split or merge) is taken only once all its parents are
  checkpointed ``SHARD_END``, so each key's records are read in order across the reshard;
* sharing: every receiver with the same ``kinesisAppName`` takes its fair share of the
  shards (free leases, expired ones -- not renewed for ``failoverTime`` -- and, if still
  short, one stolen per round from the busiest receiver);
* errors: throttling (``ProvisionedThroughputExceededException``), connection errors and a
  missing stream are retried with :class:`~sparklet.streaming.sources.backoff.Backoff`,
  logged once per attempt and reported to the driver once per outage.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.receiver import Receiver
from sparklet.streaming.sources.backoff import Backoff, connect_with_backoff
from sparklet.streaming.sources.kinesis.leases import (
    LATEST,
    SHARD_END,
    TRIM_HORIZON,
    Lease,
    LeaseTable,
)

__all__ = ["KinesisReceiver", "KinesisSettings"]

log = logging.getLogger("sparklet.streaming.kinesis")

# Errors worth waiting out: the source is busy, unreachable or not there yet.
_RETRIED = {"ProvisionedThroughputExceededException", "LimitExceededException",
            "ResourceNotFoundException", "ResourceInUseException", "KMSThrottlingException",
            "ThrottlingException", "InternalFailure", "ServiceUnavailable",
            "ExpiredTokenException", "ExpiredToken"}


@dataclass
class KinesisSettings:
    """Where and how to read: everything a receiver needs, pickled to the executor."""
    app_name: str
    stream_name: str
    endpoint_url: str | None
    region_name: str
    initial_position: str
    checkpoint_interval: float
    access_key_id: str | None = None
    secret_key: str | None = None
    sts_role_arn: str | None = None
    sts_session_name: str | None = None
    sts_external_id: str | None = None
    dynamodb_endpoint_url: str | None = None
    sts_endpoint_url: str | None = None
    failover_time: float = 10.0
    shard_sync_interval: float = 10.0
    idle_time: float = 1.0
    max_records: int = 10000


@dataclass
class _Shard:
    """A shard this receiver holds: where to read next and what is stored/checkpointed."""
    lease: Lease
    iterator: str | None = None
    stored: str | None = None        # sequence number of the last record stored
    checkpointed: str | None = None  # ... and of the last one checkpointed
    info: dict = field(default_factory=dict)


def _code(error: BaseException) -> str | None:
    return getattr(error, "response", {}).get("Error", {}).get("Code")


def _retried(error: BaseException) -> bool:
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

    return (_code(error) in _RETRIED or isinstance(
        error, (BotoConnectionError, EndpointConnectionError, ReadTimeoutError, OSError)))


def _is_seq(checkpoint: str | None) -> bool:
    return checkpoint is not None and checkpoint not in (TRIM_HORIZON, LATEST, SHARD_END)


def session(s: KinesisSettings) -> Any:
    """A boto3 session: the given keys or the default chain, then the assumed role."""
    import boto3

    base = boto3.Session(aws_access_key_id=s.access_key_id,
                         aws_secret_access_key=s.secret_key, region_name=s.region_name)
    if not s.sts_role_arn:
        return base
    kwargs: dict = {"RoleArn": s.sts_role_arn,
                    "RoleSessionName": s.sts_session_name or f"sparklet-{s.app_name}"}
    if s.sts_external_id:
        kwargs["ExternalId"] = s.sts_external_id
    sts = base.client("sts", endpoint_url=s.sts_endpoint_url or s.endpoint_url)
    creds = sts.assume_role(**kwargs)["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"],
                         aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name=s.region_name)


class KinesisReceiver(Receiver):
    """Reads stream ``settings.stream_name``'s shards held through the lease table
    ``settings.app_name``, storing each record's data (bytes)."""

    def __init__(self, settings: KinesisSettings,
                 storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2):
        super().__init__(storageLevel)
        self.settings = settings
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_stopping", None)
        state.pop("_thread", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._stopping = threading.Event()
        self._thread = None

    # -- Receiver --------------------------------------------------------------------------

    def onStart(self) -> None:
        self._stopping = threading.Event()
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._shards: dict[str, _Shard] = {}
        self._seen: dict[str, tuple[int, float]] = {}  # counter, when it last moved
        self._shard_info: dict[str, dict] = {}
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"kinesis-receiver-{self.settings.stream_name}")
        self._thread.start()

    def onStop(self) -> None:
        self._stopping.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(30)

    # -- the loop --------------------------------------------------------------------------

    def _connect(self) -> tuple[Any, LeaseTable]:
        s = self.settings
        sess = session(s)
        kinesis = sess.client("kinesis", endpoint_url=s.endpoint_url)
        dynamodb = sess.client("dynamodb", endpoint_url=s.dynamodb_endpoint_url or s.endpoint_url)
        kinesis.describe_stream_summary(StreamName=s.stream_name)
        table = LeaseTable(dynamodb, s.app_name)
        table.ensure()
        return kinesis, table

    def _where(self) -> str:
        s = self.settings
        return f"Kinesis stream {s.stream_name} at {s.endpoint_url or s.region_name}"

    def _run(self) -> None:
        s = self.settings
        backoff = Backoff(initial=0.1, maximum=10.0, jitter=0.2)
        connected = connect_with_backoff(self, self._where(), self._connect, self._stopping,
                                         log, Backoff(initial=0.1, maximum=10.0))
        if connected is None:
            return
        self.kinesis, self.table = connected
        next_sync = next_leases = next_checkpoint = 0.0
        try:
            while not self._done():
                now = time.monotonic()
                try:
                    if now >= next_sync:
                        self._sync_shards()
                        next_sync = now + s.shard_sync_interval
                    if now >= next_leases:
                        self._take_leases()
                        next_leases = now + s.failover_time / 3
                    if now >= next_checkpoint:
                        self._checkpoint()
                        next_checkpoint = now + s.checkpoint_interval
                    got = self._read_round()
                except Exception as e:  # noqa: BLE001 - sorted below
                    if self._done():
                        break
                    if not _retried(e):
                        raise
                    delay = backoff.next_delay()
                    log.warning("%s: %s (attempt %d); retrying in %.1f s", self._where(), e,
                                backoff.attempts, delay)
                    if backoff.attempts == 1:
                        self.reportError(f"{self._where()}: {e} (retrying)", e)
                    for shard in self._shards.values():
                        shard.iterator = None  # iterators may have expired meanwhile
                    self._stopping.wait(delay)
                    continue
                if backoff.attempts:
                    log.info("%s: reading again after %d failed attempts", self._where(),
                             backoff.attempts)
                    backoff.reset()
                if not got:
                    self._stopping.wait(s.idle_time)
        except _StoreFailed as e:
            if not self._done():
                self.restart(f"Could not store Kinesis records: {e.__cause__}", e.__cause__)
            return
        except Exception as e:  # noqa: BLE001 - a real failure: restart the receiver
            if not self._done():
                log.exception("%s: receiver failed", self._where())
                self.restart(f"{self._where()}: {e}", e)
            return
        self._shutdown()

    def _done(self) -> bool:
        return self._stopping.is_set() or self.isStopped()

    def _shutdown(self) -> None:
        """On a clean stop: checkpoint what was stored and give the leases up."""
        try:
            self._checkpoint()
            for shard in list(self._shards.values()):
                self.table.release(shard.lease, self.owner)
        except Exception as e:  # noqa: BLE001 - the next owner re-reads past the checkpoint
            log.warning("%s: last checkpoint failed: %s", self._where(), e)

    # -- shards and leases -----------------------------------------------------------------

    def _sync_shards(self) -> None:
        s = self.settings
        shards: list[dict] = []
        kwargs: dict = {"StreamName": s.stream_name}
        while True:
            page = self.kinesis.list_shards(**kwargs)
            shards.extend(page["Shards"])
            if not page.get("NextToken"):
                break
            kwargs = {"NextToken": page["NextToken"]}
        known = self.table.all()
        for info in shards:
            sid = info["ShardId"]
            self._shard_info[sid] = info
            if sid in known:
                continue
            parents = [p for p in (info.get("ParentShardId"), info.get("AdjacentParentShardId"))
                       if p]
            start = TRIM_HORIZON if parents else s.initial_position
            self.table.create(sid, start, parents)
            log.info("%s: new shard %s (parents %s)", self._where(), sid, parents or "none")

    def _expired(self, lease: Lease, now: float) -> bool:
        counter, since = self._seen.get(lease.shard_id, (lease.counter, now))
        return counter == lease.counter and now - since >= self.settings.failover_time

    def _take_leases(self) -> None:
        now = time.monotonic()
        leases = self.table.all()
        for lease in leases.values():
            seen = self._seen.get(lease.shard_id)
            if seen is None or seen[0] != lease.counter:
                self._seen[lease.shard_id] = (lease.counter, now)
        # Renew what is still ours; forget what was taken away.
        for sid, shard in list(self._shards.items()):
            current = leases.get(sid)
            if current is None or current.owner != self.owner or \
                    current.counter != shard.lease.counter or \
                    not self.table.renew(shard.lease, self.owner):
                log.info("%s: lost the lease of shard %s", self._where(), sid)
                del self._shards[sid]
            else:
                self._seen[sid] = (shard.lease.counter, now)
        def finished(sid: str) -> bool:
            parent = leases.get(sid)
            return parent is None or parent.checkpoint == SHARD_END
        eligible = [lease for lease in leases.values() if lease.checkpoint != SHARD_END
                    and all(finished(p) for p in lease.parents)]
        if not eligible:
            return
        live = {lease.owner for lease in eligible
                if lease.owner and not self._expired(lease, now)} | {self.owner}
        target = math.ceil(len(eligible) / len(live))
        free = [lease for lease in eligible if lease.shard_id not in self._shards and
                (lease.owner is None or (lease.owner != self.owner and
                                         self._expired(lease, now)))]
        for lease in sorted(free, key=lambda lease: lease.shard_id):
            if len(self._shards) >= target:
                return
            self._adopt(lease)
        if len(self._shards) < target:
            load: dict[str, list[Lease]] = {}
            for lease in eligible:
                if lease.owner and lease.owner != self.owner:
                    load.setdefault(lease.owner, []).append(lease)
            if load:
                busiest = max(load.values(), key=len)
                if len(busiest) > target:
                    self._adopt(sorted(busiest, key=lambda lease: lease.shard_id)[-1])

    def _adopt(self, lease: Lease) -> None:
        previous = lease.owner
        if self.table.take(lease, self.owner):
            self._shards[lease.shard_id] = _Shard(
                lease, checkpointed=lease.checkpoint if _is_seq(lease.checkpoint) else None)
            self._seen[lease.shard_id] = (lease.counter, time.monotonic())
            log.info("%s: took the lease of shard %s (from %s, checkpoint %s)", self._where(),
                     lease.shard_id, previous or "nobody", lease.checkpoint)

    def _checkpoint(self) -> None:
        for sid, shard in list(self._shards.items()):
            if shard.stored is not None and shard.stored != shard.checkpointed:
                if self.table.checkpoint(sid, self.owner, shard.stored):
                    shard.checkpointed = shard.stored
                    shard.lease.checkpoint = shard.stored
                else:
                    log.info("%s: lost the lease of shard %s", self._where(), sid)
                    del self._shards[sid]

    # -- reading ---------------------------------------------------------------------------

    def _iterator(self, sid: str, shard: _Shard) -> str:
        position = shard.stored or shard.lease.checkpoint
        kwargs: dict = {"StreamName": self.settings.stream_name, "ShardId": sid}
        if _is_seq(position):
            kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                          StartingSequenceNumber=position)
        else:
            kwargs["ShardIteratorType"] = position
        return self.kinesis.get_shard_iterator(**kwargs)["ShardIterator"]

    def _read_round(self) -> bool:
        """One ``GetRecords`` per held shard; whether any returned records."""
        got = False
        for sid, shard in list(self._shards.items()):
            if self._done():
                break
            if shard.iterator is None:
                shard.iterator = self._iterator(sid, shard)
            try:
                response = self.kinesis.get_records(ShardIterator=shard.iterator,
                                                    Limit=self.settings.max_records)
            except Exception as e:
                if _code(e) == "ExpiredIteratorException":
                    shard.iterator = None
                    continue
                raise
            records = response.get("Records", [])
            if records:
                try:
                    self.store([r["Data"] for r in records])
                except Exception as e:
                    raise _StoreFailed() from e
                shard.stored = records[-1]["SequenceNumber"]
                got = True
            shard.iterator = response.get("NextShardIterator")
            if shard.iterator is None or (not records and self._read_to_end(sid, shard)):
                self._finish(sid, shard)
        return got

    def _read_to_end(self, sid: str, shard: _Shard) -> bool:
        """Whether a closed shard has been read to its end. Kinesis says so with no next
        iterator; moto never does, so also: the last record read is the shard's last."""
        info = self._shard_info.get(sid, {}).get("SequenceNumberRange", {})
        end = info.get("EndingSequenceNumber")
        if end is None:
            return False
        last = shard.stored or shard.lease.checkpoint
        if _is_seq(last):
            return int(last) >= int(end)
        return int(end) <= int(info.get("StartingSequenceNumber", "0"))

    def _finish(self, sid: str, shard: _Shard) -> None:
        """The shard is closed and every record of it is stored: SHARD_END, so its children
        may be read."""
        if self.table.checkpoint(sid, self.owner, SHARD_END):
            log.info("%s: shard %s read to its end", self._where(), sid)
            shard.lease.checkpoint = SHARD_END
            self.table.release(shard.lease, self.owner)
        self._shards.pop(sid, None)


class _StoreFailed(Exception):
    """``store`` raised: the records were not stored, so they are not checkpointed."""
