"""Every configuration entry sparklet reads, declared as Spark declares its own (one
``ConfigBuilder`` per key). Spark's keys keep Spark's meaning and the Spark version that
added them; sparklet's own keys carry the sparklet version that added them. Defaults are
the ones sparklet's code uses (noted where they differ from Spark's).

The entries register themselves on import; read them through
:func:`sparklet.internal.config.registry` / :func:`~sparklet.internal.config.find_entry`.
"""

from __future__ import annotations

from sparklet.internal.config import ConfigBuilder, Section
from sparklet.logging_setup import LEVELS as LOG_LEVELS

# The sparklet release that introduced the spark.sparklet.* (and other sparklet-only) keys.
SPARKLET = "0.1.0"


def _positive(value) -> bool:
    return value > 0


def _non_negative(value) -> bool:
    return value >= 0


def _b(key: str, section: str, version: str, doc: str) -> ConfigBuilder:
    return ConfigBuilder(key).section(section).version(version).doc(doc)


A, RT, SH, UI, HS = (Section.APPLICATION, Section.RUNTIME, Section.SHUFFLE, Section.UI,
                     Section.HISTORY)
MEM, EX, NET, SCH, BAR = (Section.MEMORY, Section.EXECUTION, Section.NETWORKING,
                          Section.SCHEDULING, Section.BARRIER)
RES, LP, DASK, SQL = Section.RESOURCES, Section.LOCAL_PROPERTIES, Section.DASK, Section.SQL
ST, CON, GX = Section.STREAMING, Section.CONNECTORS, Section.GRAPHX

# -- Application Properties ------------------------------------------------------------

APP_NAME = _b("spark.app.name", A, "0.9.0", """The name of your application: it appears in
    the UI, the event log and the status API.""").stringConf().createWithDynamicDefault(
    "(none; sparklet's SparkContext uses `sparklet`)")
MASTER = _b("spark.master", A, "0.9.0", """The master to run on: `local`, `local[N]`,
    `local[*]`, `local[N, F]` (F task attempts), `local-cluster[N, C, M]`,
    `dask://host:port`, `dask-local[N]`.""").stringConf().createWithDynamicDefault(
    "(none; SparkContext uses `local[*]`)")
APP_ID = _b("spark.app.id", A, "1.2.0", """The application's id, set by the SparkContext when
    it starts (`local-<start time>`); not meant to be set.""").stringConf().createOptional()
APP_START_TIME = _b("spark.app.startTime", A, "1.2.0", """The application's start time in ms,
    kept out of streaming checkpoints (a recovered application has its own).""") \
    .stringConf().createOptional()
DRIVER_MEMORY = _b("spark.driver.memory", A, "1.1.1", """Memory of the driver process, in MiB
    unless a unit is given. sparklet's driver is the Python process you started, so this only
    caps DuckDB's memory for Spark SQL (below `spark.sql.sparklet.memoryLimit`).""") \
    .bytesConf("m").createWithDefaultString("1g")
EXECUTOR_MEMORY = _b("spark.executor.memory", A, "0.7.0", """Memory per executor process, in
    MiB unless a unit is given (`512m`, `2g`). Sizes the block manager's storage memory
    (with `spark.memory.fraction`), a `local-cluster` executor, and DuckDB's memory when the
    driver's is not set.""").bytesConf("m").createWithDefaultString("1g")
EXECUTOR_PYSPARK_MEMORY = _b("spark.executor.pyspark.memory", A, "2.4.0", """The memory
    limit of each executor's Python worker, in MiB unless a unit is given: the address space
    is capped with Python's `resource` module (not on Windows or macOS).""") \
    .bytesConf("m").createOptional()
LOCAL_DIR = _b("spark.local.dir", A, "0.5.0", """Directory for scratch space (shuffle files,
    spilled and disk-stored blocks, DuckDB's spill files); a comma-separated list is accepted
    and its first directory used.""").stringConf().createWithDynamicDefault(
    "(the system temp directory)")
HOME = _b("spark.home", A, "0.9.0", """Where Spark is installed on worker nodes
    (`SparkConf.setSparkHome`); recorded as `sc.sparkHome`, otherwise unused.""") \
    .stringConf().createOptional()
DRIVER_HOST = _b("spark.driver.host", A, "0.7.0", """Host name or address the driver's
    receiver endpoint advertises to executors (streaming receivers connect to it).""") \
    .stringConf().createWithDefault("127.0.0.1")
DRIVER_BIND_ADDRESS = _b("spark.driver.bindAddress", A, "2.1.0", """Address the driver's
    listening sockets bind to.""").stringConf().createWithDynamicDefault(
    "(value of `spark.driver.host`)")
DRIVER_PORT = _b("spark.driver.port", A, "0.7.0", """The driver's port; sparklet picks free
    ports itself and only keeps this out of recovered streaming checkpoints.""") \
    .stringConf().createOptional()
ALLOW_SPARK_CONTEXT = _b("spark.executor.allowSparkContext", A, "3.1.0", """If true, a
    SparkContext can be created inside a task (on an executor).""") \
    .booleanConf().createWithDefault(False)

# -- Runtime Environment ---------------------------------------------------------------

