"""vCards 3.0 and 4.0: writing and reading them (pure, checked with vobject), then export and
import through HTTP."""

import asyncio
import io
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.config import Settings
from backend.db import make_engine
from backend.transfer import service as transfer_service
from backend.transfer import textfile, vcard
from backend.transfer.drafts import Draft, RowIssue
from backend.transfer.models import ImportFormat
from backend.transfer.textfile import FileProblem
from backend.transfer.vcard import (
    MAX_PROPERTY,
    VCardVersion,
    parse_vcards,
    split_name,
    write_vcard,
)
from tests import factories
from tests.conftest import Api, new_user
from tests.live_server import served

DATA = Path(__file__).parent / "data"
ALL = "/api/v1/exports/contacts.vcf"
IMPORT = "/api/v1/imports/vcard"
VCARD = "text/vcard; charset=utf-8"

CONTACT: dict[str, Any] = {
    "id": "0190a0a0-0000-7000-8000-000000000001",
    "full_name": "Maya Okafor",
    "email": "maya@tidewater.example",
    "phone": "+1 510 555 0100",
    "linkedin_url": "https://www.linkedin.com/in/maya-okafor",
    "title": "Head of Grid Storage, West",
    "location": "Oakland",
    "tags": ["climate", "a,b", "c;d"],
    "notes": "Likes long walks; " + "very " * 30 + "long\nsecond line",
    "updated_at": "2026-11-26T10:20:30.123456Z",
}


def upload(api: Api, data: bytes, mode: str | None = None) -> httpx.Response:
    params = {"mode": mode} if mode else {}
    return api.post(IMPORT, params=params, files={"file": ("contacts.vcf", data, "text/vcard")})


def imported(api: Api, data: bytes, mode: str | None = None) -> dict[str, Any]:
    response = upload(api, data, mode)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# --- Writing and reading (pure) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Maya Okafor", ("Maya", "Okafor")),
        ("Grace Brewster Hopper", ("Grace Brewster", "Hopper")),
        ("Cher", ("Cher", "")),
    ],
)
def test_names_split_at_the_last_word(name: str, parts: tuple[str, str]) -> None:
    assert split_name(name) == parts


def test_a_3_0_card_is_read_back_by_vobject_with_every_field() -> None:
    text = write_vcard(CONTACT, "Tidewater; Energy, Inc.", VCardVersion.v3)
    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))  # folded
    card = vobject.readOne(text)
    assert card.version.value == "3.0"
    assert card.fn.value == "Maya Okafor"
    assert (card.n.value.given, card.n.value.family) == ("Maya", "Okafor")
    assert card.email.value == "maya@tidewater.example"
    assert card.email.params["TYPE"] == ["INTERNET"]
    assert card.tel.value == "+1 510 555 0100"
    assert card.org.value == ["Tidewater; Energy, Inc."]
    assert card.title.value == "Head of Grid Storage, West"
    assert card.adr.value.city == "Oakland"
    assert card.url.value == "https://www.linkedin.com/in/maya-okafor"
    assert card.note.value == CONTACT["notes"]
    assert card.categories.value == ["climate", "a,b", "c;d"]
    assert card.uid.value == "urn:uuid:0190a0a0-0000-7000-8000-000000000001"
    assert card.rev.value == "20261126T102030Z"
    assert "kind" not in card.contents


def test_a_4_0_card_says_so_first_and_is_an_individual() -> None:
    text = write_vcard(
        {"id": CONTACT["id"], "full_name": "Ada", "email": "ada@x.example"}, None, VCardVersion.v4
    )
    assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n")
    card = vobject.readOne(text)
    assert card.kind.value == "individual"
    assert card.n.value.given == "Ada"
    assert "TYPE" not in card.email.params
    assert "org" not in card.contents


