"""The interview lifecycle as a pure state machine (no database, no HTTP)."""

from datetime import datetime, timedelta
from enum import StrEnum


class InterviewStatus(StrEnum):
    idea = "idea"
    outreach_sent = "outreach_sent"
    scheduled = "scheduled"
    completed = "completed"
    thanked = "thanked"
    declined = "declined"
    cancelled = "cancelled"
    no_show = "no_show"


S = InterviewStatus

TRANSITIONS: dict[InterviewStatus, frozenset[InterviewStatus]] = {
    S.idea: frozenset({S.outreach_sent, S.scheduled, S.declined, S.cancelled}),
    S.outreach_sent: frozenset({S.scheduled, S.declined, S.cancelled, S.idea}),
    S.scheduled: frozenset({S.completed, S.cancelled, S.no_show, S.outreach_sent}),
    S.completed: frozenset({S.thanked}),
    S.thanked: frozenset(),
    S.declined: frozenset({S.idea}),
    S.cancelled: frozenset({S.idea, S.scheduled}),
    S.no_show: frozenset({S.scheduled, S.cancelled}),
}

# A new interview may also record a meeting that already happened.
INITIAL: frozenset[InterviewStatus] = frozenset({S.idea, S.outreach_sent, S.scheduled, S.completed})

# States that only make sense once a time is fixed.
NEEDS_TIME: frozenset[InterviewStatus] = frozenset({S.scheduled, S.completed, S.thanked, S.no_show})

# States saying the time has come: the conversation happened, or they did not show up.
HAPPENED: frozenset[InterviewStatus] = frozenset({S.completed, S.thanked, S.no_show})

# Clocks differ: a time this little ahead of ours may already have come on the client's.
CLOCK_SKEW = timedelta(minutes=5)


def transition_problem(
    current: InterviewStatus, target: InterviewStatus, has_time: bool
) -> str | None:
    """Why `current → target` is not allowed, or None when it is."""
    if target != current and target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final state)"
        return f"An interview cannot go from {current} to {target}; allowed: {allowed}."
    if target in NEEDS_TIME and not has_time:
        return f"An interview needs scheduled_at before it can be {target}."
    return None


def initial_problem(status: InterviewStatus, has_time: bool) -> str | None:
    if status not in INITIAL:
        return f"A new interview starts as one of: {', '.join(sorted(INITIAL))}."
    if status in NEEDS_TIME and not has_time:
        return f"An interview needs scheduled_at before it can be {status}."
    return None


def future_problem(
    status: InterviewStatus, scheduled_at: datetime | None, now: datetime
) -> str | None:
    """Why an interview cannot be `status` at `scheduled_at`: a conversation cannot have
    happened (or been missed) in the future. Instants are compared as instants, whatever
    their offsets; `CLOCK_SKEW` ahead of `now` still counts as now."""
    if status not in HAPPENED or scheduled_at is None or scheduled_at <= now + CLOCK_SKEW:
        return None
    return (
        f"An interview cannot be {status} before its time: scheduled_at "
        f"({scheduled_at.isoformat()}) is in the future."
    )
