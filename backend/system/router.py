"""Probes and metrics for whoever runs the server: liveness, readiness, Prometheus."""

import functools
import hmac
from typing import Literal

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError

from backend import migrations
from backend.auth import Unauthorized
from backend.errors import NotFound, ProblemError, problem_doc

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: Literal["ready"]
    database: Literal["ok"]
    schema_revision: str | None = Field(description="The migration the database is at.")
    storage: Literal["ok"] = Field(
        "ok", description="The database's disk has room (see the 503 for when it has not)."
    )


class NotReady(ProblemError):
    status, code = 503, "not_ready"


# The code's newest migration cannot change while the process runs.
head_revision = functools.cache(migrations.head_revision)


@router.get("/healthz", name="health", summary="Is the process up?", openapi_extra={"security": []})
async def health() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    name="ready",
    summary="Can this process serve requests?",
    description="200 when the database answers, its schema is the one this code needs and its "
    "disk has room; else 503 with `database` (`unreachable` or `ok`) and `schema` (what it "
    "found), or `storage: full` when the disk is full (SQLite: under 4 MiB free where its "
    "file lives; either database: a write found it full in the last minute).",
    openapi_extra={"security": []},
    responses={
        503: problem_doc(
            "The database is unreachable, its schema is not current, or its disk is full."
        )
    },
)
def ready(request: Request) -> Readiness:
    try:
        current = migrations.current_revision(request.app.state.engine)
    except SQLAlchemyError as exc:
        raise NotReady(
            "The database is unreachable.",
            headers={"Retry-After": "5"},
            database="unreachable",
            reason=type(exc).__name__,
        ) from None
    head = head_revision()
    if current != head:
        raise NotReady(
            f"The database schema is at {current or 'none'}; this code needs {head}.",
            headers={"Retry-After": "5"},
            database="ok",
            schema=current,
        )
    full = request.app.state.disk.problem()
    if full is not None:
        raise NotReady(headers={"Retry-After": "60"}, database="ok", storage="full", **full)
    return Readiness(status="ready", database="ok", schema_revision=current)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus text format; 404 unless enabled, and a bearer token when one is set."""
    settings = request.app.state.settings
    registry = getattr(request.app.state, "metrics_registry", None)
    if not settings.metrics_enabled or registry is None:
        raise NotFound("Not Found")
    if settings.metrics_token:
        sent = request.headers.get("authorization", "")
        expected = f"Bearer {settings.metrics_token}"
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise Unauthorized(
                "Metrics need `Authorization: Bearer <NEXTHOP_METRICS_TOKEN>`.",
                headers={"WWW-Authenticate": "Bearer"},
            )
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
