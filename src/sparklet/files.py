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


# What SparkContext.addArchive unpacks (Spark's Utils.unpack formats); anything else is
# copied as it is, with a warning, as Spark does.
_ARCHIVE_FORMATS = ((".tar.gz", "gztar"), (".tgz", "gztar"), (".tar", "tar"),
                    (".zip", "zip"), (".jar", "zip"))


def add_archive(sc, path: str) -> str:
    """Unpack the archive at ``path`` (any fsspec URL, optionally ``#name``) into the
    context's files directory, as ``name`` or else the archive's file name, and ship the
    directory to every executor (see ``SparkContext.addArchive``); returns that name."""
    import logging
    import shutil
    import tempfile

    import fsspec

    source, _, alias = path.partition("#")
    fs, _, (src,) = fsspec.get_fs_token_paths(source)
    filename = os.path.basename(src.rstrip("/"))
    name = alias or filename
    target = os.path.join(sc._env.files_dir, name)
    if os.path.exists(target):
        raise ValueError("An archive (or file) named %s was already added" % name)
    with tempfile.TemporaryDirectory(dir=sc._local_dir) as scratch:
        local = os.path.join(scratch, filename)
        fs.get(src, local)
        kind = next((k for suffix, k in _ARCHIVE_FORMATS if filename.lower().endswith(suffix)),
                    None)
        if kind is None:
            logging.getLogger("sparklet").warning(
                "Skip unpacking the archive %s since it is not a supported format (.zip, "
                ".jar, .tar.gz, .tgz, .tar); it is copied to %s as it is", path, target)
            os.makedirs(target)
            shutil.copy(local, target)
        elif kind == "tar" or kind == "gztar":
            import tarfile

            with tarfile.open(local) as tar:
                tar.extractall(target, filter="data")  # no paths out of the directory
        else:
            shutil.unpack_archive(local, target, kind)
    sc._backend.add_file(target)
    return name


def add_submitted_files(sc) -> None:
    """The ``--files`` and ``--archives`` of sparklet-submit (``spark.files``,
    ``spark.archives``), added to a starting context as Spark's SparkContext adds them."""
    conf = sc._conf
    for path in filter(None, (conf.get("spark.files") or "").split(",")):
        sc.addFile(path)
    for path in filter(None, (conf.get("spark.archives") or "").split(",")):
        sc.addArchive(path)
