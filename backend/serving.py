"""The HTTP protocol `python -m backend serve` runs: uvicorn's own, with Nagle's algorithm off.

asyncio turns TCP_NODELAY on only for connections accepted from a socket it made itself, or
one made with the TCP protocol number. For several workers uvicorn makes the listening socket
without one (`socket.socket(family)`), so every connection kept Nagle's algorithm: a response
written in two parts (the head, then the body) waited for the client's delayed ACK, ~40 ms.
With 2 workers, every read answered in 44 ms at the median while 60 % of the CPU sat idle.
(uvloop sets the option on every connection; one worker creates its own socket.)
"""

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol


class HttpProtocol(AutoHTTPProtocol):  # type: ignore[valid-type, misc]
    def connection_made(self, transport: asyncio.Transport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
