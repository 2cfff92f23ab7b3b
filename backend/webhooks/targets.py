"""Where deliveries may go (pure): never to the server's own networks.

A webhook URL is chosen by a user, and the server POSTs to it: pointed at loopback, a private
network or a cloud metadata service, it would let users reach what only the server can. The
URL is checked when it is saved (its form, and an address written in it) and, authoritatively,
every address its host resolves to is checked just before each delivery, which then connects
to that very address (so a DNS answer cannot change in between). Redirects are not followed.
"""

import ipaddress
from urllib.parse import urlsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud instance metadata services; most are link-local anyway, these are not all.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
METADATA_HOSTS = frozenset({"metadata", "metadata.google.internal", "instance-data"})
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_problem(ip: IPAddress) -> str | None:
    """What kind of address this is when deliveries may not go to it ("a loopback
    address"), or None for a public one."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None:
            return address_problem(inner)
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.is_unspecified:
        return "the unspecified address, which reaches the server itself"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast or ip.is_reserved or not ip.is_global:
        return "not a public address"
    return None


def url_problem(url: str, *, allow_private: bool) -> str | None:
    """What is wrong with a webhook URL on its face (before any DNS lookup), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "This is not a valid URL."
    if parts.scheme not in ("http", "https"):
        return "Use an http:// or https:// URL."
    try:
        # The parser the worker delivers with: what it cannot read must not be saved.
        httpx.URL(url)
    except httpx.InvalidURL as exc:
        return f"This is not a valid URL: {exc}."
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return "The URL has no host."
    if parts.username is not None or parts.password is not None:
        return "Put no credentials in the URL; deliveries are signed with the secret instead."
    if port == 0:
        return "Port 0 is not a port to deliver to."
    if allow_private:
        return None
    if host == "localhost" or host.endswith(".localhost") or host in METADATA_HOSTS:
        return f"{host} is the server itself or its metadata service: refused."
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None  # a name: its addresses are checked at each delivery
    kind = address_problem(ip)
    return f"Refused: {ip} is {kind}." if kind else None
