"""SQLite keeps each row's JSON document rendered in `stored_doc` (backend/documents.py), and
reads serve it: a stored document that lags behind its row would show the user stale data.
These check that the triggers keep every stored document equal to a fresh rendering, after
the writes of every kind the API does, and that the migration renders existing rows."""

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from backend import migrations
from backend.config import Settings
from backend.db import make_engine
from backend.documents import STORED_COLUMN, STORED_TABLES, _render_sql
from backend.models import metadata
from tests import factories
from tests.conftest import Api


def stale_documents(engine: Engine) -> dict[str, list[Any]]:
    """Per stored table, the ids of rows whose stored document is not what rendering their
    row gives now."""
    found: dict[str, list[Any]] = {}
    with engine.connect() as conn:
        for name in sorted(STORED_TABLES):
            fresh = _render_sql(metadata.tables[name], "sqlite")
            rows = conn.execute(
                text(f"SELECT id FROM {name} WHERE {STORED_COLUMN} IS NOT {fresh}")
            ).all()
            if rows:
                found[name] = [row[0] for row in rows]
    return found


@pytest.fixture
def sqlite_engine(engine: Engine, db_kind: str) -> Engine:
    if db_kind != "sqlite":
        pytest.skip("only SQLite stores rendered documents; PostgreSQL renders on read")
    return engine


def test_every_kind_of_write_leaves_stored_documents_current(
    api: Api, sqlite_engine: Engine
) -> None:
    org = factories.organization(api, name=f"Acme {uuid.uuid4().hex[:6]}")
    other_org = factories.organization(api, name=f"Initech {uuid.uuid4().hex[:6]}")
    ada = factories.contact(api, full_name="Ada", organization_id=org["id"], tags=["a"])
    bob = factories.contact(api, full_name="Bob", organization_id=other_org["id"])
    interview = factories.interview(api, contact_id=ada["id"])
    note = factories.note_item(api, interview_id=interview["id"], text="Read SICP")
    to_connect = factories.note_item(
        api, interview_id=interview["id"], category="to_connect", text="Meet Cy"
    )
    referral = factories.referral(api, bob["id"], from_contact_id=ada["id"])

    # Partial updates of each kind of row, with the ETag they answer.
    for url, body in (
        (f"/api/v1/contacts/{ada['id']}", {"title": "CTO", "tags": ["a", "b"]}),
        (f"/api/v1/organizations/{org['id']}", {"industry": "Rockets"}),
        (f"/api/v1/interviews/{interview['id']}", {"summary": "Talked about compilers"}),
        (f"/api/v1/note-items/{note['id']}", {"status": "done"}),
        (f"/api/v1/referrals/{referral['id']}", {"context": "Worked together at Acme"}),
    ):
        etag = api.get(url).headers["etag"]
        response = api.patch(url, json=body, headers={"If-Match": etag})
        assert response.status_code == 200, response.text
        read = api.get(url).json()
        assert {k: read[k] for k in response.json()} == response.json()
    # A to-connect note becomes a contact and a referral edge.
    converted = api.post(f"/api/v1/note-items/{to_connect['id']}/convert", json={})
    assert converted.status_code in (200, 201), converted.text
    # Deleting the new contact (and, asked for, its interview and referral) leaves the note
    # pointing at no one: the database's own ON DELETE SET NULL rewrites the note's row.
    cy = converted.json()["contact"]
    etag = api.get(f"/api/v1/contacts/{cy['id']}").headers["etag"]
    gone = api.delete(
        f"/api/v1/contacts/{cy['id']}", params={"cascade": "true"}, headers={"If-Match": etag}
    )
    assert gone.status_code == 204, gone.text
    assert api.get(f"/api/v1/note-items/{to_connect['id']}").json()["contact_id"] is None
    # An organization deleted: its contacts stay, at no organization.
    etag = api.get(f"/api/v1/organizations/{other_org['id']}").headers["etag"]
    gone = api.delete(
        f"/api/v1/organizations/{other_org['id']}",
        params={"cascade": "true"},
        headers={"If-Match": etag},
    )
    assert gone.status_code == 204, gone.text

    assert stale_documents(sqlite_engine) == {}
    listed = {c["id"]: c for c in factories.listing(api, "/api/v1/contacts")}
    assert listed[ada["id"]]["title"] == "CTO"
    assert listed[ada["id"]]["tags"] == ["a", "b"]
    assert listed[bob["id"]]["organization_id"] is None


def test_the_migration_renders_the_rows_it_finds(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'n.db'}")
    engine = make_engine(settings)
    try:
        migrations.upgrade(engine, "0007_audit_and_limits")
        owner = uuid.uuid4().hex
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, display_name, is_admin, created_at) "
                    "VALUES (:id, 'm@example.test', 'M', 0, '2026-01-02 03:04:05.000000')"
                ),
                {"id": owner},
            )
            conn.execute(
                text(
                    "INSERT INTO contacts (id, owner_id, version, created_at, updated_at, "
                    "full_name, name_key, tags, status) VALUES (:id, :owner, 1, "
                    "'2026-01-02 03:04:05.000000', '2026-01-02 03:04:05.250000', 'Ada', "
                    "'ada', '[\"x\"]', 'identified')"
                ),
                {"id": uuid.uuid4().hex, "owner": owner},
            )
        migrations.upgrade(engine)
        assert stale_documents(engine) == {}
        with engine.connect() as conn:
            stored = conn.execute(text(f"SELECT {STORED_COLUMN} FROM contacts")).scalar_one()
        assert '"full_name":"Ada"' in stored
        assert '"updated_at":"2026-01-02T03:04:05.250000Z"' in stored
        assert '"tags":["x"]' in stored
    finally:
        engine.dispose()
