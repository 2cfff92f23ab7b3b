"""Sign-in throttling: attempts per account name and per client address, kept in the database
so every worker process sees the same counts.

An attempt is counted before its password is checked, in one atomic statement that also
refuses it while the key is locked: a burst of parallel guesses cannot all pass a check made
before any of them is counted (the password check is slow). A success then takes its count
back (`succeeded`)."""

from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select, update
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


def allowed_for(key: str, allowed: int) -> int:
    """An address may be shared by many people (a NAT, an office): it gets more tries. Pure."""
    return allowed * ADDRESS_FACTOR if key.startswith("ip:") else allowed


def keys_for(email: str, client: str) -> list[str]:
    return [f"email:{email.strip().lower()}", f"ip:{client}"]


def locked_until(session: Session, keys: list[str]) -> datetime | None:
    stmt = select(table.c.locked_until).where(table.c.key.in_(keys))
    now = utcnow()
    times = [t for t in session.execute(stmt).scalars() if t is not None and t > now]
    return max(times, default=None)


def admit(session: Session, keys: list[str], allowed: int) -> datetime | None:
    """Counts one attempt under each key, as if it will fail, unless a key is locked: then
    nothing is counted and the answer is until when (the caller rolls back). None: go on.

    The attempt that reaches the limit is still checked, and locks the key for those after
    it, so at most `allowed` checks run however many arrive at once. Each key's row is
    counted and its lock tested in one statement (PostgreSQL locks the row until commit;
    SQLite write transactions are serial)."""
    now = utcnow()
    make_insert = postgresql_insert if _dialect(session) == "postgresql" else sqlite_insert
    for key in keys:
        counted = make_insert(table).values(
            key=key, failures=1, last_failure_at=now, locked_until=None
        )
        counted = counted.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "failures": case(
                    (table.c.last_failure_at > now - FORGET_AFTER, table.c.failures + 1), else_=1
                ),
                "last_failure_at": now,
            },
            where=or_(table.c.locked_until.is_(None), table.c.locked_until <= now),
        ).returning(table.c.failures)
        attempts = session.execute(counted).scalar()
        if attempts is None:  # locked: the update's condition kept the row as it was
            return locked_until(session, [key]) or now
        pause = lockout_for(attempts, allowed_for(key, allowed))
        if pause:
            session.execute(
                update(table).where(table.c.key == key).values(locked_until=now + pause)
            )
    return None


def succeeded(session: Session, keys: list[str], allowed: int) -> None:
    """The attempt `admit` counted had the right password. The account's count is forgotten
    altogether; an address keeps its failures (one's own account must not wipe a spray of
    guesses), less this attempt, and loses the lock this attempt may have set."""
    for key in keys:
        if not key.startswith("ip:"):
            clear(session, key)
            continue
        attempts = session.execute(
            update(table).where(table.c.key == key, table.c.failures > 0)
            .values(failures=table.c.failures - 1).returning(table.c.failures)
        ).scalar()  # fmt: skip
        if attempts is not None and not lockout_for(attempts, allowed_for(key, allowed)):
            session.execute(update(table).where(table.c.key == key).values(locked_until=None))


def clear(session: Session, key: str) -> None:
    session.execute(delete(table).where(table.c.key == key))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name
