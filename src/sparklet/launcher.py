"""``sparklet``: one command for sparklet's tools, by subcommand.

    sparklet history DIR [--host H] [--port P] [--token T]   the history server
    sparklet run-example [submit options] NAME [args]        a bundled example

Each subcommand is a ``(name, help, add_arguments, run)`` entry of :data:`SUBCOMMANDS`,
its module imported only when it runs, so ``sparklet --help`` stays fast and a tool's
dependencies (the web server's, say) are needed only by that tool. A new tool adds one
entry.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NamedTuple

__all__ = ["SUBCOMMANDS", "Subcommand", "main"]


class Subcommand(NamedTuple):
    name: str
    help: str
    #: adds the subcommand's options to its parser
    add_arguments: Callable[[argparse.ArgumentParser], object]
    #: runs it with the parsed options; returns the exit status
    run: Callable[[argparse.Namespace], int]


def _history_arguments(p: argparse.ArgumentParser) -> object:
    from sparklet.ui.history import add_arguments

    return add_arguments(p)


def _history_run(args: argparse.Namespace) -> int:
    from sparklet.ui.history import run

    return run(args)


def examples_dirs() -> list[str]:
    """Where bundled examples are looked for, first match wins: ``$SPARKLET_EXAMPLES_DIR``,
    ``examples/`` inside the installed package, then the source checkout's ``examples/``
    (the package is ``<repo>/src/sparklet``) and ``$SPARK_HOME/examples``."""
    import os

    package = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("SPARKLET_EXAMPLES_DIR"), os.path.join(package, "examples"),
                  os.path.join(os.path.dirname(os.path.dirname(package)), "examples"),
                  os.path.join(os.environ["SPARK_HOME"], "examples")
                  if os.environ.get("SPARK_HOME") else None]
    return [c for c in candidates if c and os.path.isdir(c)]


def list_examples() -> dict[str, str]:
    """The bundled examples, by name (``streaming.network_word_count``) -> file.

    >>> "wordcount" in list_examples() and "streaming.network_word_count" in list_examples()
    True
    """
    import os

    found: dict[str, str] = {}
    for root in examples_dirs():
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
            for name in sorted(files):
                if name.endswith(".py") and not name.startswith("_"):
                    rel = os.path.relpath(os.path.join(folder, name[:-3]), root)
                    found.setdefault(rel.replace(os.sep, "."), os.path.join(folder, name))
    return found


def _example_name(name: str) -> str:
    """``streaming/network_word_count.py``, ``streaming.network_word_count`` and Spark's
    ``org.apache.spark.examples.streaming.NetworkWordCount`` -> the example's name."""
    import re

    name = name.removesuffix(".py").replace("/", ".").replace("\\", ".")
    name = name.removeprefix("org.apache.spark.examples.")
    *package, last = name.split(".")
    # Spark's class names (JavaWordCount, NetworkWordCount) -> the files' snake_case.
    last = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", last.removeprefix("Java")).lower()
    return ".".join([*package, last])


_RUN_EXAMPLE_USAGE = """\
usage: sparklet run-example [submit options] NAME [example arguments]
       sparklet run-example --list

Runs a bundled example (see --list) with sparklet-submit: NAME as Spark's run-example takes
it (streaming.network_word_count, streaming/network_word_count.py or
org.apache.spark.examples.streaming.NetworkWordCount); the options before it are
sparklet-submit's (sparklet-submit --help). An unknown NAME lists the examples (status 2).
"""


def _examples_arguments(p: argparse.ArgumentParser) -> object:
    # For `sparklet --help` only: main() hands run-example its arguments unparsed, since
    # they are sparklet-submit's options, which argparse cannot parse spark-submit's way.
    p.usage = _RUN_EXAMPLE_USAGE.splitlines()[0][len("usage: "):]
    return p


def _examples_run(args: argparse.Namespace) -> int:
    from sparklet.cli import UsageError, parse_submit_arguments, submit_main

    examples = list_examples()
    argv = args.argv
    if argv[:1] == ["--list"]:
        print("\n".join(sorted(examples)))
        return 0
    if argv[:1] in (["--help"], ["-h"]):
        print(_RUN_EXAMPLE_USAGE, end="")
        return 0
    try:
        parsed = parse_submit_arguments(argv)
    except UsageError as e:
        print("sparklet run-example: %s" % e, file=sys.stderr)
        return 2
    if parsed.help or parsed.version:
        return submit_main(argv)
    wanted = _example_name(parsed.app) if parsed.app else None
    if not examples:
        print("sparklet run-example: no examples found in %s (set SPARKLET_EXAMPLES_DIR)"
              % " or ".join(examples_dirs() or ["examples/"]), file=sys.stderr)
        return 2
    if wanted not in examples:
        print("sparklet run-example: %s; the examples are:\n  %s" % (
            "unknown example %r" % parsed.app if parsed.app else "no example named",
            "\n  ".join(sorted(examples))), file=sys.stderr)
        return 2
    index = len(argv) - len(parsed.app_args) - 1
    return submit_main([*argv[:index], examples[wanted], *parsed.app_args])


SUBCOMMANDS: list[Subcommand] = [
    Subcommand("history", "serve the web UI of applications from their event logs",
               _history_arguments, _history_run),
    Subcommand("run-example", "run one of sparklet's bundled examples with sparklet-submit",
               _examples_arguments, _examples_run),
]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sparklet", description="sparklet's tools.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for cmd in SUBCOMMANDS:
        cmd_parser = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help)
        cmd.add_arguments(cmd_parser)
        cmd_parser.set_defaults(_run=cmd.run)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sparklet`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["run-example"]:
        return _examples_run(argparse.Namespace(argv=argv[1:]))
    args = _parser().parse_args(argv)
    return args._run(args)


if __name__ == "__main__":
    sys.exit(main())
