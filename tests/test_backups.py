"""Backups: taken online while the server writes, restored into a fresh place, consistent.

`python -m backend backup` runs while clients keep creating contacts; the backup restored
with `python -m backend restore` must pass SQLite's integrity checks (PostgreSQL: restore with
--single-transaction and --exit-on-error), be at the current migration, and hold every contact
acknowledged before the backup started and none that was never asked for.
"""

import asyncio
import fcntl
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, select, text
from sqlmodel import Session

from backend import migrations
from backend.backups import rotation, service
from backend.config import Settings
from backend.contacts.models import Contact
from backend.db import make_engine
from backend.main import create_app
from tests.conftest import TEST_HOSTS, _postgres_database, new_user
from tests.live_server import ROOT
from tests.test_crash_safety import Database, Server, fresh_database, sqlite_problems

T0 = datetime(2026, 12, 3, 8, 30, 0, 123456, tzinfo=UTC)

# --- Pure rules ----------------------------------------------------------------------------


def test_backup_names_sort_in_time_order_and_say_when() -> None:
    name = rotation.backup_name(".db", T0)
    assert name == "nexthop-20261203T083000123456Z.db"
    assert rotation.taken_at(name) == T0
    later = rotation.backup_name(".pgdump", T0 + timedelta(microseconds=1))
    assert later == "nexthop-20261203T083000123457Z.pgdump"
    assert sorted([later, name]) == [name, later]


@pytest.mark.parametrize(
    "name",
    ["notes.db", "nexthop.db", "nexthop-2026.db", ".nexthop-20261203T083000123456Z.db.partial",
     "nexthop-20261203T083000123456Z.sql", ".backup.lock"],
)  # fmt: skip
def test_other_files_are_not_backups(name: str) -> None:
    assert rotation.taken_at(name) is None


def test_rotation_keeps_the_newest_and_never_touches_other_files() -> None:
    names = [rotation.backup_name(".db", T0 + timedelta(hours=h)) for h in range(5)]
    others = ["README", "nexthop.db", ".backup.lock"]
    assert rotation.to_delete(others + names[::-1], keep=2) == names[:3]
    assert rotation.to_delete(names, keep=5) == []
    assert rotation.to_delete(others, keep=1) == []
    assert rotation.newest(others + names) == T0 + timedelta(hours=4)
    assert rotation.newest(others) is None


def test_a_backup_is_due_when_none_exists_or_the_newest_is_an_interval_old() -> None:
    day = timedelta(days=1)
    assert rotation.is_due(None, T0, day)
    assert not rotation.is_due(T0, T0 + day - timedelta(seconds=1), day)
    assert rotation.is_due(T0, T0 + day, day)
    assert rotation.seconds_until_due(None, T0, day) == 0.0
    assert rotation.seconds_until_due(T0, T0 + timedelta(hours=23), day) == 3600.0
    assert rotation.seconds_until_due(T0, T0 + 2 * day, day) == 0.0


# --- Through the command line, while a server writes ---------------------------------------


@pytest.fixture
def database(db_kind: str, tmp_path: Path) -> Iterator[Database]:
    yield from fresh_database(db_kind, tmp_path)


