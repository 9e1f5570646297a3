"""``sparklet-submit``: run a Python application with spark-submit's options.

    sparklet-submit --master local[4] --name WordCount --conf spark.executor.memory=2g \\
        --py-files deps.zip --files lookup.csv app.py arg1 arg2

The options become the configuration the application's ``SparkConf()`` starts from, with
spark-submit 4's precedence, highest first: what the program sets on its SparkConf, the
dedicated flags (``--master``, ``--name``, ...), ``--conf``, ``--properties-file``, and
``spark-defaults.conf`` of ``$SPARK_CONF_DIR`` (else ``$SPARK_HOME/conf``) -- which a
``--properties-file`` replaces unless ``--load-spark-defaults`` is given. The application
then runs in this process as ``__main__`` (client deploy mode), and its exit status is
sparklet-submit's. ``docs/deploying.md`` is the guide.
"""

from __future__ import annotations

import os
import re
import runpy
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field

from sparklet.conf import SUBMIT_CONF_ENV, _read_defaults_file

__all__ = ["SubmitArguments", "hand_over", "parse_submit_arguments", "submit_main"]

#: Exit status of a command line sparklet-submit refuses (argparse's convention;
#: spark-submit itself exits 1 after printing its usage).
USAGE_ERROR = 2

USAGE = """\
Usage: sparklet-submit [options] <python file> [app arguments]
Usage: sparklet-submit --version

Options:
  --master MASTER_URL         local, local[N], local[*], local[N,F], local-cluster[N,C,M],
                              dask://HOST:PORT (a Dask cluster) or dask-local[N]
                              (Default: local[*]; see --num-executors).
  --deploy-mode DEPLOY_MODE   "client" only: the driver runs in this process.
  --name NAME                 The application's name (Default: the file's name).
  --py-files PY_FILES         Comma-separated .py, .zip or .egg files (or folders) put on
                              sys.path of the driver and of every executor.
  --files FILES               Comma-separated files copied to every executor (and the
                              driver); SparkFiles.get(name) gives a copy's path.
  --archives ARCHIVES         Comma-separated archives (.zip, .jar, .tar, .tar.gz, .tgz)
                              unpacked on every executor (and the driver) into a directory
                              SparkFiles.get(name) finds; "data.zip#name" names it.
  --conf, -c PROP=VALUE       A Spark configuration property; repeatable.
  --properties-file FILE      A file of properties to load instead of
                              $SPARK_CONF_DIR/spark-defaults.conf.
  --load-spark-defaults       Load spark-defaults.conf too when --properties-file is given
                              (its values lose to the file's).
  --driver-memory MEM         spark.driver.memory (e.g. 1000M, 2G).
  --driver-cores NUM          spark.driver.cores.
  --executor-memory MEM       spark.executor.memory (e.g. 1000M, 2G).
  --executor-cores NUM        spark.executor.cores.
  --total-executor-cores NUM  spark.cores.max.
  --num-executors NUM         spark.executor.instances.
                              Without a master, these pick one: --num-executors or
                              --executor-cores run local-cluster[N,C,MEM] (N executors,
                              default 2, of C cores, default 1, and --executor-memory MiB,
                              default 1024), --total-executor-cores alone local[NUM]. With
                              "--master dask-local", --num-executors is its worker count.
  --supervise                 Restart the application when it exits with a non-zero status
                              (a streaming application using StreamingContext.getOrCreate
                              resumes from its checkpoint). SIGTERM stops it for good.
  --verbose, -v               Print the parsed arguments and the properties used.
  --version                   Print sparklet's version and exit.
  --help, -h                  Show this message and exit.

Environment: $SPARK_CONF_DIR (default $SPARK_HOME/conf) holds spark-defaults.conf and
spark-env.sh; spark-env.sh's KEY=VALUE lines are loaded into the application's environment
(read, not run by a shell). MASTER, DEPLOY_MODE, SPARK_DRIVER_MEMORY and
SPARK_EXECUTOR_MEMORY are used when no flag or property sets those values.
"""

