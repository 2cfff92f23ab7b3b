"""Resources rendered to JSON by the database itself.

A page of 50 contacts built in Python means ~100 UUID objects, ~100 parsed timestamps and 50
`json.loads` of tags, only to be turned back into text. Instead every read and every write's
RETURNING asks the database for the finished JSON object of the row (`json_object` on SQLite,
`json_build_object` on PostgreSQL); Python only strings the documents together. Both databases
write values in the same forms: UUIDs with dashes, instants in UTC as
`YYYY-MM-DDTHH:MM:SS.ffffffZ` (the fraction only when there is one), dates as `YYYY-MM-DD`,
booleans as true/false, arrays as arrays.

On SQLite, rendering is most of a read's cost (a page of 50 contacts: ~0.22 ms of SQL, of
which ~0.19 ms is `json_object` and the formatting of UUIDs and instants; a `SELECT` of a
stored text ~0.03 ms). So the tables every list and page reads (`STORED_TABLES`) keep each
row's document rendered in a column of their own, `stored_doc`, written by triggers in the
same statement as the row (`stored_document_sql`); reads select it (`read_document_of`),
writes still return a freshly rendered one (RETURNING does not see what triggers write).
PostgreSQL renders in its own process, beside ours, so it keeps rendering on read.
"""

import uuid
from functools import cache, reduce
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    Table,
    Text,
    Uuid,
    case,
    cast,
    func,
    literal_column,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from backend.fields import UTCDateTime

# Columns a client never sees: whose row it is, and derived lookup keys.
STORED_COLUMN = "stored_doc"
HIDDEN = frozenset({"owner_id", "name_key", STORED_COLUMN})
# The tables whose documents SQLite keeps rendered (see the module's docstring).
STORED_TABLES = frozenset({"organizations", "contacts", "interviews", "note_items", "referrals"})


class Doc(NamedTuple):
    """One resource as the client will see it, with what the HTTP layer needs beside it."""

    json: str
    id: uuid.UUID
    version: int


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def _const(value: str | int) -> ColumnElement[Any]:
    """A constant written into the SQL text, not bound: these are our own fixed strings."""
    return literal_column(str(value) if isinstance(value, int) else f"'{value}'")


def _sqlite_value(column: Any) -> ColumnElement[Any]:
    kind = column.type
    if isinstance(kind, Uuid):
        # Stored as 32 hex digits.
        parts = [func.substr(column, _const(start), _const(n)) for start, n in _UUID_PARTS]
        return reduce(lambda joined, part: joined.concat(_const("-")).concat(part), parts)
    if isinstance(kind, UTCDateTime):
        # Stored as "YYYY-MM-DD HH:MM:SS.ffffff" in UTC.
        iso = func.replace(column, _const(" "), _const("T")).concat(_const("Z"))
        return func.replace(iso, _const(".000000Z"), _const("Z"))
    if isinstance(kind, JSON):
        return func.json(column)
    if isinstance(kind, Boolean):
        return func.json(case((column, _const("true")), else_=_const("false")))
    return column


_UUID_PARTS = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))


