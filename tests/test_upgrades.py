"""Upgrading never loses data: from the schema of every past revision, with a user's data in
every table (tests/upgrade_seed.py), to today's, on SQLite and PostgreSQL.

Each case migrates a blank database to the past revision, writes the seed, upgrades the way
`python -m backend migrate` and `serve` do, then checks that every row and every field is
still there, that what triggers derive (row counts, SQLite's stored documents, the search
index) agrees with the rows, and that the app serves the data to its owner: through set-up
adopting the local user for the releases before accounts (as the README promises), through
the user's own API token after.
"""

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Column, Engine, MetaData, Table, insert, inspect, select, text

from backend import migrations
from backend.accounts.passwords import hash_password
from backend.backups.service import BackupError
from backend.config import Settings
from backend.counts import COUNTED
from backend.db import make_engine
from backend.main import create_app
from backend.migrations.foreign_keys import ForeignKeyViolation
from backend.models import metadata
from tests.conftest import _postgres_database, settings_for
from tests.test_cli import nexthop
from tests.test_stored_documents import stale_documents
from tests.upgrade_seed import (
    DERIVED_COLUMNS,
    DERIVED_TABLES,
    LEGACY_EMAIL,
    Seed,
    build,
    missing_columns,
)


def _past_revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    oldest_first = [r.revision for r in reversed(list(script.walk_revisions()))]
    return oldest_first[:-1]


PAST = _past_revisions()
# One argon2 hash for every case (hashing costs ~0.1 s).
PASSWORD_HASH = hash_password("correct horse battery staple 9")

# The records a user reads one at a time, and where.
READ_ONE = {
    "organizations": "/api/v1/organizations/{}",
    "contacts": "/api/v1/contacts/{}",
    "interviews": "/api/v1/interviews/{}",
    "note_items": "/api/v1/note-items/{}",
    "referrals": "/api/v1/referrals/{}",
    "opportunities": "/api/v1/opportunities/{}",
    "webhooks": "/api/v1/webhooks/{}",
}


class Blank(NamedTuple):
    settings: Settings
    engine: Engine


@pytest.fixture
def blank(db_kind: str, tmp_path: Path) -> Iterator[Blank]:
    """A database of its own with no schema at all."""
    urls: Iterator[str | None] = iter([None]) if db_kind == "sqlite" else _postgres_database()
    for url in urls:
        settings = settings_for(tmp_path / "data", url)
        engine = make_engine(settings)
        try:
            yield Blank(settings, engine)
        finally:
            engine.dispose()


def columns_now(engine: Engine) -> dict[str, set[str]]:
    """The application's tables and their columns, as the database has them now."""
    found = inspect(engine)
    return {
        name: {c["name"] for c in found.get_columns(name)}
        for name in found.get_table_names()
        if migrations.include_name(name, "table")
    }


def _typed(name: str, columns: set[str]) -> Table:
    """`name` with just `columns`, typed as today's models type them (so values read back
    as the same Python values on both databases)."""
    model = metadata.tables[name]
    return Table(
        name,
        MetaData(),
        *(Column(c, model.c[c].type, primary_key=model.c[c].primary_key) for c in sorted(columns)),
    )


def write(engine: Engine, seed: Seed, present: dict[str, set[str]]) -> None:
    with engine.begin() as conn:
        for model in metadata.sorted_tables:  # parents first
            if model.name not in present or model.name in DERIVED_TABLES:
                continue
            columns = present[model.name] - DERIVED_COLUMNS
            rows = [{c: row[c] for c in columns} for row in seed.rows[model.name]]
            conn.execute(insert(_typed(model.name, columns)), rows)


def snapshot(engine: Engine, present: dict[str, set[str]]) -> dict[str, dict[Any, Any]]:
    """Every row of every seeded table, by primary key, in the columns it had at the past
    revision."""
    found: dict[str, dict[Any, Any]] = {}
    with engine.connect() as conn:
        for name, columns in sorted(present.items()):
            if name in DERIVED_TABLES:
                continue
            table = _typed(name, columns - DERIVED_COLUMNS)
            key = [c.name for c in table.primary_key.columns]
            found[name] = {
                tuple(row[k] for k in key): dict(row)
                for row in conn.execute(select(table)).mappings()
            }
    return found