EXECUTOR_ENV = _b("spark.executorEnv.{name}", RT, "0.9.0", """Adds the environment variable
    `{name}` to the executor processes (local-cluster and Dask workers).""") \
    .stringConf().createOptional()
PYTHON_WORKER_MEMORY = _b("spark.python.worker.memory", RT, "1.1.0", """Memory of a Python
    task during aggregation (shuffle combiners, `sortByKey`): above it, data spills to
    disk.""").bytesConf("b").createWithDefaultString("512m")
PYTHON_TASK_KILL_TIMEOUT = _b("spark.python.task.killTimeout", RT, "2.2.2", """How long a
    cancelled task may keep running before its worker is stopped.""") \
    .timeConf("ms").createWithDefaultString("2s")
SUBMIT_PY_FILES = _b("spark.submit.pyFiles", RT, "1.0.1", """Comma-separated `.zip`, `.egg`
    or `.py` files to put on the PYTHONPATH of the driver and executors.""") \
    .stringConf().toSequence().createWithDefault([])
FILES = _b("spark.files", RT, "1.0.0", """Comma-separated files copied to every executor
    (and the driver), found there with `SparkFiles.get(name)`; sparklet-submit's
    `--files`.""").stringConf().toSequence().createWithDefault([])
ARCHIVES = _b("spark.archives", RT, "3.1.0", """Comma-separated archives (`.zip`, `.jar`,
    `.tar`, `.tar.gz`, `.tgz`) unpacked on every executor (and the driver) into a directory
    `SparkFiles.get(name)` finds; `file.zip#name` names it. sparklet-submit's
    `--archives`.""").stringConf().toSequence().createWithDefault([])
CORES_MAX = _b("spark.cores.max", A, "0.6.0", """The most cores the application uses in all;
    sparklet-submit's `--total-executor-cores`, which without a master picks
    `local[N]`.""").intConf().checkValue(_positive, "must be positive").createOptional()
DRIVER_SUPERVISE = _b("spark.driver.supervise", A, "1.3.0", """Set by sparklet-submit's
    `--supervise`: the application is restarted when it exits with a non-zero status.""") \
    .booleanConf().createWithDefault(False)
LOG_LEVEL = _b("spark.log.level", A, "3.5.0", """When set, overrides the log level at start
    as `SparkContext.setLogLevel` would (ALL, DEBUG, ERROR, FATAL, INFO, OFF, TRACE,
    WARN).""").stringConf().checkValues(sorted(LOG_LEVELS)).createOptional()

# -- Shuffle Behavior ------------------------------------------------------------------

SHUFFLE_INLINE_MAX_BYTES = _b("spark.sparklet.shuffle.inlineMaxBytes", SH, SPARKLET, """The
    largest map output block that travels inside its MapStatus instead of a shuffle file
    (0: always a file; the Dask backend sets 0).""").bytesConf("b") \
    .checkValue(_non_negative, "must not be negative").createWithDefaultString("16k")

# -- Spark UI --------------------------------------------------------------------------

EVENT_LOG_ENABLED = _b("spark.eventLog.enabled", UI, "1.0.0", """Whether to write the
    application's events to `spark.eventLog.dir`, for the history server.""") \
    .booleanConf().createWithDefault(False)
EVENT_LOG_DIR = _b("spark.eventLog.dir", UI, "1.0.0", """Directory (a path or `file://` URL)
    the event logs are written to; it must exist.""").stringConf() \
    .createWithDefault("file:///tmp/spark-events")
EVENT_LOG_COMPRESS = _b("spark.eventLog.compress", UI, "1.0.0", """Whether to compress event
    logs; sparklet writes them uncompressed and warns when this is true.""") \
    .booleanConf().createWithDefault(False)
EVENT_LOG_OVERWRITE = _b("spark.eventLog.overwrite", UI, "1.0.0", """Whether to overwrite an
    existing event log of the same application id.""").booleanConf().createWithDefault(False)
EVENT_LOG_BUFFER = _b("spark.eventLog.buffer.kb", UI, "1.0.0", """Buffer size of the event
    log's output stream, in KiB unless a unit is given.""").bytesConf("k") \
    .createWithDefaultString("100k")
EVENT_LOG_BLOCK_UPDATES = _b("spark.eventLog.logBlockUpdates.enabled", UI, "2.3.0", """Whether
    to log an event for every block update.""").booleanConf().createWithDefault(False)
UI_ENABLED = _b("spark.ui.enabled", UI, "1.1.1", """Whether to run the web UI (needs the
    `ui` extra).""").booleanConf().createWithDefault(True)
UI_PORT = _b("spark.ui.port", UI, "0.7.0", """Port of the application's web UI; when taken,
    the next ones are tried (`spark.port.maxRetries`). 0 picks any free port.""") \
    .intConf().checkValue(_non_negative, "must not be negative").createWithDefault(4040)
UI_HOST = _b("spark.ui.host", UI, SPARKLET, """Address the web UI binds to.""") \
    .stringConf().createWithDefault("127.0.0.1")
UI_AUTH_TOKEN = _b("spark.ui.auth.token", UI, SPARKLET, """If set, the web UI and the history
    server require this bearer token (or a `?token=` parameter).""") \
    .stringConf().createOptional()
