"""Logging: Spark's levels through sc.setLogLevel, spark.log.level, the quiet default (WARN)
and $SPARK_CONF_DIR/logging.conf. Behaviour of a fresh process (what a user sees on the
console) runs in a subprocess; level changes run in this one, restored afterwards."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sparklet import SparkConf, logging_setup

SRC = Path(__file__).resolve().parents[1] / "src"

# Spark's levels from the least to the most specific (log4j's order); a logger at one of
# them lets a record through when the record's level is the same or later in this list.
ORDER = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]
# the number a record at each of those levels is logged with in Python
RECORD_LEVEL = {"TRACE": 5, "DEBUG": logging.DEBUG, "INFO": logging.INFO,
                "WARN": logging.WARNING, "ERROR": logging.ERROR, "FATAL": logging.CRITICAL}


def passes(threshold: str, record: str) -> bool:
    """The model: which records a Spark log level shows."""
    if threshold == "ALL":
        return True
    if threshold == "OFF":
        return False
    return ORDER.index(record) >= ORDER.index(threshold)


@pytest.fixture
def restore_level():
    logger = logging.getLogger("sparklet")
    before = logger.level
    yield logger
    logger.setLevel(before)


@pytest.mark.parametrize("name", ["ALL", "trace", "Debug", "INFO", "warn", "ERROR", "FATAL",
                                  "off"])
def test_set_log_level_governs_every_sparklet_logger(sc, restore_level, caplog, name):
    sc.setLogLevel(name)
    child = logging.getLogger("sparklet.scheduler.test_logging")
    caplog.clear()
    for record in ORDER:
        child.log(RECORD_LEVEL[record], "record at %s", record)
    shown = [r.getMessage().rsplit(" ", 1)[1] for r in caplog.records
             if r.name == child.name]
    assert shown == [r for r in ORDER if passes(name.upper(), r)]


def test_all_is_not_the_root_loggers_level(sc, restore_level):
    # The root logger stays at Python's WARNING; ALL must still show DEBUG and TRACE.
    assert logging.getLogger().level == logging.WARNING
    sc.setLogLevel("ALL")
    assert logging.getLogger("sparklet.any").isEnabledFor(5)


def test_unknown_level_is_refused_and_changes_nothing(sc, restore_level):
    sc.setLogLevel("ERROR")
    with pytest.raises(ValueError) as info:
        sc.setLogLevel("LOUD")
    assert str(info.value) == ("Supplied level LOUD did not match one of: "
                               "ALL,DEBUG,ERROR,FATAL,INFO,OFF,TRACE,WARN")
    assert restore_level.level == logging.ERROR


def test_spark_log_level_applies_at_start(make_context, restore_level):
    make_context(SparkConf().set("spark.log.level", "debug").set("spark.ui.enabled", "false"))
    assert restore_level.getEffectiveLevel() == logging.DEBUG
    assert logging.getLogger("sparklet.rdd").isEnabledFor(logging.DEBUG)


def test_bad_spark_log_level_fails_the_start(make_context, restore_level):
    with pytest.raises(ValueError, match="spark.log.level should be one of ALL, DEBUG"):
        make_context(SparkConf().set("spark.log.level", "chatty"))


def _run(script: str, tmp_path: Path, conf_dir: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SPARKLET_SUBMIT_CONF"}
    env["PYTHONPATH"] = str(SRC)
    if conf_dir is None:
        conf_dir = tmp_path / "empty-conf"
        conf_dir.mkdir()
    env["SPARK_CONF_DIR"] = str(conf_dir)
    prelude = ("from sparklet import SparkConf, SparkContext\nimport logging\n"
               "conf = SparkConf().setMaster('local[1]').set('spark.ui.enabled', 'false')\n")
    done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(script)], env=env,
                          capture_output=True, text=True, timeout=120, cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr
    return done


STAMP = r"\d\d/\d\d/\d\d \d\d:\d\d:\d\d"


def test_quiet_by_default_until_set_log_level(tmp_path):
    done = _run("""
        sc = SparkContext(conf=conf)
        log = logging.getLogger("sparklet.scheduler")
        log.info("info before")
        log.warning("warn before")
        sc.setLogLevel("INFO")
        log.info("info after")
        sc.stop()
    """, tmp_path)
    err = done.stderr
    assert "info before" not in err
    # Spark's console layout: date time, log4j's level name, logger, message.
    assert re.search(r"^%s WARN sparklet\.scheduler: warn before$" % STAMP, err, re.M), err
    assert re.search(r"^%s INFO sparklet\.scheduler: info after$" % STAMP, err, re.M), err


def test_an_application_that_logs_at_info_still_gets_a_quiet_sparklet(tmp_path):
    # Its root logger at INFO shows the application's INFO records, not sparklet's (WARN on
    # the sparklet logger itself); each record once, through the application's handler.
    done = _run("""
        logging.basicConfig(level=logging.INFO, format="app| %(name)s %(message)s")
        sc = SparkContext(conf=conf)
        logging.getLogger("myapp").info("app info")
        logging.getLogger("sparklet.x").info("sparklet info")
        logging.getLogger("sparklet.x").warning("careful")
        sc.stop()
    """, tmp_path)
    err = done.stderr
    assert "app| myapp app info" in err and "sparklet info" not in err
    assert err.count("careful") == 1 and "app| sparklet.x careful" in err


def test_a_level_set_before_the_context_is_kept(tmp_path):
    done = _run("""
        logging.getLogger("sparklet").setLevel(logging.INFO)
        sc = SparkContext(conf=conf)
        logging.getLogger("sparklet.x").info("told you")
        sc.stop()
    """, tmp_path)
    assert "INFO sparklet.x: told you" in done.stderr


def test_logging_conf_in_spark_conf_dir_is_applied(tmp_path):
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    log_file = tmp_path / "sparklet.log"
    (conf_dir / "logging.conf").write_text(textwrap.dedent("""\
        [loggers]
        keys=root,sparklet,streaming

        [handlers]
        keys=file

        [formatters]
        keys=plain

        [logger_root]
        level=WARNING
        handlers=

        [logger_sparklet]
        level=INFO
        handlers=file
        qualname=sparklet

        [logger_streaming]
        level=ERROR
        handlers=
        qualname=sparklet.streaming

        [handler_file]
        class=FileHandler
        formatter=plain
        args=(%r, "w")

        [formatter_plain]
        format=%%(levelname)s|%%(name)s|%%(message)s
    """ % str(log_file)))
    done = _run("""
        import sparklet.streaming.context  # a logger that exists before the file is applied
        sc = SparkContext(conf=conf)
        logging.getLogger("sparklet.core").info("core info")
        logging.getLogger("sparklet.streaming.context").warning("streaming warn")
        logging.getLogger("sparklet.streaming.context").error("streaming error")
        sc.setLogLevel("ERROR")  # the sparklet logger's; sparklet.streaming keeps its own
        logging.getLogger("sparklet.core").warning("core warn after")
        sc.stop()
    """, tmp_path, conf_dir)
    lines = log_file.read_text().splitlines()
    assert "INFO|sparklet.core|core info" in lines
    assert "ERROR|sparklet.streaming.context|streaming error" in lines
    assert not any("streaming warn" in line or "core warn after" in line for line in lines)
    assert "core info" not in done.stderr  # no default console handler besides the file's


def test_levels_are_named_as_spark_names_them():
    assert logging.getLevelName(logging_setup.TRACE) == "TRACE"
    assert logging_setup.spark_level("fatal") == logging.CRITICAL
    assert sorted(logging_setup.LEVELS) == ["ALL", "DEBUG", "ERROR", "FATAL", "INFO", "OFF",
                                            "TRACE", "WARN"]
