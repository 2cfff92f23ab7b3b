"""Snippets: the part of a hit's text around what was found, as plain-text segments (pure).

A snippet is a list of segments `(text, match)`; clients render the matched ones highlighted
with text nodes, never markup, so nothing in a user's notes can become HTML. Whitespace runs
(line breaks included) read as one space. A long text is cut to about `WIDTH` characters
around the first match, at spaces where there are any near the cut, with "…" where text was
left out.
"""

import re
from collections.abc import Mapping
from typing import NamedTuple

WIDTH = 160
# How much text to show before the first match, when the text is cut.
LEAD = 40
# How far to look for a space to cut at, rather than inside a word.
SLACK = 20
ELLIPSIS = "…"

_SPACES = re.compile(r"\s+")


class Segment(NamedTuple):
    text: str
    match: bool


def _spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where any of the words occurs (ignoring case), overlapping ones merged."""
    found = sorted(
        (m.start(), m.end())
        for word in words
        if word
        for m in re.finditer(re.escape(word), text, re.IGNORECASE)
    )
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _window(text: str, first: int) -> tuple[int, int]:
    """The part of a long text to show: from a little before the first match."""
    if len(text) <= WIDTH:
        return 0, len(text)
    start = max(0, min(first - LEAD, len(text) - WIDTH))
    if start > 0:
        space = text.find(" ", start, start + SLACK)
        if 0 <= space < first:
            start = space + 1
    end = min(len(text), start + WIDTH)
    if end < len(text):
        space = text.rfind(" ", end - SLACK, end)
        if space > start:
            end = space
    return start, end


def snippet(text: str, words: list[str]) -> list[Segment]:
    """`text` (or the part of it around the first match) as segments, the matches marked."""
    text = _SPACES.sub(" ", text).strip()
    spans = _spans(text, words)
    start, end = _window(text, spans[0][0] if spans else 0)
    segments: list[Segment] = []

    def add(part: str, match: bool) -> None:
        if not part:
            return
        if segments and segments[-1].match == match:
            segments[-1] = Segment(segments[-1].text + part, match)
        else:
            segments.append(Segment(part, match))

    if start > 0:
        add(ELLIPSIS, False)
    at = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        add(text[at:span_start], False)
        add(text[span_start:span_end], True)
        at = span_end
    add(text[at:end], False)
    if end < len(text):
        add(ELLIPSIS, False)
    return segments


def best_column(
    values: Mapping[str, str | None], weights: Mapping[str, int], words: list[str]
) -> str | None:
    """The column to show a snippet of: the one holding the most of the words, then the
    weightiest; None when no column holds any (a match the index saw differently)."""
    best: tuple[int, int] | None = None
    chosen = None
    for column, weight in weights.items():
        value = values.get(column)
        if not value:
            continue
        found = sum(1 for word in words if re.search(re.escape(word), value, re.IGNORECASE))
        if found and (best is None or (found, weight) > best):
            best, chosen = (found, weight), column
    return chosen
