"""When a failed delivery is tried again (pure): exponential backoff for a bounded time."""

from datetime import datetime, timedelta

FIRST_RETRY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
# After this long since the event, a delivery that still fails is given up.
RETRY_FOR = timedelta(hours=24)


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    doublings = min(max(attempts - 1, 0), 20)
    return min(FIRST_RETRY * 2**doublings, MAX_DELAY)


def next_attempt(
    *, attempts: int, queued_at: datetime, now: datetime, jitter: float = 0.0
) -> datetime | None:
    """When to try again after `attempts` failed tries, or None: give up. `jitter` (0 to
    0.1, say) spreads retries of many deliveries that failed together."""
    at = now + retry_delay(attempts) * (1 + jitter)
    return at if at <= queued_at + RETRY_FOR else None


def succeeded(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300
