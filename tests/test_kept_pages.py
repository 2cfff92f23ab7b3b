"""A list's kept statement gives exactly what a statement built for the request gives.

Read endpoints keep each page statement by the shape of its filters and run it with the
request's values (backend.pagination.read_page, filters.Values). A value that skipped
`Values` would be written into the kept statement and silently reused for the next request
of the same shape: here every filter is asked twice, with different values, and each answer
is compared with the one the per-request statement (`fetch_page`) gives.
"""

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from backend import pagination
from backend.contacts import service as contacts
from backend.filters import ListFilters, Values
from backend.interviews import service as interviews
from backend.notes import service as notes
from backend.organizations import service as organizations
from backend.pagination import fetch_page, make_keyset, read_page
from backend.reads import Reading
from backend.referrals import service as referrals
from tests import factories
from tests.conftest import Api


def _seed(api: Api) -> dict[str, str]:
    acme = factories.organization(
        api, name="Acme", industry="Robotics", interest_level=4, tags=["Robots"]
    )
    beta = factories.organization(
        api, name="Beta", industry="Energy", interest_level=2, tags=["power", "grid"]
    )
    people = [
        factories.contact(
            api,
            full_name=f"Person {i}",
            organization_id=(acme, beta)[i % 2]["id"],
            status=("identified", "met", "reached_out")[i % 3],
            next_follow_up=f"2031-0{1 + i % 4}-1{i}",
            tags=["even"] if i % 2 == 0 else ["Odd", "x"],
        )
        for i in range(7)
    ]
    met = factories.interview(
        api, people[0]["id"], status="completed", scheduled_at="2026-05-06T10:00:00Z"
    )
    later = factories.interview(
        api, people[1]["id"], status="scheduled", scheduled_at="2031-03-04T10:00:00Z"
    )
    factories.interview(api, people[2]["id"])
    for i in range(6):
        factories.note_item(
            api,
            (met, later)[i % 2]["id"],
            category=("to_do", "to_read", "to_connect")[i % 3],
            status=("open", "done")[i % 2 if i < 4 else 0],
            due_date=f"2031-02-1{i}" if i % 3 else None,
        )
    factories.referral(api, people[3]["id"], status="offered")
    factories.referral(api, people[4]["id"], from_contact_id=people[0]["id"], status="met")
    factories.referral(
        api, people[5]["id"], from_contact_id=people[1]["id"], interview_id=met["id"]
    )
    return {
        "acme": acme["id"],
        "beta": beta["id"],
        "p0": people[0]["id"],
        "p1": people[1]["id"],
        "p4": people[4]["id"],
        "met": met["id"],
        "later": later["id"],
    }


def _u(value: str) -> uuid.UUID:
    return uuid.UUID(value)


