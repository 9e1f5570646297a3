"""Hadoop SequenceFiles and the Hadoop file methods (sparklet.sequencefile, sparklet.hadoop).

Expected bytes come from the SequenceFile format (Hadoop's SequenceFile and WritableUtils
documentation), built here independently of the writer; expected records from PySpark's
test_readwrite and its Writable conversions.
"""

from __future__ import annotations

import os
import struct

import pytest

from sparklet import sequencefile as seq
from sparklet.errors import PythonException

IO = "org.apache.hadoop.io."


def _text(s: str) -> bytes:
    data = s.encode()
    assert len(data) < 128  # a one-byte vint
    return bytes([len(data)]) + data


def _parts(path) -> list[str]:
    return sorted(p for p in os.listdir(path) if p.startswith("part-"))


# -- the format ------------------------------------------------------------------------------


@pytest.mark.parametrize("value,encoded", [
    (0, b"\x00"), (127, b"\x7f"), (-112, b"\x90"), (128, b"\x8f\x80"), (255, b"\x8f\xff"),
    (256, b"\x8e\x01\x00"), (-113, b"\x87\x70"), (-256, b"\x87\xff"), (-257, b"\x86\x01\x00"),
    (2**31 - 1, b"\x8c\x7f\xff\xff\xff"), (-2**63, b"\x80\x7f\xff\xff\xff\xff\xff\xff\xff"),
])
def test_vlong_encoding_is_hadoops(value, encoded):
    # WritableUtils.writeVLong: one byte for -112..127, else a length byte (-113..-120
    # positive, -121..-128 negative, one's complement) and the big-endian magnitude.
    out = bytearray()
    seq.write_vlong(out, value)
    assert bytes(out) == encoded
    assert seq.read_vlong(encoded, 0) == (value, len(encoded))


def test_header_and_records_are_laid_out_as_the_format_says(tmp_path):
    path = tmp_path / "f.seq"
    with open(path, "wb") as f:
        for chunk in seq.sequence_chunks([("a", 1), ("bc", -2)], IO + "Text",
                                         IO + "IntWritable"):
            f.write(chunk)
    data = path.read_bytes()
    header = (b"SEQ\x06" + _text(IO + "Text") + _text(IO + "IntWritable") + b"\x00\x00"
              + struct.pack(">i", 0))
    assert data.startswith(header)
    sync = data[len(header):len(header) + 16]
    records = data[len(header) + 16:]
    key_a, key_bc = b"\x01a", b"\x02bc"
    assert records == (struct.pack(">ii", len(key_a) + 4, len(key_a)) + key_a
                       + struct.pack(">i", 1)
                       + struct.pack(">ii", len(key_bc) + 4, len(key_bc)) + key_bc
                       + struct.pack(">i", -2))
    assert len(set(sync)) > 1  # a random marker, not zeros
    assert list(seq.read_sequence_split(str(path), 0, len(data))) == [("a", 1), ("bc", -2)]


def test_a_sync_marker_follows_every_2000_bytes(tmp_path):
    path = tmp_path / "f.seq"
    records = [(i, "x" * 50) for i in range(500)]
    with open(path, "wb") as f:
        for chunk in seq.sequence_chunks(records, IO + "IntWritable", IO + "Text"):
            f.write(chunk)
    data = path.read_bytes()
    with open(path, "rb") as f:
        sync = seq.read_header(f).sync
    positions = []
    start = data.find(sync) + 16  # the header's own marker
    while True:
        i = data.find(b"\xff\xff\xff\xff" + sync, start)
        if i < 0:
            break
        positions.append(i)
        start = i + 20
    assert len(positions) >= len(data) // 2100
    gaps = [b - a for a, b in zip(positions, positions[1:], strict=False)]
    assert all(2000 <= g <= 2000 + 20 + 4 + 4 + 4 + 51 for g in gaps)


@pytest.mark.parametrize("codec", [None, "org.apache.hadoop.io.compress.DefaultCodec",
                                   "org.apache.hadoop.io.compress.BZip2Codec"])
