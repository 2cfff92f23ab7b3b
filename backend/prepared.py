"""Statements compiled once per dialect and run straight on the DB-API cursor.

For the few statements every request runs (who is asking, one row by id) SQLAlchemy's own
execution — a connection from the pool, the BEGIN/ROLLBACK pair, the compiled-cache lookup
and a `Row` per result — costs several times the indexed lookup itself: the token lookup took
~0.6 ms of a list request's ~2.7 ms of CPU (in-process loop, `time.process_time`). The SQL text
and the value conversions still come from SQLAlchemy (the dialect's compiler and each column
type's bind and result processors), so values go in and come out exactly as on the ORM path.
"""

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from sqlalchemy import Engine, Select
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class Compiled:
    sql: str
    # Positional dialects (SQLite's qmark) take a sequence in this order; the others a dict.
    positional: bool
    names: tuple[str, ...]
    binds: tuple[Processor, ...]
    results: tuple[Processor, ...]

    def parameters(self, values: Mapping[str, Any]) -> Any:
        converted = [
            value if bind is None else bind(value)
            for bind, value in zip(self.binds, (values[n] for n in self.names), strict=True)
        ]
        return converted if self.positional else dict(zip(self.names, converted, strict=True))

    def row(self, raw: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(v if p is None else p(v) for p, v in zip(self.results, raw, strict=True))


def compile_for(stmt: Select[Any], dialect: Dialect) -> Compiled:
    compiled = stmt.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ()) if dialect.positional else tuple(compiled.binds)
    binds = tuple(
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in stmt.selected_columns
    )
    return Compiled(str(compiled), dialect.positional, names, binds, results)


class Prepared:
    """One statement with named bind parameters, compiled on first use for each dialect."""

    def __init__(self, stmt: Select[Any]) -> None:
        self.stmt = stmt
        self._compiled: dict[str, Compiled] = {}

    def for_dialect(self, dialect: Dialect) -> Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = compile_for(self.stmt, dialect)
        return found

    def first(self, dbapi_connection: Any, dialect: Dialect, **values: Any) -> Any:
        compiled = self.for_dialect(dialect)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(compiled.sql, compiled.parameters(values))
            raw = cursor.fetchone()
        finally:
            cursor.close()
        return None if raw is None else compiled.row(raw)


class LoopConnections:
    """SQLite connections kept open for the short reads that run on the event loop.

    One per thread (an event loop's thread, in practice one): taking a pooled connection and
    ending its transaction would cost more than the read. Each is in autocommit mode (see
    backend.db), so every statement reads one consistent snapshot of its own and no
    transaction is ever left open. They come from the engine, so they get its settings."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def get(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            proxied = self.engine.raw_connection()
            proxied.detach()  # ours for good: never handed to another thread by the pool
            connection = self._local.connection = proxied.dbapi_connection
            with self._lock:
                self._all.append(connection)
        return connection

    def close(self) -> None:
        with self._lock:
            for connection in self._all:
                connection.close()
            self._all.clear()
        self._local = threading.local()


@contextmanager
def pooled_dbapi(engine: Engine) -> Iterator[Any]:
    """A pooled DB-API connection (PostgreSQL's reads, in a worker thread); returning it to
    the pool rolls back whatever the read began."""
    proxied = engine.raw_connection()
    try:
        yield proxied.dbapi_connection
    finally:
        proxied.close()


class Reads:
    """Runs prepared reads where they cost least: on SQLite, on the event loop (microseconds
    of work that never waits for a lock in WAL mode, where a thread hop would cost more); on
    PostgreSQL, in a worker thread (a network round trip)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self.loop = LoopConnections(engine) if engine.dialect.name == "sqlite" else None

    async def first(self, prepared: Prepared, **values: Any) -> Any:
        if self.loop is not None:
            return prepared.first(self.loop.get(), self.dialect, **values)
        return await anyio.to_thread.run_sync(self._pooled_first, prepared, values)

    def _pooled_first(self, prepared: Prepared, values: dict[str, Any]) -> Any:
        with pooled_dbapi(self.engine) as connection:
            return prepared.first(connection, self.dialect, **values)

    def close(self) -> None:
        if self.loop is not None:
            self.loop.close()
