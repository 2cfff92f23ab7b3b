"""HEAD answers as GET does, without the body (RFC 9110 §9.3.2), on every path.

Uptime monitors and `curl -I` ask with HEAD. Starlette's own routes and static files answer it,
but FastAPI's API routes match only the methods they declare, so `/`, `/healthz` and every
`GET /api/v1/…` answered 405. Rather than declare HEAD on each route (and keep it out of the
OpenAPI document by hand), the app sees a GET and the client gets its status and headers,
`Content-Length` included, with an empty body. Outer middleware (the access log, metrics) still
sees HEAD; the server also sends no body for a HEAD, whatever it is given.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            elif message["type"] == "http.response.pathsend":  # a file, sent by the server
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        # A copy: the server keeps its own scope, and with it the knowledge that this was HEAD.
        inner = {**scope, "method": "GET"}
        try:
            await self.app(inner, receive, without_body)
        finally:
            # What routing found (the route, its path parameters) goes back out: the access
            # log names the route template, never a path that holds a secret token.
            scope.update((key, value) for key, value in inner.items() if key != "method")
