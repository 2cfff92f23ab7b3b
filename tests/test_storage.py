"""The database layer: migrations match the models, connections are configured, the app
refuses a schema it does not know."""

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from backend import migrations
from backend.config import Settings
from backend.db import make_engine, write_engine
from backend.main import create_app
from backend.models import metadata


def test_migrations_and_models_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        # The search indexes and SQLite's stored documents are the migrations' alone.
        context = MigrationContext.configure(conn, opts={"include_name": migrations.include_name})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_migrations_are_at_head(engine: Engine) -> None:
    assert migrations.current_revision(engine) == migrations.head_revision()


def test_every_pooled_sqlite_connection_is_configured(db_kind: str, engine: Engine) -> None:
    if db_kind != "sqlite":
        pytest.skip("SQLite pragmas")
    # Hold several connections at once so the pool must open new ones.
    conns = [engine.connect() for _ in range(5)]
    try:
        for conn in conns:
            values = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
            # synchronous 2 is FULL
            assert values == {
                "journal_mode": "wal",
                "foreign_keys": 1,
                "busy_timeout": 10_000,
                "synchronous": 2,
            }
    finally:
        for conn in conns:
            conn.close()


def test_sqlite_writers_take_the_lock_up_front(db_kind: str, engine: Engine) -> None:
    """Two read-then-write transactions at once: with BEGIN IMMEDIATE the second waits for the
    first (busy timeout) instead of failing with "database is locked"."""
    if db_kind != "sqlite":
        pytest.skip("SQLite locking")
    writer = write_engine(engine)
    errors: list[Exception] = []
    barrier = threading.Barrier(2)

    def read_then_write(tag: str) -> None:
        try:
            barrier.wait()
            with writer.begin() as conn:
                conn.execute(text("SELECT count(*) FROM users")).scalar()
                threading.Event().wait(0.2)
                conn.execute(
                    text(
                        "INSERT INTO users (id, email, display_name, created_at) "
                        "VALUES (:id, :email, 'x', '2026-01-01 00:00:00')"
                    ),
                    {"id": tag * 32, "email": f"{tag}@lock.test"},
                )
        except Exception as exc:  # noqa: BLE001 - the assertion reports it
            errors.append(exc)

    threads = [threading.Thread(target=read_then_write, args=(t,)) for t in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_app_refuses_a_database_that_is_not_migrated(tmp_path: object) -> None:
    settings = Settings(data_dir=tmp_path, database_url=None, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(settings)
    try:
        app = create_app(settings, engine)
        with pytest.raises(migrations.SchemaOutOfDate, match="make migrate"), TestClient(app):
            pass
    finally:
        engine.dispose()


def test_pool_never_has_fewer_connections_than_request_threads(settings: Settings) -> None:
    # fastapi#3205: with more request threads than pooled connections, threads waiting for a
    # connection can starve the requests holding one. The pool is sized from the thread limit.
    engine = make_engine(settings)
    try:
        assert engine.pool.size() >= settings.worker_threads  # type: ignore[attr-defined]
    finally:
        engine.dispose()
