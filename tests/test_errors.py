"""Every error, wherever it comes from, is an RFC 9457 problem document."""

import json
from collections.abc import Iterator
from typing import Any

import httpx

from tests import factories
from tests.conftest import Api

PROBLEM = "application/problem+json"
CONTACTS = "/api/v1/contacts"
JSON_HEADERS = {"Content-Type": "application/json"}


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert isinstance(problem["title"], str)
    assert problem["title"]
    return problem


def max_body_bytes(api: Api) -> int:
    app: Any = api.client.app
    limit: int = app.state.settings.max_body_bytes
    return limit


def padded_contact(size: int) -> bytes:
    """A valid contact create body of exactly `size` bytes (JSON allows trailing blanks)."""
    body = json.dumps({"full_name": "Padded"}).encode()
    return body + b" " * (size - len(body))


def test_unknown_route_is_a_404_problem(api: Api) -> None:
    for method, url in (("GET", "/api/v1/nope"), ("POST", "/api/v1/nope"), ("GET", "/nope")):
        problem = assert_problem(api.request(method, url), 404)
        assert problem == {
            "type": "https://nexthop.invalid/problems/not_found",
            "title": "Not Found",
            "status": 404,
            "detail": "Not Found",
        }


def test_unknown_resource_is_a_404_problem(api: Api) -> None:
    missing = "01900000-0000-7000-8000-000000000000"
    problem = assert_problem(api.get(f"{CONTACTS}/{missing}"), 404)
    assert problem["type"] == "https://nexthop.invalid/problems/not_found"
    assert missing in problem["detail"]


def test_malformed_json_is_a_422_problem(api: Api) -> None:
    for raw in (b'{"full_name": "Ada"', b"{bad json}", b'{"full_name": "Ada",}'):
        response = api.post(CONTACTS, content=raw, headers=JSON_HEADERS)
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["code"] == "json_invalid"
        assert problem["errors"][0]["location"] == "body"
    not_an_object = assert_problem(api.post(CONTACTS, json=["full_name"]), 422)
    assert not_an_object["errors"][0]["location"] == "body"
    assert api.get(CONTACTS).json()["total"] == 0


def test_body_over_the_limit_is_a_413_problem(api: Api) -> None:
    assert max_body_bytes(api) == 1_048_576
    response = api.post(CONTACTS, content=padded_contact(2 * 1_048_576), headers=JSON_HEADERS)
    problem = assert_problem(response, 413)
    assert problem["type"] == "https://nexthop.invalid/problems/payload_too_large"
    assert problem["detail"] == "The request body is over the limit of 1048576 bytes."
    assert api.get(CONTACTS).json()["total"] == 0


def test_body_at_the_limit_is_accepted_and_one_byte_more_is_not(api: Api) -> None:
    limit = max_body_bytes(api)
    at_limit = api.post(CONTACTS, content=padded_contact(limit), headers=JSON_HEADERS)
    assert at_limit.status_code == 201, at_limit.text
    over = api.post(CONTACTS, content=padded_contact(limit + 1), headers=JSON_HEADERS)
    assert_problem(over, 413)
    assert api.get(CONTACTS).json()["total"] == 1


def test_chunked_body_over_the_limit_is_a_413_problem(api: Api) -> None:
    """Without Content-Length the size is only known while reading; still a 413."""

    def chunks() -> Iterator[bytes]:
        body = padded_contact(2 * 1_048_576)
        for start in range(0, len(body), 65_536):
            yield body[start : start + 65_536]

    response = api.post(CONTACTS, content=chunks(), headers=JSON_HEADERS)
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    problem = assert_problem(response, 413)
    assert problem["type"] == "https://nexthop.invalid/problems/payload_too_large"
    assert api.get(CONTACTS).json()["total"] == 0


def test_small_chunked_body_is_accepted(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"full_name": '
        yield b'"Chunky"}'

    response = api.post(CONTACTS, content=chunks(), headers=JSON_HEADERS)
    assert response.status_code == 201, response.text
    assert response.json()["full_name"] == "Chunky"


def test_wrong_method_is_a_405_problem_listing_the_allowed_ones(api: Api) -> None:
    person = factories.contact(api)
    # HEAD wherever GET is (backend.head_requests).
    for method, url, allowed in (
        ("PUT", CONTACTS, {"GET", "HEAD", "POST"}),
        ("DELETE", CONTACTS, {"GET", "HEAD", "POST"}),
        ("PUT", f"{CONTACTS}/{person['id']}", {"GET", "HEAD", "PATCH", "DELETE"}),
        ("POST", f"{CONTACTS}/{person['id']}", {"GET", "HEAD", "PATCH", "DELETE"}),
    ):
        response = api.request(method, url, json={"full_name": "X"})
        problem = assert_problem(response, 405)
        assert problem["title"] == "Method Not Allowed"
        assert {m.strip() for m in response.headers["allow"].split(",")} == allowed, (
            method,
            url,
        )
    assert api.get(CONTACTS).json()["total"] == 1


def test_invalid_uuid_in_the_path_is_a_422_naming_the_path(api: Api) -> None:
    for url in (f"{CONTACTS}/not-a-uuid", "/api/v1/interviews/123", "/api/v1/note-items/x"):
        problem = assert_problem(api.get(url), 422)
        issue = problem["errors"][0]
        assert issue["location"] == "path", url
        assert issue["code"] == "uuid_parsing"
    problem = assert_problem(api.patch(f"{CONTACTS}/nope", json={"title": "x"}), 422)
    assert problem["errors"][0] == {
        "field": "contact_id",
        "location": "path",
        "reason": problem["errors"][0]["reason"],
        "code": "uuid_parsing",
    }


def test_invalid_query_parameter_is_a_422_naming_the_query(api: Api) -> None:
    problem = assert_problem(api.get(CONTACTS, params={"limit": 0}), 422)
    assert problem["errors"][0]["field"] == "limit"
    assert problem["errors"][0]["location"] == "query"
    problem = assert_problem(api.get(CONTACTS, params={"sort": "shoe_size"}), 422)
    assert problem["errors"][0]["field"] == "sort"
