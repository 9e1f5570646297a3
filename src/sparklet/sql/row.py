"""``Row``: a tuple whose items can also be read by field name, as PySpark's."""

from __future__ import annotations

from typing import Any


def _create_row(fields: Any, values: Any) -> Row:
    row = Row(*values)
    row.__fields__ = fields
    return row


class _KeyError(KeyError):
    # KeyError's str() quotes its message; PySpark's PySparkKeyError does not.
    def __str__(self) -> str:
        return str(self.args[0])


class Row(tuple):
    """A row of a DataFrame: fields read as ``row.key`` or ``row["key"]``.

    ``Row(**kwargs)`` keeps the keywords' order; ``Row("a", "b")`` is a row class that makes
    rows when called. A row equals the tuple of its values.

    >>> row = Row(name="Alice", age=11)
    >>> row
    Row(name='Alice', age=11)
    >>> row["name"], row.age, "name" in row, row == ("Alice", 11)
    ('Alice', 11, True, True)
    >>> Person = Row("name", "age")
    >>> Person
    <Row('name', 'age')>
    >>> Person("Bob", 3)
    Row(name='Bob', age=3)
    >>> Row(a=1, b=Row(c=[Row(d=2)])).asDict(recursive=True)
    {'a': 1, 'b': {'c': [{'d': 2}]}}
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Row:
        if args and kwargs:
            raise ValueError("[CANNOT_SET_TOGETHER] args and kwargs should not be set together.")
        if kwargs:
            row = tuple.__new__(cls, list(kwargs.values()))
            row.__fields__ = list(kwargs.keys())
            return row
        return tuple.__new__(cls, args)

    def asDict(self, recursive: bool = False) -> dict[str, Any]:
        """The row as a dict; ``recursive`` turns nested rows (also in lists, dicts) into dicts."""
        if not hasattr(self, "__fields__"):
            raise TypeError("[CANNOT_CONVERT_TYPE] Cannot convert Row into dict.")
        if not recursive:
            return dict(zip(self.__fields__, self, strict=False))

        def conv(obj: Any) -> Any:
            if isinstance(obj, Row):
                return obj.asDict(True)
            if isinstance(obj, list):
                return [conv(o) for o in obj]
            if isinstance(obj, dict):
                return {k: conv(v) for k, v in obj.items()}
            return obj

        return dict(zip(self.__fields__, (conv(o) for o in self), strict=False))

    def __contains__(self, item: Any) -> bool:
        if hasattr(self, "__fields__"):
            return item in self.__fields__
        return super().__contains__(item)

    def __call__(self, *args: Any) -> Row:
        """Makes a row of this row class's fields."""
        if len(args) > len(self):
            raise ValueError(
                "[TOO_MANY_VALUES] Expected %d values for `fields`, got %d."
                % (len(self), len(args))
            )
        return _create_row(self, args)

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, (int, slice)):
            return super().__getitem__(item)
        try:
            idx = self.__fields__.index(item)
            return super().__getitem__(idx)
        except IndexError:
            raise _KeyError("[KEY_NOT_EXISTS] Key `%s` does not exist." % item) from None
        except ValueError:
            raise ValueError(item) from None

    def __getattr__(self, item: str) -> Any:
        if item.startswith("__"):
            raise AttributeError(
                "[ATTRIBUTE_NOT_SUPPORTED] Attribute `%s` is not supported." % item
            )
        try:
            return self[self.__fields__.index(item)]
        except (IndexError, ValueError):
            raise AttributeError(
                "[ATTRIBUTE_NOT_SUPPORTED] Attribute `%s` is not supported." % item
            ) from None

    def __setattr__(self, key: Any, value: Any) -> None:
        if key != "__fields__":
            raise RuntimeError("[READ_ONLY] Row is read-only.")
        self.__dict__[key] = value

    def __reduce__(self) -> Any:
        if hasattr(self, "__fields__"):
            return (_create_row, (self.__fields__, tuple(self)))
        return tuple.__reduce__(self)

    def __repr__(self) -> str:
        if hasattr(self, "__fields__"):
            return "Row(%s)" % ", ".join(
                "%s=%r" % (k, v) for k, v in zip(self.__fields__, tuple(self), strict=False)
            )
        return "<Row(%s)>" % ", ".join(repr(field) for field in self)
