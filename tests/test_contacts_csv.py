"""The contacts CSV: writing and reading it (pure), then export and import through HTTP."""

import csv
import io
import uuid
from datetime import date
from typing import Any

import httpx
import pytest

from backend.contacts.models import ContactStatus
from backend.transfer.contacts_csv import (
    BOM,
    COLUMNS,
    escape_cell,
    parse_contacts_csv,
    write_contacts_csv,
)
from backend.transfer.drafts import Draft, RowIssue, unescape_formula
from backend.transfer.textfile import FileProblem
from tests import factories
from tests.conftest import Api

EXPORT = "/api/v1/exports/contacts.csv"
IMPORT = "/api/v1/imports/contacts-csv"
PROBLEM = "application/problem+json"


def upload(api: Api, data: bytes, mode: str | None = None) -> httpx.Response:
    params = {"mode": mode} if mode else {}
    return api.post(IMPORT, params=params, files={"file": ("contacts.csv", data, "text/csv")})


def imported(api: Api, data: bytes, mode: str | None = None) -> dict[str, Any]:
    response = upload(api, data, mode)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def exported(api: Api) -> bytes:
    response = api.get(EXPORT)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return response.content


def table(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM), newline="")))


# --- Writing and reading (pure) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("\rcarriage", "'\rcarriage"),
        ("plain = fine", "plain = fine"),
        ("'quoted already", "'quoted already"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_escaped_and_read_back(value: str, written: str) -> None:
    assert escape_cell(value) == written
    assert unescape_formula(written) == value


def test_the_writer_uses_bom_crlf_documented_columns_and_joined_tags() -> None:
    text = write_contacts_csv(
        [
            {
                "id": "0193", "full_name": "Maya Okafor", "tags": ["climate", "storage"],
                "notes": 'Line one\nline "two", three', "phone": "+1 555 0100",
                "status": "met", "organization": "Tidewater, Inc.",
            },
            {"id": "0194", "full_name": "=1+1"},
        ]
    )  # fmt: skip
    assert text.startswith(BOM + ",".join(COLUMNS) + "\r\n")
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))
    assert rows[1] == [
        "0193", "Maya Okafor", "", "'+1 555 0100", "", "Tidewater, Inc.", "", "",
        "climate; storage", "met", "", "", 'Line one\nline "two", three', "", "",
    ]  # fmt: skip
    assert rows[2][:2] == ["0194", "'=1+1"]


def test_what_is_written_reads_back_the_same() -> None:
    contact = {
        "id": "0190a0a0-0000-7000-8000-000000000001", "full_name": "José Müller",
        "email": "jose@example.test", "phone": "+49 30 1234", "organization": "Grün GmbH",
        "linkedin_url": "https://www.linkedin.com/in/jose", "title": "-Consultant-",
        "location": "Berlin", "tags": ["energy", "=risky"], "status": "keep_in_touch",
        "next_follow_up": "2026-12-05", "how_we_met": "@the meetup", "notes": "a\nb",
    }  # fmt: skip
    parsed = parse_contacts_csv(write_contacts_csv([contact]).encode())
    assert parsed.invalid == []
    assert parsed.ignored_columns == []
    assert parsed.drafts == [
        Draft(
            row=2, full_name="José Müller", email="jose@example.test", phone="+49 30 1234",
            linkedin_url="https://www.linkedin.com/in/jose", organization="Grün GmbH",
            title="-Consultant-", location="Berlin", tags=["energy", "=risky"],
            how_we_met="@the meetup", notes="a\nb", status=ContactStatus.keep_in_touch,
            next_follow_up=date(2026, 12, 5),
            contact_id=uuid.UUID("0190a0a0-0000-7000-8000-000000000001"),
        )
    ]  # fmt: skip


def test_spreadsheet_csvs_with_other_spellings_and_semicolons_are_read() -> None:
    data = (
        "Name;Company;E-mail Address;Job Title;Birthday\r\n"
        "Ada Lovelace;Analytical;ada@x.example;Countess;1815\r\n"
    )
    parsed = parse_contacts_csv(data.encode("utf-8-sig"))
    assert parsed.ignored_columns == ["Birthday"]
    (ada,) = parsed.drafts
    assert (ada.full_name, ada.organization, ada.email, ada.title) == (
        "Ada Lovelace",
        "Analytical",
        "ada@x.example",
        "Countess",
    )


def test_bad_cells_make_their_row_invalid() -> None:
    rows = [
        "full_name,email,status,next_follow_up,id,tags",
        "Ada,ada@x.example,friend,,,",
        "Alan,,met,05/12/2026,,",
        "Grace,,,,not-a-uuid,",
        "Edsger,,,,," + ";".join(f"t{i}" for i in range(51)),
        ",orphan@x.example,,,,",
        "Barbara,,met,2026-12-05,,a; b ;A",
    ]
    parsed = parse_contacts_csv("\n".join(rows).encode())
    assert [(i.row, i.field, i.code) for i in parsed.invalid] == [
        (2, "status", "invalid"),
        (3, "next_follow_up", "invalid"),
        (4, "id", "invalid"),
        (5, "tags", "too_long"),
        (6, "full_name", "missing"),
    ]
    assert parsed.invalid[0] == RowIssue(
        2,
        "status",
        "is not one of identified, reached_out, scheduled, met, keep_in_touch, dormant",
        "invalid",
        "Ada",
    )
    (barbara,) = parsed.drafts
    assert barbara.tags == ["a", "b"]  # trimmed, de-duplicated ignoring case


