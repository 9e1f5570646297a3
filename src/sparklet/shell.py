"""``sparklet-shell``: an interactive Python shell with ``sc`` and ``spark`` ready, like
``bin/pyspark``.

    sparklet-shell --master local[4] --name Explore --conf spark.ui.port=4050

It takes sparklet-submit's options (all but the application), starts a SparkContext
(``sc``) and, when the ``sql`` extra is installed, a SparkSession (``spark``), prints
PySpark's banner with sparklet's logo, runs the file ``$PYTHONSTARTUP`` names in the
shell's namespace (as ``bin/pyspark`` runs the user's own start-up file after its own), and
hands over to IPython when it is installed, else to Python's own console with readline's
line editing and tab completion. Leaving it (``exit()``, Ctrl-D) stops the context.
"""

from __future__ import annotations

import builtins
import code
import os
import platform
import sys
import traceback
import types
from typing import Any

__all__ = ["banner", "main", "shell_main"]

#: ``sc.appName`` in the shell without ``--name``, as in PySpark's
APP_NAME = "PySparkShell"

# sparklet in the slanted letters of PySpark's "Spark" logo
_LOGO = r"""Welcome to
                        __    __     __
     ___ ___  ___ _____/ /__ / /__  / /_
    (_-</ _ \/ _ `/ __/  '_// / -_)/ __/
   /___/ .__/\_,_/_/ /_/\_\/_/\__/ \__/   version %s
      /_/
"""

_LOG_LEVEL_HINT = ('Setting default log level to "%s".\n'
                   "To adjust logging level use sc.setLogLevel(newLevel).")


def _usage() -> str:
    """sparklet-submit's options, less the application, plus the shell's own."""
    from sparklet.cli import USAGE

    options = USAGE[USAGE.index("Options:"):]
    options = options.replace("Options:\n", "Options:\n  --python-console            "
                              "Python's own console even when IPython is installed.\n", 1)
    return "Usage: sparklet-shell [options]\n\n" + options


def banner(sc: Any, session_note: str) -> str:
    """The lines the shell prints once ``sc`` runs: logo, versions, the UI, the variables.

    >>> class FakeContext:
    ...     master, applicationId, uiWebUrl = "local[2]", "local-1", "http://127.0.0.1:4040"
    >>> print(banner(FakeContext(), "SparkSession available as 'spark'."))
    Welcome to
    ...   version ...
          /_/
    <BLANKLINE>
    Using Python version ...
    Spark context Web UI available at http://127.0.0.1:4040
    Spark context available as 'sc' (master = local[2], app id = local-1).
    SparkSession available as 'spark'.
    """
    import sparklet
    from sparklet.context import __version__ as api_version

    build = platform.python_build()
    lines = [_LOGO % ("%s (the PySpark %s API)" % (sparklet.__version__, api_version)),
             "Using Python version %s (%s, %s)" % (platform.python_version(), *build)]
    if sc.uiWebUrl:
        lines.append("Spark context Web UI available at %s" % sc.uiWebUrl)
    else:
        lines.append("Spark context Web UI not started (spark.ui.enabled is false or the "
                     "'ui' extra is missing: pip install 'sparklet[ui]')")
    lines.append("Spark context available as 'sc' (master = %s, app id = %s)."
                 % (sc.master, sc.applicationId))
    lines.append(session_note)
    return "\n".join(lines)


def _session() -> tuple[Any, str]:
    """``spark`` and the banner's line about it; None when the ``sql`` extra is missing."""
    try:
        from sparklet.sql import SparkSession

        spark = SparkSession.builder.getOrCreate()
    except ImportError as e:
        return None, "SparkSession not available (%s)" % e
    return spark, "SparkSession available as 'spark'."


