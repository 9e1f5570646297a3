"""Spark Streaming on sparklet: StreamingContext, DStreams, listeners, state.

>>> from sparklet.streaming import StreamingContext, DStream, StreamingListener
"""

from sparklet.streaming.context import StreamingContext
from sparklet.streaming.dstream import DStream
from sparklet.streaming.listener import StreamingListener
from sparklet.streaming.state import State, StateSpec

__all__ = ["StreamingContext", "DStream", "StreamingListener", "StateSpec", "State",
           "Receiver"]


def __getattr__(name: str):
    # The receiver API lives in its own module, imported only when asked for.
    if name == "Receiver":
        from sparklet.streaming.receiver import Receiver

        return Receiver
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
