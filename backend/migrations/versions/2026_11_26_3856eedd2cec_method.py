"""method: profile, message templates, opportunities, scheduling slots, note conversions

Revision ID: 3856eedd2cec
Revises: baf589396164
Create Date: 2026-11-26 01:48:36.421054
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3856eedd2cec"
down_revision: str | None = "baf589396164"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_LIST = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
INSTANT = sa.DateTime(timezone=True)


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
    ]


def _owned(table: str) -> list[sa.Column[object] | sa.Constraint]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f(f"fk_{table}_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


REFERENCES = (("produced_referral_id", "referrals"), ("produced_interview_id", "interviews"))


def _add_note_references() -> None:
    """note_items gains nullable references, emptied when their target goes."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    # SQLite adds a constraint only by rebuilding the table ("batch"), and the rebuild
    # drops the table's row-count triggers, which are made again below.
    with op.batch_alter_table("note_items", recreate="always" if sqlite else "never") as batch:
        for column, target in REFERENCES:
            batch.add_column(sa.Column(column, sa.Uuid(), nullable=True))
            batch.create_foreign_key(
                op.f(f"fk_note_items_{column}_{target}"),
                target,
                [column],
                ["id"],
                ondelete="SET NULL",
            )
    if sqlite:
        _count_triggers("note_items")


def _count_triggers(table: str) -> None:
    """Those of the row-counts migration, which a SQLite table rebuild loses."""
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


def upgrade() -> None:
    op.create_table(
        "message_templates",
        *_owned("message_templates"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.UniqueConstraint("owner_id", "kind", name=op.f("uq_message_templates_owner_id_kind")),
    )
    op.create_table(
        "profiles",
        sa.Column("focus_areas", JSON_LIST, nullable=False),
        sa.Column("learn_from", sa.Text(), nullable=True),
        sa.Column("values", sa.Text(), nullable=True),
        sa.Column("situation", sa.Text(), nullable=True),
        sa.Column("ask", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("share_token", sa.String(length=64), nullable=True),
        sa.Column("share_created_at", INSTANT, nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_profiles_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("owner_id", name=op.f("pk_profiles")),
        sa.UniqueConstraint("share_token", name=op.f("uq_profiles_share_token")),
    )
    op.create_table(
        "opportunities",
        *_owned("opportunities"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("next_step", sa.String(length=200), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_opportunities_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_opportunities_organization_id_organizations"),
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_opportunities_contact", "opportunities", ["contact_id"])
    op.create_index("ix_opportunities_organization", "opportunities", ["organization_id"])
    op.create_index(
        "ix_opportunities_owner_created", "opportunities", ["owner_id", "created_at", "id"]
    )
    op.create_table(
        "opportunity_interviews",
        sa.Column("opportunity_id", sa.Uuid(), nullable=False),
        sa.Column("interview_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_opportunity_interviews_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_opportunity_interviews_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "opportunity_id", "interview_id", name=op.f("pk_opportunity_interviews")
        ),
    )
    op.create_index(
        op.f("ix_opportunity_interviews_interview_id"), "opportunity_interviews", ["interview_id"]
    )

    # Existing rows get the defaults the models give new ones.
    op.add_column("interviews", sa.Column("follow_up_sent_at", INSTANT, nullable=True))
    op.add_column(
        "interviews",
        sa.Column("proposed_slots", JSON_LIST, nullable=False, server_default=sa.text("'[]'")),
    )
    op.add_column(
        "interviews",
        sa.Column(
            "no_connection_dismissed", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    op.add_column("note_items", sa.Column("author", sa.String(length=200), nullable=True))
    _add_note_references()
    op.create_index("ix_note_items_produced_interview", "note_items", ["produced_interview_id"])
    op.create_index("ix_note_items_produced_referral", "note_items", ["produced_referral_id"])


def downgrade() -> None:
    op.drop_index("ix_note_items_produced_referral", "note_items")
    op.drop_index("ix_note_items_produced_interview", "note_items")
    with op.batch_alter_table("note_items") as batch_op:
        batch_op.drop_column("produced_interview_id")
        batch_op.drop_column("produced_referral_id")
        batch_op.drop_column("author")
    with op.batch_alter_table("interviews") as batch_op:
        batch_op.drop_column("no_connection_dismissed")
        batch_op.drop_column("proposed_slots")
        batch_op.drop_column("follow_up_sent_at")
    if op.get_bind().dialect.name == "sqlite":
        _count_triggers("note_items")
        _count_triggers("interviews")
    op.drop_table("opportunity_interviews")
    op.drop_table("opportunities")
    op.drop_table("profiles")
    op.drop_table("message_templates")
