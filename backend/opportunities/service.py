"""Opportunities: the outcomes the chain of conversations leads to, and where they came from."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, delete, insert, select
from sqlalchemy.orm import Session

from backend import crud
from backend.contacts.models import Contact
from backend.documents import Doc, dialect_of, with_member
from backend.filters import ListFilters, text_search
from backend.interviews.models import Interview
from backend.network import service as network
from backend.opportunities.models import (
    ChainInterview,
    ChainStep,
    Opportunity,
    OpportunityChain,
    OpportunityCreate,
    OpportunityInterview,
    OpportunityKind,
    OpportunityStatus,
    OpportunityUpdate,
)
from backend.organizations.models import Organization
from backend.pagination import Keyset, SortKey, fetch_page
from backend.reads import Reading
from backend.webhooks.events import emit
from backend.webhooks.models import WebhookEvent

table = crud.table_of(Opportunity)
links = crud.table_of(OpportunityInterview)
interviews = crud.table_of(Interview)
LABEL = "opportunity"

SORT_KEYS = {
    "created_at": SortKey(table.c.created_at, kind=datetime),
    "updated_at": SortKey(table.c.updated_at, kind=datetime),
    "due_date": SortKey(table.c.due_date, kind=date, nullable=True),
}


@dataclass(frozen=True)
class OpportunityFilters(ListFilters):
    q: str | None = None
    kind: list[OpportunityKind] | None = None
    status: list[OpportunityStatus] | None = None
    contact_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    interview_id: uuid.UUID | None = None


def _conditions(dialect: str, owner: uuid.UUID, f: OpportunityFilters) -> list[ColumnElement[bool]]:
    c = table.c
    where = [crud.owned(table, owner)]
    if f.q:
        where.append(text_search(dialect, f.q, c.title, c.next_step, c.notes))
    if f.kind:
        where.append(c.kind.in_([k.value for k in f.kind]))
    if f.status:
        where.append(c.status.in_([s.value for s in f.status]))
    if f.contact_id:
        where.append(c.contact_id == f.contact_id)
    if f.organization_id:
        where.append(c.organization_id == f.organization_id)
    if f.interview_id:
        linked = select(links.c.opportunity_id).where(links.c.interview_id == f.interview_id)
        where.append(c.id.in_(linked))
    return where


def _interview_ids(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Each opportunity's linked interviews, oldest first (ids are time-ordered UUIDv7s)."""
    found: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
    if ids:
        stmt = (
            select(links.c.opportunity_id, links.c.interview_id)
            .where(links.c.opportunity_id.in_(ids))
            .order_by(links.c.interview_id)
        )
        for opportunity_id, interview_id in session.execute(stmt):
            found[opportunity_id].append(str(interview_id))
    return found


def _with_links(session: Session, doc: Doc) -> Doc:
    linked = _interview_ids(session, [doc.id])[doc.id]
    return doc._replace(json=with_member(doc.json, "interview_ids", orjson.dumps(linked).decode()))


def list_opportunities(
    *, reading: Reading, owner: uuid.UUID, filters: OpportunityFilters, keyset: Keyset, limit: int
) -> str:
    # All through the session, so that the page and its links come from one snapshot.
    session = reading.session
    page = orjson.loads(
        fetch_page(
            session,
            table=table,
            where=_conditions(dialect_of(session), owner, filters),
            keyset=keyset,
            limit=limit,
            owner=owner,
        )
    )
    linked = _interview_ids(session, [uuid.UUID(item["id"]) for item in page["items"]])
    for item in page["items"]:
        item["interview_ids"] = linked[uuid.UUID(item["id"])]
    return orjson.dumps(page).decode()


def get_opportunity(*, reading: Reading, owner: uuid.UUID, opportunity_id: uuid.UUID) -> Doc:
    session = reading.session
    doc = crud.get_doc(session, table, owner=owner, row_id=opportunity_id, label=LABEL)
    return _with_links(session, doc)


def _check_refs(session: Session, owner: uuid.UUID, values: dict[str, Any]) -> None:
    for field, model, label in (
        ("contact_id", Contact, "contact"),
        ("organization_id", Organization, "organization"),
    ):
        if values.get(field) is not None:
            crud.ensure_owned(
                session,
                crud.table_of(model),
                owner=owner,
                row_id=values[field],
                field=field,
                label=label,
            )
    for interview_id in values.get("interview_ids") or ():
        crud.ensure_owned(
            session,
            interviews,
            owner=owner,
            row_id=interview_id,
            field="interview_ids",
            label="interview",
        )


