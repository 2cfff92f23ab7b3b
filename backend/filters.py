"""Filter expressions that must read the same on SQLite and PostgreSQL."""

from dataclasses import fields
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, exists, func, literal_column, or_, select
from sqlalchemy.orm import Session

from backend.search import fts


class ListFilters:
    """A list's filters. `SCANNING` names those no index answers (text inside any of several
    columns, a tag inside a JSON array): with one of them set, the page and its total walk all
    of the user's rows (15 ms for 10,000 contacts by tag), so the list is no bounded read and
    goes to a worker thread (backend.reads)."""

    SCANNING: ClassVar[tuple[str, ...]] = ("q",)

    @property
    def scans(self) -> bool:
        return any(getattr(self, name) for name in self.SCANNING)

    @property
    def empty(self) -> bool:
        """No filter given: the list is all of the owner's rows (see pagination.read_page)."""
        return all(getattr(self, f.name) is None for f in fields(self))  # type: ignore[arg-type]


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_search(session: Session, q: str, *columns: ColumnElement[Any]) -> ColumnElement[bool]:
    """Case-insensitive substring match on any of the columns (see backend.search.fts): from
    the full-text index where the table has one, else by scanning."""
    q = q.strip()
    if session.get_bind().dialect.name == "sqlite":
        indexed = fts.indexed_table(columns)
        if indexed is not None and len(q) >= fts.MIN_INDEXED:
            return fts.sqlite_match(indexed, q)
        # SQLite's LIKE already ignores (ASCII) case; ilike would add lower() on every row.
        return or_(*(col.like(_contains(q), escape="\\") for col in columns))
    # pg_trgm's GIN index answers this where the migration made one.
    return or_(*(col.ilike(_contains(q), escape="\\") for col in columns))


def _contains(q: str) -> str:
    return f"%{escape_like(q)}%"


def has_tag(session: Session, column: ColumnElement[Any], tag: str) -> ColumnElement[bool]:
    """The JSON array in `column` holds `tag`, ignoring case."""
    if session.get_bind().dialect.name == "postgresql":
        elements = func.jsonb_array_elements_text(column).table_valued("value")
    else:
        elements = func.json_each(column).table_valued("value")
    value = literal_column("value")
    return exists(select(1).select_from(elements).where(func.lower(value) == tag.lower()))
