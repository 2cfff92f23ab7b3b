"""Engine and session wiring for SQLite (embedded default) and PostgreSQL."""

import logging
import os
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session

from backend import outages
from backend.config import Settings
from backend.writer_lock import WriterLock
from backend.writer_lock import install as writer_lock_events

log = logging.getLogger("nexthop")

# Write sessions ask SQLite for the write lock up front (BEGIN IMMEDIATE). A deferred
# transaction that reads and then writes cannot wait for the lock: SQLite answers "database is
# locked" at once instead of honouring the busy timeout.
WRITE_OPTION = "nexthop_write"


# Seconds to wait for PostgreSQL to answer a new connection.
PG_CONNECT_TIMEOUT_S = 10


def normalize_url(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(settings: Settings) -> Engine:
    url = normalize_url(settings.effective_database_url)
    # A connection is taken inside a thread (an endpoint's or a read's: worker_threads of
    # each) and returned just after it, so the pool holds a few more than there are threads;
    # the overflow absorbs bursts of returns.
    pool: dict[str, Any] = {
        "pool_size": 2 * settings.worker_threads + 4,
        "max_overflow": settings.worker_threads,
        "pool_timeout": 30,
    }
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    # A server that stops answering (a dropped route, a host gone silent) would otherwise hold
    # a request for the operating system's TCP timeout, minutes; past this it is a 503.
    connect_args = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    return create_engine(
        url, pool_pre_ping=False, pool_recycle=1800, connect_args=connect_args, **pool
    )


def writer_lock(engine: Engine) -> WriterLock | None:
    """This process's queue of write transactions on an SQLite file (backend.writer_lock):
    one per file, shared by every engine on it."""
    database = engine.url.database
    if not is_sqlite(engine) or not database or database == ":memory:":
        return None
    return _WRITERS.setdefault(os.path.realpath(database), WriterLock())


_WRITERS: dict[str, WriterLock] = {}


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    writers = writer_lock(engine)
    if writers is not None:
        writer_lock_events(engine, writers)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # FULL: a commit is on disk before it is acknowledged, even across a power loss.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        # Straight to sqlite3: through exec_driver_sql this BEGIN cost ~80 µs of every read.
        driver = conn.connection.driver_connection
        if not conn.get_execution_options().get(WRITE_OPTION, False):
            driver.execute("BEGIN")
        elif writers is not None:
            writers.begin(driver, busy_timeout_ms / 1000)
        else:
            driver.execute("BEGIN IMMEDIATE")


def write_engine(engine: Engine) -> Engine:
    return engine.execution_options(**{WRITE_OPTION: True})


# Sessions are made on the event loop (no I/O: the connection is taken on first use, inside
# the endpoint's thread) so a request pays no extra thread hop for its dependency.
async def get_session(request: Request) -> AsyncIterator[Session]:
    session = Session(request.app.state.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        await _close(session)


async def get_write_session(request: Request) -> AsyncIterator[Session]:
    # On SQLite its first statement waits for this process's previous write transaction to
    # end (backend.writer_lock); PostgreSQL takes concurrent writers.
    session = Session(request.app.state.write_engine, expire_on_commit=False)
    try:
        yield session
    finally:
        await _close(session)


async def _close(session: Session) -> None:
    if not session.in_transaction() or is_sqlite(session.get_bind()):  # type: ignore[arg-type]
        # Nothing checked out, or an SQLite file: ending a transaction there costs
        # microseconds, less than the thread hop.
        end_session(session)
        return
    # Returning a connection rolls it back: I/O, so off the loop. A limiter of its own, so the
    # return never waits behind request threads that may be waiting for this very connection.
    await anyio.to_thread.run_sync(end_session, session, limiter=anyio.CapacityLimiter(1))


def end_session(session: Session) -> None:
    """Closes the session. If the server dropped its connection after the work was done (a
    read's session closes after its response has gone out), the rollback fails: nothing is
    lost, and raising would only make uvicorn close the client's connection. SQLAlchemy has
    already thrown the connection away; the session lets go of the rest without SQL."""
    try:
        session.close()
    except Exception as exc:
        if outages.classify(exc) is None:
            raise
        log.warning("session ended without its rollback: %s", outages.one_line(exc))
        session.invalidate()


SessionDep = Annotated[Session, Depends(get_session)]
# Closed as the endpoint returns, not after its response has gone out through the middleware
# and onto the socket (FastAPI's default): its connection goes back to the pool sooner.
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]
