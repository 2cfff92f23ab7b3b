"""Post-processing of the generated OpenAPI document, for client generators and validators."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from backend.errors import PROBLEM_JSON

_ETAG = {
    "description": "The resource's version, for If-Match on the next write.",
    "schema": {"type": "string"},
}
_LOCATION = {"description": "Where the created resource lives.", "schema": {"type": "string"}}
_REPLAYED = {
    "description": "`true` when this is the stored answer to an earlier request with the same "
    "Idempotency-Key.",
    "schema": {"type": "string", "enum": ["true"]},
}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _fix_operation(method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.get("responses", {})
    if "requestBody" in operation:
        responses.setdefault("400", _problem("The request body is not valid JSON."))
        responses.setdefault("413", _problem("The request body is over the configured limit."))
    if operation.get("security"):
        responses.setdefault("401", _problem("Not signed in, or the token is unknown or expired."))
        if method != "get" or "/admin/" in operation.get("x-path", ""):
            responses.setdefault(
                "403",
                _problem("A read-only token, a missing CSRF token, or not an administrator."),
            )
    for status, response in responses.items():
        content = response.get("content", {})
        # FastAPI files every error model under application/json; ours are problem+json.
        if status[0] in "45" and "application/json" in content:
            content[PROBLEM_JSON] = content.pop("application/json")
    created = responses.get("201")
    if method == "post" and created:
        created["description"] = (
            "Created. A retry with the same Idempotency-Key gets this same answer again, "
            "marked `Idempotent-Replayed: true`."
        )
        created.setdefault("headers", {}).update(
            {"ETag": _ETAG, "Location": _LOCATION, "Idempotent-Replayed": _REPLAYED}
        )
        retried = responses.get("200")
        if retried is not None:
            retried["content"] = created["content"]
            retried["headers"] = {"ETag": _ETAG, "Location": _LOCATION}
    ok = responses.get("200")
    # One resource by its id: its version is the ETag. Views computed around it (a prep
    # sheet, warm paths) have no version of their own.
    if method in ("get", "patch") and ok and operation.get("x-path", "").endswith("}"):
        ok.setdefault("headers", {})["ETag"] = _ETAG


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            for path, item in schema.get("paths", {}).items():
                for method, operation in item.items():
                    operation["x-path"] = path
                    _fix_operation(method, operation)
                    del operation["x-path"]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
