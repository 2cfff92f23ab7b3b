"""From an interview's facts to a message's placeholder values and mailto link (pure)."""

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from urllib.parse import quote

from backend.referrals.models import ReferralStatus

# How far a referral got: the further, the better it names who connected the two.
_PROGRESS = {
    ReferralStatus.offered: 0,
    ReferralStatus.introduced: 1,
    ReferralStatus.contacted: 2,
    ReferralStatus.met: 3,
}
_HONORIFICS = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "sir", "dame"})


@dataclass(frozen=True)
class Edge:
    """A referral into the interviewee: who offered it (None: the user knows them directly)."""

    id: uuid.UUID
    from_contact_id: uuid.UUID | None
    interview_id: uuid.UUID | None
    status: ReferralStatus
    context: str | None
    created_at: datetime


def pick_referral(edges: Iterable[Edge]) -> Edge | None:
    """The edge that best says who connected the user to the interviewee.

    Declined edges do not count. When the user knows the interviewee directly (a direct edge)
    nobody referred them. Otherwise the edge offered in a conversation wins, then the one that
    got furthest (met > contacted > introduced > offered), then the newest.
    """
    live = [e for e in edges if e.status != ReferralStatus.declined]
    if not live or any(e.from_contact_id is None for e in live):
        return None
    return max(
        live,
        key=lambda e: (e.interview_id is not None, _PROGRESS[e.status], e.created_at, e.id),
    )


@dataclass(frozen=True)
class Person:
    full_name: str
    title: str | None = None
    organization: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Me:
    name: str
    situation: str | None = None
    ask: str | None = None
    focus_areas: Sequence[str] = ()


@dataclass(frozen=True)
class Reading:
    text: str
    author: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Meeting:
    duration_minutes: int
    scheduled_at: datetime | None = None
    location: str | None = None
    meeting_url: str | None = None
    agenda: Sequence[str] = ()
    summary: str | None = None
    follow_ups: Sequence[str] = ()  # the open To Follow Up items
    to_read: Sequence[Reading] = ()


@dataclass(frozen=True)
class Facts:
    contact: Person
    me: Me
    meeting: Meeting
    referrer: Person | None = None
    referral_context: str | None = None


def first_name(full_name: str) -> str:
    """The first word of a name, past an honorific: "Dr. Maya Okafor" → "Maya"."""
    words = full_name.split()
    while len(words) > 1 and words[0].rstrip(".").casefold() in _HONORIFICS:
        words = words[1:]
    return words[0] if words else ""


def bullets(items: Iterable[str]) -> str:
    """One "- item" line per non-blank item; an item's own line breaks become spaces."""
    lines = [" ".join(item.split()) for item in items]
    return "\n".join(f"- {line}" for line in lines if line)


def when(moment: datetime | None, zone: tzinfo = UTC) -> str:
    """E.g. "Thursday 3 December 2026, 13:30 UTC" (English, whatever the server's locale)."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    day = _DAYS[local.weekday()]
    month = _MONTHS[local.month - 1]
    return f"{day} {local.day} {month} {local.year}, {local:%H:%M} {local.tzname() or ''}".strip()


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _reading(item: Reading) -> str:
    line = item.text
    if item.author:
        line += f", by {item.author}"
    if item.url:
        line += f" ({item.url})"
    return line


def _text(value: str | None) -> str:
    return (value or "").strip()


def context_of(facts: Facts, zone: tzinfo = UTC) -> dict[str, str]:
    """Every placeholder of the catalogue, as text."""
    contact, me, meeting, referrer = facts.contact, facts.me, facts.meeting, facts.referrer
    return {
        "contact.full_name": _text(contact.full_name),
        "contact.first_name": first_name(contact.full_name),
        "contact.title": _text(contact.title),
        "contact.organization": _text(contact.organization),
        "referrer.full_name": _text(referrer.full_name) if referrer else "",
        "referrer.first_name": first_name(referrer.full_name) if referrer else "",
        # It follows a dash mid-sentence in the outreach ("… — we worked together.").
        "referral.context": _text(facts.referral_context).rstrip(".").rstrip() if referrer else "",
        "me.name": _text(me.name),
        "me.first_name": first_name(me.name),
        "me.situation": _text(me.situation),
        "me.ask": _text(me.ask),
        "me.focus_areas": ", ".join(me.focus_areas),
        "interview.duration_minutes": str(meeting.duration_minutes),
        "interview.when": when(meeting.scheduled_at, zone),
        "interview.place": _text(meeting.location) or _text(meeting.meeting_url),
        "interview.topics": bullets(meeting.agenda),
        "interview.learned": _text(meeting.summary),
        "interview.follow_ups": bullets(meeting.follow_ups),
        "interview.to_read": bullets(_reading(item) for item in meeting.to_read),
    }


def one_line(text: str) -> str:
    """A subject: every run of white space (line breaks included) becomes one space."""
    return " ".join(text.split())


def tidy_body(text: str) -> str:
    """Unix line breaks, no trailing blanks on lines, no blank lines at either end."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def mailto(to: str | None, subject: str, body: str) -> str:
    """An RFC 6068 mailto URI: percent-encoded UTF-8, line breaks as %0D%0A, and the
    recipient only when there is one."""
    crlf = body.replace("\r\n", "\n").replace("\n", "\r\n")
    recipient = quote(to, safe="@") if to else ""
    return f"mailto:{recipient}?subject={quote(subject, safe='')}&body={quote(crlf, safe='')}"
