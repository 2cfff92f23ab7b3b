"""Note items: what came out of a conversation, sorted into the method's six categories."""

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
from backend.contacts import service as contacts_service
from backend.contacts.models import Contact, ContactCreate
from backend.documents import Doc, document, join_array, with_member
from backend.errors import FieldIssue, NotFound, Unprocessable
from backend.fields import name_key
from backend.filters import ListFilters, Values
from backend.interviews import service as interviews_service
from backend.interviews.models import Interview, InterviewCreate
from backend.notes.capture import CaptureProblem, parse_capture
from backend.notes.connect import (
    NAME_MAX,
    converted_contact_id,
    default_full_name,
    email_key,
    how_we_met,
    normalize_linkedin_url,
    referral_context,
)
from backend.notes.models import (
    NoteCapture,
    NoteCategory,
    NoteConvert,
    NoteItem,
    NoteItemCreate,
    NoteItemUpdate,
    NoteStatus,
)
from backend.organizations.models import Organization
from backend.pagination import Keyset, SortKey, read_page
from backend.reads import Reading
from backend.referrals import service as referrals_service
from backend.referrals.models import Referral, ReferralCreate, ReferralStatus
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


# --- Converting a to_connect item ----------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    contact_id: uuid.UUID
    field: str  # the input it was found by, for an error about it


def _check_convert_refs(session: Session, owner: uuid.UUID, data: NoteConvert) -> None:
    if data.contact_id is not None:
        crud.ensure_owned(
            session,
            contacts,
            owner=owner,
            row_id=data.contact_id,
            field="contact_id",
            label="contact",
        )
    if data.organization_id is not None:
        crud.ensure_owned(
            session,
            organizations,
            owner=owner,
            row_id=data.organization_id,
            field="organization_id",
            label="organization",
        )


def _lock_note(session: Session, owner: uuid.UUID, note_id: uuid.UUID) -> dict[str, Any]:
    """The note, locked until the transaction ends (PostgreSQL; SQLite write transactions
    are one at a time already), so two conversions of it run one after the other."""
    stmt = select(table).where(crud.owned(table, owner), table.c.id == note_id).with_for_update()
    row = session.execute(stmt).mappings().first()
    if row is None:
        raise NotFound(f"No {LABEL} with id {note_id}.")
    return dict(row)


def _conversion_json(
    note: Doc, contact: Doc, referral: Doc, interview: Doc | None, matched: bool
) -> str:
    return (
        f'{{"note_item":{note.json},"contact":{contact.json},"referral":{referral.json},'
        f'"interview":{interview.json if interview else "null"},'
        f'"matched_existing_contact":{"true" if matched else "false"}}}'
    )


def _earlier_conversion(session: Session, owner: uuid.UUID, note: dict[str, Any]) -> str:
    """What converting this note made the first time (a deleted referral or interview
    empties the note's reference to it)."""
    referral = crud.get_row(
        session, referrals, owner=owner, row_id=note["produced_referral_id"], label="referral"
    )
    contact_id = referral["to_contact_id"]
    interview_id = note["produced_interview_id"]
    interview = (
        crud.find_doc(session, interviews, owner=owner, row_id=interview_id)
        if interview_id is not None
        else None
    )
    return _conversion_json(
        crud.get_doc(session, table, owner=owner, row_id=note["id"], label=LABEL),
        crud.get_doc(session, contacts, owner=owner, row_id=contact_id, label="contact"),
        crud.get_doc(session, referrals, owner=owner, row_id=referral["id"], label="referral"),
        interview,
        matched=contact_id != converted_contact_id(note["id"]),
    )


def _find_contact(
    session: Session, owner: uuid.UUID, note: dict[str, Any], data: NoteConvert
) -> _Found | None:
    """The user's contact the body (or, when the body names nobody, the note) points at."""
    if data.contact_id is not None:
        return _Found(data.contact_id, "contact_id")
    if data.email is None and data.linkedin_url is None and data.full_name is None:
        if note["contact_id"] is not None:
            return _Found(note["contact_id"], "contact_id")
    mine = crud.owned(contacts, owner)
    oldest_first = (contacts.c.created_at, contacts.c.id)
    if data.email is not None or data.linkedin_url is not None:
        stmt = (
            select(contacts.c.id, contacts.c.email, contacts.c.linkedin_url)
            .where(mine, or_(contacts.c.email.is_not(None), contacts.c.linkedin_url.is_not(None)))
            .order_by(*oldest_first)
        )
        rows = session.execute(stmt).all()
        if data.email is not None:
            wanted = email_key(data.email)
            for row in rows:
                if row.email is not None and email_key(row.email) == wanted:
                    return _Found(row.id, "email")
        if data.linkedin_url is not None:
            wanted = normalize_linkedin_url(data.linkedin_url)
            for row in rows:
                if row.linkedin_url and normalize_linkedin_url(row.linkedin_url) == wanted:
                    return _Found(row.id, "linkedin_url")
    name = data.full_name or default_full_name(note["text"])
    if name is not None:
        stmt = select(contacts.c.id).where(mine, contacts.c.name_key == name_key(name))
        found = session.execute(stmt.order_by(*oldest_first).limit(1)).scalar()
        if found is not None:
            return _Found(found, "full_name")
    return None


