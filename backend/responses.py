"""Fast JSON responses: rows go to bytes through orjson without per-row model objects."""

from typing import Any

import orjson
from fastapi.responses import Response


def json_bytes(content: Any) -> bytes:
    return orjson.dumps(content, option=orjson.OPT_UTC_Z)


class JSONBytesResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json_bytes(content)


def etag_of(version: int) -> str:
    return f'"{version}"'


def resource_response(row: dict[str, Any], status: int = 200) -> Response:
    """One resource, with its version as a strong ETag for If-Match."""
    return JSONBytesResponse(row, status, headers={"ETag": etag_of(row["version"])})
