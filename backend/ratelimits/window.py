"""The sliding-window counter, as pure arithmetic (no database, no clock).

Windows are fixed, aligned slices of time (`seconds` long). A request is let through when
the requests already let through "in the last `seconds`" plus this one stay within the
limit, where the last `seconds` are estimated as all of the current window's count plus the
previous window's count weighted by how much of the previous window still overlaps them:

    estimate = prev_count × (1 − elapsed / seconds) + count

This is the approximation Cloudflare describes for its rate limiting: two integers per user
and bucket, no log of timestamps, and no burst of twice the limit at a window boundary as a
plain fixed window allows. Refused requests are not counted, so a client that keeps
retrying while refused does not lengthen its own wait.
"""

import math
from typing import NamedTuple

# Weights are floats: 3 × (1 − 20/60) + 1 must count as 3, not 3.0000000000000004.
TOLERANCE = 1e-9


class Window(NamedTuple):
    start: int  # whole seconds since the epoch
    previous_weight: float  # how much of the previous window still counts, 1 → 0


def window_at(now: float, seconds: int) -> Window:
    start = int(now // seconds) * seconds
    return Window(start, 1.0 - (now - start) / seconds)


def estimate(count: int, prev_count: int, previous_weight: float) -> float:
    return prev_count * previous_weight + count


def fits(*, limit: int, count: int, prev_count: int, previous_weight: float) -> bool:
    """Whether one more request is let through (what the database's upsert decides)."""
    return estimate(count, prev_count, previous_weight) + 1 <= limit + TOLERANCE


def retry_after(
    *, limit: int, seconds: int, now: float, window_start: int, count: int, prev_count: int
) -> int:
    """Whole seconds (at least 1) until one more request would be let through, if no other
    is let through meanwhile; from the counter as the refusal left it."""
    elapsed = min(max(now - window_start, 0.0), float(seconds))
    wait: float
    if count + 1 <= limit and prev_count > 0:
        # Still in this window, once enough of the previous one has slid out of view:
        # prev × (1 − t / seconds) + count + 1 ≤ limit.
        needed = 1.0 - (limit - 1 - count) / prev_count
        wait = max(needed * seconds - elapsed, 0.0)
    else:
        # In the next window, where this one becomes the previous: count × (1 − t') + 1 ≤ limit.
        needed = max(1.0 - (limit - 1) / count, 0.0) if count else 0.0
        wait = (seconds - elapsed) + needed * seconds
    return max(1, math.ceil(wait - TOLERANCE))
