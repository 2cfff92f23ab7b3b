"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

# Before you write this migration (README "Migrations"):
# - Do not import the app's models or modules: write out what this revision needs, so the
#   migration does the same thing in a year as it does today.
# - On SQLite, changing a table may rebuild it (`op.batch_alter_table`: copy, drop the old,
#   rename the new). env.py runs every migration with foreign keys OFF and checks them with
#   `PRAGMA foreign_key_check` before it commits, because dropping a parent table with them on
#   deletes every child row (it once emptied every user's data). So never turn foreign keys on
#   here, never drop a parent table yourself, and keep every primary key value as it was.
# - A rebuild drops the table's triggers (row counts, stored documents, search index): create
#   them again in the same migration.
# - Give any new table or column data in tests/upgrade_seed.py; tests/test_upgrades.py then
#   carries it through every later migration on both databases.

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}

revision: str = ${repr(up_revision)}
down_revision: str | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
