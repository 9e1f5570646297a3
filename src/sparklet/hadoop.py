"""PySpark's Hadoop file methods, in the pure-Python forms that make sense without a JVM.

Supported (files readable by Hadoop, and Hadoop's files readable here):

* ``sc.sequenceFile`` / ``rdd.saveAsSequenceFile``: Hadoop SequenceFiles of the common
  Writables (:mod:`sparklet.sequencefile`), uncompressed or block-compressed with
  ``DefaultCodec``/``DeflateCodec``/``BZip2Codec``.
* ``sc.hadoopFile`` / ``sc.newAPIHadoopFile`` / ``sc.hadoopRDD`` / ``sc.newAPIHadoopRDD`` with
  the SequenceFile or Text input format of the matching Hadoop API (``mapred`` for the
  first and third, ``mapreduce.lib.input`` for the others).
* ``rdd.saveAsHadoopFile`` / ``saveAsNewAPIHadoopFile`` / ``saveAsHadoopDataset`` /
  ``saveAsNewAPIHadoopDataset`` with the SequenceFile or Text output format.

Not supported, with a ``NotImplementedError`` saying so: any other InputFormat/OutputFormat
class, custom Writable classes and ``keyConverter``/``valueConverter`` (all are Java classes,
which need a JVM; convert with ``map`` instead), and ArrayWritable values.

As in PySpark, key and value classes of an output are those of the first record unless given,
a record of another class fails the job (Hadoop's "wrong key class"), an empty RDD cannot be
saved without explicit classes, and inputs are listed at the first action.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sparklet import io as sio
from sparklet import sequencefile as seq

__all__ = ["HadoopRDDFunctions", "sequence_file", "hadoop_file", "hadoop_rdd"]

_OLD_IN = "org.apache.hadoop.mapred."
_NEW_IN = "org.apache.hadoop.mapreduce.lib.input."
_OLD_OUT = "org.apache.hadoop.mapred."
_NEW_OUT = "org.apache.hadoop.mapreduce.lib.output."
_JAVA_ONLY = ("it is a Java class: sparklet has no JVM and implements only the SequenceFile "
              "and Text formats in pure Python")


def _no_converters(keyConverter: str | None, valueConverter: str | None) -> None:
    for name in (keyConverter, valueConverter):
        if name is not None:
            raise NotImplementedError(
                "Converter %s cannot be used: %s; convert records with map() instead"
                % (name, _JAVA_ONLY.replace("the SequenceFile and Text formats", "formats")))


def _format_kind(cls: str, new_api: bool, direction: str) -> str:
    """'sequence' or 'text' for a supported format class of the API in use, else raise."""
    old_prefix, new_prefix = ((_OLD_IN, _NEW_IN) if direction == "input"
                              else (_OLD_OUT, _NEW_OUT))
    suffix = "InputFormat" if direction == "input" else "OutputFormat"
    want, other = (new_prefix, old_prefix) if new_api else (old_prefix, new_prefix)
    for kind, simple in (("sequence", "SequenceFile" + suffix), ("text", "Text" + suffix)):
        if cls == want + simple:
            return kind
        if cls == other + simple:
            method = {("input", True): "hadoopFile/hadoopRDD",
                      ("input", False): "newAPIHadoopFile/newAPIHadoopRDD",
                      ("output", True): "saveAsHadoopFile/saveAsHadoopDataset",
                      ("output", False): "saveAsNewAPIHadoopFile/saveAsNewAPIHadoopDataset"}
            raise ValueError("%s belongs to the %s Hadoop API; use %s for it"
                             % (cls, "new (mapreduce)" if not new_api else "old (mapred)",
                                method[(direction, new_api)]))
    raise NotImplementedError("%s %s is not supported: %s" % (suffix, cls, _JAVA_ONLY))


def _check_class(name: str | None) -> None:
    if name is not None:
        seq.writable(name)  # unknown names fail at the call, as ClassNotFoundException does


# -- reading ---------------------------------------------------------------------------------


def _splits(path: str, min_partitions: int) -> list[tuple[str, int, int]]:
    """FileInputFormat's splits (as for textFile), ``(path, start, length)``; sequence files
    are splittable at their sync markers, so compression does not matter here."""
    files = sio.list_input_files(path)
    total = sum(size for _, size in files)
    split = max(1, min(total // max(min_partitions, 1), sio.BLOCK_SIZE))
    out = []
    for fpath, size in files:
        remaining = size
        while remaining / split > sio.SPLIT_SLOP:
            out.append((fpath, size - remaining, split))
            remaining -= split
        if remaining:
            out.append((fpath, size - remaining, remaining))
    return out


def _read_text_offsets(split: tuple[str, int, int]) -> Iterator[tuple[int, str]]:
    """(byte offset, line) pairs of a split, as TextInputFormat gives them (``\\n`` and
    ``\\r\\n`` line ends)."""
    path, start, length = split
    end = start + length
    f = sio.open_file(path, "rb")
    try:
        f.seek(start)
        # As Hadoop's LineRecordReader: a split after the first skips its first (partial or
        # whole) line, and every split reads the line starting at its end, so each line is
        # read once.
        pos = start + len(f.readline()) if start else 0
        while pos <= end:
            line = f.readline()
            if not line:
                return
            text = line.rstrip(b"\n").rstrip(b"\r") if line.endswith(b"\n") else line
            yield pos, text.decode("utf-8", "replace")
            pos += len(line)
    finally:
        f.close()


def _input_rdd(sc, path: str, kind: str, keyClass: str | None, valueClass: str | None,
               min_partitions: int | None, name: str):
    from sparklet.rdds import SplitRDD

    minimum = min_partitions or sc.defaultMinPartitions
    if kind == "text":
        return SplitRDD(sc, lambda: _splits(path, minimum), _read_text_offsets, name)
    _check_class(keyClass)
    _check_class(valueClass)
    return SplitRDD(sc, lambda: _splits(path, minimum),
                    lambda s: seq.read_sequence_split(s[0], s[1], s[2], keyClass, valueClass),
                    name)


def sequence_file(sc, path: str, keyClass: str | None = None, valueClass: str | None = None,
                  keyConverter: str | None = None, valueConverter: str | None = None,
                  minSplits: int | None = None, batchSize: int = 0):
    _no_converters(keyConverter, valueConverter)
    return _input_rdd(sc, path, "sequence", keyClass, valueClass, minSplits, "HadoopRDD")


def hadoop_file(sc, path: str, inputFormatClass: str, keyClass: str, valueClass: str,
                keyConverter: str | None, valueConverter: str | None, conf: dict | None,
                new_api: bool):
    _no_converters(keyConverter, valueConverter)
    kind = _format_kind(inputFormatClass, new_api, "input")
    return _input_rdd(sc, path, kind, keyClass, valueClass, None,
                      "NewHadoopRDD" if new_api else "HadoopRDD")


def hadoop_rdd(sc, inputFormatClass: str, keyClass: str, valueClass: str,
               keyConverter: str | None, valueConverter: str | None, conf: dict | None,
               new_api: bool):
    conf = conf or {}
    path = conf.get("mapreduce.input.fileinputformat.inputdir") or conf.get("mapred.input.dir")
    if not path:
        raise ValueError("No input paths specified in job: set "
                         "'mapreduce.input.fileinputformat.inputdir' in conf")
    return hadoop_file(sc, path, inputFormatClass, keyClass, valueClass, keyConverter,
                       valueConverter, conf, new_api)


# -- writing ---------------------------------------------------------------------------------


def _java_string(value: Any) -> str:
    """A Writable's toString(), which TextOutputFormat writes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, bytes | bytearray):
        return " ".join("%02x" % b for b in value)
    if isinstance(value, dict):
        return "{%s}" % ", ".join("%s=%s" % (_java_string(k), _java_string(v))
                                  for k, v in value.items())
    return str(value)