# (service module, sort, filters as functions of the seeded ids), each twice with other values
CASES: dict[str, tuple[Any, str, list[Callable[[dict[str, str]], ListFilters]]]] = {
    "contacts": (
        contacts,
        "name",
        [
            lambda ids: contacts.ContactFilters(status=[contacts.ContactStatus.met]),
            lambda ids: contacts.ContactFilters(status=[contacts.ContactStatus.identified]),
            lambda ids: contacts.ContactFilters(
                status=[contacts.ContactStatus.met, contacts.ContactStatus.reached_out]
            ),
            lambda ids: contacts.ContactFilters(organization_id=_u(ids["acme"])),
            lambda ids: contacts.ContactFilters(organization_id=_u(ids["beta"])),
            lambda ids: contacts.ContactFilters(
                follow_up_from=date(2031, 2, 1), follow_up_to=date(2031, 3, 31)
            ),
            lambda ids: contacts.ContactFilters(
                follow_up_from=date(2031, 1, 1), follow_up_to=date(2031, 1, 31)
            ),
            # Searches: by the full-text index (3 characters or more), by scanning, by tag.
            lambda ids: contacts.ContactFilters(q="Person 1"),
            lambda ids: contacts.ContactFilters(q="rson"),
            lambda ids: contacts.ContactFilters(q="3"),
            lambda ids: contacts.ContactFilters(q="5"),
            lambda ids: contacts.ContactFilters(tag="even"),
            lambda ids: contacts.ContactFilters(tag="ODD"),
            lambda ids: contacts.ContactFilters(q="Person", tag="odd"),
            lambda ids: contacts.ContactFilters(q="Person 2", tag="even"),
        ],
    ),
    "organizations": (
        organizations,
        "name",
        [
            lambda ids: organizations.OrganizationFilters(industry="robotics"),
            lambda ids: organizations.OrganizationFilters(industry="ENERGY"),
            lambda ids: organizations.OrganizationFilters(min_interest=3),
            lambda ids: organizations.OrganizationFilters(min_interest=1),
            lambda ids: organizations.OrganizationFilters(q="acme"),
            lambda ids: organizations.OrganizationFilters(q="Energy"),
            lambda ids: organizations.OrganizationFilters(tag="robots"),
            lambda ids: organizations.OrganizationFilters(tag="GRID"),
        ],
    ),
    "interviews": (
        interviews,
        "-created_at",
        [
            lambda ids: interviews.InterviewFilters(contact_id=_u(ids["p0"])),
            lambda ids: interviews.InterviewFilters(contact_id=_u(ids["p1"])),
            lambda ids: interviews.InterviewFilters(status=[interviews.InterviewStatus.idea]),
            lambda ids: interviews.InterviewFilters(status=[interviews.InterviewStatus.scheduled]),
            lambda ids: interviews.InterviewFilters(
                scheduled_from=datetime(2031, 1, 1, tzinfo=UTC),
                scheduled_to=datetime(2032, 1, 1, tzinfo=UTC),
            ),
            lambda ids: interviews.InterviewFilters(
                scheduled_from=datetime(2020, 1, 1, tzinfo=UTC),
                scheduled_to=datetime(2021, 1, 1, tzinfo=UTC),
            ),
            lambda ids: interviews.InterviewFilters(missing_connection=True),
            lambda ids: interviews.InterviewFilters(missing_connection=False),
        ],
    ),
    "notes": (
        notes,
        "created_at",
        [
            lambda ids: notes.NoteFilters(
                category=[notes.NoteCategory.to_do], status=notes.NoteStatus.open
            ),
            lambda ids: notes.NoteFilters(
                category=[notes.NoteCategory.to_read], status=notes.NoteStatus.done
            ),
            lambda ids: notes.NoteFilters(interview_id=_u(ids["met"])),
            lambda ids: notes.NoteFilters(interview_id=_u(ids["later"])),
            lambda ids: notes.NoteFilters(due_from=date(2031, 2, 12), due_to=date(2031, 2, 14)),
            lambda ids: notes.NoteFilters(due_from=date(2031, 2, 10), due_to=date(2031, 2, 11)),
        ],
    ),
    "referrals": (
        referrals,
        "created_at",
        [
            lambda ids: referrals.ReferralFilters(from_contact_id=_u(ids["p0"])),
            lambda ids: referrals.ReferralFilters(from_contact_id=_u(ids["p1"])),
            lambda ids: referrals.ReferralFilters(contact_id=_u(ids["p4"])),
            lambda ids: referrals.ReferralFilters(contact_id=_u(ids["p0"])),
            lambda ids: referrals.ReferralFilters(direct=True),
            lambda ids: referrals.ReferralFilters(direct=False),
            lambda ids: referrals.ReferralFilters(status=[referrals.ReferralStatus.met]),
            lambda ids: referrals.ReferralFilters(status=[referrals.ReferralStatus.offered]),
            lambda ids: referrals.ReferralFilters(interview_id=_u(ids["met"])),
        ],
    ),
}


@pytest.mark.parametrize("few_matches", [200, 0], ids=["from-matches", "walking"])
@pytest.mark.parametrize("resource", CASES)
def test_a_kept_page_reads_what_a_built_one_reads(
    api: Api, engine: Engine, resource: str, few_matches: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`few_matches`: a text search of the full-text index pages from its matches, or (with
    more than FEW_MATCHES of them) by walking the sort order; both ways, here."""
    monkeypatch.setattr(pagination, "FEW_MATCHES", few_matches)
    ids = _seed(api)
    owner = api.user_id
    module, sort, cases = CASES[resource]
    dialect = engine.dialect.name
    nonempty = 0
    for make in cases:
        filters = make(ids)
        cursor = None
        for _page in range(4):
            keyset = make_keyset(sort, module.SORT_KEYS, module.table.c.id, cursor)

            def where(dialect: str, p: Values, filters: ListFilters = filters) -> Any:
                return module._conditions(dialect, owner, filters, p)

            reading = Reading(engine)
            try:
                kept = read_page(
                    reading,
                    table=module.table,
                    owner=owner,
                    filters=filters,
                    where=where,
                    keyset=keyset,
                    limit=2,
                )
            finally:
                reading.close()
            with Session(engine) as session:
                built = fetch_page(
                    session,
                    table=module.table,
                    where=where(dialect, Values()),
                    keyset=keyset,
                    limit=2,
                    owner=owner,
                )
            assert kept == built, filters
            nonempty += '"items":[]' not in kept
            cursor = _next_cursor(kept)
            if cursor is None:
                break
    assert nonempty >= len(cases) // 2  # the filters pick rows, not only empty pages


def _next_cursor(page: str) -> str | None:
    import orjson

    found: str | None = orjson.loads(page)["next_cursor"]
    return found