UI_KILL_ENABLED = _b("spark.ui.killEnabled", UI, "1.0.0", """Allows jobs and stages to be
    killed from the web UI. sparklet's default is false (Spark's is true): the UI has no
    authentication unless `spark.ui.auth.token` is set.""") \
    .booleanConf().createWithDefault(False)
UI_REFRESH_INTERVAL = _b("spark.ui.refreshInterval", UI, SPARKLET, """How often the pages
    of the live UI poll for new data.""").timeConf("s").createWithDefaultString("1s")
UI_LIVE_UPDATE_PERIOD = _b("spark.ui.liveUpdate.period", UI, "2.3.0", """How often live
    entities are written to the status store; 0 writes every event at once. Write a unit: a
    bare number is seconds in sparklet, nanoseconds in Spark.""") \
    .timeConf("s").createWithDefaultString("100ms")
UI_RETAINED_JOBS = _b("spark.ui.retainedJobs", UI, "1.2.0", """How many finished jobs the UI
    and status API remember.""").intConf().createWithDefault(1000)
UI_RETAINED_STAGES = _b("spark.ui.retainedStages", UI, "0.9.0", """How many finished stages
    the UI and status API remember.""").intConf().createWithDefault(1000)
UI_RETAINED_TASKS = _b("spark.ui.retainedTasks", UI, "2.0.1", """How many tasks the UI and
    status API remember, for the whole application.""").intConf().createWithDefault(100000)
UI_RETAINED_DEAD_EXECUTORS = _b("spark.ui.retainedDeadExecutors", UI, "2.0.0", """How many
    dead executors the UI remembers.""").intConf().createWithDefault(100)
UI_SHOW_CONSOLE_PROGRESS = _b("spark.ui.showConsoleProgress", UI, "1.2.1", """Show the
    progress bar of long stages on stderr.""").booleanConf().createWithDynamicDefault(
    "(true when stderr is a terminal)")
UI_DASHBOARD_POINTS = _b("spark.ui.dashboard.retainedPoints", UI, SPARKLET, """How many
    points of each line chart the streaming dashboard keeps.""") \
    .intConf().checkValue(_positive, "must be positive").createWithDefault(300)
LISTENER_BUS_CAPACITY = _b("spark.scheduler.listenerbus.eventqueue.capacity", UI, "2.3.0",
                           """Capacity of the listener bus's event queue; events beyond it
    are dropped (with a warning).""").intConf().checkValue(_positive, "must be positive") \
    .createWithDefault(10000)

# -- History Server --------------------------------------------------------------------

HISTORY_LOG_DIR = _b("spark.history.fs.logDirectory", HS, "1.1.0", """Directory of the event
    logs the history server shows.""").stringConf().createWithDefault(
    "file:///tmp/spark-events")
HISTORY_UPDATE_INTERVAL = _b("spark.history.fs.update.interval", HS, "1.4.0", """How often
    the history server looks for new or updated logs.""").timeConf("s") \
    .createWithDefaultString("10s")
HISTORY_UI_PORT = _b("spark.history.ui.port", HS, "1.0.0", """Port of the history server's
    web interface.""").intConf().createWithDefault(18080)

# -- Memory Management -----------------------------------------------------------------

MEMORY_FRACTION = _b("spark.memory.fraction", MEM, "1.6.0", """Fraction of
    `spark.executor.memory` used for cached blocks.""").doubleConf() \
    .checkValue(lambda v: 0 < v <= 1, "must be in (0, 1]").createWithDefault(0.6)
STORAGE_MEMORY = _b("spark.sparklet.storage.memory", MEM, SPARKLET, """Storage memory of each
    block manager, overriding `spark.executor.memory` x `spark.memory.fraction`; a bare
    number is bytes.""").bytesConf("b").createWithDynamicDefault(
    "(executor memory x `spark.memory.fraction`)")

# -- Execution Behavior ----------------------------------------------------------------

DEFAULT_PARALLELISM = _b("spark.default.parallelism", EX, "0.5.0", """Default number of
    partitions of `parallelize` and of shuffles given no partition count.""") \
    .intConf().checkValue(_positive, "must be positive").createWithDynamicDefault(
    "(the master's core count)")
BACKEND = _b("spark.sparklet.backend", EX, SPARKLET, """What runs the tasks of a `local[N]`
    master: `processes` (worker processes), `threads` (the driver's threads) or `dask`.""") \
    .stringConf().checkValues(("processes", "threads", "dask")) \
    .createWithDefault("processes")
RDD_LIMIT_SCALE_UP = _b("spark.rdd.limit.scaleUpFactor", EX, "2.1.0", """How many times more
    partitions `take` scans in each round than in the last.""").intConf() \
    .createWithDefault(4)
CLEANER_REFERENCE_TRACKING = _b("spark.cleaner.referenceTracking", EX, "1.0.0", """Clean
    shuffles, broadcasts and cached RDDs once they are garbage collected.""") \
    .booleanConf().createWithDefault(True)
CLEANER_BLOCKING = _b("spark.cleaner.referenceTracking.blocking", EX, "1.0.0", """Whether the
    cleaner waits for each clean-up to finish.""").booleanConf().createWithDefault(True)
