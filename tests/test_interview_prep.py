"""Scheduling around the interviewee (proposed slots, /schedule) and the prep sheet."""

from typing import Any

from tests import factories
from tests.conftest import Api

URL = "/api/v1/interviews"
MISSING = "01900000-0000-7000-8000-000000000000"
SLOTS = [
    {"starts_at": "2026-12-01T10:00:00+01:00", "duration_minutes": 30, "location": "Café"},
    {"starts_at": "2026-12-02T14:30:00.250Z"},
    {"starts_at": "2026-12-03T08:00:00-05:00", "location": "Zoom"},
]
STORED = [
    {"starts_at": "2026-12-01T09:00:00Z", "duration_minutes": 30, "location": "Café"},
    {"starts_at": "2026-12-02T14:30:00.250000Z", "duration_minutes": None, "location": None},
    {"starts_at": "2026-12-03T13:00:00Z", "duration_minutes": None, "location": "Zoom"},
]


def schedule(api: Api, interview: dict[str, Any], **body: Any) -> Any:
    return api.post(f"{URL}/{interview['id']}/schedule", json=body)


def get(api: Api, interview: dict[str, Any]) -> dict[str, Any]:
    response = api.get(f"{URL}/{interview['id']}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# --- Proposed slots ------------------------------------------------------------------------


def test_proposed_slots_are_stored_in_utc(api: Api) -> None:
    interview = factories.interview(api, proposed_slots=SLOTS)
    assert interview["proposed_slots"] == STORED
    assert get(api, interview)["proposed_slots"] == STORED
    changed = api.patch(f"{URL}/{interview['id']}", json={"proposed_slots": SLOTS[1:]})
    assert changed.status_code == 200
    assert changed.json()["proposed_slots"] == STORED[1:]
    assert get(api, interview)["proposed_slots"] == STORED[1:]
    cleared = api.patch(f"{URL}/{interview['id']}", json={"proposed_slots": []})
    assert cleared.json()["proposed_slots"] == []
    assert get(api, interview)["version"] == 3


def test_duplicate_or_invalid_slots_are_refused(api: Api) -> None:
    person = factories.contact(api)
    # 10:00 in Paris and 09:00 UTC are the same instant.
    twice = [SLOTS[0], SLOTS[1], {"starts_at": "2026-12-01T09:00:00Z"}]
    refused = api.post(URL, json={"contact_id": person["id"], "proposed_slots": twice})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"] == [
        {
            "field": "proposed_slots.2.starts_at",
            "location": "body",
            "reason": "Slot 2 starts at the same time as an earlier slot.",
            "code": "duplicate",
        }
    ]
    assert api.get(URL).json()["total"] == 0

    interview = factories.interview(api, person["id"], proposed_slots=SLOTS[:1])
    url = f"{URL}/{interview['id']}"
    for slots, field in [
        (twice, "proposed_slots.2.starts_at"),
        ([{"starts_at": "2026-12-01T09:00:00"}], "proposed_slots.0.starts_at"),
        (
            [{"starts_at": "2026-12-01T09:00:00Z", "duration_minutes": 5}],
            "proposed_slots.0.duration_minutes",
        ),
        ([{"location": "Café"}], "proposed_slots.0.starts_at"),
        (None, "proposed_slots"),
    ]:
        response = api.patch(url, json={"proposed_slots": slots})
        assert response.status_code == 422, slots
        assert [e["field"] for e in response.json()["errors"]] == [field]
    too_many = [{"starts_at": f"2026-12-{day:02d}T09:00:00Z"} for day in range(1, 22)]
    assert api.patch(url, json={"proposed_slots": too_many}).status_code == 422
    after = get(api, interview)
    assert after["proposed_slots"] == STORED[:1]
    assert after["version"] == 1


# --- Scheduling ----------------------------------------------------------------------------


