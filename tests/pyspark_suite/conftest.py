"""Keep ``make test`` out of this folder: it is the PySpark peer suite's shim, run by
``run.py`` (``make test-pyspark``) with the shim installed; imported without it, its modules
would fail on ``import pyspark``."""

collect_ignore_glob = ["*.py", "*/*.py"]