def _java_double(x: float) -> str:
    """Java's Double.toString: plain in [1e-3, 1e7), else d.dddE<exp>."""
    import decimal
    import math

    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0 or 1e-3 <= abs(x) < 1e7:
        text = repr(x)
        return text if "e" not in text else "%.1f" % x
    d = decimal.Decimal(repr(x))
    digits = "".join(map(str, d.as_tuple().digits)).rstrip("0") or "0"
    return "%s%s.%sE%d" % ("-" if x < 0 else "", digits[0], digits[1:] or "0", d.adjusted())


def _text_line(key: Any, value: Any) -> str:
    # TextOutputFormat leaves out null keys/values (and the tab when either is missing).
    parts = [_java_string(v) for v in (key, value) if v is not None]
    return "\t".join(parts)


def _codec_from_conf(conf: dict, codec: str | None) -> str | None:
    if codec is None and str(conf.get("mapreduce.output.fileoutputformat.compress",
                                      "false")).lower() == "true":
        codec = conf.get("mapreduce.output.fileoutputformat.compress.codec",
                         "org.apache.hadoop.io.compress.DefaultCodec")
    return codec


def _save(rdd, path: str, kind: str, keyClass: str | None, valueClass: str | None,
          codec: str | None, new_api: bool) -> None:
    import io

    template = "part-r-%05d" if new_api else "part-%05d"
    if kind == "sequence":
        _check_class(keyClass)
        _check_class(valueClass)
        if keyClass is None or valueClass is None:
            taken = rdd.take(1)
            if not taken:
                raise ValueError("Cannot infer the key and value classes of an empty RDD: "
                                 "give keyClass and valueClass")
            if not isinstance(taken[0], tuple) or len(taken[0]) != 2:
                raise seq.SequenceFileError("SequenceFiles hold (key, value) pairs, got %r"
                                            % (taken[0],))
            k, v = taken[0]
            keyClass = keyClass or seq.writable_for(k).name
            valueClass = valueClass or seq.writable_for(v).name
        if codec is not None:  # an unsupported codec fails here, before any task runs
            seq.SequenceFileWriter(io.BytesIO(), keyClass, valueClass, codec)

        def write(index: int, records) -> Iterator:
            sio._write_atomically(path, template % index, None,
                                  seq.sequence_chunks(records, keyClass, valueClass, codec))
            return iter(())
    else:
        compression, extension = sio._codec(codec)

        def write(index: int, records) -> Iterator:
            lines = (_text_line(*kv) for kv in records)
            sio._write_atomically(path, template % index + extension, compression,
                                  sio._text_chunks(lines))
            return iter(())

    sio.prepare_output_dir(path)
    rdd.mapPartitionsWithIndex(write).count()
    sio.commit_output_dir(path)


