"""Barrier execution mode: which stages are barrier stages, and the driver's coordinator.

A stage is a barrier stage when an RDD of it (within the stage, not across a shuffle) came
from ``rdd.barrier().mapPartitions(...)``. Its tasks start together, and they synchronise
through the :class:`BarrierCoordinator`, a small server on the driver's loopback interface:
a task's ``barrier()`` / ``allGather(message)`` opens a connection, sends its request and
blocks until every task of the stage attempt sent the same kind of request for the same
epoch; then all get the messages ordered by partition id. (PySpark's worker likewise talks
to a socket of its JVM for this.) The server checks a per-application secret, so no other
local process can join a barrier.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import socket
import threading

from sparklet import serializers
from sparklet.dependency import ShuffleDependency
from sparklet.errors import SparkException

__all__ = ["BarrierCoordinator", "is_barrier_rdd", "check_barrier_stage", "barrier_sync",
           "ERROR_UNSUPPORTED_CHAIN", "ERROR_MORE_SLOTS"]

log = logging.getLogger(__name__)

ERROR_UNSUPPORTED_CHAIN = (
    "[SPARK-24820][SPARK-24821]: Barrier execution mode does not allow the following pattern "
    "of RDD chain within a barrier stage:\n1. Ancestor RDDs that have different number of "
    "partitions from the resulting RDD (e.g. union()/coalesce()/first()/take()/"
    "PartitionPruningRDD). A workaround for first()/take() can be barrierRdd.collect().head "
    "(scala) or barrierRdd.collect()[0] (python).\n2. An RDD that depends on multiple barrier "
    "RDDs (e.g. barrierRdd1.zip(barrierRdd2)).")
ERROR_MORE_SLOTS = (
    "[SPARK-24819]: Barrier execution mode does not allow run a barrier stage that requires "
    "more slots than the total number of slots in the cluster currently. Please init a new "
    "cluster with more resources(e.g. CPU, GPU) or repartition the input RDD(s) to reduce the "
    "number of slots required to run this barrier stage.")

def _narrow_parents(rdd) -> list:
    return [d.rdd for d in rdd.dependencies() if not isinstance(d, ShuffleDependency)]


def _stage_rdds(rdd):
    """``rdd`` and every RDD its stage pipelines with it (narrow ancestors), each once."""
    to_visit, seen = [rdd], set()
    while to_visit:
        r = to_visit.pop()
        if r.id() not in seen:
            seen.add(r.id())
            yield r
            to_visit.extend(_narrow_parents(r))


def is_barrier_rdd(rdd) -> bool:
    """Whether ``rdd``'s stage is a barrier stage (Spark's ``RDD.isBarrier``)."""
    return any(getattr(r, "_is_from_barrier", False) for r in _stage_rdds(rdd))


def check_barrier_stage(rdd, num_tasks: int, total_slots: int) -> None:
    """Spark's submission checks of a barrier stage: every RDD of the stage has one
    partition per task and depends on at most one barrier RDD, and the cluster has a slot
    for every task at once."""
    if not is_barrier_rdd(rdd):
        return
    for r in _stage_rdds(rdd):
        if (r.getNumPartitions() != num_tasks
                or sum(1 for p in _narrow_parents(r) if is_barrier_rdd(p)) > 1):
            raise SparkException(ERROR_UNSUPPORTED_CHAIN)
    if num_tasks > total_slots:
        raise SparkException(ERROR_MORE_SLOTS)


# -- wire format: a length-prefixed pickle each way ---------------------------------------

def _send(sock: socket.socket, obj) -> None:
    sock.sendall(serializers.frame(serializers.dumps(obj)))


def _recv(sock: socket.socket):
    data = serializers.recv_framed(sock)
    if data is None:
        raise EOFError("barrier coordinator connection closed")
    return serializers.loads(data)


def barrier_sync(coordinator: tuple[str, int, str], stage_id: int, stage_attempt: int,
                 partition: int, epoch: int, method: str, message: str) -> list[str]:
    """Task side: one barrier()/allGather() call; blocks until the whole stage arrives."""
    host, port, secret = coordinator
    with socket.create_connection((host, port)) as sock:
        _send(sock, (secret, stage_id, stage_attempt, partition, epoch, method, message))
        status, value = _recv(sock)
    if status != "ok":
        raise SparkException(value)
    return value


class _Sync:
    """The barrier state of one stage attempt."""

    def __init__(self, num_tasks: int):
        self.num_tasks = num_tasks
        self.epoch = 0
        self.requests: dict[int, tuple[str, str]] = {}   # partition -> (method, message)
        self.outcomes: dict[int, tuple[str, object]] = {}
        self.failure: str | None = None


class BarrierCoordinator:
    """Driver side: collects each epoch's requests of a barrier stage attempt and answers
    all of them at once."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self.secret = secrets.token_hex(16)
        self._server = socket.create_server(("127.0.0.1", 0))
        self.host, self.port = self._server.getsockname()[:2]
        self._cond = threading.Condition()
        self._syncs: dict[tuple[int, int], _Sync] = {}
        self._stopped = False
        threading.Thread(target=self._accept_loop, daemon=True,
                         name="sparklet-barrier-coordinator").start()

    @property
    def address(self) -> str:
        return "%s:%d" % (self.host, self.port)

    def client_info(self) -> tuple[str, int, str]:
        return (self.host, self.port, self.secret)

    def start_stage(self, stage_id: int, attempt: int, num_tasks: int) -> None:
        with self._cond:
            self._syncs[(stage_id, attempt)] = _Sync(num_tasks)

    def end_stage(self, stage_id: int, attempt: int) -> None:
        """The attempt finished or failed: tasks still waiting in a barrier get an error."""
        with self._cond:
            sync = self._syncs.pop((stage_id, attempt), None)
            if sync is not None:
                sync.failure = "Stage %d (Attempt %d) ended while tasks waited in a barrier" % (
                    stage_id, attempt)
                self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            for key in list(self._syncs):
                self._syncs[key].failure = "the SparkContext stopped"
            self._syncs.clear()
            self._cond.notify_all()
        try:
            self._server.close()
        except OSError:
            pass

    # -- serving ---------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stopped:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return  # closed by stop()
            threading.Thread(target=self._serve, args=(conn,), daemon=True,
                             name="sparklet-barrier-request").start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            with conn:
                request = _recv(conn)
                secret = request[0]
                if not (isinstance(secret, str) and hmac.compare_digest(secret, self.secret)):
                    return  # not one of our tasks: close without answering
                _send(conn, self._sync(*request[1:]))
        except (OSError, EOFError, ValueError):
            pass  # the task died while waiting; its stage fails through the scheduler
        except Exception:  # noqa: BLE001 - a bad request must not kill the server
            log.exception("bad barrier request")

    def _sync(self, stage_id: int, attempt: int, partition: int, epoch: int, method: str,
              message: str) -> tuple[str, object]:
        key = (stage_id, attempt)
        with self._cond:
            sync = self._syncs.get(key)
            if sync is None:
                return ("error", "Stage %d (Attempt %d) is not a running barrier stage"
                        % (stage_id, attempt))
            if epoch != sync.epoch:
                return ("error", "The request to sync of Stage %d (Attempt %d) with barrier "
                        "epoch %d has already finished. Maybe the caller is interrupted by "
                        "user or other reasons." % (stage_id, attempt, epoch))
            sync.requests[partition] = (method, message)
            if len(sync.requests) == sync.num_tasks:
                methods = sorted({m for m, _ in sync.requests.values()})
                if len(methods) > 1:
                    outcome: tuple[str, object] = (
                        "error", "Different barrier sync types found for the sync Stage %d "
                        "(Attempt %d): %s. Please use the same barrier sync type within a "
                        "single sync." % (stage_id, attempt, ", ".join(methods)))
                else:
                    outcome = ("ok", [sync.requests[p][1] for p in sorted(sync.requests)])
                sync.outcomes[epoch] = outcome
                sync.outcomes.pop(epoch - 1, None)  # everyone has read it: they are here
                sync.requests = {}
                sync.epoch += 1
                self._cond.notify_all()
            arrived = self._cond.wait_for(
                lambda: epoch in sync.outcomes or sync.failure is not None, self.timeout)
            if epoch in sync.outcomes:
                return sync.outcomes[epoch]
            if not arrived:
                sync.failure = (
                    "The coordinator didn't get all barrier sync requests for barrier epoch %d "
                    "from Stage %d (Attempt %d) within %s second(s)."
                    % (epoch, stage_id, attempt, "%g" % self.timeout))
                self._cond.notify_all()
            return ("error", sync.failure)
