"""Message templates, messages composed for an interview, and marking them sent (HTTP)."""

import uuid
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from backend.fields import utcnow
from backend.messages import service
from backend.messages.models import MessageKind, MessageTemplate
from backend.messages.templates import DEFAULTS, PLACEHOLDERS
from tests import factories
from tests.conftest import Api

TEMPLATES = "/api/v1/message-templates"
KINDS = ["outreach", "thank_you", "follow_up"]
WHEN = "2026-12-03T13:30:00Z"
ASK = (
    "Would you have 30 to 60 minutes in the next week or two for a coffee or a call? I would "
    "love to learn about your background and hear any advice you might have. I'm happy to work "
    "around your schedule."
)


def default(kind: str) -> dict[str, Any]:
    template = DEFAULTS[MessageKind(kind)]
    return {
        "kind": kind,
        "subject": template.subject,
        "body": template.body,
        "is_default": True,
        "version": 0,
    }


def messages_url(interview_id: str, kind: str) -> str:
    return f"/api/v1/interviews/{interview_id}/messages/{kind}"


def composed(api: Api, interview_id: str, kind: str, **params: str) -> dict[str, Any]:
    response = api.get(messages_url(interview_id, kind), params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def sent(api: Api, interview_id: str, kind: str, **kwargs: Any) -> Any:
    return api.post(messages_url(interview_id, kind) + "/sent", **kwargs)


def save(api: Api, kind: str, subject: str, body: str, **kwargs: Any) -> Any:
    return api.request(
        "PUT", f"{TEMPLATES}/{kind}", json={"subject": subject, "body": body}, **kwargs
    )


# --- Templates -------------------------------------------------------------------------------


def test_every_kind_starts_as_the_default(api: Api) -> None:
    listed = api.get(TEMPLATES)
    assert listed.status_code == 200
    assert listed.json() == [default(kind) for kind in KINDS]
    for kind in KINDS:
        one = api.get(f"{TEMPLATES}/{kind}")
        assert one.status_code == 200
        assert one.headers["etag"] == '"0"'
        assert one.json() == default(kind)
    assert api.get(f"{TEMPLATES}/apology").status_code == 422


def test_saving_then_resetting_a_template(api: Api) -> None:
    saved = save(api, "outreach", "Hello {{contact.first_name}}", "Body {{me.name}}")
    assert saved.status_code == 200, saved.text
    assert saved.headers["etag"] == '"1"'
    mine = {
        "kind": "outreach",
        "subject": "Hello {{contact.first_name}}",
        "body": "Body {{me.name}}",
        "is_default": False,
        "version": 1,
    }
    assert saved.json() == mine
    assert api.get(f"{TEMPLATES}/outreach").json() == mine
    assert api.get(TEMPLATES).json() == [mine, default("thank_you"), default("follow_up")]

    again = save(api, "outreach", "Hi", "Body two", headers={"If-Match": '"1"'})
    assert again.status_code == 200
    assert again.json()["version"] == 2
    assert again.headers["etag"] == '"2"'

    assert api.delete(f"{TEMPLATES}/outreach", headers={"If-Match": '"1"'}).status_code == 412
    assert api.delete(f"{TEMPLATES}/outreach", headers={"If-Match": '"2"'}).status_code == 204
    assert api.get(f"{TEMPLATES}/outreach").json() == default("outreach")
    # Resetting a default changes nothing.
    assert api.delete(f"{TEMPLATES}/outreach").status_code == 204
    assert api.delete(f"{TEMPLATES}/follow_up", headers={"If-Match": '"0"'}).status_code == 204
    assert api.get(TEMPLATES).json() == [default(kind) for kind in KINDS]


def test_if_match_on_the_first_save(api: Api) -> None:
    assert save(api, "thank_you", "S", "B", headers={"If-Match": '"1"'}).status_code == 412
    assert save(api, "thank_you", "S", "B", headers={"If-Match": "nonsense"}).status_code == 412
    assert save(api, "thank_you", "S", "B", headers={"If-Match": '"0"'}).status_code == 200
    stale = save(api, "thank_you", "S2", "B2", headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 1
    assert api.get(f"{TEMPLATES}/thank_you").json()["subject"] == "S"


def test_a_first_save_that_loses_the_race_updates_the_winners_row(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert save(api, "follow_up", "Winner", "W").status_code == 200
    real = service._stored
    reads: list[int] = []

    def stale_first_read(session: Any, owner: Any, kind: Any) -> dict[str, Any] | None:
        reads.append(1)
        return None if len(reads) == 1 else real(session, owner, kind)

    monkeypatch.setattr(service, "_stored", stale_first_read)
    second = save(api, "follow_up", "Second", "S")
    assert second.status_code == 200, second.text
    assert second.json()["version"] == 2
    reads.clear()
    assert save(api, "follow_up", "X", "X", headers={"If-Match": '"0"'}).status_code == 412
    monkeypatch.undo()
    assert api.get(f"{TEMPLATES}/follow_up").json()["subject"] == "Second"


def test_unknown_placeholders_and_broken_blocks_are_refused_when_saved(api: Api) -> None:
    response = save(api, "outreach", "Hi {{#if me.ask}}", "Dear {{contact.nickname}}")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {
            "field": "subject",
            "location": "body",
            "reason": "Line 1: {{#if me.ask}} is never closed with {{/if}}.",
            "code": "unbalanced_block",
        },
        {
            "field": "body",
            "location": "body",
            "reason": "Line 1: unknown placeholder {{contact.nickname}}; did you mean "
            "{{contact.first_name}}?",
            "code": "unknown_placeholder",
        },
    ]
    one = save(api, "outreach", "Fine", "{{ zodiac }}\n{{/if}}")
    assert [(e["field"], e["code"], e["reason"]) for e in one.json()["errors"]] == [
        (
            "body",
            "unknown_placeholder",
            "Line 1: unknown placeholder {{zodiac}}; see /api/v1/message-placeholders for the "
            "ones that exist.",
        ),
        ("body", "unbalanced_block", "Line 2: {{/if}} closes no {{#if}}."),
    ]
    for body, field in [
        ({"subject": "S"}, "body"),
        ({"body": "B"}, "subject"),
        ({"subject": "  ", "body": "B"}, "subject"),
        ({"subject": "S", "body": "\n"}, "body"),
        ({"subject": "S" * 501, "body": "B"}, "subject"),
        ({"subject": "S", "body": "B\x00"}, "body"),
    ]:
        refused = api.request("PUT", f"{TEMPLATES}/outreach", json=body)
        assert refused.status_code == 422, body
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert api.get(f"{TEMPLATES}/outreach").json() == default("outreach")


def test_the_placeholder_catalogue(api: Api) -> None:
    response = api.get("/api/v1/message-placeholders")
    assert response.status_code == 200
    assert response.json() == [
        {"name": name, "description": description} for name, description in PLACEHOLDERS.items()
    ]
    assert [p["name"] for p in response.json()][:2] == ["contact.full_name", "contact.first_name"]


def test_templates_are_per_user(api: Api, other_api: Api) -> None:
    save(api, "outreach", "Mine", "Mine")
    assert other_api.get(f"{TEMPLATES}/outreach").json() == default("outreach")
    assert other_api.delete(f"{TEMPLATES}/outreach").status_code == 204
    assert api.get(f"{TEMPLATES}/outreach").json()["subject"] == "Mine"


# --- Composing -------------------------------------------------------------------------------


def setup_referred(api: Api, **interview_fields: Any) -> dict[str, Any]:
    """Maya at Tidewater, referred by Sam; an interview with her; a profile."""
    org = factories.organization(api, name="Tidewater Energy")
    maya = factories.contact(
        api,
        full_name="Maya Okafor",
        email="maya+work@tidewater.example",
        organization_id=org["id"],
        title="Head of Grid Storage",
    )
    sam = factories.contact(api, full_name="Sam Ruiz")
    interview = factories.interview(api, maya["id"], **interview_fields)
    referral = factories.referral(
        api, maya["id"], from_contact_id=sam["id"], context="we worked together at Somecompany"
    )
    profile = api.patch(
        "/api/v1/profile",
        json={
            "situation": "I left Somecompany after 7 years.",
            "ask": "I'm looking to talk to people about grid storage.",
            "focus_areas": ["climate", "storage"],
        },
    )
    assert profile.status_code == 200
    return {"maya": maya, "sam": sam, "interview": interview, "referral": referral}


def test_outreach_names_the_referrer_and_opens_in_a_mail_client(api: Api) -> None:
    data = setup_referred(api)
    message = composed(api, data["interview"]["id"], "outreach")
    body = (
        "Dear Maya,\n\n"
        "Sam suggested I reach out to you — we worked together at Somecompany.\n\n"
        "I left Somecompany after 7 years.\n\n"
        "I'm looking to talk to people about grid storage.\n\n"
        f"{ASK}\n\n"
        "Thank you for considering it,\nTest user"
    )
    assert message == {
        "kind": "outreach",
        "to": "maya+work@tidewater.example",
        "subject": "Sam suggested I get in touch",
        "body": body,
        "mailto": "mailto:maya%2Bwork@tidewater.example"
        "?subject=Sam%20suggested%20I%20get%20in%20touch"
        f"&body={quote(body.replace(chr(10), chr(13) + chr(10)), safe='')}",
    }
    assert "%0D%0A%0D%0ASam%20suggested" in message["mailto"]


def test_without_a_referral_or_an_email(api: Api) -> None:
    linus = factories.contact(api, full_name="Linus")
    interview = factories.interview(api, linus["id"])
    message = composed(api, interview["id"], "outreach")
    assert message["to"] is None
    assert message["subject"] == "A short conversation about your work"
    assert message["body"].startswith("Dear Linus,\n\nI'm reaching out because of your work.\n\n")
    assert message["mailto"].startswith(
        "mailto:?subject=A%20short%20conversation%20about%20your%20work&body=Dear%20Linus"
    )


def referrer_of(api: Api, interview_id: str) -> str:
    save(api, "follow_up", "x", "{{referrer.full_name}}|{{referral.context}}")
    return str(composed(api, interview_id, "follow_up")["body"])


def test_which_referral_names_the_referrer(api: Api) -> None:
    data = setup_referred(api)
    maya, interview = data["maya"], data["interview"]
    assert referrer_of(api, interview["id"]) == "Sam Ruiz|we worked together at Somecompany"
    # One that got further wins...
    lee = factories.contact(api, full_name="Lee Park")
    factories.referral(api, maya["id"], from_contact_id=lee["id"], status="met", context="Lee")
    assert referrer_of(api, interview["id"]) == "Lee Park|Lee"
    # ...but one offered in a conversation wins over that.
    other = factories.interview(api, data["sam"]["id"])
    api.patch(f"/api/v1/referrals/{data['referral']['id']}", json={"interview_id": other["id"]})
    assert referrer_of(api, interview["id"]) == "Sam Ruiz|we worked together at Somecompany"
    # A declined one never counts.
    api.patch(f"/api/v1/referrals/{data['referral']['id']}", json={"status": "declined"})
    assert referrer_of(api, interview["id"]) == "Lee Park|Lee"
    # Knowing them directly means nobody referred.
    factories.referral(api, maya["id"], context="old classmates")
    assert referrer_of(api, interview["id"]) == "|"


def test_thank_you_lists_what_was_learned_and_the_open_follow_ups(api: Api) -> None:
    data = setup_referred(
        api, status="completed", scheduled_at=WHEN, summary="Queues decide storage projects."
    )
    interview_id = data["interview"]["id"]
    for text, category, status in [
        ("Send the recycling report", "to_follow_up", "open"),
        ("Already sent the deck", "to_follow_up", "done"),
        ("Read The Grid", "to_read", "open"),
        ("Introduce her to Lee", "to_follow_up", "open"),
    ]:
        factories.note_item(api, interview_id, text=text, category=category, status=status)
    factories.note_item(api, category="to_follow_up", text="Another interview's item")
    message = composed(api, interview_id, "thank_you")
    assert message["subject"] == "Thank you for your time"
    assert message["body"] == (
        "Dear Maya,\n\n"
        "Thank you for taking the time to talk with me. I really appreciated your openness and "
        "your advice.\n\n"
        "What I took away from our conversation:\nQueues decide storage projects.\n\n"
        "As promised, I will follow up on:\n"
        "- Send the recycling report\n- Introduce her to Lee\n\n"
        "I'll let Sam know how helpful the introduction was.\n\n"
        "With thanks,\nTest user"
    )


def test_every_placeholder_is_filled_from_the_interview(api: Api) -> None:
    data = setup_referred(
        api,
        status="scheduled",
        scheduled_at=WHEN,
        duration_minutes=30,
        location="Blue Bottle",
        agenda=["Her path", "The team"],
        summary="Learned a lot.",
    )
    interview_id = data["interview"]["id"]
    factories.note_item(api, interview_id, category="to_follow_up", text="Send report")
    factories.note_item(
        api,
        interview_id,
        category="to_read",
        text="The Grid",
        author="Gretchen Bakke",
        url="https://example.org/grid",
    )
    factories.note_item(api, interview_id, category="to_read", text="Queue notes", status="done")
    body = "\n".join(f"{name}={{{{{name}}}}}" for name in PLACEHOLDERS)
    assert save(api, "follow_up", "{{contact.full_name}}", body).status_code == 200
    message = composed(api, interview_id, "follow_up", tz="Europe/Paris")
    assert message["subject"] == "Maya Okafor"
    assert message["body"] == "\n".join(
        [
            "contact.full_name=Maya Okafor",
            "contact.first_name=Maya",
            "contact.title=Head of Grid Storage",
            "contact.organization=Tidewater Energy",
            "referrer.full_name=Sam Ruiz",
            "referrer.first_name=Sam",
            "referral.context=we worked together at Somecompany",
            "me.name=Test user",
            "me.first_name=Test",
            "me.situation=I left Somecompany after 7 years.",
            "me.ask=I'm looking to talk to people about grid storage.",
            "me.focus_areas=climate, storage",
            "interview.duration_minutes=30",
            "interview.when=Thursday 3 December 2026, 14:30 CET",
            "interview.place=Blue Bottle",
            "interview.topics=- Her path",
            "- The team",
            "interview.learned=Learned a lot.",
            "interview.follow_ups=- Send report",
            "interview.to_read=- The Grid, by Gretchen Bakke (https://example.org/grid)",
            "- Queue notes",
        ]
    )
    utc = composed(api, interview_id, "follow_up")["body"]
    assert "interview.when=Thursday 3 December 2026, 13:30 UTC" in utc


def test_an_unknown_time_zone_is_refused(api: Api) -> None:
    interview = factories.interview(api)
    for tz in ("Mars/Olympus", "../../etc/passwd", "Europe/Paris\x00", "x" * 65):
        response = api.get(messages_url(interview["id"], "outreach"), params={"tz": tz})
        assert response.status_code == 422, tz
        assert [(e["field"], e["location"]) for e in response.json()["errors"]] == [("tz", "query")]


def test_a_saved_template_whose_placeholder_was_retired_is_409_not_500(
    api: Api, engine: Engine
) -> None:
    interview = factories.interview(api)
    now = utcnow()
    with Session(engine) as session:
        session.execute(
            insert(MessageTemplate.__table__).values(  # type: ignore[attr-defined]
                id=uuid.uuid4(), owner_id=api.user_id, kind="outreach", subject="S",
                body="{{contact.shoe_size}}", version=1, created_at=now, updated_at=now,
            )
        )  # fmt: skip
        session.commit()
    response = api.get(messages_url(interview["id"], "outreach"))
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "kind"
    assert "contact.shoe_size" in response.json()["detail"]


def test_another_users_interview_is_404(api: Api, other_api: Api) -> None:
    data = setup_referred(api)
    interview_id = data["interview"]["id"]
    before = api.get(f"/api/v1/interviews/{interview_id}").json()
    for kind in KINDS:
        assert other_api.get(messages_url(interview_id, kind)).status_code == 404
        assert sent(other_api, interview_id, kind).status_code == 404
    assert api.get(f"/api/v1/interviews/{interview_id}").json() == before
    assert api.get(f"/api/v1/contacts/{data['maya']['id']}").json()["status"] == "identified"
    missing = str(uuid.uuid4())
    assert api.get(messages_url(missing, "outreach")).status_code == 404
    assert sent(api, missing, "outreach").status_code == 404
    assert api.get(messages_url(interview_id, "apology")).status_code == 422


# --- Marking sent ----------------------------------------------------------------------------


def test_sending_the_outreach_moves_the_interview_and_the_contact_on(api: Api) -> None:
    maya = factories.contact(api, full_name="Maya")
    interview = factories.interview(api, maya["id"])
    response = sent(api, interview["id"], "outreach")
    assert response.status_code == 200, response.text
    body = response.json()
    assert response.headers["etag"] == '"2"'
    assert body["status"] == "outreach_sent"
    assert body["outreach_sent_at"] is not None
    assert body["thank_you_sent_at"] is None
    assert body["version"] == 2
    fetched = api.get(f"/api/v1/interviews/{interview['id']}").json()
    assert {k: fetched[k] for k in body} == body
    contact = api.get(f"/api/v1/contacts/{maya['id']}").json()
    assert (contact["status"], contact["version"]) == ("reached_out", 2)

    # Sent again: only the time moves.
    again = sent(api, interview["id"], "outreach").json()
    assert again["status"] == "outreach_sent"
    assert again["outreach_sent_at"] >= body["outreach_sent_at"]
    assert again["version"] == 3
    assert api.get(f"/api/v1/contacts/{maya['id']}").json()["version"] == 2


def test_an_outreach_recorded_late_keeps_the_later_status(api: Api) -> None:
    maya = factories.contact(api, full_name="Maya", status="met")
    interview = factories.interview(api, maya["id"], status="scheduled", scheduled_at=WHEN)
    body = sent(api, interview["id"], "outreach").json()
    assert body["status"] == "scheduled"
    assert body["outreach_sent_at"] is not None
    contact = api.get(f"/api/v1/contacts/{maya['id']}").json()
    assert (contact["status"], contact["version"]) == ("met", 1)


def test_a_thank_you_needs_a_completed_interview(api: Api) -> None:
    interview = factories.interview(api, status="scheduled", scheduled_at=WHEN)
    refused = sent(api, interview["id"], "thank_you")
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["detail"] == (
        "A thank-you follows the conversation, but this interview is scheduled; it must be one "
        "of: completed, thanked."
    )
    assert problem["allowed_states"] == ["completed", "thanked"]
    assert problem["current_status"] == "scheduled"
    assert problem["errors"][0]["field"] == "kind"
    unchanged = api.get(f"/api/v1/interviews/{interview['id']}").json()
    assert (unchanged["version"], unchanged["thank_you_sent_at"]) == (1, None)

    completed = api.patch(f"/api/v1/interviews/{interview['id']}", json={"status": "completed"})
    assert completed.status_code == 200
    thanked = sent(api, interview["id"], "thank_you")
    assert thanked.status_code == 200
    assert thanked.json()["status"] == "thanked"
    assert thanked.json()["thank_you_sent_at"] is not None
    again = sent(api, interview["id"], "thank_you")
    assert again.status_code == 200
    assert (again.json()["status"], again.json()["version"]) == ("thanked", 4)


def test_a_follow_up_only_records_the_time(api: Api) -> None:
    interview = factories.interview(api, status="outreach_sent")
    body = sent(api, interview["id"], "follow_up").json()
    assert body["status"] == "outreach_sent"
    assert body["follow_up_sent_at"] is not None
    assert body["version"] == 2


def test_marking_sent_honours_if_match_and_changes_nothing_when_stale(api: Api) -> None:
    maya = factories.contact(api, full_name="Maya")
    interview = factories.interview(api, maya["id"])
    stale = sent(api, interview["id"], "outreach", headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 1
    assert api.get(f"/api/v1/interviews/{interview['id']}").json()["status"] == "idea"
    assert api.get(f"/api/v1/contacts/{maya['id']}").json()["status"] == "identified"
    fresh = sent(api, interview["id"], "outreach", headers={"If-Match": '"1"'})
    assert fresh.status_code == 200
