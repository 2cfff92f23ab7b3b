"""Taking, rotating and restoring backups.

SQLite: the online backup API copies the database in one step, inside one read transaction,
so the copy is a consistent snapshot; in WAL mode readers never block the app's writers. The
copy is checked (`PRAGMA integrity_check`), made self-contained (no WAL), synced to disk and
only then renamed into place, so a backup file that exists is whole.

PostgreSQL: `pg_dump --format=custom`, which dumps from one repeatable-read snapshot while the
app goes on writing; restored with `pg_restore` into an empty database.
"""

import errno
import fcntl
import logging
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import URL, create_engine, inspect

from backend.backups import rotation
from backend.db import normalize_url

log = logging.getLogger("nexthop.backups")

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
LOCK_NAME = ".backup.lock"
DB_NAME = "nexthop.db"  # in the data dir, as Settings names it


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why, for the operator."""


def take_backup(database_url: str, dest: Path, keep: int) -> Path:
    """A new backup in `dest`, then all but the newest `keep` backups there deleted."""
    dest.mkdir(parents=True, exist_ok=True)
    with _exclusive(dest, wait=True):
        return _take(normalize_url(database_url), dest, keep)


def take_backup_if_due(
    database_url: str, dest: Path, keep: int, interval: timedelta
) -> Path | None:
    """For the schedule: several worker processes may run one each; whichever gets the lock
    first backs up, the others then find a fresh backup (or the lock held) and do nothing."""
    dest.mkdir(parents=True, exist_ok=True)
    with _exclusive(dest, wait=False) as locked:
        if not locked:
            return None
        if not rotation.is_due(_newest(dest), datetime.now(UTC), interval):
            return None
        return _take(normalize_url(database_url), dest, keep)


def newest_backup(dest: Path) -> datetime | None:
    return _newest(dest) if dest.is_dir() else None


def _newest(dest: Path) -> datetime | None:
    return rotation.newest([p.name for p in dest.iterdir()])


def _take(url: URL, dest: Path, keep: int) -> Path:
    now = datetime.now(UTC)
    if url.get_backend_name() == "sqlite":
        target = dest / rotation.backup_name(rotation.SQLITE_SUFFIX, now)
        _backup_sqlite(_sqlite_path(url), target)
    else:
        target = dest / rotation.backup_name(rotation.POSTGRES_SUFFIX, now)
        _backup_postgres(url, target)
    for name in rotation.to_delete([p.name for p in dest.iterdir()], keep):
        (dest / name).unlink(missing_ok=True)
    log.info("backup written: %s (%d bytes)", target, target.stat().st_size)
    return target


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    path = Path(url.database)
    if not path.is_file():
        raise BackupError(f"No database at {path}.")
    return path


def _backup_sqlite(source: Path, target: Path) -> None:
    partial = target.with_name(f".{target.name}.partial")
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # pages=-1: the whole database in one step, one snapshot
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            problems = _integrity_problems(dst)
        finally:
            dst.close()
        if problems:
            raise BackupError(f"The copy of {source} is not sound: {problems[:5]}")
        _fsync(partial)
        partial.replace(target)
        _fsync(target.parent)
    finally:
        src.close()
        partial.unlink(missing_ok=True)


def _integrity_problems(conn: sqlite3.Connection) -> list[str]:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    problems = [] if rows == ["ok"] else rows
    return problems + [f"foreign key: {row}" for row in fk]


def _pg_conninfo(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, which goes in the environment (not in `ps`)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed; install the PostgreSQL client (e.g. `apt-get install "
            f"postgresql-client`) of the server's major version or newer."
        )
    return found


def _backup_postgres(url: URL, target: Path) -> None:
    partial = target.with_name(f".{target.name}.partial")
    uri, env = _pg_conninfo(url)
    cmd = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
           f"--file={partial}", f"--dbname={uri}"]  # fmt: skip
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            failed = BackupError(f"pg_dump failed: {done.stderr.strip()}")
            raise failed from _why_pg_dump_failed(url, done.stderr)
        _fsync(partial)
        partial.replace(target)
        _fsync(target.parent)
    finally:
        partial.unlink(missing_ok=True)


def _why_pg_dump_failed(url: URL, stderr: str) -> BaseException | None:
    """What pg_dump's failure says about the database or the disk, as an error of the kind
    backend.outages recognises (the scheduler then waits for it quietly), or None."""
    if "No space left on device" in stderr:
        return OSError(errno.ENOSPC, "No space left on device")
    uri, _ = _pg_conninfo(url)
    try:
        psycopg.connect(uri, password=url.password, connect_timeout=10).close()
    except psycopg.Error as exc:  # the database is not there: that is why
        return exc
    return None


def backup_kind(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a Nexthop backup (neither SQLite nor pg_dump custom).")


def restore_sqlite(backup: Path, data_dir: Path) -> Path:
    """The backup as `<data_dir>/nexthop.db`; the directory must be new or empty.

    The copy is checked before it is put in place, so a backup that is not a whole Nexthop
    database leaves nothing behind: no new directory, and an empty one still empty."""
    if backup_kind(backup) != "sqlite":
        raise BackupError(f"{backup} is a PostgreSQL dump: restore it with --database-url.")
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise BackupError(f"{data_dir} is not empty; restore into a new data directory.")
    target = data_dir / DB_NAME
    if data_dir.is_dir():
        # Made by the operator (perhaps a mount point, which cannot be renamed): kept as it is,
        # the copy staged inside it under a hidden name.
        _copy_checked(backup, data_dir / f".{DB_NAME}.partial", target)
        return target
    # A new directory: staged beside where it goes, renamed into place once whole.
    anchor = _nearest_existing(data_dir.parent)
    stage = anchor / f".{data_dir.name}.restoring-{secrets.token_hex(4)}"
    stage.mkdir()
    try:
        _copy_checked(backup, stage / f".{DB_NAME}.partial", stage / DB_NAME)
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        stage.rename(data_dir)
        _fsync(data_dir.parent)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return target


def _copy_checked(backup: Path, partial: Path, target: Path) -> None:
    """`backup` copied to `partial`, checked, synced and renamed to `target`; else no trace."""
    try:
        shutil.copyfile(backup, partial)
        _check_nexthop_sqlite(partial, backup)
        _fsync(partial)
        partial.replace(target)
        _fsync(target.parent)
    finally:
        partial.unlink(missing_ok=True)


def _check_nexthop_sqlite(copy: Path, backup: Path) -> None:
    """Whole (SQLite's own checks) and Nexthop's (its migrations' table), or BackupError."""
    try:
        conn = sqlite3.connect(copy)
        try:
            problems = _integrity_problems(conn)
            nexthop = conn.execute(
                "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:  # a header SQLite accepts over pages it cannot read
        raise BackupError(f"{backup} is damaged (SQLite: {exc}); use another backup.") from None
    if problems:
        raise BackupError(f"{backup} is damaged ({problems[0]}); use another backup.")
    if nexthop is None:
        raise BackupError(f"{backup} is an SQLite database but not a Nexthop one.")


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists():
        path = path.parent
    return path


def restore_postgres(backup: Path, database_url: str) -> None:
    """The dump into an existing, empty database (create it first: `createdb`), in one
    transaction: a dump that breaks off part way leaves the database as empty as it was."""
    if backup_kind(backup) != "postgresql":
        raise BackupError(f"{backup} is an SQLite backup: restore it with --data-dir.")
    url = normalize_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise BackupError("--database-url must name a PostgreSQL database.")
    _check_nexthop_dump(backup)
    engine = create_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(
            f"The database {url.database} has tables ({', '.join(sorted(tables)[:5])}); "
            "restore into a new, empty one."
        )
    uri, env = _pg_conninfo(url)
    cmd = [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
           "--single-transaction", f"--dbname={uri}", str(backup)]  # fmt: skip
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")


def _check_nexthop_dump(backup: Path) -> None:
    """The dump's table of contents readable and naming Nexthop's migrations' table."""
    listed = subprocess.run(
        [_pg_tool("pg_restore"), "--list", str(backup)], capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    if listed.returncode != 0:
        raise BackupError(f"{backup} is damaged: {listed.stderr.strip()}")
    if not re.search(r"^\d+; \d+ \d+ TABLE \S+ alembic_version( |$)", listed.stdout, re.M):
        raise BackupError(f"{backup} is a pg_dump but not of a Nexthop database.")


@contextmanager
def _exclusive(dest: Path, *, wait: bool) -> Iterator[bool]:
    """One backup at a time per backup directory, across processes."""
    with (dest / LOCK_NAME).open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
