"""Fixtures for streaming tests: contexts on a manual clock over the shared ``sc``.

Tests advance the manual clock batch by batch (``sparklet.streaming.testing``); none sleeps
for a batch. Every context a test makes is stopped afterwards without stopping ``sc``.
"""

from __future__ import annotations

import pytest

from sparklet.streaming import StreamingContext
from sparklet.streaming.testing import use_manual_clock


@pytest.fixture
def make_ssc(sc, tmp_path):
    """``make_ssc(batch=1, checkpoint=False, start_ms=0)``: a StreamingContext on a manual
    clock; ``checkpoint=True`` sets a temporary checkpoint directory, otherwise the shared
    context's checkpoint directory is cleared (tests of the missing-directory error)."""
    made: list[StreamingContext] = []

    def factory(batch: float = 1, checkpoint: bool = False, start_ms: int = 0):
        ssc = StreamingContext(sc, batch)
        use_manual_clock(ssc, start_ms)
        if checkpoint:
            ssc.checkpoint(str(tmp_path / "checkpoints"))
        else:
            sc._checkpoint_dir = None
        made.append(ssc)
        return ssc

    yield factory
    for ssc in made:
        ssc.stop(stopSparkContext=False)
    sc._checkpoint_dir = None
