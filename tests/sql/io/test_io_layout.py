"""Spark's directory layout: save modes, partition directories (escaping, the default
partition), partition discovery and its type inference, hidden files, globs."""

from __future__ import annotations

import datetime
import os

import pytest
from iohelpers import collect, con, dtypes, frame, part_files, people, utc  # noqa: E402, F401 - fixtures (autouse: utc)

from sparklet.errors import AnalysisException
from sparklet.sql.io import layout, read, write


def test_part_file_names(tmp_path):
    table, schema = people()
    write(table, schema, str(tmp_path / "p"), "parquet")
    (name,) = [os.path.basename(p) for p in part_files(tmp_path / "p")]
    assert name.startswith("part-00000-") and name.endswith("-c000.snappy.parquet")
    assert len(name) == len("part-00000-") + 36 + len("-c000.snappy.parquet")
    for fmt, ext in (("json", ".json"), ("csv", ".csv"), ("orc", ".zstd.orc")):
        write(table, schema, str(tmp_path / fmt), fmt)
        assert part_files(tmp_path / fmt)[0].endswith("-c000" + ext)


def test_save_modes_are_case_insensitive_and_default_is_error(tmp_path, con):
    table, schema = people()
    write(table, schema, "file:" + str(tmp_path / "p"), "parquet", mode="default")
    write(table, schema, str(tmp_path / "p"), "parquet", mode="Append")
    assert len(part_files(tmp_path / "p")) == 2
    write(table.slice(0, 2), schema, str(tmp_path / "p"), "parquet", mode="OVERWRITE")
    assert len(part_files(tmp_path / "p")) == 1
    with pytest.raises(AnalysisException) as info:
        write(table, schema, str(tmp_path / "p"), "parquet", mode="error")
    assert info.value.getCondition() == "PATH_ALREADY_EXISTS"
    sql, s = read(con, ["file:" + str(tmp_path / "p")], "parquet", None, {})
    assert len(collect(con, sql, s)) == 2


def test_overwrite_replaces_every_partition(tmp_path, con):
    table, schema = people()
    write(table, schema, str(tmp_path / "p"), "parquet", partition_by=["city"])
    small, s2 = frame([(9, "Zed", 1, "LA")], "id INT, name STRING, age INT, city STRING")
    write(small, s2, str(tmp_path / "p"), "parquet", mode="overwrite", partition_by=["city"])
    assert sorted(os.listdir(tmp_path / "p")) == ["_SUCCESS", "city=LA"]


def test_partition_values_escaped_as_spark(tmp_path, con):
    values = ["a/b", "x:y", "50%", "sp ace", "q=1", "", None, "é"]
    table, schema = frame([(i, v) for i, v in enumerate(values)], "i INT, s STRING")
    write(table, schema, str(tmp_path / "p"), "parquet", partition_by=["s"])
    dirs = sorted(d for d in os.listdir(tmp_path / "p") if not d.startswith("_"))
    assert dirs == sorted(["s=a%2Fb", "s=x%3Ay", "s=50%25", "s=sp ace", "s=q%3D1",
                           "s=__HIVE_DEFAULT_PARTITION__", "s=é"])
    sql, s = read(con, [str(tmp_path / "p")], "parquet", None, {})
    got = dict(con.sql(sql).fetchall())
    # Spark reads the empty string's directory back as NULL, like the NULL's
    assert got == {i: (None if v == "" else v) for i, v in enumerate(values)}


def test_multi_level_partitions_and_types(tmp_path, con):
    rows = [(1, 2024, datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 5, 7, 8, 9), 1.5,
             True, 3000000000),
            (2, None, None, None, None, None, None)]
    ddl = "id INT, y INT, d DATE, t TIMESTAMP, f DOUBLE, b BOOLEAN, l BIGINT"
    table, schema = frame(rows, ddl)
    write(table, schema, str(tmp_path / "p"), "parquet",
          partition_by=["y", "d", "t", "f", "b", "l"])
    leaf = [os.path.relpath(os.path.dirname(p), tmp_path / "p")
            for p in part_files(tmp_path / "p")]
    assert "y=2024/d=2024-01-05/t=2024-01-05 07%3A08%3A09/f=1.5/b=true/l=3000000000" in leaf
    sql, s = read(con, [str(tmp_path / "p")], "parquet", None, {})
    # booleans are not inferred from directory names: they come back as strings
    assert dtypes(s) == [("id", "int"), ("y", "int"), ("d", "date"), ("t", "timestamp"),
                         ("f", "double"), ("b", "string"), ("l", "bigint")]
    assert collect(con, sql, s, "id") == [
        (1, 2024, datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 5, 7, 8, 9), 1.5,
         "true", 3000000000), (2, None, None, None, None, None, None)]