CLEANER_BLOCKING_SHUFFLE = _b("spark.cleaner.referenceTracking.blocking.shuffle", EX, "1.1.1",
                              """Whether the cleaner waits for shuffle clean-ups to
    finish.""").booleanConf().createWithDefault(False)
CLEANER_CHECKPOINTS = _b("spark.cleaner.referenceTracking.cleanCheckpoints", EX, "1.4.0",
                         """Also delete the checkpoint files of collected RDDs.""") \
    .booleanConf().createWithDefault(False)
CLEANER_PERIODIC_GC = _b("spark.cleaner.periodicGC.interval", EX, "1.6.0", """How often to run
    a full garbage collection, so unreferenced objects are found and cleaned.""") \
    .timeConf("s").createWithDefaultString("30min")

# -- Networking ------------------------------------------------------------------------

PORT_MAX_RETRIES = _b("spark.port.maxRetries", NET, "1.1.1", """How many successive ports to
    try when binding the web UI.""").intConf().checkValue(_non_negative,
                                                          "must not be negative") \
    .createWithDefault(16)

# -- Scheduling ------------------------------------------------------------------------

TASK_MAX_FAILURES = _b("spark.task.maxFailures", SCH, "0.8.0", """Attempts of a task before
    its job fails.""").intConf().checkValue(_positive, "must be positive") \
    .createWithDynamicDefault("(1 in `local[N]`, F in `local[N, F]`, 4 on a cluster master)")
LOCALITY_WAIT = _b("spark.locality.wait", SCH, "0.5.0", """How long a task waits for an
    executor holding its input before it runs elsewhere.""").timeConf("ms") \
    .createWithDefaultString("3s")

# -- Barrier Execution Mode ------------------------------------------------------------

BARRIER_SYNC_TIMEOUT = _b("spark.barrier.sync.timeout", BAR, "2.4.0", """How long a barrier
    task's `barrier()` waits for the others.""").timeConf("s") \
    .createWithDefaultString("365d")

# -- Custom Resource Scheduling --------------------------------------------------------

for _component, _version in (("driver", "3.0.0"), ("executor", "3.0.0"), ("worker", "3.0.0")):
    _b("spark.%s.resource.{resourceName}.amount" % _component, RES, _version, """Amount of
        the resource `{resourceName}` the %s needs (a whole number).""" % _component) \
        .doubleConf().checkValue(_non_negative, "must not be negative").createWithDefault(0)
    _b("spark.%s.resource.{resourceName}.discoveryScript" % _component, RES, _version,
       """An executable that prints the %s's addresses of `{resourceName}` as JSON
        (`{"name": ..., "addresses": [...]}`).""" % _component).stringConf().createOptional()
    _b("spark.%s.resource.{resourceName}.vendor" % _component, RES, _version, """The vendor
        of the resource (Kubernetes only in Spark; recorded).""").stringConf().createOptional()
TASK_RESOURCE_AMOUNT = _b("spark.task.resource.{resourceName}.amount", RES, "3.0.0", """Amount
    of `{resourceName}` each task takes: a whole number of addresses, or a fraction (tasks
    then share an address).""").doubleConf().checkValue(_non_negative,
                                                       "must not be negative") \
    .createWithDefault(0)

# -- Job Local Properties (SparkContext.setLocalProperty) ------------------------------

JOB_GROUP_ID = _b("spark.jobGroup.id", LP, "1.0.0", """The job group of the jobs a thread
    submits (`setJobGroup`).""").stringConf().createOptional()
JOB_DESCRIPTION = _b("spark.job.description", LP, "1.0.0", """Description of the jobs a
    thread submits (`setJobDescription`).""").stringConf().createOptional()
JOB_INTERRUPT_ON_CANCEL = _b("spark.job.interruptOnCancel", LP, "1.0.0", """Whether cancelling
    the group interrupts its running tasks (`setJobGroup(..., interruptOnCancel)`).""") \
    .booleanConf().createWithDefault(False)
JOB_TAGS = _b("spark.job.tags", LP, "3.5.0", """Comma-separated tags of the jobs a thread
    submits (`addJobTag`).""").stringConf().toSequence().createWithDefault([])
SCHEDULER_POOL = _b("spark.scheduler.pool", LP, "0.8.0", """Scheduler pool of the jobs a
    thread submits, shown in the UI (sparklet schedules FIFO).""").stringConf() \
    .createWithDefault("default")
STREAMING_BATCH_TIME = _b("spark.streaming.internal.batchTime", LP, "1.4.0", """Set on the
    jobs of a streaming batch: its batch time in ms.""").stringConf().createOptional()
STREAMING_OUTPUT_OP = _b("spark.streaming.internal.outputOpId", LP, "1.4.0", """Set on the
    jobs of a streaming batch: the output operation's id.""").stringConf().createOptional()

# -- Dask Backend ----------------------------------------------------------------------

DASK_SCHEDULER = _b("spark.dask.scheduler", DASK, SPARKLET, """Address of the Dask scheduler
    for `spark.sparklet.backend=dask`.""").stringConf().createWithDynamicDefault(
    "(`SPARKLET_DASK_SCHEDULER`, else a local cluster)")
DASK_CLIENT_OPTION = _b("spark.dask.client.{option}", DASK, SPARKLET, """Passed to
    `distributed.Client` as the keyword `{option}` (numbers and booleans converted), say
    `spark.dask.client.timeout=60s`.""").stringConf().createOptional()