def assert_derived_data_agrees(engine: Engine, db_kind: str) -> None:
    with engine.connect() as conn:
        for kind in COUNTED:
            actual = dict(
                conn.execute(text(f"SELECT owner_id, count(*) FROM {kind} GROUP BY owner_id")).all()
            )
            counts = text("SELECT owner_id, n FROM row_counts WHERE kind = :k AND n > 0")
            kept = dict(conn.execute(counts, {"k": kind}).all())
            assert kept == actual, f"row counts of {kind}"
    if db_kind == "sqlite":
        assert stale_documents(engine) == {}


def _same(api_value: Any, stored: Any) -> bool:
    """A field as the API shows it against the value written into the database."""
    if isinstance(stored, uuid.UUID):
        return api_value is not None and uuid.UUID(api_value) == stored
    if isinstance(stored, datetime):
        return datetime.fromisoformat(api_value.replace("Z", "+00:00")) == stored
    if isinstance(stored, date):
        return date.fromisoformat(api_value) == stored
    return bool(api_value == stored)


def assert_the_owner_sees_it_all(
    client: TestClient, headers: dict[str, str], seed: Seed, present: dict[str, set[str]]
) -> None:
    for table, path in READ_ONE.items():
        if table not in present:
            continue
        for row in seed.rows[table]:
            if row.get("owner_id") != seed.owner:
                continue
            got = client.get(path.format(row["id"]), headers=headers)
            assert got.status_code == 200, (table, got.text)
            shown = got.json()
            differ = {
                k: (shown[k], row[k])
                for k in shown.keys() & present[table]
                if not _same(shown[k], row[k])
            }
            assert differ == {}, table
    listed = client.get("/api/v1/contacts", headers=headers).json()
    assert listed["total"] == 3
    assert {c["full_name"] for c in listed["items"]} == {"José García", "Lee Chen", "Zoë O'Brien"}
    found = client.get("/api/v1/search", params={"q": "Sprüngli"}, headers=headers).json()
    assert [hit["kind"] for hit in found["items"]] == ["interviews"]
    if "profiles" in present:
        profile = client.get("/api/v1/profile", headers=headers).json()
        assert profile["ask"] == "Twenty minutes on how you moved into storage"
        template = client.get("/api/v1/message-templates/outreach", headers=headers).json()
        assert template["subject"] == "Coffee, {{contact.first_name}}?"
    if seed.other is not None:
        theirs = client.get(f"/api/v1/contacts/{seed.rows['contacts'][-1]['id']}", headers=headers)
        assert theirs.status_code == 404


@pytest.mark.parametrize("revision", PAST)
def test_upgrading_from_every_past_revision_keeps_every_row_and_field(
    revision: str, blank: Blank, db_kind: str
) -> None:
    engine = blank.engine
    migrations.upgrade(engine, revision)
    present = columns_now(engine)
    accounts = "password_hash" in present["users"]
    seed = build(accounts=accounts, password_hash=PASSWORD_HASH)
    assert missing_columns(seed, present) == [], "tests/upgrade_seed.py needs data for these"
    write(engine, seed, present)
    before = snapshot(engine, present)

    done = migrations.upgrade_with_backup(engine, blank.settings.effective_backup_dir)

    assert (done.from_revision, done.to_revision) == (revision, migrations.head_revision())
    assert done.backup is not None
    assert done.backup.is_file()
    after = snapshot(engine, present)
    for table in before:
        assert after[table] == before[table], f"{table} changed in the upgrade from {revision}"
    assert_derived_data_agrees(engine, db_kind)

    with TestClient(create_app(blank.settings, engine)) as client:
        if accounts:
            headers = {"Authorization": f"Bearer {seed.token_secret}"}
        else:
            # The README: "A database from before accounts existed keeps its data: set-up
            # adopts its local user."
            body = {"email": "Ada@Example.test", "password": seed.password, "display_name": "Ada"}
            made = client.post("/api/v1/setup", json=body)
            assert made.status_code == 201, made.text
            assert made.json()["user"]["id"] == str(seed.owner)
            assert made.json()["user"]["is_admin"] is True
            headers = {"X-CSRF-Token": made.json()["csrf_token"]}
        assert_the_owner_sees_it_all(client, headers, seed, present)
        if accounts:
            tokens = client.get("/api/v1/tokens", headers=headers).json()
            assert sorted(t["name"] for t in tokens) == ["laptop script", "read only"]


def _at_with_data(blank: Blank, revision: str) -> Seed:
    migrations.upgrade(blank.engine, revision)
    present = columns_now(blank.engine)
    seed = build(accounts="password_hash" in present["users"], password_hash=PASSWORD_HASH)
    write(blank.engine, seed, present)
    return seed


