"""Shared column types and input types used by every feature's models."""

import os
import re
import time
import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    StringConstraints,
    field_validator,
)
from sqlalchemy import JSON, DateTime, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlmodel import SQLModel

# Explicit constraint names so Alembic migrations can address every one on both databases.
# Set here because every model module imports this one before it defines a table.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

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
    # No database can store a lone surrogate; refuse it as a 422 rather than a 500.
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("must be valid Unicode text") from exc
    return value


Storable = AfterValidator(_storable)


def json_integer(value: Any) -> Any:
    """Pydantic's lax mode would read `true` as 1 and "5" as 5, accepting bodies the published
    schema calls invalid; 5.0 stays valid, as JSON Schema counts it an integer."""
    if isinstance(value, bool | str):
        raise ValueError("must be a JSON integer")
    return value


def _json_bool(value: Any) -> Any:
    # Lax mode would read 0, 1, "true" or "off" as a boolean: `{"active": 0}` switched a
    # webhook off. The schema says boolean, so only JSON's true and false are.
    if not isinstance(value, bool):
        raise ValueError("must be a JSON boolean, true or false")
    return value


# Every boolean of a request body. (A before-validator, as for integers: strict mode would
# do the same here, but the models keep one way of saying it.)
JsonBool = Annotated[bool, BeforeValidator(_json_bool)]


def json_integers(*fields: str) -> Any:
    """`json_integer` for these int fields, as a class attribute of the model (a validator,
    not an annotation: the fields keep their `minimum`/`maximum` in the schema)."""
    return field_validator(*fields, mode="before")(json_integer)


# PostgreSQL cannot store NUL in text, so no text field accepts it; the patterns say so in the
# schema, which keeps generated clients and schemathesis in agreement with the server.
NO_NUL = r"^[^\x00]*$"
# ...and a name has something besides blanks (ASCII white space, which is what gets trimmed).
_BLANK = r" \t\n\r\x0b\x0c"
NOT_BLANK = rf"^[^\x00]*[^\x00{_BLANK}][^\x00]*$"


def _trim(value: str) -> str:
    return value.strip(" \t\n\r\x0b\x0c")


Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=NOT_BLANK),
    AfterValidator(_trim),
    Storable,
]
ShortText = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL), Storable]
LongText = Annotated[str, StringConstraints(max_length=20_000, pattern=NO_NUL), Storable]
SearchText = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL), Storable]
Url = Annotated[
    str,
    StringConstraints(max_length=2048, pattern=r"^https?://[^\x00-\x20]+$"),
    Storable,
]
Email = Annotated[
    str, StringConstraints(max_length=320, pattern=r"^[^@\x00-\x20]+@[^@\x00-\x20]+$"), Storable
]
Phone = Annotated[str, StringConstraints(max_length=50, pattern=NO_NUL), Storable]


def _dedupe_tags(tags: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for tag in tags:
        seen.setdefault(tag.casefold(), tag)
    return list(seen.values())


def _fold_blanks(tag: str) -> str:
    # Only the blanks the schema's pattern means: Python's \s also matches separators such as
    # U+001D, and folding a tag of one into " " answered a tag the schema calls invalid.
    return re.sub(f"[{_BLANK}]+", " ", _trim(tag))


Tag = Annotated[
    str,
    StringConstraints(min_length=1, max_length=50, pattern=NOT_BLANK),
    AfterValidator(_fold_blanks),
    Storable,
]
# Tags are trimmed and de-duplicated case-insensitively, first spelling kept.
Tags = Annotated[list[Tag], Field(max_length=50), AfterValidator(_dedupe_tags)]


def name_key(name: str) -> str:
    """The form names are compared and sorted by: case-insensitive, blanks folded."""
    return re.sub(r"\s+", " ", name).strip().casefold()


def _iso_only(value: Any) -> Any:
    # Pydantic would read 0 or "0" as a Unix timestamp; the schema promises ISO 8601 text.
    if isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
        raise ValueError("must be an ISO 8601 date or date-time string")
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("is out of range once converted to UTC") from exc


IsoDate = Annotated[date, BeforeValidator(_iso_only)]
# An instant: ISO 8601 with a UTC offset, e.g. 2026-12-01T10:00:00+01:00.
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_only), AfterValidator(_to_utc)]