# Options taking a value, by flag (aliases included), and the switches.
_VALUE_OPTIONS = {
    "--master": "master", "--deploy-mode": "deploy_mode", "--name": "name",
    "--py-files": "py_files", "--files": "files", "--archives": "archives",
    "--conf": "conf", "-c": "conf", "--properties-file": "properties_file",
    "--driver-memory": "driver_memory", "--driver-cores": "driver_cores",
    "--executor-memory": "executor_memory", "--executor-cores": "executor_cores",
    "--total-executor-cores": "total_executor_cores", "--num-executors": "num_executors",
}
_SWITCHES = {
    "--supervise": "supervise", "--verbose": "verbose", "-v": "verbose",
    "--load-spark-defaults": "load_spark_defaults", "--help": "help", "-h": "help",
    "--version": "version",
}
# Dedicated flags and the property each sets (over --conf, as spark-submit's OptionAssigner).
_FLAG_PROPERTIES = (
    ("deploy_mode", "spark.submit.deployMode"), ("name", "spark.app.name"),
    ("driver_memory", "spark.driver.memory"), ("driver_cores", "spark.driver.cores"),
    ("executor_memory", "spark.executor.memory"), ("executor_cores", "spark.executor.cores"),
    ("total_executor_cores", "spark.cores.max"),
    ("num_executors", "spark.executor.instances"),
)
# Environment variables spark-submit falls back on, below every property.
_ENV_FALLBACKS = (("MASTER", "spark.master"), ("DEPLOY_MODE", "spark.submit.deployMode"),
                  ("SPARK_DRIVER_MEMORY", "spark.driver.memory"),
                  ("SPARK_EXECUTOR_MEMORY", "spark.executor.memory"))
_REDACT = re.compile(r"(?i)secret|password|token|access[.]?key")
# Set by a supervising sparklet-submit for each run it starts: 1, 2, ...
_SUPERVISED_ENV = "SPARKLET_SUBMIT_ATTEMPT"


class UsageError(Exception):
    """A command line sparklet-submit refuses; the message follows "Error: "."""


@dataclass
class SubmitArguments:
    """A parsed ``sparklet-submit`` command line (see :func:`parse_submit_arguments`)."""

    master: str | None = None
    deploy_mode: str | None = None
    name: str | None = None
    py_files: str | None = None
    files: str | None = None
    archives: str | None = None
    conf: list[str] = field(default_factory=list)
    properties_file: str | None = None
    driver_memory: str | None = None
    driver_cores: str | None = None
    executor_memory: str | None = None
    executor_cores: str | None = None
    total_executor_cores: str | None = None
    num_executors: str | None = None
    supervise: bool = False
    verbose: bool = False
    load_spark_defaults: bool = False
    help: bool = False
    version: bool = False
    #: the application's file (spark-submit's "primary resource") and its arguments
    app: str | None = None
    app_args: list[str] = field(default_factory=list)


def parse_submit_arguments(argv: list[str]) -> SubmitArguments:
    """Parse spark-submit style options up to the application file; everything after the
    file is the application's. ``--opt value`` and ``--opt=value`` both work.

    >>> a = parse_submit_arguments(["--master", "local[2]", "-c", "spark.x=1",
    ...                             "--conf=spark.y=2", "app.py", "--master", "in"])
    >>> a.master, a.conf, a.app, a.app_args
    ('local[2]', ['spark.x=1', 'spark.y=2'], 'app.py', ['--master', 'in'])
    >>> parse_submit_arguments(["--foo", "app.py"])
    Traceback (most recent call last):
    ...
    sparklet.cli.UsageError: Unrecognized option: --foo
    """
    args = SubmitArguments()
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if not arg.startswith("-") or arg == "-":
            args.app, args.app_args = arg, list(argv[i:])
            break
        if arg == "--":  # the application file follows, whatever it looks like
            if i < len(argv):
                args.app, args.app_args = argv[i], list(argv[i + 1:])
            break
        flag, eq, inline = arg.partition("=")
        if flag in _VALUE_OPTIONS:
            if eq:
                value = inline
            elif i < len(argv):
                value, i = argv[i], i + 1
            else:
                raise UsageError("Missing argument for option '%s'." % flag)
            dest = _VALUE_OPTIONS[flag]
            if dest == "conf":
                args.conf.append(value)
            else:
                setattr(args, dest, value)
        elif arg in _SWITCHES:
            setattr(args, _SWITCHES[arg], True)
            if arg in ("--help", "-h", "--version"):
                break  # as spark-submit: print and exit, whatever follows
        else:
            raise UsageError("Unrecognized option: %s" % arg)
    return args


