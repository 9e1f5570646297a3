"""Real services for the integration tests: one session-scoped fixture per service.

Each fixture yields a :class:`Service` and gets it the first way that works:

1. the server named by an environment variable (below), used as it is;
2. else a server of its own, started from the installed binaries on free 127.0.0.1 ports in
   a temporary directory (its logs go there too), and stopped at the end of the session by
   the PIDs it started -- never by name;
3. else the tests that need it skip, with the reason and the tail of the server's log --
   except under ``CI=true``, where a missing service is a failure.

====================  ===========================  =======================================
fixture               environment variable         names / ``Service.url``
====================  ===========================  =======================================
``postgres_service``  ``SPARKLET_TEST_POSTGRES``   a libpq conninfo or URL (a superuser)
``redis_service``     ``SPARKLET_TEST_REDIS``      ``host:port``; ``redis://host:port/0``
``mqtt_service``      ``SPARKLET_TEST_MQTT``       ``host:port``; ``tcp://host:port``
``nats_service``      ``SPARKLET_TEST_NATS``       ``host:port`` (JetStream on); ``nats://``
``rabbitmq_service``  ``SPARKLET_TEST_RABBITMQ``   ``host:port``; ``amqp://guest:guest@...``
``kafka_service``     ``SPARKLET_TEST_KAFKA``      ``host:port``, the bootstrap server
``moto_service``      ``SPARKLET_TEST_MOTO``       ``host:port``; ``http://host:port``
``chromium``          ``SPARKLET_TEST_CHROMIUM``   the browser executable (a path)
``dask_cluster``      (none: always its own)       ``tcp://`` scheduler; ``extra["master"]``
====================  ===========================  =======================================

``browser`` is a Playwright ``Browser`` on the ``chromium`` executable (headless), for
tests that drive pages. The Kafka broker runs from jars that ``.ci/kafka-jars`` fetches
into ``$SPARKLET_CACHE`` (``~/.cache/sparklet`` by default), or from
``SPARKLET_KAFKA_JARS``. Servers are started only when a test asks for them, once a
session. A Kafka broker the fixture started can be stopped and started again by a test
(``kafka_service.process``, a :class:`Restartable`; None for a broker named by the
environment variable).
"""

from __future__ import annotations

import base64
import contextlib
import glob
import http.client
import importlib
import os
import pwd
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
REPO = Path(__file__).resolve().parent.parent
KAFKA_POM = REPO / ".ci" / "kafka-pom.xml"
START_TIMEOUT = 120.0  # seconds a server may take to answer (generous: CI is loaded)


def require_service(available: bool, reason: str) -> None:
    """Skip (printing ``reason``) when a service is unavailable; fail instead on CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true but a required service is unavailable: {reason}",
                    pytrace=False)
    print(f"SKIP: {reason}")
    pytest.skip(reason)


def require_module(name: str, pip_name: str | None = None):
    """Import a client library, or skip (fail on CI) naming what to install."""
    try:
        return importlib.import_module(name)
    except ImportError as e:
        require_service(False, f"the Python package {pip_name or name} is not installed "
                               f"({e}); install the test extra: pip install -e '.[dev]'")


class ServiceUnavailable(Exception):
    """A service could not be found or started; the message says why."""


@dataclass
class Service:
    """A running server: where it listens, how a client names it (``url``), and, when
    the fixture started it, the temporary directory with its logs."""

    name: str
    host: str
    port: int
    url: str
    workdir: str | None = None
    extra: dict = field(default_factory=dict)
    process: Restartable | None = None  # set when the fixture started the server

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


# -- process plumbing ----------------------------------------------------------------------

def free_ports(n: int = 1) -> list[int]:
    """``n`` distinct ports free on 127.0.0.1 right now (held together while chosen)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def log_tail(path: str | os.PathLike, lines: int = 25) -> str:
    try:
        with open(path, errors="replace") as fh:
            text = fh.read()
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); it has exited for our purposes.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        with contextlib.suppress(OSError):
            with open(f"/proc/{pid}/stat") as fh:
                return fh.read().split(") ", 1)[1][:1] != "Z"
        return True


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return not _alive(pid)


