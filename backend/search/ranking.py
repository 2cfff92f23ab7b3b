"""How the search endpoint matches and ranks (pure: no database, no HTTP).

A query is split into words at whitespace. A row is found when every word occurs in one of
its kind's searched columns (`fts.SEARCHED`), as a substring, ignoring case: the meaning `q`
has on the lists, so "mar" finds "Maria", "Omar" and "market".

A hit's score adds up, for each word (the first `SCORED_WORDS` of them), the best
`weight × tier` over the searched columns:

    tier 4  the column is the word itself            "acme"  in "Acme"
    tier 3  the column starts with the word          "mar"   in "Maria Lopez"
    tier 2  a word of the column starts with it      "lop"   in "Maria Lopez"
    tier 1  it is inside a word                      "aria"  in "Maria Lopez"

with the column weights of `WEIGHTS` (a contact's or organization's name 4, an e-mail, job
title, industry, a note's text or author 2, longer free text 1). A word of a column starts
after a space or a line break. The tiers compare letters ignoring the case of A–Z only; a
word found only through another letter's case (the index ignores it: "ünal" finds "Ünal")
counts 1. Only the row itself counts, never how common a word is among all rows (which
would let other users' data move one's ranking), so a score can be explained from the hit
alone, and it is the same on SQLite and PostgreSQL.

Equal scores: contacts, then organizations, interviews, note items; then the most recently
updated; then the greater id (as `ORDER BY id DESC`). So once `limit` hits of the kinds
before have a score a kind cannot exceed (`best_possible`), that kind need not be searched:
"mar" finds enough contacts named Mar… to leave the 50,000 note items alone.
"""

import string
from collections.abc import Mapping

# Weights per kind and column; the columns are exactly those of `fts.SEARCHED`, in order.
WEIGHTS: dict[str, dict[str, int]] = {
    "contacts": {"full_name": 4, "email": 2, "title": 2, "location": 1, "notes": 1},
    "organizations": {"name": 4, "industry": 2, "notes": 1},
    "interviews": {"location": 2, "research_notes": 1, "summary": 1},
    "note_items": {"text": 2, "url": 1, "author": 2},
}
KIND_ORDER = ("contacts", "organizations", "interviews", "note_items")
# What a word scores when the index found it but no tier applies (another letter's case).
FLOOR = 1
# Every word must be found, but only the first ones count towards the score: each costs the
# SQL a tier per column, and a query is 200 characters long at most.
SCORED_WORDS = 10
# What separates the words of a column, for tier 2.
WORD_STARTS = (" ", "\n")

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def fold(text: str) -> str:
    """Lower case for A–Z only: what SQLite's lower() does, and PostgreSQL's in the C
    collation, so that both databases compute the same tiers."""
    return text.translate(_ASCII_LOWER)


def terms(q: str) -> list[str]:
    """The words of a query, each once (ignoring case), in order."""
    seen: set[str] = set()
    words = []
    for word in q.split():
        key = word.casefold()
        if key not in seen:
            seen.add(key)
            words.append(word)
    return words


def best_possible(kind: str, n_words: int) -> int:
    """The highest score a hit of `kind` can have for a query of `n_words` words."""
    return min(n_words, SCORED_WORDS) * 4 * max(WEIGHTS[kind].values())


def tier(value: str | None, term: str) -> int:
    """How `term` sits in one column's value (see the module docstring)."""
    if value is None:
        return 0
    folded, word = fold(value), fold(term)
    at = folded.find(word)
    if at < 0:
        return 0
    if at == 0:
        return 4 if len(folded) == len(word) else 3
    spaced = " " + folded.replace("\n", " ")
    return 2 if " " + word in spaced else 1


def score(kind: str, values: Mapping[str, str | None], words: list[str]) -> int:
    """A hit's score from its searched columns: what the SQL of `search.service` computes,
    written out for tests and for anyone asking why a hit ranks where it does."""
    weights = WEIGHTS[kind]
    return sum(
        max(FLOOR, *(weight * tier(values.get(column), word) for column, weight in weights.items()))
        for word in words[:SCORED_WORDS]
    )
