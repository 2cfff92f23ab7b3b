"""The web app's own files, compressed for whoever accepts it.

A phone downloads the scripts and styles at about a third of their size. Only these files,
which hold no one's data: compressing responses that mix a secret with what a request
reflects would open them to BREACH, so the API stays uncompressed.
"""

from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def frontend_files(directory: str) -> ASGIApp:
    return _WeakTagsWhenEncoded(
        GZipMiddleware(StaticFiles(directory=directory), minimum_size=512, compresslevel=6)
    )


class _WeakTagsWhenEncoded:
    """A compressed body is another representation than the file's bytes, so its ETag may
    not be the same strong validator (RFC 9110 §8.8.1): it becomes a weak one, as nginx does.
    (StaticFiles answers If-None-Match with either form.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def weakened(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=message["headers"])
                etag = headers.get("etag")
                if headers.get("content-encoding") and etag and not etag.startswith("W/"):
                    headers["etag"] = f"W/{etag}"
            await send(message)

        await self.app(scope, receive, weakened)
