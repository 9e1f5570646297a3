"""Monitoring: the web UI, its REST API and /metrics, the event log, the history server.

Everything here reads listener events only (see :mod:`sparklet.ui.events`): the scheduler
posts them to the SparkContext's :class:`~sparklet.ui.bus.LiveListenerBus`, whose thread
feeds the status store the pages are served from, and the event log. ``spark.ui.enabled``
(true) starts the UI on ``spark.ui.port`` (4040, or the next free port) of
``spark.ui.host`` (127.0.0.1); it needs the ``ui`` extra (``pip install sparklet[ui]``) and
without it the application runs and says once that the UI is off.
"""

from __future__ import annotations

import logging
import os

__all__ = ["SparkUI", "attach"]

log = logging.getLogger("sparklet.ui")

# Tests of the rest of the engine switch this off (tests/conftest.py), as Spark's own test
# suites set spark.ui.enabled=false; applications get Spark's default.
ENABLED_BY_DEFAULT = True
_warned_missing = False


def _ui_libraries_missing() -> str | None:
    import importlib.util

    missing = [m for m in ("starlette", "uvicorn") if importlib.util.find_spec(m) is None]
    return ", ".join(missing) or None


class SparkUI:
    """The driver's monitoring parts: the status ``store`` (None when the UI is off), the
    HTTP ``server`` (None until started) and the ``event_log`` listener (or None)."""

    def __init__(self, sc, bus) -> None:
        self._sc = sc
        self.bus = bus
        self.store = None
        self.server = None
        self.event_log = None

    @property
    def url(self) -> str | None:
        return self.server.url if self.server is not None else None

    def start_server(self) -> None:
        from sparklet.ui.server import UIServer, create_app
        from sparklet.ui.store import SingleStore

        conf = self._sc._conf
        kill_enabled = conf.get("spark.ui.killEnabled", "false").lower() == "true"
        # How often an open page asks for fresh data (sparklet's key: Spark's pages do not
        # refresh themselves).
        poll = conf.getTimeAsSeconds("spark.ui.refreshInterval", "1s")
        provider = SingleStore(self.store)
        token = conf.get("spark.ui.auth.token")
        kill_handler = self._kill_job if kill_enabled else None

        def app():  # built (starlette imported) in the server's thread: start() only binds
            return create_app(provider, token=token, kill_enabled=kill_enabled,
                              poll_ms=max(int(poll * 1000), 50), kill_handler=kill_handler)

        server = UIServer(host=conf.get("spark.ui.host", "127.0.0.1"),
                          port=conf.getInt("spark.ui.port", 4040),
                          max_retries=conf.getInt("spark.port.maxRetries", 16), factory=app)
        server.start()
        self.server = server
        log.info("Bound SparkUI to %s, and started at %s", server.host, server.url)

    def _kill_job(self, job_id: int) -> bool:
        return bool(self._sc._dag_scheduler.cancel_jobs(
            lambda job: job.job_id == job_id, "from the web UI"))

    def stop(self) -> None:
        """Post the end of the application, deliver what is queued, close the log and the
        server (the history server shows the application as complete from then on)."""
        from sparklet.ui import events

        self.bus.post(events.application_end())
        self.bus.stop()
        if self.event_log is not None:
            self.event_log.stop()
        if self.server is not None:
            self.server.stop()


def attach(sc) -> SparkUI | None:
    """Start what ``sc``'s configuration asks for: the store and event log listen on a new
    bus (``sc._listener_bus``), the application start is posted. None when nothing listens;
    the web server itself starts in :meth:`SparkUI.start_server`, once the executors run."""
    global _warned_missing
    from sparklet.ui.bus import DEFAULT_CAPACITY, LiveListenerBus

    conf = sc._conf
    # How stale the UI may be: events are delivered in bursts this often (Spark's key: how
    # often its status store refreshes live entities).
    period = conf.getTimeAsSeconds("spark.ui.liveUpdate.period", "100ms")
    bus = LiveListenerBus(conf.getInt("spark.scheduler.listenerbus.eventqueue.capacity",
                                      DEFAULT_CAPACITY), max(period, 0.0))
    sc._listener_bus = bus
    ui = SparkUI(sc, bus)
    default = "true" if ENABLED_BY_DEFAULT else "false"
    if conf.get("spark.ui.enabled", default).lower() == "true":
        missing = _ui_libraries_missing()
        if missing is None:
            from sparklet.ui.store import AppStatusStore

            ui.store = AppStatusStore(dict(conf.getAll()))
            bus.add_listener(ui.store)
        elif not _warned_missing:
            _warned_missing = True
            log.warning("The Spark UI is off: it needs %s (pip install 'sparklet[ui]'); "
                        "set spark.ui.enabled=false to silence this", missing)
    if conf.get("spark.eventLog.enabled", "false").lower() == "true":
        from sparklet.ui.eventlog import maybe_start_event_log

        ui.event_log = maybe_start_event_log(sc)
    if not bus.active:
        return None
    from sparklet.ui import events

    bus.start()
    bus.post(events.application_start(sc))
    bus.post(events.environment_update(sc))
    bus.post(events.executor_added("driver", 0, os.getpid()))
    return ui