def _create_contact(
    session: Session,
    owner: uuid.UUID,
    note: dict[str, Any],
    data: NoteConvert,
    introduced_by: str,
    met_on: date,
) -> Doc:
    full_name = data.full_name or default_full_name(note["text"])
    if full_name is None:
        raise Unprocessable.field(
            "full_name",
            "Say who this is: the note's text is not a name (one line of at most "
            f"{NAME_MAX} characters), so give full_name.",
            "missing",
        )
    new = ContactCreate(
        id=converted_contact_id(note["id"]),
        full_name=full_name,
        email=data.email,
        linkedin_url=data.linkedin_url,
        title=data.title,
        organization_id=data.organization_id,
        how_we_met=how_we_met(introduced_by, met_on),
    )
    doc, _created = contacts_service.create_contact(session=session, owner=owner, data=new)
    return doc


def _referral_edge(
    session: Session,
    owner: uuid.UUID,
    *,
    from_contact_id: uuid.UUID,
    to_contact_id: uuid.UUID,
    interview_id: uuid.UUID,
    context: str,
) -> Doc:
    """The introduction from the interviewee: the one already recorded between them (its
    blanks filled in), else a new one, offered."""
    stmt = select(referrals).where(
        crud.owned(referrals, owner),
        referrals.c.from_contact_id == from_contact_id,
        referrals.c.to_contact_id == to_contact_id,
    )
    existing = session.execute(stmt).mappings().first()
    if existing is None:
        new = ReferralCreate(
            from_contact_id=from_contact_id,
            to_contact_id=to_contact_id,
            interview_id=interview_id,
            context=context,
            status=ReferralStatus.offered,
        )
        doc, _created = referrals_service.create_referral(session=session, owner=owner, data=new)
        return doc
    blanks = {"interview_id": interview_id, "context": context}
    changes = {name: value for name, value in blanks.items() if existing[name] is None}
    doc = crud.update_row(
        session,
        referrals,
        owner=owner,
        row_id=existing["id"],
        changes=changes,
        expected_version=existing["version"],
        label="referral",
    )
    if changes:
        emit(session, owner, WebhookEvent.referral_updated, doc)
    return doc


def convert_note_item(
    *, session: Session, owner: uuid.UUID, note_id: uuid.UUID, data: NoteConvert
) -> tuple[str, bool]:
    """Turns a to_connect item into a contact (found or created), the interviewee's referral
    to them and (by default) a planned interview, in one transaction; the note is then done.
    Answers the conversion as JSON and whether it happened now (False: it had already, and
    this is that first result again)."""
    _check_convert_refs(session, owner, data)
    note = _lock_note(session, owner, note_id)
    if note["produced_referral_id"] is not None:
        return _earlier_conversion(session, owner, note), False
    if note["category"] != NoteCategory.to_connect:
        raise Unprocessable.field(
            "note_id",
            f"Only to_connect items can be converted; this one is {note['category']}.",
            "not_convertible",
            location="path",
        )
    details = (data.full_name, data.email, data.linkedin_url, data.title, data.organization_id)
    if data.contact_id is not None and any(value is not None for value in details):
        raise Unprocessable.field(
            "contact_id",
            "Give either contact_id or the new person's details, not both.",
            "ambiguous",
        )
    interview = crud.get_row(
        session, interviews, owner=owner, row_id=note["interview_id"], label="interview"
    )
    interviewee = crud.get_row(
        session, contacts, owner=owner, row_id=interview["contact_id"], label="contact"
    )
    found = _find_contact(session, owner, note, data)
    if found is not None and found.contact_id == interviewee["id"]:
        raise Unprocessable.field(
            found.field,
            f"That is {interviewee['full_name']}, the interviewee: someone cannot introduce "
            "the user to themself.",
            "self_referral",
        )
    if found is not None:
        contact = crud.get_doc(
            session, contacts, owner=owner, row_id=found.contact_id, label="contact"
        )
    else:
        met_at = interview["scheduled_at"] or note["created_at"]
        contact = _create_contact(
            session, owner, note, data, interviewee["full_name"], met_at.date()
        )
    referral = _referral_edge(
        session,
        owner,
        from_contact_id=interviewee["id"],
        to_contact_id=contact.id,
        interview_id=interview["id"],
        context=data.context if data.context is not None else referral_context(note["text"]),
    )
    planned = None
    if data.create_interview:
        planned, _created = interviews_service.create_interview(
            session=session, owner=owner, data=InterviewCreate(contact_id=contact.id)
        )
    done = crud.update_row(
        session,
        table,
        owner=owner,
        row_id=note_id,
        changes={
            "status": NoteStatus.done.value,
            "contact_id": contact.id,
            "produced_referral_id": referral.id,
            "produced_interview_id": planned.id if planned else None,
        },
        expected_version=note["version"],
        label=LABEL,
    )
    emit(session, owner, WebhookEvent.note_item_updated, done)
    session.commit()
    return _conversion_json(done, contact, referral, planned, found is not None), True


# --- Lists across all interviews -----------------------------------------------------------


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
        raise Unprocessable.field(
            "cursor",
            "The cursor is invalid or belongs to another list; start over without it.",
            "invalid_cursor",
            location="query",
        ) from exc


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
