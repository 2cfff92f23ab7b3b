"""Referral edges: who offered to introduce the user to whom, and how far it got."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from backend import crud
from backend.contacts.models import Contact
from backend.documents import Doc
from backend.errors import Conflict, FieldIssue, Unprocessable
from backend.filters import ListFilters, Values
from backend.interviews.models import Interview
from backend.pagination import Keyset, SortKey, read_page
from backend.reads import Reading
from backend.referrals.models import Referral, ReferralCreate, ReferralStatus, ReferralUpdate
from backend.webhooks.events import emit
from backend.webhooks.models import WebhookEvent

table = crud.table_of(Referral)
contacts = crud.table_of(Contact)
LABEL = "referral"

SORT_KEYS = {
    "created_at": SortKey(table.c.created_at, kind=datetime),
    "updated_at": SortKey(table.c.updated_at, kind=datetime),
}


@dataclass(frozen=True)
class ReferralFilters(ListFilters):
    q: str | None = None
    from_contact_id: uuid.UUID | None = None
    direct: bool | None = None
    to_contact_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    interview_id: uuid.UUID | None = None
    status: list[ReferralStatus] | None = None


def _conditions(
    dialect: str, owner: uuid.UUID, f: ReferralFilters, p: Values
) -> list[ColumnElement[bool]]:
    c = table.c
    where = [p.owned(table, owner)]
    if f.q:
        where.append(p.search(dialect, f.q, c.context))
    if f.from_contact_id:
        where.append(
            c.from_contact_id == p("from_contact_id", c.from_contact_id, f.from_contact_id)
        )
    if f.direct is not None:
        where.append(c.from_contact_id.is_(None) if f.direct else c.from_contact_id.is_not(None))
    if f.to_contact_id:
        where.append(c.to_contact_id == p("to_contact_id", c.to_contact_id, f.to_contact_id))
    if f.contact_id:
        either = p("contact_id", c.from_contact_id, f.contact_id)
        where.append(or_(c.from_contact_id == either, c.to_contact_id == either))
    if f.interview_id:
        where.append(c.interview_id == p("interview_id", c.interview_id, f.interview_id))
    if f.status:
        where.append(c.status.in_(p.each("status", c.status, [s.value for s in f.status])))
    return where


def list_referrals(
    *, reading: Reading, owner: uuid.UUID, filters: ReferralFilters, keyset: Keyset, limit: int
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


def get_referral(*, reading: Reading, owner: uuid.UUID, referral_id: uuid.UUID) -> Doc:
    return crud.read_doc(reading, table, owner=owner, row_id=referral_id, label=LABEL)


def _ensure_interview(session: Session, owner: uuid.UUID, interview_id: uuid.UUID | None) -> None:
    if interview_id is not None:
        crud.ensure_owned(
            session,
            crud.table_of(Interview),
            owner=owner,
            row_id=interview_id,
            field="interview_id",
            label="interview",
        )


def create_referral(
    *, session: Session, owner: uuid.UUID, data: ReferralCreate
) -> crud.CreateResult:
    existing = crud.existing_for_client_id(session, table, owner=owner, row_id=data.id)
    if existing:
        return existing, False
    for field in ("from_contact_id", "to_contact_id"):
        contact_id = getattr(data, field)
        if contact_id is not None:
            crud.ensure_owned(
                session, contacts, owner=owner, row_id=contact_id, field=field, label="contact"
            )
    if data.from_contact_id == data.to_contact_id:
        raise Unprocessable.field(
            "to_contact_id", "A contact cannot introduce the user to themself.", "self_loop"
        )
    _ensure_interview(session, owner, data.interview_id)
    same_edge = select(table.c.id).where(
        crud.owned(table, owner),
        table.c.to_contact_id == data.to_contact_id,
        table.c.from_contact_id.is_(None)
        if data.from_contact_id is None
        else table.c.from_contact_id == data.from_contact_id,
    )
    duplicate = session.execute(same_edge).scalar()
    if duplicate is not None:
        reason = "This referral already exists."
        raise Conflict(
            reason,
            existing_id=str(duplicate),
            errors=[
                FieldIssue(field="to_contact_id", location="body", reason=reason, code="duplicate")
            ],
        )
    doc = crud.insert_row(session, table, owner=owner, values=data.model_dump())
    emit(session, owner, WebhookEvent.referral_created, doc)
    return doc, True


def update_referral(
    *,
    session: Session,
    owner: uuid.UUID,
    referral_id: uuid.UUID,
    data: ReferralUpdate,
    expected_version: int | None,
) -> Doc:
    changes = data.model_dump(exclude_unset=True)
    _ensure_interview(session, owner, changes.get("interview_id"))
    row = crud.update_row(
        session,
        table,
        owner=owner,
        row_id=referral_id,
        changes=changes,
        expected_version=expected_version,
        label=LABEL,
    )
    if changes:
        emit(session, owner, WebhookEvent.referral_updated, row)
    session.commit()
    return row


def delete_referral(
    *, session: Session, owner: uuid.UUID, referral_id: uuid.UUID, expected_version: int | None
) -> None:
    crud.delete_row(
        session,
        table,
        owner=owner,
        row_id=referral_id,
        expected_version=expected_version,
        label=LABEL,
    )
    session.commit()
