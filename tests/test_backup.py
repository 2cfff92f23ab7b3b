"""The full backup: what it holds, and a restore that reproduces an account field by field."""

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from backend.accounts.service import delete_all_data
from backend.transfer import restore
from backend.transfer.models import Backup
from tests import factories
from tests.conftest import Api

EXPORT = "/api/v1/exports/backup"
IMPORT = "/api/v1/imports/backup"
KINDS = restore.KINDS


def build_account(api: Api) -> dict[str, Any]:
    """One of everything a user can own, and every relation between them."""
    profile = api.patch("/api/v1/profile", json={
        "focus_areas": ["climate", "grid storage"], "ask": "How does storage get built?",
        "situation": "Between jobs", "learn_from": "Engineers", "values": "Curiosity",
    })  # fmt: skip
    assert profile.status_code == 200, profile.text
    shared = api.post("/api/v1/profile/share-link")
    assert shared.status_code == 200, shared.text
    template = api.put("/api/v1/message-templates/thank_you", json={
        "subject": "Thanks, {{ contact.first_name }}", "body": "It was great.\n{{ me.name }}",
    })  # fmt: skip
    assert template.status_code == 200, template.text
    org = factories.organization(
        api, name="Tidewater Energy", website="https://tidewater.example", interest_level=5,
        tags=["climate"], notes="Series B",
    )  # fmt: skip
    other_org = factories.organization(api, name="Grün GmbH")
    ada = factories.contact(
        api, full_name="Ada Lovelace", email="ada@x.example", organization_id=org["id"],
        tags=["math"], status="met", next_follow_up="2026-12-24", how_we_met="Meetup",
    )  # fmt: skip
    grace = factories.contact(api, full_name="Grace Hopper", organization_id=other_org["id"])
    edited = api.patch(f"/api/v1/contacts/{grace['id']}", json={"title": "Rear Admiral"})
    assert edited.status_code == 200, edited.text
    first = factories.interview(
        api, ada["id"], status="scheduled", scheduled_at="2026-12-03T13:30:00Z",
        agenda=["Her path", "The team"], location="Blue Bottle",
        checklist=[{"text": "Notebook", "done": True}, {"text": "Questions", "done": False}],
        proposed_slots=[{"starts_at": "2026-12-03T13:30:00Z", "duration_minutes": 30}],
        outreach_sent_at="2026-11-20T08:00:00.123456Z",
    )  # fmt: skip
    second = factories.interview(api, grace["id"])
    factories.note_item(
        api, first["id"], category="to_read", text="Thinking in Systems",
        url="https://books.example/tis", author="Donella Meadows", due_date="2026-12-10",
    )  # fmt: skip
    connect = factories.note_item(api, first["id"], category="to_connect", text="Barbara Liskov")
    converted = api.post(f"/api/v1/note-items/{connect['id']}/convert", json={})
    assert converted.status_code == 201, converted.text
    factories.referral(api, grace["id"], from_contact_id=ada["id"], interview_id=first["id"],
                       context="Worked together", status="introduced")  # fmt: skip
    factories.referral(api, ada["id"])
    opportunity = api.post("/api/v1/opportunities", json={
        "title": "Storage analyst", "contact_id": ada["id"], "organization_id": org["id"],
        "interview_ids": [first["id"], second["id"]], "due_date": "2027-01-15",
    })  # fmt: skip
    assert opportunity.status_code == 201, opportunity.text
    return {"share_url": shared.json()["share_url"]}


def backup_of(api: Api) -> dict[str, Any]:
    response = api.get(EXPORT)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


def restored(api: Api, backup: dict[str, Any], mode: str = "commit") -> dict[str, Any]:
    response = api.post(IMPORT, params={"mode": mode}, json=backup)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def without_export_time(backup: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in backup.items() if k != "exported_at"}


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in records}