def test_partition_type_inference():
    infer = layout.infer_partition_type
    assert [infer(v).simpleString() for v in
            ["1", "-7", "3000000000", "99999999999999999999", "1.5", "1e3", "2024-01-05",
             "2024-01-05 07%3A08%3A09", "2024-13-01", "abc", None]] == [
        "int", "int", "bigint", "decimal(20,0)", "double", "double", "date", "timestamp",
        "string", "string", "void"]
    merge = layout.merge_partition_types
    from sparklet.sql import types as T
    assert merge(T.IntegerType(), T.DoubleType()) == T.DoubleType()
    assert merge(T.LongType(), T.DoubleType()) == T.StringType()
    assert merge(T.DecimalType(20, 0), T.DoubleType()) == T.StringType()
    assert merge(T.IntegerType(), T.DecimalType(20, 0)) == T.DecimalType(20, 0)
    assert merge(T.IntegerType(), T.LongType()) == T.LongType()
    assert merge(T.DateType(), T.TimestampType()) == T.TimestampType()
    assert merge(T.IntegerType(), T.DateType()) == T.StringType()
    assert merge(T.NullType(), T.DateType()) == T.DateType()


def test_mixed_partition_values_widen(tmp_path, con):
    for i, v in enumerate(["1", "2.5", "__HIVE_DEFAULT_PARTITION__"]):
        t, s = frame([(i,)], "a INT")
        write(t, s, str(tmp_path / "p" / f"k={v}"), "parquet")
    sql, s = read(con, [str(tmp_path / "p")], "parquet", None, {})
    assert dtypes(s) == [("a", "int"), ("k", "double")]
    assert collect(con, sql, s, "a") == [(0, 1.0), (1, 2.5), (2, None)]
    sql, s = read(con, [str(tmp_path / "p")], "parquet", None,
                  {"inferPartitionTypes": "false"})
    assert dtypes(s)[-1] == ("k", "string")


def test_reading_a_partition_directory_or_file_directly(tmp_path, con):
    table, schema = people()
    write(table, schema, str(tmp_path / "p"), "parquet", partition_by=["city"])
    sql, s = read(con, [str(tmp_path / "p" / "city=SF")], "parquet", None, {})
    assert [f.name for f in s.fields] == ["id", "name", "age"]
    (one,) = part_files(tmp_path / "p" / "city=NY")
    sql, s = read(con, [one], "parquet", None, {})
    assert [f.name for f in s.fields] == ["id", "name", "age"]
    sql, s = read(con, [one], "parquet", None, {"basePath": str(tmp_path / "p")})
    assert [f.name for f in s.fields] == ["id", "name", "age", "city"]
    assert {r[-1] for r in con.sql(sql).fetchall()} == {"NY"}


def test_hidden_files_are_skipped_and_globs_expand(tmp_path, con):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text("a\n")
    (tmp_path / "d" / "b.txt").write_text("b\n")
    (tmp_path / "d" / "_SUCCESS").write_text("")
    (tmp_path / "d" / ".a.txt.crc").write_text("junk\n")
    (tmp_path / "d" / "_temporary").mkdir()
    (tmp_path / "d" / "_temporary" / "x.txt").write_text("x\n")
    sql, s = read(con, [str(tmp_path / "d")], "text", None, {})
    assert sorted(r[0] for r in con.sql(sql).fetchall()) == ["a", "b"]
    sql, s = read(con, [str(tmp_path / "d" / "a*")], "text", None, {})
    assert con.sql(sql).fetchall() == [("a",)]
    sql, s = read(con, [str(tmp_path / "d" / "{a,b}.txt")], "text", None, {})
    assert sorted(con.sql(sql).fetchall()) == [("a",), ("b",)]
    with pytest.raises(AnalysisException) as info:
        read(con, [str(tmp_path / "d" / "z*")], "text", None, {})
    assert info.value.getCondition() == "PATH_NOT_FOUND"


