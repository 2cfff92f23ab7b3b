"""`q` on lists: a case-insensitive substring of any searched column, answered by a full-text
index (SQLite FTS5 trigram, PostgreSQL pg_trgm), with the same results on both databases."""

import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, column, text

from backend import pagination
from backend.contacts.models import Contact
from backend.search import fts
from tests import factories
from tests.conftest import Api


def names(api: Api, url: str = "/api/v1/contacts", **params: Any) -> list[str]:
    return [c["full_name"] for c in factories.listing(api, url, sort="name", **params)]


@pytest.fixture
def people(api: Api) -> dict[str, dict[str, Any]]:
    made = [
        factories.contact(api, full_name="Maria Lopez", email="maria@acme.example"),
        factories.contact(api, full_name="Omar Haddad", title="Staff Engineer"),
        factories.contact(api, full_name="Mark Twain", location="Hartford"),
        factories.contact(api, full_name="Ada Byron", notes="Met at the MARKET on Sunday"),
        factories.contact(api, full_name='Kim "KJ" Jones', email="kj@globex.example"),
        factories.contact(api, full_name="Zoë Ünal", title="50% off_site manager"),
    ]
    return {c["full_name"]: c for c in made}


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("q", "found"),
    [
        # Partial names, anywhere in the word, any case.
        ("mar", ["Ada Byron", "Maria Lopez", "Mark Twain", "Omar Haddad"]),
        ("MARIA", ["Maria Lopez"]),
        ("aria", ["Maria Lopez"]),
        ("ria lo", ["Maria Lopez"]),
        ("  twain  ", ["Mark Twain"]),
        # Every searched column: email, title, location, notes.
        ("@acme", ["Maria Lopez"]),
        ("globex.example", ['Kim "KJ" Jones']),
        ("staff eng", ["Omar Haddad"]),
        ("hartford", ["Mark Twain"]),
        ("on sunday", ["Ada Byron"]),
        # Short queries scan, with the same meaning.
        ("ad", ["Ada Byron", "Omar Haddad"]),
        ("j", ['Kim "KJ" Jones']),
        # Nothing in q is syntax: quotes, wildcards, FTS operators are plain characters.
        ('"kj"', ['Kim "KJ" Jones']),
        ('"', ['Kim "KJ" Jones']),
        ("50%", ["Zoë Ünal"]),
        ("off_site", ["Zoë Ünal"]),
        ("%", ["Zoë Ünal"]),
        ("mar*", []),
        ("mar OR kim", []),
        ("NEAR(mar kim)", []),
        ("full_name:maria", []),
        ("-maria", []),
        ("^mar", []),
        ("xyz", []),
        # Beyond ASCII, case still does not matter.
        ("ÜNAL", ["Zoë Ünal"]),
        ("zoë", ["Zoë Ünal"]),
    ],
)
def test_q_finds_substrings_of_any_searched_column(api: Api, q: str, found: list[str]) -> None:
    assert names(api, q=q) == found


