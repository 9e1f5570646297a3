"""SparkContext: the entry point; owns the scheduler, the executors and shared variables."""

from __future__ import annotations

import atexit
import getpass
import itertools
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from sparklet import serializers
from sparklet.accumulators import Accumulator, AccumulatorParam, default_param
from sparklet.broadcast import Broadcast
from sparklet.conf import SparkConf
from sparklet.env import EnvSpec, SparkEnv
from sparklet.errors import SparkContextStoppedError
from sparklet.files import SparkFiles
from sparklet.rdd import RDD
from sparklet.util import DEEP_RECURSION_LIMIT, parse_bytes

__all__ = ["SparkContext"]

log = logging.getLogger("sparklet")

__version__ = "3.5.3"  # the PySpark API level sparklet follows
# PySpark 3.5's error class and text for a SparkContext used (or created) inside a task.
_CONTEXT_ONLY_VALID_ON_DRIVER = (
    "[CONTEXT_ONLY_VALID_ON_DRIVER] "
    "It appears that you are attempting to reference SparkContext from a broadcast "
    "variable, action, or transformation. SparkContext can only be used on the driver, "
    "not in code that it run on workers. For more information, see SPARK-5063.")


# A parallelized slice pickled to at least this many bytes travels as a file (see
# SparkContext._pickled_slice); below, sending it with its task costs less than a file.
_SLICE_FILE_MIN_BYTES = 1 << 20


