import re
import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from backend.contacts import service
from backend.contacts.models import ContactCreate
from backend.db import write_engine
from tests import factories
from tests.conftest import Api, new_user

URL = "/api/v1/contacts"


def test_create_then_get_round_trips_every_field(api: Api) -> None:
    org = factories.organization(api)
    sent = {
        "full_name": "  Grace Hopper ",
        "email": "grace@example.com",
        "phone": "+1 555 0100",
        "linkedin_url": "https://www.linkedin.com/in/grace",
        "organization_id": org["id"],
        "title": "Rear Admiral",
        "location": "Arlington",
        "tags": ["compilers", "Navy", "compilers "],
        "how_we_met": "Conference hallway",
        "notes": "Ask about COBOL",
        "status": "reached_out",
        "next_follow_up": "2026-12-01",
    }
    created = api.post(URL, json=sent)
    assert created.status_code == 201
    body = created.json()
    assert created.headers["location"] == f"{URL}/{body['id']}"
    assert created.headers["etag"] == '"1"'
    fetched = api.get(f"{URL}/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == body
    assert body["full_name"] == "Grace Hopper"
    assert body["tags"] == ["compilers", "Navy"]
    assert body["version"] == 1
    assert "owner_id" not in body


def test_tags_fold_ascii_blanks_only_and_always_answer_a_valid_tag(api: Api) -> None:
    """Found by schemathesis: a tag of U+001D (which Python's \\s matches) came back " "."""
    sent = ["\x1d", "deep  \t learning", "a\u00a0b", "\u2003x"]
    created = api.post(URL, json={"full_name": "Tagged", "tags": sent})
    assert created.status_code == 201, created.text
    tags = created.json()["tags"]
    assert tags == ["\x1d", "deep learning", "a\u00a0b", "\u2003x"]
    not_blank = re.compile(r"^[^\x00]*[^\x00 \t\n\r\x0b\x0c][^\x00]*$")
    assert all(not_blank.match(tag) for tag in tags)


def test_list_filters_by_text_tag_status_and_organization(api: Api) -> None:
    org = factories.organization(api, name="Initech")
    factories.contact(api, full_name="Peter Gibbons", organization_id=org["id"], tags=["TPS"])
    factories.contact(api, full_name="Milton Waddams", status="dormant", notes="red stapler")
    factories.contact(api, full_name="Bill Lumbergh", tags=["tps", "management"])

    def names(**params: object) -> list[str]:
        response = api.get(URL, params=params)
        assert response.status_code == 200, response.text
        return [c["full_name"] for c in response.json()["items"]]

    assert names() == ["Bill Lumbergh", "Milton Waddams", "Peter Gibbons"]
    assert names(q="STAPLER") == ["Milton Waddams"]
    assert names(q="%") == []
    assert names(tag="tps") == ["Bill Lumbergh", "Peter Gibbons"]
    assert names(status="dormant") == ["Milton Waddams"]
    assert names(organization_id=org["id"]) == ["Peter Gibbons"]
    assert names(sort="-name") == ["Peter Gibbons", "Milton Waddams", "Bill Lumbergh"]


def test_keyset_pages_cover_everything_once_despite_concurrent_inserts(api: Api) -> None:
    for i in range(7):
        factories.contact(api, full_name=f"Person {i:02d}")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = api.get(URL, params=params).json()
        assert page["total"] == 7 + (1 if seen else 0)
        seen += [c["full_name"] for c in page["items"]]
        if len(seen) == 3:
            # Someone inserts a contact sorting before the cursor while we page.
            factories.contact(api, full_name="Aaron Early")
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Person {i:02d}" for i in range(7)]


def test_limit_is_clamped_not_refused(api: Api) -> None:
    factories.contact(api)
    response = api.get(URL, params={"limit": 10**12})
    assert response.status_code == 200
    assert response.json()["total"] == 1


def test_invalid_cursor_is_a_clear_422(api: Api) -> None:
    response = api.get(URL, params={"cursor": "not-a-cursor"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "cursor"


def test_validation_errors_name_the_field(api: Api) -> None:
    response = api.post(URL, json={"full_name": "   ", "email": "nope"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["status"] == 422
    assert {e["field"] for e in problem["errors"]} == {"full_name", "email"}
    assert api.get(URL).json()["total"] == 0


def test_nul_characters_are_refused_not_stored(api: Api) -> None:
    response = api.post(URL, json={"full_name": "Bad\u0000Name"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "full_name"


def test_unknown_organization_is_404_and_nothing_is_written(api: Api) -> None:
    missing = "01900000-0000-7000-8000-000000000000"
    response = api.post(URL, json={"full_name": "X", "organization_id": missing})
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "organization_id"
    assert api.get(URL).json()["total"] == 0


def test_patch_changes_only_what_was_sent_and_bumps_version(api: Api) -> None:
    created = factories.contact(api, title="Engineer", tags=["a"])
    response = api.patch(f"{URL}/{created['id']}", json={"title": "CTO", "tags": ["b"]})
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "CTO"
    assert body["tags"] == ["b"]
    assert body["full_name"] == created["full_name"]
    assert body["version"] == 2
    assert response.headers["etag"] == '"2"'


def test_patch_refuses_null_for_required_field(api: Api) -> None:
    created = factories.contact(api)
    response = api.patch(f"{URL}/{created['id']}", json={"full_name": None})
    assert response.status_code == 422
    assert api.get(f"{URL}/{created['id']}").json()["full_name"] == created["full_name"]


def test_stale_if_match_is_refused_with_412(api: Api) -> None:
    created = factories.contact(api)
    url = f"{URL}/{created['id']}"
    phone = api.patch(url, json={"notes": "from the phone"}, headers={"If-Match": '"1"'})
    assert phone.status_code == 200
    laptop = api.patch(url, json={"notes": "from the laptop"}, headers={"If-Match": '"1"'})
    assert laptop.status_code == 412
    assert laptop.json()["current_version"] == 2
    assert api.get(url).json()["notes"] == "from the phone"
    stale_delete = api.delete(url, headers={"If-Match": '"1"'})
    assert stale_delete.status_code == 412
    assert api.delete(url, headers={"If-Match": '"2"'}).status_code == 204
    assert api.get(url).status_code == 404


def test_create_with_client_id_is_safe_to_retry(api: Api) -> None:
    client_id = "0190a0a0-0000-7000-8000-0000000000aa"
    first = api.post(URL, json={"id": client_id, "full_name": "Retry Me"})
    again = api.post(URL, json={"id": client_id, "full_name": "Retry Me"})
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert api.get(URL).json()["total"] == 1


def test_client_id_of_another_user_is_refused_without_leaking(api: Api, other_api: Api) -> None:
    theirs = factories.contact(other_api, full_name="Private Person")
    response = api.post(URL, json={"id": theirs["id"], "full_name": "Mine"})
    assert response.status_code == 409
    assert "Private Person" not in response.text
    assert other_api.get(f"{URL}/{theirs['id']}").json()["full_name"] == "Private Person"


def test_idempotency_key_replays_first_response(api: Api) -> None:
    headers = {"Idempotency-Key": "create-ada-1"}
    first = api.post(URL, json={"full_name": "Ada"}, headers=headers)
    again = api.post(URL, json={"full_name": "Ada"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert api.get(URL).json()["total"] == 1
    reused = api.post(URL, json={"full_name": "Someone else"}, headers=headers)
    assert reused.status_code == 409
    assert api.get(URL).json()["total"] == 1


def test_delete_with_dependents_needs_cascade(api: Api) -> None:
    person = factories.contact(api)
    interview = factories.interview(api, contact_id=person["id"])
    factories.note_item(api, interview_id=interview["id"])
    friend = factories.contact(api, full_name="Friend")
    factories.referral(api, to_contact_id=friend["id"], from_contact_id=person["id"])
    url = f"{URL}/{person['id']}"

    refused = api.delete(url)
    assert refused.status_code == 409
    assert refused.json()["dependents"] == {"interviews": 1, "referrals": 1}
    assert api.get(url).status_code == 200

    assert api.delete(url, params={"cascade": "true"}).status_code == 204
    assert api.get(url).status_code == 404
    assert api.get(f"/api/v1/interviews/{interview['id']}").status_code == 404
    assert api.get("/api/v1/note-items").json()["total"] == 0
    assert api.get("/api/v1/referrals").json()["total"] == 0
    assert api.get(f"{URL}/{friend['id']}").status_code == 200


def assert_duplicate_of(response: Any, existing: dict[str, Any]) -> None:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/duplicate_email")
    assert problem["existing_id"] == existing["id"]
    assert problem["existing_url"] == f"{URL}/{existing['id']}"
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [("email", "taken")]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ada@example.com", "ADA@Example.COM"),
        ("Élise@example.fr", "élise@EXAMPLE.fr"),  # outside ASCII: SQLite's lower() keeps É
        ("straße@example.de", "STRASSE@example.de"),  # casefold: ß is ss
    ],
)
def test_a_second_contact_with_the_same_email_ignoring_case_is_409(
    api: Api, first: str, second: str
) -> None:
    ada = factories.contact(api, full_name="Ada", email=first)
    assert_duplicate_of(api.post(URL, json={"full_name": "Ada again", "email": second}), ada)
    assert api.get(URL).json()["total"] == 1
    # An import matches the same person the same way.
    csv = f"full_name,email\nAda again,{second}\n".encode()
    preview = api.post(
        "/api/v1/imports/contacts-csv", files={"file": ("c.csv", csv, "text/csv")}
    ).json()
    assert [(row["status"], row["contact_id"]) for row in preview["rows"]] == [
        ("matched", ada["id"])
    ]


def test_changing_an_email_to_another_contacts_is_409_too(api: Api) -> None:
    ada = factories.contact(api, full_name="Ada", email="ada@example.com")
    bob = factories.contact(api, full_name="Bob", email="bob@example.com")
    assert_duplicate_of(api.patch(f"{URL}/{bob['id']}", json={"email": "Ada@example.com"}), ada)
    assert api.get(f"{URL}/{bob['id']}").json() == bob  # unchanged, same version
    # Its own address in another case is no duplicate; a missing contact is still 404.
    assert api.patch(f"{URL}/{ada['id']}", json={"email": "ADA@example.com"}).status_code == 200
    missing = api.patch(f"{URL}/{uuid.uuid4()}", json={"email": "bob@example.com"})
    assert missing.status_code == 404
    assert api.patch(f"{URL}/{bob['id']}", json={"email": None}).status_code == 200


def test_another_users_contact_is_neither_a_duplicate_nor_revealed(
    api: Api, other_api: Api
) -> None:
    factories.contact(other_api, full_name="Ada", email="ada@example.com")
    made = api.post(URL, json={"full_name": "Ada", "email": "ADA@example.com"})
    assert made.status_code == 201, made.text


def test_retried_creates_still_answer_the_first_contact(api: Api) -> None:
    body = {"id": str(uuid.uuid4()), "full_name": "Ada", "email": "ada@example.com"}
    first = api.post(URL, json=body)
    assert first.status_code == 201
    again = api.post(URL, json=body)
    assert (again.status_code, again.json()) == (200, first.json())

    keyed = {"full_name": "Bob", "email": "bob@example.com"}
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    made = api.post(URL, json=keyed, headers=headers)
    assert made.status_code == 201
    replayed = api.post(URL, json=keyed, headers=headers)
    assert replayed.status_code == 201
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == made.json()
    assert api.get(URL).json()["total"] == 2


def test_two_creates_at_once_make_one_contact(db_kind: str, engine: Engine) -> None:
    """PostgreSQL runs writers side by side: the second waits for the first to commit and
    then finds its contact. (SQLite's writers take turns anyway.)"""
    owner = new_user(engine).id
    data = ContactCreate(full_name="Ada", email="ada@example.com")
    with Session(write_engine(engine)) as first, Session(write_engine(engine)) as second:
        service.create_contact(session=first, owner=owner, data=data)
        if db_kind == "sqlite":
            first.commit()
        outcome: list[BaseException | None] = []

        def create_again() -> None:
            try:
                again = data.model_copy(update={"email": "ADA@example.com"})
                service.create_contact(session=second, owner=owner, data=again)
                second.commit()
                outcome.append(None)
            except Exception as exc:  # noqa: BLE001 - the outcome is the test
                outcome.append(exc)

        waiting = threading.Thread(target=create_again)
        waiting.start()
        if db_kind == "postgresql":
            waiting.join(0.5)
            assert waiting.is_alive()  # waiting for the first transaction
            first.commit()
        waiting.join(10)
    assert len(outcome) == 1
    assert isinstance(outcome[0], service.DuplicateEmail)
