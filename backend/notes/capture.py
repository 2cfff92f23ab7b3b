"""Quick capture: many note items typed as one block of text, one item per line.

Pure: no database, no HTTP. Written for thumbs on a phone right after a conversation:

    - read: Thinking in Systems by Donella Meadows https://example.com/tis
    - connect: Maya Okafor, ran the pilot plant with Sam
    * follow up: send Sam the battery report (due 2026-12-05)
      mention the grant deadline
    1. todo: update my CV due: 2026-12-10

Each item starts with a category prefix and a colon (`read:`, `follow-up:`, `todo:`, `t:`…,
any case); bullets before it are ignored. A line without a prefix carries on the item above
it. A trailing `(due 2026-12-05)` or `due: 2026-12-05` sets the due date; in read items a URL
becomes the item's link and "Title by Author" its author.
"""

import re
from dataclasses import dataclass
from datetime import date

from backend.notes.models import NoteCategory

C = NoteCategory

# Prefixes after folding case and runs of blanks, `-` and `_` to one space.
ALIASES: dict[str, NoteCategory] = {
    **{category.value.replace("_", " "): category for category in NoteCategory},
    "connect": C.to_connect,
    "intro": C.to_connect,
    "introduction": C.to_connect,
    "c": C.to_connect,
    "to followup": C.to_follow_up,
    "follow up": C.to_follow_up,
    "followup": C.to_follow_up,
    "fu": C.to_follow_up,
    "f": C.to_follow_up,
    "read": C.to_read,
    "r": C.to_read,
    "to lookup": C.to_look_up,
    "look up": C.to_look_up,
    "lookup": C.to_look_up,
    "l": C.to_look_up,
    "todo": C.to_do,
    "do": C.to_do,
    "d": C.to_do,
    "think about": C.to_think_about,
    "think": C.to_think_about,
    "t": C.to_think_about,
}
EXAMPLE_PREFIXES = "connect:, follow up:, read:, look up:, todo:, think:"

# How many items one capture may hold: a conversation's worth, not an import.
MAX_ITEMS = 500
TEXT_MAX = 20_000
URL_MAX = 2048
AUTHOR_MAX = 200

# "-", "*", "•", "1." or "2)": a number only when a blank or a letter follows ("1.5 hours").
_BULLET = re.compile(r"^(?:[-*+•·◦‣▪–—]+\s*|\d{1,3}[.)](?:\s+|$|(?=[^\W\d_])))")
_PREFIX = re.compile(r"^(?P<word>[^\W\d_]+(?:[\s_-]+[^\W\d_]+)*)\s*:\s*(?P<rest>.*)$", re.DOTALL)
_FOLD = re.compile(r"[\s_-]+")
_DUE_PARENS = re.compile(r"\(\s*due\b\s*:?\s*(?P<value>[^()]*?)\s*\)$", re.IGNORECASE)
_DUE_PLAIN = re.compile(r"(?:^|(?<=\s))due\b\s*:?\s*(?P<value>\d{4}-\d{2}-\d{2})$", re.IGNORECASE)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'"
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]|<\s*>")
_WORD = re.compile(r"\w")
_LINE_EDGES = " \t-–—:|,;"
_BY = re.compile(r"^(?P<title>.*\S)\s+by\s+(?P<author>\S.*)$", re.IGNORECASE)
# "recommended by Sam" names who suggested it, not who wrote it.
_NOT_AUTHORSHIP = re.compile(
    r"\b(?:recommended|suggested|mentioned|sent|shared|given|lent|introduced|referred)$",
    re.IGNORECASE,
)
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»"}


@dataclass(frozen=True)
class CapturedNote:
    """One item as parsed: `line` is where it starts (1-based), for previews and errors."""

    line: int
    category: NoteCategory
    text: str
    due_date: date | None = None
    url: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class CaptureProblem:
    line: int
    reason: str
    code: str


@dataclass(frozen=True)
class Capture:
    """Either items (when there are no problems) or the problems: never part of a block."""

    items: tuple[CapturedNote, ...] = ()
    problems: tuple[CaptureProblem, ...] = ()


@dataclass
class _Draft:
    line: int
    category: NoteCategory
    lines: list[str]
    due_date: date | None = None


def normalize_prefix(prefix: str) -> str:
    """Case folded, each run of blanks, `-` and `_` one space: "To_Follow-Up" → "to follow up"."""
    return _FOLD.sub(" ", prefix.strip().casefold()).strip()


def category_of(prefix: str) -> NoteCategory | None:
    """The category a prefix (the word(s) before the colon) names, or None."""
    return ALIASES.get(normalize_prefix(prefix))


def strip_bullet(line: str) -> str:
    return _BULLET.sub("", line.strip(), count=1).strip()


