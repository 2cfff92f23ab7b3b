"""Which database errors are the database's condition (busy, unreachable, disk full) and which
are ours: backend.outages.classify, on real driver errors wherever they can be had."""

import errno
import sqlite3
from pathlib import Path

import psycopg
import psycopg.errors as pg
import pytest
from sqlalchemy import exc as sa

from backend.backups.service import BackupError
from backend.outages import Failure, classify


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (psycopg.OperationalError("connection failed: Connection refused"), Failure.unreachable),
        (psycopg.OperationalError("consuming input failed: server closed the connection"),
         Failure.unreachable),
        (pg.AdminShutdown("terminating connection due to administrator command"),
         Failure.unreachable),
        (pg.CannotConnectNow("the database system is shutting down"), Failure.unreachable),
        (pg.CrashShutdown("terminating connection because of crash"), Failure.unreachable),
        (pg.IoError("could not read block"), Failure.unreachable),
        (pg.DiskFull('could not extend file "base/1/2": No space left on device'),
         Failure.disk_full),
        (pg.TooManyConnections("sorry, too many clients already"), Failure.busy),
        (pg.DeadlockDetected("deadlock detected"), Failure.busy),
        (pg.SerializationFailure("could not serialize access"), Failure.busy),
        (pg.LockNotAvailable("canceling statement due to lock timeout"), Failure.busy),
        (pg.QueryCanceled("canceling statement due to statement timeout"), Failure.busy),
        # The statement's fault or ours, not the server's condition.
        (pg.SyntaxError("syntax error at or near"), None),
        (pg.UniqueViolation("duplicate key value"), None),
        (pg.ProgramLimitExceeded("index row size exceeds maximum"), None),
        (psycopg.InterfaceError("the cursor is closed"), None),
    ],
)  # fmt: skip
def test_postgresql_errors_by_sqlstate(error: Exception, failure: Failure | None) -> None:
    assert classify(error) == failure
    # The same, as SQLAlchemy raises it on the ORM path.
    assert classify(sa.DBAPIError.instance("SELECT 1", {}, error, psycopg.Error)) == failure


def test_sqlalchemys_own_conditions() -> None:
    lost = sa.DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True)
    assert classify(lost) == Failure.unreachable
    assert classify(sa.TimeoutError("QueuePool limit of size 12 overflow 4 reached")) == (
        Failure.busy
    )
    assert classify(sa.ProgrammingError("SELECT", {}, Exception("no"))) is None


def sqlite_error(connection: sqlite3.Connection, sql: str) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as caught:
        connection.execute(sql)
    return caught.value


def test_sqlite_errors_by_result_code(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    holder = sqlite3.connect(path, isolation_level=None)
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        holder.execute("CREATE TABLE t (v TEXT)")
        holder.execute("BEGIN IMMEDIATE")
        assert classify(sqlite_error(other, "BEGIN IMMEDIATE")) == Failure.busy
        holder.execute("ROLLBACK")

        assert classify(sqlite_error(other, "SELEKT 1")) is None
        assert classify(sqlite_error(other, "SELECT * FROM nowhere")) is None
        holder.execute("CREATE UNIQUE INDEX one ON t (v)")
        holder.execute("INSERT INTO t VALUES ('a')")
        assert classify(sqlite_error(holder, "INSERT INTO t VALUES ('a')")) is None

        # SQLITE_FULL, for real: the file may not grow past its present size.
        pages = holder.execute("PRAGMA page_count").fetchone()[0]
        holder.execute(f"PRAGMA max_page_count = {pages}")
        full = sqlite_error(holder, "INSERT INTO t SELECT hex(randomblob(5000))")
        assert full.sqlite_errorcode == sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
        assert classify(full) == Failure.disk_full
        wrapped = sa.DBAPIError.instance("INSERT", {}, full, sqlite3.Error)
        assert isinstance(wrapped, sa.OperationalError)
        assert classify(wrapped) == Failure.disk_full
    finally:
        holder.close()
        other.close()
    with pytest.raises(sqlite3.Error) as cannot_open:
        sqlite3.connect(tmp_path / "no" / "such" / "dir.db")
    assert classify(cannot_open.value) == Failure.unreachable
    # What backend.writer_lock raises when its own lock times out: no result code.
    assert classify(sqlite3.OperationalError("database is locked")) == Failure.busy


def test_a_full_disk_anywhere_and_what_an_error_was_raised_from() -> None:
    assert classify(OSError(errno.ENOSPC, "No space left on device")) == Failure.disk_full
    assert classify(OSError(errno.EACCES, "Permission denied")) is None
    backup_failed = BackupError("pg_dump failed: connection to server failed")
    backup_failed.__cause__ = pg.AdminShutdown("terminating connection")
    assert classify(backup_failed) == Failure.unreachable
    assert classify(BackupError("pg_dump failed: permission denied for table")) is None
    assert classify(RuntimeError("a bug")) is None


def test_a_database_server_that_never_answers_is_a_503_within_the_connect_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host gone silent (packets dropped, not refused) used to hold a request for the
    operating system's TCP timeout: minutes. Here the kernel completes the handshake of a
    socket nobody accepts from, so the client waits for an answer that never comes."""
    import socket
    import threading
    import time

    from fastapi.testclient import TestClient

    from backend import db
    from backend.config import Settings
    from backend.main import create_app

    monkeypatch.setattr(db, "PG_CONNECT_TIMEOUT_S", 1)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    url = f"postgresql://nobody@127.0.0.1:{silent.getsockname()[1]}/nothing"
    engine = db.make_engine(Settings(data_dir=tmp_path, database_url=url, _env_file=None))  # type: ignore[call-arg]
    answer: dict[str, object] = {}

    def ask() -> None:
        client = TestClient(create_app(Settings(data_dir=tmp_path, database_url=url), engine))
        started = time.monotonic()
        answer["status"] = client.get("/readyz").status_code
        answer["seconds"] = time.monotonic() - started

    try:
        asking = threading.Thread(target=ask, daemon=True)
        asking.start()
        asking.join(15)
        assert not asking.is_alive(), "still waiting for a server that never answers"
    finally:
        silent.close()
        engine.dispose()
    assert answer["status"] == 503
    assert float(answer["seconds"]) < 5  # type: ignore[arg-type]