def nexthop(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend", *args], cwd=ROOT, env={**os.environ, **env},
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


class Writers:
    """Clients creating contacts with ids of their own until told to stop."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token
        self.acknowledged: list[str] = []
        self.asked: set[str] = set()
        self.failures: list[str] = []
        self.stop = asyncio.Event()

    async def one(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(base_url=self.base, headers=headers, timeout=30) as http:
            while not self.stop.is_set():
                contact_id = str(uuid.uuid4())
                self.asked.add(contact_id)
                body = {"id": contact_id, "full_name": f"Person {contact_id[:8]}"}
                response = await http.post("/api/v1/contacts", json=body)
                if response.status_code == 201:
                    self.acknowledged.append(contact_id)
                else:
                    self.failures.append(f"{response.status_code} {response.text[:200]}")


async def backup_while_writing(
    base: str, token: str, env: dict[str, str], dest: Path
) -> tuple[set[str], Writers, str]:
    writers = Writers(base, token)
    tasks = [asyncio.create_task(writers.one()) for _ in range(4)]
    while len(writers.acknowledged) < 40:
        await asyncio.sleep(0.05)
    before = set(writers.acknowledged)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "backend", "backup", "--to", str(dest), "--keep", "3",
        cwd=ROOT, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    during = len(writers.acknowledged) - len(before)
    await asyncio.sleep(0.2)  # writes go on after the backup too
    writers.stop.set()
    await asyncio.gather(*tasks)
    assert writers.failures == []
    assert during > 0 or len(writers.acknowledged) > len(before)
    return before, writers, out.decode().strip()


def contact_ids(engine: Engine, user_id: uuid.UUID) -> set[str]:
    with Session(engine) as session:
        rows = session.exec(select(Contact.id).where(Contact.owner_id == user_id)).all()
    return {str(r[0]) for r in rows}


@pytest.mark.slow  # real servers or commands in subprocesses
def test_a_backup_taken_while_writing_restores_consistent(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = new_user(database.engine)
    backups = tmp_path / "backups"
    server = Server(database.env)
    base = server.start()
    try:
        before, writers, printed = asyncio.run(
            backup_while_writing(base, user.token, database.env, backups)
        )
    finally:
        server.stop()
    backup = Path(printed)
    assert backup.parent == backups
    assert rotation.taken_at(backup.name) is not None
    assert [p.name for p in backups.iterdir() if not p.name.startswith(".")] == [backup.name]

    if database.kind == "sqlite":
        restored_dir = tmp_path / "restored"
        done = nexthop({}, "restore", str(backup), "--data-dir", str(restored_dir))
        assert done.returncode == 0, done.stderr
        assert sqlite_problems(restored_dir / "nexthop.db") == []
        restored = make_engine(
            Settings(data_dir=restored_dir, database_url=None, _env_file=None)  # type: ignore[call-arg]
        )
        found = _check_restored(restored, user.id, before, writers)
    else:
        for url in _postgres_database():
            done = nexthop({}, "restore", str(backup), "--database-url", url)
            assert done.returncode == 0, done.stderr
            restored = create_engine(url)
            found = _check_restored(restored, user.id, before, writers)
    with capsys.disabled():
        sys.stderr.write(
            f"\n[backup, {database.kind}] {len(before)} contacts acknowledged before the "
            f"backup, {found} in the restored copy, {len(writers.acknowledged)} acknowledged "
            f"by the end; integrity ok, schema current\n"
        )


def _check_restored(engine: Engine, user_id: uuid.UUID, before: set[str], w: Writers) -> int:
    try:
        migrations.ensure_current(engine)
        restored = contact_ids(engine, user_id)
        with engine.connect() as conn:
            users = conn.execute(text("SELECT count(*) FROM users")).scalar()
    finally:
        engine.dispose()
    assert before <= restored, f"missing: {sorted(before - restored)[:5]}"
    assert restored <= w.asked, "contacts nobody asked for"
    assert users == 1
    return len(restored)


@pytest.mark.slow  # real servers or commands in subprocesses
def test_backup_rotation_keeps_n(database: Database, tmp_path: Path) -> None:
    dest = tmp_path / "rotated"
    dest.mkdir()
    (dest / "notes.txt").write_text("not a backup")
    taken = []
    for _ in range(3):
        done = nexthop(database.env, "backup", "--to", str(dest), "--keep", "2")
        assert done.returncode == 0, done.stderr
        taken.append(Path(done.stdout.strip()).name)
    assert len(set(taken)) == 3
    assert sorted(p.name for p in dest.iterdir()) == sorted(
        [".backup.lock", "notes.txt"] + taken[1:]
    )


@pytest.mark.slow  # real servers or commands in subprocesses
def test_restore_refuses_a_target_that_is_not_empty(database: Database, tmp_path: Path) -> None:
    dest = tmp_path / "b"
    done = nexthop(database.env, "backup", "--to", str(dest))
    assert done.returncode == 0, done.stderr
    backup = done.stdout.strip()
    if database.kind == "sqlite":
        occupied = tmp_path / "occupied"
        occupied.mkdir()
        (occupied / "nexthop.db").write_text("precious")
        refused = nexthop({}, "restore", backup, "--data-dir", str(occupied))
        assert (refused.returncode, refused.stdout) == (1, "")
        assert "not empty" in refused.stderr
        assert (occupied / "nexthop.db").read_text() == "precious"
        wrong = nexthop({}, "restore", backup, "--database-url", "postgresql://x@127.0.0.1/y")
        assert wrong.returncode == 1
        assert "SQLite backup" in wrong.stderr
    else:
        # The database the backup came from has tables: refused, nothing touched.
        refused = nexthop(
            {}, "restore", backup, "--database-url", database.env["NEXTHOP_DATABASE_URL"]
        )
        assert refused.returncode == 1
        assert "restore into a new, empty one" in refused.stderr
        wrong = nexthop({}, "restore", backup, "--data-dir", str(tmp_path / "new"))
        assert wrong.returncode == 1
        assert "PostgreSQL dump" in wrong.stderr
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"hello")
    refused = nexthop({}, "restore", str(garbage), "--data-dir", str(tmp_path / "new2"))
    assert refused.returncode == 1
    assert "not a Nexthop backup" in refused.stderr


def test_a_scheduled_backup_is_skipped_when_another_process_holds_the_lock_or_one_is_fresh(
    database: Database, tmp_path: Path
) -> None:
    url = database.env.get("NEXTHOP_DATABASE_URL") or f"sqlite:///{database.sqlite_path}"
    dest = tmp_path / "sched"
    dest.mkdir()
    hour = timedelta(hours=1)
    with (dest / service.LOCK_NAME).open("a") as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        assert service.take_backup_if_due(url, dest, 2, hour) is None
        fcntl.flock(other, fcntl.LOCK_UN)
    first = service.take_backup_if_due(url, dest, 2, hour)
    assert first is not None
    assert service.take_backup_if_due(url, dest, 2, hour) is None  # fresh: not due
    second = service.take_backup_if_due(url, dest, 2, timedelta(0))
    assert second is not None
    assert second != first


def test_the_app_takes_scheduled_backups_while_it_serves(
    database: Database, tmp_path: Path
) -> None:
    dest = tmp_path / "scheduled"
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database.env.get("NEXTHOP_DATABASE_URL"),
        backup_dir=dest,
        backup_interval_minutes=60,
        backup_keep=2,
        allowed_hosts=TEST_HOSTS,
        _env_file=None,  # type: ignore[call-arg]
    )
    user = new_user(database.engine)
    app = create_app(settings, database.engine)
    headers = {"Authorization": f"Bearer {user.token}"}
    with TestClient(app) as client:
        deadline = time.monotonic() + 30
        # Requests are answered while the first backup (none existed: due at once) runs.
        while not any(rotation.taken_at(p.name) for p in _listing(dest)):
            assert client.get("/api/v1/contacts", headers=headers).status_code == 200
            assert time.monotonic() < deadline, "no scheduled backup"
            time.sleep(0.02)
    backups = [p for p in _listing(dest) if rotation.taken_at(p.name)]
    assert len(backups) == 1
    # Restarted within the interval: the fresh backup is enough.
    with TestClient(create_app(settings, database.engine)) as client:
        assert client.get("/healthz").status_code == 200
        time.sleep(0.5)
    assert [p for p in _listing(dest) if rotation.taken_at(p.name)] == backups
    if database.kind == "sqlite":
        conn = sqlite3.connect(backups[0])
        try:
            count = conn.execute("SELECT count(*) FROM users").fetchone()[0]
        finally:
            conn.close()
        assert count == 1


def _listing(dest: Path) -> list[Path]:
    return sorted(dest.iterdir()) if dest.is_dir() else []


# --- A damaged or foreign backup: one line, exit 1, nothing left behind ----------------------


@pytest.fixture(scope="module")
def sqlite_backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real backup of a migrated Nexthop SQLite database."""
    data_dir = tmp_path_factory.mktemp("source")
    engine = make_engine(Settings(data_dir=data_dir, database_url=None, _env_file=None))  # type: ignore[call-arg]
    migrations.upgrade(engine)
    new_user(engine)
    engine.dispose()
    return service.take_backup(f"sqlite:///{data_dir / 'nexthop.db'}", data_dir / "b", 1)


def damaged(kind: str, whole: bytes) -> bytes:
    if kind == "truncated":
        return whole[: len(whole) // 2]
    if kind == "random":
        return os.urandom(len(whole) // 4)
    if kind == "empty":
        return b""
    conn = sqlite3.connect(":memory:")  # "foreign": someone else's SQLite database
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('not ours')")
    return conn.serialize()


def restore_cli(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from backend.__main__ import main

    code = main(["restore", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("truncated", "is damaged"),
        ("random", "is not a Nexthop backup"),
        ("empty", "is not a Nexthop backup"),
        ("foreign", "is an SQLite database but not a Nexthop one"),
    ],
)
def test_a_damaged_or_foreign_sqlite_backup_is_refused_in_one_line_leaving_nothing(
    sqlite_backup: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, says: str
) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(damaged(kind, sqlite_backup.read_bytes()))
    new = tmp_path / "deep" / "new"
    code, out, err = restore_cli(str(bad), "--data-dir", str(new), capsys=capsys)
    assert (code, out) == (1, "")
    assert err.startswith(f"nexthop: {bad} ")
    assert (err.count("\n"), err[-1]) == (1, "\n"), err
    assert says in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.db"]
    # An empty directory made for it (a volume, say) stays as it was: empty.
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = restore_cli(str(bad), "--data-dir", str(empty), capsys=capsys)
    assert (code, out, err.count("\n")) == (1, "", 1)
    assert says in err
    assert list(empty.iterdir()) == []


def test_a_sound_sqlite_backup_restores_into_a_new_or_empty_directory(
    sqlite_backup: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for target in (tmp_path / "deep" / "new", tmp_path / "empty"):
        target.parent.mkdir(exist_ok=True)
        if target.name == "empty":
            target.mkdir()
        code, out, err = restore_cli(str(sqlite_backup), "--data-dir", str(target), capsys=capsys)
        assert (code, err) == (0, ""), err
        assert out.startswith(f"restored into {target / 'nexthop.db'};")
        assert [p.name for p in target.iterdir()] == ["nexthop.db"]
        assert sqlite_problems(target / "nexthop.db") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "empty"]


def test_a_damaged_or_foreign_pg_dump_is_refused_in_one_line_leaving_the_database_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for source_url in _postgres_database():
        engine = create_engine(source_url)
        migrations.upgrade(engine)
        new_user(engine)
        engine.dispose()
        dump = service.take_backup(source_url, tmp_path / "b", 1)
        whole = dump.read_bytes()
        foreign = tmp_path / "foreign.pgdump"
        with create_engine(source_url).begin() as conn:
            conn.execute(text("DROP TABLE alembic_version"))
        foreign.write_bytes(service.take_backup(source_url, tmp_path / "f", 1).read_bytes())
    truncated, clipped = tmp_path / "truncated.pgdump", tmp_path / "clipped.pgdump"
    truncated.write_bytes(whole[: len(whole) // 2])
    # Its table of contents whole, the last table's data cut: pg_restore starts, then stops.
    clipped.write_bytes(whole[:-100])
    garbage = tmp_path / "garbage.pgdump"
    garbage.write_bytes(service.PGDUMP_MAGIC + os.urandom(4000))
    cases = [
        (truncated, "is damaged"),
        (clipped, "pg_restore failed"),
        (garbage, "is damaged"),
        (foreign, "not of a Nexthop"),
    ]
    for target_url in _postgres_database():
        for bad, says in cases:
            code, out, err = restore_cli(str(bad), "--database-url", target_url, capsys=capsys)
            assert (code, out, err.count("\n")) == (1, "", 1), err
            assert err.startswith("nexthop: ")
            assert says in err
            target = create_engine(target_url)
            try:
                with target.connect() as conn:
                    tables = conn.execute(
                        text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
                    ).scalar_one()
            finally:
                target.dispose()
            assert tables == 0, f"{bad.name} left {tables} tables behind"
