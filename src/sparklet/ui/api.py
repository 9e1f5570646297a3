"""The REST API under ``/api/v1``: Spark's monitoring API shapes, read from the store.

``routes(provider)`` returns starlette routes; the server mounts them next to the pages.
Bodies are JSON with Spark's conventions: dates as ``2026-12-02T18:03:04.567GMT``, absent
optional fields left out (Spark's writer skips ``None`` Options), pairs as 2-lists.

Errors follow Spark's: an unknown application, job, stage, attempt or RDD answers 404
with a one-line text message (``no such app: x``, ``unknown job: 7``, ``unknown stage:
12345``, ``unknown attempt for stage 1.  Found attempts: [0]``); a query parameter that
does not convert to its type (``status=bogus``, ``sortBy=bogus``, ``offset=x``) is a 404,
as JAX-RS answers in Spark; a bad ``quantiles`` list is a 400 (Spark parses it itself).

sparklet's addition: ``/applications/{app}/jobs/{jobId}/dag``. The ``/streaming`` and
``/dashboard`` endpoints come from :mod:`sparklet.ui.api_streaming` and
:mod:`sparklet.ui.api_dashboard` and are included here when present.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from sparklet.ui.store import StoreProvider
from sparklet.ui.store.core import JOB_STATUSES, STAGE_STATUSES, TASK_STATUSES
from sparklet.ui.store.views import task_sorting

__all__ = ["routes", "json_response", "strip_absent", "ApiError"]

PREFIX = "/api/v1"
DEFAULT_QUANTILES = "0.05,0.25,0.5,0.75,0.95"


class ApiError(Exception):
    """An error answer: HTTP status and Spark's one-line message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def strip_absent(value):
    """Drop None-valued keys at every depth (Spark's JSON writer omits absent Options)."""
    if isinstance(value, dict):
        return {k: strip_absent(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [strip_absent(v) for v in value]
    return value


def json_response(body, status: int = 200) -> Response:
    text = json.dumps(strip_absent(body), separators=(",", ":"), allow_nan=False)
    return Response(text, status_code=status, media_type="application/json")


def _handler(fn: Callable) -> Callable:
    async def endpoint(request: Request) -> Response:
        try:
            return json_response(fn(request))
        except ApiError as e:
            return PlainTextResponse(e.message, status_code=e.status)
    endpoint.__name__ = fn.__name__
    return endpoint


def _statuses(request: Request, allowed: tuple[str, ...], param: str = "status"):
    values = request.query_params.getlist(param)
    out = []
    for v in values:
        for part in v.split(","):
            if not part:
                continue
            if part.upper() not in allowed:
                raise ApiError(404, "unknown %s: %s (expected one of %s)" % (
                    param, part, ", ".join(s.lower() for s in allowed)))
            out.append(part.upper())
    return out or None


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(404, "bad value for parameter \"%s\": expected an integer, got \"%s\""
                       % (name, raw)) from None


def _bool_param(request: Request, name: str, default: bool) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    return raw.lower() == "true"       # Java's Boolean.valueOf: anything else is false


def _quantiles(request: Request, default: str = DEFAULT_QUANTILES) -> list[float]:
    raw = request.query_params.get("quantiles") or default
    out = []
    for part in raw.split(","):
        try:
            q = float(part)
        except ValueError:
            raise ApiError(400, "Bad value for parameter \"quantiles\".  Expected a double, "
                           "got \"%s\"" % part) from None
        if not 0.0 <= q <= 1.0:
            raise ApiError(400, "Bad value for parameter \"quantiles\".  Expected a double "
                           "between 0 and 1, got \"%s\"" % part)
        out.append(q)
    return out


class _CallableProvider(StoreProvider):
    def __init__(self, get, list_stores=None):
        self._get, self._list = get, list_stores

    def get(self, app_id):
        return self._get(app_id)

    def list(self):
        return list(self._list()) if self._list is not None else []


def routes(provider: StoreProvider) -> list[BaseRoute]:
    """Every ``/api/v1`` route, for the applications ``provider`` serves (a
    StoreProvider; a plain ``app_id -> store`` callable with a ``list_stores`` attribute
    works too)."""
    if not hasattr(provider, "get") and callable(provider):
        provider = _CallableProvider(provider, getattr(provider, "list_stores", None))

    def store_of(request: Request):
        app = request.path_params["app"]
        store = provider.get(app)
        if store is None:
            raise ApiError(404, "no such app: %s" % app)
        return store

    def stage_attempt_or_404(store, stage_id: int, attempt: int):
        attempts = store.stage_attempt_ids(stage_id)
        if not attempts:
            raise ApiError(404, "unknown stage: %d" % stage_id)
        if attempt not in attempts:
            raise ApiError(404, "unknown attempt for stage %d.  Found attempts: [%s]"
                           % (stage_id, ",".join(str(a) for a in attempts)))

    def applications(request: Request):
        wanted = _statuses(request, ("COMPLETED", "RUNNING"))
        limit = _int_param(request, "limit", -1)
        out = []
        for store in provider.list():
            if store.app_id is None:
                continue
            if wanted and ("COMPLETED" if store.completed else "RUNNING") not in wanted:
                continue
            out.append(store.application_info())
        out.sort(key=lambda a: -(a["attempts"][0]["startTimeEpoch"] or 0))
        return out[:limit] if limit >= 0 else out

    def application(request: Request):
        return store_of(request).application_info()

    def jobs(request: Request):
        store = store_of(request)
        return store.jobs(_statuses(request, JOB_STATUSES))

    def job(request: Request):
        store = store_of(request)
        job_id = request.path_params["jobId"]
        body = store.job(job_id)
        if body is None:
            raise ApiError(404, "unknown job: %d" % job_id)
        return body

    def job_dag(request: Request):
        store = store_of(request)
        job_id = request.path_params["jobId"]
        body = store.job_dag(job_id)
        if body is None:
            raise ApiError(404, "unknown job: %d" % job_id)
        return body

    def stages(request: Request):
        store = store_of(request)
        with_summaries = _bool_param(request, "withSummaries", False)
        return store.stages(_statuses(request, STAGE_STATUSES),
                            details=_bool_param(request, "details", False),
                            task_status=_statuses(request, TASK_STATUSES, "taskStatus"),
                            with_summaries=with_summaries,
                            quantiles=_quantiles(request, "0.0,0.25,0.5,0.75,1.0")
                            if with_summaries else ())

    def stage(request: Request):
        store = store_of(request)
        stage_id = request.path_params["stageId"]
        body = store.stage_attempts(stage_id, _bool_param(request, "details", True),
                                    _statuses(request, TASK_STATUSES, "taskStatus"))
        if body is None:
            raise ApiError(404, "unknown stage: %d" % stage_id)
        return body

    def stage_attempt(request: Request):
        store = store_of(request)
        sid, att = request.path_params["stageId"], request.path_params["attemptId"]
        stage_attempt_or_404(store, sid, att)
        body = store.stage_attempt(sid, att, _bool_param(request, "details", True),
                                   _statuses(request, TASK_STATUSES, "taskStatus"))
        if body is None:
            raise ApiError(404, "unknown stage: %d" % sid)
        return body

    def task_list(request: Request):
        store = store_of(request)
        sid, att = request.path_params["stageId"], request.path_params["attemptId"]
        stage_attempt_or_404(store, sid, att)
        sort_by = request.query_params.get("sortBy") or "ID"
        try:
            task_sorting(sort_by)
        except ValueError:
            raise ApiError(404, "unknown sortBy: %s (expected ID, runtime or -runtime)"
                           % sort_by) from None
        body = store.task_list(sid, att, offset=_int_param(request, "offset", 0),
                               length=_int_param(request, "length", 20), sort_by=sort_by,
                               status=_statuses(request, TASK_STATUSES))
        if body is None:
            raise ApiError(404, "unknown stage: %d" % sid)
        return body

    def task_summary(request: Request):
        store = store_of(request)
        sid, att = request.path_params["stageId"], request.path_params["attemptId"]
        stage_attempt_or_404(store, sid, att)
        body = store.task_summary(sid, att, _quantiles(request))
        if not body:
            raise ApiError(404, "No tasks reported metrics for %d / %d yet." % (sid, att))
        return body

    def executors(request: Request):
        return store_of(request).executors()

    def all_executors(request: Request):
        return store_of(request).executors(include_removed=True)

    def rdds(request: Request):
        return store_of(request).rdds()

    def rdd(request: Request):
        store = store_of(request)
        rdd_id = request.path_params["rddId"]
        body = store.rdd(rdd_id)
        if body is None:
            raise ApiError(404, "no rdd found w/ id %d" % rdd_id)
        return body

    def environment(request: Request):
        return store_of(request).environment()

    def version(request: Request):
        stores = provider.list()
        if stores:
            return stores[0].version()
        from sparklet.ui.store.views import default_version
        return {"spark": default_version()}

    app = PREFIX + "/applications/{app}"
    stage_path = app + "/stages/{stageId:int}/{attemptId:int}"
    table = [
        (PREFIX + "/version", version),
        (PREFIX + "/applications", applications),
        (app, application),
        (app + "/jobs", jobs),
        (app + "/jobs/{jobId:int}", job),
        (app + "/jobs/{jobId:int}/dag", job_dag),
        (app + "/stages", stages),
        (app + "/stages/{stageId:int}", stage),
        (stage_path, stage_attempt),
        (stage_path + "/taskList", task_list),
        (stage_path + "/taskSummary", task_summary),
        (app + "/executors", executors),
        (app + "/allexecutors", all_executors),
        (app + "/storage/rdd", rdds),
        (app + "/storage/rdd/{rddId:int}", rdd),
        (app + "/environment", environment),
    ]
    out: list[BaseRoute] = [Route(path, _handler(fn), methods=["GET"]) for path, fn in table]
    out.extend(_optional_routes("sparklet.ui.api_streaming", provider))
    out.extend(_optional_routes("sparklet.ui.api_dashboard", provider))
    return out


def _optional_routes(module: str, provider: StoreProvider) -> list[BaseRoute]:
    """Other helpers' route lists, when their module is there."""
    import importlib
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name != module:      # their module is there but broken: say so
            raise
        return []
    return list(mod.routes(provider))
