"""Where the limits apply: right after the request's principal is known, before any work.

`current_principal` (which every signed-in operation depends on, directly or through
OwnerDep and AdminDep) calls `count_request` once the principal is resolved, so no router
needs to know, public operations (which have no principal) are never limited, and the count
runs once per request however many dependencies ask for the principal (FastAPI caches it
per request). Not a dependency override: FastAPI re-analyses an overriding function's
signature on every request, which cost more than the rest of a list request.
"""

import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute

from backend.errors import PROBLEM_JSON
from backend.ratelimits.policy import Bucket, bucket_for
from backend.ratelimits.service import RateLimiter
from backend.routing import operation_id

SEARCH_TEXT = "q"


def _declares_text_search(route: APIRoute) -> bool:
    return any(param.name == SEARCH_TEXT for param in route.dependant.query_params)


def bucket_of(request: Request) -> Bucket | None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return None
    searching = bool(request.query_params.get(SEARCH_TEXT)) and _declares_text_search(route)
    return bucket_for(request.method, operation_id(route), searching=searching)


async def count_request(request: Request, user_id: uuid.UUID) -> None:
    """Counts the request against its bucket, if it has one (429 when over the limit)."""
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None:
        return
    bucket = bucket_of(request)
    if bucket is not None:
        await limiter.hit(user_id, bucket)


_TOO_MANY = {
    "description": "Over your rate limit for this kind of request (`bucket`); wait "
    "`Retry-After` seconds. The limits are the server's settings (NEXTHOP_RATE_LIMIT_*).",
    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    "headers": {
        "Retry-After": {
            "description": "Seconds until a request of this kind is let through again.",
            "schema": {"type": "integer"},
        }
    },
}


def install(app: FastAPI, limiter: RateLimiter) -> None:
    """Counts every signed-in request against its bucket, and documents the 429 on each
    operation that can answer it."""
    app.state.rate_limiter = limiter
    inner = app.openapi

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        schema = inner()
        if fresh:
            _document(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document(schema: dict[str, Any]) -> None:
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or operation.get("security") == []:
                continue
            if "operationId" not in operation or not operation.get("security"):
                continue
            searching = any(p.get("name") == SEARCH_TEXT for p in operation.get("parameters", []))
            if bucket_for(method, operation["operationId"], searching=searching) is not None:
                operation.setdefault("responses", {})["429"] = _TOO_MANY
