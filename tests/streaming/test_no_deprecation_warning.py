"""DStreams are sparklet's first-class streaming API: unlike PySpark 3.4+, creating a
StreamingContext warns nobody to "migrate to Structured Streaming"."""

from __future__ import annotations

import warnings

from sparklet.streaming import StreamingContext


def test_creating_a_streaming_context_emits_no_warning(sc):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning, FutureWarning included, fails here
        ssc = StreamingContext(sc, 1)
        ssc.queueStream([[1, 2]]).pprint()
        ssc.socketTextStream("127.0.0.1", 9)
    ssc.stop(stopSparkContext=False)
    assert ssc.getState() == "STOPPED"

