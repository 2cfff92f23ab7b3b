"""One search across a user's contacts, organizations, interviews and note items.

Each kind is one query: the user's rows holding every word of the query (through the
full-text index, see `fts`), scored in SQL by the rules of `ranking` and cut to the best
`limit`; the kinds' best are then merged in Python by the same order. Snippets and titles are
made for those few hits only.

- SQLite: words of 3 or more characters are one FTS5 MATCH of trigram phrases (the index
  finds the rows of every user holding them; the owner condition keeps the caller's);
  shorter words are LIKE conditions on those rows, or a scan of the user's rows when no word
  is long enough for the index.
- PostgreSQL: each word is `document ILIKE '%word%'`, the searched columns as one text
  (`fts.document`), which the migration's GIN index over the owner and that text's trigrams
  answers: only the owner's rows holding the word, for words of 3 or more characters.

Kinds are searched in the order that breaks ties (contacts first), and a kind is skipped
when `limit` hits already score at least as high as it possibly can (`ranking.best_possible`).

The score uses nothing but the row's own columns (no statistics of the index, which covers
every user's rows), so another user's data can neither show up nor move a ranking.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, reduce
from operator import add
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    case,
    collate,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from backend import crud
from backend.contacts.models import Contact
from backend.documents import dialect_of
from backend.filters import escape_like
from backend.interviews.models import Interview
from backend.notes.models import NoteItem
from backend.organizations.models import Organization
from backend.search import fts, ranking, snippets, titles
from backend.search.models import SearchHit, SearchKind, SearchResults, Segment

contacts = crud.table_of(Contact)
interviews = crud.table_of(Interview)

TABLES: dict[SearchKind, Table] = {
    SearchKind.contacts: contacts,
    SearchKind.organizations: crud.table_of(Organization),
    SearchKind.interviews: interviews,
    SearchKind.note_items: crud.table_of(NoteItem),
}
# What the titles need besides the searched columns.
TITLE_COLUMNS: dict[SearchKind, tuple[str, ...]] = {
    SearchKind.contacts: (),
    SearchKind.organizations: (),
    SearchKind.interviews: ("contact_id", "scheduled_at"),
    SearchKind.note_items: ("category", "interview_id"),
}


@dataclass(frozen=True)
class _Found:
    kind: SearchKind
    row: Any  # id, updated_at, score, the searched columns, the title columns

    def order(self) -> tuple[int, int, datetime, uuid.UUID]:
        """Sorted descending: the score, then the kind's place, then recency, then id."""
        place = ranking.KIND_ORDER.index(self.kind.value)
        return (self.row.score, -place, self.row.updated_at, self.row.id)


def search(
    *, session: Session, owner: uuid.UUID, q: str, kinds: list[SearchKind], limit: int
) -> SearchResults:
    words = ranking.terms(q)
    if not words:
        return SearchResults(items=[])
    dialect = dialect_of(session)
    shape = _shape(words, dialect)
    params = _params(owner, words, shape, limit)
    found: list[_Found] = []
    for kind in sorted(kinds, key=lambda k: ranking.KIND_ORDER.index(k.value)):
        # A later kind ranks below an earlier one at equal scores: it can make the cut only
        # with a score above the limit-th best so far.
        if len(found) >= limit and found[limit - 1].row.score >= ranking.best_possible(
            kind.value, len(words)
        ):
            continue
        rows = session.execute(_statement(kind, dialect, shape), params)
        found += [_Found(kind, row) for row in rows]
        found.sort(key=_Found.order, reverse=True)
    found = found[:limit]
    names = _interviewees(session, owner, found)
    return SearchResults(items=[_hit(f, words, names) for f in found])


# --- Finding and scoring, in SQL ------------------------------------------------------------
#
# The statements are built once per kind, database and shape of query (how many words, and
# on SQLite which of them the trigram index can look up) and take the words as parameters:
# building and compiling one costs more than running it.


def _shape(words: list[str], dialect: str) -> tuple[bool, ...]:
    """Per word: does it go to SQLite's FTS5 index (3+ characters)? Never on PostgreSQL."""
    sqlite = dialect == "sqlite"
    return tuple(sqlite and len(word) >= fts.MIN_INDEXED for word in words)


def _params(
    owner: uuid.UUID, words: list[str], shape: tuple[bool, ...], limit: int
) -> dict[str, Any]:
    params: dict[str, Any] = {"owner": owner, "limit": limit}
    indexed = [word for word, by_index in zip(words, shape, strict=True) if by_index]
    if indexed:
        params["match"] = fts.match_all(indexed)
    for i, word in enumerate(words):
        if i < ranking.SCORED_WORDS:
            folded = ranking.fold(word)
            params |= {f"word{i}": folded, f"spaced{i}": " " + folded, f"length{i}": len(word)}
        if not shape[i]:
            params[f"pattern{i}"] = f"%{escape_like(word)}%"
    return params


