"""JSON responses: documents the database rendered, and small bodies through orjson."""

from typing import Any

import orjson
from fastapi.responses import Response

from backend.documents import Doc


def json_bytes(content: Any) -> bytes:
    return orjson.dumps(content, option=orjson.OPT_UTC_Z)


class JSONBytesResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json_bytes(content)


def etag_of(version: int) -> str:
    return f'"{version}"'


def resource_response(doc: Doc, status: int = 200) -> Response:
    """One resource, with its version as a strong ETag for If-Match."""
    return Response(doc.json, status, {"ETag": etag_of(doc.version)}, "application/json")


def page_response(body: str) -> Response:
    return Response(body, media_type="application/json")
