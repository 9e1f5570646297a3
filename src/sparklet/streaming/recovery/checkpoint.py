"""Metadata checkpoints of a streaming application, and recovery from them.

After every batch is generated and again after it completes, the job generator writes one
*metadata checkpoint*: the configuration, the serialized DStream graph, the batch times
still pending, the input positions of every input stream and the receiver tracker's block
allocation, and for every stateful stream a reference to its latest checkpointed state RDD
(the *data checkpoint*, written by the RDD checkpoint machinery into the same directory).
:meth:`StreamingContext.getOrCreate` reads the newest good one back.

Recovery follows Spark: the graph -- every DStream with its user functions, the output
operations, remember and checkpoint durations, serialized with cloudpickle when the context
starts -- is deserialized and bound to a new StreamingContext (over the active SparkContext,
or a new one made from the saved configuration), without calling the application's
``setupFunc``. The saved state, positions and pending batches are then attached to its
streams. A graph that cannot be serialized fails ``start()`` with Spark's "DStream
checkpointing has been enabled but the DStreams with their functions are not serializable";
a ``queueStream`` is written without its RDDs and refuses to be recovered, as in Spark.

Upgrades (``spark.sparklet.streaming.recovery.rebuildFromSetupFunc=true``, or
``getOrCreate(..., rebuildFromSetupFunc=True)``): the application is rebuilt by calling
``setupFunc`` -- a newer version of the code -- and the saved state, positions and pending
batches are attached to the matching operators of the new graph. Operators are matched by
*key*: the name given with ``DStream.setName`` or, for unnamed streams, an id derived from
the graph's shape (kind, parents, position among siblings), so changing a function or adding
an output keeps every key. A stateful operator whose saved state has no match (or a new
stateful operator with no saved state) is an error naming both sides, never a silent fresh
start.

File format (version 1), one file per checkpoint, ``<dir>/metadata/checkpoint-<time>-<phase>``
with ``<time>`` the batch time in ms (13 digits) and ``<phase>`` ``g`` (written after
generation) or ``c`` (after completion)::

    SPARKLET-STREAMING-CHECKPOINT\\n
    {"format_version": 1, "checkpoint_time": ..., "length": N, "sha256": "...",
     "serializer": "pickle"}\\n
    <N bytes: the pickled payload>

Files are written to a temporary name and renamed, so a reader sees whole files only; the
length and SHA-256 still catch truncation and corruption (a torn copy, a bad disk), and a
bad file is reported and skipped in favour of the previous one. See docs/fault-tolerance.md
for the payload's fields.

>>> import fsspec
>>> fs = fsspec.filesystem("memory")
>>> write_checkpoint_file(fs, "/ck/metadata/checkpoint-0000000001000-c",
...                       {"format_version": 1, "checkpoint_time": 1000})
>>> read_checkpoint_file(fs, "/ck/metadata/checkpoint-0000000001000-c")["checkpoint_time"]
1000
>>> fs.pipe_file("/ck/metadata/checkpoint-0000000001000-c", b"garbage")
>>> try:
...     read_checkpoint_file(fs, "/ck/metadata/checkpoint-0000000001000-c")
... except CorruptCheckpointError as e:
...     print(e)
/ck/metadata/checkpoint-0000000001000-c: not a sparklet checkpoint file (bad magic line)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import re
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sparklet.streaming.context import StreamingContext
    from sparklet.streaming.dstream import DStream

__all__ = ["CheckpointError", "CorruptCheckpointError", "CheckpointMismatchError",
           "NotSerializableError", "FORMAT_VERSION", "REBUILD_KEY", "write_checkpoint_file",
           "read_checkpoint_file", "latest_checkpoint", "readable_checkpoints",
           "operator_keys", "serialize_graph", "conf_from_checkpoint", "recover_context",
           "register_driver_state", "CheckpointWriter", "RecoveryPlan"]

log = logging.getLogger("sparklet.streaming")

FORMAT_VERSION = 1
MAGIC = b"SPARKLET-STREAMING-CHECKPOINT\n"
METADATA_DIR = "metadata"
RETAINED_KEY = "spark.sparklet.streaming.recovery.checkpoint.retained"
DEFAULT_RETAINED = 10
# Recover by calling setupFunc (the upgrade path) instead of deserializing the saved graph.
REBUILD_KEY = "spark.sparklet.streaming.recovery.rebuildFromSetupFunc"
# Settings of the crashed process that a recovered SparkContext must not inherit, and those
# a restart may set anew in its environment (``sparklet-submit --conf``, spark-defaults).
_NOT_RECOVERED_CONF = ("spark.app.id", "spark.driver.host", "spark.driver.port",
                       "spark.driver.bindAddress", "spark.ui.port", "spark.app.startTime")
_RELOADED_CONF = ("spark.master", "spark.driver.host", "spark.driver.port",
                  "spark.driver.bindAddress", "spark.ui.port")
_NAME_RE = re.compile(r"^checkpoint-(\d{13})-([gc])$")

# Test seam: called as hook(stage, path) while a checkpoint file is written ("temp-written"
# between writing the temporary file and renaming it). Crash tests kill the process there.
_fault_injection_hook: Callable[[str, str], None] | None = None


class CheckpointError(RuntimeError):
    """A checkpoint could not be used."""


class CorruptCheckpointError(CheckpointError):
    """A checkpoint file is truncated, corrupt or of an unknown format."""


class CheckpointMismatchError(CheckpointError):
    """The rebuilt application does not match the checkpoint's stateful operators."""


