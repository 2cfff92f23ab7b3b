import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from backend.auth import OwnerDep
from backend.db import SessionDep, WriteSessionDep
from backend.fields import SearchText
from backend.idempotency.service import IdempotencyKeyDep, fingerprint, run_create
from backend.opportunities import service
from backend.opportunities.models import (
    OpportunityChain,
    OpportunityCreate,
    OpportunityKind,
    OpportunityPublic,
    OpportunityStatus,
    OpportunityUpdate,
)
from backend.pagination import Page, PageDep, make_keyset
from backend.preconditions import IfMatchDep
from backend.reads import ReadsDep
from backend.responses import page_response, resource_response
from backend.routing import CREATE_RESPONSES, DELETE_RESPONSES, READ_RESPONSES, UPDATE_RESPONSES

PREFIX = "/api/v1/opportunities"
router = APIRouter(prefix=PREFIX, tags=["opportunities"])

OpportunitySort = Literal[
    "created_at", "-created_at", "updated_at", "-updated_at", "due_date", "-due_date"
]


@router.get("", name="list", summary="List opportunities", response_model=Page[OpportunityPublic])
async def list_opportunities(
    reads: ReadsDep,
    owner: OwnerDep,
    page: PageDep,
    q: Annotated[SearchText | None, Query(description="Text in title, next step, notes.")] = None,
    kind: Annotated[list[OpportunityKind] | None, Query()] = None,
    status: Annotated[list[OpportunityStatus] | None, Query()] = None,
    contact_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
    interview_id: Annotated[
        uuid.UUID | None, Query(description="Only those that came out of this conversation.")
    ] = None,
    sort: OpportunitySort = "-created_at",
) -> Response:
    filters = service.OpportunityFilters(
        q=q,
        kind=kind,
        status=status,
        contact_id=contact_id,
        organization_id=organization_id,
        interview_id=interview_id,
    )
    keyset = make_keyset(sort, service.SORT_KEYS, service.table.c.id, page.cursor)
    return page_response(
        await reads.run(
            lambda reading: service.list_opportunities(
                reading=reading, owner=owner, filters=filters, keyset=keyset, limit=page.limit
            ),
            bounded=not filters.scans,
        )
    )


@router.post(
    "",
    name="create",
    summary="Record an opportunity",
    status_code=201,
    response_model=OpportunityPublic,
    responses=CREATE_RESPONSES,
)
def create_opportunity(
    request: Request,
    data: OpportunityCreate,
    session: WriteSessionDep,
    owner: OwnerDep,
    idempotency_key: IdempotencyKeyDep,
) -> Response:
    return run_create(
        session,
        owner=owner,
        key=idempotency_key,
        request_fingerprint=fingerprint(request, data.model_dump_json().encode()),
        location_prefix=PREFIX,
        ttl=request.app.state.settings.idempotency_ttl,
        create=lambda: service.create_opportunity(session=session, owner=owner, data=data),
    )


@router.get(
    "/{opportunity_id}",
    name="get",
    summary="Get an opportunity",
    response_model=OpportunityPublic,
    responses=READ_RESPONSES,
)
async def get_opportunity(opportunity_id: uuid.UUID, reads: ReadsDep, owner: OwnerDep) -> Response:
    return resource_response(
        await reads.run(
            lambda reading: service.get_opportunity(
                reading=reading, owner=owner, opportunity_id=opportunity_id
            ),
        )
    )


@router.patch(
    "/{opportunity_id}",
    name="update",
    summary="Change some fields of an opportunity",
    description="`interview_ids`, when given, replaces the linked conversations.",
    response_model=OpportunityPublic,
    responses=UPDATE_RESPONSES,
)
def update_opportunity(
    opportunity_id: uuid.UUID,
    data: OpportunityUpdate,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchDep,
) -> Response:
    doc = service.update_opportunity(
        session=session,
        owner=owner,
        opportunity_id=opportunity_id,
        data=data,
        expected_version=expected_version,
    )
    return resource_response(doc)


@router.delete(
    "/{opportunity_id}",
    name="delete",
    summary="Delete an opportunity",
    status_code=204,
    responses=DELETE_RESPONSES,
)
def delete_opportunity(
    opportunity_id: uuid.UUID,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchDep,
) -> Response:
    service.delete_opportunity(
        session=session,
        owner=owner,
        opportunity_id=opportunity_id,
        expected_version=expected_version,
    )
    return Response(status_code=204)


@router.get(
    "/{opportunity_id}/chain",
    name="chain",
    summary="The chain of conversations that led to an opportunity",
    response_model=OpportunityChain,
    responses=READ_RESPONSES,
)
def opportunity_chain(
    opportunity_id: uuid.UUID, session: SessionDep, owner: OwnerDep
) -> OpportunityChain:
    return service.opportunity_chain(session=session, owner=owner, opportunity_id=opportunity_id)
