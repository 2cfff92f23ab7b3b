"""Plain functions that create rows through the API and return their JSON."""

from typing import Any

from tests.conftest import Api


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def organization(api: Api, **fields: Any) -> dict[str, Any]:
    return _created(api.post("/api/v1/organizations", json={"name": "Acme", **fields}))


def contact(api: Api, **fields: Any) -> dict[str, Any]:
    return _created(api.post("/api/v1/contacts", json={"full_name": "Ada Lovelace", **fields}))


def interview(api: Api, contact_id: str | None = None, **fields: Any) -> dict[str, Any]:
    contact_id = contact_id or contact(api)["id"]
    return _created(api.post("/api/v1/interviews", json={"contact_id": contact_id, **fields}))


def note_item(api: Api, interview_id: str | None = None, **fields: Any) -> dict[str, Any]:
    interview_id = interview_id or interview(api)["id"]
    body = {"interview_id": interview_id, "category": "to_do", "text": "Send the deck", **fields}
    return _created(api.post("/api/v1/note-items", json=body))


def referral(api: Api, to_contact_id: str, **fields: Any) -> dict[str, Any]:
    return _created(api.post("/api/v1/referrals", json={"to_contact_id": to_contact_id, **fields}))


def listing(api: Api, url: str, **params: Any) -> list[dict[str, Any]]:
    """The items of one list page (as large as allowed), asserting the list answered 200."""
    response = api.get(url, params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def walk(api: Api, url: str, *, limit: int, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list, fetched page by page through `next_cursor`."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        page_params = {"limit": limit, **params}
        if cursor is not None:
            page_params["cursor"] = cursor
        response = api.get(url, params=page_params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination never ended")
