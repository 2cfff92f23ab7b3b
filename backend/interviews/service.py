"""Interviews: the conversations themselves, moving through an explicit lifecycle."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    delete,
    exists,
    false,
    not_,
    select,
    update,
)
from sqlalchemy.orm import Session

from backend import crud
from backend.audit import trail
from backend.contacts.models import Contact
from backend.documents import Doc, join_array, read_document_of, with_member
from backend.errors import Conflict, FieldIssue, PreconditionFailed, Unprocessable
from backend.fields import utcnow
from backend.filters import ListFilters, Values
from backend.interviews import method
from backend.interviews.lifecycle import (
    InterviewStatus,
    future_problem,
    initial_problem,
    transition_problem,
)
from backend.interviews.models import (
    ChecklistItem,
    EarlierInterview,
    Interview,
    InterviewCreate,
    InterviewUpdate,
    PersonRef,
    PrepInterviewee,
    PrepIntroduction,
    PrepOrganization,
    PrepSheet,
    ProposedSlot,
    ScheduleRequest,
)
from backend.notes.models import NoteCategory, NoteItem
from backend.organizations.models import Organization
from backend.pagination import Keyset, SortKey, read_page
from backend.prepared import Prepared
from backend.reads import Reading
from backend.referrals.models import Referral
from backend.webhooks import events

table = crud.table_of(Interview)
notes = crud.table_of(NoteItem)
referrals = crud.table_of(Referral)
contacts = crud.table_of(Contact)
organizations = crud.table_of(Organization)
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
class InterviewFilters(ListFilters):
    q: str | None = None
    contact_id: uuid.UUID | None = None
    status: list[InterviewStatus] | None = None
    scheduled_from: datetime | None = None
    scheduled_to: datetime | None = None
    missing_connection: bool | None = None


def has_to_connect(owner: Any) -> ColumnElement[bool]:
    """The interview (of the enclosing statement) has a to_connect note, done or not.
    `owner`: the user's id, or the parameter standing for it (filters.Values)."""
    return exists(
        select(notes.c.id).where(
            notes.c.owner_id == owner,
            notes.c.interview_id == table.c.id,
            notes.c.category == NoteCategory.to_connect.value,
        )
    )


def lacks_connection(owner: Any, p: Values | None = None) -> ColumnElement[bool]:
    """`method.lacks_connection` as a filter on the interviews table."""
    met = [s.value for s in method.MET]
    return and_(
        # One parameter per state, not SQLAlchemy's expanding IN, so the statement can be kept.
        table.c.status.in_(p.each("met", table.c.status, met) if p is not None else met),
        table.c.no_connection_dismissed == false(),
        not_(has_to_connect(owner)),
    )


def _conditions(
    dialect: str, owner: uuid.UUID, f: InterviewFilters, p: Values
) -> list[ColumnElement[bool]]:
    c = table.c
    where = [p.owned(table, owner)]
    if f.q:
        where.append(p.search(dialect, f.q, c.location, c.research_notes, c.summary))
    if f.contact_id:
        where.append(c.contact_id == p("contact_id", c.contact_id, f.contact_id))
    if f.status:
        where.append(c.status.in_(p.each("status", c.status, [s.value for s in f.status])))
    if f.scheduled_from:
        where.append(c.scheduled_at >= p("scheduled_from", c.scheduled_at, f.scheduled_from))
    if f.scheduled_to:
        where.append(c.scheduled_at < p("scheduled_to", c.scheduled_at, f.scheduled_to))
    if f.missing_connection is not None:
        missing = lacks_connection(p.owner(notes, owner), p)
        where.append(missing if f.missing_connection else not_(missing))
    return where


