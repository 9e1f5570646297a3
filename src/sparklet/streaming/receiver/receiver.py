"""Custom receivers: the user-facing :class:`Receiver` API.

A receiver is started on an executor as a long-running task (see
:mod:`sparklet.streaming.receiver.tracker`). There a ``ReceiverSupervisor`` connects
back to the driver, calls the receiver's ``onStart``, cuts what it ``store()``s into blocks
every ``spark.streaming.blockInterval`` (200 ms by default) and pushes each block to the
driver. Each batch's RDD then has one partition per block received during that batch.

A custom receiver, end to end (``ssc.receiverStream(receiver)`` is the stream of what it
stores)::

    import threading
    from sparklet.streaming.receiver import Receiver

    class CountingReceiver(Receiver):
        '''Stores 0, 1, 2, ... up to ``limit``, one record at a time.'''

        def __init__(self, limit):
            super().__init__()
            self.limit = limit

        def onStart(self):
            # onStart must not block: receive on a thread of your own.
            threading.Thread(target=self._receive, daemon=True).start()

        def onStop(self):
            pass  # the thread checks isStopped() and ends by itself

        def _receive(self):
            n = 0
            while not self.isStopped() and n < self.limit:
                self.store(n)
                n += 1

    numbers = ssc.receiverStream(CountingReceiver(1000))
    numbers.count().pprint()

``store(x)`` stores one record; ``store(list_or_iterator)`` stores many at once, as one
block. With the write-ahead log on (``spark.streaming.receiver.writeAheadLog.enable``),
``store(list_or_iterator)`` returns only once the driver has made the block durable, so a
*reliable* receiver -- one that acknowledges its source after ``store`` returns -- loses
nothing to a driver crash; if the block could not be stored, ``store`` raises instead.
``restart(message)`` stops the receiver (``onStop``) and starts it again after
``spark.streaming.receiverRestartDelay`` ms (2000 by default); ``reportError`` tells the
driver (a ``ReceiverError`` listener event) without stopping; ``stop(message)`` stops it for
good. ``examples/streaming/custom_receiver.py`` is a runnable program.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sparklet.storagelevel import StorageLevel

if TYPE_CHECKING:
    from sparklet.streaming.receiver.supervisor import ReceiverSupervisor

__all__ = ["Receiver"]

# Receiver states, as Spark's ReceiverState.
INITIALIZED, STARTED, STOPPED = "Initialized", "Started", "Stopped"


def _is_many(data: Any) -> bool:
    """Whether ``store(data)`` means many records: lists and iterators (not str, bytes,
    tuples or dicts, which are single records, as a Scala ``store(T)`` would take them)."""
    return isinstance(data, (list, Iterator)) or (
        hasattr(data, "__next__") and hasattr(data, "__iter__"))


class Receiver:
    """Abstract class of a receiver that runs on an executor and receives external data.

    Implement ``onStart`` (start receiving on threads of your own; must not block) and
    ``onStop`` (release what ``onStart`` set up). While started, call ``store`` with each
    record (or a list/iterator of records, stored together as one block). See the module
    documentation for a complete receiver.

    >>> class Numbers(Receiver):
    ...     def onStart(self): pass
    ...     def onStop(self): pass
    >>> r = Numbers()
    >>> r.storageLevel
    StorageLevel(True, True, False, False, 2)
    >>> r.isStarted(), r.isStopped()
    (False, False)
    """

    # Class-level defaults, so a subclass that forgets super().__init__() still works.
    _storage_level: StorageLevel = StorageLevel.MEMORY_AND_DISK_2
    _stream_id: int = -1
    _supervisor: ReceiverSupervisor | None = None

    def __init__(self, storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2):
        self._storage_level = storageLevel
        self._stream_id = -1
        self._supervisor = None

    # -- to implement ----------------------------------------------------------------------

    def onStart(self) -> None:
        """Called when the receiver starts: set up threads, connections... Must not block."""
        raise NotImplementedError

    def onStop(self) -> None:
        """Called when the receiver stops: release everything ``onStart`` set up."""
        raise NotImplementedError

    def preferredLocation(self) -> str | None:
        """Where the receiver would like to run (a host); sparklet does not use it yet."""
        return None

    # -- properties ------------------------------------------------------------------------

    @property
    def storageLevel(self) -> StorageLevel:
        """How the driver keeps received blocks: memory, spilled to disk, or both."""
        return self._storage_level

    @property
    def streamId(self) -> int:
        """The id of the input stream this receiver feeds (-1 until registered)."""
        return self._stream_id

    def _set_stream_id(self, stream_id: int) -> None:
        self._stream_id = stream_id

    # -- for the receiver's own code -------------------------------------------------------

    def _sup(self) -> ReceiverSupervisor:
        if self._supervisor is None:
            raise RuntimeError(f"Receiver {type(self).__name__} has not been started: "
                               "store(), restart() and stop() work only while it runs on "
                               "an executor")
        return self._supervisor

    def store(self, data: Any, metadata: Any = None) -> None:
        """Store received data: one record, or a list/iterator of records as one block.

        Single records are gathered into blocks every ``spark.streaming.blockInterval``;
        both forms wait here when ``spark.streaming.receiver.maxRate`` (or backpressure)
        limits the rate. ``metadata`` is accepted for Spark compatibility and ignored.
        """
        sup = self._sup()
        if _is_many(data):
            sup.push_many(list(data))
        else:
            sup.push_single(data)

    def _store_singles(self, records: list) -> None:
        """Store each of ``records`` as a single record (as ``store(r)`` for each, in one
        step): for sparklet's own receivers that read many records at a time."""
        self._sup().push_singles(records)

    def reportError(self, message: str, error: BaseException | None = None) -> None:
        """Report an error to the driver (a ``ReceiverError`` event); keeps receiving."""
        self._sup().report_error(message, error)

    def restart(self, message: str, error: BaseException | None = None,
                millisecond: int | None = None) -> None:
        """Restart the receiver: ``onStop`` now, ``onStart`` after a delay
        (``millisecond``, else ``spark.streaming.receiverRestartDelay``). Returns at once;
        the restart happens on another thread."""
        self._sup().restart_receiver(message, error, millisecond)

    def stop(self, message: str, error: BaseException | None = None) -> None:
        """Stop the receiver completely (it is not restarted)."""
        self._sup().stop(message, error)

    def isStarted(self) -> bool:
        """Whether the receiver has started (and not stopped)."""
        sup = self._supervisor
        return sup is not None and sup.receiver_state == STARTED

    def isStopped(self) -> bool:
        """Whether the receiver is stopped: receiving threads should check it and end."""
        sup = self._supervisor
        return sup is not None and sup.receiver_state == STOPPED

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_supervisor", None)  # executor-side machinery never travels
        return state
