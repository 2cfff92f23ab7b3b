"""The quick-capture parser, tested directly (pure: no database, no HTTP)."""

from datetime import date

import pytest

from backend.notes.capture import (
    MAX_ITEMS,
    Capture,
    CapturedNote,
    CaptureProblem,
    category_of,
    normalize_prefix,
    parse_capture,
    split_author,
    strip_bullet,
)
from backend.notes.models import NoteCategory

C = NoteCategory


def items(text: str, default: NoteCategory | None = None) -> list[CapturedNote]:
    parsed = parse_capture(text, default)
    assert parsed.problems == (), parsed.problems
    return list(parsed.items)


def problems(text: str, default: NoteCategory | None = None) -> list[tuple[int, str]]:
    parsed = parse_capture(text, default)
    assert parsed.items == ()
    return [(p.line, p.code) for p in parsed.problems]


def one(text: str) -> CapturedNote:
    parsed = items(text)
    assert len(parsed) == 1, parsed
    return parsed[0]


@pytest.mark.parametrize(
    ("prefix", "category"),
    [
        ("to_connect", C.to_connect),
        ("to connect", C.to_connect),
        ("To-Connect", C.to_connect),
        ("connect", C.to_connect),
        ("CONNECT", C.to_connect),
        ("intro", C.to_connect),
        ("introduction", C.to_connect),
        ("c", C.to_connect),
        ("to_follow_up", C.to_follow_up),
        ("follow up", C.to_follow_up),
        ("follow-up", C.to_follow_up),
        ("Follow  Up", C.to_follow_up),
        ("followup", C.to_follow_up),
        ("fu", C.to_follow_up),
        ("FU", C.to_follow_up),
        ("f", C.to_follow_up),
        ("to_read", C.to_read),
        ("read", C.to_read),
        ("r", C.to_read),
        ("to_look_up", C.to_look_up),
        ("look up", C.to_look_up),
        ("look-up", C.to_look_up),
        ("lookup", C.to_look_up),
        ("l", C.to_look_up),
        ("to_do", C.to_do),
        ("to do", C.to_do),
        ("to-do", C.to_do),
        ("todo", C.to_do),
        ("ToDo", C.to_do),
        ("do", C.to_do),
        ("d", C.to_do),
        ("to_think_about", C.to_think_about),
        ("think about", C.to_think_about),
        ("think", C.to_think_about),
        ("t", C.to_think_about),
        ("T", C.to_think_about),
    ],
)
def test_every_alias_names_its_category(prefix: str, category: NoteCategory) -> None:
    assert category_of(prefix) is category
    assert one(f"{prefix}: something") == CapturedNote(1, category, "something")


@pytest.mark.parametrize("prefix", ["note", "re", "x", "reading", "due", "to", "https", ""])
def test_other_words_are_not_prefixes(prefix: str) -> None:
    assert category_of(prefix) is None


def test_prefix_folding() -> None:
    assert normalize_prefix("  To_Follow - Up ") == "to follow up"


@pytest.mark.parametrize(
    ("line", "stripped"),
    [
        ("- todo: x", "todo: x"),
        ("-todo: x", "todo: x"),
        ("* todo: x", "todo: x"),
        ("• todo: x", "todo: x"),
        ("  •   todo: x  ", "todo: x"),
        ("1. todo: x", "todo: x"),
        ("12) todo: x", "todo: x"),
        ("3.todo: x", "todo: x"),
        ("-- todo: x", "todo: x"),
        ("1.5 hours of reading", "1.5 hours of reading"),
        ("2026 was a good year", "2026 was a good year"),
        ("todo: x - y", "todo: x - y"),
        ("-", ""),
    ],
)
def test_leading_bullets_are_stripped(line: str, stripped: str) -> None:
    assert strip_bullet(line) == stripped