@pytest.mark.parametrize("version", list(VCardVersion))
def test_what_is_written_reads_back_the_same(version: VCardVersion) -> None:
    parsed = parse_vcards(write_vcard(CONTACT, "Tidewater; Energy, Inc.", version).encode())
    assert parsed.invalid == []
    assert parsed.drafts == [
        Draft(
            row=1, full_name="Maya Okafor", email="maya@tidewater.example",
            phone="+1 510 555 0100", linkedin_url="https://www.linkedin.com/in/maya-okafor",
            organization="Tidewater; Energy, Inc.", title="Head of Grid Storage, West",
            location="Oakland", tags=["climate", "a,b", "c;d"], notes=CONTACT["notes"],
            contact_id=uuid.UUID(CONTACT["id"]),
        )
    ]  # fmt: skip


def test_a_phone_export_in_3_0_is_read_with_its_linkedin_profile() -> None:
    parsed = parse_vcards((DATA / "contacts_v3.vcf").read_bytes())
    maya, jose = parsed.drafts
    assert maya == Draft(
        row=1, full_name="Maya Okafor", email="maya@tidewater.example",
        phone="+1 (510) 555-0100", linkedin_url="https://www.linkedin.com/in/maya-okafor-4b2a1c",
        organization="Tidewater Energy", title="Head of Grid Storage",
        location="Oakland, CA, United States", tags=["climate", "storage"],
        notes="Met at the climate meetup, introduced by Sam.\nLikes long walks.",
    )  # fmt: skip
    assert (jose.row, jose.full_name, jose.organization) == (
        23,
        "Dr. José Müller",
        "Grün & Partner, GmbH",
    )
    assert parsed.invalid == [RowIssue(30, "FN", "and N are both empty", "missing")]


def test_a_4_0_file_is_read_uid_uri_phones_and_names_without_fn() -> None:
    sam, grace = parse_vcards((DATA / "contacts_v4.vcf").read_bytes()).drafts
    assert (sam.phone, sam.location, sam.linkedin_url, sam.contact_id) == (
        "+46-70-555-0100",
        "Stockholm, Sweden",
        "https://se.linkedin.com/in/samlindqvist/",
        uuid.UUID("4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"),
    )
    assert (grace.row, grace.full_name) == (15, "Rear Admiral Grace Brewster Hopper")


def test_one_broken_card_is_reported_and_the_others_still_read() -> None:
    good = write_vcard({"id": CONTACT["id"], "full_name": "Ada"}, None, VCardVersion.v3)
    broken = "BEGIN:VCARD\r\nVERSION:3.0\r\nthis is not a property\r\nFN:Bad\r\nEND:VCARD\r\n"
    unfinished = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Half\r\n"
    lines = good.count("\r\n")
    parsed = parse_vcards((good + broken + good + unfinished).encode())
    # The broken card has 5 lines.
    assert [d.row for d in parsed.drafts] == [1, lines + 6]
    assert [(i.row, i.field, i.code) for i in parsed.invalid] == [
        (lines + 1, "vCard", "malformed"),
        (2 * lines + 6, "vCard", "malformed"),
    ]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"FN:Ada\r\nEMAIL:ada@x.example\r\n", "missing_header"),
        (b"BEGIN:VCARD\r\nFN:Jos\xe9\r\nEND:VCARD\r\n", "encoding"),
        (b"BEGIN:VCARD\x00\x01", "binary"),
        (b"", "empty"),
    ],
)
def test_unreadable_files_say_why(data: bytes, code: str) -> None:
    with pytest.raises(FileProblem) as caught:
        parse_vcards(data)
    assert caught.value.code == code


# --- Limits, before vobject sees the file -------------------------------------------------


def card(*properties: str) -> bytes:
    return ("\r\n".join(["BEGIN:VCARD", "VERSION:3.0", *properties, "END:VCARD"]) + "\r\n").encode()


def refused(data: bytes) -> FileProblem:
    with pytest.raises(FileProblem) as caught:
        parse_vcards(data)
    return caught.value


def test_a_property_longer_than_a_csv_cell_refuses_the_file() -> None:
    problem = refused(card("FN:Ada", "NOTE:" + "x" * MAX_PROPERTY))
    assert (problem.code, problem.line, problem.limit) == ("line_too_long", 4, MAX_PROPERTY)
    assert MAX_PROPERTY == 131_072
    # Just within: parsed, and the card reported for its note as any long note is.
    parsed = parse_vcards(card("FN:Ada", "NOTE:" + "x" * (MAX_PROPERTY - 5)))
    assert [(i.row, i.field, i.code) for i in parsed.invalid] == [(1, "NOTE", "too_long")]


