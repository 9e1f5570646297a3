"""The UI's life with its SparkContext: on, off, missing, on a taken port, stopped."""

import json
import socket
import subprocess
import sys
import textwrap
import urllib.request

import pytest

from sparklet import SparkConf, SparkContext


def _conf(**extra) -> SparkConf:
    conf = SparkConf().setMaster("local[2]").setAppName("ui-lifecycle")
    for k, v in extra.items():
        conf.set(k, v)
    return conf


@pytest.fixture
def fresh():
    """No active context before or after (the suite's shared one is restarted by its own
    fixture when a later test asks for it)."""
    active = SparkContext._active_spark_context
    if active is not None:
        active.stop()
    built = []
    yield lambda conf: built.append(SparkContext(conf=conf)) or built[-1]
    for sc in built:
        sc.stop()


def test_disabled_ui_serves_nothing_and_posts_nothing(fresh):
    sc = fresh(_conf(**{"spark.ui.enabled": "false"}))
    assert sc.uiWebUrl is None and sc._ui is None
    assert not sc._listener_bus.active
    assert sc._dag_scheduler.ui_events is None
    assert sc.parallelize(range(10), 2).sum() == 45


def test_taken_port_moves_to_the_next_free_one_and_stop_frees_it(fresh):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        sc = fresh(_conf(**{"spark.ui.enabled": "true", "spark.ui.port": str(port)}))
        url = sc.uiWebUrl
        assert url.startswith("http://127.0.0.1:")
        got = int(url.rsplit(":", 1)[1])
        assert got != port and port < got <= port + 16
        assert sc._listener_bus.wait_until_empty(30)  # events reach the store in bursts
        with urllib.request.urlopen(url + "/api/v1/applications", timeout=30) as r:
            [app] = json.load(r)
        assert app["id"] == sc.applicationId and app["name"] == "ui-lifecycle"
        sc.stop()
        with pytest.raises(OSError):
            urllib.request.urlopen(url + "/api/v1/applications", timeout=5)


def test_without_the_ui_extra_the_app_runs_and_says_so_once(tmp_path):
    # starlette made unimportable, as on an install without sparklet[ui]
    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent("""
        import logging, sys
        sys.modules["starlette"] = None
        logging.basicConfig(level=logging.WARNING, format="%(name)s %(message)s")
        from sparklet import SparkConf, SparkContext
        for _ in range(2):
            conf = SparkConf().setMaster("local[1]").setAppName("no-ui")
            with SparkContext(conf=conf) as sc:
                print("url", sc.uiWebUrl, "sum", sc.parallelize(range(5)).sum())
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["url None sum 10"] * 2
    warnings = [line for line in out.stderr.splitlines() if "UI is off" in line]
    assert len(warnings) == 1, out.stderr
    assert "starlette" in warnings[0] and "sparklet[ui]" in warnings[0]