class NotSerializableError(CheckpointError):
    """The DStream graph (a function, an input) cannot be serialized into a checkpoint or
    recovered from one (Spark's ``NotSerializableException``)."""


def rebuild_from_setup_func(conf) -> bool:
    """Whether ``conf`` asks for the upgrade path (:data:`REBUILD_KEY`)."""
    return str(conf.get(REBUILD_KEY, "false") or "false").strip().lower() == "true"


# -- the file format -----------------------------------------------------------------------


def _split(url: str):
    from sparklet.filesystems import file_system

    return file_system(url)


def checkpoint_file_name(time_ms: int, phase: str) -> str:
    return f"checkpoint-{time_ms:013d}-{phase}"


def write_checkpoint_file(fs, path: str, payload: dict) -> None:
    """Write ``payload`` to ``path`` atomically: a temporary file in the same directory,
    then a rename, so a crash leaves the old file or the new one, never half of one."""
    body = pickle.dumps(payload, protocol=5)
    try:
        import cloudpickle

        body = cloudpickle.dumps(payload, protocol=5)  # user partitioners may be closures
    except Exception:
        pass
    header = {"format_version": payload.get("format_version", FORMAT_VERSION),
              "checkpoint_time": payload.get("checkpoint_time"), "length": len(body),
              "sha256": hashlib.sha256(body).hexdigest(), "serializer": "pickle"}
    directory, name = path.rsplit("/", 1)
    tmp = f"{directory}/.{name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    with fs.open(tmp, "wb") as fh:
        fh.write(MAGIC)
        fh.write(json.dumps(header, sort_keys=True).encode() + b"\n")
        fh.write(body)
    if _fault_injection_hook is not None:
        _fault_injection_hook("temp-written", tmp)
    fs.mv(tmp, path)


