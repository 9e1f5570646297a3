"""Twitter / X for Spark Streaming: :meth:`TwitterUtils.createStream` over X's v2 filtered
stream (``pip install 'sparklet[twitter]'``; the HTTP client is httpx).

Spark's ``TwitterUtils`` (Apache Bahir) read the v1.1 streaming API through twitter4j, which
X has retired, and had no Python API. This one keeps its name and shape --
``createStream(ssc, auth, filters)`` giving a DStream of statuses whose getters are
twitter4j's (``getText()``, ``getUser().getScreenName()``, ``getHashtagEntities()``...) --
on today's API: an app-only bearer token, ``filters`` kept as the stream's rules, and the
reconnection X's guide asks for (see :mod:`sparklet.streaming.sources.twitter`).

The guide's popular hashtags (``examples/streaming/twitter_popular_tags.py``)::

    from sparklet import SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.twitter import TwitterUtils

    sc = SparkContext(appName="TwitterPopularTags")
    ssc = StreamingContext(sc, 2)
    statuses = TwitterUtils.createStream(ssc, bearer_token, ["spark", "python"])
    tags = statuses.flatMap(lambda s: ["#" + h.getText() for h in s.getHashtagEntities()])
    top = (tags.map(lambda t: (t, 1)).reduceByKeyAndWindow(lambda a, b: a + b, None, 60, 2)
           .transform(lambda rdd: rdd.sortBy(lambda kv: kv[1], ascending=False)))
    top.pprint(10)
    ssc.start()
    ssc.awaitTermination()

Each line of the stream is parsed on the stream: one that is not a post (not JSON, no
``data``) is a malformed record (skipped and counted, or failing the batch, by
``spark.sparklet.streaming.malformedRecords``). Settings:

==========================================  ====================================================
``spark.sparklet.twitter.stallTimeout``      seconds without data or keep-alive before the
                                             connection counts as stalled (21)
``spark.sparklet.twitter.backoffScale``      multiplies X's reconnection delays (1.0)
==========================================  ====================================================

Statuses need no network:

>>> s = Status({"data": {"id": "1", "text": "hi #spark", "author_id": "7", "lang": "en",
...                      "entities": {"hashtags": [{"start": 3, "end": 9, "tag": "spark"}]}},
...             "includes": {"users": [{"id": "7", "username": "ada", "name": "Ada"}]}})
>>> s.getText(), s.getId(), s.getUser().getScreenName()
('hi #spark', 1, 'ada')
>>> [h.getText() for h in s.getHashtagEntities()]
['spark']
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.sources.malformed import decoded
from sparklet.streaming.sources.twitter import (
    ReconnectPolicy,
    TwitterReceiver,
    TwitterRuleError,
    require_httpx,
)

__all__ = ["TwitterUtils", "Status", "User", "HashtagEntity", "TwitterRuleError",
           "ReconnectPolicy"]

API_URL = "https://api.x.com"
STALL_KEY = "spark.sparklet.twitter.stallTimeout"
BACKOFF_KEY = "spark.sparklet.twitter.backoffScale"
DEFAULT_TWEET_FIELDS = "created_at,lang,entities,public_metrics,author_id"
DEFAULT_EXPANSIONS = "author_id"
DEFAULT_USER_FIELDS = "username,name,public_metrics"


class User:
    """The author of a :class:`Status` (twitter4j's ``User`` getters)."""

    __slots__ = ("json",)

    def __init__(self, data: dict):
        self.json = data

    def getId(self) -> int:
        return int(self.json.get("id") or -1)

    def getScreenName(self) -> str | None:
        return self.json.get("username")

    def getName(self) -> str | None:
        return self.json.get("name")

    def getFollowersCount(self) -> int:
        return int((self.json.get("public_metrics") or {}).get("followers_count") or 0)

    def __repr__(self) -> str:
        return f"User(@{self.getScreenName()})"


class HashtagEntity:
    """A hashtag of a post's text, without the ``#`` (twitter4j's ``HashtagEntity``)."""

    __slots__ = ("json",)

    def __init__(self, data: dict):
        self.json = data

    def getText(self) -> str:
        return self.json.get("tag", "")

    def getStart(self) -> int:
        return int(self.json.get("start", -1))

    def getEnd(self) -> int:
        return int(self.json.get("end", -1))

    def __repr__(self) -> str:
        return f"HashtagEntity(#{self.getText()})"


class Status:
    """One post of the filtered stream, with twitter4j's ``Status`` getters. ``json`` is
    the whole object X sent: ``data``, ``includes``, ``matching_rules``."""

    __slots__ = ("json",)

    def __init__(self, obj: dict):
        self.json = obj

    @property
    def _data(self) -> dict:
        return self.json["data"]

    def getId(self) -> int:
        return int(self._data["id"])

    def getText(self) -> str:
        return self._data.get("text", "")

    def getLang(self) -> str | None:
        return self._data.get("lang")

    def getCreatedAt(self) -> datetime | None:
        value = self._data.get("created_at")
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None

    def getUser(self) -> User | None:
        author = self._data.get("author_id")
        for user in (self.json.get("includes") or {}).get("users") or []:
            if user.get("id") == author:
                return User(user)
        return User({"id": author}) if author else None

    def getHashtagEntities(self) -> list[HashtagEntity]:
        return [HashtagEntity(h)
                for h in (self._data.get("entities") or {}).get("hashtags") or []]

    def getRetweetCount(self) -> int:
        return int((self._data.get("public_metrics") or {}).get("retweet_count") or 0)

    def getFavoriteCount(self) -> int:
        return int((self._data.get("public_metrics") or {}).get("like_count") or 0)

    def getMatchingRules(self) -> list[dict]:
        """The rules (``id``, ``tag``) this post matched (X v2; twitter4j had none)."""
        return list(self.json.get("matching_rules") or [])

    def __repr__(self) -> str:
        return f"Status({self._data.get('id')}: {self.getText()[:40]!r})"


def parse_status(line: str) -> Status:
    """A stream line as a :class:`Status`; ValueError for anything but a post."""
    obj = json.loads(line)
    if not isinstance(obj, dict) or not isinstance(obj.get("data"), dict) \
            or "id" not in obj["data"]:
        raise ValueError("not a post: no data.id")
    return Status(obj)


class TwitterUtils:
    """Streams of posts from X (Spark's ``TwitterUtils``)."""

    @staticmethod
    def createStream(ssc: Any, bearerToken: str, filters: list[str] | None = None,
                     storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                     apiUrl: str = API_URL, tweetFields: str = DEFAULT_TWEET_FIELDS,
                     expansions: str = DEFAULT_EXPANSIONS,
                     userFields: str = DEFAULT_USER_FIELDS,
                     backfillMinutes: int | None = None, ruleTag: str = "sparklet"):
        """A DStream of :class:`Status` from X's filtered stream.

        :param bearerToken: the app's OAuth 2.0 bearer token (app-only authentication)
        :param filters: the stream's rules (X's rule syntax: ``"spark lang:en"``); kept in
            line on every connection under ``ruleTag``; None keeps the rules as they are
        :param apiUrl: where the API is (``https://api.x.com``)
        :param tweetFields, expansions, userFields: the stream's ``tweet.fields``,
            ``expansions`` and ``user.fields`` (the defaults give what :class:`Status`'s
            getters read)
        :param backfillMinutes: ask X to resend up to 5 minutes missed while disconnected
            (on the access levels that offer it)
        """
        require_httpx()
        if not isinstance(bearerToken, str) or not bearerToken.strip():
            raise ValueError("bearerToken should be the app's bearer token, a non-empty str")
        if filters is not None:
            if isinstance(filters, str) or not all(isinstance(f, str) and f.strip()
                                                   for f in filters):
                raise TypeError("filters should be a list of non-empty str (rules), or None")
            filters = list(filters)
        parsed = urlparse(apiUrl)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"apiUrl should be an http(s) URL, not {apiUrl!r}")
        if backfillMinutes is not None and not (
                isinstance(backfillMinutes, int) and 1 <= backfillMinutes <= 5):
            raise ValueError(f"backfillMinutes should be an int from 1 to 5, not "
                             f"{backfillMinutes!r}")
        conf = ssc.sparkContext.getConf()
        stall = float(conf.get(STALL_KEY, "21"))
        scale = float(conf.get(BACKOFF_KEY, "1.0"))
        if stall <= 0 or scale < 0:
            raise ValueError(f"{STALL_KEY} must be > 0 and {BACKOFF_KEY} >= 0")
        params = {k: v for k, v in (("tweet.fields", tweetFields), ("expansions", expansions),
                                    ("user.fields", userFields)) if v}
        if backfillMinutes:
            params["backfill_minutes"] = str(backfillMinutes)
        receiver = TwitterReceiver(bearerToken, filters, apiUrl, params, ruleTag, stall,
                                   scale, storageLevel)
        return decoded(ssc.receiverStream(receiver), parse_status,
                       f"X filtered stream at {apiUrl}")
