"""RFC 9457 problem details: a small exception family and the handlers that render it."""

import logging
import re
import sqlite3
from http import HTTPStatus
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import exc as sa
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend import outages
from backend.outages import Failure
from backend.responses import json_bytes

log = logging.getLogger("nexthop")

PROBLEM_JSON = "application/problem+json"


class FieldIssue(BaseModel):
    field: str = Field(description="Dotted path of the offending input, e.g. `tags.2`.")
    location: str = Field(description="Where the input came from: body, query, path, header.")
    reason: str = Field(description="Why it was refused, in plain words.")
    code: str = Field(description="Machine-readable reason, e.g. `missing`, `too_long`.")


class Problem(BaseModel):
    """An RFC 9457 problem document; extra members may carry details such as `dependents`."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldIssue] | None = None


class ProblemError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[FieldIssue] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.extra = extra


class NotFound(ProblemError):
    status, code = 404, "not_found"


class Conflict(ProblemError):
    status, code = 409, "conflict"


class PreconditionFailed(ProblemError):
    status, code = 412, "precondition_failed"


class PayloadTooLarge(ProblemError):
    status, code = 413, "payload_too_large"


class Unprocessable(ProblemError):
    status, code = 422, "unprocessable"

    @classmethod
    def field(cls, field: str, reason: str, code: str, location: str = "body") -> "Unprocessable":
        issue = FieldIssue(field=field, location=location, reason=reason, code=code)
        return cls(reason, errors=[issue])

    @classmethod
    def invalid_cursor(cls, belongs_to: str = "another list") -> "Unprocessable":
        """A `cursor` query parameter this list did not hand out (or no longer can read)."""
        reason = f"The cursor is invalid or belongs to {belongs_to}; start over without it."
        return cls.field("cursor", reason, "invalid_cursor", location="query")


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    code: str | None = None,
    errors: list[FieldIssue] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": f"https://nexthop.invalid/problems/{code}" if code else "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = [e.model_dump() for e in errors]
    body.update(extra)
    return Response(json_bytes(body), status, headers=headers, media_type=PROBLEM_JSON)


def _issues_from_validation(exc: RequestValidationError) -> list[FieldIssue]:
    issues = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        location = loc[0] if loc else "body"
        # For unparsable JSON the location ends in a character offset, not a field.
        field = location if err["type"] == "json_invalid" else ".".join(loc[1:]) or location
        issues.append(
            FieldIssue(field=field, location=location, reason=err.get("msg", ""), code=err["type"])
        )
    return issues


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def on_problem(_: Request, exc: ProblemError) -> Response:
        return problem_response(
            exc.status,
            exc.detail,
            code=exc.code,
            errors=exc.errors,
            headers=exc.headers,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def on_validation(_: Request, exc: RequestValidationError) -> Response:
        issues = _issues_from_validation(exc)
        detail = "; ".join(f"{i.field}: {i.reason}" for i in issues[:5])
        return problem_response(422, detail, code="validation", errors=issues)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        allowed = allowed_methods(request) if exc.status_code == 405 else None
        if allowed:
            headers["Allow"] = ", ".join(allowed)
        return problem_response(
            exc.status_code,
            str(exc.detail),
            code=HTTP_CODES.get(exc.status_code),
            headers=headers,
        )

    @app.exception_handler(IntegrityError)
    async def on_integrity(_: Request, exc: IntegrityError) -> Response:
        # Services check the rules they know; this is the safety net for a race between two
        # writers, which the database settled by refusing the second.
        log.warning("integrity error: %s", exc.orig)
        return problem_response(409, "The change conflicts with existing data.", code="conflict")

    async def on_database(request: Request, exc: Exception) -> Response:
        failure = outages.classify(exc)
        if failure is None:
            raise exc  # our bug, not the database's condition: the 500 below, with its traceback
        if failure is Failure.disk_full:
            disk: outages.DiskWatch | None = getattr(request.app.state, "disk", None)
            if disk is not None:
                disk.saw_full()
        log.error("database %s: %s", failure.replace("_", " "), outages.one_line(exc))
        return database_problem(failure)

    # Wherever the error comes from: SQLAlchemy's wrapping, or the driver's own from the
    # statements run on it directly (backend.prepared, backend.reads) and from connecting.
    # Answered here rather than by the catch-all below, which re-raises for the server, and
    # uvicorn then closes the connection: the client's next request on it was reset.
    for kind in DATABASE_ERRORS:
        app.add_exception_handler(kind, on_database)

    @app.exception_handler(Exception)
    async def on_unexpected(_: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return problem_response(500, "Something went wrong on our side.", code="internal")


DATABASE_ERRORS = (
    sa.DBAPIError, sa.TimeoutError, sa.DisconnectionError, psycopg.Error, sqlite3.Error,
)  # fmt: skip


def database_problem(failure: Failure) -> Response:
    """503 with Retry-After while the database is busy or out of reach; 507 on a full disk,
    where retrying will not help until space is freed."""
    if failure is Failure.disk_full:
        return problem_response(
            507,
            "The database's disk is full, so nothing was saved. Try again once space has "
            "been freed.",
            code="disk_full",
            storage="full",
        )
    busy = failure is Failure.busy
    return problem_response(
        503,
        "The database is busy; retry shortly."
        if busy
        else "The database is unreachable; retry in a few seconds.",
        code="unavailable",
        headers={"Retry-After": "1" if busy else "5"},
        database=str(failure),
    )


# Problem types for the errors Starlette and FastAPI raise themselves.
HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}


def allowed_methods(request: Request) -> list[str] | None:
    """Every method the API offers on this path, from the OpenAPI document (Starlette's own
    Allow header names only the first route that matched); HEAD wherever GET is
    (backend.head_requests)."""
    for template, item in request.app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}/]+\}", "[^/]+", template), request.url.path):
            methods = {method.upper() for method in item}
            return sorted(methods | {"HEAD"} if "GET" in methods else methods)
    return None


def problem_doc(description: str) -> dict[str, Any]:
    return {"description": description, "model": Problem}


# Responses every operation may give; routers add their own on top.
COMMON_PROBLEMS: dict[int | str, dict[str, Any]] = {
    422: problem_doc("The input is invalid; `errors` says which field and why."),
}
