"""``sparklet-submit``: run an application with Spark's submit options, like spark-submit.

    sparklet-submit --master local[4] --name WordCount --conf spark.executor.memory=2g \\
        --py-files deps.zip app.py arg1 arg2

Options become configuration the application's ``SparkConf()`` picks up (over
``spark-defaults.conf``, under values the program sets itself, as in Spark); the
application then runs in this process as ``__main__``.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys

from sparklet.conf import SUBMIT_CONF_ENV

__all__ = ["submit_main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sparklet-submit",
                                description="Run a sparklet (PySpark-style) application.")
    p.add_argument("--master", help="local, local[N], local[*], local[N,F], "
                   "dask://HOST:PORT (a Dask cluster), dask-local[N]")
    p.add_argument("--name", help="application name (spark.app.name)")
    p.add_argument("--conf", "-c", action="append", default=[], metavar="KEY=VALUE",
                   help="a Spark configuration property; repeatable")
    p.add_argument("--py-files", default="",
                   help="comma-separated .py/.zip/.egg files put on the import path")
    p.add_argument("--executor-memory", help="spark.executor.memory (e.g. 2g)")
    p.add_argument("--driver-memory", help="spark.driver.memory (recorded only)")
    p.add_argument("--properties-file", help="a spark-defaults.conf-style file")
    p.add_argument("app", help="the application's Python file")
    p.add_argument("app_args", nargs=argparse.REMAINDER, help="arguments for the application")
    return p


def submit_main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    pairs: list[str] = []
    if args.properties_file:
        from sparklet.conf import _read_defaults_file

        pairs += ["%s=%s" % kv for kv in _read_defaults_file(args.properties_file)]
    for item in args.conf:
        key, sep, value = item.partition("=")
        if not sep or not key:
            print("sparklet-submit: --conf expects KEY=VALUE, got %r" % item, file=sys.stderr)
            return 2
        pairs.append("%s=%s" % (key, value))
    for key, value in (("spark.master", args.master), ("spark.app.name", args.name),
                       ("spark.executor.memory", args.executor_memory),
                       ("spark.driver.memory", args.driver_memory),
                       ("spark.submit.pyFiles", args.py_files or None)):
        if value:
            pairs.append("%s=%s" % (key, value))
    os.environ[SUBMIT_CONF_ENV] = "\n".join(pairs)
    for path in filter(None, args.py_files.split(",")):
        path = os.path.abspath(path)
        # A .py file is importable from its folder; zips, eggs and folders go on as they are.
        sys.path.insert(0, os.path.dirname(path) if path.endswith(".py") else path)
    app = os.path.abspath(args.app)
    if not os.path.isfile(app):
        print("sparklet-submit: no such application file: %s" % args.app, file=sys.stderr)
        return 2
    sys.path.insert(0, os.path.dirname(app))
    sys.argv = [app, *args.app_args]
    runpy.run_path(app, run_name="__main__")
    return 0


def main() -> None:
    sys.exit(submit_main())


if __name__ == "__main__":
    main()
