"""search endpoint, statement-level row counts

Revision ID: 0006_search_and_counts
Revises: e2250085456e
Create Date: 2026-11-26 03:20:00
"""

from collections.abc import Sequence

revision: str = "0006_search_and_counts"
down_revision: str | None = "e2250085456e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
