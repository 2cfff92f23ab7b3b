"""Imports (LinkedIn, contacts CSV, vCard), exports, and the full backup and restore.

An import is computed from the uploaded file and the user's data as they are, every time: a
preview writes nothing, a commit computes the same plan again and writes all of it in one
transaction. The writes are bulk statements (one per table, many rows each), with the same
values the API's own creates would store.
"""

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    Text,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from backend import crud
from backend.audit import trail
from backend.contacts.models import Contact
from backend.documents import dialect_of, document, join_array, with_member
from backend.errors import Conflict, FieldIssue, NotFound, Unprocessable
from backend.fields import utcnow
from backend.interviews.models import Interview
from backend.messages.models import MessageTemplate
from backend.notes.models import NoteItem
from backend.opportunities.models import Opportunity, OpportunityInterview
from backend.organizations.models import Organization
from backend.profiles.models import Profile
from backend.referrals.models import Referral
from backend.responses import json_bytes
from backend.transfer import restore, textfile
from backend.transfer.contacts_csv import parse_contacts_csv, write_contacts_csv
from backend.transfer.drafts import ParsedFile
from backend.transfer.linkedin import parse_linkedin
from backend.transfer.merge import DIRECT_STATUS, Plan, RowStatus, Saved, SavedContact, plan_import
from backend.transfer.models import (
    BACKUP_FORMAT,
    SCHEMA_VERSION,
    Backup,
    ImportFormat,
    ImportMode,
    ImportSummary,
    RestoreCounts,
    RestoreReport,
)
from backend.transfer.vcard import VCardVersion, parse_vcards, write_vcard

contacts = crud.table_of(Contact)
organizations = crud.table_of(Organization)
referrals = crud.table_of(Referral)
interviews = crud.table_of(Interview)
note_items = crud.table_of(NoteItem)
opportunities = crud.table_of(Opportunity)
opportunity_links = crud.table_of(OpportunityInterview)
templates = crud.table_of(MessageTemplate)
profiles = crud.table_of(Profile)

TABLES: dict[str, Table] = {
    "message_templates": templates,
    "organizations": organizations,
    "contacts": contacts,
    "interviews": interviews,
    "referrals": referrals,
    "note_items": note_items,
    "opportunities": opportunities,
}
PARSERS = {
    ImportFormat.linkedin: parse_linkedin,
    ImportFormat.contacts_csv: parse_contacts_csv,
    ImportFormat.vcard: parse_vcards,
}
# How many ids one `IN (...)` asks about at a time.
CHUNK = 500


# --- Imports -------------------------------------------------------------------------------


def _parse(fmt: ImportFormat, data: bytes) -> ParsedFile:
    try:
        return PARSERS[fmt](data)
    except textfile.FileProblem as exc:
        issue = FieldIssue(field="file", location="body", reason=exc.reason, code=exc.code)
        extra = {"line": exc.line} if exc.line is not None else {}
        if exc.limit is not None:
            extra["limit"] = exc.limit
        raise Unprocessable(exc.reason, errors=[issue], **extra) from exc


_SAVED_FIELDS = [f.name for f in dataclasses.fields(SavedContact)]


def _saved(session: Session, owner: uuid.UUID) -> Saved:
    """The user's contacts, organizations and direct edges, as matching needs them."""
    stmt = (
        select(*(contacts.c[name] for name in _SAVED_FIELDS))
        .where(crud.owned(contacts, owner))
        .order_by(contacts.c.id)
    )
    saved = [
        SavedContact(**{**row, "tags": tuple(row["tags"] or ())})
        for row in session.execute(stmt).mappings()
    ]
    orgs = session.execute(
        select(organizations.c.name_key, organizations.c.id).where(crud.owned(organizations, owner))
    )
    direct = session.execute(
        select(referrals.c.to_contact_id).where(
            crud.owned(referrals, owner), referrals.c.from_contact_id.is_(None)
        )
    )
    return Saved(
        contacts=saved,
        organizations=dict(orgs.all()),
        direct={contact_id for (contact_id,) in direct},
    )


