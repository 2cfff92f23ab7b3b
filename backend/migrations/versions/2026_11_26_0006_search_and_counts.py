"""search endpoint, statement-level row counts

Revision ID: 0006_search_and_counts
Revises: e2250085456e
Create Date: 2026-11-26 03:20:00

Row counts on PostgreSQL: the "row counts" migration's triggers ran once per row, and each
run upserted the same `row_counts` row. Inside one transaction every such update leaves a
row version that the next one must step over, so a bulk insert of n rows cost O(n²): 10,000
imported contacts spent 0.8 s in the trigger alone, 30,000 nearly 9 s. They become
statement-level triggers with transition tables: one upsert per statement and owner, adding
`count(*)` of the rows the statement inserted or deleted (cascaded deletes included: the
foreign keys' own DELETE statements fire them too). PostgreSQL allows a transition table on
a trigger of one event only, hence one trigger for inserts and one for deletes. Bulk writes
must then be few statements (backend/transfer/service.py `_insert_rows`): an executemany of
10,000 statements would still update the counter 10,000 times. SQLite keeps its per-row
triggers: there an update rewrites the row in place, and counting costs 10,000 inserted
contacts 0.1 s at most. Figures: tests/bench/bulk_insert.py.

The search endpoint (backend/search): SQLite reads the FTS5 trigram tables of the
"integrations" migration. PostgreSQL gets one more trigram index per searched table,
`fts_search_<table>`: GIN over the owner and the searched columns as one text
(`coalesce(a, '') || ' ' || coalesce(b, '') …`, the expression of backend.search.fts.document
at this revision), so that one index scan per word finds the owner's rows holding it, where
the per-column indexes (which the lists' `q` keeps using) find every user's rows in each
column and leave the owner and the other columns to be checked row by row. For 50,000
note items per user (and as many of another user's) finding those with "battery" takes 2.5x
less time, with a word only the other user has 45x less (tests/bench/search_endpoint.py).
The owner in a GIN index needs the btree_gin extension (contrib, like pg_trgm); without it
the index holds the text alone, and without pg_trgm there is none (search still works, by
scanning). PostgreSQL keeps these indexes in step with every write itself.
"""

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy.exc import DBAPIError

revision: str = "0006_search_and_counts"
down_revision: str | None = "e2250085456e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

# The counted tables (backend.counts.COUNTED at this revision).
TABLES = ("organizations", "contacts", "interviews", "note_items", "referrals")
# The searched columns (backend.search.fts.SEARCHED at this revision).
SEARCHED = {
    "contacts": ("full_name", "email", "title", "location", "notes"),
    "organizations": ("name", "industry", "notes"),
    "interviews": ("location", "research_notes", "summary"),
    "note_items": ("text", "url", "author"),
}


def _has_extension(name: str) -> bool:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql(f"CREATE EXTENSION IF NOT EXISTS {name}")
    except DBAPIError as exc:
        log.warning("%s unavailable (%s)", name, exc.orig)
        return False
    return True


def _document(columns: tuple[str, ...]) -> str:
    return " || ' ' || ".join(f"coalesce({column}, '')" for column in columns)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _statement_level_counts()
    if not _has_extension("pg_trgm"):
        return
    owner = "owner_id, " if _has_extension("btree_gin") else ""
    for table, columns in SEARCHED.items():
        # A small pending list, as for the per-column indexes (see "integrations").
        op.execute(
            f"CREATE INDEX fts_search_{table} ON {table} "
            f"USING gin ({owner}({_document(columns)}) gin_trgm_ops) "
            "WITH (gin_pending_list_limit = 64)"
        )


def _statement_level_counts() -> None:
    op.execute(
        """
        CREATE FUNCTION count_inserted_rows() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO row_counts (owner_id, kind, n)
          SELECT owner_id, TG_TABLE_NAME, count(*) FROM inserted_rows GROUP BY owner_id
          ON CONFLICT (owner_id, kind) DO UPDATE SET n = row_counts.n + EXCLUDED.n;
          RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION count_deleted_rows() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE row_counts SET n = row_counts.n - deleted.n
          FROM (SELECT owner_id, count(*) AS n FROM deleted_rows GROUP BY owner_id) AS deleted
          WHERE row_counts.owner_id = deleted.owner_id AND row_counts.kind = TG_TABLE_NAME;
          RETURN NULL;
        END $$
        """
    )
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_count ON {table}")
        op.execute(
            f"CREATE TRIGGER {table}_count_insert AFTER INSERT ON {table} "
            "REFERENCING NEW TABLE AS inserted_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION count_inserted_rows()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_count_delete AFTER DELETE ON {table} "
            "REFERENCING OLD TABLE AS deleted_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION count_deleted_rows()"
        )
    op.execute("DROP FUNCTION count_rows()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in SEARCHED:
        op.execute(f"DROP INDEX IF EXISTS fts_search_{table}")
    # The per-row triggers of the "row counts" migration, as they were.
    op.execute(
        """
        CREATE FUNCTION count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            INSERT INTO row_counts (owner_id, kind, n) VALUES (NEW.owner_id, TG_TABLE_NAME, 1)
            ON CONFLICT (owner_id, kind) DO UPDATE SET n = row_counts.n + 1;
          ELSE
            UPDATE row_counts SET n = n - 1
            WHERE owner_id = OLD.owner_id AND kind = TG_TABLE_NAME;
          END IF;
          RETURN NULL;
        END $$
        """
    )
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_count_insert ON {table}")
        op.execute(f"DROP TRIGGER {table}_count_delete ON {table}")
        op.execute(
            f"CREATE TRIGGER {table}_count AFTER INSERT OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION count_rows()"
        )
    op.execute("DROP FUNCTION count_inserted_rows()")
    op.execute("DROP FUNCTION count_deleted_rows()")
