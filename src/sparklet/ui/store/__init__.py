"""The UI's state: :class:`AppStatusStore` (jobs, stages, tasks, executors, storage,
environment, plus the streaming and dashboard stores it feeds) and the providers the
server reads stores from (:class:`SingleStore` for the live UI)."""

from sparklet.ui.store.core import AppStatusStore
from sparklet.ui.store.provider import MultiStore, SingleStore, StoreProvider

__all__ = ["AppStatusStore", "StoreProvider", "SingleStore", "MultiStore"]
