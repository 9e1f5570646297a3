"""Input sources for Spark Streaming: the receivers behind ``socketTextStream`` and friends.

Each source is a :class:`~sparklet.streaming.receiver.Receiver` (or, for sources without a
receiver, an input DStream in the streaming core).
"""

from sparklet.streaming.sources.socket import SocketReceiver, utf8_lines

__all__ = ["SocketReceiver", "utf8_lines"]
