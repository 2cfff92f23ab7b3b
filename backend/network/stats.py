"""The arithmetic of the network's progress figures, kept pure (no database, no HTTP)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from backend.notes.models import NoteCategory

MAX_WEEKS = 104


@dataclass(frozen=True)
class WeekCount:
    week: str  # ISO week, e.g. "2026-W48"
    starts_on: date  # its Monday
    conversations: int


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def window(today: date, weeks: int) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the `weeks` ISO weeks ending with the one holding `today`."""
    end = monday_of(today) + timedelta(weeks=1)
    start = end - timedelta(weeks=weeks)
    return (datetime.combine(start, time(), UTC), datetime.combine(end, time(), UTC))


def conversations_per_week(
    instants: Iterable[datetime], *, today: date, weeks: int
) -> list[WeekCount]:
    """Conversations per ISO week (in UTC) over the last `weeks` weeks, oldest first,
    weeks without any included as zero. Instants outside the window are ignored."""
    start, end = window(today, weeks)
    counts = [0] * weeks
    for instant in instants:
        if start <= instant < end:
            counts[(instant.astimezone(UTC).date() - start.date()).days // 7] += 1
    mondays = [start.date() + timedelta(weeks=i) for i in range(weeks)]
    return [WeekCount(iso_week(day), day, n) for day, n in zip(mondays, counts, strict=True)]


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator to two decimals; None when there is nothing to divide by."""
    return round(numerator / denominator, 2) if denominator else None


def longest_chain(depths: Mapping[str, int]) -> int:
    """The farthest anyone is from the user, in hops (0 when nobody is reachable)."""
    return max(depths.values(), default=0)


def by_category(counts: Mapping[str, int]) -> dict[str, int]:
    """A count for each of the six note categories, in the method's order, zero if absent."""
    return {category.value: counts.get(category.value, 0) for category in NoteCategory}
