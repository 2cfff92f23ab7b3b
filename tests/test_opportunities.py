import uuid

from tests import factories
from tests.conftest import Api

URL = "/api/v1/opportunities"


def test_an_opportunity_links_a_contact_and_the_conversations_it_came_from(api: Api) -> None:
    org = factories.organization(api, name="Tidewater")
    maya = factories.contact(api, full_name="Maya", organization_id=org["id"])
    first = factories.interview(api, maya["id"])
    second = factories.interview(api, maya["id"])
    created = api.post(
        URL,
        json={
            "title": "Storage analyst",
            "contact_id": maya["id"],
            "organization_id": org["id"],
            "interview_ids": [second["id"], first["id"], first["id"]],
            "status": "in_discussion",
            "due_date": "2026-12-15",
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"{URL}/{body['id']}"
    assert body["kind"] == "job"
    assert body["status"] == "in_discussion"
    assert body["interview_ids"] == [first["id"], second["id"]]
    assert body["due_date"] == "2026-12-15"
    assert "owner_id" not in body
    assert api.get(f"{URL}/{body['id']}").json() == body
    assert factories.listing(api, URL) == [body]
    assert factories.listing(api, URL, interview_id=first["id"]) == [body]
    assert factories.listing(api, URL, contact_id=maya["id"], status="in_discussion") == [body]
    assert factories.listing(api, URL, status="offered") == []


def test_changing_the_links_moves_the_version(api: Api) -> None:
    maya = factories.contact(api, full_name="Maya")
    talk = factories.interview(api, maya["id"])
    body = api.post(URL, json={"title": "Consulting for Tidewater", "kind": "consulting"}).json()
    assert body["interview_ids"] == []
    changed = api.patch(
        f"{URL}/{body['id']}", json={"interview_ids": [talk["id"]]}, headers={"If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["interview_ids"] == [talk["id"]]
    assert changed.headers["etag"] == '"2"'
    stale = api.patch(
        f"{URL}/{body['id']}", json={"status": "offered"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    cleared = api.patch(f"{URL}/{body['id']}", json={"interview_ids": []})
    assert cleared.json()["interview_ids"] == []
    assert cleared.json()["version"] == 3


def test_deleting_an_interview_unlinks_it_and_a_contact_leaves_the_opportunity(api: Api) -> None:
    maya = factories.contact(api, full_name="Maya")
    talk = factories.interview(api, maya["id"])
    body = api.post(
        URL, json={"title": "Partnership", "contact_id": maya["id"], "interview_ids": [talk["id"]]}
    ).json()
    assert api.delete(f"/api/v1/contacts/{maya['id']}?cascade=true").status_code == 204
    after = api.get(f"{URL}/{body['id']}").json()
    assert after["interview_ids"] == []
    assert after["contact_id"] is None
    assert after["title"] == "Partnership"


def test_references_must_be_the_callers_own(api: Api, other_api: Api) -> None:
    theirs = factories.interview(other_api)
    refused = api.post(URL, json={"title": "Job", "interview_ids": [theirs["id"]]})
    assert refused.status_code == 404
    assert refused.json()["errors"][0]["field"] == "interview_ids"
    refused = api.post(URL, json={"title": "Job", "contact_id": theirs["contact_id"]})
    assert refused.status_code == 404
    assert refused.json()["errors"][0]["field"] == "contact_id"
    assert api.get(URL).json()["total"] == 0
    mine = api.post(URL, json={"title": "Job"}).json()
    assert other_api.get(f"{URL}/{mine['id']}").status_code == 404
    assert other_api.delete(f"{URL}/{mine['id']}").status_code == 404
    assert api.delete(f"{URL}/{mine['id']}").status_code == 204
    assert api.get(f"{URL}/{mine['id']}").status_code == 404


def test_a_retried_create_with_the_same_id_returns_the_first(api: Api) -> None:
    talk = factories.interview(api)
    body = {"id": str(uuid.uuid4()), "title": "Job"}
    body["interview_ids"] = [talk["id"]]
    first = api.post(URL, json=body)
    again = api.post(URL, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert again.json()["interview_ids"] == [talk["id"]]


def test_the_chain_shows_the_introductions_and_where_each_was_offered(api: Api) -> None:
    sam = factories.contact(api, full_name="Sam")
    maya = factories.contact(api, full_name="Maya")
    lee = factories.contact(api, full_name="Lee")
    with_sam = factories.interview(api, sam["id"])
    with_maya = factories.interview(api, maya["id"])
    direct = factories.referral(api, sam["id"], status="met")
    to_maya = factories.referral(
        api, maya["id"], from_contact_id=sam["id"], interview_id=with_sam["id"], status="met"
    )
    to_lee = factories.referral(
        api, lee["id"], from_contact_id=maya["id"], interview_id=with_maya["id"], context="mentor"
    )
    job = api.post(
        URL, json={"title": "Analyst", "contact_id": lee["id"], "interview_ids": [with_maya["id"]]}
    ).json()
    chain = api.get(f"{URL}/{job['id']}/chain")
    assert chain.status_code == 200, chain.text
    body = chain.json()
    assert body["contact_id"] == lee["id"]
    steps = body["steps"]
    assert [s["referral_id"] for s in steps] == [direct["id"], to_maya["id"], to_lee["id"]]
    assert [s["contact"]["full_name"] for s in steps] == ["Sam", "Maya", "Lee"]
    assert [s["introduced_by"]["id"] for s in steps] == [None, sam["id"], maya["id"]]
    assert [s["offered_in"] and s["offered_in"]["id"] for s in steps] == [
        None,
        with_sam["id"],
        with_maya["id"],
    ]
    assert steps[2]["context"] == "mentor"
    assert [i["id"] for i in body["interviews"]] == [with_maya["id"]]


def test_no_chain_without_a_contact_or_a_path(api: Api, other_api: Api) -> None:
    job = api.post(URL, json={"title": "Somewhere"}).json()
    body = api.get(f"{URL}/{job['id']}/chain").json()
    assert body == {
        "opportunity_id": job["id"], "contact_id": None, "steps": [], "interviews": []
    }  # fmt: skip
    stranger = factories.contact(api, full_name="Stranger")
    api.patch(f"{URL}/{job['id']}", json={"contact_id": stranger["id"]})
    assert api.get(f"{URL}/{job['id']}/chain").json()["steps"] == []
    assert other_api.get(f"{URL}/{job['id']}/chain").status_code == 404
