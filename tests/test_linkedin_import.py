"""LinkedIn's Connections.csv: the pure reader and merge plan, then the import through HTTP."""

import codecs
import random
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from backend.config import Settings
from backend.main import create_app
from backend.transfer import service
from backend.transfer.drafts import Draft, ParsedFile, RowIssue
from backend.transfer.linkedin import parse_connected_on, parse_linkedin
from backend.transfer.merge import (
    MatchedBy,
    RowStatus,
    Saved,
    SavedContact,
    ordered_ids,
    plan_import,
)
from backend.transfer.textfile import MAX_RECORDS, FileProblem
from tests import factories
from tests.conftest import Api, new_user

DATA = Path(__file__).parent / "data"
URL = "/api/v1/imports/linkedin"
PROBLEM = "application/problem+json"
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def upload(api: Api, data: bytes, mode: str | None = None, url: str = URL) -> httpx.Response:
    params = {"mode": mode} if mode else {}
    return api.post(url, params=params, files={"file": ("Connections.csv", data, "text/csv")})


def imported(api: Api, data: bytes, mode: str | None = None) -> dict[str, Any]:
    response = upload(api, data, mode)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


def everything(api: Api) -> dict[str, list[dict[str, Any]]]:
    return {
        kind: factories.listing(api, f"/api/v1/{kind}")
        for kind in ("contacts", "organizations", "referrals")
    }


# --- Reading the file (pure) ---------------------------------------------------------------


def test_a_current_export_is_read_past_its_notes_with_row_numbers() -> None:
    parsed = parse_linkedin(fixture("linkedin_connections.csv"))
    assert [d.row for d in parsed.drafts] == [5, 6, 7, 8, 9]
    maya, sam, jose, priya, li = parsed.drafts
    assert maya == Draft(
        row=5,
        full_name="Maya Okafor",
        email="maya@tidewater.example",
        linkedin_url="https://www.linkedin.com/in/maya-okafor-4b2a1c",
        organization="Tidewater Energy",
        title="Head of Grid Storage",
        how_we_met="Connected on LinkedIn on 2024-03-15",
        connected_on=date(2024, 3, 15),
    )
    assert (sam.email, sam.organization, sam.connected_on) == (
        None,
        "Tidewater Energy",
        date(2024, 2, 2),
    )
    assert jose.full_name == "José Müller"
    assert jose.organization == "Grün & Partner, GmbH"
    assert jose.title == 'Senior Consultant, "Energy Transition"'
    assert priya.organization == "tidewater energy"
    assert (li.organization, li.title) == (None, None)
    # A member who hides their name: reported, not imported; blank trailing rows: ignored.
    assert parsed.invalid == [
        RowIssue(10, "First Name", "and Last Name are both empty", "missing", None)
    ]
    assert parsed.ignored_columns == []


def test_an_older_export_without_url_and_notes_is_read_too() -> None:
    parsed = parse_linkedin(fixture("linkedin_connections_no_url.csv"))
    assert [(d.row, d.full_name, d.email, d.linkedin_url) for d in parsed.drafts] == [
        (2, "Maya Okafor", "maya@tidewater.example", None),
        (3, "Grace Hopper", None, None),
        (4, "Alan Turing", "alan@bletchley.example", None),
    ]
    assert [d.connected_on for d in parsed.drafts] == [
        date(2019, 3, 15),
        date(2018, 12, 9),
        date(2018, 6, 23),
    ]
    assert parsed.invalid == []


