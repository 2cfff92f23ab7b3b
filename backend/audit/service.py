"""Reading the audit trail: the owner's events, newest first, a page at a time."""

import base64
import binascii
import uuid
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Table, func, select
from sqlalchemy.orm import Session

from backend import crud
from backend.audit import changes
from backend.audit.models import HistoryKind
from backend.audit.trail import events
from backend.documents import document
from backend.errors import Unprocessable

_CURSOR_TAG = "history"
_MAX_ID = 2**63 - 1


def encode_cursor(last_id: int) -> str:
    raw = orjson.dumps([_CURSOR_TAG, last_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id the next page starts below; anything but a cursor we issued is a 422."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        tag, last_id = orjson.loads(base64.urlsafe_b64decode(padded))
        if tag != _CURSOR_TAG or type(last_id) is not int or not 0 < last_id <= _MAX_ID:
            raise ValueError("not a history cursor")
    except (ValueError, TypeError, binascii.Error) as exc:
        raise Unprocessable.invalid_cursor() from exc
    return last_id


def _page(
    session: Session,
    owner: uuid.UUID,
    kind: HistoryKind | None,
    object_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> tuple[str, int]:
    """The `{items, next_cursor, total}` envelope as JSON text, and how many items it has."""
    where: list[ColumnElement[bool]] = [events.c.owner_id == owner]
    if kind is not None:
        where.append(events.c.kind == kind.value)
    if object_id is not None:
        where.append(events.c.object_id == object_id)
    count = select(func.count()).select_from(events).where(*where).scalar_subquery()
    conditions = list(where)
    if cursor:
        conditions.append(events.c.id < decode_cursor(cursor))
    stmt = (
        select(document(session, events), events.c.id, count)
        .where(*conditions)
        .order_by(events.c.id.desc())
        .limit(limit + 1)
    )
    rows = session.execute(stmt).all()
    total = rows[0][2] if rows else session.execute(select(count)).scalar_one()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1][1])
    items = [_shown(row[0]) for row in rows]
    page = {"items": items, "next_cursor": next_cursor, "total": total}
    return orjson.dumps(page).decode(), len(rows)


def _shown(doc: str) -> dict[str, Any]:
    """An event as the database rendered it, its changes as the API shows them."""
    event: dict[str, Any] = orjson.loads(doc)
    event["changes"] = changes.public(event["action"], event["changes"])
    return event


def list_history(
    *,
    session: Session,
    owner: uuid.UUID,
    kind: HistoryKind | None,
    object_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> str:
    body, _n = _page(session, owner, kind, object_id, cursor, limit)
    return body


def object_history(
    *,
    session: Session,
    owner: uuid.UUID,
    kind: HistoryKind,
    table: Table,
    label: str,
    object_id: uuid.UUID,
    cursor: str | None,
    limit: int,
) -> str:
    """One object's events. Its history outlives it (a deleted contact's history ends with
    its deletion); an id with neither history nor object is 404, like another user's."""
    body, n = _page(session, owner, kind, object_id, cursor, limit)
    if n == 0 and not cursor:
        crud.get_row(session, table, owner=owner, row_id=object_id, label=label)
    return body
