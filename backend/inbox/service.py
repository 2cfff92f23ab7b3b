"""The action inbox: open note items, reminders and upcoming interviews, read in one go.

The queries gather facts; which of them call for a reminder is decided by the pure rules in
`backend.inbox.reminders`.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from backend import crud
from backend.contacts.models import Contact
from backend.inbox import reminders as rules
from backend.inbox.models import (
    Inbox,
    OpenItem,
    OpenItems,
    OpenItemsByCategory,
    ReminderOut,
    UpcomingInterview,
)
from backend.interviews.lifecycle import InterviewStatus
from backend.interviews.models import Interview, PersonRef
from backend.interviews.service import has_to_connect
from backend.notes.models import NoteCategory, NoteItem, NoteStatus
from backend.referrals.models import Referral, ReferralStatus

notes = crud.table_of(NoteItem)
interviews = crud.table_of(Interview)
contacts = crud.table_of(Contact)
referrals = crud.table_of(Referral)

# Open items shown per category; `total` still counts them all.
PER_CATEGORY = 100
UPCOMING = 10


def _interviewee_join(owner: uuid.UUID) -> Any:
    """note_items → its interview → the interviewee, all the owner's."""
    return notes.join(
        interviews,
        and_(interviews.c.id == notes.c.interview_id, crud.owned(interviews, owner)),
    ).join(contacts, and_(contacts.c.id == interviews.c.contact_id, crud.owned(contacts, owner)))


def _open_items(session: Session, owner: uuid.UUID, now: datetime) -> OpenItemsByCategory:
    order = (notes.c.due_date.is_(None), notes.c.due_date, notes.c.created_at, notes.c.id)
    ranked = (
        select(
            notes.c.id,
            notes.c.category,
            notes.c.text,
            notes.c.due_date,
            notes.c.interview_id,
            contacts.c.id.label("contact_id"),
            contacts.c.full_name,
            func.row_number().over(partition_by=notes.c.category, order_by=order).label("rank"),
            func.count().over(partition_by=notes.c.category).label("total"),
        )
        .select_from(_interviewee_join(owner))
        .where(crud.owned(notes, owner), notes.c.status == NoteStatus.open.value)
        .subquery()
    )
    rows = session.execute(
        select(ranked).where(ranked.c.rank <= PER_CATEGORY).order_by(ranked.c.rank)
    ).all()
    groups: dict[str, OpenItems] = {c.value: OpenItems(items=[], total=0) for c in NoteCategory}
    for row in rows:
        group = groups[row.category]
        group.total = row.total
        group.items.append(
            OpenItem(
                id=row.id,
                text=row.text,
                due_date=row.due_date,
                overdue=rules.is_overdue(row.due_date, now),
                interview_id=row.interview_id,
                interviewee=PersonRef(id=row.contact_id, full_name=row.full_name),
            )
        )
    return OpenItemsByCategory(**groups)


def _interview_facts(session: Session, owner: uuid.UUID) -> list[rules.InterviewFacts]:
    i = interviews.c
    S = InterviewStatus
    stmt = (
        select(
            i.id,
            i.status,
            i.created_at,
            i.scheduled_at,
            i.duration_minutes,
            i.thank_you_sent_at,
            i.time_confirmed,
            i.agenda,
            i.research_notes,
            i.no_connection_dismissed,
            has_to_connect(owner).label("has_to_connect"),
            contacts.c.id.label("contact_id"),
            contacts.c.full_name,
        )
        .select_from(interviews)
        .join(contacts, and_(contacts.c.id == i.contact_id, crud.owned(contacts, owner)))
        .where(
            crud.owned(interviews, owner),
            # Only states some rule looks at; the rules decide.
            or_(
                i.status.in_([S.scheduled.value, S.completed.value]),
                and_(i.status == S.thanked.value, i.no_connection_dismissed == false()),
            ),
        )
    )
    return [
        rules.InterviewFacts(
            id=row.id,
            interviewee=rules.Person(row.contact_id, row.full_name),
            status=InterviewStatus(row.status),
            created_at=row.created_at,
            scheduled_at=row.scheduled_at,
            duration_minutes=row.duration_minutes,
            thank_you_sent_at=row.thank_you_sent_at,
            time_confirmed=row.time_confirmed,
            agenda=tuple(row.agenda),
            research_notes=row.research_notes,
            has_to_connect=bool(row.has_to_connect),
            no_connection_dismissed=row.no_connection_dismissed,
        )
        for row in session.execute(stmt)
    ]


