"""If-Match: the version a client last saw, so a stale write is refused with 412."""

from typing import Annotated

from fastapi import Depends, Header

from backend.errors import PreconditionFailed


def parse_if_match(value: str | None) -> int | None:
    """`"3"` or `W/"3"` → 3; `*` or absent → None (any version). Anything else can never
    match a version of ours, which RFC 9110 answers with 412."""
    if value is None or value.strip() == "*":
        return None
    tag = value.strip().removeprefix("W/").strip('"')
    if not tag.isdigit() or len(tag) > 18:
        raise PreconditionFailed(f"If-Match {value!r} matches no version of this resource.")
    return int(tag)


def if_match(
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
