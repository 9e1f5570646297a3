"""Receivers: the :class:`Receiver` API, its supervisor on an executor, block generation and
rate control, and the driver's receiver tracker (Spark's ``streaming.receiver`` and the
receiver half of ``streaming.scheduler``).

>>> from sparklet.streaming.receiver import Receiver
>>> Receiver().storageLevel
StorageLevel(True, True, False, False, 2)
"""

from sparklet.streaming.receiver.receiver import Receiver

__all__ = ["Receiver"]
