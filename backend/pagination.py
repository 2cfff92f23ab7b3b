"""Keyset pagination: an opaque cursor holds the last row's sort value and id.

Keyset (not OFFSET) means a page costs the same wherever it is, and rows inserted while a
client pages never make it see a row twice or skip one that existed when it started.
"""

import base64
import binascii
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import (
    ColumnElement,
    Integer,
    ScalarSelect,
    Select,
    String,
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from backend.counts import COUNTED, OWNER_PARAM, counted_total_query
from backend.documents import dialect_of, join_array, read_document_of
from backend.errors import Unprocessable
from backend.filters import ListFilters, Values
from backend.prepared import Prepared
from backend.reads import Reading

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )
    total: int = Field(description="How many items match the filters, across all pages.")


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: str | None


async def page_params(
    request: Request,
    limit: Annotated[
        int, Query(ge=1, description="Page size; values above the server maximum are clamped.")
    ] = 50,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> PageParams:
    return PageParams(min(limit, request.app.state.settings.page_size_max), cursor)


PageDep = Annotated[PageParams, Depends(page_params)]


def _parse_value(raw: Any, kind: type) -> Any:
    """The sort value from a cursor, checked as strictly as any other input: a forged cursor
    must be a 422, never a database error."""
    if raw is None:
        return None
    if kind is int:
        if not isinstance(raw, int) or abs(raw) >= 2**31:
            raise ValueError("not a sort value")
        return raw
    if not isinstance(raw, str) or "\x00" in raw:
        raise ValueError("not a sort value")
    raw.encode("utf-8")  # lone surrogates raise UnicodeEncodeError, a ValueError
    if kind is datetime:
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value
    if kind is date:
        return date.fromisoformat(raw)
    return raw


@dataclass(frozen=True)
class SortKey:
    """One way a list can be ordered; rows tie-break on id so the order is total."""

    column: ColumnElement[Any]
    kind: type = str
    nullable: bool = False


@dataclass(frozen=True)
class Keyset:
    sort_name: str
    key: SortKey
    descending: bool
    id_column: ColumnElement[Any]
    after: tuple[Any, uuid.UUID] | None = field(default=None)

    def order_by(self) -> list[ColumnElement[Any]]:
        col, ident = self.key.column, self.id_column
        order = [col.desc(), ident.desc()] if self.descending else [col.asc(), ident.asc()]
        # NULLs sort last in both directions, the same way on SQLite and PostgreSQL.
        return [col.is_(None).asc(), *order] if self.key.nullable else order

    def condition(self) -> ColumnElement[bool] | None:
        if self.after is None:
            return None
        value, last_id = self.after
        col, ident = self.key.column, self.id_column
        beyond = (lambda a, b: a < b) if self.descending else (lambda a, b: a > b)
        if value is None:
            return and_(col.is_(None), beyond(ident, last_id))
        after_value = or_(beyond(col, value), and_(col == value, beyond(ident, last_id)))
        if self.key.nullable:
            return or_(and_(col.is_not(None), after_value), col.is_(None))
        return after_value


def encode_cursor(sort_name: str, value: Any, row_id: uuid.UUID | str) -> str:
    if isinstance(value, datetime | date):
        value = value.isoformat()
    raw = orjson.dumps([sort_name, value, str(row_id)])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def make_keyset(
    sort: str, keys: dict[str, SortKey], id_column: ColumnElement[Any], cursor: str | None
) -> Keyset:
    name = sort.removeprefix("-")
    key = keys[name]
    after = None
    if cursor:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            sort_name, raw_value, raw_id = orjson.loads(base64.urlsafe_b64decode(padded))
            if sort_name != sort:
                raise ValueError("sort changed")
            if not isinstance(raw_id, str):
                raise ValueError("not an id")
            after = (_parse_value(raw_value, key.kind), uuid.UUID(raw_id))
        except (ValueError, TypeError, binascii.Error) as exc:
            raise Unprocessable.invalid_cursor("another sort order") from exc
    return Keyset(sort, key, sort.startswith("-"), id_column, after)


# A page's parameters, when its statement is the one built once (see `_unfiltered_page`).
AFTER_VALUE, AFTER_ID, PAGE_OWNER, PAGE_LIMIT = "after_value", "after_id", "owner", "page_limit"
PAGE_TOTAL = "page_total"  # a total counted before the page (pagination._search_page)


def _page_select(
    table: Table,
    dialect: str,
    where: Sequence[ColumnElement[bool]],
    keyset: Keyset,
    count: Any,
    limit: Any,
) -> Select[Any]:
    conditions = list(where)
    after = keyset.condition()
    if after is not None:
        conditions.append(after)
    return (
        select(
            read_document_of(table, dialect),
            keyset.key.column,
            type_coerce(table.c.id, String),  # as stored: only the last row's, for the cursor
            count,  # in the same statement: one round trip, one snapshot
        )
        .where(*conditions)
        .order_by(*keyset.order_by())
        .limit(limit)
    )


@cache
def _unfiltered_page(
    table: Table, dialect: str, sort_name: str, key: SortKey, id_column: Any, after: str | None
) -> Prepared:
    """The statement of a page filtered by owner alone, for `fetch_page`."""
    where = [table.c.owner_id == bindparam(PAGE_OWNER, type_=table.c.owner_id.type)]
    return _build_kept(table, dialect, (sort_name, key, id_column, after), (), where).page


@dataclass(frozen=True)
class _KeptPage:
    page: Prepared
    total: Prepared  # for an empty page, which has no row to carry the total


def _build_kept(
    table: Table,
    dialect: str,
    kept_key: tuple[Any, ...],
    shape: tuple[Any, ...],
    where: Sequence[ColumnElement[bool]],
    total_given: bool = False,
) -> _KeptPage:
    """A page's statement with every value a parameter: the filters' (in `where`, see
    filters.Values), the cursor's, the limit. `kept_key`: see `_kept_key`. With no filter but
    the owner, the total is the trigger-kept count instead of a count of the rows;
    `total_given`: the caller counted already, and passes the total as PAGE_TOTAL."""
    sort_name, key, id_column, after = kept_key
    last_id = bindparam(AFTER_ID, type_=id_column.type)
    last_value = None if after == "null" else bindparam(AFTER_VALUE, type_=key.column.type)
    keyset = Keyset(
        sort_name,
        key,
        sort_name.startswith("-"),
        id_column,
        None if after is None else (last_value, last_id),
    )
    limit = bindparam(PAGE_LIMIT, type_=Integer)
    if total_given:
        count: Any = bindparam(PAGE_TOTAL, type_=Integer)
    elif shape:
        count = select(func.count()).select_from(table).where(*where).scalar_subquery()
    else:
        count = _owner_total(table)
    page = _page_select(table, dialect, where, keyset, count, limit)
    return _KeptPage(Prepared(page), Prepared(select(count)))


# Kept page statements, by table, dialect, sort, kind of cursor and filters' shape. Building a
# page's select and walking it for SQLAlchemy's cache key cost ~0.2 ms per request, and its
# execution through a Session ~0.25 ms more. Shapes are few (each filter given or not, lists
# of enum values), so the bound only guards against a client making up long lists.
_KEPT: dict[tuple[Any, ...], _KeptPage] = {}
KEPT_MAX = 1000


def _kept_page(
    table: Table,
    dialect: str,
    keyset: Keyset,
    shape: tuple[Any, ...],
    where: Sequence[ColumnElement[bool]],
    total_given: bool = False,
) -> _KeptPage:
    kept_key = _kept_key(keyset)
    cache_key = (table, dialect, *kept_key, shape, total_given)
    found = _KEPT.get(cache_key)
    if found is None:
        if len(_KEPT) >= KEPT_MAX:
            _KEPT.clear()
        found = _KEPT[cache_key] = _build_kept(table, dialect, kept_key, shape, where, total_given)
    return found


_KEPT_COUNTS: dict[tuple[Any, ...], Prepared] = {}


def _kept_count(
    table: Table, dialect: str, shape: tuple[Any, ...], where: Sequence[ColumnElement[bool]]
) -> Prepared:
    """How many rows match, kept by shape like the pages."""
    cache_key = (table, dialect, shape)
    found = _KEPT_COUNTS.get(cache_key)
    if found is None:
        if len(_KEPT_COUNTS) >= KEPT_MAX:
            _KEPT_COUNTS.clear()
        counted = select(func.count()).select_from(table).where(*where)
        found = _KEPT_COUNTS[cache_key] = Prepared(counted)
    return found


@cache
def _owner_total(table: Table) -> ScalarSelect[int]:
    """How many rows the owner has: kept by triggers where it can be, else counted."""
    if table.name in COUNTED:
        return counted_total_query(table.name)
    owner = bindparam(PAGE_OWNER, type_=table.c.owner_id.type)
    return (
        select(func.count()).select_from(table).where(table.c.owner_id == owner).scalar_subquery()
    )


# A text search matching at most this many rows is paged from its matches, sorted; one
# matching more, by walking the sort order's index until the page is full. Measured on 10,000
# contacts: 9 matches, 0.12 ms against 1.8; 698 matches, 2.2 ms against 1.1.
FEW_MATCHES = 200


def fetch_page(
    session: Session,
    *,
    table: Table,
    where: Sequence[ColumnElement[bool]],
    keyset: Keyset,
    limit: int,
    owner: uuid.UUID,
) -> str:
    """The `{items, next_cursor, total}` envelope, as JSON text ready to send, from a
    statement built for this request (read endpoints use `read_page`'s kept ones).

    `where` must start with the owner condition; with nothing else to filter on, the total
    comes from the trigger-kept count instead of a scan."""
    dialect = dialect_of(session)
    params: dict[str, Any] = {}
    if len(where) == 1:
        stmt = _unfiltered_page(table, dialect, *_kept_key(keyset)).stmt
        params = _kept_params(keyset, owner, limit)
        count: Any = _owner_total(table)
    else:
        count = select(func.count()).select_from(table).where(*where).scalar_subquery()
        stmt = _page_select(table, dialect, where, keyset, count, limit + 1)
    rows = session.execute(stmt, params).all()
    total = rows[0][3] if rows else session.execute(select(count), params).scalar_one()
    last = rows[limit - 1] if len(rows) > limit else None
    return _envelope(rows[:limit], keyset, last, total)


def read_page(
    reading: Reading,
    *,
    table: Table,
    owner: uuid.UUID,
    filters: ListFilters,
    where: Callable[[str, Values], Sequence[ColumnElement[bool]]],
    keyset: Keyset,
    limit: int,
) -> str:
    """`fetch_page` for a read endpoint. `where(dialect, values)` builds the conditions, the
    owner's first, taking every filter value through `values` (filters.Values).

    The page's statement is kept from one request to the next, by the filters' shape, and
    runs straight on the reading's connection; this request only supplies its values."""
    dialect = reading.dialect.name
    named = Values(named=True)
    plain = where(dialect, named)
    params = {**named.values, **_kept_params(keyset, owner, limit)}
    if filters.scans:
        return _search_page(reading, table, dialect, filters, where, plain, keyset, limit, params)
    return _read_kept(reading, _kept_page(table, dialect, keyset, filters.shape(), plain),
                      keyset, limit, params)  # fmt: skip


def _read_kept(
    reading: Reading, kept: "_KeptPage", keyset: Keyset, limit: int, params: dict[str, Any]
) -> str:
    rows = reading.all_raw(kept.page, **params)
    total = rows[0][3] if rows else reading.first(kept.total, **params)[0]
    return _kept_envelope(reading, kept, rows, keyset, limit, total)


def _kept_envelope(
    reading: Reading,
    kept: "_KeptPage",
    rows: list[Any],
    keyset: Keyset,
    limit: int,
    total: int,
) -> str:
    # Only the last row's sort value is read (for the cursor): convert that one alone.
    last = reading.converted(kept.page, rows[limit - 1]) if len(rows) > limit else None
    return _envelope(rows[:limit], keyset, last, total)


def _search_page(
    reading: Reading,
    table: Table,
    dialect: str,
    filters: ListFilters,
    where: Callable[[str, Values], Sequence[ColumnElement[bool]]],
    plain: Sequence[ColumnElement[bool]],
    keyset: Keyset,
    limit: int,
    params: dict[str, Any],
) -> str:
    """A page of a list with a text or tag search, from kept statements too: building the
    search's conditions and running them through a Session was ~40 % of a search request.

    Where SQLite's full-text index answers the text, its matches are counted first (the
    owner's condition written so that SQLite goes from the matches, filters.Values.owned);
    at most FEW_MATCHES of them are paged from the matches, more by walking the sort order's
    index. Whether the index answers decides the statements' structure, so it is part of
    their shape."""
    matching = Values(named=True, owner_unindexed=True)
    by_matches = where(dialect, matching)
    shape = (*filters.shape(), ("by_index", matching.searched_by_index))
    if not matching.searched_by_index:
        return _read_kept(reading, _kept_page(table, dialect, keyset, shape, plain),
                          keyset, limit, params)  # fmt: skip
    counted = _kept_count(table, dialect, shape, by_matches)
    total: int = reading.first(counted, **matching.values)[0]
    few = total <= FEW_MATCHES
    kept = _kept_page(
        table, dialect, keyset, (*shape, ("from_matches", few)), by_matches if few else plain,
        total_given=True,
    )  # fmt: skip
    rows = reading.all_raw(kept.page, **params, **{PAGE_TOTAL: total})
    return _kept_envelope(reading, kept, rows, keyset, limit, total)


def _kept_key(keyset: Keyset) -> tuple[Any, ...]:
    after_kind = None
    if keyset.after is not None:
        after_kind = "null" if keyset.after[0] is None else "value"
    return keyset.sort_name, keyset.key, keyset.id_column, after_kind


def _kept_params(keyset: Keyset, owner: uuid.UUID, limit: int) -> dict[str, Any]:
    params = {PAGE_OWNER: owner, OWNER_PARAM: owner, PAGE_LIMIT: limit + 1}
    if keyset.after is not None:
        params[AFTER_VALUE], params[AFTER_ID] = keyset.after
    return params


def _envelope(rows: Sequence[Any], keyset: Keyset, last: Any | None, total: int) -> str:
    """`last`: the page's last row when another page follows it."""
    next_cursor = None
    if last is not None:
        _, last_value, last_id, _ = last
        next_cursor = encode_cursor(keyset.sort_name, last_value, last_id)
    items = join_array([row[0] for row in rows])
    cursor_json = orjson.dumps(next_cursor).decode()
    return f'{{"items":{items},"next_cursor":{cursor_json},"total":{total}}}'