def test_a_block_typed_on_a_phone() -> None:
    text = (
        "- read: Thinking in Systems by Donella Meadows https://example.com/tis\n"
        "- connect: Maya Okafor\n"
        "\n"
        "* Follow-up: send Sam the battery report (due 2026-12-05)\n"
        "  mention the grant deadline\n"
        "1. todo: update my CV due: 2026-12-10\n"
        "2. LOOKUP: sodium-ion vs LFP\n"
        "   \n"
        "• think: do I want a lab job?\n"
    )
    assert parse_capture(text) == Capture(
        items=(
            CapturedNote(
                1,
                C.to_read,
                "Thinking in Systems",
                url="https://example.com/tis",
                author="Donella Meadows",
            ),
            CapturedNote(2, C.to_connect, "Maya Okafor"),
            CapturedNote(
                4,
                C.to_follow_up,
                "send Sam the battery report\nmention the grant deadline",
                due_date=date(2026, 12, 5),
            ),
            CapturedNote(6, C.to_do, "update my CV", due_date=date(2026, 12, 10)),
            CapturedNote(7, C.to_look_up, "sodium-ion vs LFP"),
            CapturedNote(9, C.to_think_about, "do I want a lab job?"),
        )
    )


def test_lines_without_a_prefix_continue_the_item_above() -> None:
    text = "todo: pack\n- passport\n\ncharger\nNote: the adapter\nthink: later"
    assert items(text) == [
        CapturedNote(1, C.to_do, "pack\npassport\ncharger\nNote: the adapter"),
        CapturedNote(6, C.to_think_about, "later"),
    ]


def test_a_prefix_with_its_text_on_the_next_lines() -> None:
    assert items("follow up:\n  thank Sam\n  send the deck") == [
        CapturedNote(1, C.to_follow_up, "thank Sam\nsend the deck")
    ]


def test_colons_later_in_the_text_are_kept() -> None:
    assert one("todo: ask: what's next? 10:30 call").text == "ask: what's next? 10:30 call"
    assert one("c:Maya") == CapturedNote(1, C.to_connect, "Maya")


def test_the_first_line_uses_the_default_category_when_given() -> None:
    assert items("Maya Okafor\nat Tidewater\nread: SICP", C.to_connect) == [
        CapturedNote(1, C.to_connect, "Maya Okafor\nat Tidewater"),
        CapturedNote(3, C.to_read, "SICP"),
    ]
    assert items("- send the deck", C.to_do) == [CapturedNote(1, C.to_do, "send the deck")]
    # A prefix still wins over the default.
    assert items("read: SICP", C.to_do) == [CapturedNote(1, C.to_read, "SICP")]


def test_the_first_line_without_a_prefix_or_default_is_a_problem() -> None:
    parsed = parse_capture("\n\nMaya Okafor\nnote: at Tidewater\nread: SICP")
    assert parsed == Capture(
        problems=(
            CaptureProblem(
                3,
                "Start the first item with a category, e.g. connect:, follow up:, read:, "
                "look up:, todo:, think:",
                "no_category",
            ),
            CaptureProblem(
                4,
                "'note' is not a category. Start the first item with a category, e.g. "
                "connect:, follow up:, read:, look up:, todo:, think:",
                "no_category",
            ),
        )
    )


@pytest.mark.parametrize(
    ("line", "text", "due"),
    [
        ("todo: send it (due 2026-12-05)", "send it", date(2026, 12, 5)),
        ("todo: send it (Due: 2026-12-05)", "send it", date(2026, 12, 5)),
        ("todo: send it ( due 2026-12-05 )", "send it", date(2026, 12, 5)),
        ("todo: send it due: 2026-12-05", "send it", date(2026, 12, 5)),
        ("todo: send it DUE:2026-12-05", "send it", date(2026, 12, 5)),
        ("todo: send it due 2026-12-05  ", "send it", date(2026, 12, 5)),
        ("todo: the overdue 2026-12-05 report", "the overdue 2026-12-05 report", None),
        ("todo: (due 2026-12-05) is the deadline", "(due 2026-12-05) is the deadline", None),
        ("todo: ask what is due: the report", "ask what is due: the report", None),
        ("todo: residue 2026-12-05", "residue 2026-12-05", None),
    ],
)
def test_a_trailing_due_marker_sets_the_due_date(line: str, text: str, due: date | None) -> None:
    assert one(line) == CapturedNote(1, C.to_do, text, due_date=due)


def test_a_due_marker_on_a_line_of_its_own_dates_the_item_above() -> None:
    assert items("todo: send the deck\ndue: 2026-12-05\nthink: x") == [
        CapturedNote(1, C.to_do, "send the deck", due_date=date(2026, 12, 5)),
        CapturedNote(3, C.to_think_about, "x"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "todo: send it (due friday)",
        "todo: send it (due 2026-13-01)",
        "todo: send it (due 2026-02-30)",
        "todo: send it (due 12/05/2026)",
        "todo: send it (due)",
        "todo: send it due: 2026-02-30",
    ],
)
def test_a_due_date_that_is_not_a_date_is_a_problem(line: str) -> None:
    assert problems(f"read: fine\n{line}") == [(2, "invalid_due_date")]


