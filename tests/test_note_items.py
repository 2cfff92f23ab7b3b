from typing import Any

from tests import factories
from tests.conftest import Api

URL = "/api/v1/note-items"
CATEGORIES = ["to_connect", "to_follow_up", "to_read", "to_look_up", "to_do", "to_think_about"]


def texts(api: Api, **params: Any) -> list[str]:
    return [n["text"] for n in factories.listing(api, URL, **params)]


def test_create_then_get_round_trips_every_field(api: Api) -> None:
    interview = factories.interview(api)
    person = factories.contact(api, full_name="Linus")
    sent = {
        "interview_id": interview["id"],
        "category": "to_connect",
        "text": "Meet Linus about kernels",
        "status": "open",
        "due_date": "2026-12-15",
        "contact_id": person["id"],
        "url": "https://example.com/linus",
    }
    created = api.post(URL, json=sent)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"{URL}/{body['id']}"
    assert created.headers["etag"] == '"1"'
    assert {k: body[k] for k in sent} == sent
    assert body["version"] == 1
    assert "owner_id" not in body
    fetched = api.get(f"{URL}/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == body


def test_all_six_categories_are_accepted_and_no_other(api: Api) -> None:
    interview = factories.interview(api)
    for category in CATEGORIES:
        note = factories.note_item(api, interview["id"], category=category, text=category)
        assert note["category"] == category
        assert note["status"] == "open"
    unknown = api.post(
        URL, json={"interview_id": interview["id"], "category": "to_eat", "text": "Lunch"}
    )
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["errors"][0]["field"] == "category"
    assert sorted(texts(api)) == sorted(CATEGORIES)


def test_required_fields_and_text_limits(api: Api) -> None:
    interview = factories.interview(api)
    cases = [
        ({"category": "to_do", "text": "x"}, "interview_id"),
        ({"interview_id": interview["id"], "text": "x"}, "category"),
        ({"interview_id": interview["id"], "category": "to_do", "text": ""}, "text"),
        ({"interview_id": interview["id"], "category": "to_do"}, "text"),
        (
            {"interview_id": interview["id"], "category": "to_do", "text": "x", "due_date": "soon"},
            "due_date",
        ),
    ]
    for body, field in cases:
        response = api.post(URL, json=body)
        assert response.status_code == 422, body
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert api.get(URL).json()["total"] == 0


def test_interview_must_be_ones_own(api: Api, other_api: Api) -> None:
    theirs = factories.interview(other_api)
    response = api.post(
        URL, json={"interview_id": theirs["id"], "category": "to_do", "text": "Sneaky"}
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "interview_id"
    assert api.get(URL).json()["total"] == 0
    assert other_api.get(URL).json()["total"] == 0


def test_list_filters(api: Api) -> None:
    first = factories.interview(api)
    second = factories.interview(api)
    linus = factories.contact(api, full_name="Linus")
    factories.note_item(
        api, first["id"], category="to_read", text="Read SICP", due_date="2026-12-01"
    )
    factories.note_item(
        api, first["id"], category="to_connect", text="Meet Linus", contact_id=linus["id"]
    )
    factories.note_item(
        api, second["id"], category="to_do", text="Update CV", due_date="2026-12-10"
    )
    factories.note_item(
        api,
        second["id"],
        category="to_read",
        text="Essay",
        url="https://example.com/Pure_Essay",
        due_date="2026-12-20",
        status="done",
    )

    assert texts(api) == ["Read SICP", "Meet Linus", "Update CV", "Essay"]
    assert texts(api, interview_id=first["id"]) == ["Read SICP", "Meet Linus"]
    assert texts(api, category="to_read") == ["Read SICP", "Essay"]
    assert texts(api, category=["to_connect", "to_do"]) == ["Meet Linus", "Update CV"]
    assert texts(api, status="done") == ["Essay"]
    assert texts(api, status="open") == ["Read SICP", "Meet Linus", "Update CV"]
    # Both ends of the due window are inclusive; notes without a date are outside any window.
    assert texts(api, due_from="2026-12-10") == ["Update CV", "Essay"]
    assert texts(api, due_to="2026-12-10") == ["Read SICP", "Update CV"]
    assert texts(api, due_from="2026-12-02", due_to="2026-12-19") == ["Update CV"]
    assert texts(api, q="sicp") == ["Read SICP"]
    assert texts(api, q="PURE") == ["Essay"]
    assert texts(api, q="e_e") == ["Essay"]
    assert texts(api, q="pur__essay") == []
    assert texts(api, q="%") == []
    assert texts(api, contact_id=linus["id"]) == ["Meet Linus"]
    assert texts(api, interview_id=second["id"], category="to_read", status="done") == ["Essay"]
    assert api.get(URL, params={"category": "to_read"}).json()["total"] == 2
    assert api.get(URL, params={"category": "bogus"}).status_code == 422
    assert api.get(URL, params={"status": "half"}).status_code == 422
    assert api.get(URL, params={"due_from": "12/10/2026"}).status_code == 422


def test_sort_by_due_date_puts_undated_last_both_ways(api: Api) -> None:
    interview = factories.interview(api)
    for text, due in [
        ("b", "2026-12-05"),
        ("none1", None),
        ("a", "2026-12-01"),
        ("c", "2026-12-09"),
    ]:
        factories.note_item(api, interview["id"], text=text, due_date=due)
    factories.note_item(api, interview["id"], text="none2")

    ascending = texts(api, sort="due_date")
    assert ascending[:3] == ["a", "b", "c"]
    assert sorted(ascending[3:]) == ["none1", "none2"]
    descending = texts(api, sort="-due_date")
    assert descending[:3] == ["c", "b", "a"]
    assert sorted(descending[3:]) == ["none1", "none2"]
    for sort, expected in (("due_date", ascending), ("-due_date", descending)):
        paged = [n["text"] for n in factories.walk(api, URL, limit=2, sort=sort)]
        assert paged == expected
    assert texts(api, sort="-created_at") == ["none2", "c", "a", "none1", "b"]


def test_tick_done_via_patch(api: Api) -> None:
    note = factories.note_item(api, text="Send thank-you")
    url = f"{URL}/{note['id']}"
    ticked = api.patch(url, json={"status": "done"})
    assert ticked.status_code == 200
    assert ticked.headers["etag"] == '"2"'
    body = ticked.json()
    assert body["status"] == "done"
    assert body["version"] == 2
    assert body["text"] == "Send thank-you"
    assert body["interview_id"] == note["interview_id"]
    assert api.get(url).json() == body
    assert texts(api, status="done") == ["Send thank-you"]
    assert api.patch(url, json={"status": "finished"}).status_code == 422
    assert api.patch(url, json={"text": ""}).status_code == 422
    assert api.patch(url, json={"category": None}).status_code == 422
    assert api.get(url).json()["version"] == 2


def test_stale_if_match_is_refused_with_412(api: Api) -> None:
    note = factories.note_item(api)
    url = f"{URL}/{note['id']}"
    phone = api.patch(url, json={"status": "done"}, headers={"If-Match": '"1"'})
    assert phone.status_code == 200
    laptop = api.patch(url, json={"text": "Edited"}, headers={"If-Match": '"1"'})
    assert laptop.status_code == 412
    assert laptop.headers["content-type"] == "application/problem+json"
    assert laptop.json()["current_version"] == 2
    assert api.get(url).json()["text"] == note["text"]
    assert api.patch(url, json={"text": "x"}, headers={"If-Match": "garbage"}).status_code == 412
    assert api.delete(url, headers={"If-Match": '"1"'}).status_code == 412
    assert api.delete(url, headers={"If-Match": 'W/"2"'}).status_code == 204
    assert api.get(url).status_code == 404


def test_linking_another_users_contact_is_404(api: Api, other_api: Api) -> None:
    theirs = factories.contact(other_api)
    interview = factories.interview(api)
    body = {"interview_id": interview["id"], "category": "to_connect", "text": "Intro"}
    refused = api.post(URL, json={**body, "contact_id": theirs["id"]})
    assert refused.status_code == 404
    assert refused.json()["errors"][0]["field"] == "contact_id"
    assert api.get(URL).json()["total"] == 0

    note = factories.note_item(api, **body)
    url = f"{URL}/{note['id']}"
    patched = api.patch(url, json={"contact_id": theirs["id"]})
    assert patched.status_code == 404
    assert patched.json()["errors"][0]["field"] == "contact_id"
    assert api.get(url).json()["contact_id"] is None

    mine = factories.contact(api)
    linked = api.patch(url, json={"contact_id": mine["id"]})
    assert linked.json()["contact_id"] == mine["id"]
    unlinked = api.patch(url, json={"contact_id": None})
    assert unlinked.json()["contact_id"] is None


def test_interview_cannot_be_changed_via_patch(api: Api) -> None:
    note = factories.note_item(api)
    elsewhere = factories.interview(api)
    url = f"{URL}/{note['id']}"
    # interview_id is not part of the update model: it is ignored, not applied.
    response = api.patch(url, json={"interview_id": elsewhere["id"]})
    assert response.status_code == 200
    assert response.json() == note
    response = api.patch(url, json={"interview_id": elsewhere["id"], "text": "Changed"})
    assert response.status_code == 200
    assert response.json()["interview_id"] == note["interview_id"]
    assert response.json()["text"] == "Changed"
    assert api.get(url).json()["interview_id"] == note["interview_id"]
    assert texts(api, interview_id=elsewhere["id"]) == []


def test_client_chosen_id_makes_a_retry_harmless(api: Api) -> None:
    interview = factories.interview(api)
    body = {
        "id": "0190a0a0-0000-7000-8000-0000000000bb",
        "interview_id": interview["id"],
        "category": "to_follow_up",
        "text": "Written offline",
    }
    first = api.post(URL, json=body)
    again = api.post(URL, json=body)
    assert first.status_code == 201
    assert first.json()["id"] == body["id"]
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["location"] == f"{URL}/{body['id']}"
    assert api.get(URL).json()["total"] == 1
    assert len(api.get(f"/api/v1/interviews/{interview['id']}").json()["note_items"]) == 1


def test_another_users_note_is_invisible(api: Api, other_api: Api) -> None:
    theirs = factories.note_item(other_api, text="Private")
    url = f"{URL}/{theirs['id']}"
    assert api.get(url).status_code == 404
    assert api.patch(url, json={"status": "done"}).status_code == 404
    assert api.delete(url).status_code == 404
    assert api.get(URL).json()["total"] == 0
    assert other_api.get(url).json() == theirs


def test_author_goes_through_create_patch_and_lists(api: Api) -> None:
    interview = factories.interview(api)
    note = factories.note_item(
        api, interview["id"], category="to_read", text="Thinking in Systems", author="Meadows"
    )
    assert note["author"] == "Meadows"
    url = f"{URL}/{note['id']}"
    patched = api.patch(url, json={"author": "Donella Meadows"})
    assert patched.status_code == 200
    assert patched.json()["author"] == "Donella Meadows"
    [listed] = factories.listing(api, URL)
    assert listed == patched.json()
    assert texts(api, q="donella") == ["Thinking in Systems"]
    too_long = api.patch(url, json={"author": "x" * 201})
    assert too_long.status_code == 422
    assert [e["field"] for e in too_long.json()["errors"]] == ["author"]
    cleared = api.patch(url, json={"author": None})
    assert cleared.json()["author"] is None


def test_what_a_conversion_produced_shows_but_clients_cannot_set_it(api: Api) -> None:
    interview = factories.interview(api)
    person = factories.contact(api, full_name="Maya")
    referral = factories.referral(api, person["id"])
    produced = {"produced_referral_id": referral["id"], "produced_interview_id": interview["id"]}
    body = {"interview_id": interview["id"], "category": "to_connect", "text": "Maya", **produced}
    created = api.post(URL, json=body)
    assert created.status_code == 201
    note = created.json()
    assert (note["produced_referral_id"], note["produced_interview_id"]) == (None, None)
    url = f"{URL}/{note['id']}"
    patched = api.patch(url, json={**produced, "text": "Maya Okafor"})
    assert patched.status_code == 200
    assert patched.json()["text"] == "Maya Okafor"
    assert (patched.json()["produced_referral_id"], patched.json()["produced_interview_id"]) == (
        None,
        None,
    )
    assert api.get(url).json() == patched.json()


# --- Quick capture -------------------------------------------------------------------------

CAPTURE = "/api/v1/interviews/{}/note-items/capture"


def capture(api: Api, interview_id: str, text: str, **body: Any) -> Any:
    return api.post(CAPTURE.format(interview_id), json={"text": text, **body})


BLOCK = (
    "- read: Thinking in Systems by Donella Meadows https://example.com/tis\n"
    "- connect: Maya Okafor\n"
    "\n"
    "* Follow-up: send Sam the battery report (due 2026-12-05)\n"
    "  mention the grant deadline\n"
    "1. todo: update my CV\n"
)
PARSED = [
    {
        "category": "to_read",
        "text": "Thinking in Systems",
        "due_date": None,
        "url": "https://example.com/tis",
        "author": "Donella Meadows",
    },
    {
        "category": "to_connect",
        "text": "Maya Okafor",
        "due_date": None,
        "url": None,
        "author": None,
    },
    {
        "category": "to_follow_up",
        "text": "send Sam the battery report\nmention the grant deadline",
        "due_date": "2026-12-05",
        "url": None,
        "author": None,
    },
    {"category": "to_do", "text": "update my CV", "due_date": None, "url": None, "author": None},
]


def test_capture_creates_one_item_per_entry_in_text_order(api: Api) -> None:
    interview = factories.interview(api)
    response = capture(api, interview["id"], BLOCK)
    assert response.status_code == 201, response.text
    items = response.json()["items"]
    assert [{k: item[k] for k in PARSED[0]} for item in items] == PARSED
    for item in items:
        assert item["interview_id"] == interview["id"]
        assert (item["status"], item["contact_id"], item["version"]) == ("open", None, 1)
        assert item["produced_referral_id"] is None
        assert api.get(f"{URL}/{item['id']}").json() == item
    detail = api.get(f"/api/v1/interviews/{interview['id']}").json()
    assert detail["note_items"] == items


def test_a_dry_run_shows_the_items_and_saves_nothing(api: Api) -> None:
    interview = factories.interview(api)
    response = capture(api, interview["id"], BLOCK, dry_run=True)
    assert response.status_code == 200
    lines = [1, 2, 4, 6]
    assert response.json() == {
        "items": [{"line": line, **item} for line, item in zip(lines, PARSED, strict=True)]
    }
    assert api.get(URL).json()["total"] == 0


def test_the_default_category_takes_a_first_line_without_a_prefix(api: Api) -> None:
    interview = factories.interview(api)
    response = capture(
        api, interview["id"], "Maya Okafor\nread: SICP", default_category="to_connect"
    )
    assert response.status_code == 201
    assert [(i["category"], i["text"]) for i in response.json()["items"]] == [
        ("to_connect", "Maya Okafor"),
        ("to_read", "SICP"),
    ]
    bad = capture(api, interview["id"], "x", default_category="to_eat")
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["default_category"]


def test_one_unreadable_line_and_nothing_is_saved(api: Api) -> None:
    interview = factories.interview(api)
    text = "Maya Okafor\ntodo: fine\ntodo: send it (due friday)\nread:"
    response = capture(api, interview["id"], text)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["detail"] == "Nothing was saved: 3 lines of the text could not be read."
    assert [(e["field"], e["location"], e["code"]) for e in problem["errors"]] == [
        ("text", "body", "no_category"),
        ("text", "body", "invalid_due_date"),
        ("text", "body", "empty"),
    ]
    assert problem["errors"][1]["reason"] == (
        "Line 3: 'friday' is not a due date; write it as YYYY-MM-DD, e.g. 2026-12-05."
    )
    assert [(p["line"], p["code"]) for p in problem["lines"]] == [
        (1, "no_category"),
        (3, "invalid_due_date"),
        (4, "empty"),
    ]
    assert problem["lines"][2]["reason"] == "This item has no text."
    assert api.get(URL).json()["total"] == 0
    # Nor with a dry run.
    assert capture(api, interview["id"], text, dry_run=True).status_code == 422


def test_capture_text_limits(api: Api) -> None:
    interview = factories.interview(api)
    for text in ("", "todo: " + "x" * 20_000, "todo: a\u0000b"):
        response = capture(api, interview["id"], text)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["text"]
    assert capture(api, interview["id"], "todo: " + "x" * 19_994).status_code == 201
    assert api.post(CAPTURE.format(interview["id"]), json={}).status_code == 422


def test_capture_into_another_users_interview_is_not_found(api: Api, other_api: Api) -> None:
    theirs = factories.interview(other_api)
    for interview_id in (theirs["id"], "0190a0a0-0000-7000-8000-00000000dead"):
        for dry_run in (False, True):
            response = capture(api, interview_id, "todo: sneaky", dry_run=dry_run)
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"
    # Unreadable text does not tell whether the interview exists.
    assert capture(api, theirs["id"], "no prefix").status_code == 404
    assert api.get(URL).json()["total"] == 0
    assert other_api.get(URL).json()["total"] == 0