DASK_CLUSTER_OPTION = _b("spark.dask.cluster.{option}", DASK, SPARKLET, """Passed to the
    `LocalCluster` of `dask-local[N]` as the keyword `{option}`, say
    `spark.dask.cluster.memory_limit=2GiB`.""").stringConf().createOptional()

# -- Spark SQL -------------------------------------------------------------------------

SQL_ANSI = _b("spark.sql.ansi.enabled", SQL, "3.0.0", """ANSI SQL mode: invalid casts,
    overflows and division by zero fail instead of returning null.""") \
    .booleanConf().createWithDefault(True)
SQL_SHUFFLE_PARTITIONS = _b("spark.sql.shuffle.partitions", SQL, "1.1.0", """Partitions of
    DataFrame shuffles (`repartition` by columns, `df.rdd` of aggregates).""") \
    .intConf().checkValue(_positive, "must be positive").createWithDefault(200)
SQL_CASE_SENSITIVE = _b("spark.sql.caseSensitive", SQL, "1.4.0", """Whether column names are
    case-sensitive.""").booleanConf().createWithDefault(False)
SQL_WAREHOUSE = _b("spark.sql.warehouse.dir", SQL, "2.0.0", """Directory of persistent
    (managed) tables.""").stringConf().createWithDefault("spark-warehouse")
SQL_CATALOG_IMPL = _b("spark.sql.catalogImplementation", SQL, "2.0.0", """`hive`
    (`enableHiveSupport()`) or `in-memory`; tables are kept in the warehouse directory either
    way.""").stringConf().checkValues(("in-memory", "hive")).createWithDefault("in-memory")
SQL_SESSION_TZ = _b("spark.sql.session.timeZone", SQL, "2.2.0", """The session's time zone
    (region id like `America/Los_Angeles`, or an offset).""").stringConf() \
    .createWithDynamicDefault("(the local time zone)")
SQL_TIME_PARSER = _b("spark.sql.legacy.timeParserPolicy", SQL, "3.0.0", """Datetime parsing
    and formatting policy.""").stringConf().checkValues(("EXCEPTION", "CORRECTED", "LEGACY")) \
    .createWithDefault("CORRECTED")
SQL_ADAPTIVE = _b("spark.sql.adaptive.enabled", SQL, "1.6.0", """Adaptive query execution;
    accepted for compatibility (DuckDB plans the queries).""").booleanConf() \
    .createWithDefault(True)
SQL_ARROW = _b("spark.sql.execution.arrow.pyspark.enabled", SQL, "3.0.0", """Use Arrow for
    `createDataFrame(pandas_df)` and `toPandas()`.""").booleanConf().createWithDefault(False)
SQL_ARROW_FALLBACK = _b("spark.sql.execution.arrow.pyspark.fallback.enabled", SQL, "3.0.0",
                        """Fall back to the non-Arrow path when Arrow cannot convert the
    data.""").booleanConf().createWithDefault(True)
SQL_ARROW_BATCH = _b("spark.sql.execution.arrow.maxRecordsPerBatch", SQL, "2.3.0", """Rows per
    Arrow batch handed to vectorized (pandas) UDFs.""").intConf() \
    .checkValue(_positive, "must be positive").createWithDefault(10000)
SQL_PYTHON_UDF_ARROW = _b("spark.sql.execution.pythonUDF.arrow.enabled", SQL, "3.4.0",
                          """Arrow-optimized Python UDFs (results typed by pyarrow).
    sparklet's default is true (Spark's is false).""").booleanConf().createWithDefault(True)
SQL_INFER_DICT_AS_STRUCT = _b("spark.sql.pyspark.inferNestedDictAsStruct.enabled", SQL,
                              "3.3.0", """Infer nested dicts of `createDataFrame` as structs
    instead of maps.""").booleanConf().createWithDefault(False)
SQL_INFER_ARRAY_FIRST = _b("spark.sql.pyspark.legacy.inferArrayTypeFromFirstElement.enabled",
                           SQL, "3.4.0", """Infer an array's element type from its first
    element only.""").booleanConf().createWithDefault(False)
SQL_INFER_MAP_FIRST = _b("spark.sql.pyspark.legacy.inferMapTypeFromFirstPair.enabled", SQL,
                         "4.0.0", """Infer a map's types from its first pair only.""") \
    .booleanConf().createWithDefault(False)
SQL_TIMESTAMP_TYPE = _b("spark.sql.timestampType", SQL, "3.4.0", """The type of inferred
    timestamps.""").stringConf().checkValues(("TIMESTAMP_LTZ", "TIMESTAMP_NTZ")) \
    .createWithDefault("TIMESTAMP_LTZ")
SQL_SOURCES_DEFAULT = _b("spark.sql.sources.default", SQL, "1.3.0", """Data source of `load`,
    `save` and `CREATE TABLE` without a format.""").stringConf().createWithDefault("parquet")
SQL_PARTITION_OVERWRITE = _b("spark.sql.sources.partitionOverwriteMode", SQL, "2.3.0",
                             """`STATIC` deletes every partition an overwrite matches;
    `DYNAMIC` only those it writes.""").stringConf().checkValues(("STATIC", "DYNAMIC")) \
    .createWithDefault("STATIC")
