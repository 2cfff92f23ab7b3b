"""Note items: what came out of a conversation, sorted into the method's six categories."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from backend import crud
from backend.contacts.models import Contact
from backend.documents import Doc
from backend.filters import text_search
from backend.interviews.models import Interview
from backend.notes.models import (
    NoteCategory,
    NoteItem,
    NoteItemCreate,
    NoteItemUpdate,
    NoteStatus,
)
from backend.pagination import Keyset, SortKey, fetch_page

table = crud.table_of(NoteItem)
LABEL = "note item"

SORT_KEYS = {
    "created_at": SortKey(table.c.created_at, kind=datetime),
    "updated_at": SortKey(table.c.updated_at, kind=datetime),
    "due_date": SortKey(table.c.due_date, kind=date, nullable=True),
}


@dataclass(frozen=True)
class NoteFilters:
    q: str | None = None
    interview_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    category: list[NoteCategory] | None = None
    status: NoteStatus | None = None
    due_from: date | None = None
    due_to: date | None = None


def _conditions(session: Session, owner: uuid.UUID, f: NoteFilters) -> list[ColumnElement[bool]]:
    c = table.c
    where = [crud.owned(table, owner)]
    if f.q:
        where.append(text_search(session, f.q, c.text, c.url))
    if f.interview_id:
        where.append(c.interview_id == f.interview_id)
    if f.contact_id:
        where.append(c.contact_id == f.contact_id)
    if f.category:
        where.append(c.category.in_([cat.value for cat in f.category]))
    if f.status:
        where.append(c.status == f.status.value)
    if f.due_from:
        where.append(c.due_date >= f.due_from)
    if f.due_to:
        where.append(c.due_date <= f.due_to)
    return where


def list_note_items(
    *, session: Session, owner: uuid.UUID, filters: NoteFilters, keyset: Keyset, limit: int
) -> str:
    return fetch_page(
        session,
        table=table,
        where=_conditions(session, owner, filters),
        keyset=keyset,
        limit=limit,
        owner=owner,
    )


def get_note_item(*, session: Session, owner: uuid.UUID, note_id: uuid.UUID) -> Doc:
    return crud.get_doc(session, table, owner=owner, row_id=note_id, label=LABEL)


def _check_refs(session: Session, owner: uuid.UUID, values: dict[str, Any]) -> None:
    if values.get("interview_id") is not None:
        crud.ensure_owned(
            session,
            crud.table_of(Interview),
            owner=owner,
            row_id=values["interview_id"],
            field="interview_id",
            label="interview",
        )
    if values.get("contact_id") is not None:
        crud.ensure_owned(
            session,
            crud.table_of(Contact),
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
    return crud.insert_row(session, table, owner=owner, values=values), True


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
