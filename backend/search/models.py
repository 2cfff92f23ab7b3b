import uuid
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class SearchKind(StrEnum):
    """What the search looks through; also each hit's `kind`."""

    contacts = "contacts"
    organizations = "organizations"
    interviews = "interviews"
    note_items = "note_items"


_KIND = "(" + "|".join(kind.value for kind in SearchKind) + ")"
# `kinds` in the query string: a comma-separated list of SearchKind values.
KINDS_PATTERN = rf"^{_KIND}(,{_KIND})*$"


def parse_kinds(text: str | None) -> list[SearchKind]:
    """The kinds named (each once, in the order of SearchKind); all of them for None."""
    if text is None:
        return list(SearchKind)
    named = set(text.split(","))
    return [kind for kind in SearchKind if kind.value in named]


class Segment(BaseModel):
    """A run of a snippet's text; `match` runs are what the query found (show them
    highlighted, as text: never as markup)."""

    text: str
    match: bool


class SearchHit(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "contacts",
                    "id": "01935c4e-8f10-7cc1-9d0a-3b6f1a2e4c55",
                    "title": "Maria Lopez",
                    "field": "full_name",
                    "snippet": [
                        {"text": "Mar", "match": True},
                        {"text": "ia Lopez", "match": False},
                    ],
                    "score": 12,
                }
            ]
        }
    )

    kind: SearchKind
    id: uuid.UUID = Field(description="The id of the contact, organization, interview or note.")
    title: str = Field(
        description="A contact's name, an organization's name, an interview's interviewee and "
        "date (UTC), a note's category and interviewee."
    )
    field: str | None = Field(
        description="The column the snippet comes from (e.g. `email`, `text`); null when "
        "the snippet shows no match."
    )
    snippet: list[Segment] = Field(
        description="The text around what was found, in order; the matched runs marked."
    )
    score: int = Field(
        description="The sum, over the query's words, of the best column weight × tier "
        "(4 the whole column, 3 its start, 2 the start of a word in it, 1 inside a word)."
    )


class SearchResults(BaseModel):
    items: list[SearchHit] = Field(description="The best hits first.")