def test_bom_crlf_and_utf16_read_the_same_as_plain_utf8() -> None:
    plain = "Notes:\nsomething\n\n" + HEADER + "\nAda,Lovelace,,,,,10 Dec 2020\n"
    expected = parse_linkedin(plain.encode()).drafts
    assert expected[0].full_name == "Ada Lovelace"
    assert expected[0].row == 5
    for data in (
        codecs.BOM_UTF8 + plain.encode(),
        plain.replace("\n", "\r\n").encode(),
        plain.encode("utf-16"),  # with its BOM, as Excel's "Unicode text" writes it
    ):
        assert parse_linkedin(data).drafts == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 Mar 2024", date(2024, 3, 15)),
        ("5 Jan 2020", date(2020, 1, 5)),
        ("15-Mar-2024", date(2024, 3, 15)),
        ("15 March 2024", date(2024, 3, 15)),
        ("2024-03-15", date(2024, 3, 15)),
    ],
)
def test_connected_on_dates(text: str, expected: date) -> None:
    assert parse_connected_on(text) == expected


@pytest.mark.parametrize("text", ["Mar 15 2024", "31 Feb 2024", "15 Foo 2024", "yesterday"])
def test_what_is_not_a_date_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a date|out of range"):
        parse_connected_on(text)


def test_bad_cells_make_their_row_invalid_and_long_ones_are_shortened() -> None:
    long_position = "Chief " + "Very " * 60 + "Officer"
    rows = [
        HEADER,
        "Ada,Lovelace,https://www.linkedin.com/in/ada,not-an-email,,,01 Jan 2020",
        "Alan,Turing,javascript:alert(1),,,,01 Jan 2020",
        "Grace,Hopper,,,,,sometime in 2020",
        f'Edsger,Dijkstra,www.linkedin.com/in/ewd,,=HYPERLINK("x"),{long_position},01 Jan 2020',
    ]
    parsed = parse_linkedin("\n".join(rows).encode())
    assert parsed.invalid == [
        RowIssue(2, "Email Address", "is not an email address", "invalid", "Ada Lovelace"),
        RowIssue(3, "URL", "is not an http(s) address", "invalid", "Alan Turing"),
        RowIssue(4, "Connected On", "is not a date like 15 Mar 2024", "invalid", "Grace Hopper"),
    ]
    (edsger,) = parsed.drafts
    assert edsger.linkedin_url == "https://www.linkedin.com/in/ewd"
    assert edsger.organization == '=HYPERLINK("x")'  # kept as text; escaped on CSV export
    assert edsger.title is not None
    assert len(edsger.title) == 200
    assert edsger.title.endswith("…")
    assert edsger.warnings == ["Position shortened to 200 characters"]


@pytest.mark.parametrize(
    ("data", "code", "line"),
    [
        (b"", "empty", None),
        (b"   \r\n\r\n", "empty", None),
        (b"Name,Phone\nAda,123\n", "missing_header", None),
        ((HEADER + "\nJos\xe9,M\xfcller,,,,,01 Jan 2020\n").encode("latin-1"), "encoding", 2),
        (HEADER.encode() + b"\nAda,\x00Lovelace,,,,,\n", "binary", 2),
        (b"\xff\xfe\x00\xd8" + b"x", "encoding", 1),
        ((HEADER + '\nAda,"' + "x" * 200_000 + '",,,,,\n').encode(), "malformed_csv", 2),
    ],
    ids=["empty", "blank", "no header", "latin-1", "nul", "broken utf-16", "huge cell"],
)
def test_unreadable_files_say_why_and_where(data: bytes, code: str, line: int | None) -> None:
    with pytest.raises(FileProblem) as caught:
        parse_linkedin(data)
    assert (caught.value.code, caught.value.line) == (code, line)


def test_the_header_is_searched_for_only_so_far() -> None:
    notes = "Notes:\n" * 49
    assert parse_linkedin((notes + HEADER + "\nAda,Lovelace\n").encode()).drafts[0].row == 51
    with pytest.raises(FileProblem) as caught:
        parse_linkedin(("Notes:\n" * 50 + HEADER + "\nAda,Lovelace\n").encode())
    assert caught.value.code == "missing_header"


