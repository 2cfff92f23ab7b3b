"""Backup file names, which to delete, when the next is due: pure rules, no I/O."""

import re
from datetime import UTC, datetime, timedelta

PREFIX = "nexthop-"
SQLITE_SUFFIX = ".db"
POSTGRES_SUFFIX = ".pgdump"
_STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"nexthop-(\d{8}T\d{12}Z)\.(db|pgdump)")


def backup_name(suffix: str, now: datetime) -> str:
    """`nexthop-20261203T083000123456Z.db`: names sort in time order."""
    return f"{PREFIX}{now.astimezone(UTC).strftime(_STAMP)}{suffix}"


def taken_at(name: str) -> datetime | None:
    """When a backup was taken, from its name; None for a file that is not one of ours."""
    match = _NAME.fullmatch(name)
    if match is None:
        return None
    return datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)


def to_delete(names: list[str], keep: int) -> list[str]:
    """The backups beyond the newest `keep`; other files are never touched."""
    ours = sorted((n for n in names if taken_at(n) is not None), reverse=True)
    return sorted(ours[keep:])


def newest(names: list[str]) -> datetime | None:
    times = [t for t in map(taken_at, names) if t is not None]
    return max(times, default=None)


def is_due(last: datetime | None, now: datetime, interval: timedelta) -> bool:
    return last is None or now - last >= interval


def seconds_until_due(last: datetime | None, now: datetime, interval: timedelta) -> float:
    return 0.0 if last is None else max(0.0, (last + interval - now).total_seconds())
