"""SQLite migrations run with foreign keys off, as SQLite's own table-rebuild procedure asks.

Alembic's batch mode changes an SQLite table by copying it into a new one, dropping the old
and renaming the new. With foreign keys on, dropping a parent table first deletes its rows,
which cascades: the accounts migration rebuilt `users` that way and emptied every table a user
owns. So the whole upgrade runs with enforcement off, and before it commits
`PRAGMA foreign_key_check` must find no dangling reference, or the upgrade fails and nothing of
it is committed (https://www.sqlite.org/lang_altertable.html#otheralter).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection


class ForeignKeyViolation(RuntimeError):
    """An upgrade that would leave a row pointing at nothing; it was rolled back."""


@contextmanager
def sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """Foreign keys off on this connection while the block runs (SQLite only); the block must
    open and end its transaction inside, since SQLite ignores the pragma within one."""
    if connection.dialect.name != "sqlite":
        yield
        return
    # Straight to the driver: through SQLAlchemy the statement would begin a transaction.
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def check_foreign_keys(connection: Connection) -> None:
    """Raises inside the migration's transaction (so it rolls back) if any reference dangles."""
    if connection.dialect.name != "sqlite":
        return  # PostgreSQL enforces its constraints during the migration itself
    rows = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if rows:
        found = "; ".join(
            f"{table} row {rowid} → {parent}" for table, rowid, parent, _fk in rows[:10]
        )
        raise ForeignKeyViolation(
            f"The upgrade was rolled back: it would leave {len(rows)} row(s) referring to rows "
            f"that do not exist ({found}). The database is unchanged."
        )
