import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, update

from backend.interviews.models import Interview
from tests import factories
from tests.conftest import Api

URL = "/api/v1/interviews"
NOTES = "/api/v1/note-items"
REFERRALS = "/api/v1/referrals"
MISSING = "01900000-0000-7000-8000-000000000000"
AT = "2026-12-01T09:00:00Z"


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def patch(api: Api, interview: dict[str, Any], **changes: Any) -> Any:
    return api.patch(f"{URL}/{interview['id']}", json=changes)


def test_create_then_get_round_trips_every_field(api: Api) -> None:
    person = factories.contact(api)
    sent = {
        "contact_id": person["id"],
        "status": "scheduled",
        "scheduled_at": "2026-12-01T10:00:00+01:00",
        "duration_minutes": 30,
        "location": "Café Central",
        "meeting_url": "https://meet.example/abc",
        "time_confirmed": True,
        "agenda": ["Career path", "Team culture", "Hiring"],
        "research_notes": "Read their blog",
        "checklist": [{"text": "Research the company", "done": True}, {"text": "Print CV"}],
        "summary": None,
    }
    created = api.post(URL, json=sent)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"{URL}/{body['id']}"
    assert created.headers["etag"] == '"1"'
    assert body["scheduled_at"] == "2026-12-01T09:00:00Z"
    assert body["agenda"] == ["Career path", "Team culture", "Hiring"]
    assert body["checklist"] == [
        {"text": "Research the company", "done": True},
        {"text": "Print CV", "done": False},
    ]
    for field in ("contact_id", "status", "duration_minutes", "location", "meeting_url"):
        assert body[field] == sent[field]
    assert body["time_confirmed"] is True
    assert body["outreach_sent_at"] is None
    assert body["thank_you_sent_at"] is None
    assert "owner_id" not in body
    assert "note_items" not in body
    fetched = api.get(f"{URL}/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == {**body, "note_items": []}


METHOD_CHECKLIST = [
    {"text": "Bring a notebook and pen", "done": False},
    {"text": "Dress for the vibe of their workplace", "done": False},
    {"text": "Confirm how much time they have at the start", "done": False},
    {"text": "Research them and their organization", "done": False},
    {"text": "Bring your questions / topics", "done": False},
    {"text": "Ask who else you should talk to", "done": False},
]


def test_defaults(api: Api) -> None:
    body = factories.interview(api)
    assert body["status"] == "idea"
    assert body["scheduled_at"] is None
    assert body["duration_minutes"] == 45
    assert body["agenda"] == []
    assert body["checklist"] == METHOD_CHECKLIST
    assert body["time_confirmed"] is False
    assert body["proposed_slots"] == []
    assert body["no_connection_dismissed"] is False
    assert "warnings" not in body
    assert api.get(f"{URL}/{body['id']}").json()["checklist"] == METHOD_CHECKLIST


def test_an_explicit_checklist_replaces_the_default(api: Api) -> None:
    empty = factories.interview(api, checklist=[])
    assert empty["checklist"] == []
    assert api.get(f"{URL}/{empty['id']}").json()["checklist"] == []
    own = factories.interview(api, checklist=[{"text": "Print CV"}])
    assert own["checklist"] == [{"text": "Print CV", "done": False}]
    # The default is the method's starting point, not a floor: it can be emptied later.
    seeded = factories.interview(api)
    cleared = patch(api, seeded, checklist=[])
    assert cleared.status_code == 200
    assert cleared.json()["checklist"] == []


def test_create_needs_a_contact_of_ones_own(api: Api, other_api: Api) -> None:
    theirs = factories.contact(other_api, full_name="Private Person")
    for contact_id in (MISSING, theirs["id"]):
        response = api.post(URL, json={"contact_id": contact_id})
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        issue = response.json()["errors"][0]
        assert issue["field"] == "contact_id"
        assert issue["location"] == "body"
        assert "Private Person" not in response.text
    assert api.post(URL, json={}).status_code == 422
    assert api.get(URL).json()["total"] == 0
    assert other_api.get(URL).json()["total"] == 0


def test_scheduled_at_must_carry_an_offset_and_comes_back_in_utc(api: Api) -> None:
    person = factories.contact(api)
    naive = api.post(URL, json={"contact_id": person["id"], "scheduled_at": "2026-12-01T10:00:00"})
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["field"] == "scheduled_at"
    assert api.get(URL).json()["total"] == 0

    made = factories.interview(api, person["id"], scheduled_at="2026-12-01T10:00:00+01:00")
    assert made["scheduled_at"] == "2026-12-01T09:00:00Z"
    moved = patch(api, made, scheduled_at="2026-12-01T18:30:00-05:00")
    assert moved.status_code == 200
    assert moved.json()["scheduled_at"] == "2026-12-01T23:30:00Z"
    assert api.get(f"{URL}/{made['id']}").json()["scheduled_at"] == "2026-12-01T23:30:00Z"

    refused = patch(api, made, scheduled_at="2026-12-02T10:00:00")
    assert refused.status_code == 422
    assert api.get(f"{URL}/{made['id']}").json()["version"] == 2


def test_duration_is_ten_to_two_hundred_forty_minutes(api: Api) -> None:
    person = factories.contact(api)
    for minutes in (9, 241, 0, -30):
        response = api.post(URL, json={"contact_id": person["id"], "duration_minutes": minutes})
        assert response.status_code == 422, minutes
        assert response.json()["errors"][0]["field"] == "duration_minutes"
    assert api.get(URL).json()["total"] == 0
    short = factories.interview(api, person["id"], duration_minutes=10)
    long = factories.interview(api, person["id"], duration_minutes=240)
    assert (short["duration_minutes"], long["duration_minutes"]) == (10, 240)
    assert patch(api, short, duration_minutes=241).status_code == 422
    assert patch(api, short, duration_minutes=9).status_code == 422
    assert api.get(f"{URL}/{short['id']}").json()["duration_minutes"] == 10


def test_get_embeds_its_note_items_oldest_first(api: Api) -> None:
    interview = factories.interview(api)
    elsewhere = factories.interview(api)
    first = factories.note_item(api, interview["id"], text="first")
    factories.note_item(api, elsewhere["id"], text="other interview")
    second = factories.note_item(api, interview["id"], category="to_read", text="second")
    third = factories.note_item(api, interview["id"], category="to_connect", text="third")
    # Editing the oldest does not move it.
    ticked = api.patch(f"{NOTES}/{first['id']}", json={"status": "done"})
    assert ticked.status_code == 200

    detail = api.get(f"{URL}/{interview['id']}").json()
    assert detail["note_items"] == [ticked.json(), second, third]
    listed = factories.listing(api, URL)
    assert all("note_items" not in item for item in listed)


def test_lifecycle_through_patch_stamps_outreach_and_thanks(api: Api) -> None:
    interview = factories.interview(api)
    url = f"{URL}/{interview['id']}"

    before = datetime.now(UTC)
    sent = patch(api, interview, status="outreach_sent")
    after = datetime.now(UTC)
    assert sent.status_code == 200
    assert sent.json()["status"] == "outreach_sent"
    stamped = parse_instant(sent.json()["outreach_sent_at"])
    assert before <= stamped <= after
    assert sent.json()["thank_you_sent_at"] is None

    scheduled = patch(api, interview, status="scheduled", scheduled_at=AT)
    assert scheduled.status_code == 200
    assert scheduled.json()["status"] == "scheduled"
    assert scheduled.json()["outreach_sent_at"] == sent.json()["outreach_sent_at"]

    completed = patch(api, interview, status="completed", summary="Great chat")
    assert completed.status_code == 200
    assert completed.json()["status"] == "completed"
    assert completed.json()["thank_you_sent_at"] is None

    before = datetime.now(UTC)
    thanked = patch(api, interview, status="thanked")
    after = datetime.now(UTC)
    assert thanked.status_code == 200
    assert thanked.json()["status"] == "thanked"
    assert before <= parse_instant(thanked.json()["thank_you_sent_at"]) <= after
    assert thanked.json()["version"] == 5
    assert thanked.headers["etag"] == '"5"'

    final = patch(api, interview, status="completed")
    assert final.status_code == 409
    assert "none (final state)" in final.json()["detail"]
    assert api.get(url).json()["status"] == "thanked"


def test_a_time_the_client_gives_is_kept_rather_than_stamped(api: Api) -> None:
    interview = factories.interview(api)
    sent = patch(api, interview, status="outreach_sent", outreach_sent_at="2026-11-01T08:00:00Z")
    assert sent.json()["outreach_sent_at"] == "2026-11-01T08:00:00Z"
    before = datetime.now(UTC)
    created = factories.interview(api, status="outreach_sent")
    assert before <= parse_instant(created["outreach_sent_at"]) <= datetime.now(UTC)
    given = factories.interview(api, status="outreach_sent", outreach_sent_at=AT)
    assert given["outreach_sent_at"] == AT


def test_illegal_transition_is_409_naming_the_allowed_states(api: Api) -> None:
    interview = factories.interview(api)
    response = patch(api, interview, status="completed", scheduled_at=AT)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["errors"][0]["field"] == "status"
    assert problem["detail"] == (
        "An interview cannot go from idea to completed; "
        "allowed: cancelled, declined, outreach_sent, scheduled."
    )
    unchanged = api.get(f"{URL}/{interview['id']}").json()
    assert unchanged["status"] == "idea"
    assert unchanged["scheduled_at"] is None
    assert unchanged["version"] == 1

    # Staying in the same state is not a transition.
    assert patch(api, interview, status="idea", location="Zoom").status_code == 200


def test_scheduled_and_completed_need_a_time(api: Api) -> None:
    interview = factories.interview(api)
    no_time = patch(api, interview, status="scheduled")
    assert no_time.status_code == 409
    assert "scheduled_at" in no_time.json()["detail"]
    assert api.get(f"{URL}/{interview['id']}").json()["status"] == "idea"

    assert patch(api, interview, status="scheduled", scheduled_at=AT).status_code == 200
    # A scheduled interview cannot lose its time...
    cleared = patch(api, interview, scheduled_at=None)
    assert cleared.status_code == 409
    assert api.get(f"{URL}/{interview['id']}").json()["scheduled_at"] == AT
    # ...but it can once it is back to an earlier stage.
    back = patch(api, interview, status="outreach_sent", scheduled_at=None)
    assert back.status_code == 200
    assert back.json()["scheduled_at"] is None

    person = factories.contact(api)
    for status in ("scheduled", "completed"):
        refused = api.post(URL, json={"contact_id": person["id"], "status": status})
        assert refused.status_code == 409, status
        assert refused.json()["errors"][0]["field"] == "status"
    done = factories.interview(api, person["id"], status="completed", scheduled_at=AT)
    assert done["status"] == "completed"


def test_a_new_interview_cannot_start_late_in_the_lifecycle(api: Api) -> None:
    person = factories.contact(api)
    for status in ("thanked", "no_show", "declined", "cancelled"):
        body = {"contact_id": person["id"], "status": status, "scheduled_at": AT}
        response = api.post(URL, json=body)
        assert response.status_code == 409, status
    assert api.post(URL, json={"contact_id": person["id"], "status": "nope"}).status_code == 422
    assert api.get(URL).json()["total"] == 0


def test_list_filters_by_status_contact_and_time_window(api: Api) -> None:
    ada = factories.contact(api, full_name="Ada")
    bob = factories.contact(api, full_name="Bob")
    nine = factories.interview(api, ada["id"], status="scheduled", scheduled_at=AT)
    ten = factories.interview(api, bob["id"], scheduled_at="2026-12-01T10:00:00Z")
    eleven = factories.interview(
        api, ada["id"], status="completed", scheduled_at="2026-12-01T11:00:00Z"
    )
    idea = factories.interview(api, bob["id"])

    def ids(**params: Any) -> list[str]:
        return [i["id"] for i in factories.listing(api, URL, **params)]

    assert ids() == [nine["id"], ten["id"], eleven["id"], idea["id"]]
    assert ids(sort="-scheduled_at") == [eleven["id"], ten["id"], nine["id"], idea["id"]]
    assert ids(status=["scheduled", "completed"]) == [nine["id"], eleven["id"]]
    assert ids(status="idea") == [ten["id"], idea["id"]]
    assert ids(contact_id=ada["id"]) == [nine["id"], eleven["id"]]
    assert ids(contact_id=bob["id"], status="idea") == [ten["id"], idea["id"]]
    # From is inclusive, to is exclusive, and offsets are honoured.
    assert ids(scheduled_from="2026-12-01T10:00:00Z") == [ten["id"], eleven["id"]]
    assert ids(scheduled_to="2026-12-01T10:00:00Z") == [nine["id"]]
    window = {"scheduled_from": "2026-12-01T11:00:00+01:00", "scheduled_to": "2026-12-01T11:00:00Z"}
    assert ids(**window) == [ten["id"]]
    assert api.get(URL, params={"scheduled_from": "2026-12-01T10:00:00"}).status_code == 422
    assert api.get(URL, params={"status": "bogus"}).status_code == 422
    assert api.get(URL, params={"contact_id": bob["id"]}).json()["total"] == 2


def test_agenda_and_checklist_round_trip_through_patch(api: Api) -> None:
    interview = factories.interview(api, agenda=["Intro"], checklist=[{"text": "Research"}])
    changed = patch(
        api,
        interview,
        agenda=["Intro", "Their path", "Advice"],
        checklist=[{"text": "Research", "done": True}, {"text": "Send CV", "done": False}],
    )
    assert changed.status_code == 200
    fetched = api.get(f"{URL}/{interview['id']}").json()
    assert fetched["agenda"] == ["Intro", "Their path", "Advice"]
    assert fetched["checklist"] == [
        {"text": "Research", "done": True},
        {"text": "Send CV", "done": False},
    ]
    assert patch(api, interview, checklist=[{"text": ""}]).status_code == 422
    assert patch(api, interview, agenda="not a list").status_code == 422
    assert api.get(f"{URL}/{interview['id']}").json()["version"] == 2


def test_patch_contact_must_be_ones_own(api: Api, other_api: Api) -> None:
    interview = factories.interview(api)
    theirs = factories.contact(other_api)
    refused = patch(api, interview, contact_id=theirs["id"])
    assert refused.status_code == 404
    assert refused.json()["errors"][0]["field"] == "contact_id"
    assert patch(api, interview, contact_id=None).status_code == 422
    mine = factories.contact(api, full_name="Someone else")
    moved = patch(api, interview, contact_id=mine["id"])
    assert moved.status_code == 200
    assert moved.json()["contact_id"] == mine["id"]


def test_another_users_interview_is_invisible(api: Api, other_api: Api) -> None:
    theirs = factories.interview(other_api)
    url = f"{URL}/{theirs['id']}"
    assert api.get(url).status_code == 404
    assert api.patch(url, json={"summary": "mine"}).status_code == 404
    assert api.delete(url).status_code == 404
    assert api.get(URL).json()["total"] == 0
    assert other_api.get(url).json()["summary"] is None


def test_stale_if_match_is_refused(api: Api) -> None:
    interview = factories.interview(api)
    url = f"{URL}/{interview['id']}"
    assert api.patch(url, json={"summary": "a"}, headers={"If-Match": '"1"'}).status_code == 200
    stale = api.patch(url, json={"status": "outreach_sent"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert api.get(url).json()["status"] == "idea"


def test_delete_with_notes_needs_cascade(api: Api) -> None:
    interview = factories.interview(api)
    kept = factories.interview(api)
    notes = [factories.note_item(api, interview["id"]) for _ in range(2)]
    other_note = factories.note_item(api, kept["id"])
    url = f"{URL}/{interview['id']}"

    refused = api.delete(url)
    assert refused.status_code == 409
    assert refused.json()["dependents"] == {"note_items": 2}
    assert api.get(NOTES).json()["total"] == 3

    assert api.delete(url, params={"cascade": "true"}).status_code == 204
    assert api.get(url).status_code == 404
    for note in notes:
        assert api.get(f"{NOTES}/{note['id']}").status_code == 404
    assert [n["id"] for n in factories.listing(api, NOTES)] == [other_note["id"]]
    assert api.get(f"{URL}/{kept['id']}").status_code == 200
    assert api.delete(f"{URL}/{kept['id']}").status_code == 409


def test_referrals_offered_in_an_interview_outlive_it(api: Api) -> None:
    host = factories.contact(api, full_name="Host")
    friend = factories.contact(api, full_name="Friend")
    interview = factories.interview(api, host["id"])
    offered = factories.referral(
        api, friend["id"], from_contact_id=host["id"], interview_id=interview["id"]
    )
    assert api.delete(f"{URL}/{interview['id']}").status_code == 204
    survivor = api.get(f"{REFERRALS}/{offered['id']}")
    assert survivor.status_code == 200
    body = survivor.json()
    assert body["interview_id"] is None
    assert body["from_contact_id"] == host["id"]
    assert body["to_contact_id"] == friend["id"]
    assert api.get(REFERRALS, params={"interview_id": interview["id"]}).json()["total"] == 0


def test_losing_its_interview_counts_as_a_change_to_a_referral(api: Api) -> None:
    """The referral's representation changed (interview_id is now null), so its version, which
    is its strong ETag, must change too."""
    friend = factories.contact(api, full_name="Friend")
    interview = factories.interview(api)
    offered = factories.referral(api, friend["id"], interview_id=interview["id"])
    assert api.delete(f"{URL}/{interview['id']}").status_code == 204
    after = api.get(f"{REFERRALS}/{offered['id']}")
    assert after.json()["interview_id"] is None
    assert after.json()["version"] == 2


# --- Every conversation should yield a new connection ----------------------------------------

NO_CONNECTION = [
    {
        "code": "no_connection",
        "message": "Every conversation should lead to at least one new connection: add a "
        "to_connect note (who else should you talk to?), or set no_connection_dismissed if "
        "there truly is none.",
    }
]


def test_completing_without_a_to_connect_note_warns_but_succeeds(api: Api) -> None:
    interview = factories.interview(api, status="scheduled", scheduled_at=AT)
    completed = patch(api, interview, status="completed")
    assert completed.status_code == 200
    body = completed.json()
    assert body["warnings"] == NO_CONNECTION
    assert body["status"] == "completed"
    assert body["version"] == 2
    assert completed.headers["etag"] == '"2"'
    fetched = api.get(f"{URL}/{interview['id']}").json()
    assert fetched["status"] == "completed"
    assert "warnings" not in fetched
    # Only becoming completed warns: later edits and thanking do not.
    edited = patch(api, interview, summary="Good talk")
    assert edited.status_code == 200
    assert "warnings" not in edited.json()
    same = patch(api, interview, status="completed")
    assert "warnings" not in same.json()
    thanked = patch(api, interview, status="thanked")
    assert thanked.status_code == 200
    assert "warnings" not in thanked.json()


def test_creating_a_completed_interview_warns(api: Api) -> None:
    person = factories.contact(api)
    body = {"contact_id": person["id"], "status": "completed", "scheduled_at": AT}
    created = api.post(URL, json=body, headers={"Idempotency-Key": "done-1"})
    assert created.status_code == 201
    assert created.json()["warnings"] == NO_CONNECTION
    replay = api.post(URL, json=body, headers={"Idempotency-Key": "done-1"})
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == created.json()
    # A retry by client-chosen id completes nothing, so it has nothing to warn about.
    chosen = {**body, "id": "01900000-0000-7000-8000-00000000c0de"}
    first = api.post(URL, json=chosen)
    assert first.json()["warnings"] == NO_CONNECTION
    again = api.post(URL, json=chosen)
    assert again.status_code == 200
    assert "warnings" not in again.json()

    dismissed = factories.interview(api, **body, no_connection_dismissed=True)
    assert "warnings" not in dismissed
    for status in ("idea", "scheduled"):
        assert "warnings" not in factories.interview(
            api, person["id"], status=status, scheduled_at=AT
        )


def test_a_to_connect_note_or_a_dismissal_silences_the_warning(api: Api) -> None:
    with_open = factories.interview(api, status="scheduled", scheduled_at=AT)
    factories.note_item(api, with_open["id"], category="to_connect", text="Meet Grace")
    with_done = factories.interview(api, status="scheduled", scheduled_at=AT)
    factories.note_item(api, with_done["id"], category="to_connect", text="Met Bob", status="done")
    only_other = factories.interview(api, status="scheduled", scheduled_at=AT)
    factories.note_item(api, only_other["id"], category="to_read", text="Read SICP")
    dismissing = factories.interview(api, status="scheduled", scheduled_at=AT)

    assert "warnings" not in patch(api, with_open, status="completed").json()
    assert "warnings" not in patch(api, with_done, status="completed").json()
    assert patch(api, only_other, status="completed").json()["warnings"] == NO_CONNECTION
    silent = patch(api, dismissing, status="completed", no_connection_dismissed=True)
    assert silent.status_code == 200
    assert "warnings" not in silent.json()
    assert silent.json()["no_connection_dismissed"] is True


def test_another_users_to_connect_note_does_not_count(api: Api, other_api: Api) -> None:
    mine = factories.interview(api, status="scheduled", scheduled_at=AT)
    theirs = factories.interview(other_api, status="scheduled", scheduled_at=AT)
    factories.note_item(other_api, theirs["id"], category="to_connect", text="Theirs")
    assert patch(api, mine, status="completed").json()["warnings"] == NO_CONNECTION
    assert "warnings" not in patch(other_api, theirs, status="completed").json()


def test_list_filters_interviews_missing_a_connection(api: Api, other_api: Api) -> None:
    lonely = factories.interview(api, status="completed", scheduled_at=AT)
    connected = factories.interview(api, status="completed", scheduled_at=AT)
    factories.note_item(api, connected["id"], category="to_connect", text="Meet Grace")
    done_connect = factories.interview(api, status="completed", scheduled_at=AT)
    factories.note_item(api, done_connect["id"], category="to_connect", status="done")
    thanked = factories.interview(api, status="completed", scheduled_at=AT)
    assert patch(api, thanked, status="thanked").status_code == 200
    reading = factories.interview(api, status="completed", scheduled_at=AT)
    factories.note_item(api, reading["id"], category="to_read", text="Read SICP")
    dismissed = factories.interview(
        api, status="completed", scheduled_at=AT, no_connection_dismissed=True
    )
    upcoming = factories.interview(api, status="scheduled", scheduled_at=AT)
    idea = factories.interview(api)
    theirs = factories.interview(other_api, status="completed", scheduled_at=AT)

    def ids(**params: Any) -> list[str]:
        return [i["id"] for i in factories.listing(api, URL, sort="created_at", **params)]

    missing = [lonely["id"], thanked["id"], reading["id"]]
    assert ids(missing_connection="true") == missing
    assert api.get(URL, params={"missing_connection": "true"}).json()["total"] == 3
    others = [connected["id"], done_connect["id"], dismissed["id"], upcoming["id"], idea["id"]]
    assert ids(missing_connection="false") == others
    assert ids(missing_connection="true", status="thanked") == [thanked["id"]]
    assert api.get(URL, params={"missing_connection": "maybe"}).status_code == 422

    # Dismissing it, or adding a to_connect note, takes an interview off the list.
    assert patch(api, lonely, no_connection_dismissed=True).status_code == 200
    factories.note_item(api, reading["id"], category="to_connect", text="Meet Linus")
    assert ids(missing_connection="true") == [thanked["id"]]
    assert patch(api, lonely, no_connection_dismissed=False).status_code == 200
    assert ids(missing_connection="true") == [lonely["id"], thanked["id"]]
    assert [i["id"] for i in factories.listing(other_api, URL, missing_connection="true")] == [
        theirs["id"]
    ]


def in_hours(hours: float, offset_hours: int = 0) -> str:
    """An instant `hours` from now, written with a UTC offset of `offset_hours`."""
    zone = timezone(timedelta(hours=offset_hours))
    return (datetime.now(UTC) + timedelta(hours=hours)).astimezone(zone).isoformat()


def assert_in_future(response: Any) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [issue] = response.json()["errors"]
    assert issue["field"] == "scheduled_at"
    assert issue["location"] == "body"
    assert issue["code"] == "in_future"
    assert "is in the future" in issue["reason"]


def test_a_completed_interview_cannot_be_created_in_the_future(api: Api) -> None:
    person = factories.contact(api)
    body = {"contact_id": person["id"], "status": "completed"}
    assert_in_future(api.post(URL, json={**body, "scheduled_at": in_hours(24 * 365 * 5)}))
    # Five hours ahead in UTC, though the wall clock at -12:00 says seven hours ago.
    assert_in_future(api.post(URL, json={**body, "scheduled_at": in_hours(5, -12)}))
    assert api.get(URL).json()["total"] == 0

    # An hour ago, though the wall clock at +14:00 says thirteen hours ahead.
    assert api.post(URL, json={**body, "scheduled_at": in_hours(-1, 14)}).status_code == 201
    # A client clock a little ahead of ours.
    assert api.post(URL, json={**body, "scheduled_at": in_hours(0.03)}).status_code == 201
    # Planning one is fine.
    planned = {**body, "status": "scheduled", "scheduled_at": in_hours(24)}
    assert api.post(URL, json=planned).status_code == 201


def test_it_cannot_become_completed_thanked_or_missed_before_its_time(api: Api) -> None:
    ahead = factories.interview(api, status="scheduled", scheduled_at=in_hours(48))
    assert_in_future(patch(api, ahead, status="completed"))
    assert_in_future(patch(api, ahead, status="no_show"))
    unchanged = api.get(f"{URL}/{ahead['id']}").json()
    assert (unchanged["status"], unchanged["version"]) == ("scheduled", 1)
    # Saying when it really was, in the same change, is fine.
    done = patch(api, ahead, status="completed", scheduled_at=in_hours(-2))
    assert done.status_code == 200, done.text
    # ...and moving a conversation that happened into the future is not.
    assert_in_future(patch(api, ahead, scheduled_at=in_hours(24)))
    assert patch(api, ahead, status="thanked").status_code == 200
    assert_in_future(patch(api, ahead, scheduled_at=in_hours(24)))


def test_an_old_row_dated_in_the_future_is_left_out_until_its_time(
    api: Api, engine: Engine
) -> None:
    """Rows written before the rule: editable, not counted, no reminder dated ahead."""
    met = factories.interview(api, status="completed", scheduled_at=in_hours(-48))
    old = factories.interview(api, status="completed", scheduled_at=in_hours(-48))
    table = Interview.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.id == uuid.UUID(old["id"]))
            .values(scheduled_at=datetime.now(UTC) + timedelta(days=365 * 5))
        )
    assert patch(api, old, summary="Edited later").status_code == 200

    stats = api.get("/api/v1/network/stats").json()
    assert stats["connections_per_interview"]["interviews"] == 1
    reminders = api.get("/api/v1/inbox").json()["reminders"]
    assert [(r["kind"], r["interview_id"]) for r in reminders] == [
        ("missing_connection", met["id"]),
        ("thank_you_due", met["id"]),
    ]
