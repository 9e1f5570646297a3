"""Each service fixture of ``services.py`` yields a server that works: one round trip per
service through its standard client library. These prove the test machinery, not
sparklet; the connector tests build on the same fixtures."""

from __future__ import annotations

import asyncio
import http.server
import threading
import time
import uuid
from pathlib import Path

import pytest

from services import require_module

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

DEADLINE = 60.0  # seconds any one round trip may take on a loaded machine


def test_postgres_query(postgres_service):
    psycopg = require_module("psycopg")
    with psycopg.connect(postgres_service.url, autocommit=True) as conn:
        table = f"smoke_{uuid.uuid4().hex[:8]}"
        conn.execute(f"CREATE TEMP TABLE {table} (k text, v int)")
        conn.execute(f"INSERT INTO {table} VALUES ('a', 1), ('b', 2), ('a', 3)")
        rows = conn.execute(f"SELECT k, sum(v) FROM {table} GROUP BY k ORDER BY k").fetchall()
    assert rows == [("a", 4), ("b", 2)]


def test_redis_stream_round_trip(redis_service):
    redis = require_module("redis")
    client = redis.Redis(host=redis_service.host, port=redis_service.port,
                         socket_timeout=DEADLINE)
    stream = f"smoke-{uuid.uuid4().hex[:8]}"
    ids = [client.xadd(stream, {"n": str(i)}) for i in range(3)]
    entries = client.xread({stream: "0-0"}, count=10)
    assert [(name.decode(), [(i, f[b"n"]) for i, f in items]) for name, items in entries] == \
        [(stream, list(zip(ids, [b"0", b"1", b"2"], strict=True)))]
    client.delete(stream)
    client.close()


def test_mqtt_publish_subscribe(mqtt_service):
    mqtt = require_module("paho.mqtt.client", "paho-mqtt")
    topic = f"sparklet/smoke/{uuid.uuid4().hex[:8]}"
    subscribed, received = threading.Event(), []
    got = threading.Event()

    def on_message(client, userdata, message):
        received.append((message.topic, message.payload))
        got.set()

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_subscribe = lambda *args: subscribed.set()
    client.on_message = on_message
    client.connect(mqtt_service.host, mqtt_service.port)
    client.loop_start()
    try:
        client.subscribe(topic, qos=1)
        assert subscribed.wait(DEADLINE)
        client.publish(topic, b"hello", qos=1).wait_for_publish(DEADLINE)
        assert got.wait(DEADLINE)
    finally:
        client.disconnect()
        client.loop_stop()
    assert received == [(topic, b"hello")]


def test_nats_jetstream_publish_consume(nats_service):
    nats = require_module("nats", "nats-py")

    async def round_trip():
        nc = await nats.connect(nats_service.url, connect_timeout=DEADLINE)
        try:
            js = nc.jetstream(timeout=DEADLINE)
            name = f"SMOKE{uuid.uuid4().hex[:8]}"
            await js.add_stream(name=name, subjects=[f"{name}.>"])
            acks = [await js.publish(f"{name}.n", str(i).encode()) for i in range(3)]
            sub = await js.pull_subscribe(f"{name}.>", durable="smoke")
            msgs = await sub.fetch(3, timeout=DEADLINE)
            for m in msgs:
                await m.ack()
            await js.delete_stream(name)
            return [a.seq for a in acks], [m.data for m in msgs]
        finally:
            await nc.close()

    seqs, data = asyncio.run(round_trip())
    assert seqs == [1, 2, 3]
    assert data == [b"0", b"1", b"2"]


def test_rabbitmq_publish_get(rabbitmq_service):
    pika = require_module("pika")
    params = pika.URLParameters(rabbitmq_service.url + "?blocked_connection_timeout=60"
                                "&socket_timeout=60&connection_attempts=3")
    conn = pika.BlockingConnection(params)
    try:
        channel = conn.channel()
        channel.confirm_delivery()
        queue = f"smoke-{uuid.uuid4().hex[:8]}"
        channel.queue_declare(queue, auto_delete=True)
        for body in (b"one", b"two"):
            channel.basic_publish("", queue, body)
        got = []
        for _ in range(2):
            method, _props, body = channel.basic_get(queue, auto_ack=True)
            got.append(body)
        assert channel.basic_get(queue, auto_ack=True) == (None, None, None)
        channel.queue_delete(queue)
    finally:
        conn.close()
    assert got == [b"one", b"two"]


