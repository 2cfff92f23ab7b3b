"""What a failed database call means for whoever made it, decided in one place.

Every path meets the database through one of two doors: SQLAlchemy (sessions, `engine.begin`),
which wraps the driver's errors in its own (`OperationalError(orig=...)`), or the driver itself
(the kept statements of backend.prepared, the token lookup and reads of backend.reads,
connecting through `raw_connection`, SQLite's writer lock), which raises psycopg's or sqlite3's
errors as they are. `classify` reads both, by SQLSTATE or SQLite result code rather than by
message, and says:

- `busy`: the database is there but could not take this now (a lock past its timeout, a
  deadlock or serialization failure, too many connections): retry in a moment;
- `unreachable`: the connection was refused or lost (the server is stopped, restarting or
  shutting down): retry in a few seconds;
- `disk_full`: the disk the database writes to is full: nothing was written, and retrying
  will not help until someone frees space;
- nothing: not the database's condition but our bug (bad SQL, a constraint a service should
  have checked), which stays a 500 with its traceback.

backend.errors turns these into problem documents (503 with Retry-After, 507); the background
loops (webhook deliveries, scheduled backups) log one line per outage with `OutageLog` and keep
going; /readyz asks `DiskWatch`.
"""

import errno
import logging
import shutil
import sqlite3
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy import exc as sa
from sqlalchemy.pool import PoolProxiedConnection


class Failure(StrEnum):
    busy = "busy"
    unreachable = "unreachable"
    disk_full = "disk_full"


# PostgreSQL: SQLSTATE (or its two-character class) -> what it means here. Only conditions of
# the server, never of the statement: a syntax error or a value out of range is ours (500) or
# the client's (a service's 4xx), not an outage.
_SQLSTATES = {
    "53100": Failure.disk_full,  # disk_full: "could not extend file", "No space left on device"
    "53": Failure.busy,  # insufficient resources: out of memory, too many connections
    "40": Failure.busy,  # transaction rollback: deadlock detected, serialization failure
    "55P03": Failure.busy,  # lock_not_available (lock_timeout)
    "57014": Failure.busy,  # query_canceled (statement_timeout)
    "08": Failure.unreachable,  # connection exception
    "57": Failure.unreachable,  # operator intervention: shutdown, crash, cannot connect now
    "58": Failure.unreachable,  # system error: I/O error on the server
}

# SQLite primary result codes (https://sqlite.org/rescode.html) -> what they mean here.
_SQLITE_CODES = {
    13: Failure.disk_full,  # SQLITE_FULL: "database or disk is full"
    5: Failure.busy,  # SQLITE_BUSY: "database is locked", past the busy timeout
    6: Failure.busy,  # SQLITE_LOCKED
    7: Failure.busy,  # SQLITE_NOMEM
    8: Failure.unreachable,  # SQLITE_READONLY: the file or its disk became read-only
    10: Failure.unreachable,  # SQLITE_IOERR
    14: Failure.unreachable,  # SQLITE_CANTOPEN: "unable to open database file"
    15: Failure.unreachable,  # SQLITE_PROTOCOL
}
# sqlite3 errors made in Python (backend.writer_lock's) carry no result code.
_SQLITE_MESSAGES = {
    "database or disk is full": Failure.disk_full,
    "database is locked": Failure.busy,
    "database table is locked": Failure.busy,
    "unable to open database file": Failure.unreachable,
    "disk i/o error": Failure.unreachable,
}