def test_a_file_past_the_row_limit_is_refused() -> None:
    rows = "\n".join(["Ada,Lovelace"] * (MAX_RECORDS + 1))
    with pytest.raises(FileProblem) as caught:
        parse_linkedin(f"{HEADER}\n{rows}\n".encode())
    assert caught.value.code == "too_many_rows"
    assert caught.value.line == MAX_RECORDS + 2


# --- The merge plan (pure) -----------------------------------------------------------------


def ids() -> Iterator[uuid.UUID]:
    for n in range(1, 1000):
        yield uuid.UUID(int=n)


def plan(drafts: list[Draft], saved: Saved, direct: bool = True) -> Any:
    counter = ids()
    parsed = ParsedFile(drafts=drafts, invalid=[])
    return plan_import(parsed, saved, direct_edges=direct, new_id=lambda: next(counter))


MAYA = uuid.UUID(int=1000)
ACME = uuid.UUID(int=2000)


def test_profiles_match_in_normal_form_then_emails_ignoring_case() -> None:
    saved = Saved(
        contacts=[
            SavedContact(MAYA, "Maya Okafor", linkedin_url="http://LinkedIn.com/in/Maya-Okafor/"),
            SavedContact(uuid.UUID(int=1001), "Sam L", email="Sam@Example.test"),
        ]
    )
    result = plan(
        [
            Draft(5, "Maya Okafor", linkedin_url="https://www.linkedin.com/in/maya-okafor?trk=x"),
            Draft(6, "Sam Lindqvist", email="sam@example.TEST", title="Engineer"),
        ],
        saved,
    )
    maya, sam = result.rows
    assert (maya.status, maya.matched_by, maya.contact_id) == (
        RowStatus.matched,
        MatchedBy.linkedin_url,
        MAYA,
    )
    assert (sam.status, sam.matched_by, sam.changes, sam.differences) == (
        RowStatus.matched,
        MatchedBy.email,
        ["title", "referral"],
        ["full_name"],
    )
    assert result.contacts == []
    assert result.updates == [(uuid.UUID(int=1001), {"title": "Engineer"})]


def test_matches_fill_only_empty_fields_and_make_no_unneeded_organization() -> None:
    saved = Saved(
        contacts=[
            SavedContact(
                MAYA, "Maya Okafor", email="maya@old.example", title="Engineer",
                linkedin_url="https://linkedin.com/in/maya", organization_id=ACME,
                how_we_met="At a meetup",
            )
        ],
        organizations={"acme": ACME},
        direct={MAYA},
    )  # fmt: skip
    draft = Draft(
        5, "Maya Okafor", email="maya@new.example", linkedin_url="https://linkedin.com/in/maya",
        organization="Tidewater", title="Head of Storage", how_we_met="Connected on LinkedIn",
    )  # fmt: skip
    result = plan([draft], saved)
    (row,) = result.rows
    assert row.changes == []
    # how_we_met differs too, but LinkedIn's own line about it is no news worth reporting.
    assert row.differences == ["email", "organization_id", "title"]
    assert result.organizations == []
    assert result.updates == []
    assert result.referrals == []


def test_a_new_person_gets_an_organization_by_name_and_a_direct_edge() -> None:
    saved = Saved(contacts=[], organizations={"tidewater energy": ACME})
    result = plan(
        [
            Draft(5, "Maya Okafor", organization="TIDEWATER  energy", how_we_met="Connected"),
            Draft(6, "Sam Lindqvist", organization="Grün GmbH", how_we_met="Connected"),
            Draft(7, "Priya Raman", organization="grün gmbh", how_we_met="Connected"),
        ],
        saved,
    )
    assert [r.status for r in result.rows] == [RowStatus.new] * 3
    # Ids in the order drawn: Maya 1 and her edge 2; the organization 3, Sam 4, his edge 5…
    grun = uuid.UUID(int=3)
    assert [(o.id, o.name, o.name_key) for o in result.organizations] == [
        (grun, "Grün GmbH", "grün gmbh")
    ]
    assert [c["organization_id"] for c in result.contacts] == [ACME, grun, grun]
    assert [(r["to_contact_id"], r["context"]) for r in result.referrals] == [
        (c["id"], "Connected") for c in result.contacts
    ]
    assert result.contacts[0] == {
        "id": uuid.UUID(int=1), "full_name": "Maya Okafor", "name_key": "maya okafor",
        "email": None, "phone": None, "linkedin_url": None, "organization_id": ACME,
        "title": None, "location": None, "tags": [], "how_we_met": "Connected", "notes": None,
        "status": "identified", "next_follow_up": None,
    }  # fmt: skip