def read_checkpoint_file(fs, path: str) -> dict:
    """The payload of one checkpoint file, or :class:`CorruptCheckpointError` saying what
    is wrong with it."""
    with fs.open(path, "rb") as fh:
        data = fh.read()
    if not data.startswith(MAGIC):
        raise CorruptCheckpointError(f"{path}: not a sparklet checkpoint file (bad magic line)")
    rest = data[len(MAGIC):]
    line_end = rest.find(b"\n")
    try:
        header = json.loads(rest[:line_end])
        length, digest = int(header["length"]), header["sha256"]
        version = int(header["format_version"])
    except (ValueError, KeyError, TypeError) as e:
        raise CorruptCheckpointError(f"{path}: unreadable header ({e})") from None
    if version > FORMAT_VERSION:
        raise CorruptCheckpointError(f"{path}: format version {version} is newer than this "
                                     f"sparklet reads ({FORMAT_VERSION})")
    body = rest[line_end + 1:]
    if len(body) != length:
        raise CorruptCheckpointError(f"{path}: truncated or padded ({len(body)} bytes of "
                                     f"payload, header says {length})")
    if hashlib.sha256(body).hexdigest() != digest:
        raise CorruptCheckpointError(f"{path}: checksum mismatch (corrupt payload)")
    try:
        payload = pickle.loads(body)
    except Exception as e:  # a payload naming a class this code no longer has
        raise CorruptCheckpointError(f"{path}: payload cannot be unpickled ({e})") from None
    return payload


def list_checkpoint_files(fs, directory: str) -> list[str]:
    """Checkpoint files of ``directory``'s metadata folder, newest first."""
    meta = f"{directory.rstrip('/')}/{METADATA_DIR}"
    try:
        names = [p.rsplit("/", 1)[-1] for p in fs.ls(meta, detail=False)]
    except FileNotFoundError:
        return []
    keyed = []
    for name in names:
        m = _NAME_RE.match(name)
        if m:
            # For one batch time the "completed" checkpoint is newer than the "generated" one.
            keyed.append(((int(m.group(1)), m.group(2) == "c"), f"{meta}/{name}"))
    return [p for _, p in sorted(keyed, reverse=True)]


def readable_checkpoints(directory: str) -> list[tuple[str, dict]]:
    """Every good checkpoint file of ``directory`` with its payload, newest first (bad
    ones are skipped quietly: :func:`latest_checkpoint` reports them)."""
    fs, root = _split(directory)
    found = []
    for path in list_checkpoint_files(fs, root):
        try:
            found.append((path, read_checkpoint_file(fs, path)))
        except (CorruptCheckpointError, OSError):
            continue
    return found


def latest_checkpoint(directory: str) -> tuple[dict, str] | None:
    """The newest good checkpoint of ``directory`` and its file; None if there is none.

    A bad file is logged (a warning naming it and the reason) and the previous one is
    tried. If files exist but none is good, that is an error: starting afresh would
    silently lose the application's state.
    """
    fs, root = _split(directory)
    files = list_checkpoint_files(fs, root)
    problems = []
    for path in files:
        try:
            return read_checkpoint_file(fs, path), path
        except (CorruptCheckpointError, OSError) as e:
            log.warning("Ignoring checkpoint file %s: %s; trying the previous checkpoint",
                        path, e)
            problems.append(str(e))
    if files:
        raise CorruptCheckpointError("No usable checkpoint in %s; every file is bad:\n  %s"
                                     % (directory, "\n  ".join(problems)))
    return None


# -- operator keys -------------------------------------------------------------------------


def _reachable(ssc: StreamingContext) -> list[DStream]:
    return ssc._graph.streams()