def test_the_limit_counts_a_property_unfolded() -> None:
    note = "x" * (MAX_PROPERTY + 1)
    folded = "NOTE:" + "\r\n ".join(note[i : i + 70] for i in range(0, len(note), 70))
    assert refused(card("FN:Ada", folded)).code == "line_too_long"
    # vCard 2.1's soft line breaks: "=" at the end of a quoted-printable line continues it.
    qp = "NOTE;ENCODING=QUOTED-PRINTABLE:" + "=\r\n".join("=41" * 25 for _ in range(2000))
    assert refused(card("FN:Ada", qp)).line == 4


def test_properties_never_read_are_dropped_unparsed_whatever_their_size() -> None:
    """Phones embed photos; Nexthop imports none, so their size is no reason to refuse."""
    photo = "A" * (4 * MAX_PROPERTY)
    folded = "PHOTO;ENCODING=b;TYPE=JPEG:" + "\r\n ".join(
        photo[i : i + 74] for i in range(0, len(photo), 74)
    )
    parsed = parse_vcards(card("FN:Ada", folded, "item1.X-ABLabel:" + "y" * 2 * MAX_PROPERTY))
    assert [d.full_name for d in parsed.drafts] == ["Ada"]
    assert parsed.invalid == []


def test_too_many_properties_to_read_refuses_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    # BEGIN, VERSION, FN, EMAIL and END count; what is not read does not.
    monkeypatch.setattr(vcard, "MAX_PROPERTIES", 5)
    ada = card("FN:Ada", "EMAIL:a@x.example", "X-IGNORED:not counted", "PHOTO:nor this")
    assert [d.full_name for d in parse_vcards(ada).drafts] == ["Ada"]
    problem = refused(card("FN:Ada", "EMAIL:a@x.example", "TEL:1"))
    assert (problem.code, problem.limit) == ("too_many_properties", 5)


def test_too_many_cards_refuses_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textfile, "MAX_RECORDS", 2)
    problem = refused(card("FN:A") + card("FN:B") + card("FN:C"))
    assert (problem.code, problem.line, problem.limit) == ("too_many_rows", 12, 2)


_PIECES = [
    "FN:Ada", "EMAIL:e@x.example", "item1.URL:https://x.example", "NOTE:n=", "PHOTO:b=",
    "X-A:quoted-", " printable:v=", "NOTE;ENCODING=QUOTED-PRINTABLE:q=", "PHOTO;QUOTED-PRINTABLE:=",
    " fold", "\tfold=", "=", "plain", "", " ", "END:VCARD", "bad line", "  TITLE:t",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=14))
@settings(max_examples=400, deadline=None)
def test_dropping_changes_nothing_vobject_reads(lines: list[str]) -> None:
    """vobject groups what is kept into exactly the properties it would have read, each
    as it was: a dropped property never swallows, nor frees, a line of another. (Dropped
    lines stay as blank ones, so positions hold; vobject numbers a property from the blank
    line before it, which is why only the texts are compared.)"""

    def read(text: str) -> list[str]:
        found = []
        for logical, _number in vobject.base.getLogicalLines(io.StringIO(text)):
            try:
                name = vobject.base.parseLine(logical)[0].lower()
            except vobject.base.ParseError:
                name = None
            if name is None or name in vcard.READ_PROPERTIES:
                found.append(logical)
        return found

    kept, _count = vcard._read_properties(1, lines)
    assert len(kept) == len(lines)
    assert read("\r\n".join(kept) + "\r\n") == read("\r\n".join(lines) + "\r\n")


# --- Through the API -----------------------------------------------------------------------


