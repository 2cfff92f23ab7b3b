"""One SQLite write transaction at a time in this process, handed on the moment it ends.

SQLite has one writer. Left to itself, a writer that finds the database locked sleeps in its
busy handler (up to 100 ms a try) and tries again, which makes multi-second tails. So this
process queues its write transactions on a lock of its own, taken just before BEGIN IMMEDIATE
and released just after COMMIT or ROLLBACK, in the thread that runs the transaction: a waiting
writer wakes as soon as the lock is free. Other processes still meet at SQLite's own lock,
under the busy timeout.

The lock covers the transaction and nothing else. It used to be an asyncio lock taken by a
request's dependency on the event loop, and so also covered the rest of the dependencies, the
hop to a worker thread and the hop back: under a load of reads, which kept the loop and the
GIL busy, a create held it ~7.5 ms for ~3 ms of work, and writers waited seconds in line.
"""

import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, OperationalError


class WriterLock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: Any = None  # the DB-API connection whose transaction holds it

    def locked(self) -> bool:
        return self._lock.locked()

    def acquire(self, dbapi_connection: Any, timeout_s: float) -> None:
        if not self._lock.acquire(timeout=timeout_s):
            # What SQLite itself answers when its busy timeout runs out (a 503 for a request).
            busy = sqlite3.OperationalError("database is locked")
            raise OperationalError("BEGIN IMMEDIATE", None, busy)
        self._holder = dbapi_connection

    def held_by(self, dbapi_connection: Any) -> bool:
        return self._holder is dbapi_connection

    def begin(self, dbapi_connection: Any, timeout_s: float) -> None:
        """BEGIN IMMEDIATE, once this process's previous write transaction has ended."""
        self.acquire(dbapi_connection, timeout_s)
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
        except BaseException as exc:
            self.release(dbapi_connection)
            if isinstance(exc, sqlite3.Error):  # another process's writer, past the timeout
                raise DBAPIError.instance("BEGIN IMMEDIATE", None, exc, sqlite3.Error) from exc
            raise

    def release(self, dbapi_connection: Any) -> None:
        if self._holder is dbapi_connection and dbapi_connection is not None:
            self._holder = None
            self._lock.release()


def install(engine: Engine, writers: WriterLock) -> None:
    """Releases the lock as the transaction holding it ends (db.py's "begin" takes it).

    SQLAlchemy announces a commit or rollback before it asks the driver for it, so the
    handlers end the transaction themselves and release the lock after; the driver's own
    call then finds no transaction open, which sqlite3 treats as nothing to do."""

    def ended(end: str) -> Any:
        def handler(conn: Any) -> None:
            driver = conn.connection.driver_connection
            if not writers.held_by(driver):
                return
            try:
                getattr(driver, end)()
            except sqlite3.Error as exc:
                # A failed COMMIT may leave the transaction open: the rollback that follows
                # (or the pool, taking the connection back) lets the lock go.
                if end == "rollback":
                    writers.release(driver)
                # Raised as SQLAlchemy would have raised the driver's own call's error.
                raise DBAPIError.instance(end.upper(), None, exc, sqlite3.Error) from exc
            writers.release(driver)

        return handler

    event.listen(engine, "commit", ended("commit"))
    event.listen(engine, "rollback", ended("rollback"))

    # Whatever else ends a connection's use while it holds the lock (returned to the pool,
    # which has rolled it back by then; invalidated; closed), the lock goes with it.
    def let_go(dbapi_connection: Any, *_: Any) -> None:
        writers.release(dbapi_connection)

    for name in ("checkin", "invalidate", "close", "close_detached"):
        event.listen(engine.pool, name, let_go)
