"""Tweets as twitter4j's ``Status``: the element type of ``TwitterUtils.createStream``.

The guide's Twitter examples call ``status.getText()``, ``status.getHashtagEntities()``,
``status.getUser().getScreenName()``; the same getters work here over an X API v2 tweet
(``data`` plus the ``includes`` of its expansions). The raw JSON object is ``status.json``.

>>> s = parse_status(b'{"data": {"id": "7", "text": "hi #spark", "lang": "en", '
...                  b'"author_id": "1", "entities": {"hashtags": [{"tag": "spark"}]}}, '
...                  b'"includes": {"users": [{"id": "1", "username": "ada", "name": "Ada"}]}}')
>>> s.getId(), s.getText(), s.getLang(), s.getUser().getScreenName()
(7, 'hi #spark', 'en', 'ada')
>>> [h.getText() for h in s.getHashtagEntities()]
['spark']
>>> parse_status(b'not json')
Traceback (most recent call last):
...
ValueError: not a JSON tweet: b'not json'
"""

from __future__ import annotations

import json
from datetime import datetime

__all__ = ["HashtagEntity", "Status", "User", "StreamErrorMessage", "parse_status"]


class StreamErrorMessage(ValueError):
    """An ``{"errors": [...]}`` object on the stream (an operational error of X's)."""


class HashtagEntity:
    """One hashtag of a tweet (twitter4j's ``HashtagEntity``), without the ``#``."""

    def __init__(self, entity: dict):
        self.json = entity

    def getText(self) -> str:
        return self.json.get("tag", "")

    def getStart(self) -> int:
        return int(self.json.get("start", -1))

    def getEnd(self) -> int:
        return int(self.json.get("end", -1))

    def __repr__(self) -> str:
        return f"HashtagEntity(text={self.getText()!r})"


class User:
    """A tweet's author (twitter4j's ``User``) from the ``users`` expansion; fields the
    request did not ask for (``user.fields``) are None."""

    def __init__(self, user: dict):
        self.json = user

    def getId(self) -> int:
        return int(self.json["id"]) if "id" in self.json else -1

    def getScreenName(self) -> str | None:
        return self.json.get("username")

    def getName(self) -> str | None:
        return self.json.get("name")

    def getFollowersCount(self) -> int:
        return int(self.json.get("public_metrics", {}).get("followers_count", 0))

    def __repr__(self) -> str:
        return f"User(id={self.getId()}, screenName={self.getScreenName()!r})"


def _created_at(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Status:
    """One tweet of the filtered stream. ``json`` is the whole object X sent (``data``,
    ``includes``, ``matching_rules``)."""

    def __init__(self, obj: dict):
        self.json = obj
        self._data: dict = obj.get("data") or {}

    def getId(self) -> int:
        return int(self._data.get("id", -1))

    def getText(self) -> str:
        return self._data.get("text", "")

    def getCreatedAt(self) -> datetime | None:
        """When it was posted (needs ``tweet.fields=created_at``), else None."""
        return _created_at(self._data.get("created_at"))

    def getLang(self) -> str | None:
        return self._data.get("lang")

    def getUser(self) -> User | None:
        """The author from ``includes.users`` (needs ``expansions=author_id``); with only
        the ``author_id`` field a User with just the id; else None."""
        author = self._data.get("author_id")
        for user in (self.json.get("includes") or {}).get("users", []):
            if author is None or user.get("id") == author:
                return User(user)
        return User({"id": author}) if author is not None else None

    def getHashtagEntities(self) -> list[HashtagEntity]:
        entities = self._data.get("entities") or {}
        return [HashtagEntity(h) for h in entities.get("hashtags", [])]

    def _metric(self, name: str) -> int:
        return int((self._data.get("public_metrics") or {}).get(name, 0))

    def getRetweetCount(self) -> int:
        return self._metric("retweet_count")

    def getFavoriteCount(self) -> int:
        return self._metric("like_count")

    def isRetweet(self) -> bool:
        return any(r.get("type") == "retweeted"
                   for r in self._data.get("referenced_tweets") or [])

    def getMatchingRules(self) -> list[dict]:
        """The stream rules this tweet matched (``{"id", "tag"}``)."""
        return list(self.json.get("matching_rules") or [])

    def __repr__(self) -> str:
        return f"Status(id={self.getId()}, text={self.getText()!r})"


def parse_status(line: bytes | str) -> Status:
    """One line of the stream as a :class:`Status`; a line that is not a JSON tweet
    raises (and is counted as a malformed record by the stream)."""
    try:
        obj = json.loads(line)
    except ValueError:
        raise ValueError(f"not a JSON tweet: {line[:200]!r}") from None
    if not isinstance(obj, dict):
        raise ValueError(f"not a JSON tweet: {line[:200]!r}")
    if "data" not in obj:
        if "errors" in obj:
            raise StreamErrorMessage(f"X stream error: {json.dumps(obj['errors'])[:500]}")
        raise ValueError(f"not a JSON tweet: {line[:200]!r}")
    return Status(obj)
