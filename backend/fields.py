"""Shared column types and input types used by every feature's models."""

import os
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from sqlalchemy import JSON, DateTime, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect

# JSON arrays (tags, agenda, checklist); JSONB on PostgreSQL so tag filters can use `@>`.
JSONList = JSON().with_variant(JSONB(), "postgresql")


def uuid7() -> uuid.UUID:
    """Time-ordered UUID (RFC 9562 v7): new rows land at the end of the primary-key index."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants in UTC and always gives back timezone-aware values (SQLite keeps none)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _storable(value: Any) -> Any:
    # PostgreSQL refuses NUL in text and no database can store a lone surrogate: refuse both
    # here as a 422 rather than let the database turn them into a 500.
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("must be valid Unicode text") from exc
    return value


Storable = AfterValidator(_storable)

# A one-line name: surrounding blanks trimmed, something left.
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Storable
]
ShortText = Annotated[str, StringConstraints(max_length=200), Storable]
LongText = Annotated[str, StringConstraints(max_length=20_000), Storable]
SearchText = Annotated[str, StringConstraints(max_length=200), Storable]
Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2048, pattern=r"^https?://\S+$"),
    Storable,
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$"),
    Storable,
]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50), Storable]


def _normalize_tags(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    seen: dict[str, str] = {}
    for tag in value:
        if not isinstance(tag, str):
            return value  # let the type check report it
        clean = re.sub(r"\s+", " ", tag).strip()
        if clean and clean.casefold() not in seen:
            seen[clean.casefold()] = clean
    return list(seen.values())


Tag = Annotated[str, StringConstraints(min_length=1, max_length=50), Storable]
# Tags are trimmed and de-duplicated case-insensitively, first spelling kept.
Tags = Annotated[list[Tag], BeforeValidator(_normalize_tags), Field(max_length=50)]


def name_key(name: str) -> str:
    """The form names are compared and sorted by: case-insensitive, blanks folded."""
    return re.sub(r"\s+", " ", name).strip().casefold()