def _default_properties_file(environ) -> str | None:
    """``spark-defaults.conf`` of $SPARK_CONF_DIR, else of $SPARK_HOME/conf (Spark's
    Utils.getDefaultPropertiesFile), if it is a file."""
    conf_dir = _conf_dir(environ)
    path = os.path.join(conf_dir, "spark-defaults.conf") if conf_dir else None
    return os.path.abspath(path) if path and os.path.isfile(path) else None


def _conf_dir(environ) -> str | None:
    if environ.get("SPARK_CONF_DIR"):
        return environ["SPARK_CONF_DIR"]
    if environ.get("SPARK_HOME"):
        return os.path.join(environ["SPARK_HOME"], "conf")
    return None


def read_env_file(path: str) -> dict[str, str]:
    """The variables of a ``spark-env.sh``: ``KEY=VALUE`` lines, optionally after ``export``,
    ``#`` comments and blank lines skipped. Single quotes keep a value as written; in double
    quotes or none, ``$VAR`` and ``${VAR}`` are expanded (from the file's earlier lines, then
    the environment). The file is read, not run: commands and conditionals are ignored.

    >>> import tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "spark-env.sh")
    >>> _ = open(path, "w").write("# comment\\nexport A=1\\nB='$A x'\\nC=\\"${A}2\\"\\nif true\\n")
    >>> read_env_file(path)
    {'A': '1', 'B': '$A x', 'C': '12'}
    """
    found: dict[str, str] = {}

    def expand(text: str) -> str:
        return re.sub(r"\$(?:\{(\w+)\}|(\w+))",
                      lambda m: found.get(m.group(1) or m.group(2),
                                          os.environ.get(m.group(1) or m.group(2), "")), text)

    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.strip()
            if line.startswith("export "):
                line = line[len("export "):].strip()
            m = re.fullmatch(r"([A-Za-z_]\w*)=(.*)", line)
            if m is None:
                continue
            key, value = m.group(1), m.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] == "'":
                found[key] = value[1:-1]
                continue
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            else:
                value = value.split(" #", 1)[0].strip()
            found[key] = expand(value)
    return found


def load_spark_env(environ) -> str | None:
    """Load ``$SPARK_CONF_DIR/spark-env.sh`` into ``environ`` once (as Spark's
    load-spark-env.sh, guarded by SPARK_ENV_LOADED); returns the file loaded."""
    if environ.get("SPARK_ENV_LOADED"):
        return None
    environ["SPARK_ENV_LOADED"] = "1"
    conf_dir = _conf_dir(environ)
    path = os.path.join(conf_dir, "spark-env.sh") if conf_dir else None
    if not path or not os.path.isfile(path):
        return None
    environ.update(read_env_file(path))
    return path


def _local_paths(value: str | None, option: str) -> list[str]:
    """A comma-separated list of files as absolute paths (URLs with a scheme kept, and an
    archive's ``#name``); a local file that does not exist is a usage error."""
    paths = []
    for item in filter(None, (p.strip() for p in (value or "").split(","))):
        target, _, alias = item.partition("#") if option == "--archives" else (item, "", "")
        if re.match(r"^[a-zA-Z][\w+.-]*://", target):
            paths.append(item)
            continue
        target = os.path.abspath(target.removeprefix("file:"))
        if not os.path.exists(target):
            raise UsageError("%s: no such file: %s" % (option, item))
        paths.append(target + ("#" + alias if alias else ""))
    return paths