def test_a_file_without_a_full_name_column_is_refused() -> None:
    with pytest.raises(FileProblem) as caught:
        parse_contacts_csv(b"\n\nemail,phone\nada@x.example,1\n")
    assert caught.value.code == "missing_header"
    assert "full_name" in caught.value.reason


# --- Through the API -----------------------------------------------------------------------


def seed(api: Api) -> dict[str, dict[str, Any]]:
    org = factories.organization(api, name="Tidewater, Inc.")
    maya = factories.contact(
        api, full_name="Maya Okafor", email="maya@tidewater.example", phone="+1 555 0100",
        organization_id=org["id"], title="Head of Grid Storage", location="Oakland",
        tags=["climate", "storage"], status="met", next_follow_up="2026-12-05",
        how_we_met="=HYPERLINK(\"http://evil.example\")", notes='Line one\nline "two", three',
        linkedin_url="https://www.linkedin.com/in/maya-okafor",
    )  # fmt: skip
    ada = factories.contact(api, full_name="Ada Lovelace")
    return {"org": org, "maya": maya, "ada": ada}


def test_the_export_has_one_row_per_contact_in_documented_columns(api: Api) -> None:
    made = seed(api)
    response = api.get(EXPORT)
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="contacts-')
    assert disposition.endswith('.csv"')
    rows = table(exported(api))
    assert list(rows[0]) == list(COLUMNS)
    assert [r["full_name"] for r in rows] == ["Ada Lovelace", "Maya Okafor"]
    maya = made["maya"]
    assert rows[1] == {
        "id": maya["id"], "full_name": "Maya Okafor", "email": "maya@tidewater.example",
        "phone": "'+1 555 0100", "linkedin_url": "https://www.linkedin.com/in/maya-okafor",
        "organization": "Tidewater, Inc.", "title": "Head of Grid Storage",
        "location": "Oakland", "tags": "climate; storage", "status": "met",
        "next_follow_up": "2026-12-05", "how_we_met": "'=HYPERLINK(\"http://evil.example\")",
        "notes": 'Line one\nline "two", three', "created_at": maya["created_at"],
        "updated_at": maya["updated_at"],
    }  # fmt: skip
    assert rows[0]["organization"] == ""
    assert rows[0]["tags"] == ""


def test_reimporting_the_own_export_matches_by_id_and_changes_nothing(api: Api) -> None:
    seed(api)
    data = exported(api)
    before = factories.listing(api, "/api/v1/contacts")
    report = imported(api, data, "commit")
    assert report["format"] == "contacts_csv"
    outcome = [
        (r["status"], r["matched_by"], r["changes"], r["differences"]) for r in report["rows"]
    ]
    assert outcome == [("matched", "id", [], []), ("matched", "id", [], [])]
    assert report["summary"]["contacts_updated"] == 0
    assert factories.listing(api, "/api/v1/contacts") == before


def test_edits_in_a_spreadsheet_fill_blanks_and_never_overwrite(api: Api) -> None:
    made = seed(api)
    rows = table(exported(api))
    rows[0]["email"] = "ada@engines.example"  # was blank
    rows[0]["organization"] = "Analytical Engines"  # was blank: made and linked
    rows[1]["title"] = "CTO"  # was set: kept, reported
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    preview = imported(api, out.getvalue().encode())
    assert [(r["full_name"], r["changes"], r["differences"]) for r in preview["rows"]] == [
        ("Ada Lovelace", ["email", "organization_id"], []),
        ("Maya Okafor", [], ["title"]),
    ]
    assert preview["organizations"] == [{"name": "Analytical Engines", "id": None}]
    imported(api, out.getvalue().encode(), "commit")
    ada = api.get(f"/api/v1/contacts/{made['ada']['id']}").json()
    assert ada["email"] == "ada@engines.example"
    assert ada["version"] == 2
    assert api.get(f"/api/v1/contacts/{made['maya']['id']}").json() == made["maya"]


def test_an_export_imported_by_another_user_makes_their_own_copies(
    api: Api, other_api: Api
) -> None:
    made = seed(api)
    data = exported(api)
    assert table(exported(other_api)) == []  # nothing of A's in B's export
    report = imported(other_api, data, "commit")
    # A's ids in the file name nobody B has: new contacts, with ids of their own.
    assert [(r["status"], r["matched_by"]) for r in report["rows"]] == [("new", None)] * 2
    theirs = {c["full_name"]: c for c in factories.listing(other_api, "/api/v1/contacts")}
    assert {c["id"] for c in theirs.values()}.isdisjoint({made["maya"]["id"], made["ada"]["id"]})
    maya, copy = made["maya"], theirs["Maya Okafor"]
    same = ("full_name", "email", "phone", "linkedin_url", "title", "location", "tags", "status",
            "next_follow_up", "how_we_met", "notes")  # fmt: skip
    assert {k: copy[k] for k in same} == {k: maya[k] for k in same}
    (org,) = factories.listing(other_api, "/api/v1/organizations")
    assert (org["name"], copy["organization_id"]) == ("Tidewater, Inc.", org["id"])
    assert api.get(f"/api/v1/contacts/{maya['id']}").json() == maya


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ("full_name\nJosé\n".encode("cp1252"), "encoding"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (b"email,phone\nada@x.example,1\n", "missing_header"),
        (b"", "empty"),
    ],
)
def test_unreadable_files_are_422_problems(api: Api, data: bytes, code: str) -> None:
    response = upload(api, data, "commit")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["code"] == code
    assert factories.listing(api, "/api/v1/contacts") == []
