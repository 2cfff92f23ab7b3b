"""The calendar: one interview as .ics, and the feed behind each user's secret link."""

import re
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend import crud
from backend.calendar import ics
from backend.calendar.models import CalendarFeed, CalendarFeedPublic
from backend.contacts.models import Contact
from backend.documents import dialect_of
from backend.errors import Conflict, NotFound
from backend.fields import utcnow
from backend.interviews.lifecycle import InterviewStatus
from backend.interviews.models import Interview
from backend.notes.models import NoteCategory, NoteItem, NoteStatus
from backend.organizations.models import Organization

feeds = crud.table_of(CalendarFeed)
interviews = crud.table_of(Interview)
contacts = crud.table_of(Contact)
organizations = crud.table_of(Organization)
notes = crud.table_of(NoteItem)

# The feed shows interviews from this long ago on; calendar apps drop what leaves it.
FEED_PAST = timedelta(days=90)
DUE_CATEGORIES = (NoteCategory.to_do.value, NoteCategory.to_follow_up.value)
FEED_PATH = "/api/v1/calendar/{token}.ics"
# secrets.token_urlsafe(32) gives 43 characters of this alphabet; anything else is no token.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _public(row: Any, base_url: str) -> CalendarFeedPublic:
    if row is None:
        return CalendarFeedPublic(url=None, webcal_url=None, created_at=None)
    url = base_url.rstrip("/") + FEED_PATH.format(token=row.token)
    webcal = "webcal://" + url.split("://", 1)[1]
    return CalendarFeedPublic(url=url, webcal_url=webcal, created_at=row.created_at)


def get_feed(*, session: Session, owner: uuid.UUID, base_url: str) -> CalendarFeedPublic:
    row = session.execute(select(feeds).where(feeds.c.owner_id == owner)).first()
    return _public(row, base_url)


def rotate_feed(*, session: Session, owner: uuid.UUID, base_url: str) -> CalendarFeedPublic:
    """A new secret link; the previous one (if any) stops working at once."""
    insert = postgresql.insert if dialect_of(session) == "postgresql" else sqlite.insert
    values = {"owner_id": owner, "token": secrets.token_urlsafe(32), "created_at": utcnow()}
    stmt = insert(feeds).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[feeds.c.owner_id],
        set_={"token": stmt.excluded.token, "created_at": stmt.excluded.created_at},
    ).returning(feeds.c.token, feeds.c.created_at)
    row = session.execute(stmt).one()
    session.commit()
    return _public(row, base_url)


def revoke_feed(*, session: Session, owner: uuid.UUID) -> None:
    session.execute(delete(feeds).where(feeds.c.owner_id == owner))
    session.commit()


def _interview_rows(session: Session, owner: uuid.UUID, *conditions: Any) -> list[Any]:
    stmt = (
        select(
            interviews,
            contacts.c.full_name.label("interviewee"),
            contacts.c.title.label("interviewee_title"),
            organizations.c.name.label("organization"),
        )
        .join(contacts, and_(contacts.c.id == interviews.c.contact_id, crud.owned(contacts, owner)))
        .outerjoin(
            organizations,
            and_(
                organizations.c.id == contacts.c.organization_id,
                crud.owned(organizations, owner),
            ),
        )
        .where(crud.owned(interviews, owner), interviews.c.scheduled_at.is_not(None), *conditions)
        .order_by(interviews.c.scheduled_at, interviews.c.id)
    )
    return list(session.execute(stmt).all())


def _interview_entry(row: Any) -> ics.InterviewEntry:
    return ics.InterviewEntry(
        id=row.id,
        status=InterviewStatus(row.status),
        starts_at=row.scheduled_at,
        duration_minutes=row.duration_minutes,
        interviewee=row.interviewee,
        interviewee_title=row.interviewee_title,
        organization=row.organization,
        location=row.location,
        meeting_url=row.meeting_url,
        agenda=list(row.agenda or []),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def interview_ics(
    *, session: Session, owner: uuid.UUID, interview_id: uuid.UUID, app_url: str
) -> tuple[bytes, datetime]:
    """One interview as an .ics file, and when it starts (for the file name)."""
    rows = _interview_rows(session, owner, interviews.c.id == interview_id)
    if not rows:
        # Exists but has no time yet, or is not the caller's at all?
        crud.get_row(session, interviews, owner=owner, row_id=interview_id, label="interview")
        raise Conflict(
            "This interview has no scheduled time yet; schedule it first, then add it to a "
            "calendar."
        )
    entry = _interview_entry(rows[0])
    return ics.interview_calendar(entry, app_url), entry.starts_at


def _due_entries(session: Session, owner: uuid.UUID) -> list[ics.DueEntry]:
    stmt = (
        select(
            notes.c.id,
            notes.c.category,
            notes.c.text,
            notes.c.due_date,
            notes.c.version,
            notes.c.created_at,
            notes.c.updated_at,
            notes.c.interview_id,
            contacts.c.full_name,
        )
        .join(
            interviews, and_(interviews.c.id == notes.c.interview_id, crud.owned(interviews, owner))
        )
        .join(contacts, and_(contacts.c.id == interviews.c.contact_id, crud.owned(contacts, owner)))
        .where(
            crud.owned(notes, owner),
            notes.c.status == NoteStatus.open.value,
            notes.c.category.in_(DUE_CATEGORIES),
            notes.c.due_date.is_not(None),
        )
        .order_by(notes.c.due_date, notes.c.id)
    )
    return [
        ics.DueEntry(
            id=row.id,
            category=NoteCategory(row.category),
            text=row.text,
            due_date=row.due_date,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            interviewee=row.full_name,
            interview_id=row.interview_id,
        )
        for row in session.execute(stmt)
    ]


def feed_ics(*, session: Session, feed_token: str, app_url: str) -> bytes:
    """The calendar behind a secret link: interviews with a time (from FEED_PAST ago on) and
    the open to-do and follow-up notes that have a due date."""
    owner = None
    if _TOKEN.fullmatch(feed_token):
        owner = session.execute(
            select(feeds.c.owner_id).where(feeds.c.token == feed_token)
        ).scalar()
    if owner is None:
        raise NotFound("No calendar at this link (unknown, or the link was revoked).")
    since = utcnow() - FEED_PAST
    entries = [
        _interview_entry(row)
        for row in _interview_rows(session, owner, interviews.c.scheduled_at >= since)
    ]
    return ics.feed_calendar(entries, _due_entries(session, owner), name="Nexthop", app_url=app_url)
