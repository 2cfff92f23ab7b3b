"""The calendar: one interview as .ics, and the per-user feed at a secret, revocable link.

Every answer is read back with `icalendar`, a real RFC 5545 parser.
"""

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from backend.calendar import ics
from backend.interviews.lifecycle import InterviewStatus
from backend.notes.models import NoteCategory
from tests import factories
from tests.conftest import Api

FEED = "/api/v1/calendar/feed"


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def events(cal: Calendar) -> dict[str, Any]:
    return {str(event["UID"]): event for event in cal.walk("VEVENT")}


def feed_events(api: Api, url: str) -> dict[str, Any]:
    # Fetched like a calendar app would: no token, no cookie.
    response = api.client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return events(parse(response.content))


def subscribe(api: Api) -> str:
    response = api.post(FEED)
    assert response.status_code == 200, response.text
    url: str = response.json()["url"]
    return url


def instant(text: str) -> datetime:
    """An API instant as iCalendar carries it: to the second."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(microsecond=0)


def in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()


# --- The link -------------------------------------------------------------------------------


def test_the_link_is_made_shown_rotated_and_revoked(api: Api) -> None:
    assert api.get(FEED).json() == {"url": None, "webcal_url": None, "created_at": None}

    made = api.post(FEED)
    assert made.status_code == 200
    first = made.json()
    assert first["url"].startswith("http://testserver/api/v1/calendar/")
    assert first["url"].endswith(".ics")
    assert first["webcal_url"] == "webcal://" + first["url"].removeprefix("http://")
    assert api.get(FEED).json() == first
    assert api.client.get(first["url"]).status_code == 200

    second = api.post(FEED).json()
    assert second["url"] != first["url"]
    gone = api.client.get(first["url"])
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"
    assert api.client.get(second["url"]).status_code == 200

    assert api.delete(FEED).status_code == 204
    assert api.get(FEED).json()["url"] is None
    assert api.client.get(second["url"]).status_code == 404
    assert api.delete(FEED).status_code == 204  # nothing to revoke: still fine


@pytest.mark.parametrize(
    "token", ["made-up-" + "a" * 32, "short", "x" * 65, "has space in it and is long enough"]
)
def test_an_unknown_link_is_not_found(api: Api, token: str) -> None:
    response = api.client.get(f"/api/v1/calendar/{token}.ics")
    assert response.status_code == 404


def test_the_feed_answers_304_when_nothing_changed(api: Api) -> None:
    url = subscribe(api)
    first = api.client.get(url)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    assert first.headers["x-robots-tag"] == "noindex"
    assert api.client.get(url, headers={"If-None-Match": etag}).status_code == 304
    factories.note_item(api, due_date="2031-01-02")
    changed = api.client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_feeds_show_only_their_owners_data(api: Api, other_api: Api) -> None:
    factories.interview(api, status="scheduled", scheduled_at=in_days(3))
    factories.note_item(api, due_date="2031-01-02")
    mine, theirs = subscribe(api), subscribe(other_api)
    assert len(feed_events(api, mine)) == 2
    assert feed_events(other_api, theirs) == {}


# --- What the feed holds ---------------------------------------------------------------------


def test_a_scheduled_interview_becomes_an_event_with_the_prep(api: Api) -> None:
    org = factories.organization(api, name="Tidewater Energy")
    maya = factories.contact(
        api, full_name="Maya Okafor", title="Head of Grid Storage", organization_id=org["id"]
    )
    interview = factories.interview(
        api,
        maya["id"],
        status="scheduled",
        scheduled_at="2031-03-04T09:30:00-05:00",
        duration_minutes=30,
        location="Blue Bottle, 3rd Street",
        meeting_url="https://meet.example/abc",
        agenda=["Her path into storage", "What the team looks for"],
    )
    event = feed_events(api, subscribe(api))[f"interview-{interview['id']}@nexthop"]
    assert event.decoded("DTSTART") == datetime(2031, 3, 4, 14, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2031, 3, 4, 15, 0, tzinfo=UTC)
    assert str(event["SUMMARY"]) == "Informational interview: Maya Okafor"
    assert str(event["LOCATION"]) == "Blue Bottle, 3rd Street"
    assert str(event["URL"]) == "https://meet.example/abc"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["TRANSP"]) == "OPAQUE"
    assert str(event["DESCRIPTION"]) == (
        "Informational interview with Maya Okafor, Head of Grid Storage at Tidewater Energy.\n"
        "Join: https://meet.example/abc\n"
        "\n"
        "Agenda:\n"
        "- Her path into storage\n"
        "- What the team looks for\n"
        "\n"
        f"Prep sheet: http://testserver/app/interviews/{interview['id']}"
    )
    assert event["SEQUENCE"] == interview["version"] == 1
    assert event.decoded("LAST-MODIFIED") == instant(interview["updated_at"])
    assert event.decoded("DTSTAMP") == instant(interview["updated_at"])
    assert event.decoded("CREATED") == instant(interview["created_at"])


def test_a_video_call_without_a_place_is_located_at_its_link(api: Api) -> None:
    interview = factories.interview(
        api, status="scheduled", scheduled_at=in_days(2), meeting_url="https://meet.example/x"
    )
    event = feed_events(api, subscribe(api))[f"interview-{interview['id']}@nexthop"]
    assert str(event["LOCATION"]) == "https://meet.example/x"


def test_which_interviews_are_in_the_feed(api: Api) -> None:
    person = factories.contact(api)["id"]

    def made(**fields: Any) -> str:
        return f"interview-{factories.interview(api, person, **fields)['id']}@nexthop"

    upcoming = made(status="scheduled", scheduled_at=in_days(5))
    recent = made(status="completed", scheduled_at=in_days(-10))
    tentative = made(status="idea", scheduled_at=in_days(9))
    made(status="completed", scheduled_at=in_days(-200))  # before the feed's window
    made(status="idea")  # no time: nothing to show
    shown = feed_events(api, subscribe(api))
    assert set(shown) == {upcoming, recent, tentative}
    assert str(shown[tentative]["STATUS"]) == "TENTATIVE"
    assert str(shown[recent]["STATUS"]) == "CONFIRMED"


def test_updates_replace_the_event_and_cancelled_ones_show_as_cancelled(api: Api) -> None:
    interview = factories.interview(api, status="scheduled", scheduled_at=in_days(4))
    uid = f"interview-{interview['id']}@nexthop"
    url = subscribe(api)
    assert feed_events(api, url)[uid]["SEQUENCE"] == 1

    moved = api.patch(
        f"/api/v1/interviews/{interview['id']}",
        json={"scheduled_at": "2031-06-01T10:00:00Z", "location": "Their office"},
    )
    assert moved.status_code == 200, moved.text
    event = feed_events(api, url)[uid]
    assert event["SEQUENCE"] == 2
    assert event.decoded("DTSTART") == datetime(2031, 6, 1, 10, 0, tzinfo=UTC)
    assert str(event["LOCATION"]) == "Their office"

    cancelled = api.patch(f"/api/v1/interviews/{interview['id']}", json={"status": "cancelled"})
    assert cancelled.status_code == 200, cancelled.text
    shown = feed_events(api, url)
    assert list(shown) == [uid]  # still there, so calendar apps strike it through
    assert str(shown[uid]["STATUS"]) == "CANCELLED"
    assert str(shown[uid]["TRANSP"]) == "TRANSPARENT"
    assert shown[uid]["SEQUENCE"] == 3
    assert shown[uid].decoded("LAST-MODIFIED") == instant(cancelled.json()["updated_at"])


def test_open_to_dos_and_follow_ups_with_a_due_date_are_all_day_events(api: Api) -> None:
    sam = factories.contact(api, full_name="Sam Rivera")
    interview = factories.interview(api, sam["id"])["id"]

    def note(**fields: Any) -> str:
        return f"note-item-{factories.note_item(api, interview, **fields)['id']}@nexthop"

    todo = note(category="to_do", text="Send the deck", due_date="2031-01-05")
    follow_up = note(category="to_follow_up", text="Ask about the\nreport", due_date="2031-01-07")
    note(category="to_do", text="Done already", due_date="2031-01-05", status="done")
    note(category="to_read", text="A book", due_date="2031-01-05")
    note(category="to_do", text="Some day")
    shown = feed_events(api, subscribe(api))
    assert set(shown) == {todo, follow_up}

    event = shown[todo]
    assert event.decoded("DTSTART") == date(2031, 1, 5)
    assert event.decoded("DTEND") == date(2031, 1, 6)
    assert str(event["SUMMARY"]) == "To do: Send the deck"
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert str(event["DESCRIPTION"]) == (
        "Send the deck\n\nFrom the interview with Sam Rivera.\n"
        f"http://testserver/app/interviews/{interview}"
    )
    assert str(shown[follow_up]["SUMMARY"]) == "To follow up: Ask about the report"

    # Done: it leaves the feed, and calendar apps remove it.
    item_id = todo.removeprefix("note-item-").removesuffix("@nexthop")
    done = api.patch(f"/api/v1/note-items/{item_id}", json={"status": "done"})
    assert done.status_code == 200, done.text
    assert set(feed_events(api, subscribe(api))) == {follow_up}


# --- One interview ---------------------------------------------------------------------------


def test_one_interview_downloads_as_an_ics_file(api: Api) -> None:
    interview = factories.interview(
        api, status="scheduled", scheduled_at="2031-03-04T09:30:00+01:00"
    )
    response = api.get(f"/api/v1/interviews/{interview['id']}/ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert (
        response.headers["content-disposition"] == 'attachment; filename="interview-2031-03-04.ics"'
    )
    cal = parse(response.content)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert list(events(cal)) == [f"interview-{interview['id']}@nexthop"]  # the feed's UID
    assert cal.walk("VEVENT")[0].decoded("DTSTART") == datetime(2031, 3, 4, 8, 30, tzinfo=UTC)


def test_an_interview_without_a_time_has_no_ics(api: Api) -> None:
    interview = factories.interview(api)
    response = api.get(f"/api/v1/interviews/{interview['id']}/ics")
    assert response.status_code == 409
    assert "no scheduled time" in response.json()["detail"]


def test_another_users_interview_has_no_ics(api: Api, other_api: Api) -> None:
    interview = factories.interview(api, status="scheduled", scheduled_at=in_days(1))
    for url in (
        f"/api/v1/interviews/{interview['id']}/ics",
        f"/api/v1/interviews/{uuid.uuid4()}/ics",
    ):
        response = other_api.get(url)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


# --- The pure part ---------------------------------------------------------------------------

STAMP = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def entry(**fields: Any) -> ics.InterviewEntry:
    values: dict[str, Any] = {
        "id": uuid.UUID(int=1),
        "status": InterviewStatus.scheduled,
        "starts_at": datetime(2031, 1, 1, 9, 0, tzinfo=UTC),
        "duration_minutes": 45,
        "interviewee": "Ada Lovelace",
        "version": 4,
        "created_at": STAMP,
        "updated_at": STAMP + timedelta(hours=1),
    }
    return ics.InterviewEntry(**{**values, **fields})


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (InterviewStatus.idea, "TENTATIVE"),
        (InterviewStatus.outreach_sent, "TENTATIVE"),
        (InterviewStatus.scheduled, "CONFIRMED"),
        (InterviewStatus.completed, "CONFIRMED"),
        (InterviewStatus.thanked, "CONFIRMED"),
        (InterviewStatus.no_show, "CONFIRMED"),
        (InterviewStatus.declined, "CANCELLED"),
        (InterviewStatus.cancelled, "CANCELLED"),
    ],
)
def test_every_interview_state_has_an_event_status(status: InterviewStatus, expected: str) -> None:
    event = ics.interview_event(entry(status=status))
    assert str(event["STATUS"]) == expected


def test_the_same_data_gives_the_same_bytes() -> None:
    due = ics.DueEntry(
        id=uuid.UUID(int=2),
        category=NoteCategory.to_do,
        text="x",
        due_date=date(2031, 1, 2),
        version=1,
        created_at=STAMP,
        updated_at=STAMP,
    )
    first = ics.feed_calendar([entry()], [due], name="Nexthop")
    assert first == ics.feed_calendar([entry()], [due], name="Nexthop")
    cal = parse(first)
    assert str(cal["X-WR-CALNAME"]) == "Nexthop"
    assert cal["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert "METHOD" not in cal
    assert first.count(b"\r\n") == len(first.splitlines())  # CRLF line ends


def test_descriptions_say_who_with_what_is_known() -> None:
    assert ics.interview_description(entry(), None) == (
        "Informational interview with Ada Lovelace."
    )
    assert ics.interview_description(entry(organization="Engines Ltd"), None) == (
        "Informational interview with Ada Lovelace, Engines Ltd."
    )
    assert ics.interview_description(entry(interviewee_title="Analyst"), None) == (
        "Informational interview with Ada Lovelace, Analyst."
    )


def test_long_note_texts_are_shortened_in_the_summary() -> None:
    due = ics.DueEntry(
        id=uuid.UUID(int=3),
        category=NoteCategory.to_follow_up,
        text="word " * 100,
        due_date=date(2031, 1, 2),
        version=1,
        created_at=STAMP,
        updated_at=STAMP,
    )
    summary = str(ics.due_event(due)["SUMMARY"])
    # Cut after a whole word, within SUMMARY_MAX characters, marked with an ellipsis.
    assert summary == "To follow up: " + " ".join(["word"] * 21) + "…"
    # A very long word is cut where the limit falls.
    one_word = ics.due_event(dataclasses.replace(due, text="x" * 300))
    assert str(one_word["SUMMARY"]) == "To follow up: " + "x" * 105 + "…"
    assert len(summary) <= ics.SUMMARY_MAX