def operator_keys(ssc: StreamingContext) -> dict[int, str]:
    """``{id(stream): key}`` for every stream reachable from an output or input.

    A named stream's key is ``name:<name>``. An input stream's is ``<Kind>#<n>``, its
    position among the inputs of its kind. Any other stream's is ``<Kind>-<hash>``, the
    hash of its kind, its parents' keys and its position among same-kind children of the
    same parents -- the graph's shape, not creation order or function code, so a changed
    function or a new output operation leaves the other keys unchanged.
    """
    from sparklet.streaming.inputs import InputDStream

    keys: dict[int, str] = {}
    per_kind: dict[str, int] = {}
    for s in ssc._graph.input_streams:
        kind = type(s).__name__
        n = per_kind.get(kind, 0)
        per_kind[kind] = n + 1
        keys[id(s)] = f"name:{s._name}" if s._name else f"{kind}#{n}"
    siblings: dict[tuple, int] = {}
    for s in _reachable(ssc):  # ids grow with creation, so parents come first
        if isinstance(s, InputDStream):
            continue
        parent_keys = tuple(keys[id(p)] for p in s._parents)
        kind = type(s).__name__
        n = siblings.get((kind, parent_keys), 0)
        siblings[(kind, parent_keys)] = n + 1
        if s._name:
            keys[id(s)] = f"name:{s._name}"
        else:
            digest = hashlib.sha1(repr((kind, parent_keys, n)).encode()).hexdigest()[:10]
            keys[id(s)] = f"{kind}-{digest}"
    return keys


def _is_stateful(stream: DStream) -> bool:
    return bool(stream._must_checkpoint)


def _describe(stream: DStream, keys: dict[int, str]) -> str:
    parents = ", ".join(keys.get(id(p), "?") for p in stream._parents)
    return f"{keys[id(stream)]} ({type(stream).__name__}" + (f" of {parents})" if parents
                                                            else ")")


# -- driver-side state ----------------------------------------------------------------------


def register_driver_state(ssc: StreamingContext, obj, name: str | None = None) -> str:
    """Have the metadata checkpoints of ``ssc`` carry ``obj``'s state; returns its key.

    For state that lives on the driver and is updated in ``foreachRDD`` -- a streaming
    MLlib model, as PySpark keeps it -- rather than in a stateful DStream. ``obj`` gives
    ``_checkpoint_state()``, a picklable snapshot called on the job generator's thread
    while a batch may be updating it (so it must be consistent on its own), and
    ``_restore_checkpoint_state(state)``, called on recovery before the first batch runs.
    ``obj`` must itself be picklable: it is saved with the graph, whose functions refer to
    it, and a graph deserialized on recovery brings its own copy, registered the same way.

    The key is ``name:<name>`` for an explicit name, else ``<Kind>#<n>``, the object's
    position among the registered objects of its kind (creation order, as stable as the
    application's code). Registering the same object again returns its key; another object
    under a taken explicit name is an error.
    """
    registry = ssc._checkpointed_driver_state
    for key, known in registry.items():
        if known is obj:
            return key
    if name is not None:
        key = f"name:{name}"
        if key in registry:
            raise ValueError(f"Two driver-side checkpointed objects are named {name!r} "
                             f"({registry[key]!r} and {obj!r}): names key their "
                             "checkpointed state and must be unique")
    else:
        kind = type(obj).__name__
        n = sum(1 for k in registry if k.startswith(kind + "#"))
        key = f"{kind}#{n}"
    registry[key] = obj
    return key


def _driver_state_payload(ssc: StreamingContext) -> dict:
    return {key: {"kind": type(obj).__name__, "state": obj._checkpoint_state()}
            for key, obj in list(ssc._checkpointed_driver_state.items())}


# -- the serialized graph ------------------------------------------------------------------


def serialize_graph(ssc: StreamingContext) -> bytes:
    """The context's DStream graph, cloudpickled (taken when the context starts, before
    the graph is initialized: recovery starts the deserialized graph the same way).

    Raises :class:`NotSerializableError` with Spark's message and the cause (a function
    referring to the SparkContext, a lock, ...).
    """
    import cloudpickle

    with ssc._graph.lock:
        try:
            return cloudpickle.dumps(ssc._graph, protocol=5)
        except Exception as e:
            raise NotSerializableError(
                "DStream checkpointing has been enabled but the DStreams with their "
                f"functions are not serializable\n{type(e).__name__}: {e}") from e


