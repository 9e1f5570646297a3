"""Redis Streams for Spark Streaming: :meth:`RedisUtils.createStream`, a reliable receiver in
a consumer group (``pip install 'sparklet[redis]'``, the client is redis-py).

PySpark never had a Redis connector; this one follows the style of its Kafka and MQTT
utilities. Each element is an entry's fields as a dict of ``str`` (``{"word": "hello"}``),
or with ``paired=True`` the triple ``(stream key, entry id, fields)``.

* The group is created if missing (``XGROUP CREATE ... MKSTREAM``, at ``startId``: ``"$"``
  for entries added from now on, ``"0"`` for the whole stream).
* Entries are read with ``XREADGROUP`` and acknowledged (``XACK``) once their block is
  stored; with the write-ahead log (``spark.streaming.receiver.writeAheadLog.enable``) only
  once the block is durable, so a driver crash loses nothing.
* Redis does not redeliver on its own: each (re)connection first re-reads this consumer's
  pending entries -- delivered, never acknowledged -- then new ones. The consumer's name is
  stable (``sparklet-<app>-<keys>-<input stream id>`` unless given), so a restarted driver
  finds its pending entries. With ``claimIdle`` the receiver also takes over entries pending
  longer than that many seconds on other consumers of the group (``XAUTOCLAIM``), e.g. of an
  application instance that is gone for good.
* Delivery is at least once (an entry stored but not yet acknowledged when the driver dies
  comes again): write to an idempotent sink for exactly-once output.

The word count of ``examples/streaming/redis_word_count.py``::

    from sparklet import SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.redis import RedisUtils

    sc = SparkContext(appName="RedisWordCount")
    ssc = StreamingContext(sc, 1)
    entries = RedisUtils.createStream(ssc, "redis://127.0.0.1:6379/0", "lines", "counters")
    counts = (entries.flatMap(lambda fields: fields["line"].split(" "))
              .map(lambda word: (word, 1)).reduceByKey(lambda a, b: a + b))
    counts.pprint()
    ssc.start()
    ssc.awaitTermination()

Arguments are checked on the driver:

>>> RedisUtils.createStream(None, "http://127.0.0.1:6379", "lines", "g")
Traceback (most recent call last):
...
ValueError: url must be a redis://, rediss:// or unix:// URL, not 'http://127.0.0.1:6379'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.sources.malformed import decoded
from sparklet.streaming.sources.redis import (
    RedisStreamReceiver,
    consumer_name,
    require_redis,
    safe_url,
)

__all__ = ["RedisUtils", "utf8_decoder"]

_ID = re.compile(r"^(\$|\d+(-\d+)?)$")


def utf8_decoder(s: bytes | None) -> str | None:
    """Decode a field value as UTF-8 (None stays None).

    >>> utf8_decoder(b"hej")
    'hej'
    """
    if s is None:
        return None
    return s.decode("utf-8")


class _Decode:
    """The stream's decoder of a stored ``(key, id, fields)``: field names as UTF-8, values
    through ``decoder``; a class, so checkpointed graphs pickle it by value."""

    def __init__(self, decoder: Callable[[bytes], Any], paired: bool):
        self.decoder, self.paired = decoder, paired

    def __call__(self, record):
        key, entry_id, fields = record
        decode = self.decoder
        values = {name.decode("utf-8"): decode(value) for name, value in fields.items()}
        if self.paired:
            return key.decode("utf-8"), entry_id.decode("ascii"), values
        return values


def _keys(streams) -> list[str]:
    if isinstance(streams, str):
        streams = [streams]
    if not isinstance(streams, (list, tuple)) or not all(isinstance(s, str) for s in streams):
        raise TypeError("streams should be a str or a list of str (stream keys)")
    if not streams or not all(streams):
        raise ValueError("streams must name at least one stream key (no empty key)")
    if len(set(streams)) != len(streams):
        raise ValueError(f"streams names a key twice: {list(streams)}")
    return list(streams)


class RedisUtils:
    """Redis Streams (in the style of PySpark's ``KafkaUtils`` and ``MQTTUtils``)."""

    @staticmethod
    def createStream(ssc, url: str, streams: str | list[str], groupName: str,
                     consumerName: str | None = None, startId: str = "$",
                     storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                     messageDecoder: Callable[[bytes], Any] | None = None,
                     paired: bool = False, claimIdle: float | None = None,
                     connectOptions: dict[str, Any] | None = None):
        """A DStream of the entries of the Redis stream(s) ``streams``, read as one consumer
        of group ``groupName``.

        :param ssc: the StreamingContext
        :param url: the server, ``redis://[:password@]host:6379/0`` (``rediss://`` for TLS,
            ``unix://``)
        :param streams: a stream key or a list of keys
        :param groupName: the consumer group (created, with the stream, if missing)
        :param consumerName: this receiver's consumer in the group; None: a stable name from
            the application, the keys and the input stream
            (``sparklet-<app>-<keys>-<id>``). Two applications reading the same group at the
            same time need different names
        :param startId: where a new group starts: ``"$"`` (entries added from now on), ``"0"``
            (the whole stream) or an entry id
        :param storageLevel: how received blocks are kept
        :param messageDecoder: applied to each field value (bytes) on the stream; None:
            UTF-8. A decoder that raises makes the entry malformed (skipped and counted, see
            :mod:`~sparklet.streaming.sources.malformed`)
        :param paired: elements ``(key, id, fields)`` instead of ``fields``
        :param claimIdle: seconds; also take over entries pending that long on other
            consumers of the group (``XAUTOCLAIM``), checked every ``claimIdle`` seconds.
            None (the default): only this consumer's own pending entries are re-read
        :param connectOptions: more ``redis.Redis`` keyword arguments (``password``,
            ``ssl_ca_certs``...)
        """
        if not isinstance(url, str) or not re.match(r"^(redis|rediss|unix)://", url):
            raise ValueError(f"url must be a redis://, rediss:// or unix:// URL, not {url!r}")
        keys = _keys(streams)
        if not isinstance(groupName, str) or not groupName:
            raise ValueError("groupName must be a non-empty str")
        if consumerName is not None and (not isinstance(consumerName, str)
                                         or not consumerName):
            raise ValueError("consumerName must be a non-empty str (or None)")
        if not isinstance(startId, str) or not _ID.match(startId):
            raise ValueError(f"startId must be '$', '0' or an entry id, not {startId!r}")
        if claimIdle is not None and (isinstance(claimIdle, bool)
                                      or not isinstance(claimIdle, (int, float))
                                      or claimIdle <= 0):
            raise ValueError(f"claimIdle must be a positive number of seconds, not "
                             f"{claimIdle!r}")
        if messageDecoder is not None and not callable(messageDecoder):
            raise TypeError("messageDecoder should be callable")
        if not isinstance(storageLevel, StorageLevel):
            raise TypeError("storageLevel should be a StorageLevel")
        if connectOptions is not None and not isinstance(connectOptions, dict):
            raise TypeError("connectOptions should be a dict")
        require_redis()
        prefix = consumer_name(ssc.sparkContext.appName, keys)
        receiver = RedisStreamReceiver(url, keys, groupName, consumerName, prefix, startId,
                                       storageLevel, claimIdle, connectOptions)
        raw = ssc.receiverStream(receiver)
        return decoded(raw, _Decode(messageDecoder or utf8_decoder, paired),
                       f"Redis {','.join(keys)} at {safe_url(url)}")