SQL_MEMORY_LIMIT = _b("spark.sql.sparklet.memoryLimit", SQL, SPARKLET, """DuckDB's memory
    limit (wins over `spark.driver.memory` and `spark.executor.memory`).""") \
    .bytesConf("b").createOptional()
SQL_TEMP_DIRECTORY = _b("spark.sql.sparklet.tempDirectory", SQL, SPARKLET, """Where DuckDB
    spills (wins over `spark.local.dir`).""").stringConf().createOptional()

# -- Spark Streaming -------------------------------------------------------------------

ST_BLOCK_INTERVAL = _b("spark.streaming.blockInterval", ST, "0.8.0", """Interval at which a
    receiver's records are chunked into blocks.""").timeConf("ms") \
    .checkValue(_positive, "must be positive").createWithDefaultString("200ms")
ST_RECEIVER_MAX_RATE = _b("spark.streaming.receiver.maxRate", ST, "1.0.2", """Records per
    second each receiver may store; 0 or negative: no limit.""").doubleConf() \
    .createWithDefault(0)
ST_BACKPRESSURE = _b("spark.streaming.backpressure.enabled", ST, "1.5.0", """Let the driver
    adapt the receiving rate to the processing rate.""").booleanConf() \
    .createWithDefault(False)
ST_INITIAL_RATE = _b("spark.streaming.backpressure.initialRate", ST, "2.0.0", """The first
    rate limit under backpressure, before any batch has completed.""").doubleConf() \
    .createWithDynamicDefault("(none: `spark.streaming.receiver.maxRate`)")
ST_RATE_ESTIMATOR = _b("spark.streaming.backpressure.rateEstimator", ST, "1.5.0", """The rate
    estimator of backpressure.""").stringConf().checkValues(("pid",)).createWithDefault("pid")
ST_PID_PROPORTIONAL = _b("spark.streaming.backpressure.pid.proportional", ST, "1.5.0",
                         """Weight of the current error in the PID estimator.""") \
    .doubleConf().checkValue(_non_negative, "must not be negative").createWithDefault(1.0)
ST_PID_INTEGRAL = _b("spark.streaming.backpressure.pid.integral", ST, "1.5.0", """Weight of
    the accumulated error in the PID estimator.""").doubleConf() \
    .checkValue(_non_negative, "must not be negative").createWithDefault(0.2)
ST_PID_DERIVED = _b("spark.streaming.backpressure.pid.derived", ST, "1.5.0", """Weight of the
    error's change in the PID estimator.""").doubleConf() \
    .checkValue(_non_negative, "must not be negative").createWithDefault(0.0)
ST_PID_MIN_RATE = _b("spark.streaming.backpressure.pid.minRate", ST, "1.5.0", """The lowest
    rate the PID estimator sets.""").doubleConf().checkValue(_positive, "must be positive") \
    .createWithDefault(100.0)
ST_WAL_ENABLE = _b("spark.streaming.receiver.writeAheadLog.enable", ST, "1.2.1", """Write
    received blocks to a write-ahead log in the checkpoint directory, so a restarted driver
    loses none.""").booleanConf().createWithDefault(False)
ST_WAL_ROLLING = _b("spark.streaming.receiver.writeAheadLog.rollingIntervalSecs", ST, "1.4.0",
                    """Seconds after which the write-ahead log rolls to a new file.""") \
    .doubleConf().checkValue(_positive, "must be positive").createWithDefault(60)
ST_RESTART_DELAY = _b("spark.streaming.receiverRestartDelay", ST, "0.9.0", """How long a
    failed receiver waits before it restarts.""").timeConf("ms") \
    .createWithDefaultString("2000ms")
ST_CONCURRENT_JOBS = _b("spark.streaming.concurrentJobs", ST, "0.7.0", """Number of output
    operations' jobs run at once.""").intConf().checkValue(_positive, "must be positive") \
    .createWithDefault(1)
ST_GRACEFUL_STOP_TIMEOUT = _b("spark.streaming.gracefulStopTimeout", ST, "1.0.0", """How long
    a graceful stop waits for received data to be processed.""").timeConf("ms") \
    .createWithDynamicDefault("(10 batch intervals)")
ST_STOP_ON_SHUTDOWN = _b("spark.streaming.stopGracefullyOnShutdown", ST, "1.4.0", """Stop the
    StreamingContext gracefully on SIGTERM instead of at once.""").booleanConf() \
    .createWithDefault(False)
ST_UNPERSIST = _b("spark.streaming.unpersist", ST, "0.9.0", """Unpersist the RDDs of old
    batches automatically.""").booleanConf().createWithDefault(True)
ST_UI_RETAINED_BATCHES = _b("spark.streaming.ui.retainedBatches", ST, "1.0.0", """How many
    completed batches the streaming UI and listener remember.""").intConf() \
    .createWithDefault(1000)
ST_MIN_REMEMBER = _b("spark.streaming.fileStream.minRememberDuration", ST, "1.6.0", """How far
    back a file stream looks for new files (and remembers old ones).""").timeConf("s") \
    .createWithDefaultString("60s")
