"""Owner-scoped row operations shared by every feature's service.

Every statement here filters on `owner_id`: a row of another user is indistinguishable from a
row that does not exist. Writes are single statements guarded by the row's version, so two
clients editing the same thing cannot silently overwrite each other. Each write also records
what it changed in the audit trail, in the same transaction (see backend.audit.trail).
"""

import uuid
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Select,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from backend.audit import trail
from backend.documents import (
    Doc,
    dialect_of,
    doc_columns,
    document,
    document_of,
    read_document_of,
    to_doc,
)
from backend.errors import Conflict, FieldIssue, NotFound, PreconditionFailed
from backend.fields import utcnow, uuid7
from backend.prepared import Prepared
from backend.reads import Reading

# (resource, created): created is False when a client-chosen id named an existing row.
CreateResult = tuple[Doc, bool]


def table_of(model: Any) -> Table:
    table: Table = model.__table__
    return table


def owned(table: Table, owner: uuid.UUID) -> ColumnElement[bool]:
    return table.c.owner_id == owner


def find_row(
    session: Session, table: Table, *, owner: uuid.UUID, row_id: uuid.UUID
) -> dict[str, Any] | None:
    """A row as Python values, for the rules a service checks before it writes."""
    stmt = select(table).where(owned(table, owner), table.c.id == row_id)
    row = session.execute(stmt).mappings().first()
    return dict(row) if row else None


def get_row(
    session: Session, table: Table, *, owner: uuid.UUID, row_id: uuid.UUID, label: str
) -> dict[str, Any]:
    row = find_row(session, table, owner=owner, row_id=row_id)
    if row is None:
        raise _not_found(label, row_id)
    return row


@cache
def _doc_by_id(table: Table, dialect: str) -> Select[Any]:
    # Built once per table: the select and its cache key would otherwise be rebuilt for every
    # read, which costs more than the primary-key lookup.
    return select(read_document_of(table, dialect), table.c.id, table.c.version).where(
        table.c.owner_id == bindparam("owner", type_=table.c.owner_id.type),
        table.c.id == bindparam("row_id", type_=table.c.id.type),
    )


def find_doc(session: Session, table: Table, *, owner: uuid.UUID, row_id: uuid.UUID) -> Doc | None:
    row = _kept_doc_by_id(table, dialect_of(session)).first_in(session, owner=owner, row_id=row_id)
    return to_doc(row) if row else None


def get_doc(
    session: Session, table: Table, *, owner: uuid.UUID, row_id: uuid.UUID, label: str
) -> Doc:
    doc = find_doc(session, table, owner=owner, row_id=row_id)
    if doc is None:
        raise _not_found(label, row_id)
    return doc


@cache
def _kept_doc_by_id(table: Table, dialect: str) -> Prepared:
    return Prepared(_doc_by_id(table, dialect))


def read_doc(
    reading: Reading, table: Table, *, owner: uuid.UUID, row_id: uuid.UUID, label: str
) -> Doc:
    """`get_doc` for a read endpoint: its kept statement, on the reading's own connection."""
    stmt = _kept_doc_by_id(table, reading.dialect.name)
    row = reading.first(stmt, owner=owner, row_id=row_id)
    if row is None:
        raise _not_found(label, row_id)
    return to_doc(row)


def _not_found(label: str, row_id: uuid.UUID) -> NotFound:
    return NotFound(f"No {label} with id {row_id}.")


@cache
def _owned_id(table: Table) -> Prepared:
    return Prepared(
        select(table.c.id).where(
            table.c.owner_id == bindparam("owner", type_=table.c.owner_id.type),
            table.c.id == bindparam("row_id", type_=table.c.id.type),
        )
    )


def ensure_owned(
    session: Session, table: Table, *, owner: uuid.UUID, row_id: uuid.UUID, field: str, label: str
) -> None:
    """A reference in a body must point at one of the caller's own rows."""
    if _owned_id(table).first_in(session, owner=owner, row_id=row_id) is None:
        reason = f"No {label} with id {row_id}."
        raise NotFound(
            reason,
            errors=[FieldIssue(field=field, location="body", reason=reason, code="not_found")],
        )


@lru_cache(maxsize=256)
def _insert_of(table: Table, dialect: str, columns: tuple[str, ...]) -> Insert:
    """An insert of these columns, each value a parameter, kept: building the statement and
    walking it for its cache key cost more than running it. (SQLAlchemy still fills in the
    columns' defaults; the `v_` prefix keeps clear of the names it reserves for them.)"""
    values = {name: bindparam(f"v_{name}", type_=table.c[name].type) for name in columns}
    returning = (document_of(table, dialect), table.c.id, table.c.version)
    return insert(table).values(values).returning(*returning)


def insert_row(
    session: Session,
    table: Table,
    *,
    owner: uuid.UUID,
    values: Mapping[str, Any],
    audit_also: Mapping[str, Any] | None = None,
) -> Doc:
    """`audit_also`: values the audit trail records with the row's own (JSON values of
    what the service keeps elsewhere, such as an opportunity's interviews)."""
    now = utcnow()
    data = {**values, "owner_id": owner, "version": 1, "created_at": now, "updated_at": now}
    if data.get("id") is None:
        data["id"] = uuid7()
    stmt = _insert_of(table, dialect_of(session), tuple(data))
    doc = to_doc(session.execute(stmt, {f"v_{k}": v for k, v in data.items()}).one())
    trail.record_insert(session, table, owner=owner, doc=doc, also=audit_also)
    return doc


