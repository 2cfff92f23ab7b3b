"""Reminders: what the method says to do next, as pure rules over plain facts and `now`.

Each rule looks at one interview, note item or referral edge and says whether it calls for a
reminder, and since when (the instant the rule began to apply, as far as the data tells):

- thank_you_due: a completed interview whose end (start + duration) is 24 hours or more ago,
  with no thank-you sent. Since: end + 24 h.
- introduction_stale: a to_connect note still open 7 days or more after it was written (unless
  it was converted into a referral edge, which then speaks for it), or a referral edge still
  `offered` 7 days or more after it was made. Since: created + 7 days.
- follow_up_overdue: an open to_follow_up note whose due date is before today (UTC). Since:
  the start of the day after the due date.
- time_unconfirmed: a scheduled interview still in the future whose length the interviewee
  has not confirmed. Since: the interview's creation.
- prep_missing: a scheduled interview starting within the next 7 days (exactly 7 days
  included) with no agenda or no research notes. Since: 7 days before it starts, or its
  creation if later.
- missing_connection: a completed or thanked interview with no to_connect note, not
  dismissed. Since: the interview's end.

An interview that says it happened at a time still ahead (a row from before such writes
were refused: `lifecycle.future_problem`) calls for nothing until that time comes.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from backend.interviews.lifecycle import InterviewStatus, future_problem
from backend.interviews.method import lacks_connection
from backend.notes.models import NoteCategory, NoteStatus
from backend.referrals.models import ReferralStatus

THANK_YOU_AFTER = timedelta(hours=24)
STALE_AFTER = timedelta(days=7)
PREP_WINDOW = timedelta(days=7)


class ReminderKind(StrEnum):
    thank_you_due = "thank_you_due"
    introduction_stale = "introduction_stale"
    follow_up_overdue = "follow_up_overdue"
    time_unconfirmed = "time_unconfirmed"
    prep_missing = "prep_missing"
    missing_connection = "missing_connection"


KIND_ORDER = {kind: n for n, kind in enumerate(ReminderKind)}


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    full_name: str


@dataclass(frozen=True)
class InterviewFacts:
    id: uuid.UUID
    interviewee: Person
    status: InterviewStatus
    created_at: datetime
    scheduled_at: datetime | None = None
    duration_minutes: int = 45
    thank_you_sent_at: datetime | None = None
    time_confirmed: bool = False
    agenda: tuple[str, ...] = ()
    research_notes: str | None = None
    has_to_connect: bool = False
    no_connection_dismissed: bool = False

    @property
    def ends_at(self) -> datetime | None:
        if self.scheduled_at is None:
            return None
        return self.scheduled_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class NoteFacts:
    id: uuid.UUID
    interview_id: uuid.UUID
    interviewee: Person
    category: NoteCategory
    status: NoteStatus
    created_at: datetime
    due_date: date | None = None
    produced_referral_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ReferralFacts:
    id: uuid.UUID
    status: ReferralStatus
    created_at: datetime
    to_contact: Person
    from_contact: Person | None = None
    interview_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Reminder:
    kind: ReminderKind
    message: str
    since: datetime
    interview_id: uuid.UUID | None = None
    note_id: uuid.UUID | None = None
    referral_id: uuid.UUID | None = None
    contact: Person | None = None
    due: date | None = None


def today(now: datetime) -> date:
    return now.astimezone(UTC).date()


def is_overdue(due_date: date | None, now: datetime) -> bool:
    """Past its due date: due before today (UTC); due today is not overdue yet."""
    return due_date is not None and due_date < today(now)


def _when(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


# --- One rule each -------------------------------------------------------------------------


def thank_you_due(interview: InterviewFacts, now: datetime) -> Reminder | None:
    ends_at = interview.ends_at
    if interview.status != InterviewStatus.completed or interview.thank_you_sent_at is not None:
        return None
    if ends_at is None or now < ends_at + THANK_YOU_AFTER:
        return None
    name = interview.interviewee.full_name
    return Reminder(
        ReminderKind.thank_you_due,
        f"Send {name} a thank-you note: your conversation ended over a day ago.",
        since=ends_at + THANK_YOU_AFTER,
        interview_id=interview.id,
        contact=interview.interviewee,
    )


def stale_note(note: NoteFacts, now: datetime) -> Reminder | None:
    if note.category != NoteCategory.to_connect or note.status != NoteStatus.open:
        return None
    if note.produced_referral_id is not None or now < note.created_at + STALE_AFTER:
        return None
    name = note.interviewee.full_name
    return Reminder(
        ReminderKind.introduction_stale,
        f"An introduction from your conversation with {name} is still open after a week: "
        "follow up on it.",
        since=note.created_at + STALE_AFTER,
        interview_id=note.interview_id,
        note_id=note.id,
        contact=note.interviewee,
    )


def stale_referral(referral: ReferralFacts, now: datetime) -> Reminder | None:
    if referral.status != ReferralStatus.offered or now < referral.created_at + STALE_AFTER:
        return None
    to_name = referral.to_contact.full_name
    if referral.from_contact is None:
        contact, message = (
            referral.to_contact,
            f"You meant to reach out to {to_name} a week or more ago.",
        )
    else:
        contact = referral.from_contact
        message = (
            f"{contact.full_name} offered to introduce you to {to_name} a week or more ago: "
            "a gentle nudge?"
        )
    return Reminder(
        ReminderKind.introduction_stale,
        message,
        since=referral.created_at + STALE_AFTER,
        interview_id=referral.interview_id,
        referral_id=referral.id,
        contact=contact,
    )


def follow_up_overdue(note: NoteFacts, now: datetime) -> Reminder | None:
    if note.category != NoteCategory.to_follow_up or note.status != NoteStatus.open:
        return None
    if note.due_date is None or not is_overdue(note.due_date, now):
        return None
    day_after = datetime.combine(note.due_date + timedelta(days=1), time(), UTC)
    return Reminder(
        ReminderKind.follow_up_overdue,
        f"A follow-up with {note.interviewee.full_name} was due on {note.due_date.isoformat()}.",
        since=day_after,
        interview_id=note.interview_id,
        note_id=note.id,
        contact=note.interviewee,
        due=note.due_date,
    )


def _upcoming(interview: InterviewFacts, now: datetime) -> datetime | None:
    """Its start, when it is scheduled and still ahead."""
    start = interview.scheduled_at
    if interview.status != InterviewStatus.scheduled or start is None or start <= now:
        return None
    return start


def time_unconfirmed(interview: InterviewFacts, now: datetime) -> Reminder | None:
    start = _upcoming(interview, now)
    if start is None or interview.time_confirmed:
        return None
    name = interview.interviewee.full_name
    return Reminder(
        ReminderKind.time_unconfirmed,
        f"Confirm how much time {name} has for your conversation on {_when(start)}.",
        since=interview.created_at,
        interview_id=interview.id,
        contact=interview.interviewee,
    )


def prep_missing(interview: InterviewFacts, now: datetime) -> Reminder | None:
    start = _upcoming(interview, now)
    if start is None or start > now + PREP_WINDOW:
        return None
    missing = []
    if not interview.agenda:
        missing.append("an agenda")
    if not (interview.research_notes or "").strip():
        missing.append("research notes")
    if not missing:
        return None
    name = interview.interviewee.full_name
    return Reminder(
        ReminderKind.prep_missing,
        f"Prepare for {name} on {_when(start)}: add {' and '.join(missing)}.",
        since=max(start - PREP_WINDOW, interview.created_at),
        interview_id=interview.id,
        contact=interview.interviewee,
    )


def missing_connection(interview: InterviewFacts) -> Reminder | None:
    if not lacks_connection(
        interview.status,
        has_to_connect=interview.has_to_connect,
        dismissed=interview.no_connection_dismissed,
    ):
        return None
    name = interview.interviewee.full_name
    return Reminder(
        ReminderKind.missing_connection,
        f"Your conversation with {name} has not led to a new connection yet: who else should "
        "you talk to? Add a to_connect note, or dismiss this.",
        since=interview.ends_at or interview.created_at,
        interview_id=interview.id,
        contact=interview.interviewee,
    )


# --- All of them ---------------------------------------------------------------------------


def _order(reminder: Reminder) -> tuple[datetime, int, str]:
    subject = reminder.note_id or reminder.referral_id or reminder.interview_id
    return (reminder.since, KIND_ORDER[reminder.kind], str(subject))


def reminders(
    *,
    interviews: Iterable[InterviewFacts],
    notes: Iterable[NoteFacts],
    referrals: Iterable[ReferralFacts],
    now: datetime,
) -> list[Reminder]:
    """Every reminder the facts call for, oldest first."""
    found: list[Reminder | None] = []
    for interview in interviews:
        if future_problem(interview.status, interview.scheduled_at, now):
            continue
        found += [
            thank_you_due(interview, now),
            time_unconfirmed(interview, now),
            prep_missing(interview, now),
            missing_connection(interview),
        ]
    for note in notes:
        found += [stale_note(note, now), follow_up_overdue(note, now)]
    found += [stale_referral(referral, now) for referral in referrals]
    return sorted((r for r in found if r is not None), key=_order)
