"""If-Match: the version a client last saw, so a stale write is refused with 412."""

from typing import Annotated

from fastapi import Depends, Header, Request

# Versions start at 1, so this one matches nothing: the write is refused with 412, after the
# rest of the request was validated (a dependency that raised would pre-empt a 422).
NO_VERSION = 0


def parse_if_match(value: str | None) -> int | None:
    """`"3"` or `W/"3"` → 3; `*` or absent → None (any version); anything else can never
    match a version of ours, which RFC 9110 answers with 412."""
    if value is None or value.strip() == "*":
        return None
    tag = value.strip().removeprefix("W/").strip('"')
    if not tag.isdigit() or len(tag) > 18:
        return NO_VERSION
    return int(tag)


async def if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=100,
            description="The ETag from your last read; the write is refused with 412 if the "
            "resource has changed since.",
        ),
    ] = None,
) -> int | None:
    return parse_if_match(if_match)


IfMatchDep = Annotated[int | None, Depends(if_match)]


async def if_match_from_zero(request: Request, expected: IfMatchDep) -> int | None:
    """If-Match for resources whose version is 0 until first written (a profile, a message
    template): there `"0"` is a real version, so an unparsable tag, which IfMatchDep maps to
    0, must become a version that matches nothing."""
    if expected == NO_VERSION:
        sent = request.headers.get("if-match", "").strip().removeprefix("W/").strip('"')
        if sent != "0":
            return -1
    return expected


IfMatchFromZeroDep = Annotated[int | None, Depends(if_match_from_zero)]
