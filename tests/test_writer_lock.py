"""This process's SQLite writers take turns on a lock held exactly as long as a transaction.

(backend.writer_lock: taken before BEGIN IMMEDIATE, released after COMMIT or ROLLBACK, in the
thread that runs the transaction.) PostgreSQL takes concurrent writers: nothing to test there.
"""

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from backend.config import Settings
from backend.db import make_engine, write_engine, writer_lock
from backend.main import create_app
from backend.tokens.models import ApiToken
from backend.users.models import User
from backend.writer_lock import WriterLock
from tests.conftest import new_user

tokens = ApiToken.__table__  # type: ignore[attr-defined]
users = User.__table__  # type: ignore[attr-defined]


@pytest.fixture
def writers(engine: Engine) -> WriterLock:
    found = writer_lock(engine)
    if found is None:
        pytest.skip("PostgreSQL takes concurrent writers: no process write lock")
    return found


@pytest.fixture
def held(writers: WriterLock) -> Iterator[object]:
    """The lock taken by someone else, with SQLite itself left free."""
    holder = object()
    writers.acquire(holder, timeout_s=5)
    yield holder
    writers.release(holder)


def _touch_token(engine: Engine, token_id: object) -> None:
    with Session(write_engine(engine)) as session:
        mine = tokens.c.id == token_id
        session.execute(update(tokens).where(mine).values(last_used_at=datetime.now(UTC)))
        session.commit()


def _token_id(engine: Engine, user_id: object) -> object:
    with engine.connect() as conn:
        return conn.execute(select(tokens.c.id).where(tokens.c.user_id == user_id)).scalar()


def test_a_write_waits_for_the_process_lock_even_when_sqlite_is_free(
    engine: Engine, writers: WriterLock, held: object
) -> None:
    token_id = _token_id(engine, new_user(engine).id)
    done = threading.Event()
    writer = threading.Thread(target=lambda: (_touch_token(engine, token_id), done.set()))
    writer.start()
    assert not done.wait(0.3), "the write went ahead while another writer held the lock"
    writers.release(held)
    assert done.wait(5), "the write did not go ahead once the lock was free"
    writer.join()
    writers.acquire(held, timeout_s=5)  # for the fixture to release


def test_the_lock_is_free_the_moment_a_write_commits(engine: Engine, writers: WriterLock) -> None:
    user = new_user(engine)
    rename = update(users).where(users.c.id == user.id)
    with write_engine(engine).connect() as conn:
        conn.execute(rename.values(display_name="New"))
        assert writers.locked()
        conn.commit()
        # With the connection still checked out: the next writer's turn already.
        assert not writers.locked()
        with engine.connect() as other:  # and the commit is real: another connection sees it
            name = other.execute(select(users.c.display_name).where(users.c.id == user.id))
            assert name.scalar() == "New"
        # A second transaction on the same connection takes its turn again.
        conn.execute(rename.values(display_name="Newer"))
        assert writers.locked()
        conn.rollback()
        assert not writers.locked()


def test_the_lock_is_free_after_a_rollback_or_an_abandoned_transaction(
    engine: Engine, writers: WriterLock
) -> None:
    user = new_user(engine)
    change = update(users).where(users.c.id == user.id).values(display_name="Not kept")
    with Session(write_engine(engine)) as session:
        session.execute(change)
        session.rollback()
        assert not writers.locked()
    with Session(write_engine(engine)) as session:
        session.execute(change)
        assert writers.locked()
    assert not writers.locked()  # closed without a commit: rolled back, and the lock let go
    with Session(write_engine(engine)) as session:
        taken = users.insert().values(
            id=user.id, email="dup@example.test", display_name="x", is_admin=False,
            created_at=datetime.now(UTC),
        )  # fmt: skip
        with pytest.raises(IntegrityError):
            session.execute(taken)
        session.rollback()
        assert not writers.locked()
    with engine.connect() as other:
        name = other.execute(select(users.c.display_name).where(users.c.id == user.id))
        assert name.scalar() == "Test user"


def test_reads_do_not_wait_for_the_writers_lock(
    engine: Engine, settings: Settings, writers: WriterLock
) -> None:
    user = new_user(engine)
    headers = {"Authorization": f"Bearer {user.token}"}
    with TestClient(create_app(settings, engine)) as client:
        assert client.get("/api/v1/contacts", headers=headers).status_code == 200  # token used
        holder = object()
        writers.acquire(holder, timeout_s=5)
        try:
            assert client.get("/api/v1/contacts", headers=headers).status_code == 200
        finally:
            writers.release(holder)


def test_a_writer_that_waits_past_the_busy_timeout_is_told_to_retry(
    settings: Settings, engine: Engine, writers: WriterLock
) -> None:
    impatient = settings.model_copy(update={"sqlite_busy_timeout_ms": 200})
    impatient_engine = make_engine(impatient)
    assert writer_lock(impatient_engine) is writers  # one lock per file, whatever the engine
    user = new_user(engine)
    headers = {"Authorization": f"Bearer {user.token}"}
    try:
        with TestClient(create_app(impatient, impatient_engine)) as client:
            client.get("/api/v1/contacts", headers=headers)  # the token's first use, written
            holder = object()
            writers.acquire(holder, timeout_s=5)
            try:
                busy = client.post("/api/v1/organizations", json={"name": "Wait"}, headers=headers)
            finally:
                writers.release(holder)
            assert busy.status_code == 503, busy.text
            assert busy.headers["content-type"] == "application/problem+json"
            assert busy.headers["retry-after"] == "1"
            assert busy.json()["type"].endswith("/unavailable")
            later = client.post("/api/v1/organizations", json={"name": "Wait"}, headers=headers)
            assert later.status_code == 201, later.text
    finally:
        impatient_engine.dispose()


def test_a_writer_kept_out_by_another_process_past_the_busy_timeout_is_told_to_retry(
    settings: Settings, engine: Engine, writers: WriterLock
) -> None:
    """Another process's writer holds SQLite's own lock: this process's lock is free, and
    BEGIN IMMEDIATE waits out the busy timeout and fails; that is a 503 too, not a 500."""
    impatient = settings.model_copy(update={"sqlite_busy_timeout_ms": 200})
    impatient_engine = make_engine(impatient)
    user = new_user(engine)
    headers = {"Authorization": f"Bearer {user.token}"}
    other_process = sqlite3.connect(engine.url.database, isolation_level=None)
    try:
        with TestClient(create_app(impatient, impatient_engine)) as client:
            client.get("/api/v1/contacts", headers=headers)  # the token's first use, written
            other_process.execute("BEGIN IMMEDIATE")
            try:
                busy = client.post("/api/v1/organizations", json={"name": "Out"}, headers=headers)
            finally:
                other_process.execute("ROLLBACK")
            assert busy.status_code == 503, busy.text
            assert busy.headers["retry-after"] == "1"
            assert not writers.locked()
            later = client.post("/api/v1/organizations", json={"name": "Out"}, headers=headers)
            assert later.status_code == 201, later.text
    finally:
        other_process.close()
        impatient_engine.dispose()
