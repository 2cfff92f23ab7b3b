"""Sign-in throttling: failures per account name and per client address, kept in the database
so every worker process sees the same counts."""

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.accounts.models import LoginThrottle
from backend.fields import utcnow

table = LoginThrottle.__table__  # type: ignore[attr-defined]

# Failures older than this are forgotten.
FORGET_AFTER = timedelta(hours=1)
MAX_LOCKOUT = timedelta(hours=1)
ADDRESS_FACTOR = 5


def lockout_for(failures: int, allowed: int) -> timedelta:
    """How long to refuse sign-ins after `failures` in a row: nothing up to `allowed`, then
    30 s, doubling with each further failure, at most an hour. Pure."""
    if failures < allowed:
        return timedelta(0)
    doublings = min(failures - allowed, 12)  # 30 s × 2^12 is past the cap already
    return min(timedelta(seconds=30 * 2**doublings), MAX_LOCKOUT)


def keys_for(email: str, client: str) -> list[str]:
    return [f"email:{email.strip().lower()}", f"ip:{client}"]


def locked_until(session: Session, keys: list[str]) -> datetime | None:
    stmt = select(table.c.locked_until).where(table.c.key.in_(keys))
    now = utcnow()
    times = [t for t in session.execute(stmt).scalars() if t is not None and t > now]
    return max(times, default=None)


def record_failure(session: Session, keys: list[str], allowed: int) -> None:
    """Counts one more failure under each key. Concurrent failures all count: the row exists
    first (insert if absent), then is locked while it is read and written (FOR UPDATE on
    PostgreSQL; SQLite write transactions are serial already)."""
    now = utcnow()
    dialect = session.get_bind().dialect.name
    make_insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    for key in keys:
        session.execute(
            make_insert(table)
            .values(key=key, failures=0, last_failure_at=now, locked_until=None)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        row = session.execute(select(table).where(table.c.key == key).with_for_update()).one()
        failures = row.failures + 1 if row.last_failure_at + FORGET_AFTER > now else 1
        # An address may be shared by many people (a NAT, an office): it gets more tries.
        pause = lockout_for(
            failures, allowed * ADDRESS_FACTOR if key.startswith("ip:") else allowed
        )
        session.execute(
            update(table).where(table.c.key == key).values(
                failures=failures, last_failure_at=now,
                locked_until=now + pause if pause else None,
            )
        )  # fmt: skip


def clear(session: Session, key: str) -> None:
    session.execute(delete(table).where(table.c.key == key))
