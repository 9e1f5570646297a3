"""Fixtures and helpers shared by the MLlib tests (imported as a top-level module).

``sc`` is the suite's shared ``local[2]`` context (tests/conftest.py), re-exported so MLlib
test modules name their fixture source in one import. :func:`reference` reads the values
recorded on real PySpark by the scripts in ``pyspark_reference/``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

REFERENCE_DIR = Path(__file__).parent / "pyspark_reference"


@pytest.fixture(name="sc")
def sc_fixture(sc):
    """The shared local[2] SparkContext (MLlib trains with RDD jobs on it)."""
    assert sc.master == "local[2]", sc.master
    return sc


@pytest.fixture(name="contexts")
def contexts_fixture(sc):
    """A list the test appends its StreamingContexts to: each is stopped afterwards (the
    SparkContext stays) and the checkpoint directory a test set is cleared."""
    made: list = []
    yield made
    for ssc in made:
        ssc.stop(stopSparkContext=False)
    sc._checkpoint_dir = None


@pytest.fixture(name="quiet_deprecations", autouse=True)
def quiet_deprecations_fixture():
    """Silence the FutureWarning that PySpark's deprecated SGD trainers give; autouse in the
    modules that import it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        yield


def reference(area: str) -> dict:
    """The JSON ``pyspark_reference/<area>.py`` wrote from a real PySpark 3.5.3 run."""
    path = REFERENCE_DIR / ("%s.json" % area)
    if not path.exists():
        pytest.fail("missing %s: run tests/mllib/pyspark_reference/%s.py with PySpark" %
                    (path, area))
    return json.loads(path.read_text())
