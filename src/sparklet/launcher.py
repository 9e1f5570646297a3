"""``sparklet``: one command for sparklet's tools, by subcommand.

    sparklet history DIR [--host H] [--port P] [--token T]   the history server

Each subcommand is a ``(name, help, add_arguments, run)`` entry of :data:`SUBCOMMANDS`,
its module imported only when it runs, so ``sparklet --help`` stays fast and a tool's
dependencies (the web server's, say) are needed only by that tool. A new tool adds one
entry (``run-example`` is next).
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


SUBCOMMANDS: list[Subcommand] = [
    Subcommand("history", "serve the web UI of applications from their event logs",
               _history_arguments, _history_run),
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
    args = _parser().parse_args(argv)
    return args._run(args)


if __name__ == "__main__":
    sys.exit(main())
