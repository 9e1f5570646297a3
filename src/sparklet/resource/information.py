"""ResourceInformation: a resource's name and the addresses allocated."""

from __future__ import annotations

__all__ = ["ResourceInformation"]


class ResourceInformation:
    """A resource's name and the addresses (e.g. GPU indices) allocated to a driver,
    executor or task.

    >>> info = ResourceInformation("gpu", ["0", "1"])
    >>> info.name, info.addresses
    ('gpu', ['0', '1'])
    """

    def __init__(self, name: str, addresses: list[str]):
        self._name = name
        self._addresses = addresses

    @property
    def name(self) -> str:
        """The name of the resource."""
        return self._name

    @property
    def addresses(self) -> list[str]:
        """The addresses allocated."""
        return self._addresses

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, ResourceInformation) and self._name == other._name
                and self._addresses == other._addresses)

    __hash__ = None  # type: ignore[assignment]  # mutable address list

    def __repr__(self) -> str:
        return "ResourceInformation(%r, %r)" % (self._name, self._addresses)
