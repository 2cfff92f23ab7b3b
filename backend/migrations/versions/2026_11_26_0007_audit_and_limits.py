"""audit trail and rate limits

Revision ID: 0007_audit_and_limits
Revises: 0006_search_and_counts
Create Date: 2026-11-26 03:20:00
"""

from collections.abc import Sequence

revision: str = "0007_audit_and_limits"
down_revision: str | None = "0006_search_and_counts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
