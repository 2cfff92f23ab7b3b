"""What an import does with each row, decided before anything is written (pure).

A row names a new person, or one the user already has (the same id, the same LinkedIn
profile in normal form, else the same email ignoring case; a row with neither profile nor
email, as in older LinkedIn exports, by the same name), or one an earlier row of the same
file already named. A match is merged by filling the contact's empty fields from the
file and never overwriting one: what differs is reported and kept. So importing a file twice
changes nothing the second time, and preview and commit, computed from the same file and the
same saved data, agree.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple

from backend.contacts.models import ContactStatus
from backend.fields import name_key, uuid7
from backend.notes.connect import email_key, normalize_linkedin_url
from backend.referrals.models import ReferralStatus
from backend.transfer.drafts import Draft, ParsedFile, RowIssue

# A contact's fields an import may fill when they are empty, in report order.
FILLABLE = (
    "email",
    "phone",
    "linkedin_url",
    "organization_id",
    "title",
    "location",
    "tags",
    "how_we_met",
    "notes",
    "next_follow_up",
)
# What a connection from LinkedIn is to the user: someone they know directly.
DIRECT_STATUS = ReferralStatus.met
# Stands for "an organization the user does not have yet" when only comparing.
_ELSEWHERE = uuid.UUID(int=0)


class RowStatus(StrEnum):
    new = "new"
    matched = "matched"
    skipped = "skipped"
    invalid = "invalid"


class MatchedBy(StrEnum):
    id = "id"
    linkedin_url = "linkedin_url"
    email = "email"
    full_name = "full_name"


@dataclass(frozen=True)
class SavedContact:
    """What matching needs of one of the user's contacts."""

    id: uuid.UUID
    full_name: str
    email: str | None = None
    phone: str | None = None
    linkedin_url: str | None = None
    organization_id: uuid.UUID | None = None
    title: str | None = None
    location: str | None = None
    tags: tuple[str, ...] = ()
    how_we_met: str | None = None
    notes: str | None = None
    status: str = ContactStatus.identified.value
    next_follow_up: date | None = None


@dataclass
class Saved:
    """The user's data an import is matched against."""

    contacts: list[SavedContact]
    organizations: dict[str, uuid.UUID] = field(default_factory=dict)  # by name_key
    direct: set[uuid.UUID] = field(default_factory=set)  # contacts with a direct edge


@dataclass
class RowPlan:
    row: int
    status: RowStatus
    full_name: str | None
    contact_id: uuid.UUID | None = None
    matched_by: MatchedBy | None = None
    changes: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    column: str | None = None  # of an invalid row
    reason: str | None = None
    code: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class NewOrganization:
    id: uuid.UUID
    name: str
    name_key: str


@dataclass
class Plan:
    rows: list[RowPlan]
    organizations: list[NewOrganization] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)  # values to insert
    updates: list[tuple[uuid.UUID, dict[str, Any]]] = field(default_factory=list)
    referrals: list[dict[str, Any]] = field(default_factory=list)  # direct edges to insert

    def count(self, status: RowStatus) -> int:
        return sum(1 for row in self.rows if row.status == status)


class _Index:
    """Saved contacts by id, LinkedIn profile, email and name; the first saved one wins."""

    def __init__(self, contacts: list[SavedContact]) -> None:
        self.by_id = {c.id: c for c in contacts}
        self.by_url: dict[str, SavedContact] = {}
        self.by_email: dict[str, SavedContact] = {}
        self.by_name: dict[str, list[SavedContact]] = {}
        for contact in contacts:
            if contact.linkedin_url:
                self.by_url.setdefault(normalize_linkedin_url(contact.linkedin_url), contact)
            if contact.email:
                self.by_email.setdefault(email_key(contact.email), contact)
            self.by_name.setdefault(name_key(contact.full_name), []).append(contact)

    def find(
        self, draft: Draft, keys: "_Keys", claimed: dict[uuid.UUID, int]
    ) -> tuple[SavedContact, MatchedBy] | None:
        if draft.contact_id is not None and draft.contact_id in self.by_id:
            return self.by_id[draft.contact_id], MatchedBy.id
        if keys.url:
            found = self.by_url.get(keys.url)
            if found:
                return found, MatchedBy.linkedin_url
        if keys.email:
            found = self.by_email.get(keys.email)
            if found:
                return found, MatchedBy.email
        if not (keys.url or keys.email):
            # Nothing better to go by: the next saved contact of that name no row has taken,
            # so two rows of one name match two contacts of that name, and a re-import
            # matches what the first import made.
            for contact in self.by_name.get(name_key(draft.full_name), ()):
                if contact.id not in claimed:
                    return contact, MatchedBy.full_name
        return None


class _Keys(NamedTuple):
    """A draft's LinkedIn profile and email in the forms people are matched by."""

    url: str | None
    email: str | None

    @classmethod
    def of(cls, draft: Draft) -> "_Keys":
        return cls(
            normalize_linkedin_url(draft.linkedin_url) if draft.linkedin_url else None,
            email_key(draft.email) if draft.email else None,
        )

    def tagged(self) -> list[str]:
        tags = [f"url:{self.url}"] if self.url else []
        return tags + ([f"email:{self.email}"] if self.email else [])


def ordered_ids(reseed_every: int = 256) -> Callable[[], uuid.UUID]:
    """UUIDv7s that only grow, even within one millisecond, so the rows one import makes
    sort by id in file order: a fresh UUIDv7 now and then, one more than the last between."""
    last = 0
    count = 0

    def next_id() -> uuid.UUID:
        nonlocal last, count
        count += 1
        last = max(uuid7().int, last + 1) if (count - 1) % reseed_every == 0 else last + 1
        return uuid.UUID(int=last)

    return next_id


