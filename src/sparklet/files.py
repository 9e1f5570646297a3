"""SparkFiles: where files added with ``SparkContext.addFile`` can be found in a task."""

from __future__ import annotations

import os

__all__ = ["SparkFiles"]


class SparkFiles:
    """Resolves paths to files added through :meth:`SparkContext.addFile`.

    >>> import tempfile, os
    >>> from sparklet import SparkContext
    >>> sc = SparkContext.getOrCreate()
    >>> path = os.path.join(tempfile.mkdtemp(), "lookup.txt")
    >>> _ = open(path, "w").write("100")
    >>> sc.addFile(path)
    >>> def read(x):
    ...     with open(SparkFiles.get("lookup.txt")) as f:
    ...         return int(f.read()) * x
    >>> sc.parallelize([1, 2]).map(read).collect()
    [100, 200]
    """

    _root_directory: str | None = None

    def __init__(self) -> None:
        raise NotImplementedError("Do not construct SparkFiles objects")

    @classmethod
    def get(cls, filename: str) -> str:
        """Absolute path of a file added through ``SparkContext.addFile``."""
        return os.path.join(cls.getRootDirectory(), filename)

    @classmethod
    def getRootDirectory(cls) -> str:
        """Root directory containing the files added through ``SparkContext.addFile``."""
        from sparklet.env import SparkEnv

        env = SparkEnv.get()
        if env is not None:
            return env.files_dir
        if cls._root_directory is None:
            raise RuntimeError("SparkFiles is only available while a SparkContext is running")
        return cls._root_directory
