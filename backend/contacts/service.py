"""Contacts: the people the user knows or wants to meet."""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, LargeBinary, cast, delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from backend import crud
from backend.audit import trail
from backend.contacts.models import Contact, ContactCreate, ContactStatus, ContactUpdate
from backend.documents import Doc
from backend.errors import Conflict, FieldIssue
from backend.fields import name_key
from backend.filters import ListFilters, Values
from backend.interviews.models import Interview
from backend.notes.connect import email_key
from backend.notes.models import NoteItem
from backend.organizations.models import Organization
from backend.pagination import Keyset, SortKey, read_page
from backend.reads import Reading
from backend.referrals.models import Referral
from backend.webhooks.events import emit
from backend.webhooks.models import WebhookEvent

table = crud.table_of(Contact)
interviews = crud.table_of(Interview)
referrals = crud.table_of(Referral)
notes = crud.table_of(NoteItem)
LABEL = "contact"

SORT_KEYS = {
    "name": SortKey(table.c.name_key),
    "created_at": SortKey(table.c.created_at, kind=datetime),
    "updated_at": SortKey(table.c.updated_at, kind=datetime),
    "next_follow_up": SortKey(table.c.next_follow_up, kind=date, nullable=True),
}


@dataclass(frozen=True)
class ContactFilters(ListFilters):
    SCANNING = ("q", "tag")

    q: str | None = None
    tag: str | None = None
    organization_id: uuid.UUID | None = None
    status: list[ContactStatus] | None = None
    follow_up_from: date | None = None
    follow_up_to: date | None = None


def _conditions(
    dialect: str, owner: uuid.UUID, f: ContactFilters, p: Values
) -> list[ColumnElement[bool]]:
    c = table.c
    where = [p.owned(table, owner)]
    if f.q:
        where.append(p.search(dialect, f.q, c.full_name, c.email, c.title, c.location, c.notes))
    if f.tag:
        where.append(p.has_tag(dialect, c.tags, f.tag))
    if f.organization_id:
        where.append(
            c.organization_id == p("organization_id", c.organization_id, f.organization_id)
        )
    if f.status:
        where.append(c.status.in_(p.each("status", c.status, [s.value for s in f.status])))
    if f.follow_up_from:
        where.append(c.next_follow_up >= p("follow_up_from", c.next_follow_up, f.follow_up_from))
    if f.follow_up_to:
        where.append(c.next_follow_up <= p("follow_up_to", c.next_follow_up, f.follow_up_to))
    return where


def list_contacts(
    *, reading: Reading, owner: uuid.UUID, filters: ContactFilters, keyset: Keyset, limit: int
) -> str:
    return read_page(
        reading,
        table=table,
        owner=owner,
        filters=filters,
        where=lambda dialect, p: _conditions(dialect, owner, filters, p),
        keyset=keyset,
        limit=limit,
    )


def get_contact(*, reading: Reading, owner: uuid.UUID, contact_id: uuid.UUID) -> Doc:
    return crud.read_doc(reading, table, owner=owner, row_id=contact_id, label=LABEL)


def _check_refs(session: Session, owner: uuid.UUID, values: dict[str, Any]) -> None:
    if values.get("organization_id") is not None:
        crud.ensure_owned(
            session,
            crud.table_of(Organization),
            owner=owner,
            row_id=values["organization_id"],
            field="organization_id",
            label="organization",
        )


class DuplicateEmail(Conflict):
    code = "duplicate_email"


def _ensure_email_free(
    session: Session, owner: uuid.UUID, email: str | None, except_id: uuid.UUID | None = None
) -> None:
    """One contact per email address, ignoring case, as imports and note conversions match
    people (`notes.connect.email_key`): a second is refused with 409 naming the first.

    Two writers at once on PostgreSQL: a transaction-scoped advisory lock on the owner and
    address makes the second wait for the first to commit, then find its contact (no unique
    index on the folded address exists). SQLite writers take turns anyway."""
    if email is None:
        return
    key = email_key(email)
    if session.get_bind().dialect.name == "postgresql":
        digest = hashlib.blake2b(f"contact-email:{owner}:{key}".encode(), digest_size=8).digest()
        lock = int.from_bytes(digest, "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": lock})
    c = table.c
    candidates = select(c.id, c.email).where(
        crud.owned(table, owner),
        c.email.is_not(None),
        # SQL narrows the owner's contacts to the likely ones, Python decides: lower() folds
        # only ASCII on SQLite (and differs from casefold, ß → ss, on PostgreSQL), so any
        # address with a non-ASCII character is checked in Python too.
        or_(func.lower(c.email) == key, _non_ascii(c.email, session.get_bind().dialect.name)),
    )
    for row_id, other in session.execute(candidates):
        if row_id != except_id and email_key(other) == key:
            reason = f"You already have a contact with this email ({other})."
            raise DuplicateEmail(
                reason,
                errors=[FieldIssue(field="email", location="body", reason=reason, code="taken")],
                existing_id=str(row_id),
                existing_url=f"/api/v1/contacts/{row_id}",
            )


