"""The interview state machine and the method's interview rules, as pure functions: no
database, no HTTP."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from backend.interviews.lifecycle import (
    INITIAL,
    NEEDS_TIME,
    TRANSITIONS,
    InterviewStatus,
    future_problem,
    initial_problem,
    transition_problem,
)
from backend.interviews.method import (
    DEFAULT_CHECKLIST,
    MET,
    InputProblem,
    choice_problem,
    default_checklist,
    duplicate_slot,
    lacks_connection,
    warn_no_connection,
)

S = InterviewStatus

# The lifecycle spelled out once more, so that any change to it is a deliberate one.
EXPECTED: dict[str, set[str]] = {
    "idea": {"outreach_sent", "scheduled", "declined", "cancelled"},
    "outreach_sent": {"scheduled", "declined", "cancelled", "idea"},
    "scheduled": {"completed", "cancelled", "no_show", "outreach_sent"},
    "completed": {"thanked"},
    "thanked": set(),
    "declined": {"idea"},
    "cancelled": {"idea", "scheduled"},
    "no_show": {"scheduled", "cancelled"},
}
TIMED = {"scheduled", "completed", "thanked", "no_show"}


def test_every_state_has_a_transition_entry() -> None:
    assert {s.value for s in S} == set(EXPECTED)
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize("current", list(S))
def test_allowed_transitions_of_each_state(current: InterviewStatus) -> None:
    assert {s.value for s in TRANSITIONS[current]} == EXPECTED[current]
    for target in S:
        problem = transition_problem(current, target, has_time=True)
        if target == current or target.value in EXPECTED[current]:
            assert problem is None, (current, target)
        else:
            allowed = ", ".join(sorted(EXPECTED[current])) or "none (final state)"
            assert problem == (
                f"An interview cannot go from {current} to {target}; allowed: {allowed}."
            )


def test_illegal_transition_names_the_allowed_states_in_order() -> None:
    assert transition_problem(S.idea, S.completed, has_time=True) == (
        "An interview cannot go from idea to completed; "
        "allowed: cancelled, declined, outreach_sent, scheduled."
    )


def test_thanked_is_the_only_final_state() -> None:
    finals = [s for s in S if not TRANSITIONS[s]]
    assert finals == [S.thanked]
    for target in S:
        if target != S.thanked:
            problem = transition_problem(S.thanked, target, has_time=True)
            assert problem is not None
            assert problem.endswith("allowed: none (final state).")


def test_every_state_is_reachable_from_a_new_interview() -> None:
    seen = set(INITIAL)
    frontier = list(INITIAL)
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(S)


def test_states_that_need_a_time() -> None:
    assert {s.value for s in NEEDS_TIME} == TIMED


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.idea, S.scheduled),
        (S.outreach_sent, S.scheduled),
        (S.scheduled, S.completed),
        (S.scheduled, S.no_show),
        (S.completed, S.thanked),
        (S.cancelled, S.scheduled),
        (S.no_show, S.scheduled),
        # Staying put still needs the time: clearing scheduled_at of a scheduled interview.
        (S.scheduled, S.scheduled),
    ],
)
def test_timed_targets_need_a_time(current: InterviewStatus, target: InterviewStatus) -> None:
    assert transition_problem(current, target, has_time=True) is None
    assert transition_problem(current, target, has_time=False) == (
        f"An interview needs scheduled_at before it can be {target}."
    )


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.idea, S.outreach_sent),
        (S.idea, S.declined),
        (S.idea, S.cancelled),
        (S.scheduled, S.outreach_sent),
        (S.scheduled, S.cancelled),
        (S.declined, S.idea),
        (S.idea, S.idea),
    ],
)
def test_untimed_targets_do_not_need_a_time(
    current: InterviewStatus, target: InterviewStatus
) -> None:
    assert transition_problem(current, target, has_time=False) is None


def test_an_illegal_move_is_reported_before_a_missing_time() -> None:
    problem = transition_problem(S.idea, S.completed, has_time=False)
    assert problem is not None
    assert problem.startswith("An interview cannot go from idea to completed")


def test_initial_states() -> None:
    assert {s.value for s in INITIAL} == {"idea", "outreach_sent", "scheduled", "completed"}
    for status in S:
        problem = initial_problem(status, has_time=True)
        if status in INITIAL:
            assert problem is None, status
        else:
            assert problem == (
                "A new interview starts as one of: completed, idea, outreach_sent, scheduled."
            )


def test_initial_timed_states_need_a_time() -> None:
    assert initial_problem(S.idea, has_time=False) is None
    assert initial_problem(S.outreach_sent, has_time=False) is None
    for status in (S.scheduled, S.completed):
        assert initial_problem(status, has_time=False) == (
            f"An interview needs scheduled_at before it can be {status}."
        )


# --- The method: checklist, slots, connections ---------------------------------------------


def test_default_checklist_is_the_methods_six_items_all_to_do() -> None:
    assert default_checklist() == [
        {"text": "Bring a notebook and pen", "done": False},
        {"text": "Dress for the vibe of their workplace", "done": False},
        {"text": "Confirm how much time they have at the start", "done": False},
        {"text": "Research them and their organization", "done": False},
        {"text": "Bring your questions / topics", "done": False},
        {"text": "Ask who else you should talk to", "done": False},
    ]
    assert len(DEFAULT_CHECKLIST) == 6
    # Each call is a fresh list: editing one interview's checklist never touches another's.
    first = default_checklist()
    first[0]["done"] = True
    assert default_checklist()[0]["done"] is False


NINE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_duplicate_slot_names_the_first_repeat() -> None:
    assert duplicate_slot([]) is None
    assert duplicate_slot([NINE, NINE + timedelta(minutes=30), NINE + timedelta(days=1)]) is None
    assert duplicate_slot([NINE, NINE + timedelta(hours=1), NINE]) == InputProblem(
        "proposed_slots.2.starts_at",
        "Slot 2 starts at the same time as an earlier slot.",
        "duplicate",
    )
    # The same instant written with another offset is the same slot.
    paris = NINE.astimezone(timezone(timedelta(hours=1)))
    problem = duplicate_slot([NINE, paris])
    assert problem is not None
    assert problem.field == "proposed_slots.1.starts_at"
    # A microsecond apart is another slot.
    assert duplicate_slot([NINE, NINE + timedelta(microseconds=1)]) is None


def test_choice_needs_exactly_one_of_slot_and_time() -> None:
    neither = choice_problem(slot_index=None, has_starts_at=False, slots=2)
    assert neither == InputProblem(
        "slot_index", "Give exactly one of slot_index and starts_at.", "exactly_one_required"
    )
    both = choice_problem(slot_index=0, has_starts_at=True, slots=2)
    assert both == InputProblem(
        "starts_at", "Give exactly one of slot_index and starts_at.", "exactly_one_required"
    )
    assert choice_problem(slot_index=None, has_starts_at=True, slots=0) is None
    assert choice_problem(slot_index=0, has_starts_at=False, slots=1) is None
    assert choice_problem(slot_index=1, has_starts_at=False, slots=2) is None


def test_choice_of_a_slot_that_is_not_there() -> None:
    assert choice_problem(slot_index=2, has_starts_at=False, slots=2) == InputProblem(
        "slot_index", "There is no proposed slot 2; this interview has 2.", "out_of_range"
    )
    assert choice_problem(slot_index=0, has_starts_at=False, slots=0) == InputProblem(
        "slot_index",
        "This interview has no proposed slots; give starts_at instead.",
        "out_of_range",
    )


def test_only_met_interviews_can_lack_a_connection() -> None:
    assert {s.value for s in MET} == {"completed", "thanked"}
    for status in S:
        lacking = lacks_connection(status, has_to_connect=False, dismissed=False)
        assert lacking == (status in MET), status
        assert not lacks_connection(status, has_to_connect=True, dismissed=False)
        assert not lacks_connection(status, has_to_connect=False, dismissed=True)


@pytest.mark.parametrize(
    ("before", "after", "has_to_connect", "dismissed", "warns"),
    [
        (S.scheduled, S.completed, False, False, True),
        (None, S.completed, False, False, True),  # created as completed
        (S.scheduled, S.completed, True, False, False),
        (S.scheduled, S.completed, False, True, False),
        (S.completed, S.completed, False, False, False),  # already completed: no news
        (S.completed, S.thanked, False, False, False),  # only becoming completed warns
        (S.idea, S.scheduled, False, False, False),
        (None, S.idea, False, False, False),
    ],
)
def test_warn_no_connection_only_when_becoming_completed(
    before: InterviewStatus | None,
    after: InterviewStatus,
    has_to_connect: bool,
    dismissed: bool,
    warns: bool,
) -> None:
    result = warn_no_connection(before, after, has_to_connect=has_to_connect, dismissed=dismissed)
    assert result is warns


def test_a_conversation_cannot_have_happened_in_the_future() -> None:
    now = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
    ahead = now + timedelta(days=1)
    for status in (S.completed, S.thanked, S.no_show):
        assert future_problem(status, ahead, now) == (
            f"An interview cannot be {status} before its time: scheduled_at "
            "(2026-12-09T12:00:00+00:00) is in the future."
        )
        assert future_problem(status, now - timedelta(days=1), now) is None
        assert future_problem(status, None, now) is None
    for status in set(S) - {S.completed, S.thanked, S.no_show}:
        assert future_problem(status, ahead, now) is None, status
    # A few minutes of clock skew is allowed; beyond, refused.
    assert future_problem(S.completed, now + timedelta(minutes=5), now) is None
    assert future_problem(S.completed, now + timedelta(minutes=5, seconds=1), now) is not None
    # Instants, not wall clocks: 01:00 on the 9th at +14:00 is 11:00 UTC on the 8th, past.
    kiribati = datetime(2026, 12, 9, 1, 0, tzinfo=timezone(timedelta(hours=14)))
    assert future_problem(S.completed, kiribati, now) is None
    # ...and 02:00 on the 8th at -12:00 is 14:00 UTC, still to come.
    baker = datetime(2026, 12, 8, 2, 0, tzinfo=timezone(timedelta(hours=-12)))
    assert future_problem(S.completed, baker, now) is not None