# Ids are unique across accounts, so one held by another user's row cannot be given to the
# caller, and refusing it tells whoever already knows that id that it is in use: only
# ids scoped per owner (a schema change) would let it look like a fresh one. The refusal
# says no more than that: the same answer for every kind, whoever holds the id.
UNUSABLE_ID = "This id cannot be used for a new record; leave `id` out, or send another."


def unusable_id() -> Conflict:
    issue = FieldIssue(field="id", location="body", reason=UNUSABLE_ID, code="unusable")
    return Conflict(UNUSABLE_ID, errors=[issue])


def existing_for_client_id(
    session: Session, table: Table, *, owner: uuid.UUID, row_id: uuid.UUID | None
) -> Doc | None:
    """A create retried with the same client-chosen id gets the row it made the first time;
    an id held by anyone else's row is unusable (UNUSABLE_ID)."""
    if row_id is None:
        return None
    doc = find_doc(session, table, owner=owner, row_id=row_id)
    if doc is not None:
        return doc
    if session.execute(select(table.c.id).where(table.c.id == row_id)).first() is not None:
        raise unusable_id()
    return None


def touched(table: Table) -> dict[str, Any]:
    """What any change to a row also sets, so its ETag moves whenever its content does."""
    return {"version": table.c.version + 1, "updated_at": utcnow()}


@cache
def _doc_for_update(table: Table, dialect: str) -> Select[Any]:
    # The row as it is, for the audit trail, read under the write lock (SQLite's write
    # transactions hold it from BEGIN IMMEDIATE; PostgreSQL locks the row until commit).
    stmt = select(read_document_of(table, dialect)).where(
        table.c.owner_id == bindparam("owner", type_=table.c.owner_id.type),
        table.c.id == bindparam("row_id", type_=table.c.id.type),
    )
    return stmt.with_for_update()


def update_row(
    session: Session,
    table: Table,
    *,
    owner: uuid.UUID,
    row_id: uuid.UUID,
    changes: Mapping[str, Any],
    expected_version: int | None,
    label: str,
    audit_also: Mapping[str, tuple[Any, Any]] | None = None,
) -> Doc:
    """Applies `changes` in one statement if the row is still at `expected_version`.

    `audit_also`: (old, new) JSON values the audit trail records with the row's own."""
    if not changes:
        doc = get_doc(session, table, owner=owner, row_id=row_id, label=label)
        check_version(doc.version, expected_version)
        return doc
    before = None
    if table.name in trail.AUDITED:
        before_stmt = _doc_for_update(table, dialect_of(session))
        before = session.execute(before_stmt, {"owner": owner, "row_id": row_id}).scalar()
    conditions = [owned(table, owner), table.c.id == row_id]
    if expected_version is not None:
        conditions.append(table.c.version == expected_version)
    stmt = (
        update(table)
        .where(*conditions)
        .values({**changes, **touched(table)})
        .returning(*doc_columns(session, table))
    )
    row = session.execute(stmt).first()
    if row is None:
        current = get_row(session, table, owner=owner, row_id=row_id, label=label)
        check_version(current["version"], expected_version)
    assert row is not None
    doc = to_doc(row)
    if before is not None:
        trail.record_update(session, table, owner=owner, before=before, after=doc, also=audit_also)
    return doc


def delete_row(
    session: Session,
    table: Table,
    *,
    owner: uuid.UUID,
    row_id: uuid.UUID,
    expected_version: int | None,
    label: str,
    audit_also: Mapping[str, Any] | None = None,
) -> None:
    """`audit_also`: last values the audit trail records with the row's own."""
    conditions = [owned(table, owner), table.c.id == row_id]
    if expected_version is not None:
        conditions.append(table.c.version == expected_version)
    # Its last values come back from the DELETE itself, for the audit trail.
    stmt = delete(table).where(*conditions).returning(document(session, table))
    last = session.execute(stmt).scalar()
    if last is None:
        current = get_row(session, table, owner=owner, row_id=row_id, label=label)
        check_version(current["version"], expected_version)
        return
    trail.record_delete(session, table, owner=owner, row_id=row_id, before=last, also=audit_also)


def check_version(current: int, expected: int | None) -> None:
    if expected is not None and current != expected:
        raise PreconditionFailed(
            f"The resource changed since you read it (now version {current}); "
            "reload it and apply your change again.",
            current_version=current,
        )


def count_where(session: Session, table: Table, *conditions: ColumnElement[bool]) -> int:
    return int(
        session.execute(select(func.count()).select_from(table).where(*conditions)).scalar_one()
    )


def ensure_no_dependents(label: str, dependents: Mapping[str, int]) -> None:
    """Refuses to delete what other rows still point at, saying what they are."""
    blocking = {name: n for name, n in dependents.items() if n}
    if blocking:
        listing = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in blocking.items())
        raise Conflict(
            f"This {label} still has {listing}; delete with ?cascade=true to remove them too.",
            dependents=blocking,
        )
