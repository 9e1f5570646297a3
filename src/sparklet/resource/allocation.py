"""An executor's resource addresses, handed to its running tasks and taken back."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from sparklet.resource.discovery import tasks_per_address
from sparklet.resource.information import ResourceInformation

__all__ = ["AddressPool"]


class AddressPool:
    """Free addresses of an executor's resources; each task takes its
    ``spark.task.resource.{name}.amount`` and gives them back when it ends.

    >>> pool = AddressPool({"gpu": ["0", "1"]}, {"gpu": 1.0})
    >>> first = pool.acquire(); first["gpu"].addresses
    ['0']
    >>> pool.acquire()["gpu"].addresses
    ['1']
    >>> pool.release(first); pool.acquire()["gpu"].addresses
    ['0']
    """

    def __init__(self, addresses: Mapping[str, list[str]], amounts: Mapping[str, float]):
        self._amounts = {name: amount for name, amount in amounts.items()
                         if name in addresses}
        # name -> address -> how many more tasks it can take
        self._free = {name: {a: tasks_per_address(amount) for a in addresses[name]}
                      for name, amount in self._amounts.items()}
        self._capacity = {name: tasks_per_address(a) for name, a in self._amounts.items()}
        self._changed = threading.Condition()

    def _take(self) -> dict[str, list[str]] | None:
        taken: dict[str, list[str]] = {}
        for name, amount in self._amounts.items():
            free = self._free[name]
            if amount >= 1:  # whole addresses nobody else uses
                whole = [a for a, left in free.items() if left == self._capacity[name]]
                if len(whole) < amount:
                    return None
                taken[name] = whole[:int(amount)]
            else:  # a share of one address
                shared = [a for a, left in free.items() if left > 0]
                if not shared:
                    return None
                taken[name] = shared[:1]
        for name, chosen in taken.items():
            for a in chosen:
                self._free[name][a] -= 1 if self._amounts[name] < 1 else self._capacity[name]
        return taken

    def acquire(self) -> dict[str, ResourceInformation]:
        """A task's share; waits if every address is in use (the scheduler's slot count
        normally prevents that)."""
        with self._changed:
            while (taken := self._take()) is None:
                self._changed.wait()
        return {name: ResourceInformation(name, chosen) for name, chosen in taken.items()}

    def release(self, resources: Mapping[str, ResourceInformation]) -> None:
        with self._changed:
            for name, info in resources.items():
                amount = self._amounts[name]
                for a in info.addresses:
                    self._free[name][a] += 1 if amount < 1 else self._capacity[name]
            self._changed.notify_all()
