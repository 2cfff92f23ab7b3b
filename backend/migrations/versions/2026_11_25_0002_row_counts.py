"""row counts kept by triggers

Revision ID: 0002_row_counts
Revises: 329f38d55ff6
Create Date: 2026-11-25 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_row_counts"
down_revision: str | None = "329f38d55ff6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("organizations", "contacts", "interviews", "note_items", "referrals")


def upgrade() -> None:
    op.create_table(
        "row_counts",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "kind", name=op.f("pk_row_counts")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
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
        if postgres:
            op.execute(
                f"CREATE TRIGGER {table}_count AFTER INSERT OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION count_rows()"
            )
        else:
            op.execute(
                f"""
                CREATE TRIGGER {table}_count_insert AFTER INSERT ON {table} BEGIN
                  INSERT INTO row_counts (owner_id, kind, n) VALUES (NEW.owner_id, '{table}', 1)
                  ON CONFLICT (owner_id, kind) DO UPDATE SET n = n + 1;
                END
                """
            )
            op.execute(
                f"""
                CREATE TRIGGER {table}_count_delete AFTER DELETE ON {table} BEGIN
                  UPDATE row_counts SET n = n - 1
                  WHERE owner_id = OLD.owner_id AND kind = '{table}';
                END
                """
            )
        op.execute(
            f"INSERT INTO row_counts (owner_id, kind, n) "
            f"SELECT owner_id, '{table}', count(*) FROM {table} GROUP BY owner_id"
        )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgres:
            op.execute(f"DROP TRIGGER {table}_count ON {table}")
        else:
            op.execute(f"DROP TRIGGER {table}_count_insert")
            op.execute(f"DROP TRIGGER {table}_count_delete")
    if postgres:
        op.execute("DROP FUNCTION count_rows()")
    op.drop_table("row_counts")