def _non_ascii(column: Any, dialect: str) -> ColumnElement[bool]:
    """The text has a character outside ASCII: it is longer in bytes than in characters."""
    if dialect == "sqlite":
        return func.length(cast(column, LargeBinary)) != func.length(column)
    return func.octet_length(column) != func.length(column)


def create_contact(*, session: Session, owner: uuid.UUID, data: ContactCreate) -> crud.CreateResult:
    existing = crud.existing_for_client_id(session, table, owner=owner, row_id=data.id)
    if existing:
        return existing, False
    values = data.model_dump()
    _check_refs(session, owner, values)
    _ensure_email_free(session, owner, data.email)
    values["name_key"] = name_key(data.full_name)
    doc = crud.insert_row(session, table, owner=owner, values=values)
    emit(session, owner, WebhookEvent.contact_created, doc)
    return doc, True


def update_contact(
    *,
    session: Session,
    owner: uuid.UUID,
    contact_id: uuid.UUID,
    data: ContactUpdate,
    expected_version: int | None,
) -> Doc:
    changes = data.model_dump(exclude_unset=True)
    _check_refs(session, owner, changes)
    if "full_name" in changes:
        changes["name_key"] = name_key(changes["full_name"])
    row = crud.update_row(
        session,
        table,
        owner=owner,
        row_id=contact_id,
        changes=changes,
        expected_version=expected_version,
        label=LABEL,
    )
    # After the update, so that a missing contact is 404 and a stale version 412 first; a
    # refusal rolls the update back with the rest of the transaction.
    _ensure_email_free(session, owner, changes.get("email"), except_id=contact_id)
    if changes:
        emit(session, owner, WebhookEvent.contact_updated, row)
    session.commit()
    return row


def delete_contact(
    *,
    session: Session,
    owner: uuid.UUID,
    contact_id: uuid.UUID,
    expected_version: int | None,
    cascade: bool,
) -> None:
    current = crud.get_row(session, table, owner=owner, row_id=contact_id, label=LABEL)
    crud.check_version(current["version"], expected_version)
    own_interviews = select(interviews.c.id).where(
        crud.owned(interviews, owner), interviews.c.contact_id == contact_id
    )
    touching = or_(
        referrals.c.from_contact_id == contact_id, referrals.c.to_contact_id == contact_id
    )
    if cascade:
        # Each row these remove or change is recorded in the audit trail.
        trail.delete_rows(
            session,
            notes,
            delete(notes).where(notes.c.interview_id.in_(own_interviews)),
            owner=owner,
        )
        trail.update_rows(
            session,
            referrals,
            update(referrals)
            .where(referrals.c.interview_id.in_(own_interviews))
            .values(interview_id=None, **crud.touched(referrals)),
            owner=owner,
        )
        trail.delete_rows(
            session,
            referrals,
            delete(referrals).where(crud.owned(referrals, owner), touching),
            owner=owner,
        )
        trail.delete_rows(
            session,
            interviews,
            delete(interviews).where(interviews.c.id.in_(own_interviews)),
            owner=owner,
        )
    else:
        crud.ensure_no_dependents(
            LABEL,
            {
                "interviews": crud.count_where(
                    session,
                    interviews,
                    crud.owned(interviews, owner),
                    interviews.c.contact_id == contact_id,
                ),
                "referrals": crud.count_where(
                    session, referrals, crud.owned(referrals, owner), touching
                ),
            },
        )
    crud.delete_row(
        session,
        table,
        owner=owner,
        row_id=contact_id,
        expected_version=expected_version,
        label=LABEL,
    )
    emit(session, owner, WebhookEvent.contact_deleted, {"id": str(contact_id)})
    session.commit()
