"""ZeroMQUtils against a real PUB socket: messages arrive once the subscription is live,
topic prefixes filter, multi-part messages reach bytesToObjects as frame lists, a raising
converter is counted, the SUB socket reconnects by itself to a publisher re-bound on the
same port; bad arguments and a missing pyzmq fail at once."""

from __future__ import annotations

import sys
from collections import Counter

import pytest
from receiver_helpers import wait_until
from zeromq_helpers import PROBE, Run, publisher_fixture  # noqa: F401 - the fixture

from sparklet.streaming import StreamingContext
from sparklet.streaming.zeromq import ZeroMQUtils

URL = "tcp://127.0.0.1:5555"


def test_bad_arguments_fail_at_create_stream(sc):
    ssc = StreamingContext(sc, 1)
    for bad, error, match in [
        (dict(publisherUrl="127.0.0.1:5555"), ValueError, "publisherUrl must be"),
        (dict(subscribe=7), TypeError, "subscribe should be"),
        (dict(subscribe=[]), ValueError, "at least one topic prefix"),
        (dict(bytesToObjects="utf-8"), TypeError, "bytesToObjects should be callable"),
        (dict(storageLevel=None), TypeError, "storageLevel"),
        (dict(rcvHwm=-1), ValueError, "rcvHwm must be"),
        (dict(bytesToObjects=list, messageConverter=list), TypeError, "not both"),
    ]:
        args = {"publisherUrl": URL, "subscribe": "t", **bad}
        with pytest.raises(error, match=match):
            ZeroMQUtils.createStream(ssc, **args)
    assert ssc._graph.receiver_input_streams == []


def test_a_missing_client_names_the_extra(sc, monkeypatch):
    monkeypatch.setitem(sys.modules, "zmq", None)
    with pytest.raises(ImportError, match=r"pip install 'sparklet\[zeromq\]'"):
        ZeroMQUtils.createTextStream(StreamingContext(sc, 1), URL, "t")


def test_text_messages_arrive_and_topics_filter(sc, publisher):
    run = Run(sc, publisher.url, ["words", b"more"], text=True)
    lines = [f"rad {i} på svenska" for i in range(300)]
    try:
        run.live(publisher, [b"words", PROBE])
        for i, line in enumerate(lines):
            topic = b"words" if i % 2 else b"more/x"
            publisher.send([topic, line.encode()], [b"other", b"not this"])
        publisher.send(b"words \xff")  # one frame: the frame itself, leniently
        assert wait_until(lambda: len(run.data()) > len(lines)), len(run.data())
    finally:
        got = run.stop()
    assert Counter(got) == Counter(lines + ["words \ufffd"])


def test_multipart_messages_through_bytes_to_objects_and_a_raising_one(sc, publisher):
    def to_objects(frames):  # [topic, n, word...]: n copies of each word
        n = int(frames[1])
        return [(w.decode(), n) for w in frames[2:] for _ in range(n)]

    run = Run(sc, publisher.url, b"m", bytesToObjects=to_objects)
    try:
        run.live(publisher, [b"m", b"1", PROBE])
        publisher.send([b"m", b"2", b"a", b"b"], [b"m", b"x", b"bad"], [b"m", b"1", b"c"],
                       [b"m", b"zz"])
        assert wait_until(lambda: len(run.data()) >= 5 and run.malformed() >= 2), (
            run.data(), run.malformed())
    finally:
        got = run.stop()
    assert Counter(got) == Counter([("a", 2), ("a", 2), ("b", 2), ("b", 2), ("c", 1)])
    assert run.malformed() == 2


def test_the_default_record_is_the_frame_list(sc, publisher):
    run = Run(sc, publisher.url, "")
    try:
        run.live(publisher, [PROBE])
        publisher.send([b"t", b"1", b"2"])
        assert wait_until(lambda: run.data())
    finally:
        got = run.stop()
    assert got == [[b"t", b"1", b"2"]]


def test_the_sub_socket_reconnects_to_a_restarted_publisher(sc, publisher):
    run = Run(sc, publisher.url, "", text=True)
    try:
        run.live(publisher, [b"", PROBE])
        publisher.send(*[[b"", f"before {i}".encode()] for i in range(100)])
        assert wait_until(lambda: len(run.data()) >= 100)
        publisher.close()
        publisher.rebind()  # the same port: ZeroMQ reconnects within its interval
        run.live(publisher, [b"", PROBE])
        publisher.send(*[[b"", f"after {i}".encode()] for i in range(100)])
        assert wait_until(lambda: len(run.data()) >= 200), len(run.data())
    finally:
        got = run.stop()
    assert Counter(got) == Counter([f"before {i}" for i in range(100)]
                                   + [f"after {i}" for i in range(100)])
    assert run.events.errors == []