def test_two_different_due_dates_for_one_item_is_a_problem() -> None:
    assert problems("todo: x (due 2026-12-05)\nmore (due 2026-12-06)") == [(2, "due_date_repeated")]
    # The same date twice is harmless.
    assert one("todo: x (due 2026-12-05)\nmore (due 2026-12-05)").due_date == date(2026, 12, 5)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "read: https://example.com/essay",
            CapturedNote(
                1, C.to_read, "https://example.com/essay", url="https://example.com/essay"
            ),
        ),
        (
            "read: The essay - https://example.com/essay?x=1#top",
            CapturedNote(1, C.to_read, "The essay", url="https://example.com/essay?x=1#top"),
        ),
        (
            "read: The essay (https://example.com/essay).",
            CapturedNote(1, C.to_read, "The essay", url="https://example.com/essay"),
        ),
        (
            "read: <http://example.com/a> the sequel",
            CapturedNote(1, C.to_read, "the sequel", url="http://example.com/a"),
        ),
        (
            "read: Seeing Like a State by James C. Scott",
            CapturedNote(1, C.to_read, "Seeing Like a State", author="James C. Scott"),
        ),
        (
            'read: "Stand by Me" by Stephen King.',
            CapturedNote(1, C.to_read, "Stand by Me", author="Stephen King"),
        ),
        (
            "read: “The Goal” BY Eliyahu Goldratt https://example.com/goal",
            CapturedNote(
                1, C.to_read, "The Goal", url="https://example.com/goal", author="Eliyahu Goldratt"
            ),
        ),
        (
            "read: the grid chapter recommended by Sam",
            CapturedNote(1, C.to_read, "the grid chapter recommended by Sam"),
        ),
        ("read: by the lake", CapturedNote(1, C.to_read, "by the lake")),
    ],
)
def test_read_items_get_their_link_and_author(line: str, expected: CapturedNote) -> None:
    assert one(line) == expected


def test_links_and_authors_only_in_read_items() -> None:
    assert one("look up: Tidewater https://example.com by Sam") == CapturedNote(
        1, C.to_look_up, "Tidewater https://example.com by Sam"
    )


def test_a_read_items_author_comes_from_its_first_line_and_the_link_from_any() -> None:
    assert one("read: Thinking in Systems by Donella Meadows\nSam: https://example.com/t\n") == (
        CapturedNote(
            1,
            C.to_read,
            "Thinking in Systems\nSam",
            url="https://example.com/t",
            author="Donella Meadows",
        )
    )


def test_split_author() -> None:
    assert split_author("A by B by C") == ("A by B", "C")
    assert split_author("A — by B") == ("A", "B")
    assert split_author("Nobody wrote this") == ("Nobody wrote this", None)
    assert split_author("A by " + "x" * 201) == ("A by " + "x" * 201, None)


def test_a_link_longer_than_a_url_may_be_is_a_problem() -> None:
    long_link = "https://example.com/" + "a" * 2030
    assert problems(f"read: {long_link}") == [(1, "url_too_long")]


def test_an_item_without_text_is_a_problem() -> None:
    assert problems("todo:\nread: x\nthink: (due 2026-12-05)") == [(1, "empty"), (3, "empty")]


def test_an_empty_block_is_a_problem() -> None:
    assert problems("") == [(1, "empty")]
    assert problems("\n  \n - \n") == [(1, "empty")]


def test_every_problem_is_reported_at_once_in_line_order() -> None:
    text = "hello\ntodo: x (due soon)\nread:\nthink: fine"
    assert problems(text) == [(1, "no_category"), (2, "invalid_due_date"), (3, "empty")]


def test_too_many_items() -> None:
    assert len(items("todo: x\n" * MAX_ITEMS)) == MAX_ITEMS
    assert problems("todo: x\n" * (MAX_ITEMS + 1)) == [(MAX_ITEMS + 1, "too_many")]


def test_windows_line_endings_and_unicode() -> None:
    assert items("todo: café\r\nthink: naïve ☃\r\n") == [
        CapturedNote(1, C.to_do, "café"),
        CapturedNote(2, C.to_think_about, "naïve ☃"),
    ]