def import_contacts(
    *, session: Session, owner: uuid.UUID, fmt: ImportFormat, data: bytes, mode: ImportMode
) -> dict[str, Any]:
    """Previews or commits an uploaded file of people: the body of an `ImportReport`."""
    parsed = _parse(fmt, data)
    plan = plan_import(parsed, _saved(session, owner), direct_edges=fmt == ImportFormat.linkedin)
    committed = mode == ImportMode.commit
    if committed:
        # The audit trail gets an event per row written: the matched contacts' filled fields
        # (read before and after) and each created row (written by the database itself).
        with trail.tracking(session, contacts, owner=owner, ids=[i for i, _ in plan.updates]):
            _apply(session, owner, plan)
        for table, ids in _created_ids(plan):
            trail.record_created(session, table, owner=owner, ids=ids)
        session.commit()
    return _report(fmt, mode, parsed, plan, committed)


# Values every row of a bulk insert shares and that are no user's data, written into the
# statement itself: bound per row they cost more than the rest of the row (a JSON encoding of
# `[]` each time). Timestamps and the owner stay bound parameters.
_FIRST_VERSION = {"version": literal_column("1")}
_NO_TAGS = {"tags": literal_column("'[]'")}
_BLANK_ORGANIZATION = {
    name: null() for name in ("website", "linkedin_url", "industry", "interest_level", "notes")
}
_DIRECT_EDGE = {
    "from_contact_id": null(),
    "interview_id": null(),
    "status": literal_column(f"'{DIRECT_STATUS.value}'"),
}


def _bulk_insert(
    session: Session, table: Table, rows: list[dict[str, Any]], shared: dict[str, Any]
) -> None:
    _insert_rows(session, table, rows, {**_FIRST_VERSION, **shared})


def _insert_rows(
    session: Session, table: Table, rows: list[dict[str, Any]], constants: dict[str, Any]
) -> None:
    """Inserts rows (all with the same keys) plus `constants` in as few statements as is
    fast: the row-count triggers run once per statement on PostgreSQL (see the "search and
    counts" migration), so one statement for 10,000 rows is one counter update, not 10,000.

    - PostgreSQL: one INSERT of every row, read from a single JSON parameter by
      jsonb_populate_recordset (which converts each value to its column's type). 10,000
      contacts: 0.9 s, where an executemany (10,000 statements in psycopg's pipeline mode)
      takes 2.5 s and 1,000-row VALUES lists 1.8 s (each of their 12,000 parameters is
      adapted and bound on its own).
    - SQLite: 1,000-row VALUES lists, which SQLAlchemy makes of an executemany that has
      RETURNING ("insertmanyvalues"; without RETURNING sqlite3 runs a statement per row):
      0.3 s for 10,000 contacts against 0.7 s.

    Measured with tests/bench/bulk_insert.py."""
    if not rows:
        return
    if dialect_of(session) == "postgresql":
        names = list(rows[0])
        data = orjson.dumps(rows, option=orjson.OPT_NAIVE_UTC).decode()
        record = literal_column(
            f"NULL::{session.get_bind().dialect.identifier_preparer.quote(table.name)}"
        )
        source = (
            func.jsonb_populate_recordset(record, cast(bindparam("rows", data, type_=Text), JSONB))
            .table_valued(*(c.name for c in table.c))
            .alias("source")
        )
        columns = [*(source.c[name] for name in names), *constants.values()]
        session.execute(insert(table).from_select([*names, *constants], select(*columns)))
        return
    stmt = insert(table).values(constants).returning(*table.primary_key.columns)
    session.execute(stmt, rows).close()