def conf_from_checkpoint(saved: dict):
    """The SparkConf a recovered application runs with: the saved entries, less those
    of the crashed process, plus the master and driver settings of the new environment
    (as Spark's ``Checkpoint.createSparkConf``)."""
    from sparklet.conf import SparkConf

    conf = SparkConf(loadDefaults=False)
    for key, value in saved.items():
        if key not in _NOT_RECOVERED_CONF:
            conf.set(key, value)
    current = SparkConf()
    for key in _RELOADED_CONF:
        if current.contains(key):
            conf.set(key, current.get(key))
    return conf


def recover_context(checkpointPath: str, payload: dict, path: str) -> StreamingContext:
    """A StreamingContext rebuilt from checkpoint ``path``'s serialized graph, without the
    application's code: over the active SparkContext, or a new one made from the saved
    configuration. Its :class:`RecoveryPlan` attaches state, positions and pending batches
    when it starts."""

    from sparklet.context import SparkContext
    from sparklet.streaming.context import StreamingContext

    blob = payload.get("dstream_graph")
    if blob is None:
        raise CheckpointError(
            f"The checkpoint {path} holds no serialized DStream graph (it was written by an "
            "application whose graph could not be serialized, or by an older sparklet), so "
            "it cannot be recovered without the application's code. Recover it by "
            f"rebuilding the application: set {REBUILD_KEY}=true or call "
            "StreamingContext.getOrCreate(path, setupFunc, rebuildFromSetupFunc=True).")
    try:
        graph = pickle.loads(blob)
    except NotSerializableError as e:
        raise CheckpointError(f"Failed to recover the streaming application from "
                              f"checkpoint {path}: {e}") from e
    except Exception as e:  # a function naming a module this environment lacks, ...
        raise CheckpointError(f"Failed to deserialize the DStream graph of checkpoint "
                              f"{path}: {type(e).__name__}: {e}") from e
    sc = SparkContext._active_spark_context
    if sc is None:
        sc = SparkContext.getOrCreate(conf_from_checkpoint(payload.get("conf", {})))
    ssc = StreamingContext(sc, payload["batch_duration_ms"] / 1000.0)
    ssc._use_graph(graph)
    ssc.checkpoint(checkpointPath)
    ssc._recovery = RecoveryPlan(ssc, payload, path)
    return ssc


# -- writing -------------------------------------------------------------------------------