@pytest.mark.usefixtures("people")
def test_q_combines_with_filters_and_pages(api: Api) -> None:
    assert names(api, q="mar", status="identified") == [
        "Ada Byron", "Maria Lopez", "Mark Twain", "Omar Haddad",
    ]  # fmt: skip
    assert names(api, q="mar", status="met") == []
    # The total counts the same matches, whichever index the count goes by.
    counted = api.get("/api/v1/contacts", params={"q": "mar", "status": "identified"}).json()
    assert counted["total"] == 4
    page = api.get("/api/v1/contacts", params={"q": "mar", "limit": 3, "sort": "name"}).json()
    assert page["total"] == 4
    walked = factories.walk(api, "/api/v1/contacts", limit=1, q="mar", sort="-name")
    assert [c["full_name"] for c in walked] == [
        "Omar Haddad", "Mark Twain", "Maria Lopez", "Ada Byron",
    ]  # fmt: skip


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("sort", ["name", "-name", "-created_at"])
def test_a_search_pages_the_same_whichever_way_it_is_read(
    api: Api, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search with few matches is paged from them, one with many along the sort order's
    index (pagination.FEW_MATCHES): the same pages either way."""

    def walked() -> list[tuple[list[str], int]]:
        pages, cursor = [], None
        for _ in range(10):
            params: dict[str, Any] = {"q": "mar", "limit": 2, "sort": sort}
            if cursor:
                params["cursor"] = cursor
            page = api.get("/api/v1/contacts", params=params).json()
            pages.append(([c["full_name"] for c in page["items"]], page["total"]))
            cursor = page["next_cursor"]
            if cursor is None:
                return pages
        raise AssertionError("the pages never end")

    monkeypatch.setattr(pagination, "FEW_MATCHES", 1000)
    from_matches = walked()
    monkeypatch.setattr(pagination, "FEW_MATCHES", 0)
    assert walked() == from_matches
    assert sum(len(names) for names, _ in from_matches) == 4


def test_the_index_follows_every_write(api: Api) -> None:
    maria = factories.contact(api, full_name="Maria Lopez")
    assert names(api, q="maria") == ["Maria Lopez"]
    renamed = api.patch(f"/api/v1/contacts/{maria['id']}", json={"full_name": "Marie Curie"})
    assert renamed.status_code == 200
    assert names(api, q="maria") == []
    assert names(api, q="curie") == ["Marie Curie"]
    # A change to another column leaves the name findable.
    api.patch(f"/api/v1/contacts/{maria['id']}", json={"status": "met"})
    assert names(api, q="curie") == ["Marie Curie"]
    api.patch(f"/api/v1/contacts/{maria['id']}", json={"notes": "radium"})
    assert names(api, q="radium") == ["Marie Curie"]
    api.patch(f"/api/v1/contacts/{maria['id']}", json={"notes": None})
    assert names(api, q="radium") == []
    assert api.delete(f"/api/v1/contacts/{maria['id']}").status_code == 204
    assert names(api, q="curie") == []


def test_q_never_finds_another_users_rows(api: Api, other_api: Api) -> None:
    factories.contact(api, full_name="Maria Lopez")
    factories.contact(other_api, full_name="Maria Schmidt")
    assert names(api, q="maria") == ["Maria Lopez"]
    assert names(other_api, q="maria") == ["Maria Schmidt"]
    assert other_api.get("/api/v1/contacts", params={"q": "lopez"}).json()["total"] == 0


def test_the_other_indexed_lists(api: Api) -> None:
    org = factories.organization(api, name="Tidewater Energy", industry="Grid storage")
    factories.organization(api, name="Acme")
    orgs = factories.listing(api, "/api/v1/organizations", q="water")
    assert [o["id"] for o in orgs] == [org["id"]]
    assert factories.listing(api, "/api/v1/organizations", q="STORAGE")[0]["id"] == org["id"]

    interview = factories.interview(
        api, location="Blue Bottle", research_notes="Her talk on batteries"
    )
    factories.interview(api, summary="Nothing much")
    found = factories.listing(api, "/api/v1/interviews", q="batter")
    assert [i["id"] for i in found] == [interview["id"]]
    assert [i["id"] for i in factories.listing(api, "/api/v1/interviews", q="bottle")] == [
        interview["id"]
    ]

    note = factories.note_item(
        api, interview["id"], category="to_read", text="Thinking in Systems", author="Meadows"
    )
    factories.note_item(api, interview["id"], text="Send the deck")
    assert [n["id"] for n in factories.listing(api, "/api/v1/note-items", q="meadow")] == [
        note["id"]
    ]
    assert [n["id"] for n in factories.listing(api, "/api/v1/note-items", q="in sys")] == [
        note["id"]
    ]


# --- The indexes themselves -----------------------------------------------------------------


def test_the_indexes_cover_exactly_the_searched_columns(db_kind: str, engine: Engine) -> None:
    with engine.connect() as conn:
        for table, columns in fts.SEARCHED.items():
            if db_kind == "sqlite":
                info = conn.execute(text(f"PRAGMA table_info(fts_{table})")).all()
                assert tuple(row.name for row in info) == columns
            else:
                found = conn.execute(
                    text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE :n"),
                    {"n": f"fts\\_{table}\\_%"},
                ).all()
                assert {name: d.split(" USING ")[1] for name, d in found} == {
                    f"fts_{table}_{c}": f"gin ({c} gin_trgm_ops) WITH (gin_pending_list_limit='64')"
                    for c in columns
                }


def test_sqlite_index_stays_consistent(db_kind: str, engine: Engine, api: Api) -> None:
    if db_kind != "sqlite":
        pytest.skip("FTS5")
    ada = factories.contact(api, full_name="Ada", notes="one")
    for n in range(5):
        api.patch(f"/api/v1/contacts/{ada['id']}", json={"notes": f"note {n}", "title": "x"})
    api.delete(f"/api/v1/contacts/{factories.contact(api)['id']}")
    with engine.begin() as conn:
        for table in fts.SEARCHED:
            # Raises if the index and the table disagree.
            conn.execute(
                text(f"INSERT INTO fts_{table} (fts_{table}, rank) VALUES ('integrity-check', 1)")
            )


def test_postgres_uses_the_trigram_index(db_kind: str, engine: Engine) -> None:
    if db_kind != "postgresql":
        pytest.skip("pg_trgm")
    with engine.connect() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = conn.execute(
            text(
                "EXPLAIN SELECT id FROM contacts "
                "WHERE full_name ILIKE '%mar%' OR notes ILIKE '%mar%'"
            )
        ).scalars()
        assert "fts_contacts_full_name" in "\n".join(plan)


# --- The pure parts -------------------------------------------------------------------------


def test_fts_phrases_quote_everything() -> None:
    assert fts.fts_phrase("maria") == '"maria"'
    assert fts.fts_phrase('say "hi"') == '"say ""hi"""'


def test_which_columns_use_an_index() -> None:
    c = Contact.__table__.c  # type: ignore[attr-defined]
    indexed = (c.full_name, c.email, c.title, c.location, c.notes)
    assert fts.indexed_table(indexed) is Contact.__table__  # type: ignore[attr-defined]
    assert fts.indexed_table(tuple(reversed(indexed))) is Contact.__table__  # type: ignore[attr-defined]
    assert fts.indexed_table((c.full_name, c.email)) is None  # not what the index holds
    assert fts.indexed_table((column("full_name"),)) is None


def test_search_objects_are_left_out_of_model_comparisons() -> None:
    assert not fts.include_name("fts_contacts", "table")
    assert not fts.include_name("fts_contacts_data", "table")
    assert not fts.include_name("fts_note_items", "index")
    assert fts.include_name("contacts", "table")
    assert fts.include_name("fts_thing", "column")
    assert fts.include_name(None, "schema")


def test_a_made_up_uuid_is_no_match(api: Api) -> None:
    assert names(api, q=str(uuid.uuid4())) == []
