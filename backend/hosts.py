"""Which host names the app answers to (NEXTHOP_ALLOWED_HOSTS): others get 400.

A web page on any site can point its own name at 127.0.0.1 (DNS rebinding) and then talk to
a Nexthop listening there as if it were the same origin: before set-up it could create the
administrator, and share and calendar links are built from the Host a request names. The
browser still sends the page's own name as Host, so answering only to known names stops it.

The Host checked is the request's own Host header. X-Forwarded-Host is never read, trusted
proxy or not: a proxy in front must pass the name the browser used (nginx:
`proxy_set_header Host $host;`; Caddy and Traefik do by default).
"""

import re
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from backend.errors import FieldIssue, problem_response

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
# Listening on every interface names no host of its own.
_UNSPECIFIED = frozenset({"", "0.0.0.0", "::", "[::]"})
# Probes often ask by the pod's or container's address; these answer nothing about anyone.
UNCHECKED_PATHS = frozenset({"/healthz", "/readyz"})
# A name, an IPv4 address or a bracketed IPv6 address, then an optional port.
_HOST_HEADER = re.compile(r"^(?:\[([0-9a-f:.]+)\]|([^\[\]:/@\s]+))(?::[0-9]{1,5})?$")


def default_allowed_hosts(bind_host: str) -> list[str]:
    """The loopback names, and the address `serve` listens on when it is a specific one."""
    bound = normalized(bind_host)
    if bound in _UNSPECIFIED or bound in LOCAL_HOSTS:
        return [*LOCAL_HOSTS]
    return [*LOCAL_HOSTS, bound]


def normalized(entry: str) -> str:
    """An allowed-host entry as it is compared: lower case, no brackets, no trailing dot."""
    entry = entry.strip().lower()
    if entry.startswith("[") and entry.endswith("]"):
        entry = entry[1:-1]
    return entry.rstrip(".") if entry != "." else entry


def host_of(header: str) -> str | None:
    """The host a Host header names (no port, no brackets, lower case), or None when the
    header is not a host."""
    match = _HOST_HEADER.match(header.strip().lower())
    if match is None:
        return None
    return (match.group(1) or match.group(2)).rstrip(".")


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """Exact names, `*.example.com` for any name under example.com, or `*` for any."""
    for entry in allowed:
        entry = normalized(entry)
        if entry == "*" or entry == host:
            return True
        if entry.startswith("*.") and host.endswith(entry[1:]):
            return True
    return False


class AllowedHosts:
    """Refuses requests whose Host is not allowed with a 400 problem naming the header."""

    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self.app = app
        self.allowed = [normalized(entry) for entry in allowed]
        self.any = "*" in self.allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.any or scope["type"] != "http" or scope["path"] in UNCHECKED_PATHS:
            await self.app(scope, receive, send)
            return
        header = next((v for k, v in scope["headers"] if k == b"host"), None)
        # Without a Host (HTTP/1.0) URLs are built from the address the server listens on.
        host = host_of(header.decode("latin-1")) if header is not None else None
        if header is None or (host is not None and host_allowed(host, self.allowed)):
            await self.app(scope, receive, send)
            return
        reason = (
            "This server does not answer to that host name; its operator can add it to "
            "NEXTHOP_ALLOWED_HOSTS."
        )
        issue = FieldIssue(field="Host", location="header", reason=reason, code="host_not_allowed")
        response = problem_response(400, reason, code="host_not_allowed", errors=[issue])
        await response(scope, receive, send)