def test_picking_a_slot_schedules_the_interview(api: Api) -> None:
    interview = factories.interview(api, status="outreach_sent", proposed_slots=SLOTS)
    picked = schedule(api, interview, slot_index=0)
    assert picked.status_code == 200, picked.text
    assert picked.headers["etag"] == '"2"'
    body = picked.json()
    assert body["status"] == "scheduled"
    assert body["scheduled_at"] == "2026-12-01T09:00:00Z"
    assert body["duration_minutes"] == 30
    assert body["location"] == "Café"
    assert body["meeting_url"] is None
    assert body["proposed_slots"] == STORED  # kept; PATCH clears them
    assert body["outreach_sent_at"] == interview["outreach_sent_at"]
    assert body["version"] == 2
    assert "warnings" not in body
    assert get(api, interview) == {**body, "note_items": []}


def test_a_slot_without_duration_or_location_keeps_the_interviews(api: Api) -> None:
    interview = factories.interview(
        api, proposed_slots=SLOTS, duration_minutes=60, location="Her office"
    )
    body = schedule(api, interview, slot_index=1).json()
    assert body["scheduled_at"] == "2026-12-02T14:30:00.250000Z"
    assert (body["duration_minutes"], body["location"]) == (60, "Her office")
    # The body's own values win over the slot's.
    again = schedule(
        api,
        interview,
        slot_index=0,
        duration_minutes=45,
        location="Library",
        meeting_url="https://meet.example/x",
    )
    assert again.status_code == 200
    body = again.json()
    assert body["scheduled_at"] == "2026-12-01T09:00:00Z"
    assert (body["duration_minutes"], body["location"]) == (45, "Library")
    assert body["meeting_url"] == "https://meet.example/x"
    assert body["version"] == 3


def test_scheduling_at_a_time_of_ones_own(api: Api) -> None:
    interview = factories.interview(api, proposed_slots=SLOTS[:1])
    body = schedule(api, interview, starts_at="2026-12-05T16:00:00+02:00", location="Park").json()
    assert body["status"] == "scheduled"
    assert body["scheduled_at"] == "2026-12-05T14:00:00Z"
    assert body["location"] == "Park"
    assert body["duration_minutes"] == 45
    assert body["proposed_slots"] == STORED[:1]
    naive = schedule(api, interview, starts_at="2026-12-05T16:00:00")
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["field"] == "starts_at"


def test_exactly_one_of_slot_and_time(api: Api) -> None:
    interview = factories.interview(api, proposed_slots=SLOTS)
    cases = [
        ({}, "slot_index", "exactly_one_required"),
        ({"location": "Café"}, "slot_index", "exactly_one_required"),
        (
            {"slot_index": 0, "starts_at": "2026-12-05T16:00:00Z"},
            "starts_at",
            "exactly_one_required",
        ),
        ({"slot_index": 3}, "slot_index", "out_of_range"),
    ]
    for body, field, code in cases:
        response = schedule(api, interview, **body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        [issue] = response.json()["errors"]
        assert (issue["field"], issue["code"]) == (field, code), body
    for body in ({"slot_index": -1}, {"slot_index": None}, {"starts_at": None}):
        assert schedule(api, interview, **body).status_code == 422, body
    no_slots = factories.interview(api)
    refused = schedule(api, no_slots, slot_index=0)
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "This interview has no proposed slots; give starts_at instead."
    )
    assert get(api, interview)["version"] == 1
    assert get(api, no_slots)["status"] == "idea"


