"""Sign-in throttling: failures per account name and per client address, kept in the database
so every worker process sees the same counts."""

from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from backend.accounts.models import LoginThrottle
from backend.fields import utcnow

table = LoginThrottle.__table__  # type: ignore[attr-defined]

# Failures older than this are forgotten.
FORGET_AFTER = timedelta(hours=1)
MAX_LOCKOUT = timedelta(hours=1)


def lockout_for(failures: int, allowed: int) -> timedelta:
    """How long to refuse sign-ins after `failures` in a row: nothing up to `allowed`, then
    30 s, doubling with each further failure, at most an hour. Pure."""
    if failures < allowed:
        return timedelta(0)
    return min(timedelta(seconds=30 * 2 ** (failures - allowed)), MAX_LOCKOUT)


def keys_for(email: str, client: str) -> list[str]:
    return [f"email:{email.strip().lower()}", f"ip:{client}"]


def locked_until(session: Session, keys: list[str]) -> datetime | None:
    stmt = select(table.c.locked_until).where(table.c.key.in_(keys))
    now = utcnow()
    times = [t for t in session.execute(stmt).scalars() if t is not None and t > now]
    return max(times, default=None)


def record_failure(session: Session, keys: list[str], allowed: int) -> None:
    now = utcnow()
    for key in keys:
        row = session.execute(select(table).where(table.c.key == key)).first()
        failures = 1
        if row is not None and row.last_failure_at + FORGET_AFTER > now:
            failures = row.failures + 1
        pause = lockout_for(failures, allowed)
        values = {
            "failures": failures,
            "last_failure_at": now,
            "locked_until": now + pause if pause else None,
        }
        if row is None:
            session.execute(insert(table).values(key=key, **values))
        else:
            session.execute(update(table).where(table.c.key == key).values(**values))


def clear(session: Session, key: str) -> None:
    session.execute(delete(table).where(table.c.key == key))
