"""Threads that carry the driver's local properties (PySpark's ``pyspark.util`` helpers).

Local properties -- job group, job tags, description -- belong to the thread that sets
them. A thread started with :class:`InheritableThread`, or running a function wrapped by
:func:`inheritable_thread_target`, starts with a copy of its parent's, as in PySpark's
pinned-thread mode.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["InheritableThread", "inheritable_thread_target"]


def _active_context():
    from sparklet.context import SparkContext

    sc = SparkContext._active_spark_context
    if sc is None:
        raise RuntimeError("InheritableThread needs an active SparkContext")
    return sc


class InheritableThread(threading.Thread):
    """A thread that inherits the local properties (job group, tags, description...) of
    the thread that starts it, as PySpark's does; a plain ``threading.Thread`` starts with
    none. The copy is taken at ``start()``.

    >>> sc.setLocalProperty("team", "ads")
    >>> seen = []
    >>> t = InheritableThread(target=lambda: seen.append(sc.getLocalProperty("team")))
    >>> t.start(); t.join()
    >>> seen
    ['ads']
    >>> sc.setLocalProperty("team", None)
    """

    def __init__(self, target: Callable[..., Any], *args: Any, **kwargs: Any):
        def copy_local_properties(*a: Any, **k: Any) -> Any:
            _active_context()._set_props(self._props)
            return target(*a, **k)

        super().__init__(*args, target=copy_local_properties, **kwargs)

    def start(self) -> None:
        self._props = dict(_active_context()._props())
        super().start()


def inheritable_thread_target(f: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``f`` so that it runs with the local properties of the thread that wrapped it
    (taken now), e.g. ``threading.Thread(target=inheritable_thread_target(f))``."""
    props = dict(_active_context()._props())

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        _active_context()._set_props(props)
        return f(*args, **kwargs)

    return wrapped