def _apply(session: Session, owner: uuid.UUID, plan: Plan) -> None:
    now = utcnow()
    meta = {"owner_id": owner, "created_at": now, "updated_at": now}
    orgs = [
        {**meta, "id": o.id, "name": o.name, "name_key": o.name_key} for o in plan.organizations
    ]
    _bulk_insert(session, organizations, orgs, {**_BLANK_ORGANIZATION, **_NO_TAGS})
    tagged = [{**meta, **values} for values in plan.contacts if values["tags"]]
    _bulk_insert(session, contacts, tagged, {})
    untagged = [
        {**meta, **{k: v for k, v in values.items() if k != "tags"}}
        for values in plan.contacts
        if not values["tags"]
    ]
    _bulk_insert(session, contacts, untagged, _NO_TAGS)
    _update_contacts(session, owner, plan.updates, now)
    _bulk_insert(session, referrals, [{**meta, **r} for r in plan.referrals], _DIRECT_EDGE)


def _created_ids(plan: Plan) -> list[tuple[Table, list[uuid.UUID]]]:
    return [
        (organizations, [o.id for o in plan.organizations]),
        (contacts, [values["id"] for values in plan.contacts]),
        (referrals, [values["id"] for values in plan.referrals]),
    ]


def _empty(column: Any) -> ColumnElement[bool]:
    """What the merge counts as an empty field: no value, or no text."""
    if isinstance(column.type, String):
        return or_(column.is_(None), column == "")
    is_null: ColumnElement[bool] = column.is_(None)
    return is_null


