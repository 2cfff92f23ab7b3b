"""Organizations: the places whose people the user wants to learn from."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from backend import crud
from backend.audit import trail
from backend.contacts.models import Contact
from backend.documents import Doc
from backend.errors import Conflict, FieldIssue
from backend.fields import name_key
from backend.filters import ListFilters, Values
from backend.organizations.models import Organization, OrganizationCreate, OrganizationUpdate
from backend.pagination import Keyset, SortKey, read_page
from backend.reads import Reading

table = crud.table_of(Organization)
contacts = crud.table_of(Contact)
LABEL = "organization"

SORT_KEYS = {
    "name": SortKey(table.c.name_key),
    "created_at": SortKey(table.c.created_at, kind=datetime),
    "updated_at": SortKey(table.c.updated_at, kind=datetime),
    "interest_level": SortKey(table.c.interest_level, kind=int, nullable=True),
}


@dataclass(frozen=True)
class OrganizationFilters(ListFilters):
    SCANNING = ("q", "tag")

    q: str | None = None
    tag: str | None = None
    industry: str | None = None
    min_interest: int | None = None


def _conditions(
    dialect: str, owner: uuid.UUID, f: OrganizationFilters, p: Values
) -> list[ColumnElement[bool]]:
    c = table.c
    where = [p.owned(table, owner)]
    if f.q:
        where.append(p.search(dialect, f.q, c.name, c.industry, c.notes))
    if f.tag:
        where.append(p.has_tag(dialect, c.tags, f.tag))
    if f.industry:
        where.append(func.lower(c.industry) == p("industry", c.industry, f.industry.lower()))
    if f.min_interest is not None:
        where.append(c.interest_level >= p("min_interest", c.interest_level, f.min_interest))
    return where


def list_organizations(
    *, reading: Reading, owner: uuid.UUID, filters: OrganizationFilters, keyset: Keyset, limit: int
) -> str:
    return read_page(
        reading,
        table=table,
        owner=owner,
        filters=filters,
        where=lambda dialect, p: _conditions(dialect, owner, filters, p),
        keyset=keyset,
        limit=limit,
    )


def get_organization(*, reading: Reading, owner: uuid.UUID, organization_id: uuid.UUID) -> Doc:
    return crud.read_doc(reading, table, owner=owner, row_id=organization_id, label=LABEL)


def _ensure_name_free(
    session: Session, owner: uuid.UUID, name: str, except_id: uuid.UUID | None = None
) -> str:
    key = name_key(name)
    stmt = select(table.c.id).where(crud.owned(table, owner), table.c.name_key == key)
    if except_id is not None:
        stmt = stmt.where(table.c.id != except_id)
    taken = session.execute(stmt).scalar()
    if taken is not None:
        reason = f"You already have an organization called {name!r}."
        raise Conflict(
            reason,
            existing_id=str(taken),
            errors=[FieldIssue(field="name", location="body", reason=reason, code="taken")],
        )
    return key


def create_organization(
    *, session: Session, owner: uuid.UUID, data: OrganizationCreate
) -> crud.CreateResult:
    existing = crud.existing_for_client_id(session, table, owner=owner, row_id=data.id)
    if existing:
        return existing, False
    values = data.model_dump()
    values["name_key"] = _ensure_name_free(session, owner, data.name)
    return crud.insert_row(session, table, owner=owner, values=values), True


def update_organization(
    *,
    session: Session,
    owner: uuid.UUID,
    organization_id: uuid.UUID,
    data: OrganizationUpdate,
    expected_version: int | None,
) -> Doc:
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes:
        changes["name_key"] = _ensure_name_free(session, owner, changes["name"], organization_id)
    row = crud.update_row(
        session,
        table,
        owner=owner,
        row_id=organization_id,
        changes=changes,
        expected_version=expected_version,
        label=LABEL,
    )
    session.commit()
    return row


def delete_organization(
    *,
    session: Session,
    owner: uuid.UUID,
    organization_id: uuid.UUID,
    expected_version: int | None,
    cascade: bool,
) -> None:
    current = crud.get_row(session, table, owner=owner, row_id=organization_id, label=LABEL)
    crud.check_version(current["version"], expected_version)
    at_org = [crud.owned(contacts, owner), contacts.c.organization_id == organization_id]
    if cascade:
        # People outlive the places they work at: keep them, just unlink them.
        trail.update_rows(
            session,
            contacts,
            update(contacts).where(*at_org).values(organization_id=None, **crud.touched(contacts)),
            owner=owner,
        )
    else:
        crud.ensure_no_dependents(LABEL, {"contacts": crud.count_where(session, contacts, *at_org)})
    crud.delete_row(
        session,
        table,
        owner=owner,
        row_id=organization_id,
        expected_version=expected_version,
        label=LABEL,
    )
    session.commit()