class Server:
    """The processes of one started service, its temporary directory and its logs.

    Every process is started in a new session, so it and whatever it forks share a
    process group whose id is the PID we started: :meth:`stop` signals those groups (and
    any extra PIDs registered, e.g. a daemon's from its PID file) -- never a name."""

    def __init__(self, name: str, owner: str | None = None):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"sparklet-{name}-")
        if owner is not None:
            pw = pwd.getpwnam(owner)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.procs: list[subprocess.Popen] = []
        self.pids: list[int] = []            # started by others (daemons): stopped by PID
        self.logs: list[str] = []
        self.stoppers: list[Callable[[], None]] = []

    def path(self, *parts: str) -> str:
        return os.path.join(self.dir, *parts)

    def spawn(self, cmd: list[str], log: str, env: dict | None = None,
              cwd: str | None = None) -> subprocess.Popen:
        log_path = self.path(log)
        if log_path not in self.logs:
            self.logs.append(log_path)
        with open(log_path, "ab") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=env, cwd=cwd or self.dir,
                                    start_new_session=True)
        self.procs.append(proc)
        return proc

    def run(self, cmd: list[str], log: str, env: dict | None = None,
            timeout: float = START_TIMEOUT) -> None:
        """Run a set-up command to completion; a failure raises with its output."""
        proc = self.spawn(cmd, log, env)
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            code = None
        if code != 0:
            raise self.failure(f"{' '.join(cmd[:3])}... "
                               + ("timed out" if code is None else f"exited with {code}"))

    def failure(self, what: str) -> ServiceUnavailable:
        tails = "".join(f"\n--- {log} (last lines) ---\n{log_tail(log)}"
                        for log in self.logs if log_tail(log))
        return ServiceUnavailable(f"could not start {self.name}: {what} "
                                  f"(logs in {self.dir}){tails}")

    def wait_ready(self, probe: Callable[[], bool], proc: subprocess.Popen | None,
                   timeout: float = START_TIMEOUT) -> None:
        """Poll ``probe`` until it answers True; fail early if ``proc`` exits, and after
        ``timeout`` seconds at most. No fixed sleeps: a fast server is used at once."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if probe():
                    return
            except OSError:
                pass
            if proc is not None and proc.poll() is not None:
                raise self.failure(f"the server exited with code {proc.returncode}")
            if time.monotonic() > deadline:
                raise self.failure(f"no answer within {timeout:.0f} s")
            time.sleep(0.05)

    @staticmethod
    def stop_process(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
        """Stop one started process and its group: ``sig`` (SIGTERM: a clean shutdown),
        30 s to exit, then SIGKILL for whatever is left."""
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                pass
        # Children left in its group (a JVM's, an Erlang port program's) go too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)

    def stop(self, keep_dir: bool = False) -> None:
        for stopper in reversed(self.stoppers):
            with contextlib.suppress(Exception):
                stopper()
        for proc in reversed(self.procs):
            self.stop_process(proc)
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGTERM)
            if not _wait_gone(pid, 30):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        if not keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


class Restartable:
    """The main process of a server a fixture started, which a test may stop and start
    again: the same command, so the same ports, configuration and data directory (a
    broker that goes down mid-stream and comes back with its logs). ``start`` returns
    once ``probe`` answers; a test that stops the server must start it again (the
    fixture is shared by the session)."""

    def __init__(self, server: Server, proc: subprocess.Popen, log: str,
                 probe: Callable[[], bool], env: dict | None = None):
        self.server, self.proc, self.log, self.probe = server, proc, log, probe
        self.env = env

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the server: SIGTERM is a clean shutdown, SIGKILL a crash."""
        self.server.stop_process(self.proc, sig)

    def start(self, timeout: float = START_TIMEOUT) -> None:
        if self.running:
            return
        self.proc = self.server.spawn(list(self.proc.args), self.log, self.env)
        self.server.wait_ready(self.probe, self.proc, timeout)

    def restart(self, sig: int = signal.SIGTERM) -> None:
        self.stop(sig)
        self.start()


def _tcp_open(host: str, port: int, timeout: float = 2.0) -> bool:
    with socket.create_connection((host, port), timeout=timeout):
        return True


def _recv_until(sock: socket.socket, done: Callable[[bytes], bool], limit: int = 1 << 16):
    data = b""
    while not done(data) and len(data) < limit:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _host_port(text: str, default_port: int) -> tuple[str, int]:
    text = re.sub(r"^[a-z]+://", "", text.strip()).split("/", 1)[0].rsplit("@", 1)[-1]
    host, _, port = text.rpartition(":")
    if not host:
        return text or "127.0.0.1", default_port
    return host.strip("[]"), int(port)


# -- protocol probes: each answers True only when the server really serves ----------------

def probe_redis(host: str, port: int) -> bool:
    with socket.create_connection((host, port), timeout=2) as s:
        s.sendall(b"PING\r\n")
        return _recv_until(s, lambda d: d.endswith(b"\r\n")).startswith(b"+PONG")


def probe_mqtt(host: str, port: int) -> bool:
    """An MQTT 3.1.1 CONNECT (clean session, empty client id) answered by CONNACK 0."""
    connect = b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00"
    with socket.create_connection((host, port), timeout=2) as s:
        s.sendall(connect)
        reply = _recv_until(s, lambda d: len(d) >= 4)
        s.sendall(b"\xe0\x00")  # DISCONNECT
        return reply[:4] == b"\x20\x02\x00\x00"


def probe_nats_jetstream(host: str, port: int) -> bool:
    """The server's INFO, then a JetStream account-info request answered on an inbox."""
    with socket.create_connection((host, port), timeout=2) as s:
        if not _recv_until(s, lambda d: d.endswith(b"\r\n")).startswith(b"INFO"):
            return False
        s.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\n'
                  b"SUB _INBOX.ready 1\r\nPUB $JS.API.INFO _INBOX.ready 0\r\n\r\n")
        reply = _recv_until(s, lambda d: b"MSG _INBOX.ready" in d and d.endswith(b"}\r\n"))
        return b'"type":"io.nats.jetstream.api.v1.account_info_response"' in reply \
            and b'"error"' not in reply


def probe_amqp(host: str, port: int) -> bool:
    """The AMQP 0-9-1 protocol header answered by a Connection.Start method frame."""
    with socket.create_connection((host, port), timeout=2) as s:
        s.sendall(b"AMQP\x00\x00\x09\x01")
        reply = _recv_until(s, lambda d: len(d) >= 11)
        return reply[:1] == b"\x01" and reply[7:11] == b"\x00\x0a\x00\x0a"