def _note_facts(session: Session, owner: uuid.UUID) -> list[rules.NoteFacts]:
    n = notes.c
    stmt = (
        select(
            n.id,
            n.interview_id,
            n.category,
            n.status,
            n.created_at,
            n.due_date,
            n.produced_referral_id,
            contacts.c.id.label("contact_id"),
            contacts.c.full_name,
        )
        .select_from(_interviewee_join(owner))
        .where(
            crud.owned(notes, owner),
            n.status == NoteStatus.open.value,
            or_(
                n.category == NoteCategory.to_connect.value,
                and_(n.category == NoteCategory.to_follow_up.value, n.due_date.is_not(None)),
            ),
        )
    )
    return [
        rules.NoteFacts(
            id=row.id,
            interview_id=row.interview_id,
            interviewee=rules.Person(row.contact_id, row.full_name),
            category=NoteCategory(row.category),
            status=NoteStatus(row.status),
            created_at=row.created_at,
            due_date=row.due_date,
            produced_referral_id=row.produced_referral_id,
        )
        for row in session.execute(stmt)
    ]


def _referral_facts(session: Session, owner: uuid.UUID) -> list[rules.ReferralFacts]:
    to, by = contacts.alias("to_contact"), contacts.alias("from_contact")
    stmt = (
        select(
            referrals.c.id,
            referrals.c.status,
            referrals.c.created_at,
            referrals.c.interview_id,
            to.c.id.label("to_id"),
            to.c.full_name.label("to_name"),
            by.c.id.label("from_id"),
            by.c.full_name.label("from_name"),
        )
        .select_from(referrals)
        .join(to, and_(to.c.id == referrals.c.to_contact_id, to.c.owner_id == owner))
        .outerjoin(by, and_(by.c.id == referrals.c.from_contact_id, by.c.owner_id == owner))
        .where(crud.owned(referrals, owner), referrals.c.status == ReferralStatus.offered.value)
    )
    return [
        rules.ReferralFacts(
            id=row.id,
            status=ReferralStatus(row.status),
            created_at=row.created_at,
            to_contact=rules.Person(row.to_id, row.to_name),
            from_contact=rules.Person(row.from_id, row.from_name)
            if row.from_id is not None
            else None,
            interview_id=row.interview_id,
        )
        for row in session.execute(stmt)
    ]


def _reminder_out(reminder: rules.Reminder) -> ReminderOut:
    contact = reminder.contact
    return ReminderOut(
        kind=reminder.kind,
        message=reminder.message,
        interview_id=reminder.interview_id,
        note_id=reminder.note_id,
        referral_id=reminder.referral_id,
        contact=PersonRef(id=contact.id, full_name=contact.full_name) if contact else None,
        since=reminder.since,
        due=reminder.due,
    )


def _upcoming(session: Session, owner: uuid.UUID, now: datetime) -> list[UpcomingInterview]:
    i = interviews.c
    stmt = (
        select(
            i.id,
            i.status,
            i.scheduled_at,
            i.duration_minutes,
            i.location,
            i.meeting_url,
            i.time_confirmed,
            contacts.c.id.label("contact_id"),
            contacts.c.full_name,
        )
        .select_from(interviews)
        .join(contacts, and_(contacts.c.id == i.contact_id, crud.owned(contacts, owner)))
        .where(
            crud.owned(interviews, owner),
            i.status == InterviewStatus.scheduled.value,
            i.scheduled_at >= now,
        )
        .order_by(i.scheduled_at, i.id)
        .limit(UPCOMING)
    )
    return [
        UpcomingInterview(
            id=row.id,
            status=row.status,
            scheduled_at=row.scheduled_at,
            duration_minutes=row.duration_minutes,
            location=row.location,
            meeting_url=row.meeting_url,
            time_confirmed=row.time_confirmed,
            interviewee=PersonRef(id=row.contact_id, full_name=row.full_name),
        )
        for row in session.execute(stmt)
    ]


def get_inbox(*, session: Session, owner: uuid.UUID, now: datetime) -> Inbox:
    found = rules.reminders(
        interviews=_interview_facts(session, owner),
        notes=_note_facts(session, owner),
        referrals=_referral_facts(session, owner),
        now=now,
    )
    return Inbox(
        open_items=_open_items(session, owner, now),
        reminders=[_reminder_out(r) for r in found],
        upcoming=_upcoming(session, owner, now),
    )