def test_splits_read_every_record_exactly_once(tmp_path, codec):
    # Hadoop's record reader: a split starts at the first sync after its start and stops at
    # the first record (or block) past its end that follows a sync.
    path = tmp_path / "f.seq"
    records = [(i, "v%d" % i * (i % 7)) for i in range(3000)]
    writer_out = open(path, "wb")
    w = seq.SequenceFileWriter(writer_out, IO + "IntWritable", IO + "Text", codec,
                               block_records=100)
    for k, v in records:
        w.append(k, v)
    w.close()
    writer_out.close()
    size = os.path.getsize(path)
    for n_splits in (1, 2, 3, 7, 40):
        bounds = [size * i // n_splits for i in range(n_splits + 1)]
        got = []
        for a, b in zip(bounds, bounds[1:], strict=False):
            got.extend(seq.read_sequence_split(str(path), a, b - a))
        assert got == records, (codec, n_splits)


def test_bad_files_fail_clearly(tmp_path):
    path = tmp_path / "not.seq"
    path.write_bytes(b"hello world")
    with pytest.raises(seq.SequenceFileError, match="is not a SequenceFile"):
        list(seq.read_sequence_split(str(path), 0, 11))
    good = tmp_path / "good.seq"
    with open(good, "wb") as f:
        for chunk in seq.sequence_chunks([(1, "abc")], IO + "IntWritable", IO + "Text"):
            f.write(chunk)
    good_bytes = good.read_bytes()
    (tmp_path / "cut.seq").write_bytes(good_bytes[:-2])
    with pytest.raises(seq.SequenceFileError, match="truncated"):
        list(seq.read_sequence_split(str(tmp_path / "cut.seq"), 0, len(good_bytes)))


# -- saveAsSequenceFile / sequenceFile ----------------------------------------------------------


def test_round_trip_of_the_common_writables(sc, tmp_path):
    cases = {
        "text_int": [("a", 1), ("b", -7), ("", 2**31 - 1)],
        "long_double": [(2**40, 1.5), (-2**40, -0.25)],
        "bool_bytes": [(True, b"\x00\xff"), (False, b"")],
        "null": [(None, "x"), (None, "y")],
        "map": [(1, {}), (1, {"row1": 1.0}), (2, {"row2": 2.0, "n": None})],
    }
    for name, data in cases.items():
        out = str(tmp_path / name)
        sc.parallelize(data, 2).saveAsSequenceFile(out)
        assert _parts(out) == ["part-00000", "part-00001"]
        assert os.path.exists(os.path.join(out, "_SUCCESS"))
        got = sc.sequenceFile(out).collect()
        # BytesWritable comes back as bytearray in PySpark; bytes == bytearray in Python.
        assert got == data, name
    got = sc.sequenceFile(str(tmp_path / "bool_bytes")).collect()
    assert all(isinstance(v, bytearray) for _, v in got)


def test_reserialization_as_in_pyspark(sc, tmp_path):
    # PySpark's test_reserialization: the zip of two int RDDs through each writer.
    data = list(zip(range(1, 5), range(1001, 1005), strict=True))
    rdd = sc.parallelize(range(1, 5)).zip(sc.parallelize(range(1001, 1005)))
    base = str(tmp_path)
    rdd.saveAsSequenceFile(base + "/sequence")
    assert sorted(sc.sequenceFile(base + "/sequence").collect()) == data
    rdd.saveAsHadoopFile(base + "/hadoop", "org.apache.hadoop.mapred.SequenceFileOutputFormat")
    assert sorted(sc.sequenceFile(base + "/hadoop").collect()) == data
    rdd.saveAsNewAPIHadoopFile(base + "/newhadoop",
                               "org.apache.hadoop.mapreduce.lib.output.SequenceFileOutputFormat")
    assert sorted(sc.sequenceFile(base + "/newhadoop").collect()) == data
    assert _parts(base + "/newhadoop")[0].startswith("part-r-")
    conf4 = {"mapred.output.format.class": "org.apache.hadoop.mapred.SequenceFileOutputFormat",
             "mapreduce.job.output.key.class": IO + "IntWritable",
             "mapreduce.job.output.value.class": IO + "IntWritable",
             "mapreduce.output.fileoutputformat.outputdir": base + "/dataset"}
    rdd.saveAsHadoopDataset(conf4)
    assert sorted(sc.sequenceFile(base + "/dataset").collect()) == data
    conf5 = dict(conf4)
    del conf5["mapred.output.format.class"]
    conf5["mapreduce.job.outputformat.class"] = \
        "org.apache.hadoop.mapreduce.lib.output.SequenceFileOutputFormat"
    conf5["mapreduce.output.fileoutputformat.outputdir"] = base + "/newdataset"
    rdd.saveAsNewAPIHadoopDataset(conf5)
    assert sorted(sc.sequenceFile(base + "/newdataset").collect()) == data


def test_hadoop_input_formats_as_in_pyspark(sc, tmp_path):
    base = str(tmp_path)
    ints = [(1, "aa"), (1, "aa"), (2, "aa"), (2, "bb"), (2, "bb"), (3, "cc")]
    sc.parallelize(ints, 3).saveAsSequenceFile(base + "/sfint")
    old = sc.hadoopFile(base + "/sfint/", "org.apache.hadoop.mapred.SequenceFileInputFormat",
                        IO + "IntWritable", IO + "Text")
    assert sorted(old.collect()) == ints
    new = sc.newAPIHadoopFile(base + "/sfint/",
                              "org.apache.hadoop.mapreduce.lib.input.SequenceFileInputFormat",
                              IO + "IntWritable", IO + "Text")
    assert sorted(new.collect()) == ints
    hello = tmp_path / "hello.txt"
    hello.write_bytes(b"Hello World!\r\nsecond\nthird")
    conf = {"mapreduce.input.fileinputformat.inputdir": str(hello)}
    assert sc.hadoopRDD("org.apache.hadoop.mapred.TextInputFormat", IO + "LongWritable",
                        IO + "Text", conf=conf).collect() == \
        [(0, "Hello World!"), (14, "second"), (21, "third")]
    assert sc.newAPIHadoopRDD("org.apache.hadoop.mapreduce.lib.input.TextInputFormat",
                              IO + "LongWritable", IO + "Text", conf=conf).collect() == \
        [(0, "Hello World!"), (14, "second"), (21, "third")]


def test_text_output_format(sc, tmp_path):
    out = str(tmp_path / "text")
    sc.parallelize([(1, "a"), (None, 2.5), ("k", None), (True, 1e20)], 1).saveAsHadoopFile(
        out, "org.apache.hadoop.mapred.TextOutputFormat")
    assert open(os.path.join(out, "part-00000")).read() == "1\ta\n2.5\nk\ntrue\t1.0E20\n"


def test_compressed_sequence_files(sc, tmp_path):
    data = [(i, "value %d" % i) for i in range(2500)]
    for codec in ("org.apache.hadoop.io.compress.DefaultCodec",
                  "org.apache.hadoop.io.compress.BZip2Codec"):
        out = str(tmp_path / codec.rsplit(".", 1)[1])
        sc.parallelize(data, 2).saveAsSequenceFile(out, codec)
        with open(os.path.join(out, "part-00000"), "rb") as f:
            header = seq.read_header(f)
        assert (header.compressed, header.block, header.codec) == (True, True, codec)
        assert sc.sequenceFile(out, minSplits=5).collect() == data
    with pytest.raises(seq.SequenceFileError, match="GzipCodec is not available"):
        sc.parallelize(data).saveAsSequenceFile(str(tmp_path / "gz"),
                                                "org.apache.hadoop.io.compress.GzipCodec")


def test_large_file_is_split_like_text_files(sc, tmp_path):
    out = str(tmp_path / "big")
    data = [(i, "x" * (i % 40)) for i in range(20000)]
    sc.parallelize(data, 1).saveAsSequenceFile(out)
    rdd = sc.sequenceFile(out, minSplits=6)
    assert rdd.getNumPartitions() == 6
    assert rdd.collect() == data
    assert sum(1 for part in rdd.glom().collect() if part) > 1


# -- errors, as PySpark raises them -----------------------------------------------------------


def test_errors_name_the_problem(sc, tmp_path):
    base = str(tmp_path)
    with pytest.raises(PythonException, match="wrong key class: org.apache.hadoop.io.Text is "
                                              "not class org.apache.hadoop.io.IntWritable"):
        sc.parallelize([(1, "a"), ("b", "c")], 1).saveAsSequenceFile(base + "/mixed")
    with pytest.raises(ValueError, match="empty RDD"):
        sc.emptyRDD().saveAsSequenceFile(base + "/empty")
    with pytest.raises((PythonException, seq.SequenceFileError), match="ArrayWritable"):
        sc.parallelize([(1, (2, 3))]).saveAsSequenceFile(base + "/tuple")
    # PySpark's test_malformed_RDD: an RDD of lists of pairs is not an RDD of pairs.
    with pytest.raises(Exception, match="pairs"):
        sc.parallelize([[(1, "a")], [(2, "aa")]], 2).saveAsSequenceFile(base + "/malformed")
    sc.parallelize([(1, "a")]).saveAsSequenceFile(base + "/ok")
    with pytest.raises(seq.UnknownWritableError, match="NotValidWritable"):
        sc.sequenceFile(base + "/ok", IO + "NotValidWritable", IO + "Text")
    with pytest.raises(PythonException, match="wrong value class"):
        sc.sequenceFile(base + "/ok", IO + "IntWritable", IO + "LongWritable").collect()
    with pytest.raises(NotImplementedError, match="Java class"):
        sc.sequenceFile(base + "/ok", keyConverter="org.example.Converter")
    with pytest.raises(NotImplementedError, match="NotValidInputFormat"):
        sc.hadoopFile(base + "/ok", "org.apache.hadoop.mapred.NotValidInputFormat",
                      IO + "IntWritable", IO + "Text")
    # test_newolderror: a format of the other Hadoop API is refused.
    with pytest.raises(ValueError, match="new \\(mapreduce\\) Hadoop API"):
        sc.hadoopFile(base + "/ok",
                      "org.apache.hadoop.mapreduce.lib.input.SequenceFileInputFormat",
                      IO + "IntWritable", IO + "Text")
    with pytest.raises(ValueError, match="old \\(mapred\\) Hadoop API"):
        sc.parallelize([(1, "a")]).saveAsNewAPIHadoopFile(
            base + "/x", "org.apache.hadoop.mapred.SequenceFileOutputFormat")
    with pytest.raises(NotImplementedError, match="NotValidOutputFormat"):
        sc.parallelize([(1, "a")]).saveAsHadoopFile(
            base + "/y", "org.apache.hadoop.mapred.NotValidOutputFormat")
    from sparklet.io import InvalidInputError

    missing = sc.sequenceFile(base + "/missing")  # lazy, as in PySpark
    with pytest.raises(InvalidInputError, match="Input path does not exist: file:"):
        missing.collect()


# -- interoperability with Hadoop itself --------------------------------------------------------


def _hadoop_classpath() -> str | None:
    """Hadoop's client jars: $SPARKLET_HADOOP_CLASSPATH, else the local Maven repository
    (``mvn dependency:copy -Dartifact=org.apache.hadoop:hadoop-client-api:3.3.6`` and
    ``hadoop-client-runtime``, ``org.slf4j:slf4j-api:1.7.36``,
    ``commons-logging:commons-logging:1.1.3``)."""
    import glob
    import shutil

    if shutil.which("java") is None:
        return None
    given = os.environ.get("SPARKLET_HADOOP_CLASSPATH")
    if given:
        return given
    repo = os.path.expanduser("~/.m2/repository")
    jars = []
    for pattern in ("org/apache/hadoop/hadoop-client-api/3.*/*.jar",
                    "org/apache/hadoop/hadoop-client-runtime/3.*/*.jar",
                    "org/slf4j/slf4j-api/1.7.*/*.jar",
                    "commons-logging/commons-logging/1.1.*/*.jar"):
        found = sorted(glob.glob(os.path.join(repo, pattern)))
        if not found:
            return None
        jars.append(found[-1])
    return os.pathsep.join(jars)


def _hadoop(*args: str) -> str:
    import subprocess

    program = os.path.join(os.path.dirname(__file__), "data", "SeqInterop.java")
    done = subprocess.run(["java", "-cp", _hadoop_classpath(), program, *args],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.integration
@pytest.mark.slow
def test_hadoop_reads_our_files_and_we_read_hadoops(sc, tmp_path):
    from services import require_service

    require_service(_hadoop_classpath() is not None,
                    "Java or Hadoop's client jars are missing (.ci/hadoop-jars fetches them)")
    # Hadoop writes, uncompressed and record/block compressed; sparklet reads, in splits.
    hadoop_dir = tmp_path / "from_hadoop"
    hadoop_dir.mkdir()
    _hadoop("write", str(hadoop_dir), "3000")
    model = [(i, "v%d" % i + "x" * (i % 5)) for i in range(3000)]
    for kind in ("none", "record", "block", "bzip2"):
        rdd = sc.sequenceFile(str(hadoop_dir / (kind + ".seq")), minSplits=4)
        assert rdd.collect() == model, kind
    # sparklet writes every Writable it knows; Hadoop's reader reads them back.
    cases = [
        ([(2**40, {"a": 1.5, "b": None, 3: b"\x01\x02", "t": True}), (-2**35, {})],
         ["LongWritable:1099511627776\tmap:{IntWritable:3=bytes:0102, Text:a=DoubleWritable:1.5,"
          " Text:b=null, Text:t=BooleanWritable:true}", "LongWritable:-34359738368\tmap:{}"]),
        ([(None, b"\xff\x00"), (None, b"")], ["null\tbytes:ff00", "null\tbytes:"]),
        ([("héllo", "wörld"), ("", "")], ["Text:héllo\tText:wörld", "Text:\tText:"]),
        ([(float(i), i % 3 == 0) for i in range(3000)],
         ["DoubleWritable:%.1f\tBooleanWritable:%s" % (i, "true" if i % 3 == 0 else "false")
          for i in range(3000)]),
    ]
    files, expected = [], []
    for n, (data, lines) in enumerate(cases):
        for codec in (None, "org.apache.hadoop.io.compress.DefaultCodec",
                      "org.apache.hadoop.io.compress.BZip2Codec"):
            out = str(tmp_path / ("ours%d-%s" % (n, codec and codec.rsplit(".", 1)[1])))
            sc.parallelize(data, 1).saveAsSequenceFile(out, codec)
            files.append(os.path.join(out, "part-00000"))
            expected.append(lines)
    blocks = _hadoop("read", *files).split("== ")[1:]
    assert len(blocks) == len(files)
    for block, lines in zip(blocks, expected, strict=True):
        assert block.splitlines()[1:] == lines


def test_text_input_format_splits_read_each_line_once(tmp_path):
    # (offset, line) pairs over any split boundaries equal a plain-Python model.
    from sparklet.hadoop import _read_text_offsets

    lines = ["line %d %s" % (i, "y" * (i % 9)) for i in range(200)]
    raw = "".join(line + ("\r\n" if i % 3 else "\n") for i, line in enumerate(lines)).encode()
    path = tmp_path / "t.txt"
    path.write_bytes(raw)
    model, pos = [], 0
    for i, line in enumerate(lines):
        model.append((pos, line))
        pos += len(line) + (2 if i % 3 else 1)
    for n in (1, 2, 5, 13, 97):
        bounds = [len(raw) * i // n for i in range(n + 1)]
        got = []
        for a, b in zip(bounds, bounds[1:], strict=False):
            got.extend(_read_text_offsets((str(path), a, b - a)))
        assert got == model, n