class HadoopRDDFunctions:
    """RDD methods writing Hadoop output formats (mixed into :class:`sparklet.rdd.RDD`)."""

    def saveAsSequenceFile(self, path: str, compressionCodecClass: str | None = None) -> None:
        """Save an RDD of (key, value) pairs as a Hadoop SequenceFile. Keys and values become
        Writables as in PySpark (str -> Text, int -> IntWritable or LongWritable, float ->
        DoubleWritable, bool -> BooleanWritable, bytes -> BytesWritable, None ->
        NullWritable, dict -> MapWritable), classes taken from the first record.

        >>> import tempfile, os
        >>> d = os.path.join(tempfile.mkdtemp(), "seq")
        >>> sc.parallelize([(1, "a"), (2, "b")], 2).saveAsSequenceFile(d)
        >>> sorted(sc.sequenceFile(d).collect())
        [(1, 'a'), (2, 'b')]
        """
        _save(self, path, "sequence", None, None, compressionCodecClass, False)

    def saveAsHadoopFile(self, path: str, outputFormatClass: str, keyClass: str | None = None,
                         valueClass: str | None = None, keyConverter: str | None = None,
                         valueConverter: str | None = None, conf: dict | None = None,
                         compressionCodecClass: str | None = None) -> None:
        """Save (key, value) pairs with an old-API (``mapred``) OutputFormat: the
        SequenceFile or Text output format (see :mod:`sparklet.hadoop`)."""
        _no_converters(keyConverter, valueConverter)
        kind = _format_kind(outputFormatClass, False, "output")
        _save(self, path, kind, keyClass, valueClass,
              _codec_from_conf(conf or {}, compressionCodecClass), False)

    def saveAsNewAPIHadoopFile(self, path: str, outputFormatClass: str,
                               keyClass: str | None = None, valueClass: str | None = None,
                               keyConverter: str | None = None,
                               valueConverter: str | None = None,
                               conf: dict | None = None) -> None:
        """Save (key, value) pairs with a new-API (``mapreduce``) OutputFormat: the
        SequenceFile or Text output format; part files are named ``part-r-NNNNN``."""
        _no_converters(keyConverter, valueConverter)
        kind = _format_kind(outputFormatClass, True, "output")
        _save(self, path, kind, keyClass, valueClass, _codec_from_conf(conf or {}, None), True)

    def _save_dataset(self, conf: dict, keyConverter, valueConverter, new_api: bool) -> None:
        _no_converters(keyConverter, valueConverter)
        key = "mapreduce.job.outputformat.class" if new_api else "mapred.output.format.class"
        fmt = conf.get(key)
        if fmt is None:
            raise ValueError("conf must name the output format in %r" % key)
        path = conf.get("mapreduce.output.fileoutputformat.outputdir") or \
            conf.get("mapred.output.dir")
        if not path:
            raise ValueError("Output directory not set: give "
                             "'mapreduce.output.fileoutputformat.outputdir' in conf")
        kind = _format_kind(fmt, new_api, "output")
        _save(self, path, kind, conf.get("mapreduce.job.output.key.class"),
              conf.get("mapreduce.job.output.value.class"), _codec_from_conf(conf, None),
              new_api)

    def saveAsHadoopDataset(self, conf: dict, keyConverter: str | None = None,
                            valueConverter: str | None = None) -> None:
        """Save with an old-API output format described by a Hadoop job ``conf``
        (``mapred.output.format.class``, ``mapreduce.job.output.key.class``/``value.class``,
        ``mapreduce.output.fileoutputformat.outputdir``)."""
        self._save_dataset(conf, keyConverter, valueConverter, False)

    def saveAsNewAPIHadoopDataset(self, conf: dict, keyConverter: str | None = None,
                                  valueConverter: str | None = None) -> None:
        """Save with a new-API output format described by a Hadoop job ``conf``
        (``mapreduce.job.outputformat.class`` and the keys of :meth:`saveAsHadoopDataset`)."""
        self._save_dataset(conf, keyConverter, valueConverter, True)