def test_scheduling_follows_the_lifecycle(api: Api) -> None:
    at = "2026-12-01T09:00:00Z"
    completed = factories.interview(api, status="completed", scheduled_at=at, proposed_slots=SLOTS)
    refused = schedule(api, completed, slot_index=1)
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["detail"] == (
        "An interview cannot go from completed to scheduled; allowed: thanked."
    )
    assert problem["errors"][0]["field"] == "status"
    unchanged = get(api, completed)
    assert (unchanged["scheduled_at"], unchanged["version"]) == (at, 1)

    declined = factories.interview(api)
    assert api.patch(f"{URL}/{declined['id']}", json={"status": "declined"}).status_code == 200
    assert schedule(api, declined, starts_at=at).status_code == 409

    # Rescheduling a scheduled interview, or one that was cancelled, is fine.
    scheduled = factories.interview(api, status="scheduled", scheduled_at=at)
    moved = schedule(api, scheduled, starts_at="2026-12-08T09:00:00Z")
    assert moved.status_code == 200
    assert moved.json()["scheduled_at"] == "2026-12-08T09:00:00Z"
    assert api.patch(f"{URL}/{scheduled['id']}", json={"status": "cancelled"}).status_code == 200
    back = schedule(api, scheduled, starts_at="2026-12-09T09:00:00Z")
    assert back.json()["status"] == "scheduled"


def test_scheduling_honours_if_match(api: Api) -> None:
    interview = factories.interview(api, proposed_slots=SLOTS)
    url = f"{URL}/{interview['id']}/schedule"
    stale = api.post(url, json={"slot_index": 0}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 1
    assert get(api, interview)["status"] == "idea"
    fresh = api.post(url, json={"slot_index": 0}, headers={"If-Match": '"1"'})
    assert fresh.status_code == 200
    assert fresh.headers["etag"] == '"2"'


def test_scheduling_another_users_interview_is_not_found(api: Api, other_api: Api) -> None:
    theirs = factories.interview(other_api, proposed_slots=SLOTS)
    for interview_id in (theirs["id"], MISSING):
        response = api.post(f"{URL}/{interview_id}/schedule", json={"slot_index": 0})
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        # Even a body that would be refused: whether it exists is all one may learn.
        assert api.post(f"{URL}/{interview_id}/schedule", json={}).status_code == 404
    assert get(other_api, theirs)["status"] == "idea"
    assert get(other_api, theirs)["version"] == 1


# --- The prep sheet ------------------------------------------------------------------------


def test_prep_sheet_gathers_person_introductions_and_history(api: Api, other_api: Api) -> None:
    org = factories.organization(
        api, name="Tidewater", website="https://tidewater.example", industry="Energy"
    )
    maya = factories.contact(
        api,
        full_name="Maya Okafor",
        title="Head of Storage",
        email="maya@tidewater.example",
        linkedin_url="https://linkedin.example/maya",
        how_we_met="Climate meetup",
        notes="Prefers mornings",
        tags=["climate", "storage"],
        organization_id=org["id"],
    )
    sam = factories.contact(api, full_name="Sam")
    by_sam = factories.referral(
        api, maya["id"], from_contact_id=sam["id"], context="Worked together"
    )
    direct = factories.referral(api, maya["id"], context="Old classmate", status="met")
    factories.referral(api, sam["id"], from_contact_id=maya["id"])  # from Maya: not to her
    before = factories.interview(
        api, maya["id"], status="completed", scheduled_at="2026-10-01T09:00:00Z"
    )
    cancelled = factories.interview(api, maya["id"], scheduled_at="2026-11-01T09:00:00Z")
    api.patch(f"{URL}/{cancelled['id']}", json={"status": "cancelled"})
    factories.interview(api, maya["id"], scheduled_at="2027-01-01T09:00:00Z")  # later
    factories.interview(api, maya["id"])  # no time
    factories.interview(api, sam["id"], scheduled_at="2026-09-01T09:00:00Z")  # someone else
    interview = factories.interview(
        api,
        maya["id"],
        status="scheduled",
        scheduled_at="2026-12-01T09:00:00Z",
        duration_minutes=30,
        location="Blue Bottle",
        meeting_url="https://meet.example/m",
        agenda=["Her path", "The team"],
        research_notes="Read the annual report",
        checklist=[{"text": "Print CV", "done": True}, {"text": "Pen"}],
    )

    response = api.get(f"{URL}/{interview['id']}/prep")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "interview_id": interview["id"],
        "version": 1,
        "interviewee": {
            "id": maya["id"],
            "full_name": "Maya Okafor",
            "title": "Head of Storage",
            "email": "maya@tidewater.example",
            "linkedin_url": "https://linkedin.example/maya",
            "how_we_met": "Climate meetup",
            "notes": "Prefers mornings",
            "tags": ["climate", "storage"],
            "organization": {
                "id": org["id"],
                "name": "Tidewater",
                "website": "https://tidewater.example",
                "industry": "Energy",
            },
        },
        "introduced_by": [
            {
                "referral_id": by_sam["id"],
                "contact": {"id": sam["id"], "full_name": "Sam"},
                "context": "Worked together",
                "status": "offered",
            },
            {
                "referral_id": direct["id"],
                "contact": None,
                "context": "Old classmate",
                "status": "met",
            },
        ],
        "research_notes": "Read the annual report",
        "agenda": ["Her path", "The team"],
        "checklist": [{"text": "Print CV", "done": True}, {"text": "Pen", "done": False}],
        "time_confirmed": False,
        "duration_minutes": 30,
        "scheduled_at": "2026-12-01T09:00:00Z",
        "location": "Blue Bottle",
        "meeting_url": "https://meet.example/m",
        "earlier_interviews": [
            {"id": before["id"], "status": "completed", "scheduled_at": "2026-10-01T09:00:00Z"},
            {"id": cancelled["id"], "status": "cancelled", "scheduled_at": "2026-11-01T09:00:00Z"},
        ],
    }
    assert api.get(f"{URL}/{interview['id']}/prep").json() == response.json()
    assert other_api.get(f"{URL}/{interview['id']}/prep").status_code == 404


