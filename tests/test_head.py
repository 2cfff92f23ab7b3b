"""HEAD answers on every GET path as GET does, without the body (uptime monitors, `curl -I`)."""

import re
import uuid
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import create_engine

from backend.config import Settings
from backend.main import create_app
from tests import factories
from tests.conftest import Api


def _get_paths() -> list[str]:
    # The app's own route list (an engine that never connects: routes are all we read).
    app = create_app(Settings(_env_file=None), engine=create_engine("sqlite://"))  # type: ignore[call-arg]
    paths = [c.path for c in iter_route_contexts(app.routes) if "GET" in (c.methods or ())]
    return [path for path in paths if path is not None]


GET_PATHS = _get_paths()
# Files under the static mount, which Starlette serves.
STATIC = ["/static/app.js", "/static/index.html", "/static/no-such-file.js"]
# Headers that differ between any two requests.
PER_REQUEST = {"date", "x-request-id"}


@pytest.fixture
def path_params(api: Api) -> dict[str, str]:
    """A real value for each path parameter, so the routes answer 200, not only 404."""
    organization = factories.organization(api)
    contact = factories.contact(api, organization_id=organization["id"])
    interview = factories.interview(api, contact["id"])
    note = factories.note_item(api, interview["id"])
    referral = factories.referral(api, contact["id"])
    opportunity = api.post("/api/v1/opportunities", json={"title": "Analyst"}).json()
    share = api.post("/api/v1/profile/share-link").json()
    feed = api.post("/api/v1/calendar/feed").json()
    return {
        "organization_id": organization["id"],
        "contact_id": contact["id"],
        "interview_id": interview["id"],
        "note_id": note["id"],
        "referral_id": referral["id"],
        "opportunity_id": opportunity["id"],
        "share_token": share["share_url"].rsplit("/", 1)[1],
        "feed_token": feed["url"].rsplit("/", 1)[1].removesuffix(".ics"),
        "category": "to_do",
        "kind": "outreach",
        "path": "contacts",
    }


def filled(path: str, params: dict[str, str]) -> str:
    # An unknown parameter (a webhook's id) gets an id nobody has: 404 for both methods.
    return re.sub(
        r"\{([^}:]+)(:[^}]+)?\}", lambda m: params.get(m.group(1), str(uuid.uuid4())), path
    )


def comparable(response: Any) -> tuple[int, dict[str, str]]:
    headers = {k: v for k, v in response.headers.items() if k not in PER_REQUEST}
    return response.status_code, headers


def test_every_get_path_answers_head_with_the_same_status_and_headers(
    api: Api, path_params: dict[str, str]
) -> None:
    assert len(GET_PATHS) > 50  # the route list was read
    answered = {}
    for path in [*GET_PATHS, *STATIC]:
        url = filled(path, path_params)
        got = api.get(url)
        head = api.request("HEAD", url)
        assert comparable(head) == comparable(got), url
        assert head.content == b"", url
        answered[path] = got.status_code
    # Not just 404s: the pages, the static files and the resources themselves answer.
    for path in ("/", "/app/{path:path}", "/healthz", "/static/app.js", "/api/v1/contacts",
                 "/api/v1/contacts/{contact_id}", "/share/{share_token}",
                 "/api/v1/calendar/{feed_token}.ics", "/api/v1/exports/backup"):  # fmt: skip
        assert answered[path] == 200, path


def test_a_head_is_logged_as_a_head_of_its_route(
    api: Api, path_params: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    share = filled("/share/{share_token}", path_params)
    with caplog.at_level("INFO", logger="nexthop.access"):
        assert api.request("HEAD", "/healthz").status_code == 200
        assert api.request("HEAD", share).status_code == 200
    logged = [(r.method, r.path, r.route) for r in caplog.records if r.name == "nexthop.access"]
    # The share link's token stays out of the log, as for a GET.
    assert logged == [
        ("HEAD", "/healthz", "/healthz"),
        ("HEAD", "/share/{share_token}", "/share/{share_token}"),
    ]


def test_a_wrong_method_lists_head_where_get_is_allowed(api: Api) -> None:
    response = api.request("PUT", "/healthz")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
