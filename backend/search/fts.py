"""Full-text search for the lists' `q` and the search endpoint (backend/search/service.py):
what is indexed, and how a query uses the index.

`q` means the same on both databases: the rows where any of the searched columns contains
`q` (trimmed) as a substring, ignoring case. "mar" finds "Maria" and "Marchetti", "ria" finds
"Maria" too, "@acme" finds everyone with an acme address.

- SQLite: an FTS5 index with the trigram tokenizer per searched table (see the migration
  "integrations"); a query of 3 or more characters is a phrase of trigrams, i.e. a
  substring, looked up in the index. Shorter ones scan with LIKE (the index cannot help),
  which ignores the case of ASCII letters only.
- PostgreSQL: `ILIKE '%q%'` on each column; a trigram GIN index (pg_trgm) per column answers
  it. The search endpoint matches the columns as one text instead (`document`), with an
  index of its own over the owner and that text (the "search and counts" migration).

The index objects are named `fts_*` and live outside the models; `include_name` keeps them
out of model/migration comparisons.
"""

from functools import reduce
from typing import Any

from sqlalchemy import ColumnElement, Table, column, func, literal_column, select, table

# The columns `q` searches, per table: exactly those the migration indexed.
SEARCHED: dict[str, tuple[str, ...]] = {
    "contacts": ("full_name", "email", "title", "location", "notes"),
    "organizations": ("name", "industry", "notes"),
    "interviews": ("location", "research_notes", "summary"),
    "note_items": ("text", "url", "author"),
}
PREFIX = "fts_"
# FTS5's trigram tokenizer finds substrings of at least three characters.
MIN_INDEXED = 3


def include_name(name: str | None, type_: str, _parents: Any = None) -> bool:
    """For Alembic's `include_name`: the search index objects are not the models' business."""
    return not (type_ in ("table", "index") and (name or "").startswith(PREFIX))


def indexed_table(columns: tuple[ColumnElement[Any], ...]) -> Table | None:
    """The table whose FTS index covers exactly these columns, if there is one."""
    tables = {getattr(c, "table", None) for c in columns}
    if len(tables) != 1:
        return None
    owner = tables.pop()
    if not isinstance(owner, Table) or owner.name not in SEARCHED:
        return None
    names = {getattr(c, "name", None) for c in columns}
    return owner if names == set(SEARCHED[owner.name]) else None


def fts_phrase(q: str) -> str:
    """`q` as an FTS5 string: with the trigram tokenizer, a substring match."""
    return '"' + q.replace('"', '""') + '"'


def match_all(words: list[str]) -> str:
    """An FTS5 query for rows holding every one of `words`, in any of the indexed columns."""
    return " AND ".join(fts_phrase(word) for word in words)


def sqlite_match_all(searched: Table, query: str | ColumnElement[str]) -> ColumnElement[bool]:
    """Rows of `searched` that the FTS5 query (see `match_all`; words of at least
    MIN_INDEXED characters) finds: one index lookup for all the words."""
    index = table(PREFIX + searched.name, column("rowid"))
    matching = select(index.c.rowid).where(literal_column(index.name).op("MATCH")(query))
    return literal_column(f"{searched.name}.rowid").in_(matching)


def sqlite_owned(searched: Table, owner: Any) -> ColumnElement[bool]:
    """`crud.owned` for a query that also has `sqlite_match_all`: written `+owner_id`, which
    SQLite's planner may not answer from an index (its documented way of saying so). Without
    it SQLite walks the owner's index (50,000 note items) testing each row against the
    index's matches, where looking up the few matches by rowid is what is fast."""
    column = literal_column(f"+{searched.name}.owner_id", type_=searched.c.owner_id.type)
    return column == owner


def document(searched: Table) -> ColumnElement[str]:
    """A row's searched columns as one text, for the search endpoint on PostgreSQL:
    `coalesce(a, '') || ' ' || coalesce(b, '') …`, exactly the expression of the
    "search and counts" migration's `fts_search_<table>` index (GIN on the owner and this
    text's trigrams), which the planner uses only for the very same expression. A word
    (no whitespace) is in it exactly when it is in one of the columns."""
    blank, space = literal_column("''"), literal_column("' '")
    parts = [func.coalesce(searched.c[name], blank) for name in SEARCHED[searched.name]]
    return reduce(lambda text, part: text.concat(space).concat(part), parts)
