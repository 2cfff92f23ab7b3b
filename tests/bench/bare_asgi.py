"""The ceiling: a raw ASGI callable that answers every request with the same small JSON body.

Served by the same uvicorn command as the app, it measures what uvicorn (HTTP parsing, the
event loop, the socket) costs on this machine; no endpoint of the app can beat it.
"""

import json
from typing import Any

from starlette.types import Receive, Scope, Send

# About 300 bytes: the size of one small resource (a note item) as the app sends it.
BODY = json.dumps(
    {
        "id": "01936b2e-8f3a-7c41-9a52-3d1f0e6b7a88",
        "interview_id": "01936b2e-8f3a-7c41-9a52-3d1f0e6b7a89",
        "category": "to_do",
        "text": "Send the thank-you note and the article",
        "status": "open",
        "due_date": "2026-12-01",
        "version": 1,
        "created_at": "2026-11-25T21:17:38.549141Z",
        "updated_at": "2026-11-25T21:17:38.549141Z",
    },
    separators=(",", ":"),
).encode()

HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BODY)).encode()),
]


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message: dict[str, Any] = dict(await receive())
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