def classify(exc: BaseException) -> Failure | None:
    """What `exc`, or the error it was raised from, says about the database; None if nothing."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = _classify_one(current)
        if found is not None:
            return found
        current = current.orig if isinstance(current, sa.DBAPIError) else current.__cause__
    return None


def _classify_one(exc: BaseException) -> Failure | None:
    if isinstance(exc, sa.DBAPIError) and exc.connection_invalidated:
        return Failure.unreachable
    if isinstance(exc, sa.TimeoutError):  # no pooled connection came free in pool_timeout
        return Failure.busy
    if isinstance(exc, sa.DisconnectionError):
        return Failure.unreachable
    if isinstance(exc, psycopg.Error):
        return _postgres(exc)
    if isinstance(exc, sqlite3.Error):
        return _sqlite(exc)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return Failure.disk_full
    return None


def _postgres(exc: psycopg.Error) -> Failure | None:
    state = exc.sqlstate
    if state is None:
        # Raised by the client library itself: the connection failed or was lost.
        return Failure.unreachable if isinstance(exc, psycopg.OperationalError) else None
    return _SQLSTATES.get(state) or _SQLSTATES.get(state[:2])


def _sqlite(exc: sqlite3.Error) -> Failure | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return _SQLITE_CODES.get(code & 0xFF)  # extended codes keep the primary in the low byte
    return _SQLITE_MESSAGES.get(str(exc).lower())


def one_line(exc: BaseException) -> str:
    """The driver's error, short enough for one log line (libpq's messages span several)."""
    orig = exc.orig if isinstance(exc, sa.DBAPIError) and exc.orig is not None else exc
    text = " ".join(str(orig).split())
    return f"{type(orig).__name__}: {text[:300]}"


# --- Statements run straight on the driver ------------------------------------------------


def discard_if_lost(engine: Engine, pooled: PoolProxiedConnection, exc: BaseException) -> None:
    """What SQLAlchemy does when a statement it runs finds its connection lost, for statements
    we run on the driver's connection ourselves: that connection is thrown away, and with it
    every pooled connection opened before it (a server that restarted dropped them all), so
    that the next checkouts connect afresh rather than each failing once."""
    driver_connection = pooled.dbapi_connection
    if driver_connection is None or not isinstance(exc, engine.dialect.loaded_dbapi.Error):
        return
    if engine.dialect.is_disconnect(exc, driver_connection, None):
        # Pool._invalidate is what Connection._handle_dbapi_exception calls; no public API
        # marks a pool's older connections stale.
        engine.pool._invalidate(pooled, exc)  # noqa: SLF001


# --- A full disk, for /readyz -------------------------------------------------------------

# Less free space than this where SQLite's file lives, and /readyz says the disk is full: a
# write transaction (its pages in the write-ahead log, then the checkpoint) needs some room.
MIN_FREE_BYTES = 4 * 1024 * 1024
# How long a disk-full error keeps /readyz at 503: PostgreSQL's disk is out of our sight, so
# the last error is all this process knows of it.
REMEMBER_SECONDS = 60.0


class DiskWatch:
    """Whether the database's disk is full, as far as this process can tell."""

    def __init__(
        self,
        sqlite_dir: Path | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        min_free_bytes: int = MIN_FREE_BYTES,
    ) -> None:
        self.sqlite_dir = sqlite_dir
        self.clock = clock
        self.min_free_bytes = min_free_bytes
        self._full_at: float | None = None

    def saw_full(self) -> None:
        self._full_at = self.clock()

    def problem(self) -> dict[str, Any] | None:
        """Why the disk counts as full (`detail` and members for the problem), or None."""
        if self.sqlite_dir is not None:
            try:
                free = shutil.disk_usage(self.sqlite_dir).free
            except OSError:
                free = None
            if free is not None and free < self.min_free_bytes:
                return {
                    "detail": f"The disk holding the database has {free} bytes free.",
                    "free_bytes": free,
                }
        if self._full_at is not None and self.clock() - self._full_at < REMEMBER_SECONDS:
            ago = round(self.clock() - self._full_at)
            return {"detail": f"A write found the database's disk full {ago} s ago."}
        return None


def sqlite_dir(engine: Engine) -> Path | None:
    """The directory of the engine's SQLite file; None for PostgreSQL or memory."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database).resolve().parent


# --- Background loops ---------------------------------------------------------------------


class OutageLog:
    """For a loop that runs on its own (webhook deliveries, scheduled backups): one line when
    its work starts failing for want of the database or of disk space, one when it works
    again, rather than a traceback on every tick."""

    def __init__(self, log: logging.Logger, what: str, disk: DiskWatch | None = None) -> None:
        self.log = log
        self.what = what
        self.disk = disk
        self._since: float | None = None

    def failed(self, exc: BaseException) -> bool:
        """True if `exc` was the database's condition (logged, once per outage); False if it
        is a bug for the caller to log in full."""
        failure = classify(exc)
        if failure is None:
            return False
        if failure is Failure.disk_full and self.disk is not None:
            self.disk.saw_full()
        if self._since is None:
            self._since = time.monotonic()
            full = failure is Failure.disk_full
            why = "the disk is full" if full else f"the database is {failure}"
            self.log.warning(
                "%s paused: %s (%s); trying again until it works",
                self.what, why, one_line(exc),
            )  # fmt: skip
        return True

    def worked(self) -> None:
        if self._since is not None:
            seconds = time.monotonic() - self._since
            self._since = None
            # A warning too: it closes what the "paused" warning opened, at any log level.
            self.log.warning("%s resumed after %.0f s", self.what, seconds)
