"""integrations: calendar feeds, webhooks and their outbox, full-text search indexes

Revision ID: e2250085456e
Revises: 3856eedd2cec
Create Date: 2026-11-26 02:28:49.371134

Search (`q` on lists) gets an index on each database, kept outside the models (their names
start with `fts_`, which `backend.search.fts.include_name` leaves out of comparisons):

- SQLite: an FTS5 table per searched table, external content (it stores only the index and
  reads the text from the table itself, by rowid) with the trigram tokenizer, kept by
  triggers. A later migration that rebuilds one of these tables (batch "recreate") drops the
  triggers, as it does the row-count ones, and may renumber rowids: recreate the triggers as
  below and run `INSERT INTO fts_<table>(fts_<table>) VALUES ('rebuild')`.
- PostgreSQL: a trigram GIN index (pg_trgm) on each of the same columns, which
  `ILIKE '%q%'` uses.
  Without the pg_trgm extension (or the right to create it) the indexes are skipped and
  search still works, by scanning.
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError

revision: str = "e2250085456e"
down_revision: str | None = "3856eedd2cec"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

JSON_LIST = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
INSTANT = sa.DateTime(timezone=True)

# The columns `q` searches in each list (as backend.search.fts.SEARCHED says at this revision).
SEARCHED = {
    "contacts": ("full_name", "email", "title", "location", "notes"),
    "organizations": ("name", "industry", "notes"),
    "interviews": ("location", "research_notes", "summary"),
    "note_items": ("text", "url", "author"),
}


def _sqlite_search(table: str, columns: tuple[str, ...]) -> None:
    fts = f"fts_{table}"
    listed = ", ".join(columns)
    new = ", ".join(f"NEW.{c}" for c in columns)
    old = ", ".join(f"OLD.{c}" for c in columns)
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5({listed}, content='{table}', "
        "content_rowid='rowid', tokenize='trigram', columnsize=0)"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts} (rowid, {listed}) VALUES (NEW.rowid, {new}); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts} ({fts}, rowid, {listed}) VALUES ('delete', OLD.rowid, {old}); END"
    )
    # Only when a searched column is written: a status change leaves the index alone.
    op.execute(
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {listed} ON {table} BEGIN "
        f"INSERT INTO {fts} ({fts}, rowid, {listed}) VALUES ('delete', OLD.rowid, {old}); "
        f"INSERT INTO {fts} (rowid, {listed}) VALUES (NEW.rowid, {new}); END"
    )
    op.execute(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")


def _has_pg_trgm() -> bool:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as exc:
        log.warning("pg_trgm unavailable (%s): `q` searches will scan instead", exc.orig)
        return False
    return True


def _postgres_search(table: str, columns: tuple[str, ...]) -> None:
    # One index per column, not one over all of them: the planner costs a multi-column GIN
    # scan so high that it never picks it. A small pending list: new entries wait there
    # (unsorted, read in full by every search) until it is full or vacuumed; at the default
    # 4 MB a bulk import left searches 10x slower until autovacuum came by, while writing
    # every entry straight into the index (fastupdate off) made a 10,000-row import 6x
    # slower. Measured with tests/bench/search.py.
    for column in columns:
        op.execute(
            f"CREATE INDEX fts_{table}_{column} ON {table} "
            f"USING gin ({column} gin_trgm_ops) WITH (gin_pending_list_limit = 64)"
        )


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_calendar_feeds_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("owner_id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token", name=op.f("uq_calendar_feeds_token")),
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("event_types", JSON_LIST, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_webhooks_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_index("ix_webhooks_owner_created", "webhooks", ["owner_id", "created_at", "id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("webhook_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", INSTANT, nullable=True),
        sa.Column("last_attempt_at", INSTANT, nullable=True),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_webhook_deliveries_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["webhooks.id"],
            name=op.f("fk_webhook_deliveries_webhook_id_webhooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"]
    )
    op.create_index(
        "ix_webhook_deliveries_webhook",
        "webhook_deliveries",
        ["owner_id", "webhook_id", "created_at", "id"],
    )

    if op.get_bind().dialect.name == "sqlite":
        for table, columns in SEARCHED.items():
            _sqlite_search(table, columns)
    elif _has_pg_trgm():
        for table, columns in SEARCHED.items():
            _postgres_search(table, columns)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in SEARCHED.items():
        if sqlite:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER fts_{table}_{event}")
            op.execute(f"DROP TABLE fts_{table}")
        else:
            for column in columns:
                op.execute(f"DROP INDEX IF EXISTS fts_{table}_{column}")
    op.drop_index("ix_webhook_deliveries_webhook", "webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_due", "webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_webhooks_owner_created", "webhooks")
    op.drop_table("webhooks")
    op.drop_table("calendar_feeds")