def _update_contacts(
    session: Session,
    owner: uuid.UUID,
    updates: list[tuple[uuid.UUID, dict[str, Any]]],
    now: datetime,
) -> None:
    """Fills the planned fields: one statement per set of fields, executed for many rows,
    each only while the fields are still empty (never over a concurrent writer's value)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for contact_id, changes in updates:
        names = tuple(sorted(changes))
        params = {"_id": contact_id, **{f"_{name}": changes[name] for name in names}}
        groups.setdefault(names, []).append(params)
    for names, params in groups.items():
        values: dict[str, Any] = {
            name: bindparam(f"_{name}", type_=contacts.c[name].type) for name in names
        }
        still_empty = [_empty(contacts.c[name]) for name in names if name != "tags"]
        stmt = (
            update(contacts)
            .where(crud.owned(contacts, owner), contacts.c.id == bindparam("_id"), *still_empty)
            .values({**values, "version": contacts.c.version + 1, "updated_at": now})
        )
        session.execute(stmt, params)


def _report(
    fmt: ImportFormat, mode: ImportMode, parsed: ParsedFile, plan: Plan, committed: bool
) -> dict[str, Any]:
    """The body of an `ImportReport`, built as plain data: a 10,000-row report validated
    as models costs more than the rest of a preview."""
    rows = [
        {
            "row": row.row,
            "status": row.status.value,
            "full_name": row.full_name,
            # A new contact's id is drawn again at commit: none to show in a preview.
            "contact_id": row.contact_id if committed or row.status != RowStatus.new else None,
            "matched_by": row.matched_by.value if row.matched_by else None,
            "changes": row.changes,
            "differences": row.differences,
            "field": row.column,
            "reason": row.reason,
            "code": row.code,
            "warnings": row.warnings,
        }
        for row in plan.rows
    ]
    summary = ImportSummary(
        rows=len(plan.rows),
        new=plan.count(RowStatus.new),
        matched=plan.count(RowStatus.matched),
        skipped=plan.count(RowStatus.skipped),
        invalid=plan.count(RowStatus.invalid),
        contacts_created=len(plan.contacts),
        contacts_updated=len(plan.updates),
        organizations_created=len(plan.organizations),
        referrals_created=len(plan.referrals),
    )
    return {
        "format": fmt.value,
        "mode": mode.value,
        "committed": committed,
        "summary": summary.model_dump(),
        "organizations": [
            {"name": o.name, "id": o.id if committed else None} for o in plan.organizations
        ],
        "ignored_columns": parsed.ignored_columns,
        "rows": rows,
    }


# --- Contacts CSV and vCard exports --------------------------------------------------------


def _instant(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _contact_rows(
    session: Session, owner: uuid.UUID, contact_id: uuid.UUID | None = None
) -> Iterator[dict[str, Any]]:
    """The user's contacts (or one of them) with their organization's name, by name."""
    where: list[ColumnElement[bool]] = [crud.owned(contacts, owner)]
    if contact_id is not None:
        where.append(contacts.c.id == contact_id)
    stmt = (
        select(contacts, organizations.c.name.label("organization"))
        .outerjoin(organizations, organizations.c.id == contacts.c.organization_id)
        .where(*where)
        .order_by(contacts.c.name_key, contacts.c.id)
    )
    for row in session.execute(stmt).mappings():
        yield dict(row)


def contacts_csv(*, session: Session, owner: uuid.UUID) -> str:
    def cells(row: dict[str, Any]) -> dict[str, Any]:
        return {
            **row,
            "next_follow_up": row["next_follow_up"].isoformat() if row["next_follow_up"] else None,
            "created_at": _instant(row["created_at"]),
            "updated_at": _instant(row["updated_at"]),
        }

    return write_contacts_csv(cells(row) for row in _contact_rows(session, owner))


def contact_vcard(
    *, session: Session, owner: uuid.UUID, contact_id: uuid.UUID, version: VCardVersion
) -> str:
    crud.get_row(session, contacts, owner=owner, row_id=contact_id, label="contact")
    row = next(_contact_rows(session, owner, contact_id))
    return write_vcard(row, row["organization"], version)


def contacts_vcards(*, session: Session, owner: uuid.UUID, version: VCardVersion) -> str:
    return "".join(
        write_vcard(row, row["organization"], version) for row in _contact_rows(session, owner)
    )


# --- Backup --------------------------------------------------------------------------------


def _documents(session: Session, table: Table, owner: uuid.UUID) -> list[str]:
    stmt = (
        select(document(session, table), table.c.id)
        .where(crud.owned(table, owner))
        .order_by(table.c.created_at, table.c.id)
    )
    return [doc for doc, _ in session.execute(stmt)]


def _opportunity_documents(session: Session, owner: uuid.UUID) -> list[str]:
    linked: dict[uuid.UUID, list[str]] = {}
    stmt = (
        select(opportunity_links.c.opportunity_id, opportunity_links.c.interview_id)
        .join(opportunities, opportunities.c.id == opportunity_links.c.opportunity_id)
        .where(crud.owned(opportunities, owner))
        .order_by(opportunity_links.c.interview_id)
    )
    for opportunity_id, interview_id in session.execute(stmt):
        linked.setdefault(opportunity_id, []).append(str(interview_id))
    stmt = (
        select(document(session, opportunities), opportunities.c.id)
        .where(crud.owned(opportunities, owner))
        .order_by(opportunities.c.created_at, opportunities.c.id)
    )
    return [
        with_member(doc, "interview_ids", orjson.dumps(linked.get(row_id, [])).decode())
        for doc, row_id in session.execute(stmt)
    ]


PROFILE_FIELDS = ("focus_areas", "learn_from", "values", "situation", "ask", "version",
                  "created_at", "updated_at")  # fmt: skip


def _profile_document(session: Session, owner: uuid.UUID) -> str:
    row = session.execute(select(profiles).where(profiles.c.owner_id == owner)).mappings().first()
    if row is None:
        return "null"
    return json_bytes({name: row[name] for name in PROFILE_FIELDS}).decode()


def backup_document(*, session: Session, owner: uuid.UUID) -> str:
    """Everything the user owns, as one JSON document (see `Backup`)."""
    head = json_bytes(
        {"format": BACKUP_FORMAT, "schema_version": SCHEMA_VERSION, "exported_at": utcnow()}
    ).decode()
    parts = [f'"profile":{_profile_document(session, owner)}']
    for kind, table in TABLES.items():
        docs = (
            _opportunity_documents(session, owner)
            if kind == "opportunities"
            else _documents(session, table, owner)
        )
        parts.append(f'"{kind}":{join_array(docs)}')
    return head[:-1] + "," + ",".join(parts) + "}"


def _data_counts(session: Session, owner: uuid.UUID) -> dict[str, int]:
    counts = {
        kind: crud.count_where(session, table, crud.owned(table, owner))
        for kind, table in TABLES.items()
    }
    profile = session.execute(select(profiles).where(profiles.c.owner_id == owner)).mappings()
    row = profile.first()
    counts["profile"] = int(row is not None and _has_content(row))
    return {kind: n for kind, n in counts.items() if n}


def _has_content(profile: Any) -> bool:
    texts = ("learn_from", "values", "situation", "ask")
    return bool(profile["focus_areas"]) or any(profile[name] for name in texts)


def _ids_taken(session: Session, backup: Backup) -> bool:
    """Whether any id of the backup names a row already on this server (anyone's)."""
    for kind, ids in restore.all_ids(backup).items():
        table = TABLES[kind]
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            found = session.execute(select(table.c.id).where(table.c.id.in_(chunk)).limit(1))
            if found.first() is not None:
                return True
    return False


def restore_backup(
    *, session: Session, owner: uuid.UUID, backup: Backup, mode: ImportMode
) -> RestoreReport:
    """Restores a backup into the user's account, which must hold no data yet."""
    issues = restore.check_backup(backup)
    if issues:
        errors = [
            FieldIssue(field=i.field, location="body", reason=i.reason, code=i.code) for i in issues
        ]
        detail = "; ".join(f"{i.field}: {i.reason}" for i in issues[:5])
        problem = {404: NotFound, 409: Conflict}.get(restore.status_of(issues), Unprocessable)
        raise problem(detail, errors=errors)
    existing = _data_counts(session, owner)
    if existing:
        listing = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in existing.items())
        raise Conflict(
            f"This account already has data ({listing}): a backup is restored only into an "
            "empty account, so nothing is overwritten. Nothing was changed.",
            existing=existing,
        )
    preserved = not _ids_taken(session, backup)
    counts = RestoreCounts(
        **{kind: len(getattr(backup, kind)) for kind in restore.KINDS},
        profile=int(backup.profile is not None),
    )
    if mode == ImportMode.preview:
        return RestoreReport(mode=mode, restored=False, ids_preserved=preserved, counts=counts)
    id_map = None if preserved else restore.new_ids(backup)
    rows = restore.table_rows(backup, owner, id_map)
    for kind in (*restore.KINDS, "opportunity_interviews"):
        if rows[kind]:
            table = opportunity_links if kind == "opportunity_interviews" else TABLES[kind]
            _insert_rows(session, table, rows[kind], {})
    for kind in restore.KINDS:
        trail.record_created(session, TABLES[kind], owner=owner, ids=[r["id"] for r in rows[kind]])
    with trail.tracking_profile(session, owner=owner):
        _restore_profile(session, owner, restore.profile_values(backup))
    session.commit()
    public_map = (
        {kind: {str(old): new for old, new in ids.items()} for kind, ids in id_map.items()}
        if id_map is not None
        else None
    )
    return RestoreReport(
        mode=mode, restored=True, ids_preserved=preserved, counts=counts, id_map=public_map
    )


def _restore_profile(session: Session, owner: uuid.UUID, values: dict[str, Any] | None) -> None:
    if values is None:
        return
    exists = session.execute(select(func.count()).where(profiles.c.owner_id == owner))
    if exists.scalar_one():
        # An empty profile row (made by sharing the link, say): it gets the backup's content
        # and keeps its own share link.
        session.execute(update(profiles).where(profiles.c.owner_id == owner).values(values))
    else:
        session.execute(
            insert(profiles).values(
                {**values, "owner_id": owner, "share_token": None, "share_created_at": None}
            )
        )


def export_filename(stem: str, extension: str, on: date | None = None) -> str:
    return f"{stem}-{(on or utcnow().date()).isoformat()}.{extension}"
