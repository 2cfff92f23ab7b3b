"""Note items: what came out of a conversation, sorted into the method's six categories."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from backend import crud
from backend.contacts.models import Contact
from backend.documents import Doc, join_array
from backend.errors import FieldIssue, Unprocessable
from backend.filters import ListFilters, Values
from backend.interviews.models import Interview
from backend.notes.capture import CaptureProblem, parse_capture
from backend.notes.models import (
    NoteCapture,
    NoteCategory,
    NoteItem,
    NoteItemCreate,
    NoteItemUpdate,
    NoteStatus,
)
from backend.organizations.models import Organization
from backend.pagination import Keyset, SortKey, read_page
from backend.reads import Reading
from backend.referrals.models import Referral
from backend.responses import json_bytes
from backend.webhooks.events import emit
from backend.webhooks.models import WebhookEvent

table = crud.table_of(NoteItem)
interviews = crud.table_of(Interview)
contacts = crud.table_of(Contact)
referrals = crud.table_of(Referral)
organizations = crud.table_of(Organization)
LABEL = "note item"

SORT_KEYS = {
    "created_at": SortKey(table.c.created_at, kind=datetime),
    "updated_at": SortKey(table.c.updated_at, kind=datetime),
    "due_date": SortKey(table.c.due_date, kind=date, nullable=True),
}


@dataclass(frozen=True)
class NoteFilters(ListFilters):
    q: str | None = None
    interview_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    category: list[NoteCategory] | None = None
    status: NoteStatus | None = None
    due_from: date | None = None
    due_to: date | None = None


def _conditions(
    dialect: str, owner: uuid.UUID, f: NoteFilters, p: Values
) -> list[ColumnElement[bool]]:
    c = table.c
    where = [p.owned(table, owner)]
    if f.q:
        where.append(p.search(dialect, f.q, c.text, c.url, c.author))
    if f.interview_id:
        where.append(c.interview_id == p("interview_id", c.interview_id, f.interview_id))
    if f.contact_id:
        where.append(c.contact_id == p("contact_id", c.contact_id, f.contact_id))
    if f.category:
        categories = [cat.value for cat in f.category]
        where.append(c.category.in_(p.each("category", c.category, categories)))
    if f.status:
        where.append(c.status == p("status", c.status, f.status.value))
    if f.due_from:
        where.append(c.due_date >= p("due_from", c.due_date, f.due_from))
    if f.due_to:
        where.append(c.due_date <= p("due_to", c.due_date, f.due_to))
    return where


def list_note_items(
    *, reading: Reading, owner: uuid.UUID, filters: NoteFilters, keyset: Keyset, limit: int
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


def get_note_item(*, reading: Reading, owner: uuid.UUID, note_id: uuid.UUID) -> Doc:
    return crud.read_doc(reading, table, owner=owner, row_id=note_id, label=LABEL)


def _check_refs(session: Session, owner: uuid.UUID, values: dict[str, Any]) -> None:
    if values.get("interview_id") is not None:
        crud.ensure_owned(
            session,
            interviews,
            owner=owner,
            row_id=values["interview_id"],
            field="interview_id",
            label="interview",
        )
    if values.get("contact_id") is not None:
        crud.ensure_owned(
            session,
            contacts,
            owner=owner,
            row_id=values["contact_id"],
            field="contact_id",
            label="contact",
        )


def create_note_item(
    *, session: Session, owner: uuid.UUID, data: NoteItemCreate
) -> crud.CreateResult:
    existing = crud.existing_for_client_id(session, table, owner=owner, row_id=data.id)
    if existing:
        return existing, False
    values = data.model_dump()
    _check_refs(session, owner, values)
    doc = crud.insert_row(session, table, owner=owner, values=values)
    emit(session, owner, WebhookEvent.note_item_created, doc)
    return doc, True


def update_note_item(
    *,
    session: Session,
    owner: uuid.UUID,
    note_id: uuid.UUID,
    data: NoteItemUpdate,
    expected_version: int | None,
) -> Doc:
    changes = data.model_dump(exclude_unset=True)
    _check_refs(session, owner, changes)
    row = crud.update_row(
        session,
        table,
        owner=owner,
        row_id=note_id,
        changes=changes,
        expected_version=expected_version,
        label=LABEL,
    )
    if changes:
        emit(session, owner, WebhookEvent.note_item_updated, row)
    session.commit()
    return row


def delete_note_item(
    *, session: Session, owner: uuid.UUID, note_id: uuid.UUID, expected_version: int | None
) -> None:
    crud.delete_row(
        session,
        table,
        owner=owner,
        row_id=note_id,
        expected_version=expected_version,
        label=LABEL,
    )
    session.commit()


# --- Quick capture -------------------------------------------------------------------------


def _capture_problem(problems: tuple[CaptureProblem, ...]) -> Unprocessable:
    issues = [
        FieldIssue(field="text", location="body", reason=f"Line {p.line}: {p.reason}", code=p.code)
        for p in problems
    ]
    lines = [{"line": p.line, "reason": p.reason, "code": p.code} for p in problems]
    count = "1 line" if len(problems) == 1 else f"{len(problems)} lines"
    return Unprocessable(
        f"Nothing was saved: {count} of the text could not be read.", errors=issues, lines=lines
    )


def capture_note_items(
    *, session: Session, owner: uuid.UUID, interview_id: uuid.UUID, data: NoteCapture
) -> tuple[str, bool]:
    """`{"items": [...]}` as JSON text, and whether they were saved (False: a dry run, the
    items as parsed). All or nothing: one unreadable line and nothing is written."""
    crud.get_row(session, interviews, owner=owner, row_id=interview_id, label="interview")
    parsed = parse_capture(data.text, data.default_category)
    if parsed.problems:
        raise _capture_problem(parsed.problems)
    if data.dry_run:
        return json_bytes({"items": parsed.items}).decode(), False
    docs = [
        crud.insert_row(
            session,
            table,
            owner=owner,
            values={
                "interview_id": interview_id,
                "category": item.category.value,
                "text": item.text,
                "status": NoteStatus.open.value,
                "due_date": item.due_date,
                "url": item.url,
                "author": item.author,
            },
        ).json
        for item in parsed.items
    ]
    for created in docs:
        emit(session, owner, WebhookEvent.note_item_created, created)
    session.commit()
    return f'{{"items":{join_array(docs)}}}', True
