from typing import Any

from tests import factories
from tests.conftest import Api

URL = "/api/v1/referrals"
MISSING = "01900000-0000-7000-8000-000000000000"


def edges(api: Api, **params: Any) -> list[tuple[str | None, str]]:
    return [
        (r["from_contact_id"], r["to_contact_id"]) for r in factories.listing(api, URL, **params)
    ]


def test_direct_edge_has_no_referrer(api: Api) -> None:
    friend = factories.contact(api, full_name="Friend")
    created = api.post(URL, json={"to_contact_id": friend["id"], "context": "Old classmate"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"{URL}/{body['id']}"
    assert created.headers["etag"] == '"1"'
    assert body["from_contact_id"] is None
    assert body["to_contact_id"] == friend["id"]
    assert body["interview_id"] is None
    assert body["status"] == "offered"
    assert body["context"] == "Old classmate"
    assert "owner_id" not in body
    assert api.get(f"{URL}/{body['id']}").json() == body


def test_edge_via_a_contact_in_an_interview(api: Api) -> None:
    host = factories.contact(api, full_name="Host")
    friend = factories.contact(api, full_name="Friend")
    interview = factories.interview(api, host["id"])
    body = factories.referral(
        api,
        friend["id"],
        from_contact_id=host["id"],
        interview_id=interview["id"],
        status="introduced",
    )
    assert body["from_contact_id"] == host["id"]
    assert body["to_contact_id"] == friend["id"]
    assert body["interview_id"] == interview["id"]
    assert body["status"] == "introduced"


def test_a_contact_cannot_refer_the_user_to_themself(api: Api) -> None:
    person = factories.contact(api)
    response = api.post(URL, json={"from_contact_id": person["id"], "to_contact_id": person["id"]})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "to_contact_id"
    assert api.get(URL).json()["total"] == 0


def test_duplicate_edges_are_refused(api: Api) -> None:
    host = factories.contact(api, full_name="Host")
    friend = factories.contact(api, full_name="Friend")
    via = factories.referral(api, friend["id"], from_contact_id=host["id"])
    direct = factories.referral(api, friend["id"])

    again_via = api.post(URL, json={"from_contact_id": host["id"], "to_contact_id": friend["id"]})
    assert again_via.status_code == 409
    assert again_via.json()["existing_id"] == via["id"]
    assert again_via.json()["errors"][0]["field"] == "to_contact_id"
    again_direct = api.post(URL, json={"to_contact_id": friend["id"], "context": "again"})
    assert again_direct.status_code == 409
    assert again_direct.json()["existing_id"] == direct["id"]
    assert api.get(URL).json()["total"] == 2

    # The reverse direction is a different edge.
    reverse = api.post(URL, json={"from_contact_id": friend["id"], "to_contact_id": host["id"]})
    assert reverse.status_code == 201
    assert api.get(URL).json()["total"] == 3


def test_another_user_may_record_the_same_shape_of_edge(api: Api, other_api: Api) -> None:
    mine = factories.contact(api)
    theirs = factories.contact(other_api)
    factories.referral(api, mine["id"])
    factories.referral(other_api, theirs["id"])
    assert edges(api) == [(None, mine["id"])]
    assert edges(other_api) == [(None, theirs["id"])]


def test_both_ends_and_the_interview_must_be_ones_own(api: Api, other_api: Api) -> None:
    mine = factories.contact(api, full_name="Mine")
    theirs = factories.contact(other_api, full_name="Theirs")
    their_interview = factories.interview(other_api, theirs["id"])
    cases = [
        ({"to_contact_id": theirs["id"]}, "to_contact_id"),
        ({"to_contact_id": MISSING}, "to_contact_id"),
        ({"from_contact_id": theirs["id"], "to_contact_id": mine["id"]}, "from_contact_id"),
        ({"from_contact_id": mine["id"], "to_contact_id": theirs["id"]}, "to_contact_id"),
        ({"to_contact_id": mine["id"], "interview_id": their_interview["id"]}, "interview_id"),
    ]
    for body, field in cases:
        response = api.post(URL, json=body)
        assert response.status_code == 404, body
        assert response.json()["errors"][0]["field"] == field, body
        assert "Theirs" not in response.text
    assert api.get(URL).json()["total"] == 0
    assert api.post(URL, json={}).status_code == 422


def test_list_filters(api: Api) -> None:
    ada = factories.contact(api, full_name="Ada")
    bob = factories.contact(api, full_name="Bob")
    cy = factories.contact(api, full_name="Cy")
    interview = factories.interview(api, ada["id"])
    factories.referral(api, ada["id"], context="Met at a meetup")
    factories.referral(api, bob["id"], from_contact_id=ada["id"], interview_id=interview["id"])
    factories.referral(api, cy["id"], from_contact_id=bob["id"], status="met")
    factories.referral(api, ada["id"], from_contact_id=cy["id"], status="declined")

    ab, bc, ca = (ada["id"], bob["id"]), (bob["id"], cy["id"]), (cy["id"], ada["id"])
    assert edges(api) == [(None, ada["id"]), ab, bc, ca]
    assert edges(api, sort="-created_at") == [ca, bc, ab, (None, ada["id"])]
    assert edges(api, direct=True) == [(None, ada["id"])]
    assert edges(api, direct=False) == [ab, bc, ca]
    assert edges(api, contact_id=ada["id"]) == [(None, ada["id"]), ab, ca]
    assert edges(api, contact_id=bob["id"]) == [ab, bc]
    assert edges(api, from_contact_id=bob["id"]) == [bc]
    assert edges(api, to_contact_id=ada["id"]) == [(None, ada["id"]), ca]
    assert edges(api, status="met") == [bc]
    assert edges(api, status=["offered", "declined"]) == [(None, ada["id"]), ab, ca]
    assert edges(api, interview_id=interview["id"]) == [ab]
    assert edges(api, q="MEETUP") == [(None, ada["id"])]
    assert edges(api, direct=False, contact_id=ada["id"], status="declined") == [ca]
    assert api.get(URL, params={"direct": "false"}).json()["total"] == 3
    assert api.get(URL, params={"status": "bogus"}).status_code == 422


def test_status_and_context_change_via_patch(api: Api) -> None:
    friend = factories.contact(api)
    referral = factories.referral(api, friend["id"])
    url = f"{URL}/{referral['id']}"
    introduced = api.patch(url, json={"status": "introduced", "context": "Emailed both"})
    assert introduced.status_code == 200
    assert introduced.headers["etag"] == '"2"'
    body = introduced.json()
    assert body["status"] == "introduced"
    assert body["context"] == "Emailed both"
    assert body["version"] == 2
    assert body["to_contact_id"] == friend["id"]
    assert api.get(url).json() == body
    assert api.patch(url, json={"status": "married"}).status_code == 422
    assert api.patch(url, json={"status": None}).status_code == 422
    assert api.get(url).json()["version"] == 2


def test_patch_interview_must_be_ones_own(api: Api, other_api: Api) -> None:
    friend = factories.contact(api)
    referral = factories.referral(api, friend["id"])
    url = f"{URL}/{referral['id']}"
    theirs = factories.interview(other_api)
    refused = api.patch(url, json={"interview_id": theirs["id"]})
    assert refused.status_code == 404
    assert refused.json()["errors"][0]["field"] == "interview_id"
    mine = factories.interview(api)
    linked = api.patch(url, json={"interview_id": mine["id"]})
    assert linked.status_code == 200
    assert linked.json()["interview_id"] == mine["id"]


def test_delete(api: Api, other_api: Api) -> None:
    friend = factories.contact(api)
    referral = factories.referral(api, friend["id"])
    url = f"{URL}/{referral['id']}"
    assert other_api.delete(url).status_code == 404
    assert other_api.get(url).status_code == 404
    assert api.delete(url, headers={"If-Match": '"7"'}).status_code == 412
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert api.delete(url).status_code == 404
    assert api.get(URL).json()["total"] == 0
    # The contacts are untouched, and the same edge may be recorded again.
    assert api.get(f"/api/v1/contacts/{friend['id']}").status_code == 200
    factories.referral(api, friend["id"])