def test_the_same_person_twice_in_a_file_is_skipped_after_the_first() -> None:
    saved = Saved(contacts=[SavedContact(MAYA, "Maya Okafor", email="maya@x.example")])
    result = plan(
        [
            Draft(2, "Sam", linkedin_url="https://linkedin.com/in/sam"),
            Draft(3, "Sam again", linkedin_url="https://www.linkedin.com/in/SAM/"),
            Draft(4, "Maya", email="maya@x.example"),
            Draft(5, "Maya twice", email="MAYA@x.example"),
        ],
        saved,
    )
    assert [(r.row, r.status, r.reason) for r in result.rows] == [
        (2, RowStatus.new, None),
        (3, RowStatus.skipped, "The same person as row 2."),
        (4, RowStatus.matched, None),
        (5, RowStatus.skipped, "The same person as row 4."),
    ]
    assert len(result.contacts) == 1


def test_without_profile_or_email_people_match_by_name_one_to_one() -> None:
    first, second = uuid.UUID(int=1001), uuid.UUID(int=1002)
    saved = Saved(
        contacts=[SavedContact(first, "John Smith"), SavedContact(second, "john  SMITH")],
        direct={first, second},
    )
    drafts = [Draft(n, "John Smith") for n in (2, 3, 4)]
    result = plan(drafts, saved)
    assert [(r.status, r.contact_id, r.matched_by) for r in result.rows] == [
        (RowStatus.matched, first, MatchedBy.full_name),
        (RowStatus.matched, second, MatchedBy.full_name),
        (RowStatus.new, uuid.UUID(int=1), None),
    ]
    # With an email, a name alone is not enough.
    other = plan([Draft(2, "John Smith", email="js@x.example")], saved)
    assert other.rows[0].status == RowStatus.new


def test_ordered_ids_only_grow_and_are_version_7() -> None:
    new_id = ordered_ids(reseed_every=3)
    made = [new_id() for _ in range(20)]
    assert made == sorted(made)
    assert len(set(made)) == 20
    assert {i.version for i in made} == {7}


# --- Through the API -----------------------------------------------------------------------


def test_preview_writes_nothing_and_says_what_would_happen(api: Api) -> None:
    report = imported(api, fixture("linkedin_connections.csv"))
    assert report["format"] == "linkedin"
    assert (report["mode"], report["committed"]) == ("preview", False)
    assert report["summary"] == {
        "rows": 6, "new": 5, "matched": 0, "skipped": 0, "invalid": 1,
        "contacts_created": 5, "contacts_updated": 0, "organizations_created": 2,
        "referrals_created": 5,
    }  # fmt: skip
    assert report["organizations"] == [
        {"name": "Tidewater Energy", "id": None},
        {"name": "Grün & Partner, GmbH", "id": None},
    ]
    assert [(r["row"], r["status"], r["full_name"], r["contact_id"]) for r in report["rows"]] == [
        (5, "new", "Maya Okafor", None),
        (6, "new", "Sam Lindqvist", None),
        (7, "new", "José Müller", None),
        (8, "new", "Priya Raman", None),
        (9, "new", "Li Wei", None),
        (10, "invalid", None, None),
    ]
    assert report["rows"][5] == {
        "row": 10, "status": "invalid", "full_name": None, "contact_id": None,
        "matched_by": None, "changes": [], "differences": [], "field": "First Name",
        "reason": "First Name and Last Name are both empty.", "code": "missing", "warnings": [],
    }  # fmt: skip
    assert everything(api) == {"contacts": [], "organizations": [], "referrals": []}


