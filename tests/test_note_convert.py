"""Converting a to_connect note: the pure matching rules, then the operation through HTTP."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest

from backend.errors import Conflict
from backend.interviews import service as interviews_service
from backend.notes.connect import (
    converted_contact_id,
    default_full_name,
    email_key,
    how_we_met,
    normalize_linkedin_url,
    referral_context,
)
from tests import factories
from tests.conftest import Api

NOTES = "/api/v1/note-items"
MISSING = "0190a0a0-0000-7000-8000-00000000dead"

# --- Pure rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/maya-okafor",
        "https://www.linkedin.com/in/maya-okafor/",
        "http://linkedin.com/in/maya-okafor",
        "HTTPS://WWW.LINKEDIN.COM/in/Maya-Okafor/",
        "https://linkedin.com/in/maya-okafor?utm_source=share&trk=x",
        "https://www.linkedin.com/in/maya-okafor/#experience",
        "https://uk.linkedin.com/in/maya-okafor",
        "https://m.linkedin.com/in/maya-okafor//",
        "linkedin.com/in/maya-okafor",
        " https://www.linkedin.com/in/maya%2Dokafor ",
    ],
)
def test_linkedin_urls_of_one_profile_normalize_alike(url: str) -> None:
    assert normalize_linkedin_url(url) == "linkedin.com/in/maya-okafor"


def test_other_profiles_and_sites_stay_apart() -> None:
    assert normalize_linkedin_url("https://linkedin.com/in/maya-okafor-2") == (
        "linkedin.com/in/maya-okafor-2"
    )
    assert normalize_linkedin_url("https://www.example.com/in/maya-okafor") == (
        "example.com/in/maya-okafor"
    )
    assert normalize_linkedin_url("https://www.linkedin.com") == "linkedin.com"


def test_email_key_ignores_case_and_blanks() -> None:
    assert email_key(" Maya@Tidewater.EXAMPLE ") == "maya@tidewater.example"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Maya Okafor", "Maya Okafor"),
        ("  Maya Okafor \n", "Maya Okafor"),
        ("x" * 200, "x" * 200),
        ("x" * 201, None),
        ("Maya Okafor\nruns the pilot plant", None),
        ("Maya\r\nOkafor", None),
        ("   ", None),
    ],
)
def test_the_notes_text_is_a_name_when_it_is_one_short_line(text: str, name: str | None) -> None:
    assert default_full_name(text) == name


def test_context_and_how_we_met() -> None:
    assert referral_context("  worked together  ") == "worked together"
    long = referral_context("x" * 2500)
    assert len(long) == 2000
    assert long.endswith("x…")
    assert how_we_met("Sam Rivera", date(2026, 12, 3)) == (
        "Introduced by Sam Rivera in our conversation on 2026-12-03"
    )


def test_the_id_of_a_contact_made_by_a_conversion_comes_from_the_note() -> None:
    note = uuid.UUID("0190a0a0-0000-7000-8000-0000000000aa")
    assert converted_contact_id(note) == converted_contact_id(note)
    assert converted_contact_id(note) != converted_contact_id(uuid.uuid4())
    assert converted_contact_id(note) != note


# --- Through HTTP --------------------------------------------------------------------------


def setup(api: Api, text: str = "Maya Okafor", **note_fields: Any) -> dict[str, Any]:
    """Sam (the interviewee), his interview on 3 December and a to_connect note from it."""
    sam = factories.contact(api, full_name="Sam Rivera")
    interview = factories.interview(
        api, sam["id"], status="scheduled", scheduled_at="2026-12-03T08:30:00Z"
    )
    note = factories.note_item(
        api, interview["id"], category="to_connect", text=text, **note_fields
    )
    return {"sam": sam, "interview": interview, "note": note}


def convert(api: Api, note_id: str, **body: Any) -> Any:
    return api.post(f"{NOTES}/{note_id}/convert", json=body)


def totals(api: Api) -> dict[str, int]:
    return {
        kind: api.get(f"/api/v1/{kind}").json()["total"]
        for kind in ("contacts", "referrals", "interviews", "note-items")
    }


def contacts_named(api: Api, name: str) -> list[dict[str, Any]]:
    return [c for c in factories.listing(api, "/api/v1/contacts") if c["full_name"] == name]


def test_converting_creates_the_contact_the_referral_and_an_interview(api: Api) -> None:
    s = setup(api)
    response = convert(api, s["note"]["id"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {
        "note_item",
        "contact",
        "referral",
        "interview",
        "matched_existing_contact",
    }
    assert body["matched_existing_contact"] is False

    maya = body["contact"]
    assert maya["id"] == str(converted_contact_id(uuid.UUID(s["note"]["id"])))
    assert maya["full_name"] == "Maya Okafor"
    assert maya["how_we_met"] == "Introduced by Sam Rivera in our conversation on 2026-12-03"
    assert maya["status"] == "identified"
    assert (maya["email"], maya["organization_id"], maya["version"]) == (None, None, 1)

    referral = body["referral"]
    assert referral["from_contact_id"] == s["sam"]["id"]
    assert referral["to_contact_id"] == maya["id"]
    assert referral["interview_id"] == s["interview"]["id"]
    assert referral["context"] == "Maya Okafor"
    assert referral["status"] == "offered"

    planned = body["interview"]
    assert planned["contact_id"] == maya["id"]
    assert planned["status"] == "idea"
    assert planned["scheduled_at"] is None

    note = body["note_item"]
    assert note == {
        **s["note"],
        "status": "done",
        "contact_id": maya["id"],
        "produced_referral_id": referral["id"],
        "produced_interview_id": planned["id"],
        "version": 2,
        "updated_at": note["updated_at"],
    }
    # Everything in the answer is what is stored.
    assert api.get(f"{NOTES}/{note['id']}").json() == note
    assert api.get(f"/api/v1/contacts/{maya['id']}").json() == maya
    assert api.get(f"/api/v1/referrals/{referral['id']}").json() == referral
    stored = api.get(f"/api/v1/interviews/{planned['id']}").json()
    assert {k: v for k, v in stored.items() if k != "note_items"} == planned
    assert totals(api) == {"contacts": 2, "referrals": 1, "interviews": 2, "note-items": 1}


def test_the_interview_date_falls_back_to_when_the_note_was_taken(api: Api) -> None:
    sam = factories.contact(api, full_name="Sam Rivera")
    interview = factories.interview(api, sam["id"])  # not scheduled
    note = factories.note_item(api, interview["id"], category="to_connect", text="Maya")
    body = convert(api, note["id"]).json()
    day = note["created_at"][:10]
    assert body["contact"]["how_we_met"] == f"Introduced by Sam Rivera in our conversation on {day}"


def test_details_in_the_body_make_the_new_contact(api: Api) -> None:
    s = setup(api, text="Someone from Tidewater\nwho runs their pilot plant")
    org = factories.organization(api, name="Tidewater")
    response = convert(
        api,
        s["note"]["id"],
        full_name="  Maya Okafor ",
        email="maya@tidewater.example",
        linkedin_url="https://www.linkedin.com/in/maya-okafor",
        title="Head of Grid Storage",
        organization_id=org["id"],
        context="They built the first pilot plant together",
    )
    assert response.status_code == 201, response.text
    body = response.json()
    maya = body["contact"]
    assert maya["full_name"] == "Maya Okafor"
    assert maya["email"] == "maya@tidewater.example"
    assert maya["linkedin_url"] == "https://www.linkedin.com/in/maya-okafor"
    assert maya["title"] == "Head of Grid Storage"
    assert maya["organization_id"] == org["id"]
    assert body["referral"]["context"] == "They built the first pilot plant together"
    assert body["matched_existing_contact"] is False
    # Sorted by name like any other contact: the name key was set.
    names = [c["full_name"] for c in factories.listing(api, "/api/v1/contacts", sort="name")]
    assert names == ["Maya Okafor", "Sam Rivera"]


def test_a_long_note_text_is_cut_to_fit_the_referral_context(api: Api) -> None:
    s = setup(api, text="x" * 2500)
    body = convert(api, s["note"]["id"], full_name="Maya Okafor").json()
    assert body["referral"]["context"] == "x" * 1999 + "…"


def test_without_a_name_to_give_the_new_contact_nothing_is_written(api: Api) -> None:
    s = setup(api, text="Someone from Tidewater\nwho runs their pilot plant")
    before = totals(api)
    response = convert(api, s["note"]["id"], email="maya@tidewater.example")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [issue] = response.json()["errors"]
    assert (issue["field"], issue["location"], issue["code"]) == ("full_name", "body", "missing")
    assert totals(api) == before
    assert api.get(f"{NOTES}/{s['note']['id']}").json() == s["note"]


def test_an_email_matches_an_existing_contact_ignoring_case(api: Api) -> None:
    s = setup(api, text="Maya from Tidewater")
    maya = factories.contact(api, full_name="Maya O.", email="Maya.Okafor@Tidewater.example")
    factories.contact(api, full_name="Maya Okafor")  # the same name, but email comes first
    before = totals(api)
    response = convert(
        api, s["note"]["id"], full_name="Maya Okafor", email="maya.okafor@TIDEWATER.example"
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["matched_existing_contact"] is True
    assert body["contact"] == maya  # found, not changed
    assert body["referral"]["to_contact_id"] == maya["id"]
    assert body["note_item"]["contact_id"] == maya["id"]
    assert totals(api) == {**before, "referrals": 1, "interviews": before["interviews"] + 1}


def test_a_linkedin_url_matches_in_its_normal_form(api: Api) -> None:
    s = setup(api, text="Maya from Tidewater")
    maya = factories.contact(
        api, full_name="M. Okafor", linkedin_url="https://www.linkedin.com/in/Maya-Okafor/"
    )
    factories.contact(api, full_name="Maya Okafor", email="other@example.com")
    response = convert(
        api,
        s["note"]["id"],
        full_name="Maya Okafor",
        email="maya@nowhere.example",
        linkedin_url="http://linkedin.com/in/maya-okafor?trk=share#top",
    )
    assert response.status_code == 201, response.text
    assert response.json()["contact"]["id"] == maya["id"]
    assert response.json()["matched_existing_contact"] is True
    assert len(contacts_named(api, "Maya Okafor")) == 1


def test_an_exact_name_matches_by_its_key(api: Api) -> None:
    s = setup(api, text="  maya   OKAFOR ")
    older = factories.contact(api, full_name="Maya Okafor")
    factories.contact(api, full_name="Maya Okafor")  # a namesake added later
    factories.contact(api, full_name="Maya Okaforr")
    response = convert(api, s["note"]["id"])
    assert response.status_code == 201, response.text
    assert response.json()["contact"]["id"] == older["id"]
    assert response.json()["matched_existing_contact"] is True
    assert totals(api)["contacts"] == 4


def test_the_name_in_the_body_is_matched_before_the_note_text(api: Api) -> None:
    s = setup(api, text="Sam's old colleague")
    maya = factories.contact(api, full_name="Maya Okafor")
    response = convert(api, s["note"]["id"], full_name="maya okafor")
    assert response.json()["contact"]["id"] == maya["id"]


def test_an_explicit_contact_is_used_as_it_is(api: Api) -> None:
    s = setup(api, text="Maya Okafor")
    factories.contact(api, full_name="Maya Okafor")
    chosen = factories.contact(api, full_name="Maya Okafor-Reyes")
    response = convert(api, s["note"]["id"], contact_id=chosen["id"], create_interview=False)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["contact"] == chosen
    assert body["matched_existing_contact"] is True
    assert body["interview"] is None
    assert body["note_item"]["produced_interview_id"] is None
    assert body["note_item"]["contact_id"] == chosen["id"]
    assert totals(api)["interviews"] == 1


def test_the_contact_the_note_already_links_to_is_used_when_the_body_names_nobody(
    api: Api,
) -> None:
    linked = factories.contact(api, full_name="Maya Okafor")
    s = setup(api, text="Sam's colleague at Tidewater", contact_id=linked["id"])
    body = convert(api, s["note"]["id"]).json()
    assert body["contact"]["id"] == linked["id"]
    assert body["matched_existing_contact"] is True


def test_contact_id_and_details_together_are_refused(api: Api) -> None:
    s = setup(api)
    maya = factories.contact(api, full_name="Maya Okafor")
    response = convert(api, s["note"]["id"], contact_id=maya["id"], email="maya@example.com")
    assert response.status_code == 422
    [issue] = response.json()["errors"]
    assert (issue["field"], issue["code"]) == ("contact_id", "ambiguous")


def test_only_to_connect_items_convert(api: Api) -> None:
    interview = factories.interview(api)
    for category in ("to_follow_up", "to_read", "to_look_up", "to_do", "to_think_about"):
        note = factories.note_item(api, interview["id"], category=category, text="Maya Okafor")
        response = convert(api, note["id"])
        assert response.status_code == 422
        [issue] = response.json()["errors"]
        assert (issue["field"], issue["location"], issue["code"]) == (
            "note_id",
            "path",
            "not_convertible",
        )
        assert api.get(f"{NOTES}/{note['id']}").json() == note
    assert totals(api) == {"contacts": 1, "referrals": 0, "interviews": 1, "note-items": 5}


@pytest.mark.parametrize("how", ["contact_id", "name"])
def test_the_interviewee_cannot_be_introduced_to_the_user_by_themself(api: Api, how: str) -> None:
    s = setup(api, text="Sam Rivera")
    before = totals(api)
    body = {"contact_id": s["sam"]["id"]} if how == "contact_id" else {}
    response = convert(api, s["note"]["id"], **body)
    assert response.status_code == 422
    [issue] = response.json()["errors"]
    field = "contact_id" if how == "contact_id" else "full_name"
    assert (issue["field"], issue["code"]) == (field, "self_referral")
    assert totals(api) == before


def test_an_existing_referral_between_them_is_reused_and_completed(api: Api) -> None:
    s = setup(api)
    maya = factories.contact(api, full_name="Maya Okafor")
    edge = factories.referral(api, maya["id"], from_contact_id=s["sam"]["id"], status="met")
    response = convert(api, s["note"]["id"])
    assert response.status_code == 201, response.text
    referral = response.json()["referral"]
    assert referral["id"] == edge["id"]
    assert referral["interview_id"] == s["interview"]["id"]
    assert referral["context"] == "Maya Okafor"
    assert referral["status"] == "met"  # what happened since is kept
    assert referral["version"] == 2
    assert totals(api)["referrals"] == 1


def test_a_reused_referral_keeps_what_it_already_says(api: Api) -> None:
    s = setup(api)
    maya = factories.contact(api, full_name="Maya Okafor")
    other = factories.interview(api, s["sam"]["id"])
    edge = factories.referral(
        api,
        maya["id"],
        from_contact_id=s["sam"]["id"],
        interview_id=other["id"],
        context="Old colleagues",
    )
    referral = convert(api, s["note"]["id"], context="New words").json()["referral"]
    assert referral == edge


def test_converting_again_answers_the_first_result_and_makes_nothing(api: Api) -> None:
    s = setup(api)
    first = convert(api, s["note"]["id"])
    assert first.status_code == 201
    after_first = totals(api)
    again = convert(api, s["note"]["id"])
    assert again.status_code == 200
    assert again.json() == first.json()
    # Even a different body: the item is converted already.
    other = convert(api, s["note"]["id"], full_name="Somebody Else", create_interview=False)
    assert other.status_code == 200
    assert other.json() == first.json()
    assert totals(api) == after_first


def test_a_retry_after_matching_an_existing_contact_says_so_again(api: Api) -> None:
    s = setup(api)
    maya = factories.contact(api, full_name="Maya Okafor")
    first = convert(api, s["note"]["id"], create_interview=False)
    assert first.json()["matched_existing_contact"] is True
    again = convert(api, s["note"]["id"], create_interview=False)
    assert (again.status_code, again.json()) == (200, first.json())
    assert again.json()["contact"]["id"] == maya["id"]


def test_after_its_referral_is_deleted_the_item_converts_anew(api: Api) -> None:
    s = setup(api)
    first = convert(api, s["note"]["id"], create_interview=False).json()
    assert api.delete(f"/api/v1/referrals/{first['referral']['id']}").status_code == 204
    note = api.get(f"{NOTES}/{s['note']['id']}").json()
    assert note["produced_referral_id"] is None
    again = convert(api, s["note"]["id"], create_interview=False)
    assert again.status_code == 201
    body = again.json()
    # The note still links to the contact it made, which is found, not made twice.
    assert body["contact"]["id"] == first["contact"]["id"]
    assert body["referral"]["id"] != first["referral"]["id"]
    assert totals(api)["contacts"] == 2


def test_a_bad_organization_writes_nothing(api: Api) -> None:
    s = setup(api)
    before = totals(api)
    response = convert(api, s["note"]["id"], full_name="Maya Okafor", organization_id=MISSING)
    assert response.status_code == 404
    [issue] = response.json()["errors"]
    assert (issue["field"], issue["location"], issue["code"]) == (
        "organization_id",
        "body",
        "not_found",
    )
    assert totals(api) == before
    assert api.get(f"{NOTES}/{s['note']['id']}").json() == s["note"]


def test_a_failure_after_the_first_writes_undoes_them_all(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = setup(api)
    before = totals(api)

    def refuse(**_: Any) -> Any:
        raise Conflict("The interview could not be planned.")

    # The contact and the referral are written by then; the interview fails.
    monkeypatch.setattr(interviews_service, "create_interview", refuse)
    response = convert(api, s["note"]["id"])
    assert response.status_code == 409
    assert totals(api) == before
    assert contacts_named(api, "Maya Okafor") == []
    assert api.get(f"{NOTES}/{s['note']['id']}").json() == s["note"]
    monkeypatch.undo()
    assert convert(api, s["note"]["id"]).status_code == 201


def test_simultaneous_conversions_make_one_contact(api: Api) -> None:
    s = setup(api)
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda _: convert(api, s["note"]["id"]), range(4)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 201], [r.text for r in responses]
    assert len({r.text for r in responses}) == 1
    assert totals(api) == {"contacts": 2, "referrals": 1, "interviews": 2, "note-items": 1}


def test_another_users_note_contact_and_organization_are_not_found(
    api: Api, other_api: Api
) -> None:
    theirs = setup(other_api)
    their_contact = factories.contact(other_api, full_name="Maya Okafor")
    their_org = factories.organization(other_api, name="Tidewater")
    mine = setup(api)
    before_mine, before_theirs = totals(api), totals(other_api)

    response = convert(api, theirs["note"]["id"])
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "Maya" not in response.text

    for field, value in (("contact_id", their_contact["id"]), ("organization_id", their_org["id"])):
        response = convert(api, mine["note"]["id"], **{field: value})
        assert response.status_code == 404
        [issue] = response.json()["errors"]
        assert (issue["field"], issue["code"]) == (field, "not_found")

    assert totals(api) == before_mine
    assert totals(other_api) == before_theirs
    assert other_api.get(f"{NOTES}/{theirs['note']['id']}").json() == theirs["note"]
    assert api.get(f"{NOTES}/{mine['note']['id']}").json() == mine["note"]
    # The owner still converts their own.
    assert convert(other_api, theirs["note"]["id"]).status_code == 201


def test_body_fields_are_validated(api: Api) -> None:
    s = setup(api)
    for body, field in (
        ({"email": "not an email"}, "email"),
        ({"linkedin_url": "linkedin.com/in/x"}, "linkedin_url"),
        ({"full_name": "   "}, "full_name"),
        ({"full_name": "x" * 201}, "full_name"),
        ({"context": "x" * 2001}, "context"),
        ({"contact_id": "nope"}, "contact_id"),
        ({"create_interview": "perhaps"}, "create_interview"),
    ):
        response = convert(api, s["note"]["id"], **body)
        assert response.status_code == 422, body
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert convert(api, MISSING).status_code == 404
    assert totals(api) == {"contacts": 1, "referrals": 0, "interviews": 1, "note-items": 1}
