"""Installs the pyspark -> sparklet import shim in every Python process of a peer-suite run
(the pytest driver, and sparklet's executor daemons and workers, which inherit PYTHONPATH),
so test functions pickled by reference resolve ``pyspark.tests...`` in workers as they do
on the driver. Does nothing unless the runner set SPARKLET_PYSPARK_SHIM."""

import os

if os.environ.get("SPARKLET_PYSPARK_SHIM"):
    from pyspark_suite import shim

    shim.install()
