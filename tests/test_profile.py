"""The profile (one per user, made on first write) and its public share link."""

import re
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from backend.profiles import page, service
from backend.profiles.models import SharedProfile
from tests.conftest import Api

URL = "/api/v1/profile"
SHARE = "/api/v1/profile/share-link"
BASE = "http://testserver"

DEFAULTS = {
    "focus_areas": [],
    "learn_from": None,
    "values": None,
    "situation": None,
    "ask": None,
    "share_url": None,
    "share_created_at": None,
    "version": 0,
    "created_at": None,
    "updated_at": None,
}
FULL = {
    "focus_areas": ["climate", "grid storage"],
    "learn_from": "People who build storage projects",
    "values": "Curiosity, candour",
    "situation": "I left Somecompany after 7 years and am planning my next steps.",
    "ask": "I'm looking to talk to people about how grid storage gets built.",
}


def anonymous(api: Api, url: str) -> httpx.Response:
    """A request with no credentials at all."""
    client: TestClient = api.client
    client.cookies.clear()
    return client.get(url)


def token_of(share_url: str) -> str:
    found = re.fullmatch(re.escape(BASE) + r"/share/([A-Za-z0-9_-]{43})", share_url)
    assert found, share_url
    return found.group(1)


def share(api: Api, **kwargs: Any) -> dict[str, Any]:
    response = api.post(SHARE, **kwargs)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# --- The profile ---------------------------------------------------------------------------------


def test_a_new_user_reads_defaults_at_version_zero(api: Api) -> None:
    response = api.get(URL)
    assert response.status_code == 200
    assert response.headers["etag"] == '"0"'
    assert response.json() == DEFAULTS


def test_the_first_patch_makes_the_profile_and_later_ones_change_only_what_they_name(
    api: Api,
) -> None:
    created = api.patch(URL, json=FULL)
    assert created.status_code == 200, created.text
    assert created.headers["etag"] == '"1"'
    body = created.json()
    assert {k: body[k] for k in FULL} == FULL
    assert body["version"] == 1
    assert body["share_url"] is None
    assert body["created_at"] == body["updated_at"]
    assert body["created_at"].endswith("Z")
    assert set(body) == set(DEFAULTS)
    assert api.get(URL).json() == body

    changed = api.patch(URL, json={"ask": "Coffee about batteries?", "values": None})
    assert changed.status_code == 200
    assert changed.headers["etag"] == '"2"'
    assert changed.json() == {
        **body,
        "ask": "Coffee about batteries?",
        "values": None,
        "version": 2,
        "updated_at": changed.json()["updated_at"],
    }
    assert changed.json()["updated_at"] >= body["updated_at"]


def test_focus_areas_are_tags_trimmed_and_deduplicated(api: Api) -> None:
    response = api.patch(URL, json={"focus_areas": [" Climate ", "climate", "grid  storage"]})
    assert response.json()["focus_areas"] == ["Climate", "grid storage"]
    for bad, field in [
        ({"focus_areas": "climate"}, "focus_areas"),
        ({"focus_areas": [""]}, "focus_areas.0"),
        ({"ask": "nul \x00 byte"}, "ask"),
        ({"situation": 5}, "situation"),
    ]:
        refused = api.patch(URL, json=bad)
        assert refused.status_code == 422, bad
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert api.get(URL).json()["version"] == 1


def test_an_empty_patch_writes_nothing(api: Api) -> None:
    response = api.patch(URL, json={})
    assert response.status_code == 200
    assert response.json() == DEFAULTS
    assert api.get(URL).headers["etag"] == '"0"'


