"""Twitter / X for Spark Streaming: Apache Bahir's ``TwitterUtils`` in Python, over today's
X API v2 filtered stream (``pip install 'sparklet[twitter]'``, httpx).

``TwitterUtils.createStream(ssc, bearerToken, filters)`` is a DStream of twitter4j-style
:class:`Status` objects (``getText()``, ``getHashtagEntities()``, ``getUser()``...; the
raw JSON as ``.json``). ``filters`` become the stream's rules. The guide's popular tags::

    from sparklet import SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.twitter import TwitterUtils

    ssc = StreamingContext(SparkContext(appName="TwitterPopularTags"), 2)
    tweets = TwitterUtils.createStream(ssc, bearerToken, ["spark", "python"])
    tags = tweets.flatMap(lambda s: ["#" + h.getText() for h in s.getHashtagEntities()])
    tags.countByValueAndWindow(60, 10).pprint()

Arguments are checked on the driver:

>>> TwitterUtils.createStream(None, "")
Traceback (most recent call last):
...
ValueError: TwitterUtils.createStream needs a bearerToken (the app's X API v2 bearer token)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.sources.twitter.status import HashtagEntity, Status, User, parse_status

if TYPE_CHECKING:
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.dstream import DStream

__all__ = ["TwitterUtils", "Status", "User", "HashtagEntity"]

DEFAULT_API_URL = "https://api.x.com"
BACKOFF_SCALE_KEY = "spark.sparklet.twitter.backoffScale"
STALL_TIMEOUT_KEY = "spark.sparklet.twitter.stallTimeout"


def require_httpx() -> None:
    try:
        import httpx  # noqa: F401
    except ImportError as e:
        raise ImportError("TwitterUtils needs httpx: pip install 'sparklet[twitter]'") from e


def _seconds(value: object, key: str, default: float) -> float:
    if value is None or value == "":
        return default
    text = str(value).strip().lower()
    for suffix, mult in (("ms", 0.001), ("s", 1.0)):
        if text.endswith(suffix):
            text, factor = text[: -len(suffix)], mult
            break
    else:
        factor = 1.0
    try:
        number = float(text) * factor
    except ValueError:
        raise ValueError(f"{key} must be a number, not {value!r}") from None
    if number <= 0:
        raise ValueError(f"{key} must be > 0, not {value!r}")
    return number


class TwitterUtils:
    """Creates DStreams of tweets from the X API v2 filtered stream."""

    @staticmethod
    def createStream(ssc: StreamingContext, bearerToken: str,
                     filters: list[str] | None = None,
                     storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                     tweetFields: list[str] | None = None,
                     expansions: list[str] | None = None,
                     userFields: list[str] | None = None,
                     ruleTag: str = "sparklet",
                     apiUrl: str = DEFAULT_API_URL) -> DStream:
        """A stream of :class:`Status` from ``GET /2/tweets/search/stream``.

        :param bearerToken: the app's bearer token (OAuth 2.0 app-only).
        :param filters: keywords or rules (X's rule syntax) the stream is to match; they
            replace the earlier rules tagged ``ruleTag`` (other rules are left alone). None
            keeps the rules as they are.
        :param tweetFields, expansions, userFields: passed through as ``tweet.fields``,
            ``expansions``, ``user.fields``; by default enough for every getter of
            :class:`Status` (``author_id`` expanded to the user).
        :param apiUrl: where the API is (a test server).
        """
        if not isinstance(bearerToken, str) or not bearerToken:
            raise ValueError("TwitterUtils.createStream needs a bearerToken (the app's X API "
                             "v2 bearer token)")
        if filters is not None:
            if isinstance(filters, str) or not all(isinstance(f, str) and f.strip()
                                                   for f in filters):
                raise TypeError("filters must be a list of non-empty strings or None, not "
                                f"{filters!r}")
            filters = list(dict.fromkeys(filters))
        if not isinstance(storageLevel, StorageLevel):
            raise TypeError(f"storageLevel must be a StorageLevel, not {storageLevel!r}")
        if not isinstance(apiUrl, str) or not apiUrl.startswith(("http://", "https://")):
            raise ValueError(f"apiUrl must be an http(s) URL, not {apiUrl!r}")
        if not isinstance(ruleTag, str) or not ruleTag:
            raise ValueError("ruleTag must be a non-empty string")
        require_httpx()
        from sparklet.streaming.sources.malformed import decoded
        from sparklet.streaming.sources.twitter.receiver import TwitterReceiver

        conf = ssc.sparkContext.getConf()
        scale = _seconds(conf.get(BACKOFF_SCALE_KEY), BACKOFF_SCALE_KEY, 1.0)
        stall = _seconds(conf.get(STALL_TIMEOUT_KEY), STALL_TIMEOUT_KEY, 90.0)
        params = {
            "tweet.fields": ",".join(tweetFields or ["created_at", "lang", "author_id",
                                                     "entities", "public_metrics",
                                                     "referenced_tweets"]),
            "expansions": ",".join(expansions or ["author_id"]),
            "user.fields": ",".join(userFields or ["username", "name", "public_metrics"]),
        }
        receiver = TwitterReceiver(bearerToken, filters, apiUrl, params, tag=ruleTag,
                                   stall_timeout=stall, scale=scale,
                                   storageLevel=storageLevel)
        raw = ssc.receiverStream(receiver)
        return decoded(raw, parse_status, f"X filtered stream {apiUrl}")