def test_commit_creates_contacts_organizations_and_direct_edges(api: Api) -> None:
    report = imported(api, fixture("linkedin_connections.csv"), "commit")
    assert (report["mode"], report["committed"]) == ("commit", True)
    made = {r["full_name"]: r["contact_id"] for r in report["rows"] if r["status"] == "new"}
    data = everything(api)
    orgs = {o["name"]: o for o in data["organizations"]}
    assert sorted(orgs) == ["Grün & Partner, GmbH", "Tidewater Energy"]
    assert {o["name"]: o["id"] for o in report["organizations"]} == {
        name: org["id"] for name, org in orgs.items()
    }
    assert orgs["Tidewater Energy"]["tags"] == []
    assert orgs["Tidewater Energy"]["version"] == 1
    contacts = {c["full_name"]: c for c in data["contacts"]}
    assert {name: c["id"] for name, c in contacts.items()} == made
    maya = contacts["Maya Okafor"]
    assert {k: v for k, v in maya.items() if k not in ("id", "created_at", "updated_at")} == {
        "full_name": "Maya Okafor", "email": "maya@tidewater.example", "phone": None,
        "linkedin_url": "https://www.linkedin.com/in/maya-okafor-4b2a1c",
        "organization_id": orgs["Tidewater Energy"]["id"], "title": "Head of Grid Storage",
        "location": None, "tags": [], "how_we_met": "Connected on LinkedIn on 2024-03-15",
        "notes": None, "status": "identified", "next_follow_up": None, "version": 1,
    }  # fmt: skip
    assert maya["created_at"] == maya["updated_at"]
    assert contacts["Priya Raman"]["organization_id"] == orgs["Tidewater Energy"]["id"]
    assert contacts["Li Wei"]["organization_id"] is None
    edges = {e["to_contact_id"]: e for e in data["referrals"]}
    assert set(edges) == set(made.values())
    assert {(e["from_contact_id"], e["status"], e["interview_id"]) for e in edges.values()} == {
        (None, "met", None)
    }
    assert edges[maya["id"]]["context"] == "Connected on LinkedIn on 2024-03-15"
    # The ids follow the file's order, so "newest first" lists show the file backwards.
    assert sorted(made.values()) == list(made.values())
    # Imported people are 1st-degree contacts to the rest of the app.
    direct = api.get("/api/v1/referrals", params={"direct": "true", "limit": 1}).json()
    assert direct["total"] == 5


def test_importing_the_same_file_again_changes_nothing(api: Api) -> None:
    data = fixture("linkedin_connections.csv")
    imported(api, data, "commit")
    before = everything(api)
    again = imported(api, data, "commit")
    assert again["summary"] == {
        "rows": 6, "new": 0, "matched": 5, "skipped": 0, "invalid": 1,
        "contacts_created": 0, "contacts_updated": 0, "organizations_created": 0,
        "referrals_created": 0,
    }  # fmt: skip
    assert {(r["matched_by"], tuple(r["changes"])) for r in again["rows"][:5]} == {
        ("linkedin_url", ())
    }
    assert everything(api) == before
    # An older export of the same people (no URLs) matches them by email, else by name.
    older = imported(api, fixture("linkedin_connections_no_url.csv"), "commit")
    assert [(r["full_name"], r["status"], r["matched_by"]) for r in older["rows"]] == [
        ("Maya Okafor", "matched", "email"),
        ("Grace Hopper", "new", None),
        ("Alan Turing", "new", None),
    ]
    assert (
        imported(api, fixture("linkedin_connections_no_url.csv"), "commit")["summary"]["matched"]
        == 3
    )


