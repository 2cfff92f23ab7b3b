"""The action inbox through the HTTP API: open items, reminders and upcoming interviews.

The rules' boundaries are tested on the pure functions (tests/test_reminders.py); here the
data sits well clear of them, with creation times set through the database where a rule
needs an old row.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, Table, update

from backend.inbox import service
from backend.interviews.models import Interview
from backend.notes.models import NoteItem
from backend.referrals.models import Referral
from tests import factories
from tests.conftest import Api

URL = "/api/v1/inbox"
INTERVIEWS = "/api/v1/interviews"
CATEGORIES = ["to_connect", "to_follow_up", "to_read", "to_look_up", "to_do", "to_think_about"]
EMPTY = {"items": [], "total": 0}


def iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def when(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%d %H:%M UTC")


def backdate(engine: Engine, model: Any, row_id: str, created_at: datetime) -> None:
    table: Table = model.__table__
    with engine.begin() as conn:
        conn.execute(
            update(table).where(table.c.id == uuid.UUID(row_id)).values(created_at=created_at)
        )


def inbox(api: Api) -> dict[str, Any]:
    response = api.get(URL)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def person(contact: dict[str, Any]) -> dict[str, str]:
    return {"id": contact["id"], "full_name": contact["full_name"]}


def test_an_empty_inbox_has_every_category(api: Api) -> None:
    assert inbox(api) == {
        "open_items": dict.fromkeys(CATEGORIES, EMPTY),
        "reminders": [],
        "upcoming": [],
    }


def test_open_items_by_category_overdue_first_then_due_date(api: Api, engine: Engine) -> None:
    today = datetime.now(UTC).date()
    ada = factories.contact(api, full_name="Ada")
    bob = factories.contact(api, full_name="Bob")
    first = factories.interview(api, ada["id"])
    second = factories.interview(api, bob["id"])
    base = datetime(2026, 1, 1, tzinfo=UTC)

    def item(interview: dict[str, Any], text: str, due: Any = None, **fields: Any) -> str:
        due_date = (today + timedelta(days=due)).isoformat() if due is not None else None
        made = factories.note_item(
            api, interview["id"], category="to_do", text=text, due_date=due_date, **fields
        )
        # Created in the order written, a minute apart.
        backdate(engine, NoteItem, made["id"], base + timedelta(minutes=len(made_ids)))
        made_ids.append(made["id"])
        return str(made["id"])

    made_ids: list[str] = []
    undated_old = item(first, "undated, older")
    later = item(second, "due in a week", 7)
    due_today = item(first, "due today", 0)
    overdue = item(second, "overdue by two days", -2)
    undated_new = item(second, "undated, newer")
    long_overdue = item(first, "overdue by a month", -30)
    item(first, "done already", -5, status="done")
    read = factories.note_item(api, first["id"], category="to_read", text="Read SICP")

    def expected(note_id: str, text: str, due: int | None, who: dict[str, Any]) -> Any:
        interview = first if who is ada else second
        return {
            "id": note_id,
            "text": text,
            "due_date": (today + timedelta(days=due)).isoformat() if due is not None else None,
            "overdue": due is not None and due < 0,
            "interview_id": interview["id"],
            "interviewee": person(who),
        }

    body = inbox(api)
    assert body["open_items"]["to_do"] == {
        "items": [
            expected(long_overdue, "overdue by a month", -30, ada),
            expected(overdue, "overdue by two days", -2, bob),
            expected(due_today, "due today", 0, ada),
            expected(later, "due in a week", 7, bob),
            expected(undated_old, "undated, older", None, ada),
            expected(undated_new, "undated, newer", None, bob),
        ],
        "total": 6,
    }
    assert body["open_items"]["to_read"] == {
        "items": [expected(read["id"], "Read SICP", None, ada)],
        "total": 1,
    }
    for category in ("to_connect", "to_follow_up", "to_look_up", "to_think_about"):
        assert body["open_items"][category] == EMPTY
    # Ticking an item done takes it out of the inbox.
    assert api.patch(f"/api/v1/note-items/{overdue}", json={"status": "done"}).status_code == 200
    ids = [i["id"] for i in inbox(api)["open_items"]["to_do"]["items"]]
    assert ids == [long_overdue, due_today, later, undated_old, undated_new]


def test_each_category_is_capped_with_its_total(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    assert service.PER_CATEGORY == 100
    monkeypatch.setattr(service, "PER_CATEGORY", 2)
    interview = factories.interview(api)
    texts = [f"idea {n}" for n in range(4)]
    for text in texts:
        factories.note_item(api, interview["id"], category="to_think_about", text=text)
    factories.note_item(api, interview["id"], category="to_look_up", text="Battery chemistry")
    groups = inbox(api)["open_items"]
    assert [i["text"] for i in groups["to_think_about"]["items"]] == texts[:2]
    assert groups["to_think_about"]["total"] == 4
    assert [i["text"] for i in groups["to_look_up"]["items"]] == ["Battery chemistry"]
    assert groups["to_look_up"]["total"] == 1


def test_reminders_oldest_first_with_what_they_are_about(api: Api, engine: Engine) -> None:
    base = datetime.now(UTC).replace(microsecond=0)
    ada = factories.contact(api, full_name="Ada")
    bob = factories.contact(api, full_name="Bob")
    cleo = factories.contact(api, full_name="Cleo")
    dan = factories.contact(api, full_name="Dan")
    sam = factories.contact(api, full_name="Sam")
    grace = factories.contact(api, full_name="Grace")

    # Ada: met three days ago; no thank-you, no new connection.
    met = base - timedelta(days=3)
    with_ada = factories.interview(api, ada["id"], status="completed", scheduled_at=iso(met))
    # Bob: thanked already, and offered an introduction eight days ago that is still open.
    with_bob = factories.interview(
        api,
        bob["id"],
        status="completed",
        scheduled_at=iso(base - timedelta(days=5)),
        thank_you_sent_at=iso(base - timedelta(days=4)),
    )
    intro = factories.note_item(api, with_bob["id"], category="to_connect", text="Meet Grace")
    backdate(engine, NoteItem, intro["id"], base - timedelta(days=8))
    # Cleo: in two days, unprepared and unconfirmed; planned ten days ago.
    soon = base + timedelta(days=2)
    with_cleo = factories.interview(api, cleo["id"], status="scheduled", scheduled_at=iso(soon))
    backdate(engine, Interview, with_cleo["id"], base - timedelta(days=10))
    # Dan: a month ahead, all set; a follow-up from him long overdue.
    ahead = base + timedelta(days=30)
    with_dan = factories.interview(
        api,
        dan["id"],
        status="scheduled",
        scheduled_at=iso(ahead),
        time_confirmed=True,
        agenda=["His path"],
        research_notes="His blog",
    )
    follow_up = factories.note_item(
        api, with_dan["id"], category="to_follow_up", text="Send the report", due_date="2020-01-01"
    )
    # Sam offered to introduce Grace ten days ago; a fresh offer is not stale yet.
    offered = factories.referral(api, grace["id"], from_contact_id=sam["id"])
    backdate(engine, Referral, offered["id"], base - timedelta(days=10))
    factories.referral(api, dan["id"], from_contact_id=sam["id"])

    ada_end = met + timedelta(minutes=45)
    expected = [
        {
            "kind": "follow_up_overdue",
            "message": "A follow-up with Dan was due on 2020-01-01.",
            "interview_id": with_dan["id"],
            "note_id": follow_up["id"],
            "referral_id": None,
            "contact": person(dan),
            "since": "2020-01-02T00:00:00Z",
            "due": "2020-01-01",
        },
        {
            "kind": "time_unconfirmed",
            "message": f"Confirm how much time Cleo has for your conversation on {when(soon)}.",
            "interview_id": with_cleo["id"],
            "note_id": None,
            "referral_id": None,
            "contact": person(cleo),
            "since": iso(base - timedelta(days=10)),
            "due": None,
        },
        {
            "kind": "prep_missing",
            "message": f"Prepare for Cleo on {when(soon)}: add an agenda and research notes.",
            "interview_id": with_cleo["id"],
            "note_id": None,
            "referral_id": None,
            "contact": person(cleo),
            "since": iso(soon - timedelta(days=7)),
            "due": None,
        },
        {
            "kind": "introduction_stale",
            "message": "Sam offered to introduce you to Grace a week or more ago: a gentle nudge?",
            "interview_id": None,
            "note_id": None,
            "referral_id": offered["id"],
            "contact": person(sam),
            "since": iso(base - timedelta(days=3)),
            "due": None,
        },
        {
            "kind": "missing_connection",
            "message": "Your conversation with Ada has not led to a new connection yet: who "
            "else should you talk to? Add a to_connect note, or dismiss this.",
            "interview_id": with_ada["id"],
            "note_id": None,
            "referral_id": None,
            "contact": person(ada),
            "since": iso(ada_end),
            "due": None,
        },
        {
            "kind": "thank_you_due",
            "message": "Send Ada a thank-you note: your conversation ended over a day ago.",
            "interview_id": with_ada["id"],
            "note_id": None,
            "referral_id": None,
            "contact": person(ada),
            "since": iso(ada_end + timedelta(hours=24)),
            "due": None,
        },
        {
            "kind": "introduction_stale",
            "message": "An introduction from your conversation with Bob is still open after a "
            "week: follow up on it.",
            "interview_id": with_bob["id"],
            "note_id": intro["id"],
            "referral_id": None,
            "contact": person(bob),
            "since": iso(base - timedelta(days=1)),
            "due": None,
        },
    ]
    body = inbox(api)
    assert body["reminders"] == expected

    # Acting on them clears them: thanks sent, connection dismissed, time confirmed…
    def patch(interview: dict[str, Any], **changes: Any) -> None:
        response = api.patch(f"{INTERVIEWS}/{interview['id']}", json=changes)
        assert response.status_code == 200, response.text

    patch(with_ada, status="thanked")
    assert [r["kind"] for r in inbox(api)["reminders"]] == [
        "follow_up_overdue",
        "time_unconfirmed",
        "prep_missing",
        "introduction_stale",
        "missing_connection",  # thanked, still without a new connection
        "introduction_stale",
    ]
    patch(with_ada, no_connection_dismissed=True)
    patch(with_cleo, time_confirmed=True, agenda=["Her path"])
    api.patch(f"/api/v1/note-items/{intro['id']}", json={"status": "done"})
    api.patch(f"/api/v1/note-items/{follow_up['id']}", json={"status": "done"})
    api.patch(f"/api/v1/referrals/{offered['id']}", json={"status": "introduced"})
    remaining = inbox(api)["reminders"]
    assert [(r["kind"], r["message"]) for r in remaining] == [
        ("prep_missing", f"Prepare for Cleo on {when(soon)}: add research notes.")
    ]
    patch(with_cleo, research_notes="Her talk at the meetup")
    assert inbox(api)["reminders"] == []


def test_a_new_to_connect_note_answers_missing_connection(api: Api) -> None:
    interview = factories.interview(api, status="completed", scheduled_at="2026-01-05T10:00:00Z")
    assert [r["kind"] for r in inbox(api)["reminders"]] == ["missing_connection", "thank_you_due"]
    factories.note_item(api, interview["id"], category="to_connect", text="Meet Linus")
    assert [r["kind"] for r in inbox(api)["reminders"]] == ["thank_you_due"]


def test_upcoming_are_the_next_ten_scheduled_from_now(api: Api) -> None:
    base = datetime.now(UTC).replace(microsecond=0)
    ada = factories.contact(api, full_name="Ada")
    days = [5, 1, 9, 3, 11, 2, 8, 4, 10, 6, 7]  # eleven, out of order
    made = {
        day: factories.interview(
            api,
            ada["id"],
            status="scheduled",
            scheduled_at=iso(base + timedelta(days=day)),
            time_confirmed=True,
            agenda=["Path"],
            research_notes="Blog",
            location=f"Day {day}",
        )
        for day in days
    }
    factories.interview(
        api, ada["id"], status="scheduled", scheduled_at=iso(base - timedelta(hours=1))
    )
    factories.interview(api, ada["id"], scheduled_at=iso(base + timedelta(hours=1)))  # an idea
    dropped = factories.interview(
        api, ada["id"], status="scheduled", scheduled_at=iso(base + timedelta(hours=2))
    )
    cancel = api.patch(f"{INTERVIEWS}/{dropped['id']}", json={"status": "cancelled"})
    assert cancel.status_code == 200

    upcoming = inbox(api)["upcoming"]
    assert [u["id"] for u in upcoming] == [made[day]["id"] for day in range(1, 11)]
    assert upcoming[0] == {
        "id": made[1]["id"],
        "status": "scheduled",
        "scheduled_at": iso(base + timedelta(days=1)),
        "duration_minutes": 45,
        "location": "Day 1",
        "meeting_url": None,
        "time_confirmed": True,
        "interviewee": person(ada),
    }


def test_one_users_inbox_shows_nothing_of_anothers(api: Api, other_api: Api) -> None:
    theirs = factories.interview(other_api, status="completed", scheduled_at="2026-01-05T10:00:00Z")
    factories.note_item(other_api, theirs["id"], category="to_follow_up", due_date="2020-01-01")
    factories.interview(
        other_api, status="scheduled", scheduled_at=iso(datetime.now(UTC) + timedelta(days=1))
    )
    assert inbox(api) == {
        "open_items": dict.fromkeys(CATEGORIES, EMPTY),
        "reminders": [],
        "upcoming": [],
    }
    body = inbox(other_api)
    assert body["open_items"]["to_follow_up"]["total"] == 1
    assert len(body["upcoming"]) == 1
    assert [r["kind"] for r in body["reminders"]] == [
        "follow_up_overdue",
        "missing_connection",
        "thank_you_due",
        "time_unconfirmed",
        "prep_missing",
    ]