@lru_cache(maxsize=256)
def _statement(kind: SearchKind, dialect: str, shape: tuple[bool, ...]) -> Select[Any]:
    """The user's rows of `kind` holding every word, best first, at most `limit`."""
    table = TABLES[kind]
    sqlite = dialect == "sqlite"
    searched = [table.c[name] for name in fts.SEARCHED[table.name]]
    owner = bindparam("owner", type_=table.c.owner_id.type)
    conditions: list[ColumnElement[bool]] = []
    if any(shape):
        conditions.append(fts.sqlite_match_all(table, bindparam("match", type_=String)))
        # The index's matches first, then the owner (see fts.sqlite_owned).
        conditions.append(fts.sqlite_owned(table, owner))
    else:
        conditions.append(table.c.owner_id == owner)
    for i, by_index in enumerate(shape):
        if by_index:
            continue
        pattern = bindparam(f"pattern{i}", type_=String)
        if sqlite:  # LIKE ignores the case of A–Z
            conditions.append(or_(*(c.like(pattern, escape="\\") for c in searched)))
        else:  # the fts_search_<table> index: the owner's rows holding the word's trigrams
            conditions.append(fts.document(table).ilike(pattern, escape="\\"))
    score = _score(table, kind, len(shape), sqlite=sqlite).label("score")
    title_columns = (table.c[name] for name in TITLE_COLUMNS[kind])
    return (
        select(table.c.id, table.c.updated_at, score, *searched, *title_columns)
        .where(*conditions)
        .order_by(score.desc(), table.c.updated_at.desc(), table.c.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )


def _score(table: Table, kind: SearchKind, n_words: int, *, sqlite: bool) -> Any:
    """`ranking.score` in SQL: for each word the best weight × tier, at least FLOOR."""
    best = func.max if sqlite else func.greatest
    per_word = [
        best(
            literal_column(str(ranking.FLOOR)),
            *(
                literal_column(str(weight)) * _tier(table.c[column], i, sqlite=sqlite)
                for column, weight in ranking.WEIGHTS[kind.value].items()
            ),
        )
        for i in range(min(n_words, ranking.SCORED_WORDS))
    ]
    return reduce(add, per_word)


def _tier(column: Any, i: int, *, sqlite: bool) -> Any:
    """`ranking.tier` in SQL for word `i` (folded). Both databases lower A–Z only."""
    folded = func.lower(column) if sqlite else func.lower(collate(column, "C"))
    word = bindparam(f"word{i}", type_=String)
    spaced = bindparam(f"spaced{i}", type_=String)
    at = func.coalesce(_position(folded, word, sqlite=sqlite), _0)
    space = literal_column("' '", type_=String)
    line_break = literal_column("char(10)" if sqlite else "chr(10)", type_=String)
    in_words = space + func.replace(folded, line_break, space)
    word_start = _position(in_words, spaced, sqlite=sqlite) > _0
    whole = case((func.length(column) == bindparam(f"length{i}", type_=Integer), _4), else_=_3)
    return case({_0: _0, _1: whole}, value=at, else_=case((word_start, _2), else_=_1))


# The tiers and positions, written into the SQL rather than bound.
_0, _1, _2, _3, _4 = (literal_column(str(n), type_=Integer) for n in range(5))


def _position(haystack: Any, needle: Any, *, sqlite: bool) -> Any:
    """Where `needle` starts in `haystack`, from 1; 0 when it is not there."""
    return func.instr(haystack, needle) if sqlite else func.strpos(haystack, needle)


# --- Titles and snippets, for the hits shown ------------------------------------------------


def _interviewees(
    session: Session, owner: uuid.UUID, found: list[_Found]
) -> dict[tuple[SearchKind, uuid.UUID], str]:
    """The interviewee's name for each interview and note among the hits."""
    by_contact = {f.row.contact_id for f in found if f.kind == SearchKind.interviews}
    by_interview = {f.row.interview_id for f in found if f.kind == SearchKind.note_items}
    names: dict[tuple[SearchKind, uuid.UUID], str] = {}
    if by_contact:
        stmt = select(contacts.c.id, contacts.c.full_name).where(
            crud.owned(contacts, owner), contacts.c.id.in_(by_contact)
        )
        names |= {(SearchKind.interviews, i): name for i, name in session.execute(stmt)}
    if by_interview:
        stmt = (
            select(interviews.c.id, contacts.c.full_name)
            .join(contacts, contacts.c.id == interviews.c.contact_id)
            .where(
                crud.owned(interviews, owner),
                crud.owned(contacts, owner),
                interviews.c.id.in_(by_interview),
            )
        )
        names |= {(SearchKind.note_items, i): name for i, name in session.execute(stmt)}
    return names


def _title(found: _Found, names: dict[tuple[SearchKind, uuid.UUID], str]) -> str:
    row = found.row
    if found.kind == SearchKind.contacts:
        return str(row.full_name)
    if found.kind == SearchKind.organizations:
        return str(row.name)
    if found.kind == SearchKind.interviews:
        name = names.get((found.kind, row.contact_id), "")
        return titles.interview_title(name, row.scheduled_at)
    return titles.note_title(row.category, names.get((found.kind, row.interview_id), ""))


def _hit(
    found: _Found, words: list[str], names: dict[tuple[SearchKind, uuid.UUID], str]
) -> SearchHit:
    weights = ranking.WEIGHTS[found.kind.value]
    values = {column: getattr(found.row, column) for column in weights}
    column = snippets.best_column(values, weights, words)
    if column is not None:
        shown = snippets.snippet(values[column] or "", words)
    else:  # the index saw the words where Python's case rules do not: the first text, plain
        shown = snippets.snippet(next((v for v in values.values() if v), ""), [])
    return SearchHit(
        kind=found.kind,
        id=found.row.id,
        title=_title(found, names),
        field=column,
        snippet=[Segment(text=s.text, match=s.match) for s in shown],
        score=found.row.score,
    )
