"""Fixtures for the Kinesis tests: the session's moto server (Kinesis and DynamoDB on one
port), a :class:`~kinesis_helpers.KinesisTestStreams` per test to make streams and put
records, and fast lease timings. Stream and application names are unique per test."""

from __future__ import annotations

import pytest

from services import moto_own_service, require_module  # noqa: F401 (a fixture)


@pytest.fixture
def kinesis(moto_service):
    require_module("boto3")
    import kinesis_helpers

    return kinesis_helpers.KinesisTestStreams(moto_service.url)


@pytest.fixture
def kinesis_ctx(make_context):
    """A SparkContext with blocks every 50 ms and quick lease timings."""
    import kinesis_helpers

    return make_context(kinesis_helpers.fast_conf())