def split_prefix(line: str) -> tuple[NoteCategory | None, str, str | None]:
    """(category, the rest, the unknown prefix word) of a bullet-free line."""
    found = _PREFIX.match(line)
    if found is None:
        return None, line, None
    category = category_of(found.group("word"))
    if category is None:
        return None, line, found.group("word")
    return category, found.group("rest").strip(), None


def split_due(content: str) -> tuple[str, str | None]:
    """The content without a trailing due marker, and the marker's value (None: no marker)."""
    for pattern in (_DUE_PARENS, _DUE_PLAIN):
        found = pattern.search(content)
        if found:
            return content[: found.start()].rstrip(), found.group("value")
    return content, None


def parse_due(value: str) -> date | None:
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def find_url(text: str) -> str | None:
    found = _URL.search(text)
    return found.group(0).rstrip(_URL_TRAILING) if found else None


def without(text: str, url: str) -> str:
    """`text` with `url` taken out, and the brackets and separators left around it."""
    lines = []
    for line in text.replace(url, " ", 1).split("\n"):
        line = re.sub(r"\s+", " ", _EMPTY_BRACKETS.sub(" ", line)).strip(_LINE_EDGES + ".")
        if _WORD.search(line):  # not just the punctuation that was around the link
            lines.append(line)
    return "\n".join(lines)


def split_author(title_line: str) -> tuple[str, str | None]:
    """ "Thinking in Systems by Donella Meadows" → ("Thinking in Systems", "Donella Meadows")."""
    found = _BY.match(title_line)
    if found is None or _NOT_AUTHORSHIP.search(found.group("title")):
        return title_line, None
    title = found.group("title").strip(_LINE_EDGES)
    author = found.group("author").strip().rstrip(".,;:!")
    if not title or not author or len(author) > AUTHOR_MAX:
        return title_line, None
    if len(title) > 1 and _QUOTES.get(title[0]) == title[-1]:
        title = title[1:-1].strip() or title
    return title, author


def _finish(draft: _Draft) -> CapturedNote | CaptureProblem:
    text = "\n".join(line for line in draft.lines if line)
    url = author = None
    if draft.category is NoteCategory.to_read:
        url = find_url(text)
        if url is not None:
            if len(url) > URL_MAX:
                reason = f"The link is longer than {URL_MAX} characters."
                return CaptureProblem(draft.line, reason, "url_too_long")
            text = without(text, url) or url
        first, newline, rest = text.partition("\n")
        title, author = split_author(first)
        text = title + newline + rest
    if not text:
        return CaptureProblem(draft.line, "This item has no text.", "empty")
    if len(text) > TEXT_MAX:
        reason = f"This item is longer than {TEXT_MAX} characters."
        return CaptureProblem(draft.line, reason, "too_long")
    return CapturedNote(draft.line, draft.category, text, draft.due_date, url, author)


def parse_capture(text: str, default_category: NoteCategory | None = None) -> Capture:
    """Note items from a block of text, or every line's problem (then no items at all)."""
    drafts: list[_Draft] = []
    problems: list[CaptureProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = strip_bullet(raw)
        if not line:
            continue
        category, content, unknown = split_prefix(line)
        content, due_value = split_due(content)
        if category is not None:
            drafts.append(_Draft(number, category, [content]))
        elif drafts:
            drafts[-1].lines.append(content)
        elif default_category is not None:
            drafts.append(_Draft(number, default_category, [content]))
        else:
            named = f"'{unknown}' is not a category. " if unknown else ""
            reason = f"{named}Start the first item with a category, e.g. {EXAMPLE_PREFIXES}"
            problems.append(CaptureProblem(number, reason, "no_category"))
            continue
        if due_value is not None:
            problem = _set_due(drafts[-1], number, due_value)
            if problem:
                problems.append(problem)
    if len(drafts) > MAX_ITEMS:
        reason = f"At most {MAX_ITEMS} items can be captured at once."
        problems.append(CaptureProblem(drafts[MAX_ITEMS].line, reason, "too_many"))
    items: list[CapturedNote] = []
    for draft in drafts:
        finished = _finish(draft)
        if isinstance(finished, CaptureProblem):
            problems.append(finished)
        else:
            items.append(finished)
    if not drafts and not problems:
        problems.append(CaptureProblem(1, "There is nothing to capture.", "empty"))
    if problems:
        return Capture(problems=tuple(sorted(problems, key=lambda p: p.line)))
    return Capture(items=tuple(items))


def _set_due(draft: _Draft, number: int, value: str) -> CaptureProblem | None:
    due = parse_due(value)
    if due is None:
        reason = f"'{value}' is not a due date; write it as YYYY-MM-DD, e.g. 2026-12-05."
        return CaptureProblem(number, reason, "invalid_due_date")
    if draft.due_date is not None and draft.due_date != due:
        reason = f"This item already is due {draft.due_date.isoformat()}; give one due date."
        return CaptureProblem(number, reason, "due_date_repeated")
    draft.due_date = due
    return None