def test_if_match_guards_every_write_including_the_first(api: Api) -> None:
    assert api.patch(URL, json={"ask": "a"}, headers={"If-Match": '"1"'}).status_code == 412
    # Something unparsable never matches, not even the version 0 of a profile not yet written.
    assert api.patch(URL, json={"ask": "a"}, headers={"If-Match": "garbage"}).status_code == 412
    assert api.post(SHARE, headers={"If-Match": '"3"'}).status_code == 412
    assert api.get(URL).json() == DEFAULTS
    first = api.patch(URL, json={"ask": "a"}, headers={"If-Match": '"0"'})
    assert first.status_code == 200
    stale = api.patch(URL, json={"ask": "b"}, headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["current_version"] == 1
    assert api.patch(URL, json={"ask": "b"}, headers={"If-Match": 'W/"1"'}).status_code == 200
    assert api.patch(URL, json={"ask": "c"}, headers={"If-Match": "*"}).status_code == 200
    assert api.delete(SHARE, headers={"If-Match": '"1"'}).status_code == 412
    assert api.get(URL).json()["ask"] == "c"


def test_a_first_write_that_loses_the_race_updates_the_winners_row(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert api.patch(URL, json={"ask": "winner"}).status_code == 200
    real = service._row
    reads: list[int] = []

    def stale_first_read(session: Any, owner: Any) -> dict[str, Any] | None:
        # As if this request read before the winner's insert committed.
        reads.append(1)
        return None if len(reads) == 1 else real(session, owner)

    monkeypatch.setattr(service, "_row", stale_first_read)
    response = api.patch(URL, json={"situation": "loser"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["ask"], body["situation"], body["version"]) == ("winner", "loser", 2)
    # Had it said the profile must not exist yet, it is refused instead.
    reads.clear()
    refused = api.patch(URL, json={"situation": "x"}, headers={"If-Match": '"0"'})
    assert refused.status_code == 412
    monkeypatch.undo()
    assert api.get(URL).json()["situation"] == "loser"


def test_profiles_are_per_user(api: Api, other_api: Api) -> None:
    api.patch(URL, json=FULL)
    assert other_api.get(URL).json() == DEFAULTS
    other_api.patch(URL, json={"ask": "Theirs"})
    assert api.get(URL).json()["ask"] == FULL["ask"]
    assert other_api.get(URL).json()["ask"] == "Theirs"


# --- The share link ------------------------------------------------------------------------------


def test_sharing_gives_a_link_that_shows_only_what_is_shared(api: Api) -> None:
    api.patch(URL, json=FULL)
    shared = share(api)
    assert "share_token" not in shared
    assert shared["version"] == 2
    assert shared["share_created_at"] is not None
    token = token_of(shared["share_url"])
    assert api.get(URL).json()["share_url"] == shared["share_url"]

    public = anonymous(api, f"/api/v1/shared/{token}")
    assert public.status_code == 200, public.text
    assert public.json() == {
        "display_name": "Test user",
        "ask": FULL["ask"],
        "situation": FULL["situation"],
        "focus_areas": FULL["focus_areas"],
        "learn_from": FULL["learn_from"],
    }
    assert public.headers["cache-control"] == "no-store"
    assert public.headers["referrer-policy"] == "no-referrer"
    assert public.headers["x-robots-tag"] == "noindex"
    assert str(api.user_id) not in public.text
    assert "@" not in public.text


def test_sharing_before_any_write_makes_the_profile(api: Api) -> None:
    shared = share(api, headers={"If-Match": '"0"'})
    assert shared["version"] == 1
    token = token_of(shared["share_url"])
    public = anonymous(api, f"/api/v1/shared/{token}")
    assert public.json() == {
        "display_name": "Test user",
        "ask": None,
        "situation": None,
        "focus_areas": [],
        "learn_from": None,
    }


def test_sharing_again_replaces_the_link_and_revoking_ends_it(api: Api) -> None:
    first = token_of(share(api)["share_url"])
    second = token_of(share(api)["share_url"])
    assert first != second
    assert anonymous(api, f"/api/v1/shared/{first}").status_code == 404
    assert anonymous(api, f"/api/v1/shared/{second}").status_code == 200
    assert anonymous(api, f"/share/{first}").status_code == 404

    revoked = api.delete(SHARE)
    assert revoked.status_code == 204
    gone = anonymous(api, f"/api/v1/shared/{second}")
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"
    assert gone.headers["cache-control"] == "no-store"
    assert anonymous(api, f"/share/{second}").status_code == 404
    profile = api.get(URL)
    assert profile.json()["share_url"] is None
    assert profile.json()["share_created_at"] is None
    assert profile.headers["etag"] == '"3"'
    # Revoking when nothing is shared changes nothing.
    assert api.delete(SHARE).status_code == 204
    assert api.get(URL).headers["etag"] == '"3"'


def test_revoking_before_any_write_makes_nothing(api: Api) -> None:
    assert api.delete(SHARE, headers={"If-Match": '"0"'}).status_code == 204
    assert api.get(URL).json() == DEFAULTS


def test_another_user_can_neither_see_nor_end_my_link(api: Api, other_api: Api) -> None:
    api.patch(URL, json={"ask": "Mine"})
    token = token_of(share(api)["share_url"])
    assert other_api.get(URL).json() == DEFAULTS
    assert other_api.delete(SHARE).status_code == 204
    theirs = token_of(share(other_api)["share_url"])
    assert theirs != token
    assert anonymous(api, f"/api/v1/shared/{token}").json()["ask"] == "Mine"
    assert anonymous(api, f"/api/v1/shared/{theirs}").json()["ask"] is None
    assert api.get(URL).json()["share_url"] == f"{BASE}/share/{token}"


@pytest.mark.parametrize(
    "token",
    ["unknown", "x" * 43, "a" * 65, "x.y" * 10, "abc%00def" + "x" * 30, "%F0%9F%92%A5" * 8],
)
def test_unknown_tokens_are_404_whatever_they_look_like(api: Api, token: str) -> None:
    for url in (f"/api/v1/shared/{token}", f"/share/{token}"):
        response = anonymous(api, url)
        assert response.status_code == 404, (url, response.text)
        assert response.headers["cache-control"] == "no-store"


def test_the_share_page_escapes_everything_and_carries_the_privacy_headers(api: Api) -> None:
    api.patch(
        URL,
        json={
            "ask": "<script>alert('x')</script> & more\n\nSecond \"paragraph\"",
            "focus_areas": ["<b>bold</b>"],
            "learn_from": "line one\nline <two>",
        },
    )
    token = token_of(share(api)["share_url"])
    response = anonymous(api, f"/share/{token}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-robots-tag"] == "noindex"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    assert "<script" not in html
    assert "<b>" not in html
    assert "style" not in html
    assert "<p>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more</p>" in html
    assert "<p>Second &quot;paragraph&quot;</p>" in html
    assert "<li>&lt;b&gt;bold&lt;/b&gt;</li>" in html
    assert "<p>line one<br>\nline &lt;two&gt;</p>" in html
    assert "<h1>Test user</h1>" in html


def test_the_unknown_link_page_is_html_too(api: Api) -> None:
    response = anonymous(api, "/share/" + "y" * 43)
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["x-robots-tag"] == "noindex"
    assert "<h1>This link is not active</h1>" in response.text


def test_the_public_json_route_is_documented_as_needing_no_credentials(api: Api) -> None:
    schema = api.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/shared/{share_token}"]["get"]
    assert operation["security"] == []
    assert operation["operationId"] == "profile-shared"
    assert not any(path.startswith("/share/") for path in schema["paths"])
    assert schema["paths"]["/api/v1/profile"]["get"]["security"] != []


# --- The page, as a pure function -----------------------------------------------------------------


def test_render_page_shows_only_the_sections_that_have_something() -> None:
    html = page.render_page(SharedProfile(display_name="Ada <Byron>", ask="Coffee?"))
    assert "<title>Ada &lt;Byron&gt; · Nexthop</title>" in html
    assert "<h2>What I am looking for</h2>\n<p>Coffee?</p>" in html
    assert "Where I am" not in html
    assert "curious" not in html
    assert "learn from" not in html
    bare = page.render_page(SharedProfile(display_name="Ada", ask="  ", focus_areas=[]))
    assert "<section>" not in bare


def test_paragraphs_split_on_blank_lines() -> None:
    assert page.paragraphs("a\r\nb\n \n\nc") == "<p>a<br>\nb</p>\n<p>c</p>"