def list_interviews(
    *, reading: Reading, owner: uuid.UUID, filters: InterviewFilters, keyset: Keyset, limit: int
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


def get_interview(*, reading: Reading, owner: uuid.UUID, interview_id: uuid.UUID) -> Doc:
    return crud.read_doc(reading, table, owner=owner, row_id=interview_id, label=LABEL)


@cache
def _notes_of(dialect: str) -> Prepared:
    # Kept, like crud's one-row reads: rebuilding it (and its cache key) per request cost
    # more than the indexed read.
    return Prepared(
        select(read_document_of(notes, dialect))
        .where(
            notes.c.owner_id == bindparam("owner", type_=notes.c.owner_id.type),
            notes.c.interview_id == bindparam("interview", type_=notes.c.interview_id.type),
        )
        .order_by(notes.c.created_at, notes.c.id)
    )


def get_interview_detail(*, reading: Reading, owner: uuid.UUID, interview_id: uuid.UUID) -> Doc:
    doc = get_interview(reading=reading, owner=owner, interview_id=interview_id)
    found = reading.all(_notes_of(reading.dialect.name), owner=owner, interview=interview_id)
    items = join_array([row[0] for row in found])
    return doc._replace(json=with_member(doc.json, "note_items", items))


def _status_conflict(reason: str) -> Conflict:
    return Conflict(
        reason, errors=[FieldIssue(field="status", location="body", reason=reason, code="state")]
    )


def _check_time(status: InterviewStatus, scheduled_at: datetime | None) -> None:
    problem = future_problem(status, scheduled_at, utcnow())
    if problem:
        raise Unprocessable.field("scheduled_at", problem, "in_future")


def _ensure_contact(session: Session, owner: uuid.UUID, contact_id: uuid.UUID) -> None:
    crud.ensure_owned(
        session,
        crud.table_of(Contact),
        owner=owner,
        row_id=contact_id,
        field="contact_id",
        label="contact",
    )


def _slots_json(slots: list[ProposedSlot]) -> list[dict[str, Any]]:
    """Proposed slots as the JSON column stores them: instants as UTC `…Z` text."""
    problem = method.duplicate_slot([slot.starts_at for slot in slots])
    if problem:
        raise Unprocessable.field(problem.field, problem.reason, problem.code)
    return [slot.model_dump(mode="json") for slot in slots]


def _with_warnings(
    session: Session,
    owner: uuid.UUID,
    doc: Doc,
    *,
    before: InterviewStatus | None,
    after: InterviewStatus,
    dismissed: bool,
) -> Doc:
    """The written interview, with `warnings` when the method has something to point out."""
    if not method.warn_no_connection(before, after, has_to_connect=False, dismissed=dismissed):
        return doc  # no warning whatever its notes say: spare the query
    # A brand-new interview has no notes yet.
    if before is not None:
        connected = session.execute(
            select(has_to_connect(owner)).where(crud.owned(table, owner), table.c.id == doc.id)
        ).scalar()
        if connected:
            return doc
    warnings = [{"code": method.NO_CONNECTION, "message": method.NO_CONNECTION_MESSAGE}]
    return doc._replace(json=with_member(doc.json, "warnings", orjson.dumps(warnings).decode()))


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
    _check_time(data.status, data.scheduled_at)
    values = data.model_dump()
    values["proposed_slots"] = _slots_json(data.proposed_slots)
    stamp = STAMPS.get(data.status)
    if stamp and values[stamp] is None:
        values[stamp] = utcnow()
    doc = crud.insert_row(session, table, owner=owner, values=values)
    events.interview_status(session, owner, doc, before=None, after=data.status)
    warned = _with_warnings(
        session, owner, doc, before=None, after=data.status, dismissed=data.no_connection_dismissed
    )
    return warned, True


def _guarded_update(
    session: Session,
    owner: uuid.UUID,
    interview_id: uuid.UUID,
    expected_version: int | None,
    plan: Callable[[dict[str, Any]], dict[str, Any]],
) -> tuple[Doc, dict[str, Any]]:
    """Applies the changes `plan` makes of the current row, guarded by the row's version.

    Without If-Match the client accepts any version; a concurrent writer can still slip in
    between our read and our guarded write, so `plan` runs again on the newer state. Answers
    the written interview and the row as it was before."""
    for _attempt in range(3):
        current = crud.get_row(session, table, owner=owner, row_id=interview_id, label=LABEL)
        crud.check_version(current["version"], expected_version)
        changes = plan(current)
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
        return row, current
    raise PreconditionFailed("The interview kept changing while we tried to update it; retry.")


def _moved(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`changes` checked against the lifecycle, with the stamp a new state records."""
    before = InterviewStatus(current["status"])
    status = InterviewStatus(changes.get("status", before))
    scheduled_at = changes.get("scheduled_at", current["scheduled_at"])
    problem = transition_problem(before, status, scheduled_at is not None)
    if problem:
        raise _status_conflict(problem)
    if status != before or scheduled_at != current["scheduled_at"]:
        # Only a write that says when, or what happened: a row from before this rule can
        # still have its other fields edited.
        _check_time(status, scheduled_at)
    stamp = STAMPS.get(status)
    if stamp and status != before and changes.get(stamp, current[stamp]) is None:
        changes = {**changes, stamp: utcnow()}
    return changes


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
    if data.proposed_slots is not None:
        changes["proposed_slots"] = _slots_json(data.proposed_slots)
    row, before = _guarded_update(
        session, owner, interview_id, expected_version, lambda current: _moved(current, changes)
    )
    after = {**before, **changes}
    events.interview_status(
        session,
        owner,
        row,
        before=InterviewStatus(before["status"]),
        after=InterviewStatus(after["status"]),
    )
    warned = _with_warnings(
        session,
        owner,
        row,
        before=InterviewStatus(before["status"]),
        after=InterviewStatus(after["status"]),
        dismissed=after["no_connection_dismissed"],
    )
    session.commit()
    return warned


def schedule_interview(
    *,
    session: Session,
    owner: uuid.UUID,
    interview_id: uuid.UUID,
    data: ScheduleRequest,
    expected_version: int | None,
) -> Doc:
    given = data.model_fields_set

    def plan(current: dict[str, Any]) -> dict[str, Any]:
        slots = [ProposedSlot.model_validate(slot) for slot in current["proposed_slots"]]
        problem = method.choice_problem(
            slot_index=data.slot_index if "slot_index" in given else None,
            has_starts_at="starts_at" in given,
            slots=len(slots),
        )
        if problem:
            raise Unprocessable.field(problem.field, problem.reason, problem.code)
        changes: dict[str, Any] = {"status": InterviewStatus.scheduled}
        if "slot_index" in given:
            slot = slots[data.slot_index]
            changes["scheduled_at"] = slot.starts_at
            if slot.duration_minutes is not None:
                changes["duration_minutes"] = slot.duration_minutes
            if slot.location is not None:
                changes["location"] = slot.location
        else:
            changes["scheduled_at"] = data.starts_at
        for field in ("duration_minutes", "location", "meeting_url"):
            if field in given:
                changes[field] = getattr(data, field)
        return _moved(current, changes)

    row, before = _guarded_update(session, owner, interview_id, expected_version, plan)
    events.interview_status(
        session,
        owner,
        row,
        before=InterviewStatus(before["status"]),
        after=InterviewStatus.scheduled,
    )
    session.commit()
    return row


def get_prep(*, session: Session, owner: uuid.UUID, interview_id: uuid.UUID) -> PrepSheet:
    interview = crud.get_row(session, table, owner=owner, row_id=interview_id, label=LABEL)
    person = crud.get_row(
        session, contacts, owner=owner, row_id=interview["contact_id"], label="contact"
    )
    organization = None
    if person["organization_id"] is not None:
        org = crud.find_row(session, organizations, owner=owner, row_id=person["organization_id"])
        if org is not None:
            organization = PrepOrganization.model_validate(org)
    introducer = contacts.alias("introducer")
    introductions = session.execute(
        select(
            referrals.c.id,
            referrals.c.context,
            referrals.c.status,
            introducer.c.id.label("introducer_id"),
            introducer.c.full_name,
        )
        .select_from(referrals)
        .outerjoin(
            introducer,
            and_(
                introducer.c.id == referrals.c.from_contact_id,
                introducer.c.owner_id == owner,
            ),
        )
        .where(crud.owned(referrals, owner), referrals.c.to_contact_id == person["id"])
        .order_by(referrals.c.created_at, referrals.c.id)
    ).all()
    before = interview["scheduled_at"] or utcnow()
    earlier = session.execute(
        select(table.c.id, table.c.status, table.c.scheduled_at)
        .where(
            crud.owned(table, owner),
            table.c.contact_id == person["id"],
            table.c.id != interview_id,
            table.c.scheduled_at < before,
        )
        .order_by(table.c.scheduled_at, table.c.id)
    ).all()
    return PrepSheet(
        interview_id=interview["id"],
        version=interview["version"],
        interviewee=PrepInterviewee(
            id=person["id"],
            full_name=person["full_name"],
            title=person["title"],
            email=person["email"],
            linkedin_url=person["linkedin_url"],
            how_we_met=person["how_we_met"],
            notes=person["notes"],
            tags=person["tags"],
            organization=organization,
        ),
        introduced_by=[
            PrepIntroduction(
                referral_id=r.id,
                contact=PersonRef(id=r.introducer_id, full_name=r.full_name)
                if r.introducer_id is not None
                else None,
                context=r.context,
                status=r.status,
            )
            for r in introductions
        ],
        research_notes=interview["research_notes"],
        agenda=interview["agenda"],
        checklist=[ChecklistItem.model_validate(item) for item in interview["checklist"]],
        time_confirmed=interview["time_confirmed"],
        duration_minutes=interview["duration_minutes"],
        scheduled_at=interview["scheduled_at"],
        location=interview["location"],
        meeting_url=interview["meeting_url"],
        earlier_interviews=[
            EarlierInterview(id=e.id, status=e.status, scheduled_at=e.scheduled_at) for e in earlier
        ],
    )


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
        trail.delete_rows(session, notes, delete(notes).where(*its_notes), owner=owner)
    else:
        crud.ensure_no_dependents(
            LABEL, {"note_items": crud.count_where(session, notes, *its_notes)}
        )
    # Referrals offered in this interview stay; they just lose their source.
    offered_here = [crud.owned(referrals, owner), referrals.c.interview_id == interview_id]
    trail.update_rows(
        session,
        referrals,
        update(referrals).where(*offered_here).values(interview_id=None, **crud.touched(referrals)),
        owner=owner,
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