def _pick_master(args: SubmitArguments, props: dict[str, str]) -> str | None:
    """The master the executor flags stand for when no master was set (see USAGE)."""
    master = props.get("spark.master")
    if master is not None:
        if master.strip() == "dask-local" and args.num_executors:
            return "dask-local[%d]" % int(args.num_executors)
        return None
    if args.num_executors or args.executor_cores:
        from sparklet.util import parse_mebibytes

        cores = int(args.executor_cores or 1)
        executors = int(args.num_executors or 2)
        if args.total_executor_cores:
            executors = max(1, min(executors, int(args.total_executor_cores) // cores))
        memory = parse_mebibytes(args.executor_memory) if args.executor_memory else 1024
        return "local-cluster[%d,%d,%d]" % (executors, cores, memory)
    if args.total_executor_cores:
        return "local[%d]" % int(args.total_executor_cores)
    return None


@dataclass
class Submission:
    """What sparklet-submit resolved: the properties, the files they were read from (the
    last one given in --verbose) and the non-spark keys dropped."""

    properties: dict[str, str]
    properties_file: str | None
    loaded_files: list[str]
    ignored: list[str]


def resolve_properties(args: SubmitArguments, environ) -> Submission:
    """The application's properties, from the command line, the properties files and the
    environment, with spark-submit 4's precedence (later sources overwrite earlier ones)."""
    for option in ("--driver-cores", "--executor-cores", "--total-executor-cores",
                   "--num-executors"):
        value = getattr(args, _VALUE_OPTIONS[option])
        if value is not None and not (value.isdigit() and int(value) > 0):
            raise UsageError("%s expects a positive number, got %r" % (option, value))
    props: dict[str, str] = {}
    loaded: list[str] = []
    defaults = _default_properties_file(environ)
    if args.properties_file is None or args.load_spark_defaults:
        if defaults:
            props.update(_read_defaults_file(defaults))
            loaded.append(defaults)
    if args.properties_file is not None:
        path = os.path.abspath(args.properties_file)
        if not os.path.isfile(path):
            raise UsageError("Properties file %s does not exist" % args.properties_file)
        props.update(_read_defaults_file(path))
        loaded.append(path)
    for item in args.conf:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError("Spark config without '=': %s (--conf expects KEY=VALUE)" % item)
        props[key] = value
    for dest, key in _FLAG_PROPERTIES:
        value = getattr(args, dest)
        if value is not None:
            props[key] = value
    if args.master is not None:
        props["spark.master"] = args.master
    ignored = [k for k in props if not k.startswith("spark.")]
    for key in ignored:
        del props[key]
    for var, key in _ENV_FALLBACKS:
        if environ.get(var) and key not in props:
            props[key] = environ[var]
    master = _pick_master(args, props)
    if master is not None:
        props["spark.master"] = master
    props.setdefault("spark.master", "local[*]")
    deploy_mode = props.setdefault("spark.submit.deployMode", "client")
    if deploy_mode not in ("client", "cluster"):
        raise UsageError('--deploy-mode must be either "client" or "cluster"')
    if deploy_mode == "cluster":
        master = props["spark.master"]
        if master.startswith("local"):
            raise UsageError('Cluster deploy mode is not compatible with master "local"')
        raise UsageError('Cluster deploy mode is not supported for master "%s": '
                         "sparklet-submit runs the driver in its own process" % master)
    if args.app is not None:
        props.setdefault("spark.app.name", os.path.basename(args.app))
    for option, key in (("--py-files", "spark.submit.pyFiles"), ("--files", "spark.files"),
                        ("--archives", "spark.archives")):
        value = getattr(args, option[2:].replace("-", "_"))
        if value is not None:
            props[key] = ",".join(_local_paths(value, option))
    if args.supervise:
        props["spark.driver.supervise"] = "true"
    if (props["spark.master"].startswith("dask-local")
            and "spark.executor.memory" in props):
        from sparklet.util import parse_mebibyte_size

        # A Dask worker's memory limit is its executor memory (Dask reads "2g" as 10^9; a
        # bare number of spark.executor.memory is MiB, as everywhere else).
        props.setdefault("spark.dask.cluster.memory_limit",
                         str(parse_mebibyte_size(props["spark.executor.memory"])))
    return Submission(props, loaded[-1] if loaded else None, loaded, ignored)


def _redacted(key: str, value: str) -> str:
    return "*********(redacted)" if _REDACT.search(key) else value


def _print_verbose(args: SubmitArguments, sub: Submission, env_file: str | None) -> None:
    out = sys.stderr
    print("Using properties file: %s" % (sub.properties_file or "null"), file=out)
    if env_file:
        print("Loaded environment file: %s" % env_file, file=out)
    rows = [("master", sub.properties.get("spark.master")),
            ("deployMode", sub.properties.get("spark.submit.deployMode")),
            ("executorMemory", sub.properties.get("spark.executor.memory")),
            ("executorCores", sub.properties.get("spark.executor.cores")),
            ("totalExecutorCores", sub.properties.get("spark.cores.max")),
            ("propertiesFile", sub.properties_file),
            ("driverMemory", sub.properties.get("spark.driver.memory")),
            ("driverCores", sub.properties.get("spark.driver.cores")),
            ("supervise", str(args.supervise).lower()),
            ("numExecutors", sub.properties.get("spark.executor.instances")),
            ("files", sub.properties.get("spark.files")),
            ("pyFiles", sub.properties.get("spark.submit.pyFiles")),
            ("archives", sub.properties.get("spark.archives")),
            ("primaryResource", os.path.abspath(args.app) if args.app else None),
            ("name", sub.properties.get("spark.app.name")),
            ("childArgs", "[%s]" % " ".join(args.app_args)),
            ("verbose", str(args.verbose).lower())]
    print("Parsed arguments:", file=out)
    for label, value in rows:
        print("  %-24s%s" % (label, "null" if value is None else value), file=out)
    print("\nSpark properties used, including those specified through\n --conf and those "
          "from the properties file %s:" % (sub.properties_file or "null"), file=out)
    for key in sorted(sub.properties):
        print("  (%s,%s)" % (key, _redacted(key, sub.properties[key])), file=out)
    for key in sub.ignored:
        print("Warning: Ignoring non-Spark config property: %s" % key, file=out)
    print("\nMain Python file:\n  %s\nArguments:" % os.path.abspath(args.app), file=out)
    for arg in args.app_args:
        print("  %s" % arg, file=out)
    print(file=out, flush=True)


def _print_version() -> None:
    import platform

    from sparklet import __version__
    from sparklet.context import __version__ as api_level

    print("sparklet version %s" % __version__)
    print("PySpark API level %s" % api_level)
    print("Using Python version %s (%s)" % (platform.python_version(),
                                             platform.python_implementation()))
    print("Type --help for more information.")


def _usage_error(message: str, usage: str = USAGE) -> int:
    print("Error: %s\n" % message, file=sys.stderr)
    print(usage, file=sys.stderr, end="")
    return USAGE_ERROR


def _exit_status(e: SystemExit) -> int:
    """The status Python itself would exit with for ``e``."""
    if e.code is None:
        return 0
    if isinstance(e.code, int):
        return e.code
    print(e.code, file=sys.stderr)
    return 1


def hand_over(props: dict[str, str]) -> None:
    """Make ``props`` what this process's ``SparkConf()`` loads, and put the
    ``--py-files`` on the driver's path (for the application, or the shell)."""
    os.environ[SUBMIT_CONF_ENV] = "\n".join("%s=%s" % kv for kv in props.items())
    for path in filter(None, props.get("spark.submit.pyFiles", "").split(",")):
        if "://" in path:
            continue  # fetched by the SparkContext (addPyFile), put on the path then
        # A .py file is importable from its folder; zips, eggs and folders go on as they are.
        sys.path.insert(0, os.path.dirname(path) if path.endswith(".py") else path)


def _run_application(args: SubmitArguments, props: dict[str, str]) -> int:
    hand_over(props)
    app = os.path.abspath(args.app)
    sys.path.insert(0, os.path.dirname(app))
    sys.argv = [app, *args.app_args]
    try:
        runpy.run_path(app, run_name="__main__")
    except SystemExit as e:
        return _exit_status(e)
    except KeyboardInterrupt as e:
        _print_traceback(e)
        return 128 + signal.SIGINT
    except BaseException as e:  # noqa: BLE001 - the application's uncaught error
        _print_traceback(e)
        return 1
    return 0


def _print_traceback(e: BaseException) -> None:
    """``e``'s traceback as ``python app.py`` prints it: from the application's frames."""
    tb = e.__traceback__
    ours = (__file__, runpy.__file__, "<frozen runpy>")
    while tb is not None and tb.tb_frame.f_code.co_filename in ours:
        tb = tb.tb_next
    traceback.print_exception(type(e), e, tb)


def _supervise(argv: list[str], app_index: int) -> int:
    """Run the application in a child sparklet-submit until it exits with status 0,
    restarting it after a failure
    with Spark's driver-supervision back-off: 1 s, doubling while runs keep failing within
    5 s of their start. SIGTERM is passed on to the application (which may stop gracefully)
    and ends the supervision; so does SIGINT, which a terminal sends to both processes."""
    # The same command line less --supervise and --verbose (printed once, here), among the
    # options only: the application's own arguments are passed as they are.
    options, rest = argv[:app_index], argv[app_index:]
    child_argv = [a for a in options if a not in ("--supervise", "--verbose", "-v")] + rest
    command = [sys.executable, "-m", "sparklet.cli", *child_argv]
    # The child imports this sparklet, wherever this process found it.
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {"PYTHONPATH": os.pathsep.join(
        p for p in (package_root, os.environ.get("PYTHONPATH")) if p)}
    stopping = False
    child: subprocess.Popen | None = None

    def forward(signum, frame):
        nonlocal stopping
        stopping = True
        if signum == signal.SIGTERM and child is not None and child.poll() is None:
            child.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    attempt, wait = 0, 1.0
    try:
        while True:
            attempt += 1
            started = time.monotonic()
            child = subprocess.Popen(command, env={**os.environ, **env,
                                                   _SUPERVISED_ENV: str(attempt)})
            status = child.wait()
            if status == 0 or stopping:
                return status if status >= 0 else 128 - status
            if time.monotonic() - started > 5:
                wait = 1.0
            how = ("was killed by signal %d (%s)" % (-status, signal.Signals(-status).name)
                   if status < 0 else "exited with status %d" % status)
            print("sparklet-submit: the application %s; re-launching it after %g s "
                  "(attempt %d)" % (how, wait, attempt + 1), file=sys.stderr, flush=True)
            time.sleep(wait)
            if stopping:
                return status if status >= 0 else 128 - status
            wait *= 2
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def submit_main(argv: list[str] | None = None) -> int:
    """Run ``sparklet-submit`` with ``argv`` (default: the command line); returns the exit
    status: the application's, 0 for --help and --version, 2 for a refused command line."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parse_submit_arguments(argv)
    except UsageError as e:
        return _usage_error(str(e))
    if args.help:
        print(USAGE, end="")
        return 0
    if args.version:
        _print_version()
        return 0
    if args.app is None:
        return _usage_error("Must specify a primary resource (a Python file)")
    env_file = load_spark_env(os.environ)
    try:
        submission = resolve_properties(args, os.environ)
    except (UsageError, ValueError) as e:
        return _usage_error(str(e))
    if not os.path.isfile(args.app):
        return _usage_error("No such application file: %s" % args.app)
    if args.verbose:
        _print_verbose(args, submission, env_file)
    if args.supervise:  # (the supervised run's command line has no --supervise)
        return _supervise(argv, len(argv) - len(args.app_args) - 1)
    return _run_application(args, submission.properties)


def main() -> None:
    sys.exit(submit_main())


if __name__ == "__main__":
    main()
