"""The interview state machine as pure functions: no database, no HTTP."""

import pytest

from backend.interviews.lifecycle import (
    INITIAL,
    NEEDS_TIME,
    TRANSITIONS,
    InterviewStatus,
    initial_problem,
    transition_problem,
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