def probe_kafka(host: str, port: int) -> bool:
    """A Kafka Metadata v1 request answered with this broker among the live brokers
    (a KRaft broker serves once it has joined the quorum and been unfenced)."""
    client = b"sparklet-probe"
    body = struct.pack(">hhih", 3, 1, 7, len(client)) + client + struct.pack(">i", 0)
    with socket.create_connection((host, port), timeout=2) as s:
        s.sendall(struct.pack(">i", len(body)) + body)
        head = _recv_until(s, lambda d: len(d) >= 4)
        if len(head) < 4:
            return False
        size = struct.unpack(">i", head[:4])[0]
        data = head + _recv_until(s, lambda d: len(head) + len(d) >= 4 + size)
        if struct.unpack(">i", data[4:8])[0] != 7:
            return False
        brokers = struct.unpack(">i", data[8:12])[0]
        return brokers >= 1


def probe_http(host: str, port: int) -> bool:
    conn = http.client.HTTPConnection(host, port, timeout=2)
    try:
        conn.request("GET", "/")
        return conn.getresponse().status < 500
    finally:
        conn.close()


def probe_postgres(bin_dir: str, host: str, port: int) -> bool:
    cmd = [os.path.join(bin_dir, "pg_isready"), "-q", "-h", host, "-p", str(port), "-t", "2"]
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


# -- starting each server ------------------------------------------------------------------

def _binary(name: str, *candidates: str) -> str:
    for c in (shutil.which(name), *candidates):
        if c and os.access(c, os.X_OK):
            return c
    raise ServiceUnavailable(f"{name} is not installed (the Debian package is installed "
                             f"by .ci/run; see the README's 'Integration tests')")


def _attempts(start: Callable[[], tuple[Service, Server]],
              tries: int = 2) -> tuple[Service, Server]:
    """Start, trying again on fresh ports once: a port found free can be taken by another
    process before the server binds it."""
    error: ServiceUnavailable | None = None
    for _ in range(tries):
        try:
            return start()
        except ServiceUnavailable as e:
            error = e
    assert error is not None
    raise error


def _postgres_bin() -> str:
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                  key=lambda d: int(re.sub(r"\D", "", d.split("/")[-2]) or 0))
    for d in ([os.environ["SPARKLET_PG_BIN"]] if os.environ.get("SPARKLET_PG_BIN") else []) \
            + dirs[::-1]:
        if os.access(os.path.join(d, "pg_ctl"), os.X_OK):
            return d
    found = shutil.which("pg_ctl")
    if found:
        return os.path.dirname(os.path.realpath(found))
    raise ServiceUnavailable("PostgreSQL's server binaries are not installed (Debian "
                             "package postgresql; .ci/run installs it)")