def test_people_already_saved_are_merged_not_duplicated(api: Api) -> None:
    maya = factories.contact(
        api, full_name="Maya O.", linkedin_url="http://LinkedIn.com/in/Maya-Okafor-4b2a1c/",
        title="Storage lead", tags=["climate"],
    )  # fmt: skip
    report = imported(api, fixture("linkedin_connections.csv"), "commit")
    assert report["rows"][0] == {
        "row": 5, "status": "matched", "full_name": "Maya Okafor", "contact_id": maya["id"],
        "matched_by": "linkedin_url",
        "changes": ["email", "organization_id", "how_we_met", "referral"],
        "differences": ["full_name", "title"], "field": None, "reason": None, "code": None,
        "warnings": [],
    }  # fmt: skip
    after = api.get(f"/api/v1/contacts/{maya['id']}").json()
    organization = after["organization_id"]
    assert after == maya | {
        "email": "maya@tidewater.example", "organization_id": organization,
        "how_we_met": "Connected on LinkedIn on 2024-03-15", "version": 2,
        "updated_at": after["updated_at"],
    }  # fmt: skip
    assert api.get(f"/api/v1/organizations/{organization}").json()["name"] == "Tidewater Energy"
    assert report["summary"]["contacts_created"] == 4
    assert report["summary"]["contacts_updated"] == 1
    assert report["summary"]["referrals_created"] == 5
    assert len(factories.listing(api, "/api/v1/contacts")) == 5


def test_without_profile_or_email_a_saved_namesake_is_matched(api: Api) -> None:
    grace = factories.contact(api, full_name="Grace  Hopper", notes="Met at the conference")
    direct = factories.referral(api, grace["id"], status="introduced")
    # With a profile in the file, a name alone is not enough: this Sam is someone new.
    sam = factories.contact(api, full_name="Sam Lindqvist")
    older = imported(api, fixture("linkedin_connections_no_url.csv"), "commit")
    assert older["rows"][1] | {"contact_id": None} == {
        "row": 3, "status": "matched", "full_name": "Grace Hopper", "contact_id": None,
        "matched_by": "full_name", "changes": ["organization_id", "title", "how_we_met"],
        "differences": [], "field": None, "reason": None, "code": None, "warnings": [],
    }  # fmt: skip
    assert older["rows"][1]["contact_id"] == grace["id"]
    assert api.get(f"/api/v1/referrals/{direct['id']}").json() == direct  # kept as it was
    current = imported(api, fixture("linkedin_connections.csv"), "commit")
    assert (current["rows"][1]["status"], current["rows"][1]["full_name"]) == (
        "new",
        "Sam Lindqvist",
    )
    assert current["rows"][1]["contact_id"] != sam["id"]


def test_another_users_contacts_are_never_matched_or_touched(api: Api, other_api: Api) -> None:
    data = fixture("linkedin_connections.csv")
    imported(api, data, "commit")
    mine = everything(api)
    theirs = imported(other_api, data, "commit")
    assert theirs["summary"]["new"] == 5
    assert theirs["summary"]["organizations_created"] == 2
    assert everything(api) == mine
    their_ids = {c["id"] for c in everything(other_api)["contacts"]}
    assert their_ids.isdisjoint(c["id"] for c in mine["contacts"])
    assert their_ids == {r["contact_id"] for r in theirs["rows"] if r["status"] == "new"}