def _linked_json(interview_ids: list[uuid.UUID]) -> list[str]:
    """The interview_ids an opportunity shows once linked to these: unique, oldest first."""
    return [str(i) for i in sorted(set(interview_ids))]


def _link(session: Session, opportunity_id: uuid.UUID, interview_ids: list[uuid.UUID]) -> None:
    session.execute(delete(links).where(links.c.opportunity_id == opportunity_id))
    unique = list(dict.fromkeys(interview_ids))
    if unique:
        rows = [{"opportunity_id": opportunity_id, "interview_id": i} for i in unique]
        session.execute(insert(links), rows)


def create_opportunity(
    *, session: Session, owner: uuid.UUID, data: OpportunityCreate
) -> crud.CreateResult:
    existing = crud.existing_for_client_id(session, table, owner=owner, row_id=data.id)
    if existing:
        return _with_links(session, existing), False
    values = data.model_dump()
    _check_refs(session, owner, values)
    interview_ids = values.pop("interview_ids")
    linked = {"interview_ids": _linked_json(interview_ids)}
    doc = crud.insert_row(session, table, owner=owner, values=values, audit_also=linked)
    _link(session, doc.id, interview_ids)
    return _with_links(session, doc), True


def update_opportunity(
    *,
    session: Session,
    owner: uuid.UUID,
    opportunity_id: uuid.UUID,
    data: OpportunityUpdate,
    expected_version: int | None,
) -> Doc:
    changes = data.model_dump(exclude_unset=True)
    _check_refs(session, owner, changes)
    interview_ids = changes.pop("interview_ids", None)
    relinked = None
    if interview_ids is not None:
        # The links are part of the opportunity: changing them moves its version too.
        changes.update(crud.touched(table))
        was = _interview_ids(session, [opportunity_id])[opportunity_id]
        relinked = {"interview_ids": (was, _linked_json(interview_ids))}
    doc = crud.update_row(
        session,
        table,
        owner=owner,
        row_id=opportunity_id,
        changes=changes,
        expected_version=expected_version,
        label=LABEL,
        audit_also=relinked,
    )
    if interview_ids is not None:
        _link(session, doc.id, interview_ids)
    doc = _with_links(session, doc)
    if changes:
        emit(session, owner, WebhookEvent.opportunity_updated, doc)
    session.commit()
    return doc


def delete_opportunity(
    *,
    session: Session,
    owner: uuid.UUID,
    opportunity_id: uuid.UUID,
    expected_version: int | None,
) -> None:
    linked = {"interview_ids": _interview_ids(session, [opportunity_id])[opportunity_id]}
    crud.delete_row(
        session,
        table,
        owner=owner,
        row_id=opportunity_id,
        expected_version=expected_version,
        label=LABEL,
        audit_also=linked,
    )
    session.commit()


def _chain_interviews(
    session: Session, owner: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ChainInterview]:
    if not ids:
        return {}
    c = interviews.c
    stmt = select(c.id, c.contact_id, c.status, c.scheduled_at).where(
        crud.owned(interviews, owner), c.id.in_(ids)
    )
    return {row.id: ChainInterview(**row._mapping) for row in session.execute(stmt)}


def opportunity_chain(
    *, session: Session, owner: uuid.UUID, opportunity_id: uuid.UUID
) -> OpportunityChain:
    row = crud.get_row(session, table, owner=owner, row_id=opportunity_id, label=LABEL)
    contact_id = row["contact_id"]
    hops = []
    if contact_id is not None:
        found = network.contact_warm_paths(
            session=session, owner=owner, contact_id=contact_id, limit=1
        )
        hops = found.paths[0].hops if found.paths else []
    linked = [uuid.UUID(i) for i in _interview_ids(session, [opportunity_id])[opportunity_id]]
    offered_in = [hop.interview_id for hop in hops if hop.interview_id is not None]
    known = _chain_interviews(session, owner, [*offered_in, *linked])
    steps = [
        ChainStep(
            contact=hop.to,
            referral_id=hop.referral_id,
            introduced_by=hop.from_,
            status=hop.status,
            context=hop.context,
            offered_in=known.get(hop.interview_id) if hop.interview_id else None,
        )
        for hop in hops
    ]
    return OpportunityChain(
        opportunity_id=opportunity_id,
        contact_id=contact_id,
        steps=steps,
        interviews=[known[i] for i in linked if i in known],
    )
