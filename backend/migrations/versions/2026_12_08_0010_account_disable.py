"""account disable: an administrator can switch an account off and on

Revision ID: 0010_account_disable
Revises: 0009_note_list_index
Create Date: 2026-12-08

A nullable column added in place (ALTER TABLE ... ADD COLUMN on both databases): no rebuild of
`users`, which on SQLite would cascade deletes through every table that refers to it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_account_disable"
down_revision: str | None = "0009_note_list_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "disabled_at")
