"""The password policy and the sign-in lockout schedule: pure functions, no database."""

from datetime import timedelta

import pytest

from backend.accounts.passwords import password_problem
from backend.accounts.throttle import lockout_for

TOO_SHORT = "Use at least 10 characters."
COMMON = "This is one of the most common passwords; choose another."
IS_EMAIL = "Do not use your email address as your password."
TOO_UNIFORM = "Use more than two different characters."


@pytest.mark.parametrize(
    "password",
    ["a good long passphrase", "abcabcabca", "Zebra-Kite9", "mot de passe sûr", "x" * 1024 + "yz"],
)
def test_acceptable_passwords_have_no_problem(password: str) -> None:
    assert password_problem(password, "ann@example.test") is None


@pytest.mark.parametrize("password", ["", "a", "Abcdefgh9", "пароль123"])
def test_fewer_than_ten_characters_is_refused(password: str) -> None:
    assert password_problem(password) == TOO_SHORT


def test_exactly_ten_characters_is_enough() -> None:
    assert password_problem("Abcdefgh9!") is None
    assert password_problem("Abcdefgh9") == TOO_SHORT


def test_length_counts_characters_not_bytes() -> None:
    # Nine characters, but more than ten bytes in UTF-8.
    assert password_problem("ééééééé12") == TOO_SHORT
    assert password_problem("ééééééé123") is None


@pytest.mark.parametrize(
    "password", ["password123", "PASSWORD123", "Password123", "1234567890", "correcthorse"]
)
def test_common_passwords_are_refused_whatever_their_case(password: str) -> None:
    assert password_problem(password) == COMMON


def test_a_common_password_with_something_added_is_accepted() -> None:
    assert password_problem("password123 and more") is None


def test_the_email_itself_is_refused_whatever_its_case() -> None:
    assert password_problem("Ann.Smith@Example.test", "ann.smith@example.test") == IS_EMAIL
    assert password_problem("ann.smith@example.test", "ANN.SMITH@EXAMPLE.TEST") == IS_EMAIL


def test_the_email_rule_needs_an_exact_match() -> None:
    assert password_problem("ann.smith@example.test!", "ann.smith@example.test") is None
    # Without an email there is nothing to compare with.
    assert password_problem("ann.smith@example.test") is None


@pytest.mark.parametrize("password", ["          ", "abababababab", "zzzzzzzzzzzzzzzzz"])
def test_two_or_fewer_distinct_characters_are_refused(password: str) -> None:
    assert password_problem(password) == TOO_UNIFORM


def test_the_first_rule_broken_is_the_one_reported() -> None:
    assert password_problem("aaaa") == TOO_SHORT  # short and uniform: short wins
    assert password_problem("aaaaaaaaaa") == COMMON  # common and uniform: common wins


@pytest.mark.parametrize(
    ("failures", "allowed", "expected"),
    [
        (0, 5, timedelta(0)),
        (1, 5, timedelta(0)),
        (4, 5, timedelta(0)),
        (5, 5, timedelta(seconds=30)),
        (6, 5, timedelta(seconds=60)),
        (7, 5, timedelta(seconds=120)),
        (11, 5, timedelta(seconds=1920)),
        (12, 5, timedelta(hours=1)),  # 3840 s, capped
        (13, 5, timedelta(hours=1)),
        (1, 1, timedelta(seconds=30)),
        (0, 1, timedelta(0)),
        (2, 3, timedelta(0)),
        (3, 3, timedelta(seconds=30)),
    ],
)
def test_lockout_starts_at_the_allowance_and_doubles(
    failures: int, allowed: int, expected: timedelta
) -> None:
    assert lockout_for(failures, allowed) == expected


@pytest.mark.parametrize("failures", [46, 47, 100, 10_000])
def test_lockout_never_exceeds_an_hour_however_many_failures(failures: int) -> None:
    # Concurrent attempts can all pass the lock check before any failure is recorded, so
    # the count can run far past the allowance; the answer must still be the one-hour cap.
    assert lockout_for(failures, 5) == timedelta(hours=1)
