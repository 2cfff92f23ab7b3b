"""Full-text search for the lists' `q`: what is indexed, and how a query uses the index.

`q` means the same on both databases: the rows where any of the searched columns contains
`q` (trimmed) as a substring, ignoring case. "mar" finds "Maria" and "Marchetti", "ria" finds
"Maria" too, "@acme" finds everyone with an acme address.

- SQLite: an FTS5 index with the trigram tokenizer per searched table (see the migration
  "integrations"); a query of 3 or more characters is a phrase of trigrams, i.e. a
  substring, looked up in the index. Shorter ones scan with LIKE (the index cannot help),
  which ignores the case of ASCII letters only.
- PostgreSQL: `ILIKE '%q%'` on each column; a trigram GIN index (pg_trgm) per column answers
  it.

The index objects are named `fts_*` and live outside the models; `include_name` keeps them
out of model/migration comparisons.
"""

from typing import Any

from sqlalchemy import ColumnElement, Table, column, literal_column, select, table

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


def sqlite_match(searched: Table, q: str) -> ColumnElement[bool]:
    """Rows of `searched` whose FTS index holds `q` (at least MIN_INDEXED characters)."""
    index = table(PREFIX + searched.name, column("rowid"))
    matching = select(index.c.rowid).where(literal_column(index.name).op("MATCH")(fts_phrase(q)))
    return literal_column(f"{searched.name}.rowid").in_(matching)