def _run_startup_file(namespace: dict[str, Any]) -> None:
    """``$PYTHONSTARTUP`` in the shell's namespace; an error in it is shown, as Python
    shows one, and the shell starts anyway."""
    path = os.environ.get("PYTHONSTARTUP")
    if not path or not os.path.isfile(path):
        return
    try:
        with open(path, encoding="utf-8") as fh:
            exec(compile(fh.read(), path, "exec"), namespace)
    except Exception:  # noqa: BLE001 - any error of the user's file, reported
        traceback.print_exc()


def _enable_readline(namespace: dict[str, Any]) -> None:
    try:
        import readline
        import rlcompleter
    except ImportError:  # Windows without pyreadline: plain line input
        return
    readline.set_completer(rlcompleter.Completer(namespace).complete)
    if "libedit" in (readline.__doc__ or ""):
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")


def _ipython():
    try:
        import IPython
    except ImportError:
        return None
    return IPython


def _interact(namespace: dict[str, Any], ipython) -> None:
    if ipython is not None:
        # IPython runs $PYTHONSTARTUP itself (its exec_PYTHONSTARTUP).
        ipython.start_ipython(argv=[], user_ns=namespace, display_banner=False)
        return
    _run_startup_file(namespace)
    _enable_readline(namespace)
    code.InteractiveConsole(namespace).interact(banner="", exitmsg="")


def _main_namespace() -> dict[str, Any]:
    """A fresh ``__main__`` for the user's code: functions defined in the shell are then
    ``__main__``'s, which cloudpickle ships by value, and none of this module's names show."""
    module = types.ModuleType("__main__")
    module.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = module
    return module.__dict__


def shell_main(argv: list[str] | None = None) -> int:
    """Run the shell with command-line ``argv``; the exit status."""
    from sparklet import cli

    argv = list(sys.argv[1:] if argv is None else argv)
    python_console = "--python-console" in argv
    argv = [a for a in argv if a != "--python-console"]
    try:
        args = cli.parse_submit_arguments(argv)
        if args.app is not None:
            raise cli.UsageError("sparklet-shell takes no application file (got %s); run "
                                 "one with sparklet-submit" % args.app)
        if args.help:
            print(_usage(), end="")
            return 0
        if args.version:
            cli._print_version()
            return 0
        cli.load_spark_env(os.environ)
        props = cli.resolve_properties(args, os.environ).properties
    except (cli.UsageError, ValueError) as e:
        return cli._usage_error(str(e), _usage())
    props.setdefault("spark.app.name", APP_NAME)
    cli.hand_over(props)
    ipython = None if python_console else _ipython()
    if ipython is None:
        print('Python %s on %s\nType "help", "copyright", "credits" or "license" for more '
              "information." % (sys.version, sys.platform))
    namespace = _main_namespace()
    from sparklet import SparkConf, SparkContext, StorageLevel, logging_setup

    try:
        sc = SparkContext()
    except Exception:  # noqa: BLE001 - a bad --master or --conf: say why, exit 1
        traceback.print_exc()
        return 1
    spark = None
    try:
        if logging_setup.default_level_applied:
            sys.stdout.flush()  # after Python's banner, as in a terminal
            print(_LOG_LEVEL_HINT % logging_setup.DEFAULT_LEVEL, file=sys.stderr)
        if sc.getConf().get("spark.log.level"):  # applied over the default, as Spark says
            print('Setting Spark log level to "%s".' % sc.getConf().get("spark.log.level")
                  .upper(), file=sys.stderr)
        spark, session_note = _session()
        namespace.update(sc=sc, spark=spark, SparkContext=SparkContext, SparkConf=SparkConf,
                         StorageLevel=StorageLevel)
        if spark is None:
            del namespace["spark"]
        print(banner(sc, session_note))
        sys.stdout.flush()
        _interact(namespace, ipython)
    finally:
        if spark is not None:
            spark.stop()
        sc.stop()
    return 0


def main() -> None:
    """Entry point of the ``sparklet-shell`` console script."""
    sys.exit(shell_main())


if __name__ == "__main__":
    main()