def plan_import(
    parsed: ParsedFile,
    saved: Saved,
    *,
    direct_edges: bool = False,
    new_id: Callable[[], uuid.UUID] | None = None,
) -> Plan:
    """Decides every row. `direct_edges` (LinkedIn): each person becomes a 1st-degree
    contact, with a direct referral edge (from the user, status met) unless one exists."""
    new_id = new_id or ordered_ids()
    plan = Plan(rows=[_invalid(issue) for issue in parsed.invalid])
    index = _Index(saved.contacts)
    organizations = dict(saved.organizations)
    claimed: dict[uuid.UUID, int] = {}  # saved contact → the row that matched it
    seen: dict[str, int] = {}  # a new person's URL/email → the row that named it
    for draft in parsed.drafts:
        row = RowPlan(draft.row, RowStatus.new, draft.full_name, warnings=draft.warnings)
        plan.rows.append(row)
        keys = _Keys.of(draft)
        match = index.find(draft, keys, claimed)
        earlier = claimed.get(match[0].id) if match else _first(seen, keys.tagged())
        if earlier is not None:
            row.status, row.code = RowStatus.skipped, "duplicate"
            row.reason = f"The same person as row {earlier}."
            row.contact_id = match[0].id if match else None
            continue
        if match is not None and match[0].organization_id is not None and draft.organization:
            # Only compared with the contact's own: no organization is made for that.
            organization_id = organizations.get(name_key(draft.organization), _ELSEWHERE)
        else:
            organization_id = _organization(plan, organizations, draft.organization, new_id)
        if match is None:
            contact_id = new_id()
            plan.contacts.append(_new_contact(contact_id, draft, organization_id))
            for key in keys.tagged():
                seen[key] = draft.row
            row.contact_id = contact_id
        else:
            saved_contact, row.matched_by = match
            row.status, row.contact_id = RowStatus.matched, saved_contact.id
            claimed[saved_contact.id] = draft.row
            changes, row.differences = _merge(saved_contact, draft, organization_id)
            if direct_edges:
                row.differences = [d for d in row.differences if d != "how_we_met"]
            if changes:
                plan.updates.append((saved_contact.id, changes))
                row.changes = list(changes)
        if direct_edges and row.contact_id not in saved.direct:
            plan.referrals.append(
                {"id": new_id(), "to_contact_id": row.contact_id, "context": draft.how_we_met}
            )
            if row.status == RowStatus.matched:
                row.changes.append("referral")
    plan.rows.sort(key=lambda r: r.row)
    return plan


def _first(seen: dict[str, int], keys: list[str]) -> int | None:
    for key in keys:
        if key in seen:
            return seen[key]
    return None


def _invalid(issue: RowIssue) -> RowPlan:
    return RowPlan(
        issue.row,
        RowStatus.invalid,
        issue.full_name,
        column=issue.field,
        reason=f"{issue.field} {issue.reason}.",
        code=issue.code,
    )


def _organization(
    plan: Plan,
    organizations: dict[str, uuid.UUID],
    name: str | None,
    new_id: Callable[[], uuid.UUID],
) -> uuid.UUID | None:
    """The user's organization of this name (ignoring case and blanks), made once if new."""
    if not name:
        return None
    key = name_key(name)
    if key not in organizations:
        organizations[key] = new_id()
        plan.organizations.append(NewOrganization(organizations[key], name, key))
    return organizations[key]


def _new_contact(
    contact_id: uuid.UUID, draft: Draft, organization_id: uuid.UUID | None
) -> dict[str, Any]:
    return {
        "id": contact_id,
        "full_name": draft.full_name,
        "name_key": name_key(draft.full_name),
        "email": draft.email,
        "phone": draft.phone,
        "linkedin_url": draft.linkedin_url,
        "organization_id": organization_id,
        "title": draft.title,
        "location": draft.location,
        "tags": list(draft.tags),
        "how_we_met": draft.how_we_met,
        "notes": draft.notes,
        "status": (draft.status or ContactStatus.identified).value,
        "next_follow_up": draft.next_follow_up,
    }


def _merge(
    saved: SavedContact, draft: Draft, organization_id: uuid.UUID | None
) -> tuple[dict[str, Any], list[str]]:
    """The saved contact's empty fields filled from the draft, and the fields where the
    two disagree (kept as saved)."""
    incoming: dict[str, Any] = {
        "email": draft.email,
        "phone": draft.phone,
        "linkedin_url": draft.linkedin_url,
        "organization_id": organization_id,
        "title": draft.title,
        "location": draft.location,
        "tags": list(draft.tags),
        "how_we_met": draft.how_we_met,
        "notes": draft.notes,
        "next_follow_up": draft.next_follow_up,
    }
    changes: dict[str, Any] = {}
    differences: list[str] = []
    if name_key(saved.full_name) != name_key(draft.full_name):
        differences.append("full_name")
    for name in FILLABLE:
        new, old = incoming[name], getattr(saved, name)
        if not new:
            continue
        if not old:
            changes[name] = new
        elif _comparable(name, old) != _comparable(name, new):
            differences.append(name)
    if draft.status is not None and draft.status.value != saved.status:
        differences.append("status")
    return changes, differences


def _comparable(name: str, value: Any) -> Any:
    if name == "email":
        return email_key(value)
    if name == "linkedin_url":
        return normalize_linkedin_url(value)
    if name == "tags":
        return sorted(tag.casefold() for tag in value)
    return value
