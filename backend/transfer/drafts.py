"""A person read from an imported file, checked by the same rules as the API (pure).

Every importer (LinkedIn, contacts CSV, vCard) turns its records into `Draft`s or
`RowIssue`s; the merge plan then decides what each draft becomes. A draft holds only values
the contacts API would accept, so bulk-inserting them keeps every row valid.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError

from backend.contacts.models import ContactStatus
from backend.fields import Email, IsoDate, LongText, Name, Phone, ShortText, Tags, Url

# Spreadsheets run a cell starting with one of these as a formula; our CSV export writes
# such a cell with a leading apostrophe, and the importer takes that apostrophe off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "full_name": TypeAdapter(Name),
    "email": TypeAdapter(Email),
    "phone": TypeAdapter(Phone),
    "linkedin_url": TypeAdapter(Url),
    "organization": TypeAdapter(Name),
    "title": TypeAdapter(ShortText),
    "location": TypeAdapter(ShortText),
    "tags": TypeAdapter(Tags),
    "how_we_met": TypeAdapter(LongText),
    "notes": TypeAdapter(LongText),
    "status": TypeAdapter(ContactStatus),
    "next_follow_up": TypeAdapter(IsoDate),
    "contact_id": TypeAdapter(uuid.UUID),
}

_REASONS = {
    "email": "is not an email address",
    "linkedin_url": "is not an http(s) address",
    "full_name": "is empty",
    "organization": "is empty",
    "status": "is not one of " + ", ".join(s.value for s in ContactStatus),
    "next_follow_up": "is not a date like 2026-12-05",
    "contact_id": "is not a UUID",
}
_SCHEMELESS_LINKEDIN = re.compile(r"^(?:[a-z]{2,3}\.|www\.)?linkedin\.com/", re.IGNORECASE)


@dataclass
class Draft:
    """One person from the file, every value already valid for a contact."""

    row: int
    full_name: str
    email: str | None = None
    phone: str | None = None
    linkedin_url: str | None = None
    organization: str | None = None
    title: str | None = None
    location: str | None = None
    tags: list[str] = field(default_factory=list)
    how_we_met: str | None = None
    notes: str | None = None
    status: ContactStatus | None = None
    next_follow_up: date | None = None
    # An id the file itself names (our CSV's `id`, a vCard's UID): matched to the user's own.
    contact_id: uuid.UUID | None = None
    # LinkedIn only: the day the user connected; becomes the referral edge's context.
    connected_on: date | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RowIssue:
    """A record that cannot become a contact: where, which column, why."""

    row: int
    field: str
    reason: str
    code: str
    full_name: str | None = None


@dataclass
class ParsedFile:
    drafts: list[Draft]
    invalid: list[RowIssue]
    ignored_columns: list[str] = field(default_factory=list)


class CellError(ValueError):
    def __init__(self, column: str, reason: str, code: str) -> None:
        super().__init__(f"{column} {reason}")
        self.column = column
        self.reason = reason
        self.code = code


def unescape_formula(value: str) -> str:
    """A cell our export protected (`'=1+1`) back to what the user typed (`=1+1`)."""
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_START:
        return value[1:]
    return value


def clean(name: str, value: Any, column: str | None = None) -> Any:
    """`value` as the contacts API would store it in field `name`, or CellError saying why
    not (in terms of the file's `column`)."""
    column = column or name
    if name == "linkedin_url" and isinstance(value, str) and _SCHEMELESS_LINKEDIN.match(value):
        value = "https://" + value
    try:
        return _ADAPTERS[name].validate_python(value)
    except ValidationError as exc:
        raise CellError(column, *_reason(name, exc)) from exc


def _reason(name: str, exc: ValidationError) -> tuple[str, str]:
    error = exc.errors()[0]
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "string_too_long":
        return f"is longer than {context.get('max_length')} characters", "too_long"
    if kind == "too_long":
        return f"has more than {context.get('max_length')} entries", "too_long"
    if name in _REASONS:
        return _REASONS[name], "invalid"
    return str(error.get("msg", "is invalid")).removeprefix("Value error, "), "invalid"


def text_or_none(value: str | None) -> str | None:
    """A cell's text without surrounding blanks, or None when there is nothing in it."""
    if value is None:
        return None
    value = unescape_formula(value.strip())
    return value or None


def fitted(draft: Draft, column: str, value: str, limit: int = 200) -> str:
    """A short-text value cut to what the field holds, with a warning on the draft (a
    LinkedIn position can be longer than a contact's title)."""
    if len(value) <= limit:
        return value
    draft.warnings.append(f"{column} shortened to {limit} characters")
    return value[: limit - 1].rstrip() + "…"
