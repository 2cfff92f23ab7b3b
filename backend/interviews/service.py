"""Interviews: the conversations themselves, moving through an explicit lifecycle."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from backend import crud
from backend.contacts.models import Contact
from backend.documents import Doc, document, join_array, with_member
from backend.errors import Conflict, FieldIssue, PreconditionFailed
from backend.fields import utcnow
from backend.filters import text_search
from backend.interviews.lifecycle import InterviewStatus, initial_problem, transition_problem
from backend.interviews.models import Interview, InterviewCreate, InterviewUpdate
from backend.notes.models import NoteItem
from backend.pagination import Keyset, SortKey, fetch_page
from backend.referrals.models import Referral

table = crud.table_of(Interview)
notes = crud.table_of(NoteItem)
referrals = crud.table_of(Referral)
LABEL = "interview"

SORT_KEYS = {
    "scheduled_at": SortKey(table.c.scheduled_at, kind=datetime, nullable=True),
    "created_at": SortKey(table.c.created_at, kind=datetime),
    "updated_at": SortKey(table.c.updated_at, kind=datetime),
}

# What moving into a state records, unless the client already said when.
STAMPS = {
    InterviewStatus.outreach_sent: "outreach_sent_at",
    InterviewStatus.thanked: "thank_you_sent_at",
}


@dataclass(frozen=True)
class InterviewFilters:
    q: str | None = None
    contact_id: uuid.UUID | None = None
    status: list[InterviewStatus] | None = None
    scheduled_from: datetime | None = None
    scheduled_to: datetime | None = None


def _conditions(
    session: Session, owner: uuid.UUID, f: InterviewFilters
) -> list[ColumnElement[bool]]:
    c = table.c
    where = [crud.owned(table, owner)]
    if f.q:
        where.append(text_search(session, f.q, c.location, c.research_notes, c.summary))
    if f.contact_id:
        where.append(c.contact_id == f.contact_id)
    if f.status:
        where.append(c.status.in_([s.value for s in f.status]))
    if f.scheduled_from:
        where.append(c.scheduled_at >= f.scheduled_from)
    if f.scheduled_to:
        where.append(c.scheduled_at < f.scheduled_to)
    return where


def list_interviews(
    *, session: Session, owner: uuid.UUID, filters: InterviewFilters, keyset: Keyset, limit: int
) -> str:
    return fetch_page(
        session,
        table=table,
        where=_conditions(session, owner, filters),
        keyset=keyset,
        limit=limit,
        owner=owner,
    )


def get_interview(*, session: Session, owner: uuid.UUID, interview_id: uuid.UUID) -> Doc:
    return crud.get_doc(session, table, owner=owner, row_id=interview_id, label=LABEL)


def get_interview_detail(*, session: Session, owner: uuid.UUID, interview_id: uuid.UUID) -> Doc:
    doc = get_interview(session=session, owner=owner, interview_id=interview_id)
    stmt = (
        select(document(session, notes))
        .where(crud.owned(notes, owner), notes.c.interview_id == interview_id)
        .order_by(notes.c.created_at, notes.c.id)
    )
    items = join_array(list(session.execute(stmt).scalars()))
    return doc._replace(json=with_member(doc.json, "note_items", items))


def _status_conflict(reason: str) -> Conflict:
    return Conflict(
        reason, errors=[FieldIssue(field="status", location="body", reason=reason, code="state")]
    )


def _ensure_contact(session: Session, owner: uuid.UUID, contact_id: uuid.UUID) -> None:
    crud.ensure_owned(
        session,
        crud.table_of(Contact),
        owner=owner,
        row_id=contact_id,
        field="contact_id",
        label="contact",
    )


def create_interview(
    *, session: Session, owner: uuid.UUID, data: InterviewCreate
) -> crud.CreateResult:
    existing = crud.existing_for_client_id(session, table, owner=owner, row_id=data.id)
    if existing:
        return existing, False
    _ensure_contact(session, owner, data.contact_id)
    problem = initial_problem(data.status, data.scheduled_at is not None)
    if problem:
        raise _status_conflict(problem)
    values = data.model_dump()
    stamp = STAMPS.get(data.status)
    if stamp and values[stamp] is None:
        values[stamp] = utcnow()
    return crud.insert_row(session, table, owner=owner, values=values), True


def update_interview(
    *,
    session: Session,
    owner: uuid.UUID,
    interview_id: uuid.UUID,
    data: InterviewUpdate,
    expected_version: int | None,
) -> Doc:
    changes = data.model_dump(exclude_unset=True)
    if changes.get("contact_id") is not None:
        _ensure_contact(session, owner, changes["contact_id"])
    # Without If-Match the client accepts any version; a concurrent writer can still slip in
    # between our read and our guarded write, so try again on the newer state.
    for _attempt in range(3):
        current = crud.get_row(session, table, owner=owner, row_id=interview_id, label=LABEL)
        crud.check_version(current["version"], expected_version)
        status = InterviewStatus(changes.get("status", current["status"]))
        scheduled_at = changes.get("scheduled_at", current["scheduled_at"])
        problem = transition_problem(
            InterviewStatus(current["status"]), status, scheduled_at is not None
        )
        if problem:
            raise _status_conflict(problem)
        stamp = STAMPS.get(status)
        if stamp and status != current["status"] and changes.get(stamp, current[stamp]) is None:
            changes[stamp] = utcnow()
        try:
            row = crud.update_row(
                session,
                table,
                owner=owner,
                row_id=interview_id,
                changes=changes,
                expected_version=current["version"],
                label=LABEL,
            )
        except PreconditionFailed:
            if expected_version is not None:
                raise
            continue
        session.commit()
        return row
    raise PreconditionFailed("The interview kept changing while we tried to update it; retry.")


def delete_interview(
    *,
    session: Session,
    owner: uuid.UUID,
    interview_id: uuid.UUID,
    expected_version: int | None,
    cascade: bool,
) -> None:
    current = crud.get_row(session, table, owner=owner, row_id=interview_id, label=LABEL)
    crud.check_version(current["version"], expected_version)
    its_notes = [crud.owned(notes, owner), notes.c.interview_id == interview_id]
    if cascade:
        session.execute(delete(notes).where(*its_notes))
    else:
        crud.ensure_no_dependents(
            LABEL, {"note_items": crud.count_where(session, notes, *its_notes)}
        )
    # Referrals offered in this interview stay; they just lose their source.
    offered_here = [crud.owned(referrals, owner), referrals.c.interview_id == interview_id]
    session.execute(
        update(referrals).where(*offered_here).values(interview_id=None, **crud.touched(referrals))
    )
    crud.delete_row(
        session,
        table,
        owner=owner,
        row_id=interview_id,
        expected_version=expected_version,
        label=LABEL,
    )
    session.commit()
