"""The whole method, end to end, through the public API only.

Know thyself → find people → secure a conversation → schedule around them → prepare → after
the meeting → the chain grows: the new connection's warm path runs through the interviewee.
"""

from typing import Any

import httpx

from tests import factories
from tests.conftest import Api


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_the_method_end_to_end(api: Api) -> None:
    # 1. Know thyself.
    profile = ok(api.patch("/api/v1/profile", json={
        "focus_areas": ["climate", "grid storage"],
        "situation": "I left Somecompany after 7 years and am planning my next steps.",
        "ask": "I'm looking to talk to people about how grid storage gets built.",
    }))  # fmt: skip
    assert profile["focus_areas"] == ["climate", "grid storage"]

    # 2. Find people: a target organization, a friend who knows someone there.
    tidewater = factories.organization(api, name="Tidewater", interest_level=5, tags=["climate"])
    sam = factories.contact(api, full_name="Sam Rivera")
    maya = factories.contact(
        api, full_name="Maya Okafor", email="maya@tidewater.example",
        organization_id=tidewater["id"], tags=["grid storage"],
    )  # fmt: skip
    factories.referral(api, sam["id"], context="we worked together at Somecompany")
    factories.referral(
        api, maya["id"], from_contact_id=sam["id"], context="they built a pilot plant together"
    )
    people = ok(api.get(f"/api/v1/organizations/{tidewater['id']}/people"))
    assert [p["contact"]["id"] for p in people["second_degree"]] == [maya["id"]]
    assert people["second_degree"][0]["introducers"][0]["contact"]["id"] == sam["id"]

    # 3. Secure a conversation: the outreach names the referrer first, then the ask.
    talk = factories.interview(api, maya["id"])
    outreach = ok(api.get(f"/api/v1/interviews/{talk['id']}/messages/outreach"))
    body = outreach["body"]
    assert body.index("Sam") < body.index("Somecompany after 7 years") < body.index("grid storage")
    assert outreach["mailto"].startswith("mailto:maya@tidewater.example?")
    sent = ok(api.post(f"/api/v1/interviews/{talk['id']}/messages/outreach/sent"))
    assert sent["status"] == "outreach_sent"
    assert sent["outreach_sent_at"] is not None

    # 4. Schedule around them: offer two times, they pick the second. (Times already past:
    # the conversation is completed below, and one cannot be before its time.)
    slots = [
        {"starts_at": "2026-03-04T08:30:00-05:00", "location": "Blue Bottle"},
        {"starts_at": "2026-03-05T16:00:00Z", "duration_minutes": 30, "location": "Their office"},
    ]
    ok(api.patch(f"/api/v1/interviews/{talk['id']}", json={"proposed_slots": slots}))
    scheduled = ok(api.post(f"/api/v1/interviews/{talk['id']}/schedule", json={"slot_index": 1}))
    assert scheduled["status"] == "scheduled"
    assert scheduled["scheduled_at"] == "2026-03-05T16:00:00Z"
    assert scheduled["duration_minutes"] == 30

    # 5. Prepare: who they are, who introduced them, topics, the method's checklist.
    prep = ok(api.get(f"/api/v1/interviews/{talk['id']}/prep"))
    assert prep["interviewee"]["organization"]["name"] == "Tidewater"
    assert prep["introduced_by"][0]["contact"]["id"] == sam["id"]
    assert prep["introduced_by"][0]["context"] == "they built a pilot plant together"
    assert any("notebook" in item["text"] for item in prep["checklist"])
    checklist = [{**item, "done": True} for item in prep["checklist"]]
    ok(api.patch(f"/api/v1/interviews/{talk['id']}", json={
        "agenda": ["Her path into storage", "What the team looks for"],
        "checklist": checklist, "time_confirmed": True,
    }))  # fmt: skip

    # 6. After the meeting: notes in all six categories from one block of text.
    captured = ok(api.post(
        f"/api/v1/interviews/{talk['id']}/note-items/capture",
        json={"text": "\n".join([
            "connect: Lee Chen",
            "follow up: send her the recycling report",
            "read: The Grid by Gretchen Bakke",
            "look up: flow batteries",
            "do: update my CV (due 2031-03-10)",
            "think: do I want a field role?",
        ])},
    ), 201)  # fmt: skip
    items = {item["category"]: item for item in captured["items"]}
    assert len(items) == 6
    completed = ok(api.patch(f"/api/v1/interviews/{talk['id']}", json={"status": "completed"}))
    assert not completed.get("warnings")

    # Each To Connect becomes a contact, a referral edge and the next conversation.
    converted = ok(api.post(f"/api/v1/note-items/{items['to_connect']['id']}/convert", json={
        "context": "she mentored him at Tidewater",
    }), 201)  # fmt: skip
    lee = converted["contact"]
    assert lee["full_name"] == "Lee Chen"
    assert converted["referral"]["from_contact_id"] == maya["id"]
    assert converted["referral"]["interview_id"] == talk["id"]
    assert converted["interview"]["status"] == "idea"
    assert converted["note_item"]["status"] == "done"

    # The thank-you lists every open follow-up, and sending it closes the loop.
    thanks = ok(api.get(f"/api/v1/interviews/{talk['id']}/messages/thank_you"))
    assert "send her the recycling report" in thanks["body"]
    thanked = ok(api.post(f"/api/v1/interviews/{talk['id']}/messages/thank_you/sent"))
    assert thanked["status"] == "thanked"

    # The chain grew: the way to Lee runs through Sam and Maya.
    paths = ok(api.get(f"/api/v1/contacts/{lee['id']}/warm-paths"))
    best = paths["paths"][0]
    assert [hop["to"]["id"] for hop in best["hops"]] == [sam["id"], maya["id"], lee["id"]]
    assert best["hops"][-1]["interview_id"] == talk["id"]

    # The inbox holds what is still open; the reading list says who recommended what.
    inbox = ok(api.get("/api/v1/inbox"))
    assert [i["text"] for i in inbox["open_items"]["to_read"]["items"]] == [
        items["to_read"]["text"]
    ]
    reading = ok(api.get("/api/v1/lists/to_read"))
    assert reading["items"][0]["recommended_by"] == "Maya Okafor"

    # An outcome, and the chain of conversations that led there.
    job = ok(api.post("/api/v1/opportunities", json={
        "title": "Storage analyst", "contact_id": lee["id"], "interview_ids": [talk["id"]],
    }), 201)  # fmt: skip
    chain = ok(api.get(f"/api/v1/opportunities/{job['id']}/chain"))
    assert [step["contact"]["id"] for step in chain["steps"]] == [sam["id"], maya["id"], lee["id"]]
    stats = ok(api.get("/api/v1/network/stats"))
    assert stats["longest_chain"] == 3