def start_postgres() -> tuple[Service, Server]:
    bin_dir = _postgres_bin()
    as_root = os.geteuid() == 0
    if as_root:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise ServiceUnavailable("running as root but there is no 'postgres' user "
                                     "to run the server as") from None
    user = ["runuser", "-u", "postgres", "--"] if as_root else []
    server = Server("postgres", owner="postgres" if as_root else None)
    try:
        (port,) = free_ports(1)
        data = server.path("data")
        server.run(user + [os.path.join(bin_dir, "initdb"), "-D", data, "-A", "trust",
                           "-U", "postgres", "-N"], "initdb.log")
        log = server.path("postgres.log")
        server.logs.append(log)
        opts = (f"-p {port} -k {server.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                f"-c full_page_writes=off -c synchronous_commit=off")
        server.run(user + [os.path.join(bin_dir, "pg_ctl"), "-D", data, "-l", log, "-w",
                           "-t", str(int(START_TIMEOUT)), "-o", opts, "start"], "pg_ctl.log")
        with open(os.path.join(data, "postmaster.pid")) as fh:
            server.pids.append(int(fh.readline()))
        server.stoppers.append(lambda: subprocess.run(
            user + [os.path.join(bin_dir, "pg_ctl"), "-D", data, "-m", "fast", "-w",
                    "-t", "30", "stop"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, timeout=60))
        server.wait_ready(lambda: probe_postgres(bin_dir, "127.0.0.1", port), None)
    except BaseException:
        server.stop(keep_dir=True)
        raise
    conninfo = f"host=127.0.0.1 port={port} dbname=postgres user=postgres connect_timeout=10"
    return Service("postgres", "127.0.0.1", port, conninfo, server.dir), server


def start_redis(persistent: bool = False) -> tuple[Service, Server]:
    """``persistent``: an append-only file in the temp dir, so data survives a restart."""
    exe = _binary("redis-server", "/usr/bin/redis-server")
    server = Server("redis")
    try:
        (port,) = free_ports(1)
        proc = server.spawn([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "yes" if persistent else "no",
                             "--dir", server.dir, "--daemonize", "no"],
                            "redis.log")
        server.wait_ready(lambda: probe_redis("127.0.0.1", port), proc)
    except BaseException:
        server.stop(keep_dir=True)
        raise
    return Service("redis", "127.0.0.1", port, f"redis://127.0.0.1:{port}/0", server.dir), \
        server


def start_mqtt() -> tuple[Service, Server]:
    exe = _binary("mosquitto", "/usr/sbin/mosquitto")
    server = Server("mosquitto")
    try:
        (port,) = free_ports(1)
        conf = server.path("mosquitto.conf")
        with open(conf, "w") as fh:
            fh.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                     "log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\n")
        proc = server.spawn([exe, "-c", conf], "mosquitto.log")
        server.wait_ready(lambda: probe_mqtt("127.0.0.1", port), proc)
    except BaseException:
        server.stop(keep_dir=True)
        raise
    return Service("mqtt", "127.0.0.1", port, f"tcp://127.0.0.1:{port}", server.dir), server


def start_nats() -> tuple[Service, Server]:
    exe = _binary("nats-server", "/usr/sbin/nats-server")
    server = Server("nats")
    try:
        (port,) = free_ports(1)
        proc = server.spawn([exe, "-a", "127.0.0.1", "-p", str(port), "-js",
                             "-sd", server.path("jetstream")], "nats.log")
        server.wait_ready(lambda: probe_nats_jetstream("127.0.0.1", port), proc)
    except BaseException:
        server.stop(keep_dir=True)
        raise
    return Service("nats", "127.0.0.1", port, f"nats://127.0.0.1:{port}", server.dir), server


def start_rabbitmq() -> tuple[Service, Server]:
    exe = _binary("rabbitmq-server", "/usr/lib/rabbitmq/bin/rabbitmq-server")
    if os.path.realpath(exe).endswith("rabbitmq-script-wrapper"):
        # Debian's wrapper re-runs the server through `su rabbitmq`, losing HOME and the
        # environment that points every file into our directory: run the real script.
        exe = "/usr/lib/rabbitmq/bin/rabbitmq-server"
    epmd = _binary("epmd", "/usr/bin/epmd")
    server = Server("rabbitmq")
    try:
        amqp, dist, epmd_port = free_ports(3)
        # Our own epmd, in the foreground, so it is ours to stop by PID; the Erlang node
        # finds it on ERL_EPMD_PORT and starts none of its own.
        epmd_proc = server.spawn([epmd, "-port", str(epmd_port), "-address", "127.0.0.1"],
                                 "epmd.log")
        server.wait_ready(lambda: _tcp_open("127.0.0.1", epmd_port), epmd_proc)
        plugins = server.path("enabled_plugins")
        with open(plugins, "w") as fh:
            fh.write("[].\n")
        conf_env = server.path("rabbitmq-env.conf")
        open(conf_env, "w").close()
        env = dict(os.environ, HOME=server.dir, RABBITMQ_NODENAME="rabbit@localhost",
                   RABBITMQ_NODE_IP_ADDRESS="127.0.0.1", RABBITMQ_NODE_PORT=str(amqp),
                   RABBITMQ_DIST_PORT=str(dist), ERL_EPMD_ADDRESS="127.0.0.1",
                   ERL_EPMD_PORT=str(epmd_port), RABBITMQ_MNESIA_BASE=server.path("mnesia"),
                   RABBITMQ_LOG_BASE=server.path("log"),
                   RABBITMQ_ENABLED_PLUGINS_FILE=plugins, RABBITMQ_CONF_ENV_FILE=conf_env,
                   RABBITMQ_PID_FILE=server.path("rabbit.pid"),
                   RABBITMQ_CONFIG_FILE=server.path("rabbitmq"),
                   RABBITMQ_ADVANCED_CONFIG_FILE=server.path("advanced.config"))
        proc = server.spawn([exe], "rabbitmq.log", env=env)
        server.logs.append(server.path("log", "rabbit@localhost.log"))
        server.wait_ready(lambda: probe_amqp("127.0.0.1", amqp), proc)
    except BaseException:
        server.stop(keep_dir=True)
        raise
    broker = Restartable(server, proc, "rabbitmq.log",
                         lambda: probe_amqp("127.0.0.1", amqp), env)
    return Service("rabbitmq", "127.0.0.1", amqp,
                   f"amqp://guest:guest@127.0.0.1:{amqp}/%2F", server.dir, {},
                   broker), server


def kafka_version() -> str:
    match = re.search(r"<kafka.version>([^<]+)</kafka.version>", KAFKA_POM.read_text())
    assert match, f"no <kafka.version> in {KAFKA_POM}"
    return match.group(1)


def kafka_jars_dir() -> str:
    if os.environ.get("SPARKLET_KAFKA_JARS"):
        return os.environ["SPARKLET_KAFKA_JARS"]
    cache = os.environ.get("SPARKLET_CACHE") or os.path.expanduser("~/.cache/sparklet")
    return os.path.join(cache, f"kafka-{kafka_version()}")


def start_kafka() -> tuple[Service, Server]:
    jars = kafka_jars_dir()
    if not glob.glob(os.path.join(jars, "kafka_2.13-*.jar")):
        raise ServiceUnavailable(f"the Kafka broker jars are not in {jars}: fetch them with "
                                 f".ci/kafka-jars (Maven), as .ci/run does")
    java_home = os.environ.get("JAVA_HOME")
    java = os.path.join(java_home, "bin", "java") if java_home else _binary("java")
    server = Server("kafka")
    try:
        port, cport = free_ports(2)
        props = server.path("server.properties")
        with open(props, "w") as fh:
            fh.write("\n".join([
                "process.roles=broker,controller", "node.id=1",
                f"controller.quorum.voters=1@127.0.0.1:{cport}",
                f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                f"log.dirs={server.path('data')}",
                "num.partitions=1", "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1", "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "group.consumer.min.session.timeout.ms=1000",
                "group.classic.min.session.timeout.ms=1000", ""]))
        log4j = server.path("log4j2.properties")
        with open(log4j, "w") as fh:
            fh.write("status = warn\nappender.out.type = Console\nappender.out.name = out\n"
                     "appender.out.layout.type = PatternLayout\n"
                     "appender.out.layout.pattern = [%d] %p %m (%c)%n\n"
                     "rootLogger.level = INFO\nrootLogger.appenderRef.out.ref = out\n")
        jvm = [java, "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
               f"-Dlog4j2.configurationFile={log4j}", f"-Dkafka.logs.dir={server.dir}",
               "-cp", os.path.join(jars, "*")]
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        server.run(jvm + ["kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}",
                          "-c", props], "format.log")
        proc = server.spawn(jvm + ["kafka.Kafka", props], "kafka.log")
        server.wait_ready(lambda: probe_kafka("127.0.0.1", port), proc)
    except BaseException:
        server.stop(keep_dir=True)
        raise
    broker = Restartable(server, proc, "kafka.log", lambda: probe_kafka("127.0.0.1", port))
    return Service("kafka", "127.0.0.1", port, f"127.0.0.1:{port}", server.dir,
                   {"jars": jars}, broker), server


def start_moto() -> tuple[Service, Server]:
    try:
        importlib.import_module("moto.server")
    except ImportError as e:
        raise ServiceUnavailable(f"moto's server is not installed ({e}): install the test "
                                 "extra, pip install -e '.[dev]' (it has moto[server])") from None
    server = Server("moto")
    try:
        (port,) = free_ports(1)
        proc = server.spawn([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                             "-p", str(port)], "moto.log")
        server.wait_ready(lambda: probe_http("127.0.0.1", port), proc)
    except BaseException:
        server.stop(keep_dir=True)
        raise
    return Service("moto", "127.0.0.1", port, f"http://127.0.0.1:{port}", server.dir), server


# -- the fixtures --------------------------------------------------------------------------

def _from_env(var: str, name: str, default_port: int, probe, url: Callable[[str, int], str],
              value: str | None = None) -> Service:
    value = value if value is not None else os.environ[var]
    host, port = _host_port(value, default_port)
    deadline = time.monotonic() + 30
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if probe(host, port):
                return Service(name, host, port, url(host, port))
        except OSError as e:
            last = e
        time.sleep(0.2)
    raise ServiceUnavailable(f"{var}={value!r} names no working {name} server "
                             f"({last or 'it did not answer as one'})")


def _provide(var: str, from_env: Callable[[str], Service],
             start: Callable[[], tuple[Service, Server]]) -> Iterator[Service]:
    server, reason = None, None
    try:
        if os.environ.get(var):
            service = from_env(os.environ[var])
        else:
            service, server = _attempts(start)
    except ServiceUnavailable as e:
        reason = str(e)
    if reason is not None:
        require_service(False, reason)
        return
    try:
        yield service
    finally:
        if server is not None:
            server.stop()


def _provide_simple(var, name, port, probe, url, start) -> Iterator[Service]:
    """``_provide`` for a service named in ``var`` by ``host:port`` alone."""
    yield from _provide(var, lambda value: _from_env(var, name, port, probe, url, value),
                        start)


@pytest.fixture(scope="session")
def postgres_service() -> Iterator[Service]:
    """A PostgreSQL server: ``url`` is a libpq conninfo of a superuser (trust auth)."""
    def from_env(value: str) -> Service:
        host, port = "127.0.0.1", 5432
        for key, val in re.findall(r"(\w+)\s*=\s*'?([^'\s]*)", value):
            if key == "host":
                host = val
            elif key == "port":
                port = int(val)
        if "://" in value:
            host, port = _host_port(value, 5432)
        with socket.create_connection((host, port), timeout=10):
            pass
        return Service("postgres", host, port, value)

    def checked(value: str) -> Service:
        try:
            return from_env(value)
        except OSError as e:
            raise ServiceUnavailable(f"SPARKLET_TEST_POSTGRES={value!r}: {e}") from None

    yield from _provide("SPARKLET_TEST_POSTGRES", checked, start_postgres)


@pytest.fixture(scope="session")
def redis_service() -> Iterator[Service]:
    """A Redis server (7.x: streams and consumer groups)."""
    yield from _provide_simple(
        "SPARKLET_TEST_REDIS", "redis", 6379, probe_redis,
        lambda h, p: f"redis://{h}:{p}/0", start_redis)


@pytest.fixture(scope="session")
def mqtt_service() -> Iterator[Service]:
    """An MQTT broker (Mosquitto), anonymous access."""
    yield from _provide_simple(
        "SPARKLET_TEST_MQTT", "mqtt", 1883, probe_mqtt,
        lambda h, p: f"tcp://{h}:{p}", start_mqtt)


@pytest.fixture(scope="session")
def nats_service() -> Iterator[Service]:
    """A NATS server with JetStream."""
    yield from _provide_simple(
        "SPARKLET_TEST_NATS", "nats", 4222, probe_nats_jetstream,
        lambda h, p: f"nats://{h}:{p}", start_nats)


@pytest.fixture(scope="session")
def rabbitmq_service() -> Iterator[Service]:
    """A RabbitMQ broker; ``url`` is an AMQP URL with the default guest account."""
    yield from _provide_simple(
        "SPARKLET_TEST_RABBITMQ", "rabbitmq", 5672, probe_amqp,
        lambda h, p: f"amqp://guest:guest@{h}:{p}/%2F", start_rabbitmq)


@pytest.fixture(scope="session")
def kafka_service() -> Iterator[Service]:
    """An Apache Kafka broker (KRaft, one node); ``url`` is its bootstrap server."""
    yield from _provide_simple(
        "SPARKLET_TEST_KAFKA", "kafka", 9092, probe_kafka,
        lambda h, p: f"{h}:{p}", start_kafka)


@pytest.fixture(scope="session")
def moto_service() -> Iterator[Service]:
    """A moto server (AWS APIs: Kinesis, S3, DynamoDB...); ``url`` is its endpoint URL."""
    yield from _provide_simple(
        "SPARKLET_TEST_MOTO", "moto", 5000, probe_http,
        lambda h, p: f"http://{h}:{p}", start_moto)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
"""Flags for a headless Chromium on a machine with no network but loopback (it would
otherwise keep trying to reach update and sync services) and, as root, no sandbox."""


def find_chromium() -> str:
    value = os.environ.get("SPARKLET_TEST_CHROMIUM")
    if value:
        if not os.access(value, os.X_OK):
            raise ServiceUnavailable(f"SPARKLET_TEST_CHROMIUM={value!r} is not an executable")
        return value
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise ServiceUnavailable("Chromium is not installed (Debian package chromium; .ci/run "
                             "installs it)")


@pytest.fixture(scope="session")
def chromium() -> Iterator[str]:
    """The path of a Chromium executable that runs (``--version`` answers)."""
    try:
        exe = find_chromium()
        result = subprocess.run([exe, "--version"], capture_output=True, text=True,
                                timeout=60, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise ServiceUnavailable(f"{exe} --version failed: {result.stderr[-2000:]}")
    except (ServiceUnavailable, OSError, subprocess.TimeoutExpired) as e:
        require_service(False, str(e))
        return
    yield exe


@pytest.fixture(scope="session")
def browser(chromium) -> Iterator[object]:
    """A Playwright ``Browser`` (sync API) driving headless ``chromium``. Playwright's own
    browser downloads are never used: it runs the installed executable."""
    sync_api = require_module("playwright.sync_api", "playwright")
    try:
        pw = sync_api.sync_playwright().start()
    except Exception as e:
        require_service(False, f"Playwright did not start: {e}")
        return
    try:
        try:
            instance = pw.chromium.launch(executable_path=chromium, headless=True,
                                          args=CHROMIUM_ARGS, timeout=START_TIMEOUT * 1000)
        except Exception as e:
            require_service(False, f"Playwright could not launch {chromium}: {e}")
            return
        try:
            yield instance
        finally:
            instance.close()
    finally:
        pw.stop()


FIXTURES = ("postgres_service", "redis_service", "mqtt_service", "nats_service",
            "rabbitmq_service", "kafka_service", "moto_service", "chromium", "browser")


# -- mariadb -------------------------------------------------------------------------------
#
# ``mariadb_service`` (``SPARKLET_TEST_MYSQL``: a ``mysql://user:pass@host:port/db`` URL of
# an account that may create tables in ``db`` and create and drop databases named
# ``sparklet_test_*`` -- one per test): a MariaDB server of its own otherwise, from
# Debian's mariadb-server (10.11), on a private data directory in a temporary directory.
# Measured here (2 cores): start_mariadb 0.7-0.8 s in all (mariadb-install-db most of it,
# the server serving 0.2 s after its start), stopping it 0.05 s.

MARIADB_DATABASE = "sparklet_test"
MARIADB_USER, MARIADB_PASSWORD = "sparklet", "sparklet-pw"


def probe_mysql(host: str, port: int, **kwargs) -> bool:
    """A real MySQL-protocol login (PyMySQL) answering ``SELECT 1``."""
    pymysql = importlib.import_module("pymysql")
    try:
        conn = pymysql.connect(host=host, port=port, connect_timeout=2, **kwargs)
    except pymysql.err.OperationalError:
        return False
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
            return cur.fetchone() == (1,)
    finally:
        conn.close()


def start_mariadb() -> tuple[Service, Server]:
    try:
        importlib.import_module("pymysql")
    except ImportError as e:
        raise ServiceUnavailable(f"PyMySQL is not installed ({e}): pip install -e "
                                 "'.[dev]'") from None
    install_db = _binary("mariadb-install-db", "/usr/bin/mariadb-install-db")
    exe = _binary("mariadbd", "/usr/sbin/mariadbd")
    server = Server("mariadb")
    as_root = ["--user=root"] if os.geteuid() == 0 else []
    try:
        (port,) = free_ports(1)
        data = server.path("data")
        # --no-defaults everywhere: nothing from /etc/mysql (Debian's port, socket, datadir).
        server.run([install_db, "--no-defaults", f"--datadir={data}", *as_root,
                    "--auth-root-authentication-method=normal", "--skip-test-db"],
                   "install-db.log")
        log = server.path("mariadb.log")
        server.logs.append(log)
        proc = server.spawn([
            exe, "--no-defaults", f"--datadir={data}", f"--socket={server.path('mysqld.sock')}",
            f"--pid-file={server.path('mysqld.pid')}", f"--log-error={log}",
            f"--port={port}", "--bind-address=127.0.0.1", "--skip-networking=0",
            "--skip-name-resolve", *as_root,
            # Test speed over durability: no binary log, the redo log flushed once a
            # second, no doublewrite buffer, small buffers.
            "--skip-log-bin", "--innodb-flush-log-at-trx-commit=2", "--innodb-doublewrite=0",
            "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=32M",
            "--sync-frm=0"], "mariadbd.log")
        server.wait_ready(lambda: probe_mysql("127.0.0.1", port, user="root"), proc)
        pymysql = importlib.import_module("pymysql")
        conn = pymysql.connect(host="127.0.0.1", port=port, user="root", autocommit=True)
        try:
            with conn.cursor() as cur:
                cur.execute(f"CREATE DATABASE IF NOT EXISTS {MARIADB_DATABASE}")
                cur.execute(f"CREATE USER IF NOT EXISTS '{MARIADB_USER}'@'%' "
                            f"IDENTIFIED BY '{MARIADB_PASSWORD}'")
                cur.execute(f"GRANT ALL ON `{MARIADB_DATABASE}%`.* TO '{MARIADB_USER}'@'%'")
        finally:
            conn.close()
    except BaseException:
        server.stop(keep_dir=True)
        raise
    url = f"mysql://{MARIADB_USER}:{MARIADB_PASSWORD}@127.0.0.1:{port}/{MARIADB_DATABASE}"
    return Service("mariadb", "127.0.0.1", port, url, server.dir,
                   {"database": MARIADB_DATABASE, "root": f"mysql://root@127.0.0.1:{port}/"},
                   Restartable(server, proc, "mariadbd.log",
                               lambda: probe_mysql("127.0.0.1", port, user="root"))), server


def _mysql_url_kwargs(url: str) -> dict:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    return {"host": parts.hostname or "127.0.0.1", "port": parts.port or 3306,
            "user": unquote(parts.username or ""), "password": unquote(parts.password or ""),
            "database": parts.path.lstrip("/") or None}


@pytest.fixture(scope="session")
def mariadb_service() -> Iterator[Service]:
    """A MariaDB (or MySQL) server: ``url`` is ``mysql://user:pass@host:port/db``, an
    account owning database ``extra["database"]`` (and ``sparklet_test_*`` databases)."""
    def from_env(value: str) -> Service:
        kw = _mysql_url_kwargs(value)
        deadline = time.monotonic() + 30
        while not probe_mysql(**kw):
            if time.monotonic() > deadline:
                raise ServiceUnavailable(f"SPARKLET_TEST_MYSQL={value!r} names no MySQL "
                                         "server that lets its account in")
            time.sleep(0.2)
        return Service("mariadb", kw["host"], kw["port"], value,
                       extra={"database": kw["database"]})

    def checked(value: str) -> Service:
        try:
            return from_env(value)
        except (OSError, ImportError) as e:
            raise ServiceUnavailable(f"SPARKLET_TEST_MYSQL={value!r}: {e}") from None

    yield from _provide("SPARKLET_TEST_MYSQL", checked, start_mariadb)


@contextlib.contextmanager
def fresh_mariadb_database(service: Service) -> Iterator[str]:
    """A new, empty database on ``service`` (``sparklet_test_<hex>``), dropped afterwards:
    yields its ``mysql://`` URL."""
    from urllib.parse import urlsplit, urlunsplit

    pymysql = importlib.import_module("pymysql")
    name = f"{MARIADB_DATABASE}_{uuid.uuid4().hex[:8]}"
    admin = pymysql.connect(**_mysql_url_kwargs(service.url), autocommit=True)
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE {name}")
        try:
            yield urlunsplit(urlsplit(service.url)._replace(path="/" + name))
        finally:
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS {name}")
    finally:
        admin.close()


FIXTURES = FIXTURES + ("mariadb_service",)


# -- flume ---------------------------------------------------------------------------------

FLUME_POM = REPO / ".ci" / "flume-pom.xml"


FLUME_SINK_POM = REPO / ".ci" / "flume-sink-pom.xml"


def flume_jars_dir(sparksink: bool = False) -> str:
    """Where .ci/flume-jars puts Apache Flume's agent jars (``sparksink``: those of the
    agent that can run Spark's SparkSink)."""
    pom, prefix = (FLUME_SINK_POM, "flume-sparksink") if sparksink else (FLUME_POM, "flume")
    match = re.search(r"<flume.version>([^<]+)</flume.version>", pom.read_text())
    assert match, f"no <flume.version> in {pom}"
    cache = os.environ.get("SPARKLET_CACHE") or os.path.expanduser("~/.cache/sparklet")
    return os.path.join(cache, f"{prefix}-{match.group(1)}")


def start_flume_agent(properties: str, agent: str = "a1", sparksink: bool = False) -> Server:
    """A real Apache Flume agent (``org.apache.flume.node.Application``) running the
    configuration ``properties`` (Flume's properties format) as agent ``agent``; with
    ``sparksink`` the agent whose classpath has Spark's SparkSink. Stop it with
    ``.stop()``. Its log is ``flume.log`` in its directory."""
    jars = flume_jars_dir(sparksink)
    if not glob.glob(os.path.join(jars, "flume-ng-node-*.jar")):
        msg = (f"the Flume agent jars are not in {jars}: fetch them with .ci/flume-jars "
               "(Maven), as .ci/run does")
        require_service(False, msg)
    java_home = os.environ.get("JAVA_HOME")
    java = os.path.join(java_home, "bin", "java") if java_home else _binary("java")
    server = Server("flume")
    conf = server.path("agent.properties")
    with open(conf, "w") as fh:
        fh.write(properties)
    log4j = server.path("log4j2.xml")
    with open(log4j, "w") as fh:
        fh.write('<Configuration status="warn"><Appenders><Console name="out">'
                 '<PatternLayout pattern="[%d] %p %m (%c)%n"/></Console></Appenders>'
                 '<Loggers><Root level="info"><AppenderRef ref="out"/></Root></Loggers>'
                 '</Configuration>\n')
    server.spawn([java, "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
                  f"-Dlog4j.configurationFile={log4j}", "-cp", os.path.join(jars, "*"),
                  "org.apache.flume.node.Application", "-f", conf, "-n", agent,
                  "--no-reload-conf"], "flume.log")
    return server


# -- kinesis ----

def start_moto_restartable() -> tuple[Service, Server]:
    """A moto server of one test's own, with ``process`` (a :class:`Restartable`) so the
    test can have it down at start or stop it mid-stream. moto keeps everything in memory:
    a restarted server has no streams or tables."""
    try:
        importlib.import_module("moto.server")
    except ImportError as e:
        raise ServiceUnavailable(f"moto's server is not installed ({e})") from None
    server = Server("moto-own")
    (port,) = free_ports(1)
    proc = server.spawn([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                         "-p", str(port)], "moto.log")
    try:
        server.wait_ready(lambda: probe_http("127.0.0.1", port), proc)
    except BaseException:
        server.stop(keep_dir=True)
        raise
    restartable = Restartable(server, proc, "moto.log", lambda: probe_http("127.0.0.1", port))
    service = Service("moto", "127.0.0.1", port, f"http://127.0.0.1:{port}", server.dir)
    service.process = restartable
    return service, server


@pytest.fixture
def moto_own_service() -> Iterator[Service]:
    """A moto server for one test (stopped after it), which the test may stop and start."""
    try:
        service, server = start_moto_restartable()
    except ServiceUnavailable as e:
        require_service(False, str(e))
        return
    try:
        yield service
    finally:
        server.stop()


# -- dask ----------------------------------------------------------------------------------
#
# ``dask_cluster`` (no environment variable: its tests kill its workers, so it is always a
# cluster of its own): a Dask distributed cluster started from the command line, as a user
# would start one -- ``dask scheduler`` and ``dask worker --nworkers 2 --nthreads 1`` (two
# worker processes, each under a nanny that starts a new one when it dies), on free
# 127.0.0.1 ports, with the worktree's ``src`` on the workers' PYTHONPATH and
# PYTHONHASHSEED=0. ``Service.url`` is the scheduler's ``tcp://`` address,
# ``extra["master"]`` the ``dask://`` master of sparklet-submit. Ready once the scheduler
# lists both workers.

DASK_WORKERS = 2


def wait_dask_workers(address: str, count: int = DASK_WORKERS,
                      timeout: float = START_TIMEOUT,
                      proc: subprocess.Popen | None = None,
                      without: tuple[str, ...] = ()) -> list[str]:
    """Wait (``timeout`` seconds at most) until the scheduler lists ``count`` workers and
    none of ``without`` -- after a test killed one (``without`` its address), until the
    scheduler has dropped it and the nanny's replacement has joined."""
    from distributed import Client

    deadline = time.monotonic() + timeout
    with Client(address, timeout=timeout, set_as_default=False) as client:
        while True:
            # The scheduler's own answer, not the client's cached identity (its periodic
            # refresh leaves that listing no workers).
            workers = sorted(client.sync(client.scheduler.identity, n_workers=-1)["workers"])
            if len(workers) >= count and not set(without) & set(workers):
                return workers
            if proc is not None and proc.poll() is not None:
                raise ServiceUnavailable(f"dask worker exited with code {proc.returncode}")
            if time.monotonic() > deadline:
                raise ServiceUnavailable(f"the Dask scheduler at {address} lists "
                                         f"{len(workers)} workers, not {count}, after "
                                         f"{timeout:.0f} s")
            time.sleep(0.05)


def start_dask_cluster(workers: int = DASK_WORKERS) -> tuple[Service, Server]:
    try:
        importlib.import_module("distributed")
    except ImportError as e:
        raise ServiceUnavailable(f"Dask distributed is not installed ({e}): pip install -e "
                                 "'.[dev]' (or 'sparklet[dask]')") from None
    # The console script of the interpreter running the tests first: its distributed is
    # the one imported here.
    exe = os.path.join(os.path.dirname(sys.executable), "dask")
    if not os.access(exe, os.X_OK):
        exe = _binary("dask")
    src = str(REPO / "src")
    env = {**os.environ, "PYTHONHASHSEED": "0",
           "PYTHONPATH": os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)}
    server = Server("dask")
    try:
        (port,) = free_ports(1)
        address = f"tcp://127.0.0.1:{port}"
        scheduler = server.spawn([exe, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], "scheduler.log", env)
        server.wait_ready(lambda: _tcp_open("127.0.0.1", port), scheduler)
        worker = server.spawn([exe, "worker", address, "--nworkers", str(workers),
                               "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard",
                               "--local-directory", server.path("workers")],
                              "worker.log", env)
        try:
            wait_dask_workers(address, workers, START_TIMEOUT, worker)
        except Exception as e:  # noqa: BLE001 - a ServiceUnavailable or the client's error
            raise server.failure(str(e)) from None
    except BaseException:
        server.stop(keep_dir=True)
        raise
    return Service("dask", "127.0.0.1", port, address, server.dir,
                   {"master": f"dask://127.0.0.1:{port}", "env": env}), server


@pytest.fixture(scope="session")
def dask_cluster() -> Iterator[Service]:
    """A Dask cluster of two single-threaded workers started with the ``dask`` CLI. A test
    that kills a worker leaves the nanny to replace it; the next test should
    :func:`wait_dask_workers` before it counts on two."""
    try:
        service, server = _attempts(start_dask_cluster)
    except ServiceUnavailable as e:
        require_service(False, str(e))
        return
    try:
        yield service
    finally:
        server.stop()


FIXTURES = FIXTURES + ("dask_cluster",)
