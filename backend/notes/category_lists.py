"""Note items across all interviews, one category at a time: the To Read, To Do, … lists."""

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from backend import crud
from backend.documents import document, join_array, with_member
from backend.errors import Unprocessable
from backend.notes.models import NoteCategory, NoteStatus
from backend.notes.service import contacts, interviews, table
from backend.responses import json_bytes


@dataclass(frozen=True)
class _Order:
    """A list's order: columns ascending (nullable ones with NULLs last), then the id."""

    columns: tuple[tuple[ColumnElement[Any], type, bool], ...]

    def order_by(self) -> list[ColumnElement[Any]]:
        terms: list[ColumnElement[Any]] = []
        for column, _kind, nullable in self.columns:
            terms += [column.is_(None).asc(), column.asc()] if nullable else [column.asc()]
        return [*terms, table.c.id.asc()]

    def after(self, values: list[Any], last_id: uuid.UUID) -> ColumnElement[bool]:
        """Rows after (values, last_id): the first column greater, or equal and then the next
        one greater… A NULL sorts after every value."""
        keys = [(column, nullable) for column, _kind, nullable in self.columns]
        keys.append((table.c.id, False))
        alternatives: list[ColumnElement[bool]] = []
        equal_so_far: list[ColumnElement[bool]] = []
        for (column, nullable), value in zip(keys, [*values, last_id], strict=True):
            if value is None:
                equal_so_far.append(column.is_(None))
                continue
            greater = or_(column > value, column.is_(None)) if nullable else column > value
            alternatives.append(and_(*equal_so_far, greater))
            equal_so_far.append(column == value)
        return or_(*alternatives)

    def parse(self, raw: list[Any]) -> list[Any]:
        if len(raw) != len(self.columns):
            raise ValueError("wrong length")
        return [
            _cursor_value(v, kind, nullable)
            for v, (_c, kind, nullable) in zip(raw, self.columns, strict=True)
        ]


BY_CREATED = _Order(((table.c.created_at, datetime, False),))
BY_DUE_DATE = _Order(((table.c.due_date, date, True), (table.c.created_at, datetime, False)))


def _cursor_value(raw: Any, kind: type, nullable: bool) -> Any:
    if raw is None:
        if not nullable:
            raise ValueError("not nullable")
        return None
    if not isinstance(raw, str) or "\x00" in raw:
        raise ValueError("not a sort value")
    if kind is date:
        return date.fromisoformat(raw)
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value


def _encode_cursor(name: str, values: list[Any], row_id: uuid.UUID) -> str:
    plain = [v.isoformat() if isinstance(v, date | datetime) else v for v in values]
    raw = orjson.dumps([name, *plain, str(row_id)])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, name: str, order: _Order) -> tuple[list[Any], uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = orjson.loads(base64.urlsafe_b64decode(padded))
        if not isinstance(raw, list) or len(raw) < 2 or raw[0] != name:
            raise ValueError("another list")
        if not isinstance(raw[-1], str):
            raise ValueError("not an id")
        return order.parse(raw[1:-1]), uuid.UUID(raw[-1])
    except (ValueError, TypeError, binascii.Error) as exc:
        raise Unprocessable.invalid_cursor() from exc


def list_category(
    *,
    session: Session,
    owner: uuid.UUID,
    category: NoteCategory,
    status: NoteStatus,
    cursor: str | None,
    limit: int,
) -> str:
    """One category's items across every interview, each with the conversation it came from:
    the `{items, next_cursor, total}` envelope as JSON text. to_do items come by due date
    (undated last), then by when they were noted; the others by when they were noted."""
    order = BY_DUE_DATE if category is NoteCategory.to_do else BY_CREATED
    name = f"{category.value}:{status.value}"
    where = [crud.owned(table, owner), table.c.category == category.value]
    where.append(table.c.status == status.value)
    count = select(func.count()).select_from(table).where(*where).scalar_subquery()
    conditions = list(where)
    if cursor:
        values, last_id = _decode_cursor(cursor, name, order)
        conditions.append(order.after(values, last_id))
    sort_columns = [column for column, _kind, _nullable in order.columns]
    stmt = (
        select(
            document(session, table),
            interviews.c.id,
            interviews.c.scheduled_at,
            contacts.c.id,
            contacts.c.full_name,
            count,
            table.c.id,
            *sort_columns,
        )
        .join(
            interviews,
            and_(interviews.c.id == table.c.interview_id, crud.owned(interviews, owner)),
        )
        .join(contacts, and_(contacts.c.id == interviews.c.contact_id, crud.owned(contacts, owner)))
        .where(*conditions)
        .order_by(*order.order_by())
        .limit(limit + 1)
    )
    rows = session.execute(stmt).all()
    total = rows[0][5] if rows else session.execute(select(count)).scalar_one()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode_cursor(name, list(last[7:]), last[6])
    items = []
    for doc, interview_id, scheduled_at, person_id, person_name, *_rest in rows:
        context = {
            "interview_id": interview_id,
            "interviewee": {"id": person_id, "full_name": person_name},
            "scheduled_at": scheduled_at,
        }
        item = with_member(doc, "context", json_bytes(context).decode())
        if category is NoteCategory.to_read:
            item = with_member(item, "recommended_by", json_bytes(person_name).decode())
        items.append(item)
    cursor_json = orjson.dumps(next_cursor).decode()
    return f'{{"items":{join_array(items)},"next_cursor":{cursor_json},"total":{total}}}'