def _postgres_value(column: Any) -> ColumnElement[Any]:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        utc = func.timezone(_const("UTC"), column)
        iso = func.to_char(utc, _const('YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
        return func.replace(iso, _const(".000000Z"), _const("Z"))
    if isinstance(kind, Date):
        return func.to_char(column, _const("YYYY-MM-DD"))
    return column


class PreRendered(ColumnElement[str]):
    """An expression of one table's columns, compiled to SQL text once, standing in for it.

    SQLAlchemy finds a statement in its compiled cache by walking the whole expression tree
    for a key; a document's tree has a node per column and per function call, and walking it
    cost ~350 µs of every page of contacts (thread CPU time, in-process loop). This one's key
    is its text and its table."""

    type = Text()
    inherit_cache = True
    _traverse_internals = [
        ("sql", InternalTraversal.dp_string),
        ("table", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, sql: str, table: Table) -> None:
        self.sql = sql
        self.table = table

    @property
    def _from_objects(self) -> list[Any]:
        return [self.table]


@compiles(PreRendered)
def _render(element: PreRendered, _compiler: SQLCompiler, **_kw: Any) -> str:
    return element.sql


_DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": postgresql.psycopg.dialect()}


def _render_sql(table: Table, dialect: str, present: frozenset[str] | None = None) -> str:
    """SQL text rendering a row of `table` as its JSON object; `present`: only these of its
    columns (a migration's, at a revision where later ones do not exist yet)."""
    sqlite = dialect == "sqlite"
    pairs: list[Any] = []
    for column in table.c:
        if column.name in HIDDEN or (present is not None and column.name not in present):
            continue
        pairs.append(_const(column.name))
        pairs.append(_sqlite_value(column) if sqlite else _postgres_value(column))
    if sqlite:
        built: ColumnElement[Any] = func.json_object(*pairs)
    else:
        # As text: psycopg would otherwise parse the json result into Python objects.
        built = cast(func.json_build_object(*pairs), Text)
    sql = built.compile(dialect=_DIALECTS[dialect], compile_kwargs={"literal_binds": True})
    return str(sql)


@cache
def document_of(table: Table, dialect: str) -> ColumnElement[str]:
    """The expression that renders a row of `table` as its public JSON object, as it is now:
    for what a write returns."""
    return PreRendered(_render_sql(table, dialect), table).label("doc")


@cache
def read_document_of(table: Table, dialect: str) -> ColumnElement[str]:
    """A row's JSON object for a read: the stored one where there is one."""
    if dialect == "sqlite" and table.name in STORED_TABLES:
        return PreRendered(f"{table.name}.{STORED_COLUMN}", table).label("doc")
    return document_of(table, dialect)


def stored_document_sql(table: Table, present: frozenset[str]) -> list[str]:
    """SQLite statements that (re)create the triggers keeping `table.stored_doc` current and
    render it for every row. `present`: the table's columns at the migration that runs them.
    A migration that adds, drops or retypes a column of a stored table runs them again (and
    one that rebuilds the table, which drops its triggers, too); tests/test_stored_documents
    fails when a stored document differs from a fresh rendering."""
    name = table.name
    rendered = _render_sql(table, "sqlite", present)
    set_doc = f"UPDATE {name} SET {STORED_COLUMN} = {rendered}"
    written = ", ".join(sorted(present - {STORED_COLUMN}))
    return [
        f"DROP TRIGGER IF EXISTS {name}_doc_insert",
        f"DROP TRIGGER IF EXISTS {name}_doc_update",
        f"CREATE TRIGGER {name}_doc_insert AFTER INSERT ON {name} BEGIN "
        f"{set_doc} WHERE rowid = NEW.rowid; END",
        # Not on its own column: the trigger's write must not wake it again.
        f"CREATE TRIGGER {name}_doc_update AFTER UPDATE OF {written} ON {name} BEGIN "
        f"{set_doc} WHERE rowid = NEW.rowid; END",
        set_doc,
    ]


def document(session: Session, table: Table) -> ColumnElement[str]:
    return document_of(table, dialect_of(session))


def doc_columns(session: Session, table: Table) -> tuple[ColumnElement[Any], ...]:
    """What a statement selects (or returns) to build a `Doc`."""
    return (document(session, table), table.c.id, table.c.version)


def to_doc(row: Any) -> Doc:
    return Doc(row[0], row[1], row[2])


def join_array(docs: list[str]) -> str:
    return "[" + ",".join(docs) + "]"


def with_member(doc: str, name: str, raw_json: str) -> str:
    """Adds `"name": raw_json` to a JSON object given as text."""
    inner = doc.rstrip()[:-1].rstrip()
    separator = "" if inner.endswith("{") else ","
    return f'{inner}{separator}"{name}":{raw_json}}}'
