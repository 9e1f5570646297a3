"""REST routes of the Dashboard tab (sparklet's addition to Spark's ``/api/v1``):

``GET /api/v1/applications/{app}/dashboard``
    ``[{name, kind, title, updated, updatedEpoch, batchTime}]``: the published streams.
``GET /api/v1/applications/{app}/dashboard/{name}``
    ``{name, kind, options, columns, batchTime, rows, history, updated, updatedEpoch}``.

Bodies come from the application's :class:`~sparklet.ui.store.dashboard.DashboardStore`
(``provider.get(app).dashboard``). A name is one URL path segment, percent-encoded as
``encodeURIComponent`` does; it may hold any character, ``/`` included (encoded as ``%2F``
or not: the rest of the path is the name). An unknown application or name answers 404.

>>> [r.path for r in routes(None)]
['/api/v1/applications/{app}/dashboard', '/api/v1/applications/{app}/dashboard/{name:path}']
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

__all__ = ["routes"]


def _dashboard_of(provider: Any, app: str):
    store = provider.get(app) if provider is not None else None
    if store is None:
        return None, PlainTextResponse(f"unknown app: {app}", status_code=404)
    return getattr(store, "dashboard", None), None


def routes(provider: Any) -> list[BaseRoute]:
    """The two routes; ``provider.get(app_id)`` returns the application's AppStatusStore
    (or None), whose ``dashboard`` attribute is its DashboardStore."""

    async def dashboards(request: Request) -> Response:
        dashboard, missing = _dashboard_of(provider, request.path_params["app"])
        if missing is not None:
            return missing
        return JSONResponse(dashboard.list() if dashboard is not None else [])

    async def dashboard(request: Request) -> Response:
        dashboard, missing = _dashboard_of(provider, request.path_params["app"])
        if missing is not None:
            return missing
        name = request.path_params["name"]
        body = dashboard.get(name) if dashboard is not None else None
        if body is None:
            return PlainTextResponse(f"unknown dashboard: {name}", status_code=404)
        return JSONResponse(body)

    return [Route("/api/v1/applications/{app}/dashboard", dashboards, methods=["GET"]),
            Route("/api/v1/applications/{app}/dashboard/{name:path}", dashboard,
                  methods=["GET"])]
