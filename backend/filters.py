"""Filter expressions that must read the same on SQLite and PostgreSQL."""

import uuid
from collections.abc import Callable
from dataclasses import fields
from typing import Any, ClassVar

from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

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

    def shape(self) -> tuple[tuple[str, Any], ...]:
        """Which filters are given, with whatever of their values a list's conditions decide
        their structure by: a flag's value, a list's length, a value's truth. Two requests of
        the same shape build the same statement but for its parameters (see `Values`)."""
        given = []
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, bool):
                given.append((f.name, value))
            else:
                given.append((f.name, len(value) if isinstance(value, list) else bool(value)))
        return tuple(given)


class Values:
    """How a list's conditions take the request's filter values.

    As they are, by default: the statement is this request's alone. `named=True` puts a named
    parameter in each value's place and keeps the value in `values`: every request of the
    same `ListFilters.shape` then builds the same statement, which backend.pagination keeps
    and runs with this request's values. A condition must take every value through here, and
    decide its structure only by what the shape records (scanning filters aside: their lists
    never use a kept statement)."""

    def __init__(self, *, named: bool = False, owner_unindexed: bool = False) -> None:
        self.named = named
        self.owner_unindexed = owner_unindexed
        self.values: dict[str, Any] = {}
        self.searched_by_index = False

    def __call__(self, name: str, column: ColumnElement[Any], value: Any) -> Any:
        if not self.named:
            return value
        key = f"filter_{name}"
        self.values[key] = value
        return bindparam(key, type_=column.type)

    def each(self, name: str, column: ColumnElement[Any], values: list[Any]) -> list[Any]:
        return [self(f"{name}_{i}", column, value) for i, value in enumerate(values)]

    def owned(self, table: Table, owner: uuid.UUID) -> ColumnElement[bool]:
        """The condition every list starts with: the caller's own rows.

        `owner_unindexed`: written so that SQLite cannot answer it from an index (`+owner_id`),
        for counting a text search's matches. Without statistics SQLite takes the owner's index
        as selective and walks every row of the user (1.2 ms for 10,000 contacts), where going
        from the full-text index's matches and checking their owner took 0.55 ms."""
        column: ColumnElement[Any] = table.c.owner_id
        if self.owner_unindexed:
            column = UnaryExpression(column, operator=custom_op("+"), type_=column.type)
        return column == self.owner(table, owner)

    def search(self, dialect: str, q: str, *columns: ColumnElement[Any]) -> ColumnElement[bool]:
        """`text_search`, noting whether the full-text index answers it (see `owned`): that
        decides the condition's structure, so kept statements are told apart by it."""
        self.searched_by_index |= matched_by_index(dialect, q, *columns)
        return text_search(dialect, q, *columns, text=self.text)

    def has_tag(self, dialect: str, column: ColumnElement[Any], tag: str) -> ColumnElement[bool]:
        return has_tag(dialect, column, self.text("tag", tag.lower()))

    def text(self, name: str, value: str) -> Any:
        """A text value that no column's type describes (a pattern, a search phrase)."""
        return self(name, literal_column("''", String), value)

    def owner(self, table: Table, owner: uuid.UUID) -> Any:
        return self("owner", table.c.owner_id, owner)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _as_is(_name: str, value: str) -> str:
    return value


def text_search(
    dialect: str,
    q: str,
    *columns: ColumnElement[Any],
    text: Callable[[str, str], Any] = _as_is,
) -> ColumnElement[bool]:
    """Case-insensitive substring match on any of the columns (see backend.search.fts): from
    the full-text index where the table has one, else by scanning. `text(name, value)` takes
    the search phrase or pattern into the statement (see `Values.text`)."""
    q = q.strip()
    if dialect == "sqlite":
        indexed = fts.indexed_table(columns)
        if indexed is not None and _indexable(q):
            return fts.sqlite_match_all(indexed, text("q_phrase", fts.fts_phrase(q)))
        # SQLite's LIKE already ignores (ASCII) case; ilike would add lower() on every row.
        pattern = text("q_pattern", _contains(q))
        return or_(*(col.like(pattern, escape="\\") for col in columns))
    # pg_trgm's GIN index answers this where the migration made one.
    pattern = text("q_pattern", _contains(q))
    return or_(*(col.ilike(pattern, escape="\\") for col in columns))


def _indexable(q: str) -> bool:
    return len(q.strip()) >= fts.MIN_INDEXED


def matched_by_index(dialect: str, q: str, *columns: ColumnElement[Any]) -> bool:
    """Whether `text_search` answers from SQLite's full-text index."""
    return dialect == "sqlite" and fts.indexed_table(columns) is not None and _indexable(q)


def _contains(q: str) -> str:
    return f"%{escape_like(q)}%"


def has_tag(dialect: str, column: ColumnElement[Any], tag: Any) -> ColumnElement[bool]:
    """The JSON array in `column` holds `tag` (lowercase, or a parameter that will be),
    ignoring case."""
    if dialect == "postgresql":
        elements = func.jsonb_array_elements_text(column).table_valued("value")
    else:
        elements = func.json_each(column).table_valued("value")
    value = literal_column("value")
    return exists(select(1).select_from(elements).where(func.lower(value) == tag))