def _slice_positions(length: int, num_slices: int) -> list[tuple[int, int]]:
    """Spark's ParallelCollectionRDD.slice boundaries."""
    return [(i * length // num_slices, (i + 1) * length // num_slices)
            for i in range(num_slices)]


class SparkContext:
    """Main entry point for Spark functionality: creates RDDs, broadcasts, accumulators.

    >>> from sparklet import SparkContext, SparkConf
    >>> sc = SparkContext.getOrCreate()
    >>> sc.parallelize([1, 2, 3]).map(lambda x: x * 10).collect()
    [10, 20, 30]
    """

    _active_spark_context: SparkContext | None = None
    _lock = threading.RLock()

    def __init__(self, master: str | None = None, appName: str | None = None,
                 sparkHome: str | None = None, pyFiles: list[str] | None = None,
                 environment: dict[str, Any] | None = None, batchSize: int = 0,
                 serializer=None, conf: SparkConf | None = None, gateway=None, jsc=None,
                 profiler_cls=None, udf_profiler_cls=None, memory_profiler_cls=None):
        if (conf is None
                or (conf.get("spark.executor.allowSparkContext") or "false").lower() != "true"):
            SparkContext._assert_on_driver()
        with SparkContext._lock:
            active = SparkContext._active_spark_context
            if active is not None:
                raise ValueError(
                    "Cannot run multiple SparkContexts at once; existing SparkContext(app=%s, "
                    "master=%s) created by __init__" % (active.appName, active.master))
            self._conf = SparkConf(_jconf=conf) if conf is not None else SparkConf()
            if master:
                self._conf.setMaster(master)
            if appName:
                self._conf.setAppName(appName)
            if sparkHome:
                self._conf.setSparkHome(sparkHome)
            for key, value in (environment or {}).items():
                self._conf.setExecutorEnv(key, value)
            self._conf.setIfMissing("spark.master", "local[*]")
            self._conf.setIfMissing("spark.app.name", "sparklet")
            # As Spark's start-up checks: a wrong-typed spark.* value fails here, naming its
            # key; a key no config entry covers is logged once per process.
            from sparklet.internal.config import validate_conf
            validate_conf(self._conf.getAll())
            self._batchSize = batchSize
            try:
                self._start(pyFiles)
            except BaseException:
                self._discard_partial_start()
                raise
            SparkContext._active_spark_context = self

    def _start(self, py_files) -> None:
        # Lineages of streaming state grow a few RDDs per batch until the next checkpoint;
        # shipping and computing them recurses once per RDD, past Python's default limit.
        sys.setrecursionlimit(max(sys.getrecursionlimit(), DEEP_RECURSION_LIMIT))
        from sparklet.backends import create_backend
        from sparklet.logging_setup import initialize_logging
        from sparklet.scheduler.dag import DAGScheduler
        from sparklet.scheduler.mapoutput import MapOutputTracker
        from sparklet.scheduler.taskscheduler import TaskScheduler
        from sparklet.storage.master import BlockManagerMaster
        from sparklet.util import parse_local_master

        # $SPARK_CONF_DIR/logging.conf or the default WARN, then spark.log.level.
        initialize_logging(self._conf)
        self.master = self._conf.get("spark.master")
        self.appName = self._conf.get("spark.app.name")
        self.startTime = int(time.time() * 1000)
        self.applicationId = "local-%d" % self.startTime
        self._conf.set("spark.app.id", self.applicationId)
        self.sparkHome = self._conf.get("spark.home")
        # Spark retries nothing in local mode unless asked (local[N, F]); sparklet also
        # honours an explicit spark.task.maxFailures there.
        _, local_failures = parse_local_master(self.master)
        self._max_task_failures = self._conf.getInt("spark.task.maxFailures", local_failures)
        self._python_worker_memory = parse_bytes(
            self._conf.get("spark.python.worker.memory", "512m"))
        root = self._conf.get("spark.local.dir") or None
        if root:
            os.makedirs(root, exist_ok=True)
        self._local_dir = tempfile.mkdtemp(prefix="sparklet-%s-" % self.applicationId,
                                           dir=root)
        spec = EnvSpec(self.applicationId, "driver", self._local_dir, dict(self._conf.getAll()))
        from sparklet.resource.discovery import driver_resources

        # Discovery scripts run now, so a broken one fails the context at once, as Spark's.
        self._resources = driver_resources(dict(self._conf.getAll()))
        self._env = SparkEnv(spec)
        os.makedirs(self._env.files_dir, exist_ok=True)
        os.makedirs(self._env.broadcast_dir, exist_ok=True)
        self._previous_env = SparkEnv.get()  # a worker's own env, for a context in a task
        SparkEnv.set(self._env)
        SparkFiles._root_directory = self._env.files_dir
        self._rdd_ids = itertools.count()
        self._shuffle_ids = itertools.count()
        self._broadcast_ids = itertools.count()
        self._accumulator_ids = itertools.count()
        # Weak, as Spark's AccumulatorContext: an accumulator nobody on the driver can read
        # any more needs no updates, and a batch's accumulators must not pile up here.
        self._accumulators: weakref.WeakValueDictionary[int, Accumulator] = (
            weakref.WeakValueDictionary())
        self._checkpoint_dir: str | None = None
        self._local_properties = threading.local()
        self._stopped = False
        self._block_master = BlockManagerMaster()
        self._map_output_tracker = MapOutputTracker()
        self._task_scheduler = TaskScheduler(
            # Both are milliseconds when bare, as in Spark.
            self._conf.getTimeAsMs("spark.locality.wait", "3s") / 1000.0,
            self._conf.getTimeAsMs("spark.python.task.killTimeout", "2s") / 1000.0)
        self._dag_scheduler = DAGScheduler(self, self._task_scheduler, self._map_output_tracker)
        self._ui = self._attach_ui()
        # Handlers for messages that running tasks send to the driver, by message kind.
        self._message_handlers: dict[str, Callable[[str, tuple], None]] = {}
        self._task_scheduler.on_executor_message = self._executor_message
        self._env.send_to_driver = lambda message: self._executor_message("driver", message)
        self._backend = create_backend(self.master, self._conf, spec)
        self._task_scheduler.start(self._backend)
        if self._ui is not None and self._ui.store is not None:
            self._ui.start_server()
        self._cleaner = None
        if self._conf.get("spark.cleaner.referenceTracking", "true").lower() == "true":
            from sparklet.cleaner import ContextCleaner

            self._cleaner = ContextCleaner(self)
            self._cleaner.start()
        from sparklet.scheduler.progress import ConsoleProgressBar

        self._progress_bar = ConsoleProgressBar.maybe_start(self)
        # As PySpark: what sparklet-submit --py-files named ships to the executors too.
        submitted = [p for p in (self._conf.get("spark.submit.pyFiles") or "").split(",") if p]
        for path in [*submitted, *(py_files or ())]:
            self.addPyFile(path)
        from sparklet.files import add_submitted_files

        self._archives: list[str] = []
        add_submitted_files(self)  # spark.files and spark.archives, as Spark's SparkContext
        self._install_sigint_handler()
        atexit.register(self._atexit_stop)

    def _attach_ui(self):
        """The listener bus with the UI's store and the event log on it (see sparklet.ui);
        the schedulers post events only when something listens."""
        from sparklet.ui import attach

        ui = attach(self)  # sets self._listener_bus
        if ui is not None:
            from sparklet.ui.hooks import SchedulerEvents

            poster = SchedulerEvents(self, ui.bus)
            self._dag_scheduler.ui_events = poster
            self._task_scheduler.ui_events = poster
        return ui

    def _install_sigint_handler(self) -> None:
        """Ctrl-C while a job runs cancels every job, then raises KeyboardInterrupt in the
        main thread, as PySpark's handler does."""
        from sparklet.taskcontext import TaskContext

        self._previous_sigint = None
        if (threading.current_thread() is not threading.main_thread()
                or TaskContext.get() is not None):  # a worker leaves Ctrl-C to its driver
            return

        def on_sigint(signum, frame):
            if not self._stopped:
                self.cancelAllJobs()
            raise KeyboardInterrupt()

        try:
            self._previous_sigint = signal.signal(signal.SIGINT, on_sigint)
            self._sigint_handler = on_sigint
        except ValueError:  # not the main interpreter
            self._previous_sigint = None

    def _restore_sigint_handler(self) -> None:
        if self._previous_sigint is None or threading.current_thread() is not \
                threading.main_thread():
            return
        try:
            if signal.getsignal(signal.SIGINT) is self._sigint_handler:
                signal.signal(signal.SIGINT, self._previous_sigint)
        except ValueError:
            pass
        self._previous_sigint = None

    @staticmethod
    def _assert_on_driver() -> None:
        """SparkContext can be created only on the driver, not inside a task."""
        from sparklet.taskcontext import TaskContext

        if TaskContext.get() is not None:
            # PySpark 3.5 raises PySparkRuntimeError (a RuntimeError) with this error class.
            raise RuntimeError(_CONTEXT_ONLY_VALID_ON_DRIVER)

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    def getOrCreate(cls, conf: SparkConf | None = None) -> SparkContext:
        """The active SparkContext, or a new one from ``conf``."""
        with cls._lock:
            if cls._active_spark_context is None:
                SparkContext(conf=conf or SparkConf())
            return cls._active_spark_context  # type: ignore[return-value]

    def __enter__(self) -> SparkContext:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _atexit_stop(self) -> None:
        if not self._stopped:
            self.stop()

    def _discard_partial_start(self) -> None:
        """A constructor that failed half-way leaves no executors, threads or files."""
        self._stopped = True
        backend = getattr(self, "_backend", None)
        progress_bar = getattr(self, "_progress_bar", None)
        if progress_bar is not None:
            progress_bar.stop()
        try:
            if backend is not None:
                backend.stop()
        finally:
            scheduler = getattr(self, "_task_scheduler", None)
            if scheduler is not None:
                scheduler.stop()
            ui = getattr(self, "_ui", None)
            if ui is not None:
                ui.stop()
            local_dir = getattr(self, "_local_dir", None)
            if local_dir:
                shutil.rmtree(local_dir, ignore_errors=True)
            env = getattr(self, "_env", None)
            if env is not None and SparkEnv.get() is env:
                SparkEnv.set(None)
            atexit.unregister(self._atexit_stop)

    def stop(self) -> None:
        """Shut down: stop the executors and remove the application's scratch files."""
        with SparkContext._lock:
            if self._stopped:
                return
            self._stopped = True
            atexit.unregister(self._atexit_stop)  # a stopped context holds nothing at exit
            if self._progress_bar is not None:
                self._progress_bar.stop()
            if self._cleaner is not None:
                self._cleaner.stop()
            self._restore_sigint_handler()
            # Jobs still running in other threads fail rather than wait forever, as Spark's.
            self._dag_scheduler.cancel_jobs(lambda job: True,
                                            "because SparkContext was shut down")
            try:
                self._backend.stop()
            finally:
                self._task_scheduler.stop()
                self._dag_scheduler.stop()
                if self._ui is not None:
                    self._ui.stop()
                shutil.rmtree(self._local_dir, ignore_errors=True)
                if SparkEnv.get() is self._env:
                    SparkEnv.set(self._previous_env)
                if SparkContext._active_spark_context is self:
                    SparkContext._active_spark_context = None

    def __getnewargs__(self):
        # PySpark 3.5 raises PySparkRuntimeError (a RuntimeError) with this error class.
        raise RuntimeError(_CONTEXT_ONLY_VALID_ON_DRIVER)

    __reduce__ = __getnewargs__  # type: ignore[assignment]

    # -- properties ------------------------------------------------------------------------

    @property
    def version(self) -> str:
        """The PySpark version whose API this sparklet follows."""
        return __version__

    @property
    def defaultParallelism(self) -> int:
        """Default number of partitions (``spark.default.parallelism`` or the core count)."""
        if self._conf.contains("spark.default.parallelism"):
            return self._conf.getInt("spark.default.parallelism", 1)
        return self._backend.default_parallelism()

    @property
    def defaultMinPartitions(self) -> int:
        """Default minimum number of partitions for file input: min(parallelism, 2)."""
        return min(self.defaultParallelism, 2)

    @property
    def uiWebUrl(self) -> str | None:
        """URL of the web UI, e.g. ``http://127.0.0.1:4040`` (None when
        ``spark.ui.enabled`` is false or the ``ui`` extra is not installed)."""
        return self._ui.url if self._ui is not None else None

    @property
    def resources(self) -> dict:
        """The driver's custom resources (``spark.driver.resource.{name}.*``): a dict of
        name -> :class:`sparklet.resource.ResourceInformation`."""
        return dict(self._resources)

    @property
    def listFiles(self) -> list[str]:
        """Paths of the files added with :meth:`addFile`."""
        return sorted(os.path.join(self._env.files_dir, f)
                      for f in os.listdir(self._env.files_dir))

    @property
    def listArchives(self) -> list[str]:
        """The archives added with :meth:`addArchive`, as they were given."""
        return list(self._archives)

    def getConf(self) -> SparkConf:
        """A copy of this context's configuration."""
        return self._conf.copy()

    def sparkUser(self) -> str:
        return os.environ.get("SPARK_USER") or getpass.getuser()

    def setLogLevel(self, logLevel: str) -> None:
        """Control sparklet's log level (ALL, DEBUG, ERROR, FATAL, INFO, OFF, TRACE, WARN):
        the ``sparklet`` logger's, which every ``sparklet.*`` logger without a level of its
        own follows (see :mod:`sparklet.logging_setup`)."""
        from sparklet.logging_setup import set_log_level

        set_log_level(logLevel)

    def setCheckpointDir(self, dirName: str) -> None:
        """Directory (a path, ``file:`` URI or any fsspec URL) under which RDDs are
        checkpointed. As in Spark, each context writes to a fresh ``<uuid>`` subdirectory,
        named the way Hadoop qualifies paths (``file:/abs/dir/<uuid>`` for a local one)."""
        import uuid

        from sparklet.filesystems import file_system
        from sparklet.io import hadoop_path

        path = hadoop_path(dirName.rstrip("/") + "/" + str(uuid.uuid4()))
        fs, p = file_system(path)
        fs.makedirs(p, exist_ok=True)
        self._checkpoint_dir = path

    def getCheckpointDir(self) -> str | None:
        """The directory RDDs are checkpointed to (``file:/abs/dir/<uuid>``), if set."""
        return self._checkpoint_dir

    def setJobGroup(self, groupId: str, description: str,
                    interruptOnCancel: bool = False) -> None:
        """Assign a group to all jobs started by this thread, until it is set again.

        :meth:`cancelJobGroup` cancels the group's running jobs. With ``interruptOnCancel``
        their running tasks are stopped at once; otherwise they get
        ``spark.python.task.killTimeout`` (2 s) to finish before they are stopped. Threads
        started with :class:`sparklet.InheritableThread` inherit the group.

        >>> sc.setJobGroup("nightly", "the nightly report")
        >>> sc.getLocalProperty("spark.jobGroup.id")
        'nightly'
        >>> sc.clearJobGroup()
        >>> sc.getLocalProperty("spark.jobGroup.id") is None
        True
        """
        self.setLocalProperty("spark.jobGroup.id", groupId)
        self.setLocalProperty("spark.job.description", description)
        self.setLocalProperty("spark.job.interruptOnCancel", str(bool(interruptOnCancel)).lower())

    def clearJobGroup(self) -> None:
        """Forget this thread's job group (with its description and interrupt flag)."""
        for key in ("spark.jobGroup.id", "spark.job.description",
                    "spark.job.interruptOnCancel"):
            self.setLocalProperty(key, None)

    def setInterruptOnCancel(self, interruptOnCancel: bool) -> None:
        """Whether cancelling the jobs started by this thread stops their tasks at once."""
        self.setLocalProperty("spark.job.interruptOnCancel", str(bool(interruptOnCancel)).lower())

    @staticmethod
    def _check_tag(tag: str) -> None:
        if tag is None:
            raise ValueError("Spark job tag cannot be null.")
        if "," in tag:
            raise ValueError("Spark job tag cannot contain ','.")
        if tag == "":
            raise ValueError("Spark job tag cannot be an empty string.")

    def addJobTag(self, tag: str) -> None:
        """Add a tag to all jobs started by this thread (see :meth:`cancelJobsWithTag`).

        >>> sc.addJobTag("job_to_cancel1")
        >>> sc.addJobTag("job_to_cancel2")
        >>> sorted(sc.getJobTags())
        ['job_to_cancel1', 'job_to_cancel2']
        >>> sc.removeJobTag("job_to_cancel1")
        >>> sc.getJobTags()
        {'job_to_cancel2'}
        >>> sc.clearJobTags()
        >>> sc.getJobTags()
        set()
        """
        from sparklet.scheduler.jobs import JOB_TAGS, JOB_TAGS_SEP

        self._check_tag(tag)
        tags = self.getJobTags() | {tag}
        self.setLocalProperty(JOB_TAGS, JOB_TAGS_SEP.join(sorted(tags)))

    def removeJobTag(self, tag: str) -> None:
        """Remove a tag added by :meth:`addJobTag` (nothing happens if it is not there)."""
        from sparklet.scheduler.jobs import JOB_TAGS, JOB_TAGS_SEP

        self._check_tag(tag)
        tags = self.getJobTags() - {tag}
        self.setLocalProperty(JOB_TAGS, JOB_TAGS_SEP.join(sorted(tags)) if tags else None)

    def getJobTags(self) -> set[str]:
        """The tags assigned to jobs started by this thread."""
        from sparklet.scheduler.jobs import job_tags

        return job_tags(self._props())

    def clearJobTags(self) -> None:
        """Remove all of this thread's job tags."""
        from sparklet.scheduler.jobs import JOB_TAGS

        self.setLocalProperty(JOB_TAGS, None)

    def setJobDescription(self, value: str) -> None:
        self.setLocalProperty("spark.job.description", value)

    def setLocalProperty(self, key: str, value: str | None) -> None:
        """A property visible to tasks of jobs submitted from this thread."""
        props = self._props()
        if value is None:
            props.pop(key, None)
        else:
            props[key] = value

    def getLocalProperty(self, key: str) -> str | None:
        return self._props().get(key)

    def _props(self) -> dict:
        props = getattr(self._local_properties, "props", None)
        if props is None:
            props = self._local_properties.props = {}
        return props

    def _set_props(self, props: dict) -> None:
        """Replace this thread's local properties (a copy of ``props``)."""
        self._local_properties.props = dict(props)

    # -- ids and bookkeeping used by RDDs and the scheduler --------------------------------

    def _check_running(self) -> None:
        if self._stopped:
            raise SparkContextStoppedError("Cannot call methods on a stopped SparkContext.")

    def _new_rdd_id(self) -> int:
        self._check_running()
        return next(self._rdd_ids)

    def _new_shuffle_id(self) -> int:
        return next(self._shuffle_ids)

    def _next_broadcast_id(self) -> int:
        return next(self._broadcast_ids)

    def _register_shuffle(self, dep) -> None:
        # When the driver drops the last reference to a shuffle, the cleaner removes its
        # map outputs and files (see sparklet.cleaner).
        if self._cleaner is not None:
            self._cleaner.register_shuffle_for_cleanup(dep)

    def _register_persisted(self, rdd: RDD) -> None:
        if self._cleaner is not None:
            self._cleaner.register_rdd_for_cleanup(rdd)

    def _cleanup_shuffle(self, shuffle_id: int) -> None:
        self._dag_scheduler.forget_shuffle(shuffle_id)
        self._backend.broadcast_message(("remove_shuffle", shuffle_id))
        self._env.block_manager.remove_shuffle(shuffle_id)

    def _unpersist_rdd(self, rdd_id: int) -> None:
        if self._cleaner is not None:
            self._cleaner.rdd_unpersisted(rdd_id)  # nothing left for it to clean
        self._block_master.remove_rdd(rdd_id)
        if self._dag_scheduler.ui_events is not None:
            self._dag_scheduler.ui_events.rdd_unpersisted(rdd_id)
        self._backend.broadcast_message(("remove_rdd", rdd_id))
        self._env.block_manager.remove_rdd(rdd_id)

    def _drop_broadcast_copies(self, bid: int) -> None:
        self._backend.broadcast_message(("drop_broadcast", bid))
        self._env.drop_broadcast(bid)

    def _remove_broadcast(self, bid: int, path: str | None) -> None:
        """A broadcast nothing can reach any more: its copies and its file go."""
        self._drop_broadcast_copies(bid)
        self._backend.broadcast_destroyed(bid)
        if path:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass  # destroyed already

    def _remove_checkpoint_files(self, path: str) -> None:
        from sparklet.filesystems import file_system

        fs, p = file_system(path)
        if fs.exists(p):
            fs.rm(p, recursive=True)

    def _executor_message(self, executor_id: str, message: tuple) -> None:
        handler = self._message_handlers.get(message[0])
        if handler is None:
            log.warning("no handler for executor message %r", message[0])
        else:
            handler(executor_id, message)

    def _task_succeeded(self, result) -> None:
        self._block_master.update(result)
        for aid, update in result.accum_updates.items():
            acc = self._accumulators.get(aid)
            if acc is not None:
                acc._merge(update)

    # -- jobs ------------------------------------------------------------------------------

    def runJob(self, rdd: RDD, partitionFunc: Callable[[Iterable], Iterable],
               partitions: list[int] | None = None, allowLocal: bool = False) -> list:
        """Run ``partitionFunc`` on the given partitions; returns all its outputs in order.

        >>> myRDD = sc.parallelize(range(6), 3)
        >>> sc.runJob(myRDD, lambda part: [x * x for x in part])
        [0, 1, 4, 9, 16, 25]
        >>> sc.runJob(myRDD, lambda part: [x * x for x in part], [0, 2])
        [0, 1, 16, 25]
        """
        self._check_running()
        if partitions is None:
            partitions = list(range(rdd.getNumPartitions()))
        else:
            n = rdd.getNumPartitions()
            for p in partitions:
                if not 0 <= p < n:
                    raise ValueError("Partition index %d is out of range for %d partitions"
                                     % (p, n))
        per_partition = self._dag_scheduler.run_job(rdd, partitionFunc, list(partitions),
                                                    self._props())
        self._do_checkpoints(rdd)
        return list(itertools.chain.from_iterable(per_partition))

    def _do_checkpoints(self, rdd: RDD) -> None:
        """Materialize requested checkpoints reachable from a job's RDD (nearest first)."""
        to_visit, seen = [rdd], set()
        while to_visit:
            r = to_visit.pop()
            if r.id() in seen:
                continue
            seen.add(r.id())
            if r._checkpoint_requested and r._checkpoint_rdd is None:
                self._write_checkpoint(r)
                continue
            to_visit.extend(dep.rdd for dep in r.dependencies())

    def _write_checkpoint(self, rdd: RDD) -> None:
        from sparklet.rdds import CheckpointRDD, write_checkpoint_partition

        if rdd._checkpoint_requested == "local":
            base = os.path.join(self._local_dir, "checkpoints")
        else:
            base = self._checkpoint_dir  # type: ignore[assignment]
        path = "%s/rdd-%d" % (base.rstrip("/"), rdd.id())
        from sparklet.filesystems import file_system

        fs, p = file_system(path)
        fs.makedirs(p, exist_ok=True)
        self._dag_scheduler.run_job(
            rdd.mapPartitionsWithIndex(
                lambda i, it: write_checkpoint_partition(path, i, it) or ()),
            lambda it: it, list(range(rdd.getNumPartitions())), self._props())
        rdd._checkpoint_rdd = CheckpointRDD(self, path, rdd.getNumPartitions(),
                                            rdd.partitioner)
        rdd.is_checkpointed = True
        rdd._clear_dependencies()
        if self._cleaner is not None and rdd._checkpoint_requested == "reliable":
            self._cleaner.register_checkpoint_for_cleanup(rdd, path)

    # -- creating RDDs ---------------------------------------------------------------------

    def parallelize(self, c: Iterable, numSlices: int | None = None) -> RDD:
        """Distribute a local collection into an RDD.

        >>> sc.parallelize([0, 2, 3, 4, 6], 5).glom().collect()
        [[0], [2], [3], [4], [6]]
        >>> sc.parallelize(range(0, 6, 2), 5).glom().collect()
        [[], [0], [], [2], [4]]
        >>> sc.parallelize(["a", "b", "c"], 2).glom().collect()
        [['a'], ['b', 'c']]
        """
        from sparklet.rdds import ParallelCollectionRDD

        num_slices = int(numSlices) if numSlices is not None else self.defaultParallelism
        if num_slices < 1:
            raise ValueError("Positive number of partitions required")
        if isinstance(c, range):
            size = len(c)
            if size == 0:
                return ParallelCollectionRDD(self, [[] for _ in range(num_slices)])
            step = c[1] - c[0] if size > 1 else 1
            starts = [c[0] + int(i * size / num_slices) * step for i in range(num_slices + 1)]
            return ParallelCollectionRDD(
                self, [range(starts[i], starts[i + 1], step) for i in range(num_slices)])
        data = c if isinstance(c, list) else list(c)
        # PySpark ships the collection in batches and slices the list of batches, so a
        # partition boundary always falls between batches; mirror that so glom() agrees.
        batch = max(1, min(len(data) // num_slices, self._batchSize or 1024))
        batches = [data[i:i + batch] for i in range(0, len(data), batch)]
        positions = _slice_positions(len(batches), num_slices)
        try:
            # Pickled here, once, as PySpark serializes the collection in parallelize: a
            # job (every batch of a queueStream, every action on this RDD) then ships
            # bytes instead of pickling each record on the driver per task launched, and
            # later changes to the records are not seen, as in PySpark.
            pickled = [serializers.dumps(b) for b in batches]
        except Exception:  # noqa: BLE001 - unpicklable records travel as they are, so the
            # threads backend still runs them and the processes backend fails the task
            return ParallelCollectionRDD(self, [list(itertools.chain.from_iterable(
                batches[a:b])) for a, b in positions])
        return ParallelCollectionRDD(self, [self._pickled_slice(pickled[a:b])
                                            for a, b in positions])

    def _pickled_slice(self, batches: list[bytes]) -> serializers.PickledSlice:
        """A slice for :meth:`parallelize`: in the task when small; when large, in a file
        of the application's directory that executors read, so launching its task neither
        copies megabytes on the driver nor waits for them to cross the executor's channel
        before the next task can be sent."""
        if sum(map(len, batches)) >= _SLICE_FILE_MIN_BYTES and self._backend.shares_driver_disk:
            directory = os.path.join(self._local_dir, "parallelize")
            try:
                os.makedirs(directory, exist_ok=True)
                return serializers.PickledSlice.to_file(batches, directory)
            except OSError:  # the directory is gone (a stopped context): keep it inline
                pass
        return serializers.PickledSlice(batches)

    def range(self, start: int, end: int | None = None, step: int = 1,
              numSlices: int | None = None) -> RDD[int]:
        """An RDD of ints from ``start`` to ``end`` (exclusive), by ``step``.

        >>> sc.range(5).collect()
        [0, 1, 2, 3, 4]
        >>> sc.range(2, 4).collect()
        [2, 3]
        >>> sc.range(1, 7, 2).collect()
        [1, 3, 5]
        """
        if end is None:
            start, end = 0, start
        return self.parallelize(range(start, end, step), numSlices)

    def emptyRDD(self) -> RDD:
        """An RDD with no partitions.

        >>> sc.emptyRDD().count(), sc.emptyRDD().getNumPartitions()
        (0, 0)
        """
        from sparklet.rdds import ParallelCollectionRDD

        return ParallelCollectionRDD(self, [])

    def union(self, rdds: list[RDD]) -> RDD:
        """All elements of the given RDDs.

        >>> sc.union([sc.parallelize([1]), sc.parallelize([2, 3])]).collect()
        [1, 2, 3]
        """
        from sparklet.rdds import PartitionerAwareUnionRDD, UnionRDD

        rdds = list(rdds)
        if not rdds:
            raise ValueError("union() needs at least one RDD")
        first = rdds[0].partitioner
        if first is not None and all(r.partitioner == first for r in rdds):
            return PartitionerAwareUnionRDD(self, rdds)
        return UnionRDD(self, rdds)

    def textFile(self, name: str, minPartitions: int | None = None,
                 use_unicode: bool = True) -> RDD[str]:
        """Lines of text files (a file, directory, glob, or comma-separated list of them).

        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "sample-text.txt")
        >>> _ = open(path, "w").write("Hello world!\\nsecond line")
        >>> sc.textFile(path).collect()
        ['Hello world!', 'second line']
        """
        from sparklet import io as sio
        from sparklet.rdds import SplitRDD

        min_partitions = minPartitions or self.defaultMinPartitions
        # Listed at the first action: a missing path fails there, as in PySpark.
        return SplitRDD(self, lambda: sio.text_file_splits(name, min_partitions),
                        lambda s: sio.read_text_split(s, use_unicode), "HadoopRDD")

    def wholeTextFiles(self, path: str, minPartitions: int | None = None,
                       use_unicode: bool = True) -> RDD[tuple[str, str]]:
        """``(path, content)`` for each file of a directory (or glob)."""
        from sparklet import io as sio
        from sparklet.rdds import SplitRDD

        min_partitions = minPartitions or self.defaultMinPartitions
        return SplitRDD(self, lambda: sio.whole_file_partitions(path, min_partitions),
                        lambda g: sio.read_whole_text(g, use_unicode), "WholeTextFileRDD")

    def binaryFiles(self, path: str, minPartitions: int | None = None) -> RDD[tuple[str, bytes]]:
        """``(path, bytes)`` for each file of a directory (or glob)."""
        from sparklet import io as sio
        from sparklet.rdds import SplitRDD

        min_partitions = minPartitions or self.defaultMinPartitions
        parallelism = self.defaultParallelism
        return SplitRDD(
            self, lambda: sio.binary_file_partitions(path, min_partitions, parallelism),
            sio.read_binary_files, "BinaryFileRDD")

    def binaryRecords(self, path: str, recordLength: int) -> RDD[bytes]:
        """Fixed-length binary records from flat binary files."""
        from sparklet import io as sio
        from sparklet.rdds import SplitRDD

        if recordLength <= 0:
            raise ValueError(f"record_length must be positive, got {recordLength}")
        return SplitRDD(self, lambda: sio.binary_record_splits(path, recordLength),
                        lambda s: sio.read_binary_records(s, recordLength), "BinaryRecordsRDD")

    def pickleFile(self, name: str, minPartitions: int | None = None) -> RDD:
        """Objects saved with :meth:`RDD.saveAsPickleFile`."""
        from sparklet import io as sio
        from sparklet.rdds import SplitRDD

        return SplitRDD(self, lambda: [f for f, _ in sio.list_input_files(name)],
                        sio.read_pickle_file, "PickleFileRDD")

    def sequenceFile(self, path: str, keyClass: str | None = None,
                     valueClass: str | None = None, keyConverter: str | None = None,
                     valueConverter: str | None = None, minSplits: int | None = None,
                     batchSize: int = 0) -> RDD[tuple[Any, Any]]:
        """(key, value) pairs of Hadoop SequenceFiles, Writables converted as in PySpark
        (Text -> str, Int/LongWritable -> int, BytesWritable -> bytearray, MapWritable ->
        dict, NullWritable -> None). ``keyClass``/``valueClass``, when given, must match the
        files' classes. See :mod:`sparklet.hadoop` for what is supported."""
        from sparklet import hadoop

        return hadoop.sequence_file(self, path, keyClass, valueClass, keyConverter,
                                    valueConverter, minSplits, batchSize)

    def hadoopFile(self, path: str, inputFormatClass: str, keyClass: str, valueClass: str,
                   keyConverter: str | None = None, valueConverter: str | None = None,
                   conf: dict[str, str] | None = None, batchSize: int = 0) -> RDD:
        """Read with an old-API (``org.apache.hadoop.mapred``) InputFormat: SequenceFile or
        Text input format; others need a JVM and raise NotImplementedError."""
        from sparklet import hadoop

        return hadoop.hadoop_file(self, path, inputFormatClass, keyClass, valueClass,
                                  keyConverter, valueConverter, conf, False)

    def newAPIHadoopFile(self, path: str, inputFormatClass: str, keyClass: str,
                         valueClass: str, keyConverter: str | None = None,
                         valueConverter: str | None = None, conf: dict[str, str] | None = None,
                         batchSize: int = 0) -> RDD:
        """Read with a new-API (``org.apache.hadoop.mapreduce.lib.input``) InputFormat:
        SequenceFile or Text input format."""
        from sparklet import hadoop

        return hadoop.hadoop_file(self, path, inputFormatClass, keyClass, valueClass,
                                  keyConverter, valueConverter, conf, True)

    def hadoopRDD(self, inputFormatClass: str, keyClass: str, valueClass: str,
                  keyConverter: str | None = None, valueConverter: str | None = None,
                  conf: dict[str, str] | None = None, batchSize: int = 0) -> RDD:
        """:meth:`hadoopFile` with the input path in ``conf``
        (``mapreduce.input.fileinputformat.inputdir``)."""
        from sparklet import hadoop

        return hadoop.hadoop_rdd(self, inputFormatClass, keyClass, valueClass, keyConverter,
                                 valueConverter, conf, False)

    def newAPIHadoopRDD(self, inputFormatClass: str, keyClass: str, valueClass: str,
                        keyConverter: str | None = None, valueConverter: str | None = None,
                        conf: dict[str, str] | None = None, batchSize: int = 0) -> RDD:
        """:meth:`newAPIHadoopFile` with the input path in ``conf``."""
        from sparklet import hadoop

        return hadoop.hadoop_rdd(self, inputFormatClass, keyClass, valueClass, keyConverter,
                                 valueConverter, conf, True)

    # -- shared variables and files --------------------------------------------------------

    def broadcast(self, value: Any) -> Broadcast:
        """Ship a read-only value to each executor once.

        >>> b = sc.broadcast({"a": 1})
        >>> sc.parallelize(["a", "a"]).map(lambda k: b.value[k]).collect()
        [1, 1]
        """
        self._check_running()
        broadcast = Broadcast(self, value)
        if self._cleaner is not None:
            self._cleaner.register_broadcast_for_cleanup(broadcast)
        return broadcast

    def accumulator(self, value: Any, accum_param: AccumulatorParam | None = None
                    ) -> Accumulator:
        """An accumulator starting at ``value`` (ints, floats and complex need no param).

        >>> acc = sc.accumulator(0)
        >>> sc.parallelize([1, 2, 3], 2).foreach(lambda x: acc.add(x))
        >>> acc.value
        6
        """
        param = accum_param if accum_param is not None else default_param(value)
        acc = Accumulator(next(self._accumulator_ids), value, param)
        self._accumulators[acc.aid] = acc
        return acc

    def addFile(self, path: str, recursive: bool = False) -> None:
        """Make a file (or directory, with ``recursive``) available to every task."""
        import fsspec

        fs, _, (src,) = fsspec.get_fs_token_paths(path)
        name = os.path.basename(src.rstrip("/"))
        target = os.path.join(self._env.files_dir, name)
        if fs.isdir(src):
            if not recursive:
                raise ValueError("Added file %s is a directory and recursive is not turned on."
                                 % path)
            fs.get(src, target, recursive=True)
        else:
            fs.get(src, target)
        self._backend.add_file(target)

    def addArchive(self, path: str) -> None:
        """Add an archive (.zip, .jar, .tar, .tar.gz, .tgz) to be unpacked for every task:
        ``SparkFiles.get(name)`` is the directory it was unpacked into, ``name`` the
        archive's file name or the ``#name`` that follows the path.

        >>> import os, tempfile, zipfile
        >>> from sparklet import SparkFiles
        >>> path = os.path.join(tempfile.mkdtemp(), "lookup.zip")
        >>> with zipfile.ZipFile(path, "w") as z:
        ...     z.writestr("factor.txt", "100")
        >>> sc.addArchive(path + "#tables")
        >>> def scale(x):
        ...     with open(os.path.join(SparkFiles.get("tables"), "factor.txt")) as f:
        ...         return int(f.read()) * x
        >>> sc.parallelize([1, 2]).map(scale).collect()
        [100, 200]
        """
        from sparklet.files import add_archive

        add_archive(self, path)
        self._archives.append(path)

    def addPyFile(self, path: str) -> None:
        """Add a .py, .zip or .egg dependency for tasks (importable in executors).
        (A folder, as ``sparklet-submit --py-files`` takes, goes on the path as it is.)"""
        self.addFile(path, recursive=os.path.isdir(path))
        added = os.path.join(self._env.files_dir, os.path.basename(path.rstrip(os.sep)))
        include = added if not added.endswith(".py") else self._env.files_dir
        if include not in sys.path:
            sys.path.insert(1, include)
        # Workers started before this call learn of it with their next task.
        self._backend.add_python_include(include)
        import importlib

        importlib.invalidate_caches()

    def cancelJobGroup(self, groupId: str) -> None:
        """Cancel the active jobs of a group (see :meth:`setJobGroup`); each fails with
        "Job N cancelled part of cancelled job group G"."""
        self._dag_scheduler.cancel_jobs(lambda job: job.group == groupId,
                                        "part of cancelled job group %s" % groupId)

    def cancelJobsWithTag(self, tag: str) -> None:
        """Cancel the active jobs that have ``tag`` (see :meth:`addJobTag`)."""
        self._check_tag(tag)
        self._dag_scheduler.cancel_jobs(lambda job: tag in job.tags,
                                        "part of cancelled job tag %s" % tag)

    def cancelAllJobs(self) -> None:
        """Cancel every job that is scheduled or running."""
        self._dag_scheduler.cancel_jobs(lambda job: True,
                                        "as part of cancellation of all jobs")

    def statusTracker(self):
        from sparklet.status import StatusTracker

        return StatusTracker(self)
