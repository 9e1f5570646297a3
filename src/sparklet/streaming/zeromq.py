"""ZeroMQ for Spark Streaming: :class:`ZeroMQUtils` as Spark 1.x's and Apache Bahir's
``streaming-zeromq`` (``pip install 'sparklet[zeromq]'``, the client is pyzmq).

* ``ZeroMQUtils.createStream(ssc, publisherUrl, subscribe, bytesToObjects)``: a SUB socket
  connected to the PUB socket at ``publisherUrl`` (``tcp://host:port``, ``ipc://...``),
  subscribed to ``subscribe`` (a topic prefix, ``str`` or ``bytes``, or a list of them;
  ``""`` for everything). Each message is its list of frames (``bytes``);
  ``bytesToObjects(frames)`` turns one into an iterable of records, flattened into the
  stream (Bahir calls it ``messageConverter``; both names are accepted). It runs on the
  stream: one that raises makes the message malformed (skipped and counted, see
  :mod:`~sparklet.streaming.sources.malformed`).
* ``ZeroMQUtils.createTextStream(ssc, publisherUrl, subscribe)``: the frames as ``str``
  (UTF-8, leniently as Java's ``new String``), without the first frame of a multi-part
  message (the topic envelope).

PUB/SUB cannot acknowledge: the receiver is plain, and messages published before the
subscription is live (the slow joiner), dropped at a high-water mark, or sent while the
receiver was down are lost whatever the write-ahead log; see
:mod:`sparklet.streaming.sources.zeromq` and docs/zeromq.md.

The word count of ``examples/streaming/zeromq_word_count.py``::

    from sparklet import SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.zeromq import ZeroMQUtils

    sc = SparkContext(appName="ZeroMQWordCount")
    ssc = StreamingContext(sc, 1)
    lines = ZeroMQUtils.createTextStream(ssc, "tcp://127.0.0.1:5555", "words")
    counts = (lines.flatMap(lambda line: line.split(" "))
              .map(lambda word: (word, 1)).reduceByKey(lambda a, b: a + b))
    counts.pprint()
    ssc.start()
    ssc.awaitTermination()

>>> ZeroMQUtils.createStream(None, "127.0.0.1:5555", "t", lambda frames: frames)
Traceback (most recent call last):
...
ValueError: publisherUrl must be a ZeroMQ endpoint such as tcp://host:port, not '127.0.0.1:5555'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.sources.malformed import decoded
from sparklet.streaming.sources.zeromq import ZeroMQReceiver, require_zmq

__all__ = ["ZeroMQUtils"]

_ENDPOINT = re.compile(r"^(tcp|ipc|inproc|pgm|epgm|ws|wss)://.+")


class _Converted:
    """The stream's decoder: ``bytesToObjects(frames)`` made a list, so a converter that
    raises does so here (counted as malformed) rather than later in the flatten."""

    def __init__(self, convert: Callable[[list[bytes]], Iterable]):
        self.convert = convert

    def __call__(self, frames: list[bytes]) -> list:
        return list(self.convert(frames))


def _frames(frames: list[bytes]) -> list:
    return [frames]


def text_frames(frames: list[bytes]) -> list[str]:
    """createTextStream's converter: every frame but a multi-part message's first (the
    topic), as UTF-8 with invalid sequences replaced (U+FFFD).

    >>> text_frames([b"words", b"to be", b"or not"])
    ['to be', 'or not']
    >>> text_frames([b"caf\\xc3\\xa9 \\xff"])
    ['café \\ufffd']
    """
    body = frames[1:] if len(frames) > 1 else frames
    return [f.decode("utf-8", "replace") for f in body]


def _flat(records: list) -> list:
    return records


def _subscriptions(subscribe: Any) -> list[bytes]:
    if isinstance(subscribe, (str, bytes)):
        subscribe = [subscribe]
    if not isinstance(subscribe, (list, tuple)) or not all(
            isinstance(s, (str, bytes)) for s in subscribe):
        raise TypeError("subscribe should be a str or bytes topic prefix, or a list of them")
    if not subscribe:
        raise ValueError("subscribe must name at least one topic prefix ('' for all)")
    return [s.encode("utf-8") if isinstance(s, str) else bytes(s) for s in subscribe]


def _create(ssc, publisherUrl: str, subscribe: Any, convert: Callable,
            storageLevel: StorageLevel, rcvHwm: int):
    if not isinstance(publisherUrl, str) or not _ENDPOINT.match(publisherUrl):
        raise ValueError(f"publisherUrl must be a ZeroMQ endpoint such as tcp://host:port, "
                         f"not {publisherUrl!r}")
    prefixes = _subscriptions(subscribe)
    if not callable(convert):
        raise TypeError("bytesToObjects should be callable (frames -> iterable of records)")
    if not isinstance(storageLevel, StorageLevel):
        raise TypeError("storageLevel should be a StorageLevel")
    if isinstance(rcvHwm, bool) or not isinstance(rcvHwm, int) or rcvHwm < 0:
        raise ValueError(f"rcvHwm must be an int >= 0 (0: no limit), not {rcvHwm!r}")
    require_zmq()
    raw = ssc.receiverStream(ZeroMQReceiver(publisherUrl, prefixes, storageLevel, rcvHwm))
    return decoded(raw, _Converted(convert), f"ZeroMQ {publisherUrl}").flatMap(_flat)


class ZeroMQUtils:
    """ZeroMQ input streams (Spark 1.x / Apache Bahir ``ZeroMQUtils``)."""

    @staticmethod
    def createStream(ssc, publisherUrl: str, subscribe: str | bytes | list,
                     bytesToObjects: Callable[[list[bytes]], Iterable] | None = None,
                     storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                     rcvHwm: int = 1000, messageConverter: Callable | None = None):
        """A DStream of the records ``bytesToObjects`` makes of each message published at
        ``publisherUrl`` under the topic prefix(es) ``subscribe``.

        :param ssc: the StreamingContext
        :param publisherUrl: the PUB socket's endpoint, ``tcp://host:port``
        :param subscribe: a topic prefix (str, UTF-8, or bytes) or a list of them; ``""``
            subscribes to everything
        :param bytesToObjects: frames (a list of bytes) -> an iterable of records; None:
            each message's list of frames is one record
        :param storageLevel: how received blocks are kept
        :param rcvHwm: the SUB socket's receive high-water mark (messages; 0: no limit)
        :param messageConverter: Bahir's name for ``bytesToObjects``
        """
        if bytesToObjects is not None and messageConverter is not None:
            raise TypeError("give bytesToObjects or messageConverter, not both")
        convert = bytesToObjects or messageConverter or _frames
        return _create(ssc, publisherUrl, subscribe, convert, storageLevel, rcvHwm)

    @staticmethod
    def createTextStream(ssc, publisherUrl: str, subscribe: str | bytes | list,
                         storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                         rcvHwm: int = 1000):
        """A DStream of ``str``: each message's frames but the first of a multi-part one
        (the topic), decoded as UTF-8 leniently (see :func:`text_frames`)."""
        return _create(ssc, publisherUrl, subscribe, text_frames, storageLevel, rcvHwm)