def seed(api: Api) -> dict[str, Any]:
    org = factories.organization(api, name="Tidewater Energy")
    return factories.contact(
        api, full_name="Maya Okafor", email="maya@tidewater.example", phone="+1 510 555 0100",
        organization_id=org["id"], title="Head of Grid Storage", location="Oakland",
        tags=["climate"], notes="Met at the meetup, twice; then again",
        linkedin_url="https://www.linkedin.com/in/maya-okafor",
    )  # fmt: skip


def test_one_contact_downloads_as_a_vcard_in_either_version(api: Api) -> None:
    maya = seed(api)
    response = api.get(f"/api/v1/contacts/{maya['id']}/vcard")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == VCARD
    assert response.headers["content-disposition"] == (
        f'attachment; filename="contact-{maya["id"]}.vcf"'
    )
    card = vobject.readOne(response.text)
    assert (card.version.value, card.fn.value, card.org.value) == (
        "3.0",
        "Maya Okafor",
        ["Tidewater Energy"],
    )
    assert card.uid.value == f"urn:uuid:{maya['id']}"
    four = api.get(f"/api/v1/contacts/{maya['id']}/vcard", params={"version": "4.0"})
    assert vobject.readOne(four.text).version.value == "4.0"
    assert api.get(f"/api/v1/contacts/{maya['id']}/vcard?version=2.1").status_code == 422


def test_all_contacts_download_as_one_vcf(api: Api) -> None:
    seed(api)
    factories.contact(api, full_name="Ada Lovelace")
    response = api.get(ALL, params={"version": "4.0"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == VCARD
    cards = list(vobject.readComponents(response.text))
    assert [(c.version.value, c.fn.value) for c in cards] == [
        ("4.0", "Ada Lovelace"),
        ("4.0", "Maya Okafor"),
    ]


def test_another_users_contact_is_not_found_and_their_export_is_empty(
    api: Api, other_api: Api
) -> None:
    maya = seed(api)
    response = other_api.get(f"/api/v1/contacts/{maya['id']}/vcard")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "Maya" not in response.text
    assert other_api.get(ALL).text == ""


def test_an_export_imported_elsewhere_reproduces_the_contacts(api: Api, other_api: Api) -> None:
    maya = seed(api)
    data = api.get(ALL, params={"version": "4.0"}).content
    report = imported(other_api, data, "commit")
    assert report["format"] == "vcard"
    assert [(r["status"], r["full_name"]) for r in report["rows"]] == [("new", "Maya Okafor")]
    (copy,) = factories.listing(other_api, "/api/v1/contacts")
    assert copy["id"] != maya["id"]
    same = ("full_name", "email", "phone", "linkedin_url", "title", "location", "tags", "notes")
    assert {k: copy[k] for k in same} == {k: maya[k] for k in same}
    (org,) = factories.listing(other_api, "/api/v1/organizations")
    assert (org["name"], copy["organization_id"]) == ("Tidewater Energy", org["id"])


def test_reimporting_the_own_export_matches_by_uid_and_changes_nothing(api: Api) -> None:
    maya = seed(api)
    data = api.get(ALL).content
    report = imported(api, data, "commit")
    (row,) = report["rows"]
    assert (row["status"], row["matched_by"], row["contact_id"], row["changes"]) == (
        "matched",
        "id",
        maya["id"],
        [],
    )
    assert factories.listing(api, "/api/v1/contacts") == [maya]


def test_a_phone_export_previews_then_imports(api: Api) -> None:
    data = (DATA / "contacts_v3.vcf").read_bytes() + (DATA / "contacts_v4.vcf").read_bytes()
    preview = imported(api, data)
    assert preview["summary"] == {
        "rows": 5, "new": 4, "matched": 0, "skipped": 0, "invalid": 1,
        "contacts_created": 4, "contacts_updated": 0, "organizations_created": 2,
        "referrals_created": 0,
    }  # fmt: skip
    assert factories.listing(api, "/api/v1/contacts") == []
    committed = imported(api, data, "commit")
    assert committed["summary"]["contacts_created"] == 4
    names = [c["full_name"] for c in factories.listing(api, "/api/v1/contacts")]
    assert names == ["Dr. José Müller", "Maya Okafor", "Rear Admiral Grace Brewster Hopper",
                     "Sam Lindqvist"]  # fmt: skip
    # A UID naming nobody of this user's is no match: Sam is new, with an id of his own.
    sam = next(r for r in committed["rows"] if r["full_name"] == "Sam Lindqvist")
    assert sam["contact_id"] != "4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10,
        b"BEGIN:VCARD\r\n" + b"X" * 3_000_000,
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:" + b";" * 10_000 + b"\r\nEND:VCARD\r\n",
        b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\nBDAY:not-a-date\r\nREV:x\r\nEND:VCARD\r\n",
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN;ENCODING=QUOTED-PRINTABLE:=C3=A9=\r\nEND:VCARD\r\n",
        b"BEGIN:VCARD\r\nBEGIN:VCARD\r\nFN:Nested\r\nEND:VCARD\r\nEND:VCARD\r\n",
    ],
    ids=["png", "huge line", "many fields", "bad dates", "quoted-printable", "nested"],
)
def test_hostile_files_never_cause_a_server_error(api: Api, data: bytes) -> None:
    response = upload(api, data, "commit")
    assert response.status_code in (200, 422), response.text[:500]
    if response.status_code == 422:
        assert response.headers["content-type"] == "application/problem+json"