def test_prep_sheet_of_a_plain_idea(api: Api) -> None:
    person = factories.contact(api, full_name="Grace")
    past = factories.interview(
        api, person["id"], status="completed", scheduled_at="2020-05-01T10:00:00Z"
    )
    factories.interview(api, person["id"], scheduled_at="2999-01-01T10:00:00Z")  # ahead of now
    idea = factories.interview(api, person["id"])
    sheet = api.get(f"{URL}/{idea['id']}/prep").json()
    assert sheet["interviewee"]["organization"] is None
    assert sheet["interviewee"]["tags"] == []
    assert sheet["introduced_by"] == []
    assert sheet["scheduled_at"] is None
    assert sheet["agenda"] == []
    assert sheet["research_notes"] is None
    assert [item["text"] for item in sheet["checklist"]] == [
        "Bring a notebook and pen",
        "Dress for the vibe of their workplace",
        "Confirm how much time they have at the start",
        "Research them and their organization",
        "Bring your questions / topics",
        "Ask who else you should talk to",
    ]
    # Without a time of its own, "earlier" means before now.
    assert sheet["earlier_interviews"] == [
        {"id": past["id"], "status": "completed", "scheduled_at": "2020-05-01T10:00:00Z"}
    ]


def test_prep_edits_go_through_patch_on_the_interview(api: Api) -> None:
    interview = factories.interview(api)
    sheet = api.get(f"{URL}/{interview['id']}/prep").json()
    checklist = [{**item, "done": True} for item in sheet["checklist"][:2]]
    edited = api.patch(
        f"{URL}/{interview['id']}",
        json={"agenda": ["Path"], "research_notes": "Blog", "checklist": checklist},
        headers={"If-Match": f'"{sheet["version"]}"'},
    )
    assert edited.status_code == 200
    after = api.get(f"{URL}/{interview['id']}/prep").json()
    assert after["version"] == 2
    assert (after["agenda"], after["research_notes"]) == (["Path"], "Blog")
    assert after["checklist"] == checklist
    stale = api.patch(f"{URL}/{interview['id']}", json={"agenda": []}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412


def test_prep_sheet_of_a_missing_interview(api: Api) -> None:
    response = api.get(f"{URL}/{MISSING}/prep")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert api.get(f"{URL}/not-a-uuid/prep").status_code == 422
