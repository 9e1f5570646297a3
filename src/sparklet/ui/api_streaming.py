"""REST routes of the streaming tab: Spark's ``/api/v1/applications/{app}/streaming/...``
(statistics, receivers, batches, output operations) and sparklet's ``/streaming/progress``
and ``/streaming/timeline``, read from the application's
:class:`~sparklet.ui.store.streaming.StreamingStore` (``provider.get(app).streaming``).

As in Spark, an unknown application, an application without a streaming context, and an
unknown batch, receiver or output operation answer 404 with a plain-text reason; a bad
``status`` or number answers 400.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

__all__ = ["routes", "PREFIX"]

PREFIX = "/api/v1/applications/{app_id}/streaming"


class _NotFound(Exception):
    pass


class _BadRequest(Exception):
    pass


def _int(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise _BadRequest(f"{what} must be a number, got {value!r}") from None


def _found(value: Any, what: str) -> Any:
    if value is None:
        raise _NotFound(what)
    return value


def routes(provider: Any) -> list[BaseRoute]:
    """The streaming endpoints; ``provider.get(app_id)`` gives the application's store
    (None if unknown), whose ``.streaming`` is its StreamingStore; a plain
    ``app_id -> store`` callable works too."""
    if not hasattr(provider, "get") and callable(provider):
        from types import SimpleNamespace

        provider = SimpleNamespace(get=provider)

    def streaming(request: Request):
        app_id = request.path_params["app_id"]
        store = provider.get(app_id)
        if store is None:
            raise _NotFound(f"unknown app: {app_id}")
        s = getattr(store, "streaming", None)
        if s is None or not s.started:
            raise _NotFound(f"no streaming listener attached to {app_id}")
        return s

    def endpoint(body: Callable[[Request, Any], Any]):
        # async: a store read takes microseconds, and a sync endpoint would cost every
        # request a hop to starlette's thread pool and back
        async def handle(request: Request) -> Response:
            try:
                return JSONResponse(body(request, streaming(request)))
            except _NotFound as e:
                return PlainTextResponse(str(e), status_code=404)
            except _BadRequest as e:
                return PlainTextResponse(str(e), status_code=400)
        return handle

    def batch_id(request: Request) -> int:
        return _int(request.path_params["batch_id"], "batchId")

    def statistics(request, s):
        return s.statistics()

    def receivers(request, s):
        return s.receivers()

    def receiver(request, s):
        sid = _int(request.path_params["stream_id"], "streamId")
        return _found(s.receiver(sid), f"unknown receiver: {sid}")

    def batches(request, s):
        try:
            return s.batches(request.query_params.get("status"))
        except ValueError as e:
            raise _BadRequest(str(e)) from None

    def batch(request, s):
        b = batch_id(request)
        return _found(s.batch(b), f"unknown batch: {b}")

    def operations(request, s):
        b = batch_id(request)
        return _found(s.operations(b), f"unknown batch: {b}")

    def operation(request, s):
        b = batch_id(request)
        op = _int(request.path_params["op_id"], "outputOpId")
        _found(s.batch(b), f"unknown batch: {b}")
        return _found(s.operation(b, op), f"unknown output operation: {op}")

    def progress(request, s):
        return s.progress()

    def timeline(request, s):
        count = request.query_params.get("count")
        return s.timeline(None if count is None else _int(count, "count"))

    return [
        Route(PREFIX + "/statistics", endpoint(statistics)),
        Route(PREFIX + "/receivers", endpoint(receivers)),
        Route(PREFIX + "/receivers/{stream_id}", endpoint(receiver)),
        Route(PREFIX + "/batches", endpoint(batches)),
        Route(PREFIX + "/batches/{batch_id}", endpoint(batch)),
        Route(PREFIX + "/batches/{batch_id}/operations", endpoint(operations)),
        Route(PREFIX + "/batches/{batch_id}/operations/{op_id}", endpoint(operation)),
        Route(PREFIX + "/progress", endpoint(progress)),
        Route(PREFIX + "/timeline", endpoint(timeline)),
    ]
