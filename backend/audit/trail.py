"""Recording changes in the audit trail, inside the transaction of the change itself.

`backend.crud` records every row it inserts, updates or deletes; services that write with
statements of their own (cascades, imports, the profile, message templates) call the helpers
here around them. An event is one INSERT next to the change: if the change rolls back, so
does its event. Who made it comes from the request (see `backend.audit.actor`).

The values recorded are those the API shows, taken from the resource documents the database
renders (see `backend.documents`): a create keeps the row as created, a delete the row's last
values (from the DELETE's own RETURNING), an update the fields that differ between the row
just before (read under the write lock) and just after. Secrets are never stored (see
backend.audit.changes, which also says how the stored form is shown).
"""

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    ColumnElement,
    Delete,
    Insert,
    Table,
    Update,
    and_,
    any_,
    cast,
    func,
    insert,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from backend.audit import changes
from backend.audit.actor import CURRENT_ACTOR
from backend.audit.models import AuditEvent, HistoryAction, HistoryKind
from backend.documents import Doc, dialect_of, document, document_of
from backend.fields import UTCDateTime, utcnow
from backend.profiles.models import Profile

events: Table = AuditEvent.__table__  # type: ignore[attr-defined]
profiles: Table = Profile.__table__  # type: ignore[attr-defined]
AUDITED = frozenset(kind.value for kind in HistoryKind)
# How many ids one statement of a bulk record names.
CHUNK = 1000
_INSERT: Insert = insert(events)


def _who(owner: uuid.UUID) -> dict[str, Any]:
    actor = CURRENT_ACTOR.get()
    if actor is None:
        return {"user_id": owner, "via": "system", "token_id": None}
    return {"user_id": actor.user_id, "via": actor.via, "token_id": actor.token_id}


def _write(session: Session, owner: uuid.UUID, rows: list[dict[str, Any]]) -> None:
    """Inserts events given as (kind, object_id, action, changes), all at one instant."""
    if not rows:
        return
    shared = {"owner_id": owner, "at": utcnow(), **_who(owner)}
    session.execute(_INSERT, [{**shared, **row} for row in rows])


def _event(
    kind: str, object_id: uuid.UUID, action: HistoryAction, change: Mapping[str, Any]
) -> dict[str, Any]:
    return {"kind": kind, "object_id": object_id, "action": action.value, "changes": change}


