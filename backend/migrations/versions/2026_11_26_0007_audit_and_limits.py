"""audit trail and rate limits

Revision ID: 0007_audit_and_limits
Revises: 0006_search_and_counts
Create Date: 2026-11-26 03:20:00

- `audit_events`: one row per change to a user's data (see backend.audit), deleted with the
  account. The id is a sequence (INTEGER PRIMARY KEY on SQLite, BIGSERIAL on PostgreSQL):
  newest first is largest first, also within one transaction.
- `rate_limit_counters`: one row per user and bucket (see backend.ratelimits), rolled over
  in place by every limited request.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_audit_and_limits"
down_revision: str | None = "0006_search_and_counts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSTANT = sa.DateTime(timezone=True)
EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", EVENT_ID, autoincrement=True, nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("at", INSTANT, nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.Column("token_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_audit_events_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_owner_id_id", "audit_events", ["owner_id", "id"])
    op.create_index(
        "ix_audit_events_owner_id_object_id_id", "audit_events", ["owner_id", "object_id", "id"]
    )
    op.create_table(
        "rate_limit_counters",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("bucket", sa.String(length=20), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("previous_hits", sa.Integer(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_rate_limit_counters_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "bucket", name=op.f("pk_rate_limit_counters")),
    )


def downgrade() -> None:
    op.drop_table("rate_limit_counters")
    op.drop_index("ix_audit_events_owner_id_object_id_id", table_name="audit_events")
    op.drop_index("ix_audit_events_owner_id_id", table_name="audit_events")
    op.drop_table("audit_events")