ST_DELTA_CHAIN = _b("spark.streaming.sessionByKey.deltaChainThreshold", ST, "1.6.0", """How
    many batches of `mapWithState` deltas are chained before the state is compacted.""") \
    .intConf().checkValue(_positive, "must be positive").createWithDefault(20)
ST_CLOCK = _b("spark.streaming.clock", ST, "0.7.0", """The clock batches are generated by:
    `org.apache.spark.util.SystemClock` or `org.apache.spark.util.ManualClock` (tests; also
    `system` / `manual`).""").stringConf().checkValues(
    ("org.apache.spark.util.SystemClock", "system", "SystemClock",
     "org.apache.spark.util.ManualClock", "manual", "ManualClock")) \
    .createWithDefault("org.apache.spark.util.SystemClock")
ST_KAFKA_MAX_RATE = _b("spark.streaming.kafka.maxRatePerPartition", ST, "1.3.0", """Records
    per second read from each Kafka partition by a direct stream; 0: no limit.""") \
    .doubleConf().createWithDefault(0)
ST_KAFKA_MIN_RATE = _b("spark.streaming.kafka.minRatePerPartition", ST, "2.4.0", """The
    lowest per-partition rate backpressure sets for a direct Kafka stream.""") \
    .doubleConf().checkValue(_positive, "must be positive").createWithDefault(1)
ST_KAFKA_MAX_RETRIES = _b("spark.streaming.kafka.maxRetries", ST, "1.3.0", """Attempts to find
    the latest offsets of the partition leaders.""").intConf().createWithDefault(1)
ST_KAFKA_POLL = _b("spark.streaming.kafka.consumer.poll.ms", ST, "2.0.1", """How long an
    executor waits for Kafka records it has been assigned, in ms.""").intConf() \
    .createWithDefault(120000)
ST_RECEIVED_BLOCK_MEMORY = _b("spark.sparklet.streaming.receivedBlockMemory", ST, SPARKLET,
                              """Memory for received blocks on the driver; beyond it blocks
    spill to disk.""").bytesConf("b").createWithDefaultString("256m")
ST_RECEIVER_STOP_TIMEOUT = _b("spark.sparklet.streaming.receiverStopTimeout", ST, SPARKLET,
                              """How long stopping waits for each receiver to stop.""") \
    .timeConf("ms").createWithDefaultString("10s")
ST_HANDSHAKE_TIMEOUT = _b("spark.sparklet.streaming.receiver.handshakeTimeout", ST, SPARKLET,
                          """How long the driver's receiver endpoint waits for a connecting
    receiver to authenticate.""").timeConf("ms").checkValue(_positive, "must be positive") \
    .createWithDefaultString("10s")
ST_MAX_PENDING_HANDSHAKES = _b("spark.sparklet.streaming.receiver.maxPendingHandshakes", ST,
                               SPARKLET, """Connections the receiver endpoint authenticates
    at once; more wait.""").intConf().checkValue(lambda v: v >= 1, "must be at least 1") \
    .createWithDefault(64)
ST_CHECKPOINTS_RETAINED = _b("spark.sparklet.streaming.recovery.checkpoint.retained", ST,
                             SPARKLET, """How many checkpoint files of the newest batches are
    kept.""").intConf().checkValue(_positive, "must be positive").createWithDefault(10)
ST_REBUILD = _b("spark.sparklet.streaming.recovery.rebuildFromSetupFunc", ST, SPARKLET,
                """Recover a checkpointed application by calling its setup function (the
    upgrade path) instead of restoring the saved DStream graph.""").booleanConf() \
    .createWithDefault(False)
ST_MALFORMED = _b("spark.sparklet.streaming.malformedRecords", ST, SPARKLET, """What a
    connector does with a record it cannot decode: `skip` it (and count it) or `fail` the
    batch.""").stringConf().checkValues(("skip", "fail")).createWithDefault("skip")

# -- Streaming Connectors --------------------------------------------------------------

KINESIS_MAX_RECORDS = _b("spark.sparklet.kinesis.maxRecords", CON, SPARKLET, """Records per
    Kinesis GetRecords call (a fifth of `spark.streaming.receiver.maxRate` when lower).""") \
    .intConf().checkValue(_positive, "must be positive").createWithDefault(10000)
KINESIS_FAILOVER = _b("spark.sparklet.kinesis.failoverTime", CON, SPARKLET, """A shard lease
    not renewed for this long is taken over by another receiver (a bare number is
    seconds).""").timeConf("s").createWithDefaultString("10s")
KINESIS_SHARD_SYNC = _b("spark.sparklet.kinesis.shardSyncInterval", CON, SPARKLET, """How
    often the shard list is refreshed.""").timeConf("s").createWithDefaultString("10s")
KINESIS_IDLE = _b("spark.sparklet.kinesis.idleTimeBetweenReads", CON, SPARKLET, """Pause
    between reads of an idle shard.""").timeConf("s").createWithDefaultString("1s")
TWITTER_STALL = _b("spark.sparklet.twitter.stallTimeout", CON, SPARKLET, """Seconds without
    data or keep-alive before the Twitter (X) stream reconnects.""").doubleConf() \
    .checkValue(_positive, "must be positive").createWithDefault(21)