def record(
    session: Session,
    *,
    owner: uuid.UUID,
    kind: str,
    object_id: uuid.UUID,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    """One object went from `before` to `after` (either None: created, deleted), both as
    JSON values. An update that changed nothing shown is no event."""
    if before is None and after is None:
        return
    if before is None:
        assert after is not None
        event = _event(kind, object_id, HistoryAction.create, changes.stored_row(after))
    elif after is None:
        event = _event(kind, object_id, HistoryAction.delete, changes.stored_row(before))
    else:
        change = changes.updated(before, after)
        if not change:
            return
        event = _event(kind, object_id, HistoryAction.update, change)
    _write(session, owner, [event])


def record_row(
    session: Session,
    *,
    owner: uuid.UUID,
    kind: HistoryKind,
    object_id: uuid.UUID,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    """`record` for rows of Python values (as a statement's RETURNING gives them)."""
    record(
        session,
        owner=owner,
        kind=kind.value,
        object_id=object_id,
        before=changes.as_json_values(before) if before is not None else None,
        after=changes.as_json_values(after) if after is not None else None,
    )


def _parsed(doc_json: str) -> dict[str, Any]:
    parsed: dict[str, Any] = orjson.loads(doc_json)
    return parsed


# --- crud ----------------------------------------------------------------------------------


def record_insert(
    session: Session,
    table: Table,
    *,
    owner: uuid.UUID,
    doc: Doc,
    also: Mapping[str, Any] | None = None,
) -> None:
    """A row crud inserted; `also` adds values kept outside the row (an opportunity's
    interviews)."""
    if table.name in AUDITED:
        after = {**_parsed(doc.json), **(also or {})}
        record(session, owner=owner, kind=table.name, object_id=doc.id, before=None, after=after)


def record_update(
    session: Session,
    table: Table,
    *,
    owner: uuid.UUID,
    before: str,
    after: Doc,
    also: Mapping[str, tuple[Any, Any]] | None = None,
) -> None:
    """A row crud updated, from its document just before; `also` adds (old, new) of values
    kept outside the row."""
    if table.name not in AUDITED:
        return
    old, new = _parsed(before), _parsed(after.json)
    for name, (was, now) in (also or {}).items():
        old[name], new[name] = was, now
    record(session, owner=owner, kind=table.name, object_id=after.id, before=old, after=new)


def record_delete(
    session: Session,
    table: Table,
    *,
    owner: uuid.UUID,
    row_id: uuid.UUID,
    before: str,
    also: Mapping[str, Any] | None = None,
) -> None:
    """A row crud deleted, from the document its DELETE returned."""
    if table.name in AUDITED:
        old = {**_parsed(before), **(also or {})}
        record(session, owner=owner, kind=table.name, object_id=row_id, before=old, after=None)


# --- Statements of the services' own -------------------------------------------------------


def _documents(
    session: Session, table: Table, where: ColumnElement[bool], *, lock: bool
) -> dict[uuid.UUID, str]:
    stmt = select(table.c.id, document(session, table)).where(where)
    if lock:
        # The values an UPDATE is about to change stay the ones we read (PostgreSQL; an
        # SQLite write transaction holds the database's one write lock already).
        stmt = stmt.with_for_update()
    return dict(session.execute(stmt).all())  # type: ignore[arg-type]


def _diffs(
    table: Table, before: Mapping[uuid.UUID, str], after: Mapping[uuid.UUID, str]
) -> list[dict[str, Any]]:
    rows = []
    for row_id, new in after.items():
        old = before.get(row_id)
        if old is None:
            continue
        change = changes.updated(_parsed(old), _parsed(new))
        if change:
            rows.append(_event(table.name, row_id, HistoryAction.update, change))
    return rows


def update_rows(session: Session, table: Table, stmt: Update, *, owner: uuid.UUID) -> int:
    """Runs `stmt`, an UPDATE of the owner's rows of `table`, recording what it changed in
    each row; how many rows it updated."""
    where = stmt.whereclause
    assert where is not None, "an UPDATE of some rows, not of the whole table"
    before = _documents(session, table, where, lock=True)
    result = session.execute(stmt.returning(table.c.id, document(session, table)))
    after: dict[uuid.UUID, str] = dict(result.all())  # type: ignore[arg-type]
    _write(session, owner, _diffs(table, before, after))
    return len(after)


def delete_rows(session: Session, table: Table, stmt: Delete, *, owner: uuid.UUID) -> int:
    """Runs `stmt`, a DELETE of the owner's rows of `table`, recording each row's last
    values; how many rows it deleted."""
    gone = session.execute(stmt.returning(table.c.id, document(session, table))).all()
    _write(
        session,
        owner,
        [
            _event(table.name, row_id, HistoryAction.delete, changes.stored_row(_parsed(doc)))
            for row_id, doc in gone
        ],
    )
    return len(gone)


@contextmanager
def tracking(
    session: Session, table: Table, *, owner: uuid.UUID, ids: Sequence[uuid.UUID]
) -> Iterator[None]:
    """Records what the statements run inside the block change in these rows of `table`:
    their documents are read before (locked) and after."""
    before: dict[uuid.UUID, str] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        where = and_(table.c.owner_id == owner, table.c.id.in_(chunk))
        before.update(_documents(session, table, where, lock=True))
    yield
    rows = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        where = and_(table.c.owner_id == owner, table.c.id.in_(chunk))
        after = _documents(session, table, where, lock=False)
        rows += _diffs(table, {i: before[i] for i in after if i in before}, after)
    _write(session, owner, rows)


# --- Bulk creates --------------------------------------------------------------------------


@cache
def _created_row(table: Table, dialect: str) -> ColumnElement[Any]:
    """A row (of the enclosing statement) as a create event stores it: the document the API
    shows of it, rendered by the database, less any secret it holds."""
    doc: ColumnElement[Any] = document_of(table, dialect).element
    secrets = sorted(name for name in changes.SECRETS if name in table.c)
    if dialect == "sqlite":
        if secrets:
            doc = func.json_remove(doc, *(literal_column(f"'$.{name}'") for name in secrets))
        return doc
    if secrets:
        stripped = cast(doc, JSONB)
        for name in secrets:
            stripped = stripped.op("-")(literal_column(f"'{name}'"))
        doc = stripped
    return cast(doc, JSON)


def record_created(
    session: Session, table: Table, *, owner: uuid.UUID, ids: Sequence[uuid.UUID]
) -> None:
    """A create event for each of these just-inserted rows (a bulk insert's), written by
    the database in a few INSERT … SELECT statements: no row goes through Python."""
    if table.name not in AUDITED or not ids:
        return
    who = _who(owner)
    at = utcnow()
    dialect = dialect_of(session)
    row = _created_row(table, dialect)
    columns = ["owner_id", "at", "user_id", "via", "token_id", "kind", "object_id", "action"]
    if dialect == "postgresql":
        # All of them in one statement, named by one array parameter (binding thousands of
        # parameters one by one costs more than the statement).
        chunks: list[ColumnElement[bool]] = [
            table.c.id == any_(literal(list(ids), postgresql.ARRAY(table.c.id.type)))
        ]
    else:
        chunks = [table.c.id.in_(ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK)]
    for chunk in chunks:
        rows = select(
            table.c.owner_id,
            literal(at, UTCDateTime()),
            literal(who["user_id"], events.c.user_id.type),
            literal(who["via"], events.c.via.type),
            literal(who["token_id"], events.c.token_id.type),
            literal(table.name, events.c.kind.type),
            table.c.id,
            literal(HistoryAction.create.value, events.c.action.type),
            row,
        ).where(table.c.owner_id == owner, chunk)
        session.execute(insert(events).from_select([*columns, "changes"], rows))


@contextmanager
def tracking_profile(session: Session, *, owner: uuid.UUID) -> Iterator[None]:
    """Records what the statements run inside the block do to the owner's profile."""
    stmt = select(profiles).where(profiles.c.owner_id == owner)
    before = session.execute(stmt.with_for_update()).mappings().first()
    yield
    after = session.execute(stmt).mappings().first()
    if after is not None:
        record_row(
            session,
            owner=owner,
            kind=HistoryKind.profiles,
            object_id=owner,
            before=dict(before) if before is not None else None,
            after=dict(after),
        )