def translated(value: Any, ids: dict[str, str]) -> Any:
    """`value` with every id of the old account replaced by its new one."""
    if isinstance(value, dict):
        return {k: translated(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [translated(v, ids) for v in value]
    return ids.get(value, value) if isinstance(value, str) else value


# --- What the backup holds -----------------------------------------------------------------


def test_the_backup_holds_everything_the_user_owns(api: Api) -> None:
    made = build_account(api)
    response = api.get(EXPORT)
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="nexthop-backup-')
    backup = response.json()
    assert (backup["format"], backup["schema_version"]) == ("nexthop-backup", 1)
    assert backup["exported_at"].endswith("Z")
    assert backup["profile"] | {"created_at": None, "updated_at": None} == {
        "focus_areas": ["climate", "grid storage"], "learn_from": "Engineers",
        "values": "Curiosity", "situation": "Between jobs", "ask": "How does storage get built?",
        "version": 2, "created_at": None, "updated_at": None,  # sharing was a change too
    }  # fmt: skip
    token = made["share_url"].rsplit("/", 1)[-1]
    assert token not in response.text  # the share link stays with the account
    counts = {kind: len(backup[kind]) for kind in KINDS}
    assert counts == {
        "message_templates": 1, "organizations": 2, "contacts": 3, "interviews": 3,
        "referrals": 3, "note_items": 2, "opportunities": 1,
    }  # fmt: skip
    # Each record as the API shows it, with relations by id.
    for kind, path in (
        ("organizations", "organizations"), ("contacts", "contacts"),
        ("interviews", "interviews"), ("note_items", "note-items"), ("referrals", "referrals"),
        ("opportunities", "opportunities"),
    ):  # fmt: skip
        listed = factories.listing(api, f"/api/v1/{path}")
        assert by_id(backup[kind]) == by_id(listed), kind
    converted = next(n for n in backup["note_items"] if n["category"] == "to_connect")
    assert converted["produced_referral_id"] in by_id(backup["referrals"])
    assert converted["produced_interview_id"] in by_id(backup["interviews"])
    (opportunity,) = backup["opportunities"]
    assert len(opportunity["interview_ids"]) == 2
    (template,) = backup["message_templates"]
    assert template["kind"] == "thank_you"
    assert template["subject"] == "Thanks, {{ contact.first_name }}"
    Backup.model_validate(backup)  # the documented schema


def test_a_backup_shows_nothing_of_another_user(api: Api, other_api: Api) -> None:
    build_account(api)
    theirs = backup_of(other_api)
    assert without_export_time(theirs) == {
        "format": "nexthop-backup", "schema_version": 1, "profile": None,
        "message_templates": [], "organizations": [], "contacts": [], "interviews": [],
        "referrals": [], "note_items": [], "opportunities": [],
    }  # fmt: skip


# --- Restoring -----------------------------------------------------------------------------


def test_a_restore_into_an_empty_account_reproduces_every_record_and_id(
    api: Api, other_api: Api, engine: Engine
) -> None:
    build_account(api)
    original = backup_of(api)
    # The backed-up account is gone (the usual reason to restore), so its ids are free.
    with Session(engine) as session:
        delete_all_data(session, api.user_id)
        session.commit()
    preview = restored(other_api, original, "preview")
    assert (preview["restored"], preview["ids_preserved"], preview["id_map"]) == (False, True, None)
    assert backup_of(other_api)["contacts"] == []
    report = restored(other_api, original)
    assert (report["mode"], report["restored"], report["ids_preserved"]) == ("commit", True, True)
    assert report["id_map"] is None
    assert report["counts"] == {
        "message_templates": 1, "organizations": 2, "contacts": 3, "interviews": 3,
        "note_items": 2, "referrals": 3, "opportunities": 1, "profile": 1,
    }  # fmt: skip
    again = backup_of(other_api)
    for kind in (*KINDS, "profile"):  # field by field, ids, versions and timestamps included
        assert again[kind] == original[kind], kind
    # A second restore finds the account full.
    assert other_api.post(IMPORT, params={"mode": "commit"}, json=original).status_code == 409
    # The restored account works like any other: lists count it, its edges lead somewhere.
    assert other_api.get("/api/v1/contacts", params={"limit": 1}).json()["total"] == 3
    profile = other_api.get("/api/v1/profile").json()
    assert (profile["ask"], profile["share_url"]) == ("How does storage get built?", None)
    template = other_api.get("/api/v1/message-templates/thank_you").json()
    assert (template["is_default"], template["version"]) == (False, 1)


def test_a_restore_beside_the_original_renews_every_id_consistently(
    api: Api, other_api: Api
) -> None:
    build_account(api)
    original = backup_of(api)
    preview = restored(other_api, original, "preview")
    assert (preview["ids_preserved"], preview["id_map"]) == (False, None)
    report = restored(other_api, original)
    assert report["ids_preserved"] is False
    id_map = report["id_map"]
    assert sorted(id_map) == sorted(KINDS)
    for kind in KINDS:
        assert sorted(id_map[kind]) == sorted(r["id"] for r in original[kind])
    new_ids = [new for ids in id_map.values() for new in ids.values()]
    assert len(set(new_ids)) == len(new_ids)
    old_to_new = {old: new for ids in id_map.values() for old, new in ids.items()}
    assert set(old_to_new).isdisjoint(new_ids)
    copy = backup_of(other_api)
    for kind in KINDS:
        assert by_id(copy[kind]) == by_id(translated(original[kind], old_to_new)), kind
    assert copy["profile"] == original["profile"]
    # The original is untouched.
    assert without_export_time(backup_of(api)) == without_export_time(original)


def test_a_restore_never_overwrites_an_account_with_data(api: Api, other_api: Api) -> None:
    build_account(api)
    original = backup_of(api)
    factories.contact(other_api, full_name="Someone already here")
    before = backup_of(other_api)
    for mode in ("preview", "commit"):
        response = other_api.post(IMPORT, params={"mode": mode}, json=original)
        assert response.status_code == 409, response.text
        problem = response.json()
        assert problem["existing"] == {"contacts": 1}
        assert "Nothing was changed" in problem["detail"]
    assert without_export_time(backup_of(other_api)) == without_export_time(before)
    assert without_export_time(backup_of(api)) == without_export_time(original)


def test_an_empty_profile_made_by_sharing_does_not_count_as_data(api: Api, other_api: Api) -> None:
    build_account(api)
    original = backup_of(api)
    shared = other_api.post("/api/v1/profile/share-link").json()["share_url"]
    restored(other_api, original)
    profile = other_api.get("/api/v1/profile").json()
    assert (profile["focus_areas"], profile["share_url"]) == (["climate", "grid storage"], shared)


def test_an_empty_backup_restores_to_nothing(api: Api) -> None:
    empty = backup_of(api)
    report = restored(api, empty)
    assert report["counts"] == dict.fromkeys([*KINDS, "profile"], 0)
    assert without_export_time(backup_of(api)) == without_export_time(empty)


def test_a_backup_over_a_megabyte_restores(api: Api) -> None:
    now = "2026-11-26T10:00:00Z"
    contacts = [
        {"id": str(uuid.uuid4()), "version": 1, "created_at": now, "updated_at": now,
         "full_name": f"Person {i:05d}", "notes": "n" * 200, "tags": ["bulk"]}
        for i in range(4000)
    ]  # fmt: skip
    backup = {"format": "nexthop-backup", "schema_version": 1, "exported_at": now,
              "contacts": contacts}  # fmt: skip
    assert len(json.dumps(backup)) > 1_048_576
    report = restored(api, backup)
    assert (report["counts"]["contacts"], report["ids_preserved"]) == (4000, True)
    assert api.get("/api/v1/contacts", params={"limit": 1}).json()["total"] == 4000


def problem_fields(response: Any, status: int) -> list[tuple[str, str]]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


def test_a_backup_that_cannot_be_restored_whole_is_refused_with_its_fields(api: Api) -> None:
    build_account(api)
    original = backup_of(api)
    response = api.post(IMPORT, json={**original, "schema_version": 2})
    assert problem_fields(response, 422) == [("schema_version", "value_error")]
    assert "reads backups of schema version 1; this one is version 2" in response.text
    # References to records the backup lacks: 404, as for any body naming a missing record.
    dangling = json.loads(json.dumps(original))
    dangling["contacts"][0]["organization_id"] = str(uuid.uuid4())
    dangling["interviews"][0]["contact_id"] = str(uuid.uuid4())
    dangling["opportunities"][0]["interview_ids"].append(str(uuid.uuid4()))
    assert problem_fields(api.post(IMPORT, json=dangling), 404) == [
        ("contacts.0.organization_id", "dangling"),
        ("interviews.0.contact_id", "dangling"),
        ("opportunities.0.interview_ids.2", "dangling"),
    ]
    # Twice what may exist once: 409.
    twice = {**original, "organizations": original["organizations"] * 2}
    assert problem_fields(api.post(IMPORT, json=twice), 409) == [
        ("organizations.2.id", "duplicate"),
        ("organizations.3.id", "duplicate"),
        ("organizations.2.name", "duplicate"),
        ("organizations.3.name", "duplicate"),
    ]
    wrong = {**original, "format": "something-else"}
    assert problem_fields(api.post(IMPORT, json=wrong), 422) == [("format", "literal_error")]
    response = api.post(IMPORT, content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


# --- Checking and translating (pure) -------------------------------------------------------

NOW = "2026-11-26T10:00:00Z"


def record(n: int, **fields: Any) -> dict[str, Any]:
    return {"id": str(uuid.UUID(int=n)), "version": 1, "created_at": NOW, "updated_at": NOW,
            **fields}  # fmt: skip


def document(**kinds: Any) -> Backup:
    return Backup.model_validate(
        {"format": "nexthop-backup", "schema_version": 1, "exported_at": NOW, **kinds}
    )


def test_the_check_finds_duplicates_self_loops_and_clashes() -> None:
    one, two = str(uuid.UUID(int=1)), str(uuid.UUID(int=2))
    backup = document(
        organizations=[record(10, name="Acme"), record(11, name="ACME ")],
        contacts=[record(1, full_name="A"), record(2, full_name="B"), record(2, full_name="C")],
        referrals=[
            record(20, from_contact_id=one, to_contact_id=one),
            record(21, to_contact_id=two),
            record(22, to_contact_id=two),
        ],
        message_templates=[
            record(30, kind="outreach", subject="Hi {{ nobody }}", body="x"),
            record(31, kind="outreach", subject="Hi", body="x"),
        ],
    )
    issues = [(i.field, i.code) for i in restore.check_backup(backup)]
    assert issues == [
        ("contacts.2.id", "duplicate"),
        ("message_templates.1.kind", "duplicate"),
        ("message_templates.0.subject", "unknown_placeholder"),
        ("organizations.1.name", "duplicate"),
        ("referrals.0.to_contact_id", "self_loop"),
        ("referrals.2.to_contact_id", "duplicate"),
    ]


def test_rows_translate_every_reference_through_the_id_map() -> None:
    owner = uuid.uuid4()
    backup = document(
        organizations=[record(10, name="Acme")],
        contacts=[record(1, full_name="Ada  Lovelace", organization_id=str(uuid.UUID(int=10)))],
        interviews=[record(40, contact_id=str(uuid.UUID(int=1)),
                           proposed_slots=[{"starts_at": "2026-12-01T10:00:00+01:00"}])],
        opportunities=[record(50, title="Job", interview_ids=[str(uuid.UUID(int=40))])],
    )  # fmt: skip
    counter = iter(range(1000, 2000))
    id_map = restore.new_ids(backup, lambda: uuid.UUID(int=next(counter)))
    rows = restore.table_rows(backup, owner, id_map)
    new = {kind: {o.int: n.int for o, n in ids.items()} for kind, ids in id_map.items()}
    (contact,) = rows["contacts"]
    assert (contact["id"].int, contact["organization_id"].int) == (
        new["contacts"][1],
        new["organizations"][10],
    )
    assert (contact["name_key"], contact["owner_id"], contact["tags"]) == (
        "ada lovelace",
        owner,
        [],
    )
    (interview,) = rows["interviews"]
    assert interview["contact_id"].int == new["contacts"][1]
    # JSON columns hold JSON forms: instants as UTC text, as the API stores them.
    assert interview["proposed_slots"] == [
        {"starts_at": "2026-12-01T09:00:00Z", "duration_minutes": None, "location": None}
    ]
    assert rows["opportunity_interviews"] == [
        {"opportunity_id": uuid.UUID(int=new["opportunities"][50]),
         "interview_id": uuid.UUID(int=new["interviews"][40])}
    ]  # fmt: skip
    assert "interview_ids" not in rows["opportunities"][0]
    untranslated = restore.table_rows(backup, owner)
    assert untranslated["contacts"][0]["id"] == uuid.UUID(int=1)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_record_is_inserted_after_what_it_points_at(kind: str) -> None:
    order = list(KINDS)
    points_at = {
        "contacts": ["organizations"], "interviews": ["contacts"],
        "referrals": ["contacts", "interviews"],
        "note_items": ["interviews", "contacts", "referrals"],
        "opportunities": ["contacts", "organizations", "interviews"],
    }  # fmt: skip
    for target in points_at.get(kind, []):
        assert order.index(target) < order.index(kind)


def test_the_status_follows_the_worst_kind_of_issue() -> None:
    def issue(code: str) -> restore.BackupIssue:
        return restore.BackupIssue("f", "r", code)

    assert restore.status_of([issue("self_loop"), issue("duplicate"), issue("dangling")]) == 404
    assert restore.status_of([issue("self_loop"), issue("duplicate")]) == 409
    assert restore.status_of([issue("unknown_placeholder")]) == 422
