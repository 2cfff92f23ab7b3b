"""The audit trail: every change to a user's data is recorded with who, when, what and which
fields (old → new), in the change's own transaction, and only its owner can read it."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from backend.accounts import passwords
from backend.accounts.service import start_session
from backend.audit import changes
from backend.audit.models import AuditEvent
from backend.auth import CSRF_HEADER, SESSION_COOKIE
from backend.config import Settings
from backend.users.models import User
from tests import factories
from tests.conftest import Api, new_user

HISTORY = "/api/v1/history"
LINKEDIN = "/api/v1/imports/linkedin"


def history(api: Api, url: str = HISTORY, **params: Any) -> list[dict[str, Any]]:
    return factories.listing(api, url, **params)


def only(events: list[dict[str, Any]], **match: Any) -> list[dict[str, Any]]:
    return [e for e in events if all(e[k] == v for k, v in match.items())]


def token_id(api: Api) -> str:
    (token,) = api.get("/api/v1/tokens").json()
    return str(token["id"])


# --- What a change records (pure) ----------------------------------------------------------


def test_a_create_or_delete_shows_the_fields_with_a_value_and_no_secret() -> None:
    row = {
        "id": "x", "version": 1, "created_at": "t", "updated_at": "t", "name_key": "ada",
        "full_name": "Ada", "email": None, "tags": [], "done": False, "secret": "s3cr3t",
        "share_token": "tok",
    }  # fmt: skip
    stored = changes.stored_row(row)
    assert stored == {"full_name": "Ada", "tags": [], "done": False}
    # A bulk import stores the database's rendering of the row as it is: shown the same.
    for kept in (stored, {k: v for k, v in row.items() if k not in changes.SECRETS}):
        assert changes.public("create", kept) == {
            "full_name": {"old": None, "new": "Ada"},
            "tags": {"old": None, "new": []},
            "done": {"old": None, "new": False},
        }
        assert changes.public("delete", kept) == {
            "full_name": {"old": "Ada", "new": None},
            "tags": {"old": [], "new": None},
            "done": {"old": False, "new": None},
        }


def test_an_update_records_only_the_fields_that_differ() -> None:
    before = {"version": 1, "email": None, "tags": ["a"], "title": "CTO", "secret": "one"}
    after = {"version": 2, "email": "a@b.example", "tags": ["a"], "title": None, "secret": "two"}
    change = {
        "email": {"old": None, "new": "a@b.example"},
        "title": {"old": "CTO", "new": None},
    }
    assert changes.updated(before, after) == change
    assert changes.public("update", change) == change
    assert changes.updated(before, before) == {}


# --- Through the API -----------------------------------------------------------------------


def test_create_update_delete_of_a_contact_each_record_who_what_and_which_fields(
    api: Api,
) -> None:
    contact = factories.contact(api, full_name="Ada Lovelace", tags=["math"], title="Analyst")
    url = f"/api/v1/contacts/{contact['id']}"
    changed = api.patch(url, json={"email": "ada@example.test", "title": None, "tags": ["math"]})
    assert changed.status_code == 200, changed.text
    assert api.delete(url).status_code == 204

    events = history(api, f"{url}/history")
    assert [e["action"] for e in events] == ["delete", "update", "create"]
    ids = [e["id"] for e in events]
    assert ids == sorted(ids, reverse=True)
    me, token = str(api.user_id), token_id(api)
    for event in events:
        assert (event["kind"], event["object_id"]) == ("contacts", contact["id"])
        assert (event["user_id"], event["via"], event["token_id"]) == (me, "token", token)
        assert event["at"].endswith("Z")
    deleted, updated, created = (e["changes"] for e in events)
    assert created == {
        "full_name": {"old": None, "new": "Ada Lovelace"},
        "title": {"old": None, "new": "Analyst"},
        "tags": {"old": None, "new": ["math"]},
        "status": {"old": None, "new": "identified"},
    }
    assert updated == {
        "email": {"old": None, "new": "ada@example.test"},
        "title": {"old": "Analyst", "new": None},
    }
    assert deleted == {
        "full_name": {"old": "Ada Lovelace", "new": None},
        "email": {"old": "ada@example.test", "new": None},
        "tags": {"old": ["math"], "new": None},
        "status": {"old": "identified", "new": None},
    }
    # The same events in the whole history, filtered by object.
    assert history(api, object_id=contact["id"]) == events
    assert history(api, kind="contacts", object_id=contact["id"]) == events


def test_a_browser_session_is_recorded_as_such(
    api: Api, engine: Engine, settings: Settings
) -> None:
    with Session(engine) as session:
        secret, csrf = start_session(session, api.user_id, settings)
        session.commit()
    api.client.cookies.set(SESSION_COOKIE, secret)
    try:
        created = api.client.post(
            "/api/v1/organizations",
            json={"name": "Analytical Engines"},
            headers={CSRF_HEADER: csrf},
        )
    finally:
        api.client.cookies.clear()
    assert created.status_code == 201, created.text
    (event,) = history(api, object_id=created.json()["id"])
    assert (event["user_id"], event["via"], event["token_id"]) == (
        str(api.user_id),
        "session",
        None,
    )


def test_a_write_that_changes_nothing_or_fails_records_nothing(api: Api) -> None:
    contact = factories.contact(api, title="Analyst")
    url = f"/api/v1/contacts/{contact['id']}"
    same = api.patch(url, json={"title": "Analyst"})
    assert same.status_code == 200, same.text
    stale = api.patch(url, json={"title": "CTO"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412, stale.text
    missing_ref = api.post(
        "/api/v1/contacts", json={"full_name": "Grace", "organization_id": str(uuid.uuid4())}
    )
    assert missing_ref.status_code == 404, missing_ref.text
    # A capture with one unreadable line writes none of its items.
    interview = factories.interview(api, contact_id=contact["id"])
    capture = api.post(
        f"/api/v1/interviews/{interview['id']}/note-items/capture",
        json={"text": "todo: send the deck\nread: (due 2026-12-05)\nthink:"},
    )
    assert capture.status_code == 422, capture.text
    assert [(e["kind"], e["action"]) for e in history(api)] == [
        ("interviews", "create"),
        ("contacts", "create"),
    ]


def test_concurrent_requests_each_record_their_own_actor(api: Api, other_api: Api) -> None:
    """The actor travels with each request (a context variable), never to another's."""
    users = (api, other_api)

    def write(n: int) -> None:
        factories.organization(users[n % 2], name=f"Org {n}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(40)))
    for user in users:
        events = history(user)
        assert len(events) == 20
        who = {(e["user_id"], e["via"], e["token_id"]) for e in events}
        assert who == {(str(user.user_id), "token", token_id(user))}


def test_cascades_record_every_row_they_remove_or_change(api: Api) -> None:
    org = factories.organization(api, name="Babbage & Co")
    ada = factories.contact(api, full_name="Ada", organization_id=org["id"])
    grace = factories.contact(api, full_name="Grace")
    talk = factories.interview(api, contact_id=ada["id"])
    note = factories.note_item(api, talk["id"])
    # Grace's referral was offered in Ada's interview: it stays, losing its source.
    kept = factories.referral(api, grace["id"], interview_id=talk["id"])
    gone = factories.referral(api, ada["id"])
    before = history(api)[0]["id"]

    assert api.delete(f"/api/v1/organizations/{org['id']}?cascade=true").status_code == 204
    assert api.delete(f"/api/v1/contacts/{ada['id']}?cascade=true").status_code == 204

    done = [e for e in history(api) if e["id"] > before]
    assert [(e["kind"], e["object_id"], e["action"]) for e in reversed(done)] == [
        ("contacts", ada["id"], "update"),
        ("organizations", org["id"], "delete"),
        ("note_items", note["id"], "delete"),
        ("referrals", kept["id"], "update"),
        ("referrals", gone["id"], "delete"),
        ("interviews", talk["id"], "delete"),
        ("contacts", ada["id"], "delete"),
    ]
    unlinked = only(done, kind="contacts", action="update")[0]
    assert unlinked["changes"] == {"organization_id": {"old": org["id"], "new": None}}
    sourceless = only(done, kind="referrals", action="update")[0]
    assert sourceless["changes"] == {"interview_id": {"old": talk["id"], "new": None}}
    assert only(done, kind="note_items")[0]["changes"]["text"] == {
        "old": "Send the deck",
        "new": None,
    }


def test_marking_an_outreach_sent_records_the_interview_and_the_contact(api: Api) -> None:
    person = factories.contact(api)
    talk = factories.interview(api, contact_id=person["id"])
    sent = api.post(f"/api/v1/interviews/{talk['id']}/messages/outreach/sent")
    assert sent.status_code == 200, sent.text
    contact_event, interview_event = history(api)[:2]
    by_kind = {e["kind"]: e for e in (interview_event, contact_event)}
    assert list(by_kind) == ["interviews", "contacts"]
    assert by_kind["contacts"]["changes"] == {"status": {"old": "identified", "new": "reached_out"}}
    assert by_kind["interviews"]["changes"] == {
        "status": {"old": "idea", "new": "outreach_sent"},
        "outreach_sent_at": {"old": None, "new": sent.json()["outreach_sent_at"]},
    }


def test_the_profile_history_never_holds_the_share_token(api: Api) -> None:
    assert api.patch("/api/v1/profile", json={"ask": "Grid storage?"}).status_code == 200
    shared = api.post("/api/v1/profile/share-link")
    assert shared.status_code == 200, shared.text
    token = shared.json()["share_url"].rsplit("/", 1)[-1]
    assert api.delete("/api/v1/profile/share-link").status_code == 204
    events = history(api, kind="profiles")
    assert [e["action"] for e in events] == ["update", "update", "create"]
    assert {e["object_id"] for e in events} == {str(api.user_id)}
    unshared, share, created = (e["changes"] for e in events)
    assert created == {
        "focus_areas": {"old": None, "new": []},
        "ask": {"old": None, "new": "Grid storage?"},
    }
    assert list(share) == ["share_created_at"]
    assert unshared == {"share_created_at": {"old": share["share_created_at"]["new"], "new": None}}
    assert token not in api.get(HISTORY).text


def test_webhook_secrets_are_never_recorded(api: Api) -> None:
    created = api.post(
        "/api/v1/webhooks",
        json={"url": "https://hooks.example.test/a", "event_types": ["contact.created"]},
    )
    assert created.status_code == 201, created.text
    hook = created.json()
    rotated = api.patch(f"/api/v1/webhooks/{hook['id']}", json={"secret": "whsec_" + "x" * 40})
    assert rotated.status_code == 200, rotated.text
    events = history(api, kind="webhooks")
    assert [e["action"] for e in events] == ["create"]
    assert "secret" not in events[0]["changes"]
    assert hook["secret"] not in api.get(HISTORY).text


def test_templates_opportunities_and_conversions_are_recorded(api: Api) -> None:
    saved = api.put(
        "/api/v1/message-templates/outreach", json={"subject": "Hello", "body": "Hi there"}
    )
    assert saved.status_code == 200, saved.text
    resaved = api.put(
        "/api/v1/message-templates/outreach", json={"subject": "Hello", "body": "Hi again"}
    )
    assert resaved.status_code == 200, resaved.text
    assert api.delete("/api/v1/message-templates/outreach").status_code == 204
    templates = history(api, kind="message_templates")
    assert [(e["action"], e["changes"]) for e in templates] == [
        ("delete", {k: {"old": v, "new": None} for k, v in
                    {"kind": "outreach", "subject": "Hello", "body": "Hi again"}.items()}),
        ("update", {"body": {"old": "Hi there", "new": "Hi again"}}),
        ("create", {k: {"old": None, "new": v} for k, v in
                    {"kind": "outreach", "subject": "Hello", "body": "Hi there"}.items()}),
    ]  # fmt: skip

    first, second = factories.interview(api), factories.interview(api)
    made = api.post(
        "/api/v1/opportunities", json={"title": "Analyst", "interview_ids": [first["id"]]}
    )
    assert made.status_code == 201, made.text
    url = f"/api/v1/opportunities/{made.json()['id']}"
    relinked = api.patch(url, json={"interview_ids": [second["id"], first["id"]]})
    assert relinked.status_code == 200, relinked.text
    assert api.delete(url).status_code == 204
    deleted, updated, created = history(api, kind="opportunities")
    both = sorted([first["id"], second["id"]])
    assert created["changes"]["interview_ids"] == {"old": None, "new": [first["id"]]}
    assert updated["changes"] == {"interview_ids": {"old": [first["id"]], "new": both}}
    assert deleted["changes"]["interview_ids"] == {"old": both, "new": None}

    # Converting a to_connect item: a contact, a referral and an interview made, the note
    # changed, all in one request.
    note = factories.note_item(api, first["id"], category="to_connect", text="Grace Hopper")
    before = history(api)[0]["id"]
    converted = api.post(f"/api/v1/note-items/{note['id']}/convert", json={})
    assert converted.status_code == 201, converted.text
    body = converted.json()
    done = [(e["kind"], e["object_id"], e["action"]) for e in history(api) if e["id"] > before]
    assert sorted(done) == sorted([
        ("contacts", body["contact"]["id"], "create"),
        ("referrals", body["referral"]["id"], "create"),
        ("interviews", body["interview"]["id"], "create"),
        ("note_items", note["id"], "update"),
    ])  # fmt: skip


def test_an_import_records_one_event_per_row_it_writes(api: Api, repo_root: Path) -> None:
    data = (repo_root / "tests/data/linkedin_connections.csv").read_bytes()
    maya = factories.contact(api, full_name="Maya Okafor", email="maya@tidewater.example")
    before = history(api)[0]["id"]
    report = api.post(
        LINKEDIN, params={"mode": "commit"}, files={"file": ("Connections.csv", data, "text/csv")}
    )
    assert report.status_code == 200, report.text
    summary = report.json()["summary"]
    done = [e for e in history(api) if e["id"] > before]
    counts = {
        (kind, action): len(only(done, kind=kind, action=action))
        for kind, action in {(e["kind"], e["action"]) for e in done}
    }
    assert counts == {
        ("organizations", "create"): summary["organizations_created"],
        ("contacts", "create"): summary["contacts_created"],
        ("contacts", "update"): summary["contacts_updated"],
        ("referrals", "create"): summary["referrals_created"],
    }
    assert summary["contacts_updated"] == 1
    # The matched contact: the fields the import filled, nothing else.
    filled = only(done, object_id=maya["id"])[0]["changes"]
    now = api.get(f"/api/v1/contacts/{maya['id']}").json()
    assert filled == {name: {"old": maya[name], "new": now[name]} for name in filled}
    assert "linkedin_url" in filled
    # A created contact's event holds exactly its non-null fields, as the API shows them.
    event = only(done, kind="contacts", action="create")[0]
    contact = api.get(f"/api/v1/contacts/{event['object_id']}").json()
    assert event["changes"] == {
        name: {"old": None, "new": value}
        for name, value in contact.items()
        if value is not None and name not in changes.NOT_SHOWN
    }
    # Importing the same file again changes nothing: no events.
    latest = history(api)[0]["id"]
    again = api.post(
        LINKEDIN, params={"mode": "commit"}, files={"file": ("Connections.csv", data, "text/csv")}
    )
    assert again.status_code == 200, again.text
    assert history(api)[0]["id"] == latest


def test_a_restored_backup_records_its_rows_as_created(api: Api, other_api: Api) -> None:
    interview = factories.interview(api, agenda=["Ask about storage"])
    factories.note_item(api, interview["id"])
    assert api.patch("/api/v1/profile", json={"ask": "Storage?"}).status_code == 200
    backup = api.get("/api/v1/exports/backup").json()
    restored = other_api.post("/api/v1/imports/backup", params={"mode": "commit"}, json=backup)
    assert restored.status_code == 200, restored.text
    events = history(other_api)
    assert sorted((e["kind"], e["action"]) for e in events) == [
        ("contacts", "create"),
        ("interviews", "create"),
        ("note_items", "create"),
        ("profiles", "create"),
    ]
    created = only(events, kind="interviews")[0]["changes"]
    assert created["agenda"] == {"old": None, "new": ["Ask about storage"]}
    assert created["time_confirmed"] == {"old": None, "new": False}  # a JSON boolean
    assert all(e["user_id"] == str(other_api.user_id) for e in events)


# --- Reading it ----------------------------------------------------------------------------


def test_history_pages_newest_first_by_cursor(api: Api) -> None:
    made = [factories.organization(api, name=f"Org {n}")["id"] for n in range(5)]
    walked = factories.walk(api, HISTORY, limit=2)
    assert [e["object_id"] for e in walked] == made[::-1]
    first = api.get(HISTORY, params={"limit": 2}).json()
    assert first["total"] == 5
    assert len(first["items"]) == 2
    assert api.get(HISTORY, params={"kind": "contacts"}).json() == {
        "items": [],
        "next_cursor": None,
        "total": 0,
    }
    for bad in ("nonsense", "WyJvdGhlciIsIDFd", first["next_cursor"] + "x"):
        refused = api.get(HISTORY, params={"cursor": bad})
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["errors"][0]["field"] == "cursor"


def test_an_object_that_never_existed_has_no_history(api: Api) -> None:
    for path in ("contacts", "interviews"):
        missing = api.get(f"/api/v1/{path}/{uuid.uuid4()}/history")
        assert missing.status_code == 404, missing.text
        assert missing.headers["content-type"] == "application/problem+json"


def test_another_user_sees_none_of_it(api: Api, other_api: Api) -> None:
    contact = factories.contact(api)
    talk = factories.interview(api, contact_id=contact["id"])
    assert len(history(api)) == 2
    assert history(other_api) == []
    assert history(other_api, object_id=contact["id"]) == []
    for url in (f"/api/v1/contacts/{contact['id']}", f"/api/v1/interviews/{talk['id']}"):
        assert other_api.get(f"{url}/history").status_code == 404


def test_no_operation_can_write_the_history(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    touching = {
        (method.upper(), path)
        for path, item in paths.items()
        if "history" in path
        for method in item
    }
    assert touching == {
        ("GET", "/api/v1/history"),
        ("GET", "/api/v1/contacts/{contact_id}/history"),
        ("GET", "/api/v1/interviews/{interview_id}/history"),
    }


def test_deleting_the_account_deletes_its_history(api: Api, engine: Engine) -> None:
    user = new_user(engine)
    mine = Api(api.client, user)
    factories.contact(mine)
    password = "a strong-enough passphrase 7"
    users = User.__table__  # type: ignore[attr-defined]
    events = AuditEvent.__table__  # type: ignore[attr-defined]
    with Session(engine) as session:
        hashed = passwords.hash_password(password)
        session.execute(update(users).where(users.c.id == user.id).values(password_hash=hashed))
        session.commit()

    def stored() -> int:
        with Session(engine) as session:
            count = select(func.count()).where(events.c.owner_id == user.id)
            return int(session.execute(count).scalar_one())

    assert stored() == 1
    deleted = mine.post("/api/v1/account/delete", json={"password": password})
    assert deleted.status_code == 204, deleted.text
    assert stored() == 0


@pytest.mark.parametrize("kind", ["nonsense", ""])
def test_unknown_kinds_are_refused(api: Api, kind: str) -> None:
    refused = api.get(HISTORY, params={"kind": kind})
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "kind"
