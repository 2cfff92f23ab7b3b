"""Per request: an id (the client's `X-Request-ID` when sane, else a new one) set for every
log line and sent back in the response, one access log line, and the metrics.

Pure ASGI, so no task or body buffering per request: the cost is an id, two clock reads and
a few dictionary look-ups (see the report in tests/test_observability.py).
"""

import logging
import os
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.errors import problem_response
from backend.observability.logs import REQUEST_ID
from backend.observability.metrics import HttpMetrics

HEADER = b"x-request-id"
# Letters, digits and a little punctuation, at most 128: what tracing headers and proxies
# generate (UUIDs, hex, base64url), nothing that could forge a log line or a header.
_SANE = re.compile(rb"[A-Za-z0-9._:+=/-]{1,128}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"

access_log = logging.getLogger("nexthop.access")
# What backend.errors answers for an unhandled error.
INTERNAL_ERROR = problem_response(500, "Something went wrong on our side.", code="internal")


def new_request_id() -> str:
    return os.urandom(16).hex()


def incoming_request_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == HEADER:
            return value.decode("ascii") if _SANE.fullmatch(value) else None
    return None


def _secret_in_path(route: str) -> bool:
    """The raw path names objects, useful when tracing, but a secret in it (a share link's
    or a calendar feed's token, also under the web app's /share/ page) is never logged: the
    template stands in for the path."""
    return "token}" in route or route.startswith("/share/")


def route_template(scope: Scope) -> str:
    """`/api/v1/interviews/{interview_id}`, not the raw path: few label values, no ids."""
    route = scope.get("route")
    if route is None:
        return UNMATCHED
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template) if template else UNMATCHED


class RequestObservability:
    def __init__(
        self, app: ASGIApp, *, metrics: HttpMetrics | None = None, log_requests: bool = True
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        request_id = incoming_request_id(scope["headers"]) or new_request_id()
        # Not reset afterwards: each request has a task (and context) of its own, and lines
        # logged after this middleware returns, e.g. uvicorn's for an unhandled error, keep it.
        REQUEST_ID.set(request_id)
        id_header = (HEADER, request_id.encode("ascii"))
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        metrics = self.metrics
        if metrics is not None:
            metrics.in_progress.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Starlette answers an unhandled error outside every middleware, so this one would
            # not see that 500 go out. Send it from here, with the id; Starlette's middleware
            # still runs the app's handler (which logs the error) and re-raises for the server.
            if not response_started:
                await INTERNAL_ERROR(scope, receive, send_with_id)
            raise
        finally:
            seconds = time.perf_counter() - started_at
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            route = route_template(scope)
            if metrics is not None:
                metrics.in_progress.dec()
                metrics.observe(method, route, status, seconds)
            if self.log_requests and access_log.isEnabledFor(logging.INFO):
                _log_request(scope, method, route, status, seconds)


def _log_request(scope: Scope, method: str, route: str, status: int, seconds: float) -> None:
    path = route if _secret_in_path(route) else scope["path"]
    client = scope.get("client")
    extra: dict[str, Any] = {
        "method": method,
        "path": path,
        "route": route,
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
        "client": client[0] if client else None,
    }
    access_log.info("%s %s %d", method, path, status, extra=extra)
