import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from backend.auth import OwnerDep
from backend.db import WriteSessionDep
from backend.fields import SearchText, ShortText, Tag
from backend.idempotency.service import IdempotencyKeyDep, fingerprint, run_create
from backend.organizations import service
from backend.organizations.models import (
    OrganizationCreate,
    OrganizationPublic,
    OrganizationUpdate,
)
from backend.pagination import Page, PageDep, make_keyset
from backend.preconditions import IfMatchDep
from backend.reads import ReadsDep
from backend.responses import page_response, resource_response
from backend.routing import CREATE_RESPONSES, DELETE_RESPONSES, READ_RESPONSES, UPDATE_RESPONSES

PREFIX = "/api/v1/organizations"
router = APIRouter(prefix=PREFIX, tags=["organizations"])

OrganizationSort = Literal[
    "name",
    "-name",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "interest_level",
    "-interest_level",
]


@router.get("", name="list", summary="List organizations", response_model=Page[OrganizationPublic])
async def list_organizations(
    reads: ReadsDep,
    owner: OwnerDep,
    page: PageDep,
    q: Annotated[SearchText | None, Query(description="Text in name, industry or notes.")] = None,
    tag: Tag | None = None,
    industry: ShortText | None = None,
    min_interest: Annotated[int | None, Query(ge=1, le=5)] = None,
    sort: OrganizationSort = "name",
) -> Response:
    filters = service.OrganizationFilters(
        q=q, tag=tag, industry=industry, min_interest=min_interest
    )
    keyset = make_keyset(sort, service.SORT_KEYS, service.table.c.id, page.cursor)
    return page_response(
        await reads.run(
            lambda reading: service.list_organizations(
                reading=reading, owner=owner, filters=filters, keyset=keyset, limit=page.limit
            ),
            bounded=not filters.scans,
        )
    )


@router.post(
    "",
    name="create",
    summary="Create an organization",
    status_code=201,
    response_model=OrganizationPublic,
    responses=CREATE_RESPONSES,
)
def create_organization(
    request: Request,
    data: OrganizationCreate,
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
        create=lambda: service.create_organization(session=session, owner=owner, data=data),
    )


@router.get(
    "/{organization_id}",
    name="get",
    summary="Get an organization",
    response_model=OrganizationPublic,
    responses=READ_RESPONSES,
)
async def get_organization(
    organization_id: uuid.UUID, reads: ReadsDep, owner: OwnerDep
) -> Response:
    return resource_response(
        await reads.run(
            lambda reading: service.get_organization(
                reading=reading, owner=owner, organization_id=organization_id
            ),
        )
    )


@router.patch(
    "/{organization_id}",
    name="update",
    summary="Change some fields of an organization",
    response_model=OrganizationPublic,
    responses=UPDATE_RESPONSES,
)
def update_organization(
    organization_id: uuid.UUID,
    data: OrganizationUpdate,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchDep,
) -> Response:
    row = service.update_organization(
        session=session,
        owner=owner,
        organization_id=organization_id,
        data=data,
        expected_version=expected_version,
    )
    return resource_response(row)


@router.delete(
    "/{organization_id}",
    name="delete",
    summary="Delete an organization",
    status_code=204,
    responses=DELETE_RESPONSES,
)
def delete_organization(
    organization_id: uuid.UUID,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchDep,
    cascade: Annotated[
        bool,
        Query(
            description="Unlink the contacts who work there (they are kept); without "
            "it an organization that has contacts is refused with 409."
        ),
    ] = False,
) -> Response:
    service.delete_organization(
        session=session,
        owner=owner,
        organization_id=organization_id,
        expected_version=expected_version,
        cascade=cascade,
    )
    return Response(status_code=204)