def test_kafka_produce_consume(kafka_service):
    kafka = require_module("confluent_kafka", "confluent-kafka")
    admin_api = require_module("confluent_kafka.admin", "confluent-kafka")
    topic = f"smoke-{uuid.uuid4().hex[:8]}"
    admin = admin_api.AdminClient({"bootstrap.servers": kafka_service.url})
    for future in admin.create_topics([admin_api.NewTopic(topic, 1, 1)]).values():
        future.result(DEADLINE)
    producer = kafka.Producer({"bootstrap.servers": kafka_service.url})
    for i in range(3):
        producer.produce(topic, key=str(i).encode(), value=f"v{i}".encode())
    assert producer.flush(DEADLINE) == 0
    consumer = kafka.Consumer({"bootstrap.servers": kafka_service.url,
                               "group.id": f"smoke-{topic}", "auto.offset.reset": "earliest",
                               "session.timeout.ms": 6000, "enable.auto.commit": False})
    got = []
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + DEADLINE
        while len(got) < 3 and time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            assert msg.error() is None, msg.error()
            got.append((msg.key(), msg.value(), msg.offset()))
    finally:
        consumer.close()
    assert got == [(b"0", b"v0", 0), (b"1", b"v1", 1), (b"2", b"v2", 2)]


def test_moto_kinesis_round_trip(moto_service):
    boto3 = require_module("boto3")
    kinesis = boto3.client("kinesis", endpoint_url=moto_service.url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
    name = f"smoke-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=name,
                                             WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    for i in range(3):
        kinesis.put_record(StreamName=name, Data=f"r{i}".encode(), PartitionKey="k")
    shard = kinesis.describe_stream(StreamName=name)["StreamDescription"]["Shards"][0]
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator)["Records"]
    kinesis.delete_stream(StreamName=name)
    assert [r["Data"] for r in records] == [b"r0", b"r1", b"r2"]


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<html><head><title>sparklet smoke</title></head><body><p id=x>42</p></body>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def page_url():
    """A page served on 127.0.0.1 by ``http.server`` for the browser to load."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_chromium_headless_dumps_a_served_page(chromium, page_url, tmp_path):
    import subprocess

    from services import CHROMIUM_ARGS

    out = subprocess.run([chromium, "--headless", *CHROMIUM_ARGS,
                          f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page_url],
                         capture_output=True, text=True, timeout=120,
                         stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "<title>sparklet smoke</title>" in out.stdout
    assert '<p id="x">42</p>' in out.stdout


def test_playwright_renders_a_page_title(browser, page_url):
    page = browser.new_page()
    try:
        page.goto(page_url)
        assert page.title() == "sparklet smoke"
        assert page.text_content("#x") == "42"
        page.goto("data:text/html,<title>from data</title><b>x</b>")
        assert page.title() == "from data"
    finally:
        page.close()


# -- the machinery itself ------------------------------------------------------------------

def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _until(predicate, timeout: float = DEADLINE) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)
    return predicate()


def test_a_server_that_dies_at_start_is_reported_with_its_log_tail():
    import sys

    from services import Server, ServiceUnavailable

    server = Server("demo")
    try:
        proc = server.spawn([sys.executable, "-c",
                             "print('bad setting on line 3', flush=True); raise SystemExit(3)"],
                            "demo.log")
        with pytest.raises(ServiceUnavailable) as e:
            server.wait_ready(lambda: False, proc)
    finally:
        server.stop()
    message = str(e.value)
    assert "could not start demo: the server exited with code 3" in message
    assert "demo.log (last lines)" in message and "bad setting on line 3" in message


def test_stop_ends_the_server_and_what_it_forked():
    import os
    import sys

    from services import Server

    server = Server("demo")
    proc = server.spawn([sys.executable, "-c",
                         "import subprocess, sys, time\n"
                         "child = subprocess.Popen([sys.executable, '-c', "
                         "'import time; time.sleep(600)'])\n"
                         "print(child.pid, flush=True)\n"
                         "time.sleep(600)\n"], "demo.log")
    log = Path(server.dir) / "demo.log"
    assert _until(lambda: log.exists() and log.read_text().strip().isdigit())
    child = int(log.read_text())
    server.stop()
    assert proc.poll() is not None
    assert _until(lambda: _gone(child))
    assert not os.path.exists(server.dir)
