"""Interviews and due notes as iCalendar (RFC 5545), built with `icalendar` (pure: no
database, no HTTP).

Every event's UID is stable (the kind and the row's id), SEQUENCE is the row's version and
DTSTAMP/LAST-MODIFIED its last change, so a calendar app that fetches the feed again replaces
what changed and keeps the rest. Nothing depends on the time of the request: the same data
always gives the same bytes.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event, vDuration

from backend.interviews.lifecycle import InterviewStatus
from backend.notes.models import NoteCategory

PRODID = "-//Nexthop//Nexthop calendar//EN"
UID_DOMAIN = "nexthop"
# How often a subscribed calendar app should fetch the feed again.
REFRESH = timedelta(hours=1)

# What an interview's state means for its event.
S = InterviewStatus
EVENT_STATUS = {
    S.idea: "TENTATIVE",
    S.outreach_sent: "TENTATIVE",
    S.scheduled: "CONFIRMED",
    S.completed: "CONFIRMED",
    S.thanked: "CONFIRMED",
    S.no_show: "CONFIRMED",
    S.declined: "CANCELLED",
    S.cancelled: "CANCELLED",
}
DUE_LABELS = {NoteCategory.to_do: "To do", NoteCategory.to_follow_up: "To follow up"}
SUMMARY_MAX = 120


@dataclass(frozen=True)
class InterviewEntry:
    id: uuid.UUID
    status: InterviewStatus
    starts_at: datetime
    duration_minutes: int
    interviewee: str
    version: int
    created_at: datetime
    updated_at: datetime
    interviewee_title: str | None = None
    organization: str | None = None
    location: str | None = None
    meeting_url: str | None = None
    agenda: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DueEntry:
    """An open note item with a due date, shown as an all-day event on that date."""

    id: uuid.UUID
    category: NoteCategory
    text: str
    due_date: date
    version: int
    created_at: datetime
    updated_at: datetime
    interviewee: str | None = None
    interview_id: uuid.UUID | None = None


def interview_uid(interview_id: uuid.UUID) -> str:
    return f"interview-{interview_id}@{UID_DOMAIN}"


def due_uid(note_id: uuid.UUID) -> str:
    return f"note-item-{note_id}@{UID_DOMAIN}"


def _shorten(text: str, limit: int = SUMMARY_MAX) -> str:
    """One line of at most `limit` characters, cut after a whole word where there is one."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    whole_words = line[:limit].rsplit(" ", 1)[0]
    cut = whole_words if len(whole_words) >= limit // 2 else line[: limit - 1]
    return cut[: limit - 1] + "…"


def _stamp(event: Event, version: int, created_at: datetime, updated_at: datetime) -> None:
    event.add("sequence", version)
    event.add("dtstamp", updated_at)
    event.add("last-modified", updated_at)
    event.add("created", created_at)


def interview_description(entry: InterviewEntry, app_url: str | None) -> str:
    who = entry.interviewee
    if entry.interviewee_title and entry.organization:
        who += f", {entry.interviewee_title} at {entry.organization}"
    elif entry.interviewee_title or entry.organization:
        who += f", {entry.interviewee_title or entry.organization}"
    lines = [f"Informational interview with {who}."]
    if entry.meeting_url:
        lines.append(f"Join: {entry.meeting_url}")
    if entry.agenda:
        lines += ["", "Agenda:", *(f"- {topic}" for topic in entry.agenda)]
    if app_url:
        lines += ["", f"Prep sheet: {app_url}/app/interviews/{entry.id}"]
    return "\n".join(lines)


def interview_event(entry: InterviewEntry, app_url: str | None = None) -> Event:
    event = Event()
    event.add("uid", interview_uid(entry.id))
    _stamp(event, entry.version, entry.created_at, entry.updated_at)
    event.add("dtstart", entry.starts_at)
    event.add("dtend", entry.starts_at + timedelta(minutes=entry.duration_minutes))
    event.add("summary", _shorten(f"Informational interview: {entry.interviewee}"))
    event.add("description", interview_description(entry, app_url))
    where = entry.location or entry.meeting_url
    if where:
        event.add("location", where)
    if entry.meeting_url:
        event.add("url", entry.meeting_url)
    event.add("status", EVENT_STATUS[entry.status])
    event.add("transp", "TRANSPARENT" if EVENT_STATUS[entry.status] == "CANCELLED" else "OPAQUE")
    return event


def due_event(entry: DueEntry, app_url: str | None = None) -> Event:
    event = Event()
    event.add("uid", due_uid(entry.id))
    _stamp(event, entry.version, entry.created_at, entry.updated_at)
    event.add("dtstart", entry.due_date)
    event.add("dtend", entry.due_date + timedelta(days=1))
    event.add("summary", _shorten(f"{DUE_LABELS.get(entry.category, 'Due')}: {entry.text}"))
    lines = [entry.text]
    if entry.interviewee:
        lines += ["", f"From the interview with {entry.interviewee}."]
    if app_url and entry.interview_id:
        lines.append(f"{app_url}/app/interviews/{entry.interview_id}")
    event.add("description", "\n".join(lines))
    # A reminder, not an appointment: it leaves the day free.
    event.add("transp", "TRANSPARENT")
    event.add("status", "CONFIRMED")
    return event


def calendar(events: Iterable[Event], *, name: str, feed: bool) -> bytes:
    """A VCALENDAR around the events. A feed says how often to refresh; a single download
    says PUBLISH, which is what import dialogs expect."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if feed:
        cal.add("name", name)
        cal.add("x-wr-calname", name)
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(REFRESH))
    else:
        cal.add("method", "PUBLISH")
    for event in events:
        cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical


def feed_calendar(
    interviews: Iterable[InterviewEntry],
    due: Iterable[DueEntry],
    *,
    name: str,
    app_url: str | None = None,
) -> bytes:
    events = [interview_event(entry, app_url) for entry in interviews]
    events += [due_event(entry, app_url) for entry in due]
    return calendar(events, name=name, feed=True)


def interview_calendar(entry: InterviewEntry, app_url: str | None = None) -> bytes:
    return calendar([interview_event(entry, app_url)], name="Nexthop", feed=False)
