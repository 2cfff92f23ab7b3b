"""The action inbox: computed, never stored, so plain pydantic models (no tables)."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from backend.inbox.reminders import ReminderKind
from backend.interviews.lifecycle import InterviewStatus
from backend.interviews.models import PersonRef


class OpenItem(BaseModel):
    id: uuid.UUID = Field(description="The note item's id.")
    text: str
    due_date: date | None
    overdue: bool = Field(description="Due before today (UTC).")
    interview_id: uuid.UUID
    interviewee: PersonRef = Field(description="Whom the interview was with.")


class OpenItems(BaseModel):
    items: list[OpenItem] = Field(
        description="Overdue first, then by due date (undated last), then oldest first; at "
        "most the first 100."
    )
    total: int = Field(description="How many open items the category has in all.")


class OpenItemsByCategory(BaseModel):
    """Every category of the method, each present even when empty."""

    to_connect: OpenItems
    to_follow_up: OpenItems
    to_read: OpenItems
    to_look_up: OpenItems
    to_do: OpenItems
    to_think_about: OpenItems


class ReminderOut(BaseModel):
    kind: ReminderKind = Field(
        description="thank_you_due: completed, ended 24 h or more ago, no thank-you sent. "
        "introduction_stale: a to_connect note open, or a referral still offered, 7 days or "
        "more after it was made. follow_up_overdue: an open to_follow_up note past its due "
        "date. time_unconfirmed: scheduled ahead, time not confirmed. prep_missing: starts "
        "within 7 days with no agenda or no research notes. missing_connection: completed or "
        "thanked with no to_connect note, not dismissed."
    )
    message: str
    interview_id: uuid.UUID | None = None
    note_id: uuid.UUID | None = None
    referral_id: uuid.UUID | None = None
    contact: PersonRef | None = Field(default=None, description="Whom to get in touch with.")
    since: datetime = Field(description="When the reminder began to apply.")
    due: date | None = Field(default=None, description="For follow_up_overdue: the due date.")


class UpcomingInterview(BaseModel):
    id: uuid.UUID
    status: InterviewStatus
    scheduled_at: datetime
    duration_minutes: int
    location: str | None
    meeting_url: str | None
    time_confirmed: bool
    interviewee: PersonRef


class Inbox(BaseModel):
    """What to do next, across every interview."""

    open_items: OpenItemsByCategory
    reminders: list[ReminderOut] = Field(description="Oldest first (by `since`).")
    upcoming: list[UpcomingInterview] = Field(
        description="The next 10 scheduled interviews from now on, soonest first."
    )