def test_a_commit_that_fails_midway_writes_nothing(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    factories.contact(api, full_name="Sam Lindqvist")  # an update is planned for him
    before = everything(api)
    monkeypatch.setattr(service, "_update_contacts", broken)
    with pytest.raises(RuntimeError, match="the disk is full"):
        upload(api, fixture("linkedin_connections.csv"), "commit")
    assert everything(api) == before


def assert_file_problem(response: httpx.Response, code: str, line: int | None) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422
    assert problem["type"] == "https://nexthop.invalid/problems/unprocessable"
    (issue,) = problem["errors"]
    assert (issue["field"], issue["location"], issue["code"]) == ("file", "body", code)
    assert issue["reason"] == problem["detail"]
    assert problem.get("line") == line


def test_an_unreadable_file_is_a_422_problem_with_the_line(api: Api) -> None:
    latin1 = (HEADER + "\r\nJos\xe9,M\xfcller,,,,,01 Jan 2020\r\n").encode("latin-1")
    response = upload(api, latin1, "commit")
    assert_file_problem(response, "encoding", 2)
    assert "Line 2 is not UTF-8 text" in response.json()["detail"]
    assert_file_problem(upload(api, b"Name,Phone\nAda,1\n"), "missing_header", None)
    assert everything(api)["contacts"] == []


def test_a_request_without_a_file_is_refused(api: Api) -> None:
    response = api.post(URL, data={"other": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    assert api.post(URL, params={"mode": "apply"}, files={"file": ("a", b"x")}).status_code == 422


HOSTILE = {
    "random bytes": random.Random(7).randbytes(20_000),
    "zip archive": b"PK\x03\x04" + bytes(range(256)) * 20,
    "utf-16 without bom": (HEADER + "\nAda,Lovelace\n").encode("utf-16-le"),
    "only a header": HEADER.encode(),
    "a million commas": HEADER.encode() + b"\n" + b"," * 1_000_000,
    "an unclosed quote": (HEADER + '\nAda,"Lovelace\n' + "x\n" * 1000).encode(),
    "a 2 MB line": (HEADER + "\nAda," + "x" * 2_000_000 + "\n").encode(),
    "a surrogate's bytes": HEADER.encode() + b"\nAda,Love\xed\xb3\xbflace\n",
    "formulas": (HEADER + '\n=cmd|" /C calc"!A0,@SUM(1),+1,-1,=1+1,,01 Jan 2020\n').encode(),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_never_cause_a_server_error(api: Api, name: str) -> None:
    response = upload(api, HOSTILE[name], "commit")
    assert response.status_code in (200, 422), response.text[:500]
    if response.status_code == 422:
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["errors"][0]["field"] == "file"


def test_a_hundred_thousand_rows_are_refused_before_anything_is_written(api: Api) -> None:
    rows = "\n".join(f"Person,{i},https://www.linkedin.com/in/p{i}" for i in range(100_000))
    response = upload(api, f"{HEADER}\n{rows}\n".encode(), "commit")
    assert_file_problem(response, "too_many_rows", MAX_RECORDS + 2)
    assert everything(api)["contacts"] == []


def test_ten_thousand_connections_import_in_one_go(api: Api) -> None:
    lines = [HEADER] + [
        f"First{i},Last{i},https://www.linkedin.com/in/first{i}-last{i}-{i:08x},,"
        f"Company {i % 500},Senior Software Engineer,01 Jan 2024"
        for i in range(10_000)
    ]
    data = ("\r\n".join(lines) + "\r\n").encode()
    assert len(data) > 1_048_576  # over the limit for other bodies, under the import limit
    report = imported(api, data, "commit")
    assert report["summary"]["contacts_created"] == 10_000
    assert report["summary"]["organizations_created"] == 500
    page = api.get("/api/v1/contacts", params={"limit": 1}).json()
    assert page["total"] == 10_000
    assert api.get("/api/v1/referrals", params={"limit": 1}).json()["total"] == 10_000


def test_files_over_the_configured_limit_get_413(settings: Settings, engine: Engine) -> None:
    small = settings.model_copy(update={"max_import_bytes": 4096})
    with TestClient(create_app(small, engine)) as client:
        api = Api(client, new_user(engine))
        big = (HEADER + "\n" + "Ada,Lovelace\n" * 400).encode()
        response = upload(api, big, "commit")
        assert response.status_code == 413
        assert response.headers["content-type"] == PROBLEM
        assert "4096 bytes" in response.json()["detail"]
        assert upload(api, fixture("linkedin_connections.csv")).status_code == 200