class CheckpointWriter:
    """Writes the metadata checkpoints of a running context (from the job generator's
    thread only, so checkpoints are taken in order) and prunes old ones."""

    def __init__(self, ssc: StreamingContext, directory: str):
        self.ssc = ssc
        self.directory = directory
        self.fs, self.root = _split(directory)
        self.meta = f"{self.root.rstrip('/')}/{METADATA_DIR}"
        self.fs.makedirs(self.meta, exist_ok=True)
        self.retained = int(ssc._sc.getConf().get(RETAINED_KEY, str(DEFAULT_RETAINED)))
        self.keys = operator_keys(ssc)
        self._check_unique_keys()
        # State checkpoint directories each retained file refers to, to delete the rest.
        self._refs: dict[str, set[str]] = {}
        self._known_state_paths: set[str] = set()
        self.last_path: str | None = None
        # The last file written, for the UI: (wall ms, write duration ms, batch time, phase).
        self.last_written: tuple[int, int, int, str] | None = None

    def _check_unique_keys(self) -> None:
        from sparklet.streaming.inputs import InputDStream

        owners: dict[str, DStream] = {}
        for s in _reachable(self.ssc):
            if not (_is_stateful(s) or isinstance(s, InputDStream)):
                continue
            key = self.keys[id(s)]
            if key in owners:
                raise ValueError(f"Two streams are named {key[5:]!r} ({owners[key]!r} and "
                                 f"{s!r}): names of stateful and input streams key their "
                                 "checkpointed state and must be unique")
            owners[key] = s

    def adopt_recovered(self, files: list[tuple[str, dict]]) -> None:
        """Remember what the checkpoints found at recovery refer to, so their state
        directories are deleted once no retained checkpoint needs them."""
        for path, payload in files:
            refs = _state_paths(payload)
            self._refs[path] = refs
            self._known_state_paths |= refs

    def payload(self, time_ms: int) -> dict:
        from sparklet.streaming.inputs import InputDStream

        ssc = self.ssc
        graph = ssc._graph
        scheduler = ssc._scheduler
        with scheduler._lock:
            pending = sorted(scheduler._job_sets)
        operators: dict[str, dict] = {}
        description = []
        with graph.lock:
            for s in _reachable(ssc):
                key = self.keys[id(s)]
                description.append({"key": key, "kind": type(s).__name__, "name": s._name,
                                     "parents": [self.keys[id(p)] for p in s._parents],
                                     "stateful": _is_stateful(s),
                                     "output": getattr(s, "op_name", None)})
                if isinstance(s, InputDStream):
                    operators[key] = {"kind": type(s).__name__, "role": "input",
                                      "state": s._checkpoint_state()}
                elif _is_stateful(s):
                    state = _state_reference(s)
                    if state is not None:
                        self._known_state_paths.add(state["path"])
                    operators[key] = {"kind": type(s).__name__, "role": "state",
                                      "state": state}
        tracker = ssc._receiver_tracker
        tracker_state = None
        if tracker is not None and getattr(tracker, "checkpoint_state", None) is not None:
            tracker_state = tracker.checkpoint_state()
        return {
            "format_version": FORMAT_VERSION,
            "checkpoint_time": time_ms,
            "written_at_ms": int(time.time() * 1000),
            "application_id": ssc._sc.applicationId,
            "batch_duration_ms": graph.batch_duration,
            "zero_time": graph.zero_time,
            "start_time": graph.start_time,
            "pending_times": pending,
            "conf": dict(ssc._sc.getConf().getAll()),
            "checkpoint_dir": self.directory,
            "graph": description,
            "operators": operators,
            "receiver_tracker": tracker_state,
            "driver_state": _driver_state_payload(ssc),
            "dstream_graph": getattr(ssc, "_graph_bytes", None),
        }

    def write(self, time_ms: int, phase: str) -> None:
        """Write the checkpoint for batch ``time_ms`` (``phase`` ``g``: generated, ``c``:
        completed); failures are logged, not raised, so streaming goes on."""
        try:
            started = time.monotonic()
            payload = self.payload(time_ms)
            path = f"{self.meta}/{checkpoint_file_name(time_ms, phase)}"
            self.check_directory()
            write_checkpoint_file(self.fs, path, payload)
            self.last_written = (int(time.time() * 1000),
                                 int((time.monotonic() - started) * 1000), time_ms, phase)
            self._refs[path] = _state_paths(payload)
            self.last_path = path
            self._prune()
        except Exception as e:
            log.warning("Could not write the checkpoint for time %d ms: %s", time_ms, e)

    def check_directory(self) -> None:
        """Recreate the metadata directory if it was deleted while the application ran,
        saying so: the checkpoints written before are gone, later ones go on."""
        if self.fs.exists(self.meta):
            return
        log.warning("The checkpoint directory %s was deleted while the application was "
                    "running; recreating it. Earlier checkpoints are lost: a crash before "
                    "this checkpoint is written cannot be recovered from.", self.directory)
        self.fs.makedirs(self.meta, exist_ok=True)
        self._refs.clear()

    def _prune(self) -> None:
        files = list_checkpoint_files(self.fs, self.root)
        for old in files[self.retained:]:
            try:
                self.fs.rm(old)
            except FileNotFoundError:
                pass
            self._refs.pop(old, None)
        try:
            names = self.fs.ls(self.meta, detail=False)
        except FileNotFoundError:
            return  # deleted under us: the next checkpoint recreates it (check_directory)
        for name in names:
            base = name.rsplit("/", 1)[-1]
            if base.startswith(".checkpoint-") and f"-{os.getpid()}-" not in base:
                try:  # a temporary file of a writer that was killed
                    self.fs.rm(name)
                except FileNotFoundError:
                    pass
        kept = files[:self.retained]
        needed: set[str] = set()
        for f in kept:
            needed |= self._refs.get(f, set())
        if any(f not in self._refs for f in kept):
            return  # a retained file we know nothing about: delete nothing
        for stale in sorted(self._known_state_paths - needed):
            # Only directories older than what the newest checkpoint needs: a newer one
            # may be referenced by the next checkpoint.
            if self._in_use(stale):
                continue
            try:
                self.fs.rm(_split(stale)[1], recursive=True)
            except FileNotFoundError:
                pass
            self._known_state_paths.discard(stale)

    def _in_use(self, path: str) -> bool:
        for s in _reachable(self.ssc):
            if _is_stateful(s):
                for rdd in list(s._generated.values()):
                    cp = _checkpoint_of(rdd)
                    if cp is not None and cp.path == path:
                        return True
        return False


