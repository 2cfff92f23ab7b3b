"""GET /api/v1/search: one ranked search across contacts, organizations, interviews and note
items, the same on SQLite and PostgreSQL; its pure parts; and the row counts the
"search and counts" migration made statement-level on PostgreSQL."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from backend.counts import COUNTED, RowCount
from backend.search import fts, ranking, snippets, titles
from backend.search import service as search_service
from backend.search.models import SearchKind, parse_kinds
from backend.search.snippets import Segment
from tests import factories
from tests.conftest import Api

URL = "/api/v1/search"


def search(api: Api, q: str | None, **params: Any) -> list[dict[str, Any]]:
    query = {**params, **({"q": q} if q is not None else {})}
    response = api.get(URL, params=query)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def ranked(api: Api, q: str, **params: Any) -> list[tuple[str, str, int]]:
    return [(hit["kind"], hit["title"], hit["score"]) for hit in search(api, q, **params)]


def marked(hit: dict[str, Any]) -> str:
    """A snippet as text, the matches in [brackets]."""
    return "".join(f"[{s['text']}]" if s["match"] else s["text"] for s in hit["snippet"])


@pytest.fixture
def world(api: Api) -> dict[str, dict[str, Any]]:
    maria = factories.contact(api, full_name="Maria Lopez", email="maria@acme.example")
    interview = factories.interview(
        api,
        maria["id"],
        status="scheduled",
        scheduled_at="2026-12-03T08:30:00Z",
        summary="Talked about the market",
    )
    return {
        "maria": maria,
        "omar": factories.contact(api, full_name="Omar Haddad", title="Staff Engineer"),
        "mar": factories.contact(api, full_name="Mar"),
        "org": factories.organization(api, name="Acme Marine", industry="Shipping"),
        "interview": interview,
        "note": factories.note_item(api, interview["id"], text="Send Maria the deck"),
    }


# --- Ranking ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("world")
def test_one_query_finds_every_kind_best_first(api: Api) -> None:
    assert ranked(api, "mar") == [
        ("contacts", "Mar", 16),  # the whole name: 4 × 4
        ("contacts", "Maria Lopez", 12),  # the name starts with it: 4 × 3
        ("organizations", "Acme Marine", 8),  # a word of the name starts with it: 4 × 2
        ("contacts", "Omar Haddad", 4),  # inside a word of the name: 4 × 1
        ("note_items", "To do · Maria Lopez", 4),  # a word of the text: 2 × 2; contacts first
        ("interviews", "Maria Lopez · 2026-12-03", 2),  # a word of the summary: 1 × 2
    ]


def test_every_score_is_what_the_pure_rules_say(api: Api, world: dict[str, Any]) -> None:
    by_id = {str(row["id"]): row for row in world.values()}
    for q in ("mar", "MAR", "ari", "acme", "mar deck", "the", "lopez maria", "staff eng"):
        hits = search(api, q)
        assert hits, q
        for hit in hits:
            expected = ranking.score(hit["kind"], by_id[hit["id"]], ranking.terms(q))
            assert hit["score"] == expected, (q, hit)


@pytest.mark.usefixtures("world")
def test_every_word_must_be_found_in_some_column(api: Api) -> None:
    assert ranked(api, "maria deck") == [("note_items", "To do · Maria Lopez", 8)]
    # Two columns of one contact: the name and the e-mail.
    assert ranked(api, "lopez acme.example") == [("contacts", "Maria Lopez", 8 + 2)]
    assert ranked(api, "maria omar") == []


@pytest.mark.usefixtures("world")
def test_kinds_and_limit(api: Api) -> None:
    assert ranked(api, "mar", kinds="note_items,interviews") == [
        ("note_items", "To do · Maria Lopez", 4),
        ("interviews", "Maria Lopez · 2026-12-03", 2),
    ]
    assert ranked(api, "mar", kinds="organizations") == [("organizations", "Acme Marine", 8)]
    everything = ranked(api, "mar")
    # Fewer hits are a prefix of more (kinds that cannot make the cut are not even searched).
    for limit in range(1, 7):
        assert ranked(api, "mar", limit=limit) == everything[:limit]


def test_equal_scores_list_the_most_recently_updated_first(api: Api) -> None:
    first = factories.contact(api, full_name="Tom Marsh")
    second = factories.contact(api, full_name="Tim Marsh")
    assert [h["id"] for h in search(api, "marsh")] == [second["id"], first["id"]]
    api.patch(f"/api/v1/contacts/{first['id']}", json={"notes": "touched"})
    assert [h["id"] for h in search(api, "marsh")] == [first["id"], second["id"]]


# --- Matching --------------------------------------------------------------------------------


@pytest.fixture
def people(api: Api) -> None:
    factories.contact(api, full_name="Maria Lopez", email="maria@acme.example")
    factories.contact(api, full_name='Kim "KJ" Jones', location="Hartford")
    factories.contact(api, full_name="Zoë Ünal", title="50% off_site manager")
    factories.contact(api, full_name="Li Wei")


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("aria", ["Maria Lopez"]),
        ("  LOPEZ  ", ["Maria Lopez"]),
        ("ma", ["Maria Lopez", "Zoë Ünal"]),  # short words: a scan, the same meaning
        ("li", ["Li Wei"]),
        ("li wei", ["Li Wei"]),
        ("hart kj", ['Kim "KJ" Jones']),
        # Nothing is syntax.
        ('"kj"', ['Kim "KJ" Jones']),
        ("50%", ["Zoë Ünal"]),
        ("off_site", ["Zoë Ünal"]),
        ("mar*", []),
        ("maria OR kim", []),
        ("NEAR(maria", []),
        ("full_name:maria", []),
        ("-maria", []),
        # Beyond ASCII, case does not matter for finding.
        ("ünal", ["Zoë Ünal"]),
        ("ZOË", ["Zoë Ünal"]),
    ],
)
def test_words_are_substrings_of_any_searched_column(api: Api, q: str, found: list[str]) -> None:
    assert sorted(hit["title"] for hit in search(api, q)) == found


@pytest.mark.usefixtures("people")
def test_a_word_found_only_through_non_ascii_case_scores_the_floor(api: Api) -> None:
    # Tiers compare A–Z without case only (as SQLite's lower() does), on both databases.
    assert ranked(api, "ünal") == [("contacts", "Zoë Ünal", 1)]
    assert ranked(api, "Ünal") == [("contacts", "Zoë Ünal", 8)]
    [hit] = search(api, "ünal")
    assert marked(hit) == "Zoë [Ünal]"


def test_every_word_must_be_found_but_the_first_ten_score(api: Api) -> None:
    words = " ".join(f"w{i}x" for i in range(12))
    factories.contact(api, full_name="Ada", notes=words)
    # Each word a word of the notes (weight 1, tier 2), the first one their start (tier 3).
    assert ranked(api, words) == [("contacts", "Ada", 3 + 9 * 2)]
    assert ranked(api, words + " w12x") == []
    assert ranking.score("contacts", {"notes": words}, ranking.terms(words)) == 3 + 9 * 2


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("q", [None, "", "   "])
def test_no_words_find_nothing(api: Api, q: str | None) -> None:
    assert search(api, q) == []


# --- Hits: titles, snippets ------------------------------------------------------------------


def test_hits_carry_kind_id_title_field_snippet_and_score(api: Api, world: dict[str, Any]) -> None:
    hits = {hit["id"]: hit for hit in search(api, "mar")}
    assert hits[world["maria"]["id"]] == {
        "kind": "contacts",
        "id": world["maria"]["id"],
        "title": "Maria Lopez",
        "field": "full_name",
        "snippet": [{"text": "Mar", "match": True}, {"text": "ia Lopez", "match": False}],
        "score": 12,
    }
    assert hits[world["note"]["id"]]["field"] == "text"
    assert marked(hits[world["note"]["id"]]) == "Send [Mar]ia the deck"
    assert marked(hits[world["interview"]["id"]]) == "Talked about the [mar]ket"
    found = search(api, "acme.example")
    assert [(h["field"], marked(h)) for h in found] == [("email", "maria@[acme.example]")]


def test_a_long_text_is_cut_around_the_first_match(api: Api) -> None:
    before = " ".join(f"word{i}" for i in range(40))
    after = " ".join(f"more{i}" for i in range(40))
    interview = factories.interview(api)
    factories.note_item(api, interview["id"], text=f"{before}\n\nthe Marigold report\n{after}")
    [hit] = search(api, "marigold", kinds="note_items")
    shown = marked(hit)
    assert shown.startswith("…word")
    assert "the [Marigold] report more0 more1" in shown
    assert shown.endswith("…")
    assert len(shown) - 2 <= snippets.WIDTH + 2


def test_snippets_are_text_never_markup(api: Api) -> None:
    interview = factories.interview(api)
    factories.note_item(api, interview["id"], text="<b>mar</b> & <script>x</script>")
    [hit] = search(api, "mar", kinds="note_items")
    assert hit["snippet"] == [
        {"text": "<b>", "match": False},
        {"text": "mar", "match": True},
        {"text": "</b> & <script>x</script>", "match": False},
    ]


def test_titles_of_interviews_and_notes_name_the_interviewee(api: Api) -> None:
    ada = factories.contact(api, full_name="Ada Byron")
    unscheduled = factories.interview(api, ada["id"], research_notes="Her work on engines")
    factories.note_item(
        api, unscheduled["id"], category="to_read", text="Sketch of the engine", author="Menabrea"
    )
    assert ranked(api, "engine") == [
        ("note_items", "To read · Ada Byron", 2 * 2),
        ("interviews", "Ada Byron", 1 * 2),
    ]


# --- Kept in step with every write -------------------------------------------------------------


def test_the_index_follows_every_write(api: Api) -> None:
    maria = factories.contact(api, full_name="Maria Lopez")
    interview = factories.interview(api, maria["id"])
    note = factories.note_item(api, interview["id"], text="Ask about grid storage")
    assert ranked(api, "maria") == [("contacts", "Maria Lopez", 12)]
    api.patch(f"/api/v1/contacts/{maria['id']}", json={"full_name": "Marie Curie"})
    assert ranked(api, "maria") == []
    assert ranked(api, "curie") == [("contacts", "Marie Curie", 8)]
    # The title of a note follows its interviewee's name, which it does not hold.
    assert ranked(api, "grid") == [("note_items", "To do · Marie Curie", 4)]
    api.patch(f"/api/v1/note-items/{note['id']}", json={"text": "Ask about heat pumps"})
    assert ranked(api, "grid") == []
    assert ranked(api, "heat pump") == [("note_items", "To do · Marie Curie", 8)]
    deleted = api.delete(f"/api/v1/contacts/{maria['id']}", params={"cascade": "true"})
    assert deleted.status_code == 204
    assert ranked(api, "curie") == []
    assert ranked(api, "heat") == []


# --- Owners ----------------------------------------------------------------------------------


def test_another_users_rows_are_never_found(api: Api, other_api: Api) -> None:
    mine = factories.contact(api, full_name="Maria Lopez")
    factories.contact(other_api, full_name="Maria Schmidt")
    interview = factories.interview(other_api)
    factories.note_item(other_api, interview["id"], text="Maria's secret plan")
    assert [hit["id"] for hit in search(api, "maria")] == [mine["id"]]
    assert search(api, "secret") == []
    assert search(api, "schmidt") == []
    assert [hit["title"] for hit in search(other_api, "lopez")] == []


def test_another_users_rows_do_not_move_a_ranking(api: Api, other_api: Api) -> None:
    factories.contact(api, full_name="Maria Lopez", notes="Met at the market")
    factories.organization(api, name="Marlow Partners")
    before = search(api, "mar")
    # Many rows of someone else's holding the same word (an index-wide statistic such as
    # FTS5's bm25 would shift with them).
    for i in range(5):
        factories.contact(other_api, full_name=f"Mar {i}", notes="mar mar mar")
    assert search(api, "mar") == before


# --- Refused input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kinds": "contacts,people"}, "kinds"),
        ({"kinds": ""}, "kinds"),
        ({"kinds": "contacts,"}, "kinds"),
        ({"limit": "0"}, "limit"),
        ({"limit": "51"}, "limit"),
        ({"q": "x" * 201}, "q"),
        ({"q": "nul\x00"}, "q"),
    ],
)
def test_bad_parameters_are_a_422_naming_them(api: Api, params: dict[str, str], field: str) -> None:
    response = api.get(URL, params={"q": "mar", **params})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


# --- The indexes the queries use -------------------------------------------------------------


def test_each_query_is_answered_from_the_search_index(db_kind: str, engine: Engine) -> None:
    words = ranking.terms("battery")
    shape = search_service._shape(words, db_kind)
    params = search_service._params(uuid.uuid4(), words, shape, limit=20)
    with engine.connect() as conn:
        for kind, table in search_service.TABLES.items():
            if db_kind == "sqlite":
                stmt = search_service._statement(kind, db_kind, shape).params(**params)
                sql = stmt.compile(engine, compile_kwargs={"literal_binds": True})
                steps = [row[-1] for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]
                # The index's matches, each looked up by rowid: no walk of the owner's rows.
                assert any(f"fts_{kind.value} VIRTUAL TABLE" in step for step in steps), steps
                assert any("INTEGER PRIMARY KEY (rowid=?)" in step for step in steps), steps
            else:
                # The query's text expression is the index's, to the letter, or it goes unused.
                conn.execute(text("SET LOCAL enable_seqscan = off"))
                found = select(table.c.id).where(fts.document(table).ilike("%battery%"))
                sql = found.compile(engine, compile_kwargs={"literal_binds": True})
                plan = conn.execute(text(f"EXPLAIN {sql}")).scalars().all()
                assert any(f"fts_search_{kind.value}" in line for line in plan), plan


# --- Row counts --------------------------------------------------------------------------------


def _counts(engine: Engine, owner: uuid.UUID) -> tuple[dict[str, int], dict[str, int]]:
    """The counts the triggers keep, and the rows there are."""
    counts = RowCount.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        stored = dict(
            conn.execute(select(counts.c.kind, counts.c.n).where(counts.c.owner_id == owner)).all()
        )
        actual = {
            kind: conn.execute(
                text(f"SELECT count(*) FROM {kind} WHERE owner_id = :owner"),
                {"owner": owner if engine.dialect.name == "postgresql" else owner.hex},
            ).scalar_one()
            for kind in COUNTED
        }
    return {kind: stored.get(kind, 0) for kind in COUNTED}, actual


LINKEDIN = (
    b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    b"Ada,Lovelace,https://www.linkedin.com/in/ada,,Analytical Engines,Engineer,15 Mar 2024\r\n"
    b"Alan,Turing,https://www.linkedin.com/in/alan,,Bletchley,Cryptanalyst,16 Mar 2024\r\n"
    b"Grace,Hopper,https://www.linkedin.com/in/grace,,Navy,Rear Admiral,17 Mar 2024\r\n"
)


def test_row_counts_stay_exact_through_bulk_writes_and_cascades(
    api: Api, other_api: Api, engine: Engine
) -> None:
    owner = api.user_id
    imported = api.post(
        "/api/v1/imports/linkedin",
        params={"mode": "commit"},
        files={"file": ("Connections.csv", LINKEDIN, "text/csv")},
    )
    assert imported.status_code == 200, imported.text
    stored, actual = _counts(engine, owner)
    assert stored == actual == {
        "organizations": 3, "contacts": 3, "interviews": 0, "note_items": 0, "referrals": 3,
    }  # fmt: skip
    ada = factories.listing(api, "/api/v1/contacts", q="ada")[0]
    interview = factories.interview(api, ada["id"])
    captured = api.post(
        f"/api/v1/interviews/{interview['id']}/note-items/capture",
        json={"text": "todo: one\ntodo: two\nread: three"},
    )
    assert captured.status_code == 201, captured.text
    factories.interview(api, ada["id"])
    stored, actual = _counts(engine, owner)
    assert stored == actual
    assert (stored["interviews"], stored["note_items"]) == (2, 3)
    # A contact's cascade deletes its interviews (their notes with them) and referrals.
    deleted = api.delete(f"/api/v1/contacts/{ada['id']}", params={"cascade": "true"})
    assert deleted.status_code == 204
    stored, actual = _counts(engine, owner)
    assert stored == actual == {
        "organizations": 3, "contacts": 2, "interviews": 0, "note_items": 0, "referrals": 2,
    }  # fmt: skip
    # A restore is one bulk insert per table.
    backup = api.get("/api/v1/exports/backup").json()
    restored = other_api.post("/api/v1/imports/backup", params={"mode": "commit"}, json=backup)
    assert restored.status_code == 200, restored.text
    assert _counts(engine, other_api.user_id)[0] == _counts(engine, owner)[0]
    assert other_api.get("/api/v1/contacts").json()["total"] == 2


# --- The pure parts --------------------------------------------------------------------------


def test_terms_split_at_whitespace_each_once() -> None:
    assert ranking.terms("  Maria\tLOPEZ maria \n lopez  x ") == ["Maria", "LOPEZ", "x"]
    assert ranking.terms("   ") == []


def test_fold_lowers_ascii_only() -> None:
    assert ranking.fold("Zoë ÜNAL Ab") == "zoë Ünal ab"


@pytest.mark.parametrize(
    ("value", "term", "tier"),
    [
        ("Acme", "acme", 4),
        ("Maria Lopez", "mar", 3),
        ("Maria Lopez", "LOP", 2),
        ("Send it\nMaria", "maria", 2),
        ("Maria Lopez", "aria", 1),
        ("Omar Mar", "mar", 2),  # the best place counts, not the first
        ("Maria Lopez", "xyz", 0),
        (None, "mar", 0),
        ("Zoë Ünal", "ünal", 0),  # only A–Z ignore case
    ],
)
def test_tiers(value: str | None, term: str, tier: int) -> None:
    assert ranking.tier(value, term) == tier


def test_scores_add_each_words_best_column() -> None:
    contact = {"full_name": "Maria Lopez", "email": "maria@acme.example", "title": None}
    assert ranking.score("contacts", contact, ["mar"]) == 12
    assert ranking.score("contacts", contact, ["mar", "acme"]) == 12 + 2
    assert ranking.score("contacts", contact, ["ünal"]) == ranking.FLOOR
    assert ranking.best_possible("contacts", 2) == 2 * 4 * 4
    assert ranking.best_possible("note_items", 1) == 4 * 2
    assert ranking.best_possible("note_items", 30) == 10 * 4 * 2


def test_weights_cover_exactly_the_indexed_columns() -> None:
    assert {kind: tuple(w) for kind, w in ranking.WEIGHTS.items()} == fts.SEARCHED
    assert ranking.KIND_ORDER == tuple(kind.value for kind in SearchKind)


def test_snippet_of_a_short_text_is_all_of_it() -> None:
    assert snippets.snippet("Send Maria\n the  deck", ["maria", "DECK"]) == [
        Segment("Send ", False),
        Segment("Maria", True),
        Segment(" the ", False),
        Segment("deck", True),
    ]
    assert snippets.snippet("no match here", ["zzz"]) == [Segment("no match here", False)]
    assert snippets.snippet("", ["zzz"]) == []


def test_snippet_merges_overlapping_matches() -> None:
    assert snippets.snippet("Marmalade", ["mar", "rma", "lad"]) == [
        Segment("Marmalad", True),
        Segment("e", False),
    ]
    assert snippets.snippet("aaaa", ["aa"]) == [Segment("aaaa", True)]


def test_snippet_of_a_long_text_is_cut_at_spaces_around_the_first_match() -> None:
    text = " ".join(f"w{i:03d}" for i in range(100))  # 499 characters, a word every 5
    shown = snippets.snippet(text, ["w050"])
    joined = "".join(s.text for s in shown)
    assert shown[0] == Segment("…w043 w044 w045 w046 w047 w048 w049 ", False)
    assert shown[1] == Segment("w050", True)
    assert joined.endswith(" w074…")
    assert len(joined) <= snippets.WIDTH + 2
    at_start = snippets.snippet(text, ["w000"])
    assert at_start[0] == Segment("w000", True)
    assert "".join(s.text for s in at_start).endswith("w031…")
    at_end = snippets.snippet(text, ["w099"])
    assert at_end[0].text.startswith("…w068 ")
    assert at_end[-1] == Segment("w099", True)


def test_the_snippet_column_holds_the_most_words_then_weighs_most() -> None:
    weights = ranking.WEIGHTS["contacts"]
    values = {"full_name": "Maria Lopez", "email": "maria@acme.example", "notes": "acme maria"}
    assert snippets.best_column(values, weights, ["maria"]) == "full_name"
    assert snippets.best_column(values, weights, ["maria", "acme"]) == "email"
    assert snippets.best_column(values, weights, ["nothing"]) is None


def test_titles() -> None:
    at = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
    assert titles.interview_title("Maria Lopez", at) == "Maria Lopez · 2026-12-03"
    assert titles.interview_title("Maria Lopez", None) == "Maria Lopez"
    assert titles.note_title("to_follow_up", "Maria Lopez") == "To follow up · Maria Lopez"
    assert titles.note_title("to_think_about", "") == "To think about"


def test_kinds_are_parsed_in_their_order_each_once() -> None:
    assert parse_kinds(None) == list(SearchKind)
    assert parse_kinds("note_items,contacts,note_items") == [
        SearchKind.contacts,
        SearchKind.note_items,
    ]
