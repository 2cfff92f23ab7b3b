"""stored documents: SQLite keeps each row's JSON rendered for the tables every page reads

Revision ID: 0008_stored_documents
Revises: 0007_audit_and_limits
Create Date: 2026-12-07

Rendering a page's 50 documents was most of a list's cost on SQLite (see
backend/documents.py). Each table in STORED_TABLES gets a `stored_doc` text column that
triggers write in the same statement as the row. PostgreSQL is left as it is: it renders in
its own process.

A later migration that adds, drops or retypes a column of one of these tables, or rebuilds
one (batch "recreate" drops triggers), runs `backend.documents.stored_document_sql` for it
again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.documents import STORED_COLUMN, stored_document_sql
from backend.models import metadata

revision: str = "0008_stored_documents"
down_revision: str | None = "0007_audit_and_limits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As backend.documents.STORED_TABLES says at this revision.
STORED_TABLES = ("organizations", "contacts", "interviews", "note_items", "referrals")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for name in STORED_TABLES:
        op.execute(f"ALTER TABLE {name} ADD COLUMN {STORED_COLUMN} TEXT")
        present = frozenset(c["name"] for c in sa.inspect(bind).get_columns(name))
        for statement in stored_document_sql(metadata.tables[name], present):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in STORED_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}_doc_insert")
        op.execute(f"DROP TRIGGER IF EXISTS {name}_doc_update")
        op.execute(f"ALTER TABLE {name} DROP COLUMN {STORED_COLUMN}")
