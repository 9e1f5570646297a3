"""Where the server finds an application's store: one live store, or many (history)."""

from __future__ import annotations

from sparklet.ui.store.core import AppStatusStore

__all__ = ["StoreProvider", "SingleStore", "MultiStore"]


class StoreProvider:
    """What the REST API and the pages need: the store of an application id, and the
    list of all applications served (the live UI has one; the history server many)."""

    def get(self, app_id: str) -> AppStatusStore | None:
        raise NotImplementedError

    def list(self) -> list[AppStatusStore]:
        raise NotImplementedError


class SingleStore(StoreProvider):
    """The live UI: the one application of this SparkContext."""

    def __init__(self, store: AppStatusStore):
        self.store = store

    def get(self, app_id: str) -> AppStatusStore | None:
        return self.store if app_id == self.store.app_id else None

    def list(self) -> list[AppStatusStore]:
        return [self.store]


class MultiStore(StoreProvider):
    """Stores by application id (a history server can fill one as it replays logs)."""

    def __init__(self, stores: dict[str, AppStatusStore] | None = None):
        self.stores: dict[str, AppStatusStore] = dict(stores or {})

    def add(self, store: AppStatusStore) -> None:
        self.stores[store.app_id] = store

    def get(self, app_id: str) -> AppStatusStore | None:
        return self.stores.get(app_id)

    def list(self) -> list[AppStatusStore]:
        return list(self.stores.values())