def test_the_backup_before_an_upgrade_holds_the_database_as_it_was(
    blank: Blank, db_kind: str
) -> None:
    revision = PAST[0]
    _at_with_data(blank, revision)
    backups = blank.settings.effective_backup_dir / migrations.BEFORE_UPGRADE_DIR
    backups.mkdir(parents=True)
    older = [backups / f"nexthop-2026010{i}T000000000000Z.db" for i in range(1, 7)]
    for path in older:
        path.write_bytes(b"an older backup")

    done = migrations.upgrade_with_backup(blank.engine, blank.settings.effective_backup_dir)

    assert done.backup is not None
    assert done.backup.parent == backups
    # The newest five are kept: this one and the four newest before it.
    assert sorted(backups.glob("nexthop-*")) == [*older[-4:], done.backup]
    if db_kind == "sqlite":
        copy = sqlite3.connect(done.backup)
        try:
            assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [
                (revision,)
            ]
            assert copy.execute("SELECT count(*) FROM contacts").fetchone() == (3,)
        finally:
            copy.close()
    else:
        assert done.backup.read_bytes().startswith(b"PGDMP")


def test_no_backup_is_taken_of_a_new_or_empty_or_current_database(blank: Blank) -> None:
    root = blank.settings.effective_backup_dir
    assert migrations.upgrade_with_backup(blank.engine, root).backup is None  # new
    assert migrations.upgrade_with_backup(blank.engine, root).backup is None  # current
    assert not root.exists()


def test_a_backup_that_cannot_be_taken_stops_the_upgrade(blank: Blank) -> None:
    revision = PAST[-1]
    _at_with_data(blank, revision)
    root = blank.settings.data_dir / "not-a-directory"
    root.parent.mkdir(parents=True, exist_ok=True)
    root.write_text("a file where the backups would go")

    with pytest.raises(BackupError):
        migrations.upgrade_with_backup(blank.engine, root)

    assert migrations.current_revision(blank.engine) == revision


def test_an_upgrade_that_would_leave_a_dangling_reference_commits_nothing(
    blank: Blank, db_kind: str
) -> None:
    if db_kind != "sqlite":
        pytest.skip("PostgreSQL enforces foreign keys during the migration itself")
    revision = PAST[0]
    seed = _at_with_data(blank, revision)
    gone = uuid.uuid4().hex
    raw = sqlite3.connect(blank.engine.url.database or "")
    try:  # what a bug of an earlier release might have left behind
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute("UPDATE contacts SET organization_id = ? WHERE full_name = 'Lee Chen'", (gone,))
        raw.commit()
    finally:
        raw.close()

    # (The backup would refuse to copy such a database; this is the check behind it.)
    with pytest.raises(ForeignKeyViolation, match="contacts"):
        migrations.upgrade_with_backup(
            blank.engine, blank.settings.effective_backup_dir, backup=False
        )

    assert migrations.current_revision(blank.engine) == revision
    with blank.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        assert "api_tokens" not in tables  # made by a later migration: rolled back too
        names = conn.execute(text("SELECT full_name FROM contacts ORDER BY full_name")).all()
    assert [n for (n,) in names] == sorted(r["full_name"] for r in seed.rows["contacts"])
    # Connections handed back to the pool enforce foreign keys again.
    with blank.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_the_legacy_user_is_the_one_set_up_adopts() -> None:
    """The seed's user before accounts is the one the accounts code knows as the local user."""
    from backend.accounts.service import LEGACY_LOCAL_EMAIL

    assert LEGACY_LOCAL_EMAIL == LEGACY_EMAIL


@pytest.mark.slow  # real servers or commands in subprocesses
def test_migrate_says_where_the_backup_went(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=None, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(settings)
    try:
        _at_with_data(Blank(settings, engine), PAST[0])
    finally:
        engine.dispose()

    done = nexthop(tmp_path, "migrate")

    assert done.returncode == 0, done.stderr
    [backup] = (tmp_path / "backups" / migrations.BEFORE_UPGRADE_DIR).glob("nexthop-*.db")
    assert f"backed up the database to {backup} before upgrading it" in done.stderr
    assert f"upgraded from revision {PAST[0]} to {migrations.head_revision()}" in done.stderr
    again = nexthop(tmp_path, "migrate")
    assert (again.returncode, again.stderr) == (0, "")