TWITTER_BACKOFF = _b("spark.sparklet.twitter.backoffScale", CON, SPARKLET, """Multiplies the
    Twitter (X) stream's reconnection delays.""").doubleConf() \
    .checkValue(_non_negative, "must not be negative").createWithDefault(1.0)

# -- GraphX ----------------------------------------------------------------------------

PREGEL_CHECKPOINT_INTERVAL = _b("spark.graphx.pregel.checkpointInterval", GX, "2.2.0",
                                """Checkpoint the graph and messages every this many Pregel
    iterations, and the vertex state of the GraphX algorithms every this many rounds
    (needs `sc.setCheckpointDir`); -1 never (the algorithms then checkpoint locally every
    20 rounds).""").intConf().createWithDefault(-1)

# -- Spark properties sparklet accepts and ignores -------------------------------------
# Common settings of Spark components sparklet has no counterpart for: set them freely
# (one configuration for both engines), they change nothing and are not reported.

_IGNORED = (
    ("spark.driver.cores", "1.3.0", "Cores of the driver process in cluster mode."),
    ("spark.driver.maxResultSize", "1.2.0", "Limit of the serialized results of an action."),
    ("spark.driver.memoryOverhead", "2.3.0", "Non-heap memory of the driver in cluster mode."),
    ("spark.driver.extraClassPath", "1.0.0", "Classpath entries of the driver JVM."),
    ("spark.driver.extraJavaOptions", "1.0.0", "JVM options of the driver."),
    ("spark.driver.extraLibraryPath", "1.0.0", "Library path of the driver JVM."),
    ("spark.executor.cores", "1.0.0", "Cores of each executor."),
    ("spark.executor.instances", "1.0.0", "Number of executors (static allocation)."),
    ("spark.executor.memoryOverhead", "2.3.0", "Non-heap memory of each executor."),
    ("spark.executor.extraClassPath", "1.0.0", "Classpath entries of executor JVMs."),
    ("spark.executor.extraJavaOptions", "1.0.0", "JVM options of executors."),
    ("spark.executor.extraLibraryPath", "1.0.0", "Library path of executor JVMs."),
    ("spark.extraListeners", "1.3.0", "JVM listener classes to register."),
    ("spark.logConf", "0.9.0", "Log the effective SparkConf at start."),
    ("spark.submit.deployMode", "1.5.0", "Client or cluster deploy mode."),
    ("spark.jars", "0.9.0", "JARs for the driver and executor classpaths."),
    ("spark.jars.packages", "1.5.0", "Maven coordinates of JARs to resolve."),
    ("spark.pyspark.python", "2.1.0", "Python executable of driver and executors."),
    ("spark.pyspark.driver.python", "2.1.0", "Python executable of the driver."),
    ("spark.python.worker.reuse", "1.2.0", "Reuse Python workers between tasks."),
    ("spark.python.profile", "1.2.0", "Profile Python workers."),
    ("spark.serializer", "0.5.0", "JVM serializer class."),
    ("spark.kryoserializer.buffer.max", "1.4.0", "Largest Kryo serialization buffer."),
    ("spark.kryo.registrationRequired", "1.1.0", "Require Kryo class registration."),
    ("spark.rdd.compress", "0.6.0", "Compress serialized cached partitions."),
    ("spark.io.compression.codec", "0.8.0", "Codec of internal data (shuffle, broadcast)."),
    ("spark.shuffle.compress", "0.6.0", "Compress map output files."),
    ("spark.shuffle.spill.compress", "0.9.0", "Compress data spilled during shuffles."),
    ("spark.shuffle.service.enabled", "1.2.0", "Use the external shuffle service."),
    ("spark.memory.storageFraction", "1.6.0", "Storage memory immune to eviction."),
    ("spark.memory.offHeap.enabled", "1.6.0", "Use off-heap memory."),
    ("spark.memory.offHeap.size", "1.6.0", "Off-heap memory size."),
    ("spark.network.timeout", "1.3.0", "Default timeout of network interactions."),
    ("spark.rpc.message.maxSize", "2.0.0", "Largest RPC message."),
    ("spark.speculation", "0.6.0", "Speculative execution of slow tasks."),
    ("spark.scheduler.mode", "0.8.0", "FIFO or FAIR scheduling of jobs."),
    ("spark.dynamicAllocation.enabled", "1.2.0", "Scale executors with the workload."),
    ("spark.hadoopRDD.ignoreEmptySplits", "2.3.0", "Drop empty input splits (sparklet "
     "always does)."),
    ("spark.sql.adaptive.coalescePartitions.enabled", "3.0.0", "Coalesce shuffle partitions "
     "adaptively."),
    ("spark.sql.autoBroadcastJoinThreshold", "1.1.0", "Largest table broadcast in joins."),
    ("spark.sql.files.maxPartitionBytes", "2.0.0", "Largest partition read from files."),
    ("spark.sql.repl.eagerEval.enabled", "2.4.0", "Eager evaluation of DataFrames in REPLs."),
    ("spark.hadoop.{property}", "1.0.0", "Hadoop configuration properties (`spark.hadoop.` "
     "stripped)."),
)
for _key, _version, _doc in _IGNORED:
    ConfigBuilder(_key).unused().version(_version).doc(_doc).stringConf().createOptional()