def test_partition_column_checks(tmp_path):
    table, schema = people()
    with pytest.raises(AnalysisException):
        write(table, schema, str(tmp_path / "p"), "parquet", partition_by=["nope"])
    t, s = frame([(1,)], "a INT")
    with pytest.raises(AnalysisException, match="all columns"):
        write(t, s, str(tmp_path / "p"), "parquet", partition_by=["a"])
    assert not (tmp_path / "p").exists()


def test_escape_helpers_round_trip():
    text = "a/b:c%d=e?f\x01g[h]{i}^j'k\"l#m*n\\o\x7f"
    escaped = layout.escape_path_name(text)
    assert escaped == ("a%2Fb%3Ac%25d%3De%3Ff%01g%5Bh%5D%7Bi}%5Ej%27k%22l%23m%2An%5Co%7F")
    assert layout.unescape_path_name(escaped) == text


@pytest.mark.parametrize("fmt", ["json", "csv", "orc", "text"])
def test_partitioned_row_formats_read_back(tmp_path, con, fmt):
    ddl = "v STRING, k INT" if fmt == "text" else "v STRING, k INT"
    table, schema = frame([("a", 1), ("b", 2), ("c", None)], ddl)
    write(table, schema, str(tmp_path / fmt), fmt, partition_by=["k"])
    assert sorted(os.listdir(tmp_path / fmt)) == ["_SUCCESS", "k=1", "k=2",
                                                  "k=__HIVE_DEFAULT_PARTITION__"]
    sql, s = read(con, [str(tmp_path / fmt)], fmt, None, {})
    assert [f.name for f in s.fields][-1] == "k" and dtypes(s)[-1] == ("k", "int")
    name = s.fields[0].name
    assert con.sql(f'SELECT "{name}", k FROM ({sql}) ORDER BY 1').fetchall() == \
        [("a", 1), ("b", 2), ("c", None)]


def test_max_records_per_file(tmp_path, con):
    table, schema = people()
    write(table, schema, str(tmp_path / "p"), "json", options={"maxRecordsPerFile": 2})
    names = [os.path.basename(p) for p in part_files(tmp_path / "p")]
    assert [n.rsplit("-", 1)[1] for n in names] == ["c000.json", "c001.json", "c002.json"]
    sql, s = read(con, [str(tmp_path / "p")], "json", None, {})
    assert len(collect(con, sql, s)) == 5


def test_dynamic_partition_overwrite(tmp_path, con):
    table, schema = people()
    write(table, schema, str(tmp_path / "p"), "parquet", partition_by=["city"])
    small, s2 = frame([(9, "Zed", 1, "NY")], "id INT, name STRING, age INT, city STRING")
    write(small, s2, str(tmp_path / "p"), "parquet", mode="overwrite", partition_by=["city"],
          options={"partitionOverwriteMode": "dynamic"})
    sql, s = read(con, [str(tmp_path / "p")], "parquet", None, {})
    # NY replaced, SF and the NULL partition kept
    assert sorted(r[0] for r in con.sql(f"SELECT id FROM ({sql})").fetchall()) == [2, 3, 5, 9]


def test_unknown_format(tmp_path, con):
    table, schema = people()
    for call in (lambda: write(table, schema, str(tmp_path / "x"), "delta"),
                 lambda: read(con, [str(tmp_path / "missing")], "delta", None, {})):
        with pytest.raises(AnalysisException) as info:
            call()
        assert info.value.getCondition() == "DATA_SOURCE_NOT_FOUND"
    assert not (tmp_path / "x").exists()


def test_partition_column_also_in_the_files(tmp_path, con):
    # the files' position, the directory's type and value (Spark's mergeDataAndPartitionSchema)
    t, s = frame([("x", "7", 1)], "a STRING, k STRING, b INT")
    write(t, s, str(tmp_path / "p" / "k=5"), "parquet")
    sql, got = read(con, [str(tmp_path / "p")], "parquet", None, {})
    assert dtypes(got) == [("a", "string"), ("k", "int"), ("b", "int")]
    assert con.sql(sql).fetchall() == [("x", 5, 1)]
