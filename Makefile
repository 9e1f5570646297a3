# sparklet — the two commands a newcomer needs are `make run` and `make test`.
# Each bootstraps .venv on first use, so a fresh machine with Python 3.11 needs nothing else.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run run-rdd test test-dask test-pyspark test-pyspark-strict bench lint clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# The main demo: the streaming guide's network word count, fed by a bundled line generator,
# printing each one-second batch for a few seconds.
run: $(STAMP)
	$(BIN)/python examples/streaming/network_word_count.py --generate --seconds 6

run-rdd: $(STAMP)
	$(BIN)/python examples/wordcount.py

# The RDD and streaming suites, the connectors' included, then run again on the Dask
# backend (a shared dask-local[2] cluster; tests about local worker processes themselves are
# marked local_backend). The service checks stay on one backend. (The connectors' suites
# add about 6.5 minutes: receivers on Dask workers, and the blocks they keep there.)
DASK_SUITES := $(filter-out tests/test_services.py,$(wildcard tests/test_*.py)) \
               tests/streaming

test: $(STAMP)
	$(BIN)/python -m pytest src tests
	$(BIN)/python -m pytest $(DASK_SUITES) --backend=dask

test-dask: $(STAMP)
	$(BIN)/python -m pytest $(DASK_SUITES) --backend=dask

bench: $(STAMP)
	$(BIN)/python bench/rdd_wordcount.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench examples

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache

# PySpark's own unit tests (apache/spark python/pyspark/tests, python/pyspark/streaming/tests)
# run against sparklet through tests/pyspark_suite's import shim; prints the applicable pass
# rate. The test files are not in this repository: see tests/pyspark_suite/run.py for where
# they come from. -strict fails on any failure not in tests/pyspark_suite/expectations.py, and
# on any listed one that passes.
test-pyspark: $(STAMP)
	$(BIN)/python tests/pyspark_suite/run.py

test-pyspark-strict: $(STAMP)
	$(BIN)/python tests/pyspark_suite/run.py --strict
