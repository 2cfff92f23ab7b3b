"""Refuses request bodies over the configured size before they are read whole."""

from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.errors import problem_response

# Files to import and backups to restore may be larger than other bodies: max_import_bytes.
UPLOADS_PREFIX = "/api/v1/imports/"


def _upload_limit(scope: Scope, default: int) -> int:
    # Read where routes read theirs: the app's settings (Starlette puts the app in the scope).
    app: Any = scope.get("app")
    settings = getattr(getattr(app, "state", None), "settings", None)
    return int(getattr(settings, "max_import_bytes", default))


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        if scope["path"].startswith(UPLOADS_PREFIX):
            limit = _upload_limit(scope, self.max_bytes)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException, so FastAPI's body reader lets it through (it turns any
                    # other error into a 400) and the problem handler answers 413.
                    raise _TooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem_response(
            413,
            f"The request body is over the limit of {limit} bytes.",
            code="payload_too_large",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


class _TooLarge(HTTPException):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The request body is over the limit of {max_bytes} bytes.")
