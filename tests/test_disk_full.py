"""A full disk: a write answers 507 problem+json saying so (not a 503 "busy, retry shortly"),
saves nothing, reads go on, and /readyz reports it.

Real errors, without filling the real disk: SQLite's own SQLITE_FULL, from a connection whose
`max_page_count` is the database's size; on PostgreSQL the server's own error with SQLSTATE
53100 (disk_full), raised by a trigger on this test's user's contacts in the words PostgreSQL
uses when it cannot extend a file.
"""

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text

from backend import migrations
from backend.config import Settings
from backend.db import make_engine
from backend.main import create_app
from backend.outages import DiskWatch
from tests.conftest import new_user, settings_for

PROBLEM = "application/problem+json"
CONTACTS = "/api/v1/contacts"


@pytest.fixture
def full_client(db_kind: str, settings: Settings, engine: Engine, tmp_path: Path) -> Iterator[Any]:
    """A client of an app of its own (its readiness is nobody else's) as a new user whose
    contact creates find the disk full, once two have gone in."""
    if db_kind == "sqlite":
        yield from _sqlite_full(tmp_path)
    else:
        yield from _postgres_full(settings, engine)


def _sqlite_full(tmp_path: Path) -> Iterator[Any]:
    own = settings_for(tmp_path, None)
    engine = make_engine(own)
    migrations.upgrade(engine)
    user = new_user(engine)
    try:
        with TestClient(create_app(own, engine)) as client:
            client.headers["Authorization"] = f"Bearer {user.token}"
            for name in ("Ada", "Lee"):  # the token's first use (written) and two contacts
                assert client.post(CONTACTS, json={"full_name": name}).status_code == 201
            with engine.connect() as conn:
                pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
            engine.dispose()  # every connection from now on is a new one, and limited

            @event.listens_for(engine, "connect")
            def no_room(dbapi_connection: Any, _: Any) -> None:
                dbapi_connection.execute(f"PRAGMA max_page_count = {int(pages)}")

            yield client
    finally:
        engine.dispose()


def _postgres_full(settings: Settings, engine: Engine) -> Iterator[Any]:
    user = new_user(engine)
    name = f"disk_full_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.execute(text(f"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION USING ERRCODE = 'disk_full',
                    MESSAGE = 'could not extend file "base/16384/16385": No space left on device',
                    HINT = 'Check free disk space.';
            END $$;
            CREATE TRIGGER {name} BEFORE INSERT ON contacts FOR EACH ROW
                WHEN (NEW.owner_id = '{user.id}' AND NEW.full_name NOT IN ('Ada', 'Lee'))
                EXECUTE FUNCTION {name}();
        """))  # fmt: skip
    try:
        with TestClient(create_app(settings, engine)) as client:
            client.headers["Authorization"] = f"Bearer {user.token}"
            for name_ in ("Ada", "Lee"):
                assert client.post(CONTACTS, json={"full_name": name_}).status_code == 201
            yield client
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP TRIGGER {name} ON contacts; DROP FUNCTION {name}()"))


def test_a_write_on_a_full_disk_is_a_507_that_says_so(full_client: TestClient) -> None:
    client = full_client
    assert client.get("/readyz").status_code == 200
    # SQLite fills the pages it has before it needs another: create until it does.
    created = 2
    for i in range(500):
        response = client.post(CONTACTS, json={"full_name": f"Person {i}"})
        if response.status_code != 201:
            break
        created += 1
    assert response.status_code == 507, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem == {
        "type": "https://nexthop.invalid/problems/disk_full",
        "title": "Insufficient Storage",
        "status": 507,
        "detail": "The database's disk is full, so nothing was saved. Try again once space "
        "has been freed.",
        "storage": "full",
    }
    # Nothing half-written, and reads go on.
    listed = client.get(CONTACTS)
    assert listed.status_code == 200
    assert listed.json()["total"] == created
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.headers["content-type"] == PROBLEM
    body = ready.json()
    assert (body["database"], body["storage"]) == ("ok", "full")
    assert body["detail"].startswith("A write found the database's disk full ")


def test_readiness_forgets_a_full_disk_a_minute_on() -> None:
    now = [1000.0]
    disk = DiskWatch(None, clock=lambda: now[0])
    assert disk.problem() is None
    disk.saw_full()
    now[0] += 59
    assert disk.problem() == {"detail": "A write found the database's disk full 59 s ago."}
    now[0] += 1
    assert disk.problem() is None


def test_readiness_says_full_when_the_sqlite_disk_has_almost_no_room(tmp_path: Path) -> None:
    free = shutil.disk_usage(tmp_path).free
    assert DiskWatch(tmp_path, min_free_bytes=free // 2).problem() is None
    problem = DiskWatch(tmp_path, min_free_bytes=free * 2).problem()
    assert problem is not None
    assert problem["free_bytes"] <= free * 2
    assert problem["detail"].startswith("The disk holding the database has ")
