"""The X (Twitter) API v2 filtered stream for :mod:`sparklet.streaming.twitter`: the
receiver (:mod:`.receiver`) and the elements, twitter4j-style :class:`Status` objects
(:mod:`.status`)."""

from sparklet.streaming.sources.twitter.status import HashtagEntity, Status, User, parse_status

__all__ = ["HashtagEntity", "Status", "User", "parse_status"]
