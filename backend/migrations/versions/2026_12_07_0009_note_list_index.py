"""note list index: open items of a category, in the list's default order

Revision ID: 0009_note_list_index
Revises: 0008_stored_documents
Create Date: 2026-12-07

"Open to_do items, oldest first" walked the owner's notes by creation time, skipping the
other categories and statuses row by row (~500 rows for a page of 50 in the benchmark's
30,000); this index gives the page in order.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_note_list_index"
down_revision: str | None = "0008_stored_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_note_items_owner_category_created",
        "note_items",
        ["owner_id", "category", "status", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_note_items_owner_category_created", table_name="note_items")