def _state_reference(stream: DStream) -> dict | None:
    """The newest materialized (reliable) checkpoint among ``stream``'s RDDs."""
    for t in sorted(stream._generated, reverse=True):
        rdd = stream._generated[t]
        cp = _checkpoint_of(rdd)
        if cp is not None:
            return {"time": t, "path": cp.path, "num_partitions": cp.num_partitions,
                    "partitioner": rdd.partitioner}
    return None


def _checkpoint_of(rdd):
    """The reliable checkpoint behind ``rdd``: its materialized checkpoint, or ``rdd``
    itself when it is one restored at recovery (still the newest until the next)."""
    from sparklet.rdds import CheckpointRDD

    if isinstance(rdd, CheckpointRDD):
        return rdd
    cp = rdd._checkpoint_rdd
    if cp is not None and getattr(cp, "path", None) and rdd._checkpoint_requested != "local":
        return cp
    return None


def _state_paths(payload: dict) -> set[str]:
    return {op["state"]["path"] for op in payload.get("operators", {}).values()
            if op.get("role") == "state" and op.get("state")}


# -- recovery ------------------------------------------------------------------------------


class RecoveryPlan:
    """A checkpoint matched against a rebuilt application: what :class:`JobGenerator`
    restores before it starts (operators, receiver blocks) and which batches it reruns."""

    def __init__(self, ssc: StreamingContext, payload: dict, path: str):
        self.ssc = ssc
        self.payload = payload
        self.path = path
        self.checkpoint_time: int = payload["checkpoint_time"]
        self.zero_time: int = payload["zero_time"]
        self.start_time: int = payload["start_time"]
        self.pending_times: list[int] = list(payload["pending_times"])
        self.keys = operator_keys(ssc)
        self.matches: list[tuple[DStream, dict]] = []
        self._match()

    def _match(self) -> None:
        from sparklet.streaming.inputs import InputDStream

        payload = self.payload
        batch = self.ssc._graph.batch_duration
        if payload["batch_duration_ms"] != batch:
            raise CheckpointMismatchError(
                f"The checkpoint {self.path} was written with a batch interval of "
                f"{payload['batch_duration_ms']} ms, the application now uses {batch} ms; "
                "batch times cannot be resumed across a change of the batch interval")
        saved = payload["operators"]
        streams = {self.keys[id(s)]: s for s in _reachable(self.ssc)}
        new_stateful = {k for k, s in streams.items() if _is_stateful(s)}
        old_stateful = {k for k, op in saved.items() if op["role"] == "state"}
        problems = []
        missing = sorted(old_stateful - new_stateful)
        if missing:
            problems.append("saved state has no matching stateful operator in the new "
                            "application: " + ", ".join(
                                f"{k} ({saved[k]['kind']})" for k in missing))
        extra = sorted(new_stateful - old_stateful)
        if extra:
            problems.append("stateful operators of the new application have no saved "
                            "state: " + ", ".join(_describe(streams[k], self.keys)
                                                  for k in extra))
        for k in sorted(old_stateful & new_stateful):
            if saved[k]["kind"] != type(streams[k]).__name__:
                problems.append(f"operator {k} was a {saved[k]['kind']} and is now a "
                                f"{type(streams[k]).__name__}")
        problems += self._match_driver_state()
        if problems:
            raise CheckpointMismatchError(
                f"Cannot resume from checkpoint {self.path}: " + "; ".join(problems)
                + ". Name stateful streams with DStream.setName(...) so their keys survive "
                "changes to the graph (the checkpoint's operators were: "
                + ", ".join(sorted(saved)) + ").")
        for key, op in saved.items():
            stream = streams.get(key)
            if stream is None:
                log.warning("Checkpoint %s: input %s has no match in the new application; "
                            "its positions are dropped", self.path, key)
                continue
            if op["role"] == "input" and not isinstance(stream, InputDStream):
                raise CheckpointMismatchError(f"Cannot resume from checkpoint {self.path}: "
                                              f"operator {key} was an input stream")
            self.matches.append((stream, op))
        for key, s in streams.items():
            if isinstance(s, InputDStream) and key not in saved:
                log.info("Input stream %s is new: it starts without saved positions", key)

    def _match_driver_state(self) -> list[str]:
        """Problems matching the saved driver-side state with the registered objects,
        by key, as stateful streams are (a model without its saved state, or saved state
        without its model, is an error, never a silent fresh start)."""
        saved = self.payload.get("driver_state") or {}
        registry = self.ssc._checkpointed_driver_state
        problems = []
        missing = sorted(set(saved) - set(registry))
        if missing:
            problems.append("saved driver-side state has no matching object in the new "
                            "application: " + ", ".join(
                                f"{k} ({saved[k]['kind']})" for k in missing))
        extra = sorted(set(registry) - set(saved))
        if extra:
            problems.append("driver-side checkpointed objects of the new application have "
                            "no saved state: " + ", ".join(
                                f"{k} ({type(registry[k]).__name__})" for k in extra))
        for k in sorted(set(saved) & set(registry)):
            if saved[k]["kind"] != type(registry[k]).__name__:
                problems.append(f"driver-side object {k} was a {saved[k]['kind']} and is "
                                f"now a {type(registry[k]).__name__}")
        return problems

    def restore_operators(self) -> None:
        """Attach saved input positions and state RDDs (after the graph started at the
        saved zero time), and the receiver tracker's block allocation."""
        from sparklet.rdds import CheckpointRDD

        sc = self.ssc._sc
        for stream, op in self.matches:
            if op["role"] == "input":
                stream._restore_checkpoint_state(op["state"])
            elif op["state"] is not None:
                st = op["state"]
                rdd = CheckpointRDD(sc, st["path"], st["num_partitions"], st["partitioner"])
                stream._generated[st["time"]] = rdd
        registry = self.ssc._checkpointed_driver_state
        for key, saved in (self.payload.get("driver_state") or {}).items():
            registry[key]._restore_checkpoint_state(saved["state"])
        tracker = self.ssc._receiver_tracker
        saved = self.payload.get("receiver_tracker")
        if tracker is not None and saved is not None:
            restore = getattr(tracker, "restore_state", None)
            if restore is not None:
                restore(saved)
            else:
                log.warning("This receiver tracker cannot restore its checkpointed blocks")

    def times_to_reschedule(self, restart_time: int) -> list[int]:
        """Pending batches plus every batch time from the checkpoint to the restart (the
        "down time"), as Spark reschedules them."""
        batch = self.ssc._graph.batch_duration
        down = range(self.checkpoint_time + batch, restart_time, batch)
        return sorted(set(self.pending_times) | set(down))
