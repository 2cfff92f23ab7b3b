from typing import Annotated

from fastapi import APIRouter, Query

from backend.auth import OwnerDep
from backend.db import SessionDep
from backend.fields import SearchText
from backend.search import service
from backend.search.models import KINDS_PATTERN, SearchResults, parse_kinds

router = APIRouter(prefix="/api/v1/search", tags=["search"])

DESCRIPTION = """One search across contacts, organizations, interviews and note items.

A hit holds every word of `q` somewhere in its kind's searched columns, as a substring,
ignoring case ("mar" finds Maria, Omar and market): a contact's name, e-mail, job title,
location and notes; an organization's name, industry and notes; an interview's location,
research notes and summary; a note's text, link and author. Nothing in `q` is syntax.

Ranked by `score`: for each word, the best column weight × how the word sits in that column
(4 the whole column, 3 its start, 2 the start of one of its words, 1 inside a word); weights:
a name 4; an e-mail, job title, industry, a note's text or author 2; longer text and links 1.
Only the first 10 words count towards the score (all must be found). Equal scores list
contacts, organizations, interviews, then notes, the most recently updated first. Each hit's
`snippet` is plain text in segments, the matched ones marked."""


@router.get(
    "",
    name="query",
    summary="Search everything",
    description=DESCRIPTION,
    response_model=SearchResults,
)
def search(
    session: SessionDep,
    owner: OwnerDep,
    q: Annotated[
        SearchText | None,
        Query(description="Words to find, each as a substring; none finds nothing."),
    ] = None,
    kinds: Annotated[
        str | None,
        Query(
            pattern=KINDS_PATTERN,
            description="Comma-separated: contacts, organizations, interviews, note_items "
            "(all of them when left out).",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50, description="At most this many hits.")] = 20,
) -> SearchResults:
    return service.search(
        session=session, owner=owner, q=q or "", kinds=parse_kinds(kinds), limit=limit
    )
