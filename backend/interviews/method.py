"""The method's rules for a single interview, as pure functions (no database, no HTTP).

- Preparing: a new interview starts with the method's checklist.
- Scheduling: times offered to the interviewee, one of which becomes the interview's time.
- Completing: every conversation should yield at least one new connection.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from backend.interviews.lifecycle import InterviewStatus

S = InterviewStatus

# What to do before and during every informational interview, in the order one does it.
DEFAULT_CHECKLIST: tuple[str, ...] = (
    "Bring a notebook and pen",
    "Dress for the vibe of their workplace",
    "Confirm how much time they have at the start",
    "Research them and their organization",
    "Bring your questions / topics",
    "Ask who else you should talk to",
)


def default_checklist() -> list[dict[str, str | bool]]:
    """The checklist of an interview created without one: every item still to do."""
    return [{"text": text, "done": False} for text in DEFAULT_CHECKLIST]


# --- Scheduling ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InputProblem:
    """Why an input is refused: which field (dotted path), in words, and as a code."""

    field: str
    reason: str
    code: str


def duplicate_slot(starts: Sequence[datetime]) -> InputProblem | None:
    """The first proposed slot that starts at the same instant as an earlier one."""
    seen: set[datetime] = set()
    for index, start in enumerate(starts):
        if start in seen:
            return InputProblem(
                f"proposed_slots.{index}.starts_at",
                f"Slot {index} starts at the same time as an earlier slot.",
                "duplicate",
            )
        seen.add(start)
    return None


def choice_problem(
    *, slot_index: int | None, has_starts_at: bool, slots: int
) -> InputProblem | None:
    """Scheduling names exactly one time: a proposed slot by index, or `starts_at`."""
    if (slot_index is None) == (not has_starts_at):
        # Both given: the time is the extra one; neither: ask for the slot first.
        field = "starts_at" if has_starts_at else "slot_index"
        return InputProblem(
            field, "Give exactly one of slot_index and starts_at.", "exactly_one_required"
        )
    if slot_index is not None and slot_index >= slots:
        reason = (
            f"There is no proposed slot {slot_index}; this interview has {slots}."
            if slots
            else "This interview has no proposed slots; give starts_at instead."
        )
        return InputProblem("slot_index", reason, "out_of_range")
    return None


# --- Completing ----------------------------------------------------------------------------

# States in which the conversation has happened, so it should have produced a connection.
MET: frozenset[InterviewStatus] = frozenset({S.completed, S.thanked})

NO_CONNECTION = "no_connection"
NO_CONNECTION_MESSAGE = (
    "Every conversation should lead to at least one new connection: add a to_connect note "
    "(who else should you talk to?), or set no_connection_dismissed if there truly is none."
)


def lacks_connection(status: InterviewStatus, *, has_to_connect: bool, dismissed: bool) -> bool:
    """A conversation that happened, produced no to_connect note, and was not let go."""
    return status in MET and not has_to_connect and not dismissed


def warn_no_connection(
    before: InterviewStatus | None,
    after: InterviewStatus,
    *,
    has_to_connect: bool,
    dismissed: bool,
) -> bool:
    """Warn when a write makes an interview completed (`before` None: it was just created)
    and it lacks a connection."""
    becomes_completed = after == S.completed and before != S.completed
    return becomes_completed and lacks_connection(
        after, has_to_connect=has_to_connect, dismissed=dismissed
    )
