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
