"""sparklet-shell driven in a pseudo-terminal, as a user types into it: banner, prompt, a
word count, PYTHONSTARTUP, exit() and Ctrl-D, the context stopped at exit."""

from __future__ import annotations

import fcntl
import logging
import os
import re
import select
import subprocess
import sys
import termios
import time
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
# A failure guard only: every wait below ends as soon as the awaited text arrives.
TIMEOUT = 90

pytestmark = pytest.mark.integration


def _take_terminal() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """A child process on a pseudo-terminal, expect-style: ``expect`` reads until a pattern
    shows up (or fails after TIMEOUT), ``send_line`` types a line."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.master, slave = os.openpty()
        # A session of its own with the terminal as its controlling one, as a login shell
        # has: Ctrl-C then reaches the foreground process group, the shell's.
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     cwd=str(ROOT), close_fds=True, start_new_session=True,
                                     preexec_fn=_take_terminal)
        os.close(slave)
        self.output = ""  # everything read so far, \r\n as the terminal sends it
        self._seen = 0  # where the next expect starts looking

    def _read(self, deadline: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        self.output += data.decode("utf-8", "replace")
        return bool(data)

    def expect(self, pattern: str) -> re.Match:
        regex = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + TIMEOUT
        while True:
            m = regex.search(self.output, self._seen)
            if m:
                self._seen = m.end()
                return m
            if not self._read(deadline) and (time.monotonic() >= deadline
                                             or self.proc.poll() is not None):
                raise AssertionError("no %r in the terminal; it shows:\n%s"
                                     % (pattern, self.output))

    def send_line(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")

    def send_eof(self) -> None:
        os.write(self.master, b"\x04")

    def wait(self) -> int:
        deadline = time.monotonic() + TIMEOUT
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(min(deadline, time.monotonic() + 1))  # drain, so the child never blocks
        return self.proc.wait(timeout=1)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # The shell runs its own local context: not on a Dask cluster a --backend=dask run
    # shares (a task the Ctrl-C test leaves sleeping there would hold a worker's thread).
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONSTARTUP", "SPARKLET_SUBMIT_CONF", "SPARKLET_BACKEND",
                        "SPARKLET_DASK_SCHEDULER")}
    conf_dir = tmp_path / "conf"  # no spark-defaults.conf or logging.conf of the machine's
    conf_dir.mkdir(exist_ok=True)
    path = [str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])]
    env.update(PYTHONPATH=os.pathsep.join(path), TERM="dumb", SPARK_CONF_DIR=str(conf_dir),
               PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


def _shell(tmp_path: Path, *options: str, console: str = "--python-console",
           **env: str) -> Terminal:
    return Terminal([sys.executable, "-m", "sparklet.shell", *filter(None, [console]),
                     *options], _env(tmp_path, **env))


PROMPT = r"^>>> "


def test_banner_word_count_and_exit(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# sparklet\nSpark in Python\n\nsparklet is a Spark\n")
    term = _shell(tmp_path, "--master", "local[2]", "--conf", "spark.ui.port=0")
    try:
        term.expect(r'Setting default log level to "WARN"\.\r?\n'
                    r"To adjust logging level use sc\.setLogLevel\(newLevel\)\.")
        term.expect(r"Welcome to")
        term.expect(r"version 0\.1\.0")
        term.expect(r"Using Python version %s" % re.escape(sys.version.split()[0]))
        term.expect(r"Spark context Web UI available at http://127\.0\.0\.1:\d+")
        app_id = term.expect(r"Spark context available as 'sc' \(master = local\[2\], "
                             r"app id = (local-\d+)\)\.").group(1)
        term.expect(r"SparkSession available as 'spark'\.|SparkSession not available")
        term.expect(PROMPT)
        term.send_line('sc.parallelize(["a b", "b"]).flatMap(str.split).countByValue()')
        term.expect(r"^defaultdict\(<class 'int'>, \{'a': 1, 'b': 2\}\)\r?$")
        term.expect(PROMPT)
        # The quick start's first steps: count the lines of a text file, its first line.
        term.send_line("lines = sc.textFile(%r)" % str(readme))
        term.expect(PROMPT)
        term.send_line('print("count=%d first=%s" % (lines.count(), lines.first()))')
        term.expect(r"^count=4 first=# sparklet\r?$")
        term.expect(PROMPT)
        term.send_line("print('id=' + sc.applicationId)")
        term.expect(r"^id=%s\r?$" % app_id)
        term.expect(PROMPT)
        term.send_line("exit()")
        assert term.wait() == 0
    finally:
        term.close()


def test_pythonstartup_ctrl_d_and_stop_at_exit(tmp_path):
    startup = tmp_path / "startup.py"
    # sc exists when the user's start-up file runs (bin/pyspark runs it after its own).
    startup.write_text("greeting = 'hello from ' + sc.appName\n")
    term = _shell(tmp_path, "--name", "Explore", "--conf", "spark.ui.enabled=false",
                  PYTHONSTARTUP=str(startup))
    try:
        term.expect(r"Spark context Web UI not started")
        term.expect(PROMPT)
        term.send_line('print("[" + greeting + "]")')
        term.expect(r"^\[hello from Explore\]\r?$")
        term.expect(PROMPT)
        term.send_line('print("dir=" + sc._local_dir)')
        local_dir = term.expect(r"^dir=(\S+)\r?$").group(1)
        assert os.path.isdir(local_dir)
        term.expect(PROMPT)
        term.send_eof()
        assert term.wait() == 0
    finally:
        term.close()
    assert not os.path.exists(local_dir)  # sc.stop() at exit removed its scratch files


def test_default_app_name_and_logging_hint_once_set(tmp_path):
    # A level the user's logging.conf chose: no "default log level" hint then, as in Spark.
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    (conf_dir / "logging.conf").write_text(
        "[loggers]\nkeys=root,sparklet\n[handlers]\nkeys=\n[formatters]\nkeys=\n"
        "[logger_root]\nhandlers=\n[logger_sparklet]\nlevel=ERROR\nhandlers=\n"
        "qualname=sparklet\n")
    env = _env(tmp_path)
    script = ("import logging; print('name=%s level=%s' % (sc.appName, "
              "logging.getLevelName(logging.getLogger('sparklet').level)))\n")
    done = subprocess.run([sys.executable, "-m", "sparklet.shell", "--python-console",
                           "--conf", "spark.ui.enabled=false"], input=script, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT, cwd=str(ROOT))
    assert done.returncode == 0, done.stderr
    assert "name=PySparkShell level=ERROR" in done.stdout
    assert "Setting default log level" not in done.stderr


def test_bad_conf_is_a_usage_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sparklet.shell", "--conf", "novalue"],
                          env=_env(tmp_path), capture_output=True, text=True, timeout=TIMEOUT,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert "--conf expects KEY=VALUE" in done.stderr and "sparklet-shell" in done.stderr


def test_a_master_sparklet_cannot_run_fails_the_start(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sparklet.shell", "--master", "yarn-ish"],
                          env=_env(tmp_path), capture_output=True, text=True, timeout=TIMEOUT,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    assert "Could not parse Master URL" in done.stderr and ">>>" not in done.stdout


def test_help_lists_submit_options_without_an_application(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sparklet.shell", "--help"],
                          env=_env(tmp_path), capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0
    for option in ("--master", "--name", "--conf", "--py-files", "--properties-file"):
        assert option in done.stdout
    assert "app_args" not in done.stdout


def test_pyproject_declares_the_console_script():
    with open(ROOT / "pyproject.toml", "rb") as fh:
        scripts = tomllib.load(fh)["project"]["scripts"]
    assert scripts["sparklet-shell"] == "sparklet.shell:main"


def test_spark_log_level_is_announced_and_applied(tmp_path):
    script = "import logging; print('level=%d' % logging.getLogger('sparklet').level)\n"
    done = subprocess.run([sys.executable, "-m", "sparklet.shell", "--python-console",
                           "--conf", "spark.ui.enabled=false", "--conf", "spark.log.level=info"],
                          input=script, env=_env(tmp_path), capture_output=True, text=True,
                          timeout=TIMEOUT, cwd=str(ROOT))
    assert done.returncode == 0, done.stderr
    assert "level=%d" % logging.INFO in done.stdout
    # Spark's two lines: the shell's default first, then the configured level over it.
    assert done.stderr.index('Setting default log level to "WARN".') < done.stderr.index(
        'Setting Spark log level to "INFO".')


def test_ctrl_c_cancels_the_running_job_and_the_shell_goes_on(tmp_path):
    started = tmp_path / "task-started"
    term = _shell(tmp_path, "--master", "local[2]", "--conf", "spark.ui.enabled=false")
    try:
        term.expect(PROMPT)
        # The task says it runs (a file), then sleeps far past the test's patience.
        term.send_line("sc.parallelize([0], 1).map(lambda x: (open(%r, 'w').close(), "
                       "__import__('time').sleep(600))).collect()" % str(started))
        deadline = time.monotonic() + TIMEOUT
        while not started.exists():
            assert time.monotonic() < deadline, term.output
            term._read(min(deadline, time.monotonic() + 0.2))
        os.write(term.master, b"\x03")
        term.expect(r"KeyboardInterrupt")
        term.expect(PROMPT)
        term.send_line("print('after=%d' % sc.parallelize(range(10), 2).sum())")
        term.expect(r"^after=45\r?$")
        term.expect(PROMPT)  # a ^D typed before the prompt reads is not an end of input
        term.send_eof()
        assert term.wait() == 0
    finally:
        term.close()


def test_ipython_is_the_shell_when_installed(tmp_path):
    pytest.importorskip("IPython")
    startup = tmp_path / "startup.py"
    startup.write_text("greeting = 'hello from ' + sc.appName\n")  # IPython runs it itself
    term = _shell(tmp_path, "--conf", "spark.ui.enabled=false", console="",
                  PYTHONSTARTUP=str(startup))
    try:
        term.expect(r"Spark context available as 'sc'")
        term.expect(r"In \[1\]: ")
        term.send_line('print("[%s] sum=%d" % (greeting, sc.parallelize(range(5)).sum()))')
        term.expect(r"\[hello from PySparkShell\] sum=10")
        term.expect(r"In \[2\]: ")
        term.send_line("exit()")
        assert term.wait() == 0
    finally:
        term.close()