HUGE_NAME = card("FN:" + "A" * 30_000_000)


def test_a_30_mb_name_is_refused_naming_the_file_and_the_limit(api: Api) -> None:
    response = upload(api, HUGE_NAME)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["line"], problem["limit"]) == (3, 131_072)
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [("file", "line_too_long")]
    assert "131072 characters" in problem["detail"]


def test_uploads_are_parsed_off_the_event_loop(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A parse on the loop would hold every other request of the process until it ends."""
    on_loop: list[bool] = []

    def watched(data: bytes) -> Any:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return parse_vcards(data)

    monkeypatch.setitem(transfer_service.PARSERS, ImportFormat.vcard, watched)
    assert upload(api, card("FN:Ada")).status_code == 200
    assert on_loop == [False]


def _peak_rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


@pytest.mark.slow  # real servers or commands in subprocesses
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_the_server_keeps_answering_while_a_30_mb_name_is_refused(tmp_path: Path) -> None:
    """The 30 MB name took vobject 5 s and ~700 MB, holding the GIL: /healthz stalled with
    it. Refused before parsing, it is over at once, with the memory the upload itself needs,
    and the probe never waits."""
    with served({"NEXTHOP_DATA_DIR": str(tmp_path), "NEXTHOP_DATABASE_URL": ""}) as server:
        engine = make_engine(
            Settings(data_dir=tmp_path, database_url=None, _env_file=None)  # type: ignore[call-arg]
        )
        token = new_user(engine).token
        engine.dispose()
        with httpx.Client(base_url=server.base, timeout=60) as client:
            auth = {"Authorization": f"Bearer {token}"}
            assert client.get("/api/v1/contacts", headers=auth).status_code == 200
            before = _peak_rss_mib(server.pid)
            waits: list[float] = []
            done = threading.Event()

            def probe() -> None:
                with httpx.Client(base_url=server.base, timeout=60) as prober:
                    while not done.is_set():
                        started = time.monotonic()
                        assert prober.get("/healthz").status_code == 200
                        waits.append(time.monotonic() - started)
                        time.sleep(0.01)

            prober = threading.Thread(target=probe)
            prober.start()
            started = time.monotonic()
            try:
                files = {"file": ("big.vcf", HUGE_NAME, "text/vcard")}
                response = client.post(IMPORT, files=files, headers=auth)
            finally:
                took = time.monotonic() - started
                done.set()
                prober.join()
        grown = _peak_rss_mib(server.pid) - before
    slowest = max(waits, default=None)
    seen = f"{response.status_code} after {took:.1f} s, +{grown:.0f} MiB, /healthz {slowest}"
    assert response.status_code == 422, seen
    assert took < 10, seen
    assert grown < 256, seen
    assert waits, seen
    assert max(waits) < 1.0, seen
