"""The file system a checkpoint directory lives on: plain local files without fsspec.

Checkpoint directories may be any fsspec URL, and the code that writes, lists and prunes
them speaks fsspec's file-system API. fsspec and what it pulls in (asyncio, ssl, email)
cost a process ~8-17 MB of RSS, though, and most applications checkpoint to a local
directory: for those, :func:`file_system` returns :data:`LOCAL`, the few calls that code
makes done with ``os`` and ``shutil`` as fsspec's ``LocalFileSystem`` does them, and the
path exactly as fsspec would give it. Anything else goes to fsspec.

>>> fs, path = file_system("file:///tmp/ck/")
>>> fs is LOCAL, path
(True, '/tmp/ck')
>>> file_system("memory://ck")[0] is LOCAL
False
"""

from __future__ import annotations

import os
import shutil
from typing import IO, Any

__all__ = ["LOCAL", "LocalFiles", "file_system", "local_path"]


def local_path(url: str) -> str | None:
    """fsspec's path for ``url`` when it is a plain local path or ``file:`` URI (what
    ``fsspec.get_fs_token_paths(url)`` gives), else None."""
    if os.sep != "/" or "::" in url or any(c in url for c in "*?["):
        return None  # Windows paths, chained URLs and globs: fsspec's own rules
    rest = url
    for prefix in ("file://", "file:"):
        if url.startswith(prefix):
            rest = url[len(prefix):]
            break
    if ":" in rest:
        return None  # another protocol, or a name fsspec would read as one
    # fsspec's make_path_posix, posix branch: absolute as given, no normalisation.
    if rest.startswith("/"):
        path = rest
    elif rest.startswith("~"):
        path = os.path.expanduser(rest)
    else:
        if rest.startswith("./"):
            rest = rest[2:]
        elif rest == ".":
            rest = ""
        path = f"{os.getcwd()}/{rest}"
    return path.rstrip("/") or "/"


class LocalFiles:
    """The subset of fsspec's ``LocalFileSystem`` (default options) that checkpointing
    uses, on paths as :func:`local_path` gives them."""

    def open(self, path: str, mode: str = "rb") -> IO[Any]:
        return open(path, mode)

    def mv(self, path1: str, path2: str) -> None:
        shutil.move(path1, path2)

    def ls(self, path: str, detail: bool = False) -> list[str]:
        if detail:
            raise NotImplementedError("detail=True: use fsspec")
        if not os.path.isdir(path):
            os.lstat(path)  # FileNotFoundError if missing, as fsspec
            return [path]
        with os.scandir(path) as entries:
            return [os.path.join(path, e.name) for e in entries]

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        os.makedirs(path, exist_ok=exist_ok)

    def exists(self, path: str) -> bool:
        return os.path.lexists(path)

    def isdir(self, path: str) -> bool:
        return os.path.isdir(path)

    def rm(self, path: str, recursive: bool = False) -> None:
        if os.path.isdir(path) and not os.path.islink(path):
            if not recursive:
                raise ValueError("Cannot delete directory, set recursive=True")
            if os.path.abspath(path) == os.getcwd():
                raise ValueError("Cannot delete current working directory")
            shutil.rmtree(path)
        else:
            os.remove(path)


LOCAL = LocalFiles()


def file_system(url: str) -> tuple[Any, str]:
    """``(file system, path)`` for ``url``, as ``fsspec.get_fs_token_paths`` gives them,
    with :data:`LOCAL` standing in for fsspec's local file system."""
    path = local_path(url)
    if path is not None:
        return LOCAL, path
    import fsspec

    fs, _, (path,) = fsspec.get_fs_token_paths(url)
    return fs, path
