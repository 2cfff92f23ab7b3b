"""The inbox's reminder rules as pure functions: plain facts and `now` in, reminders out."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from backend.inbox.reminders import (
    InterviewFacts,
    NoteFacts,
    Person,
    ReferralFacts,
    Reminder,
    ReminderKind,
    follow_up_overdue,
    is_overdue,
    missing_connection,
    prep_missing,
    reminders,
    stale_note,
    stale_referral,
    thank_you_due,
    time_unconfirmed,
)
from backend.interviews.lifecycle import InterviewStatus
from backend.notes.models import NoteCategory, NoteStatus
from backend.referrals.models import ReferralStatus

S = InterviewStatus
K = ReminderKind
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)
ADA = Person(uuid.UUID(int=1), "Ada")
SAM = Person(uuid.UUID(int=2), "Sam")
CREATED = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def interview(**fields: object) -> InterviewFacts:
    values: dict[str, object] = {
        "id": uuid.UUID(int=100),
        "interviewee": ADA,
        "status": S.scheduled,
        "created_at": CREATED,
        "scheduled_at": NOW + timedelta(days=3),
        "duration_minutes": 45,
        "time_confirmed": True,
        "agenda": ("Her path",),
        "research_notes": "Blog",
    }
    return InterviewFacts(**{**values, **fields})  # type: ignore[arg-type]


def note(**fields: object) -> NoteFacts:
    values: dict[str, object] = {
        "id": uuid.UUID(int=200),
        "interview_id": uuid.UUID(int=100),
        "interviewee": ADA,
        "category": NoteCategory.to_connect,
        "status": NoteStatus.open,
        "created_at": CREATED,
    }
    return NoteFacts(**{**values, **fields})  # type: ignore[arg-type]


def referral(**fields: object) -> ReferralFacts:
    values: dict[str, object] = {
        "id": uuid.UUID(int=300),
        "status": ReferralStatus.offered,
        "created_at": CREATED,
        "to_contact": ADA,
        "from_contact": SAM,
    }
    return ReferralFacts(**{**values, **fields})  # type: ignore[arg-type]


# --- thank_you_due -------------------------------------------------------------------------


def completed(ended: datetime, **fields: object) -> InterviewFacts:
    """A completed 45-minute interview that ended at `ended`."""
    return interview(status=S.completed, scheduled_at=ended - timedelta(minutes=45), **fields)


def test_thank_you_is_due_exactly_24_hours_after_the_end() -> None:
    ended = NOW - timedelta(hours=24)
    assert thank_you_due(completed(ended), NOW) == Reminder(
        K.thank_you_due,
        "Send Ada a thank-you note: your conversation ended over a day ago.",
        since=NOW,
        interview_id=uuid.UUID(int=100),
        contact=ADA,
    )
    assert thank_you_due(completed(ended + TICK), NOW) is None
    assert thank_you_due(completed(ended - timedelta(days=3)), NOW) is not None


def test_the_end_counts_the_duration() -> None:
    start = NOW - timedelta(hours=24, minutes=90)
    long = interview(status=S.completed, scheduled_at=start, duration_minutes=90)
    short = interview(status=S.completed, scheduled_at=start, duration_minutes=91)
    assert thank_you_due(long, NOW) is not None
    assert thank_you_due(short, NOW) is None


def test_no_thank_you_reminder_once_sent_or_in_another_state() -> None:
    ended = NOW - timedelta(days=2)
    assert thank_you_due(completed(ended, thank_you_sent_at=NOW), NOW) is None
    for status in S:
        if status != S.completed:
            past = interview(status=status, scheduled_at=ended - timedelta(minutes=45))
            assert thank_you_due(past, NOW) is None, status
    assert thank_you_due(interview(status=S.completed, scheduled_at=None), NOW) is None


# --- introduction_stale --------------------------------------------------------------------


def test_a_to_connect_note_goes_stale_exactly_7_days_after_it_was_written() -> None:
    written = NOW - timedelta(days=7)
    assert stale_note(note(created_at=written), NOW) == Reminder(
        K.introduction_stale,
        "An introduction from your conversation with Ada is still open after a week: "
        "follow up on it.",
        since=NOW,
        interview_id=uuid.UUID(int=100),
        note_id=uuid.UUID(int=200),
        contact=ADA,
    )
    assert stale_note(note(created_at=written + TICK), NOW) is None


def test_only_open_unconverted_to_connect_notes_go_stale() -> None:
    old = NOW - timedelta(days=30)
    assert stale_note(note(created_at=old, status=NoteStatus.done), NOW) is None
    assert stale_note(note(created_at=old, produced_referral_id=uuid.UUID(int=9)), NOW) is None
    for category in NoteCategory:
        if category != NoteCategory.to_connect:
            assert stale_note(note(created_at=old, category=category), NOW) is None


def test_an_offered_referral_goes_stale_exactly_7_days_after_it_was_made() -> None:
    made = NOW - timedelta(days=7)
    assert stale_referral(referral(created_at=made, interview_id=uuid.UUID(int=100)), NOW) == (
        Reminder(
            K.introduction_stale,
            "Sam offered to introduce you to Ada a week or more ago: a gentle nudge?",
            since=NOW,
            interview_id=uuid.UUID(int=100),
            referral_id=uuid.UUID(int=300),
            contact=SAM,
        )
    )
    assert stale_referral(referral(created_at=made + TICK), NOW) is None
    direct = stale_referral(referral(created_at=made, from_contact=None), NOW)
    assert direct == Reminder(
        K.introduction_stale,
        "You meant to reach out to Ada a week or more ago.",
        since=NOW,
        referral_id=uuid.UUID(int=300),
        contact=ADA,
    )
    for status in ReferralStatus:
        if status != ReferralStatus.offered:
            assert stale_referral(referral(created_at=made, status=status), NOW) is None


# --- follow_up_overdue ---------------------------------------------------------------------


def test_overdue_means_due_before_today_in_utc() -> None:
    assert is_overdue(date(2026, 12, 9), NOW)
    assert not is_overdue(date(2026, 12, 10), NOW)
    assert not is_overdue(None, NOW)
    # Just before midnight UTC it is still the 9th, whatever the local offset says.
    late = datetime(2026, 12, 10, 23, 59, tzinfo=UTC)
    assert not is_overdue(date(2026, 12, 10), late)
    assert is_overdue(date(2026, 12, 10), late + timedelta(minutes=1))


def test_a_follow_up_is_overdue_the_day_after_its_due_date() -> None:
    due = date(2026, 12, 9)
    follow_up = note(category=NoteCategory.to_follow_up, due_date=due)
    assert follow_up_overdue(follow_up, NOW) == Reminder(
        K.follow_up_overdue,
        "A follow-up with Ada was due on 2026-12-09.",
        since=datetime(2026, 12, 10, tzinfo=UTC),
        interview_id=uuid.UUID(int=100),
        note_id=uuid.UUID(int=200),
        contact=ADA,
        due=due,
    )
    assert follow_up_overdue(follow_up, datetime(2026, 12, 10, tzinfo=UTC)) is not None
    assert follow_up_overdue(follow_up, datetime(2026, 12, 10, tzinfo=UTC) - TICK) is None
    on_the_day = note(category=NoteCategory.to_follow_up, due_date=date(2026, 12, 10))
    assert follow_up_overdue(on_the_day, NOW) is None


def test_only_open_dated_follow_ups_are_overdue() -> None:
    due = date(2026, 1, 1)
    assert follow_up_overdue(note(category=NoteCategory.to_follow_up), NOW) is None
    done = note(category=NoteCategory.to_follow_up, due_date=due, status=NoteStatus.done)
    assert follow_up_overdue(done, NOW) is None
    assert follow_up_overdue(note(category=NoteCategory.to_do, due_date=due), NOW) is None


# --- time_unconfirmed ----------------------------------------------------------------------


def test_time_unconfirmed_for_a_scheduled_interview_ahead() -> None:
    ahead = interview(time_confirmed=False, scheduled_at=NOW + TICK)
    assert time_unconfirmed(ahead, NOW) == Reminder(
        K.time_unconfirmed,
        "Confirm how much time Ada has for your conversation on 2026-12-10 12:00 UTC.",
        since=CREATED,
        interview_id=uuid.UUID(int=100),
        contact=ADA,
    )
    # Starting right now is no longer ahead.
    assert time_unconfirmed(interview(time_confirmed=False, scheduled_at=NOW), NOW) is None
    assert time_unconfirmed(interview(time_confirmed=True), NOW) is None
    for status in S:
        if status != S.scheduled:
            other = interview(status=status, time_confirmed=False)
            assert time_unconfirmed(other, NOW) is None, status


# --- prep_missing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agenda", "research", "missing"),
    [
        ((), "Blog", "an agenda"),
        (("Path",), None, "research notes"),
        (("Path",), "  \n", "research notes"),
        ((), None, "an agenda and research notes"),
    ],
)
def test_prep_missing_names_what_is_missing(
    agenda: tuple[str, ...], research: str | None, missing: str
) -> None:
    start = NOW + timedelta(days=2)
    soon = interview(scheduled_at=start, agenda=agenda, research_notes=research)
    assert prep_missing(soon, NOW) == Reminder(
        K.prep_missing,
        f"Prepare for Ada on 2026-12-12 12:00 UTC: add {missing}.",
        since=start - timedelta(days=7),
        interview_id=uuid.UUID(int=100),
        contact=ADA,
    )


def test_prep_missing_within_exactly_7_days_ahead() -> None:
    def bare(start: datetime, **fields: object) -> InterviewFacts:
        return interview(scheduled_at=start, agenda=(), **fields)

    edge = prep_missing(bare(NOW + timedelta(days=7)), NOW)
    assert edge is not None
    assert edge.since == NOW
    assert prep_missing(bare(NOW + timedelta(days=7) + TICK), NOW) is None
    assert prep_missing(bare(NOW + TICK), NOW) is not None
    assert prep_missing(bare(NOW), NOW) is None
    assert prep_missing(bare(NOW - timedelta(hours=1)), NOW) is None
    # Since: when it came within 7 days, or when it was made if that was later.
    late = bare(NOW + timedelta(days=1), created_at=NOW - timedelta(hours=2))
    assert prep_missing(late, NOW) == Reminder(
        K.prep_missing,
        "Prepare for Ada on 2026-12-11 12:00 UTC: add an agenda.",
        since=NOW - timedelta(hours=2),
        interview_id=uuid.UUID(int=100),
        contact=ADA,
    )
    prepared = interview(scheduled_at=NOW + timedelta(days=1))
    assert prep_missing(prepared, NOW) is None
    assert prep_missing(bare(NOW + timedelta(days=1), status=S.outreach_sent), NOW) is None


# --- missing_connection --------------------------------------------------------------------


def test_missing_connection_for_met_interviews() -> None:
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for status in (S.completed, S.thanked):
        met = interview(status=status, scheduled_at=start, duration_minutes=30)
        assert missing_connection(met) == Reminder(
            K.missing_connection,
            "Your conversation with Ada has not led to a new connection yet: who else should "
            "you talk to? Add a to_connect note, or dismiss this.",
            since=start + timedelta(minutes=30),
            interview_id=uuid.UUID(int=100),
            contact=ADA,
        )
        assert missing_connection(interview(status=status, has_to_connect=True)) is None
        dismissed = interview(status=status, no_connection_dismissed=True)
        assert missing_connection(dismissed) is None
    for status in S:
        if status not in (S.completed, S.thanked):
            assert missing_connection(interview(status=status)) is None, status


# --- All together --------------------------------------------------------------------------


def test_reminders_are_gathered_oldest_first() -> None:
    ended = NOW - timedelta(days=2)
    done = completed(ended, id=uuid.UUID(int=101))  # thanks due and no connection
    upcoming = interview(id=uuid.UUID(int=102), time_confirmed=False, agenda=())
    fine = interview(id=uuid.UUID(int=103))
    stale = note(id=uuid.UUID(int=201), created_at=NOW - timedelta(days=10))
    overdue = note(
        id=uuid.UUID(int=202), category=NoteCategory.to_follow_up, due_date=date(2026, 12, 1)
    )
    fresh = note(id=uuid.UUID(int=203), created_at=NOW)
    offered = referral(created_at=NOW - timedelta(days=8))
    found = reminders(
        interviews=[done, upcoming, fine],
        notes=[stale, overdue, fresh],
        referrals=[offered, referral(id=uuid.UUID(int=301), created_at=NOW)],
        now=NOW,
    )
    assert [(r.kind, r.since) for r in found] == [
        (K.time_unconfirmed, CREATED),
        (K.follow_up_overdue, datetime(2026, 12, 2, tzinfo=UTC)),
        (K.prep_missing, NOW - timedelta(days=4)),
        (K.introduction_stale, NOW - timedelta(days=3)),  # the note
        (K.missing_connection, ended),
        # The same instant: the kinds' order decides.
        (K.thank_you_due, NOW - timedelta(days=1)),
        (K.introduction_stale, NOW - timedelta(days=1)),  # the referral
    ]
    assert [r.kind for r in found].count(K.introduction_stale) == 2
    assert reminders(interviews=[], notes=[], referrals=[], now=NOW) == []


def test_ties_are_broken_by_kind_then_subject() -> None:
    start = NOW + timedelta(days=2)
    twins = [
        interview(
            id=uuid.UUID(int=n),
            scheduled_at=start,
            time_confirmed=False,
            agenda=(),
            created_at=start - timedelta(days=7),
        )  # fmt: skip
        for n in (7, 5)
    ]
    found = reminders(interviews=twins, notes=[], referrals=[], now=NOW)
    assert [(r.kind, r.interview_id) for r in found] == [
        (K.time_unconfirmed, uuid.UUID(int=5)),
        (K.time_unconfirmed, uuid.UUID(int=7)),
        (K.prep_missing, uuid.UUID(int=5)),
        (K.prep_missing, uuid.UUID(int=7)),
    ]
