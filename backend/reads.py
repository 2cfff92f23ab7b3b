"""Where a read runs, and what it reads through.

A read endpoint's work gets a `Reading`: statements kept from one request to the next
(`Prepared`: a row by id, a page of a list by the shape of its filters, an interview's notes)
run straight on one DB-API connection; a statement built for this request alone (a text or
tag search) goes through a SQLAlchemy `Session`, opened only then. For a page of 50 contacts
the session's share — taking a pooled connection, BEGIN and ROLLBACK, the compiled-cache
lookup, a `Row` per result, and the dependency that opens and closes it — was ~0.25 ms of
~0.9 ms of CPU (in-process loop, `time.process_time`).

Where: on SQLite, a bounded read (one row, one page: microseconds of work that never waits
for a lock in WAL mode) runs on the event loop, on a connection kept for it, where a hop to a
worker thread would cost more than the read. A scan (a text search over all of a user's rows)
and every PostgreSQL read (a network round trip) run in a worker thread on a pooled connection,
so the loop keeps serving other requests meanwhile.
"""

import threading
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection

from backend.db import end_session
from backend.outages import discard_if_lost
from backend.prepared import Prepared

T = TypeVar("T")


class LoopConnections:
    """SQLite connections kept open for the short reads that run on the event loop.

    One per thread (an event loop's thread, in practice one): taking a pooled connection and
    ending its transaction would cost more than the read. Each is in autocommit mode (see
    backend.db), so no transaction is ever left open between reads. They come from the engine,
    so they get its settings."""

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


class Reading:
    """One read's access to the database, used on one thread and then closed.

    Its kept statements share one connection and, on SQLite, one transaction: an interview and
    its notes come from the same snapshot. (PostgreSQL's READ COMMITTED gives each statement
    its own, as on the session path.) The session, when a read needs one, has a connection of
    its own; no read mixes the two."""

    def __init__(self, engine: Engine, loop_connection: Any | None = None) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self._sqlite = engine.dialect.name == "sqlite"
        self._loop_connection = loop_connection
        self._pooled: Any | None = None
        self._connection: Any | None = None
        self._session: Session | None = None

    def first(self, prepared: Prepared, **values: Any) -> Any:
        return prepared.first(self._dbapi(), self.dialect, **values)

    def all(self, prepared: Prepared, **values: Any) -> list[Any]:
        return prepared.all(self._dbapi(), self.dialect, **values)

    def all_raw(self, prepared: Prepared, **values: Any) -> list[Any]:
        """Rows as the driver gives them; `converted` makes Python values of the ones needed."""
        return prepared.all(self._dbapi(), self.dialect, convert=False, **values)

    def converted(self, prepared: Prepared, raw: tuple[Any, ...]) -> tuple[Any, ...]:
        return prepared.for_dialect(self.dialect).row(raw)

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = Session(self.engine, expire_on_commit=False)
        return self._session

    def _dbapi(self) -> Any:
        if self._connection is None:
            if self._loop_connection is not None:
                connection = self._loop_connection
            else:
                self._pooled = self.engine.raw_connection()
                connection = self._pooled.dbapi_connection
            if self._sqlite:
                # sqlite3 is in autocommit mode here (backend.db): one snapshot needs a BEGIN.
                connection.execute("BEGIN")
            self._connection = connection
        return self._connection

    def lost(self, exc: Exception) -> None:
        """After an error from the driver: a pooled connection it found lost is thrown away
        (the session, if any, is SQLAlchemy's to handle)."""
        if self._pooled is not None:
            discard_if_lost(self.engine, self._pooled, exc)

    def close(self) -> None:
        try:
            if self._session is not None:
                end_session(self._session)
        finally:
            connection, self._connection = self._connection, None
            try:
                if connection is not None and self._sqlite:
                    connection.execute("ROLLBACK")  # read only: nothing to keep
            finally:
                if self._pooled is not None:
                    pooled, self._pooled = self._pooled, None
                    give_back(self.engine, pooled)


def give_back(engine: Engine, pooled: PoolProxiedConnection) -> None:
    """Returns a pooled connection, its transaction ended here rather than by the pool: one the
    server dropped since the read is then thrown away quietly (the pool, finding it so as it
    resets it, logs a traceback for each). The pool's own rollback is left with nothing to do
    (the drivers send none outside a transaction)."""
    try:
        if pooled.is_valid:
            pooled.dbapi_connection.rollback()  # type: ignore[union-attr]
    except Exception as exc:
        discard_if_lost(engine, pooled, exc)
        if pooled.is_valid:  # not a lost connection: an error of ours, not to be hidden
            raise
    finally:
        pooled.close()


class Reads:
    """Runs reads where they cost least (see the module's docstring)."""

    def __init__(self, engine: Engine, threads: int = 4) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self.loop = LoopConnections(engine) if engine.dialect.name == "sqlite" else None
        # Threads of their own: SQLite writers wait for their turn in the endpoints' threads
        # (backend.writer_lock), and a scan must not wait behind them, nor they behind scans.
        self.threads = anyio.CapacityLimiter(threads)

    async def run(self, work: Callable[[Reading], T], *, bounded: bool = True) -> T:
        """`bounded`: the read touches a few rows through an index. False for scans."""
        if bounded and self.loop is not None:
            return self._run(work, self.loop.get())
        return await anyio.to_thread.run_sync(self._run, work, None, limiter=self.threads)

    def _run(self, work: Callable[[Reading], T], loop_connection: Any | None) -> T:
        reading = Reading(self.engine, loop_connection)
        try:
            return work(reading)
        except Exception as exc:
            reading.lost(exc)
            raise
        finally:
            reading.close()

    async def first(self, prepared: Prepared, **values: Any) -> Any:
        """One kept statement's first row: a single statement needs no transaction around it."""
        if self.loop is not None:
            return prepared.first(self.loop.get(), self.dialect, **values)
        return await anyio.to_thread.run_sync(
            self._pooled_first, prepared, values, limiter=self.threads
        )

    def _pooled_first(self, prepared: Prepared, values: dict[str, Any]) -> Any:
        proxied = self.engine.raw_connection()
        try:
            row = prepared.first(proxied.dbapi_connection, self.dialect, **values)
        except Exception as exc:
            discard_if_lost(self.engine, proxied, exc)
            proxied.close()
            raise
        give_back(self.engine, proxied)
        return row

    def close(self) -> None:
        if self.loop is not None:
            self.loop.close()


async def get_reads(request: Request) -> Reads:
    reads: Reads = request.app.state.reads
    return reads


ReadsDep = Annotated[Reads, Depends(get_reads)]
