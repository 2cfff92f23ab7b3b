"""The lists across all interviews: one category's items, each with its conversation."""

import base64
from typing import Any

import orjson
import pytest

from tests import factories
from tests.conftest import Api

LISTS = "/api/v1/lists"


def texts(api: Api, category: str, **params: Any) -> list[str]:
    return [n["text"] for n in factories.listing(api, f"{LISTS}/{category}", **params)]


def forged(payload: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def two_conversations(api: Api) -> dict[str, Any]:
    sam = factories.contact(api, full_name="Sam Rivera")
    lee = factories.contact(api, full_name="Lee Park")
    with_sam = factories.interview(
        api, sam["id"], status="scheduled", scheduled_at="2026-12-03T08:30:00Z"
    )
    with_lee = factories.interview(api, lee["id"])
    return {"sam": sam, "lee": lee, "with_sam": with_sam, "with_lee": with_lee}


def test_each_item_comes_with_its_conversation(api: Api) -> None:
    c = two_conversations(api)
    note = factories.note_item(
        api, c["with_sam"]["id"], category="to_follow_up", text="Send the report"
    )
    factories.note_item(api, c["with_sam"]["id"], category="to_do", text="Other category")
    page = api.get(f"{LISTS}/to_follow_up")
    assert page.status_code == 200
    assert page.headers["content-type"] == "application/json"
    assert page.json() == {
        "items": [
            {
                **note,
                "context": {
                    "interview_id": c["with_sam"]["id"],
                    "interviewee": {"id": c["sam"]["id"], "full_name": "Sam Rivera"},
                    "scheduled_at": "2026-12-03T08:30:00Z",
                },
            }
        ],
        "next_cursor": None,
        "total": 1,
    }


def test_reading_names_who_recommended_it(api: Api) -> None:
    c = two_conversations(api)
    first = factories.note_item(
        api,
        c["with_lee"]["id"],
        category="to_read",
        text="Thinking in Systems",
        author="Donella Meadows",
    )
    second = factories.note_item(
        api, c["with_sam"]["id"], category="to_read", text="The grid report"
    )
    items = factories.listing(api, f"{LISTS}/to_read")
    assert [(i["id"], i["recommended_by"]) for i in items] == [
        (first["id"], "Lee Park"),
        (second["id"], "Sam Rivera"),
    ]
    assert items[0]["author"] == "Donella Meadows"
    assert items[0]["context"] == {
        "interview_id": c["with_lee"]["id"],
        "interviewee": {"id": c["lee"]["id"], "full_name": "Lee Park"},
        "scheduled_at": None,
    }
    # Only the reading list says who recommended something.
    factories.note_item(api, c["with_lee"]["id"], category="to_look_up", text="LFP cells")
    [looked_up] = factories.listing(api, f"{LISTS}/to_look_up")
    assert "recommended_by" not in looked_up


def test_open_by_default_done_on_request(api: Api) -> None:
    c = two_conversations(api)
    for text, status in (("a", "open"), ("b", "done"), ("c", "open"), ("d", "done")):
        factories.note_item(
            api, c["with_sam"]["id"], category="to_think_about", text=text, status=status
        )
    assert texts(api, "to_think_about") == ["a", "c"]
    assert texts(api, "to_think_about", status="open") == ["a", "c"]
    assert texts(api, "to_think_about", status="done") == ["b", "d"]
    assert api.get(f"{LISTS}/to_think_about", params={"status": "done"}).json()["total"] == 2
    assert texts(api, "to_connect") == []
    assert api.get(f"{LISTS}/to_connect").json() == {"items": [], "next_cursor": None, "total": 0}


def test_across_interviews_in_the_order_they_were_noted(api: Api) -> None:
    c = two_conversations(api)
    for i, interview in enumerate(["with_sam", "with_lee", "with_sam", "with_lee", "with_sam"]):
        factories.note_item(api, c[interview]["id"], category="to_connect", text=f"n{i}")
    expected = ["n0", "n1", "n2", "n3", "n4"]
    assert texts(api, "to_connect") == expected
    for limit in (1, 2, 3):
        walked = factories.walk(api, f"{LISTS}/to_connect", limit=limit)
        assert [n["text"] for n in walked] == expected
    page = api.get(f"{LISTS}/to_connect", params={"limit": 2}).json()
    assert (len(page["items"]), page["total"]) == (2, 5)
    assert page["next_cursor"] is not None


def test_to_do_by_due_date_undated_last_then_as_noted(api: Api) -> None:
    c = two_conversations(api)
    for text, due, interview in [
        ("late", "2026-12-20", "with_sam"),
        ("undated 1", None, "with_lee"),
        ("soon 1", "2026-12-05", "with_lee"),
        ("first", "2026-12-01", "with_sam"),
        ("undated 2", None, "with_sam"),
        ("soon 2", "2026-12-05", "with_sam"),
    ]:
        factories.note_item(api, c[interview]["id"], category="to_do", text=text, due_date=due)
    expected = ["first", "soon 1", "soon 2", "late", "undated 1", "undated 2"]
    assert texts(api, "to_do") == expected
    for limit in (1, 2, 4):
        walked = factories.walk(api, f"{LISTS}/to_do", limit=limit)
        assert [n["text"] for n in walked] == expected


def test_page_size_is_clamped_not_refused(api: Api) -> None:
    c = two_conversations(api)
    for text in ("a", "b", "c"):
        factories.note_item(api, c["with_sam"]["id"], category="to_read", text=text)
    page = api.get(f"{LISTS}/to_read", params={"limit": 100_000})
    assert page.status_code == 200
    assert [n["text"] for n in page.json()["items"]] == ["a", "b", "c"]
    assert api.get(f"{LISTS}/to_read", params={"limit": 0}).status_code == 422


def test_unknown_category_or_status_is_refused(api: Api) -> None:
    for url, params, field in (
        (f"{LISTS}/to_eat", {}, "category"),
        (f"{LISTS}/read", {}, "category"),
        (f"{LISTS}/to_read", {"status": "half"}, "status"),
    ):
        response = api.get(url, params=params)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == [field]


def cursor_of(api: Api, category: str, **params: Any) -> str:
    cursor = api.get(f"{LISTS}/{category}", params={"limit": 1, **params}).json()["next_cursor"]
    assert isinstance(cursor, str)
    return cursor


def test_a_cursor_only_works_in_its_own_list(api: Api) -> None:
    c = two_conversations(api)
    for category in ("to_do", "to_read"):
        for status in ("open", "open", "done", "done"):
            factories.note_item(
                api, c["with_sam"]["id"], category=category, text="x", status=status
            )
    to_do, to_read = cursor_of(api, "to_do"), cursor_of(api, "to_read")
    done = cursor_of(api, "to_read", status="done")
    for category, cursor, params in (
        ("to_read", to_do, {}),
        ("to_do", to_read, {}),
        ("to_read", done, {}),
        ("to_read", to_read, {"status": "done"}),
    ):
        response = api.get(f"{LISTS}/{category}", params={"cursor": cursor, **params})
        assert response.status_code == 422
        [issue] = response.json()["errors"]
        assert (issue["field"], issue["location"], issue["code"]) == (
            "cursor",
            "query",
            "invalid_cursor",
        )
    assert api.get(f"{LISTS}/to_read", params={"cursor": done, "status": "done"}).status_code == 200


ROW = "0190a0a0-0000-7000-8000-0000000000aa"
WHEN = "2026-12-01T10:00:00+00:00"


@pytest.mark.parametrize(
    ("category", "cursor"),
    [
        ("to_read", "garbage!"),
        ("to_read", "e30"),  # {}
        ("to_read", forged([])),
        ("to_read", forged(["to_read:open", ROW])),
        ("to_read", forged(["to_read:open", WHEN, WHEN, ROW])),
        ("to_read", forged(["to_read:open", None, ROW])),
        ("to_read", forged(["to_read:open", "2026-12-01T10:00:00", ROW])),
        ("to_read", forged(["to_read:open", "yesterday", ROW])),
        ("to_read", forged(["to_read:open", 1733047200, ROW])),
        ("to_read", forged(["to_read:open", WHEN, "not-a-uuid"])),
        ("to_read", forged(["to_read:open", WHEN, 7])),
        ("to_read", forged(["to_read:open", "2026-12-01\u0000", ROW])),
        ("to_do", forged(["to_do:open", WHEN, ROW])),
        ("to_do", forged(["to_do:open", "2026-13-01", WHEN, ROW])),
        ("to_do", forged(["to_do:open", None, None, ROW])),
        ("to_do", forged(["to_do:open", 20261201, WHEN, ROW])),
    ],
)
def test_forged_cursors_are_refused(api: Api, category: str, cursor: str) -> None:
    response = api.get(f"{LISTS}/{category}", params={"cursor": cursor})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["cursor"]


def test_well_formed_cursors_resume_after_their_position(api: Api) -> None:
    c = two_conversations(api)
    factories.note_item(api, c["with_sam"]["id"], category="to_do", text="undated", due_date=None)
    response = api.get(
        f"{LISTS}/to_do", params={"cursor": forged(["to_do:open", "2026-12-01", WHEN, ROW])}
    )
    assert response.status_code == 200
    # An undated item sorts after any date; after the last undated one there is nothing.
    assert [n["text"] for n in response.json()["items"]] == ["undated"]
    last = forged(["to_do:open", None, "2999-01-01T00:00:00+00:00", ROW])
    assert api.get(f"{LISTS}/to_do", params={"cursor": last}).json()["items"] == []


def test_another_users_items_never_show(api: Api, other_api: Api) -> None:
    theirs = two_conversations(other_api)
    factories.note_item(other_api, theirs["with_sam"]["id"], category="to_read", text="Theirs")
    mine = two_conversations(api)
    factories.note_item(api, mine["with_lee"]["id"], category="to_read", text="Mine")
    assert texts(api, "to_read") == ["Mine"]
    assert api.get(f"{LISTS}/to_read").json()["total"] == 1
    assert texts(other_api, "to_read") == ["Theirs"]
    # Their cursor is only a position: it shows me nothing of theirs.
    factories.note_item(other_api, theirs["with_sam"]["id"], category="to_read", text="More")
    their_cursor = cursor_of(other_api, "to_read")
    page = api.get(f"{LISTS}/to_read", params={"cursor": their_cursor})
    assert page.status_code == 200
    assert "Theirs" not in page.text
    assert "More" not in page.text


def test_notes_of_a_deleted_interview_leave_the_list(api: Api) -> None:
    c = two_conversations(api)
    factories.note_item(api, c["with_sam"]["id"], category="to_do", text="Sam's")
    factories.note_item(api, c["with_lee"]["id"], category="to_do", text="Lee's")
    url = f"/api/v1/interviews/{c['with_sam']['id']}"
    assert api.delete(url, params={"cascade": "true"}).status_code == 204
    assert texts(api, "to_do") == ["Lee's"]
