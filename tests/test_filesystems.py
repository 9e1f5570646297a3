"""sparklet.filesystems: local checkpoint directories without fsspec, as fsspec sees them."""

from __future__ import annotations

import os

import fsspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparklet.filesystems import LOCAL, file_system, local_path

PIECES = ["file:", "file://", "local:", "/", "//", ".", "..", "./", "ck", "a b", "%20", "~",
          ":", "c:", "*", "?", "::"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6))
def test_local_path_is_fsspecs_path(pieces):
    url = "".join(pieces)
    mine = local_path(url)
    if mine is None:
        return  # left to fsspec
    fs, _, paths = fsspec.get_fs_token_paths(url)
    assert type(fs).__name__ == "LocalFileSystem" and paths == [mine]


def test_other_file_systems_go_to_fsspec():
    fs, path = file_system("memory://fs-test/ck")
    assert type(fs).__name__ == "MemoryFileSystem" and path == "/fs-test/ck"


def test_local_files_do_what_fsspecs_local_file_system_does(tmp_path):
    ref = fsspec.filesystem("file")
    for fs, root in ((LOCAL, tmp_path / "mine"), (ref, tmp_path / "ref")):
        d = str(root / "meta")
        fs.makedirs(d, exist_ok=True)
        fs.makedirs(d, exist_ok=True)
        with pytest.raises(FileExistsError):
            fs.makedirs(d)
        with fs.open(d + "/.tmp", "wb") as fh:
            fh.write(b"payload")
        fs.mv(d + "/.tmp", d + "/f")
        with fs.open(d + "/f", "rb") as fh:
            assert fh.read() == b"payload"
        assert sorted(fs.ls(d, detail=False)) == [d + "/f"]
        assert fs.ls(d + "/f", detail=False) == [d + "/f"]
        with pytest.raises(FileNotFoundError):
            fs.ls(d + "/missing", detail=False)
        assert fs.exists(d + "/f") and fs.isdir(d) and not fs.isdir(d + "/f")
        with pytest.raises(ValueError):
            fs.rm(d)
        fs.rm(d + "/f")
        assert not fs.exists(d + "/f")
        with pytest.raises(FileNotFoundError):
            fs.rm(d + "/f")
        with fs.open(d + "/g", "wb"):
            pass
        fs.rm(str(root), recursive=True)
        assert not os.path.exists(root)


def test_a_driver_checkpointing_locally_does_not_import_fsspec(tmp_path):
    import subprocess
    import sys

    # A fresh interpreter: this one has fsspec already.
    code = """if True:
        import sys
        from sparklet import SparkConf, SparkContext
        from sparklet.streaming import StreamingContext
        sc = SparkContext(conf=SparkConf().setMaster("local[1]").setAppName("fs"))
        ssc = StreamingContext(sc, 1)
        ssc.checkpoint(sys.argv[1])
        rdd = sc.parallelize(range(4), 2)
        rdd.checkpoint()
        assert rdd.sum() == 6 and rdd.isCheckpointed()
        sc.stop()
        print("fsspec" in sys.modules)
    """
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "ck")], check=True,
                         capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert out.stdout.split() == ["False"]
    assert os.listdir(tmp_path / "ck")
