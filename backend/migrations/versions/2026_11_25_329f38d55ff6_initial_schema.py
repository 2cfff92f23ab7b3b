"""initial schema

Revision ID: 329f38d55ff6
Revises:
Create Date: 2026-11-25 21:17:38.549141
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "329f38d55ff6"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_idempotency_keys_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("owner_id", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index(
        op.f("ix_idempotency_keys_created_at"), "idempotency_keys", ["created_at"], unique=False
    )

    op.create_table(
        "organizations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("website", sa.String(length=2048), nullable=True),
        sa.Column("linkedin_url", sa.String(length=2048), nullable=True),
        sa.Column("industry", sa.String(length=200), nullable=True),
        sa.Column("interest_level", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_organizations_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
    )
    op.create_index(
        "ix_organizations_owner_created",
        "organizations",
        ["owner_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "uq_organizations_owner_name_key", "organizations", ["owner_id", "name_key"], unique=True
    )

    op.create_table(
        "contacts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("linkedin_url", sa.String(length=2048), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("how_we_met", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("next_follow_up", sa.Date(), nullable=True),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_contacts_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_contacts_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_index(
        "ix_contacts_owner_created", "contacts", ["owner_id", "created_at", "id"], unique=False
    )
    op.create_index(
        "ix_contacts_owner_follow_up", "contacts", ["owner_id", "next_follow_up"], unique=False
    )
    op.create_index(
        "ix_contacts_owner_name", "contacts", ["owner_id", "name_key", "id"], unique=False
    )
    op.create_index(
        "ix_contacts_owner_org", "contacts", ["owner_id", "organization_id"], unique=False
    )
    op.create_index("ix_contacts_owner_status", "contacts", ["owner_id", "status"], unique=False)
    op.create_index(
        "ix_contacts_owner_updated", "contacts", ["owner_id", "updated_at", "id"], unique=False
    )

    op.create_table(
        "interviews",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("meeting_url", sa.String(length=2048), nullable=True),
        sa.Column("time_confirmed", sa.Boolean(), nullable=False),
        sa.Column(
            "agenda",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("research_notes", sa.Text(), nullable=True),
        sa.Column(
            "checklist",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("outreach_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("thank_you_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_interviews_contact_id_contacts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_interviews_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interviews")),
    )
    op.create_index(
        "ix_interviews_owner_contact", "interviews", ["owner_id", "contact_id"], unique=False
    )
    op.create_index(
        "ix_interviews_owner_created", "interviews", ["owner_id", "created_at", "id"], unique=False
    )
    op.create_index(
        "ix_interviews_owner_scheduled",
        "interviews",
        ["owner_id", "scheduled_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_interviews_owner_status", "interviews", ["owner_id", "status"], unique=False
    )

    op.create_table(
        "note_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interview_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_note_items_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_note_items_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_note_items_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_items")),
    )
    op.create_index("ix_note_items_contact", "note_items", ["contact_id"], unique=False)
    op.create_index(
        "ix_note_items_owner_category",
        "note_items",
        ["owner_id", "category", "status", "due_date"],
        unique=False,
    )
    op.create_index(
        "ix_note_items_owner_created", "note_items", ["owner_id", "created_at", "id"], unique=False
    )
    op.create_index(
        "ix_note_items_owner_due", "note_items", ["owner_id", "due_date", "id"], unique=False
    )
    op.create_index(
        "ix_note_items_owner_interview",
        "note_items",
        ["owner_id", "interview_id", "created_at", "id"],
        unique=False,
    )

    op.create_table(
        "referrals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_contact_id", sa.Uuid(), nullable=True),
        sa.Column("to_contact_id", sa.Uuid(), nullable=False),
        sa.Column("interview_id", sa.Uuid(), nullable=True),
        sa.Column("context", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "from_contact_id IS NULL OR from_contact_id <> to_contact_id",
            name=op.f("ck_referrals_no_self"),
        ),
        sa.ForeignKeyConstraint(
            ["from_contact_id"],
            ["contacts.id"],
            name=op.f("fk_referrals_from_contact_id_contacts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_referrals_interview_id_interviews"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_referrals_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["to_contact_id"],
            ["contacts.id"],
            name=op.f("fk_referrals_to_contact_id_contacts"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint(
            "owner_id",
            "from_contact_id",
            "to_contact_id",
            name=op.f("uq_referrals_owner_id_from_contact_id_to_contact_id"),
        ),
    )
    op.create_index("ix_referrals_from", "referrals", ["from_contact_id"], unique=False)
    op.create_index("ix_referrals_interview", "referrals", ["interview_id"], unique=False)
    op.create_index(
        "ix_referrals_owner_created", "referrals", ["owner_id", "created_at", "id"], unique=False
    )
    op.create_index("ix_referrals_to", "referrals", ["to_contact_id"], unique=False)
    op.create_index(
        "uq_referrals_owner_direct",
        "referrals",
        ["owner_id", "to_contact_id"],
        unique=True,
        sqlite_where=sa.text("from_contact_id IS NULL"),
        postgresql_where=sa.text("from_contact_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_referrals_owner_direct", table_name="referrals")
    op.drop_index("ix_referrals_to", table_name="referrals")
    op.drop_index("ix_referrals_owner_created", table_name="referrals")
    op.drop_index("ix_referrals_interview", table_name="referrals")
    op.drop_index("ix_referrals_from", table_name="referrals")

    op.drop_table("referrals")
    op.drop_index("ix_note_items_owner_interview", table_name="note_items")
    op.drop_index("ix_note_items_owner_due", table_name="note_items")
    op.drop_index("ix_note_items_owner_created", table_name="note_items")
    op.drop_index("ix_note_items_owner_category", table_name="note_items")
    op.drop_index("ix_note_items_contact", table_name="note_items")

    op.drop_table("note_items")
    op.drop_index("ix_interviews_owner_status", table_name="interviews")
    op.drop_index("ix_interviews_owner_scheduled", table_name="interviews")
    op.drop_index("ix_interviews_owner_created", table_name="interviews")
    op.drop_index("ix_interviews_owner_contact", table_name="interviews")

    op.drop_table("interviews")
    op.drop_index("ix_contacts_owner_updated", table_name="contacts")
    op.drop_index("ix_contacts_owner_status", table_name="contacts")
    op.drop_index("ix_contacts_owner_org", table_name="contacts")
    op.drop_index("ix_contacts_owner_name", table_name="contacts")
    op.drop_index("ix_contacts_owner_follow_up", table_name="contacts")
    op.drop_index("ix_contacts_owner_created", table_name="contacts")

    op.drop_table("contacts")
    op.drop_index("uq_organizations_owner_name_key", table_name="organizations")
    op.drop_index("ix_organizations_owner_created", table_name="organizations")

    op.drop_table("organizations")
    op.drop_index(op.f("ix_idempotency_keys_created_at"), table_name="idempotency_keys")

    op.drop_table("idempotency_keys")
    op.drop_table("users")
