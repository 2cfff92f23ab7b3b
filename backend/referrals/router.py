import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from backend.auth import OwnerDep
from backend.db import WriteSessionDep
from backend.fields import SearchText
from backend.idempotency.service import IdempotencyKeyDep, fingerprint, run_create
from backend.pagination import Page, PageDep, make_keyset
from backend.preconditions import IfMatchDep
from backend.reads import ReadsDep
from backend.referrals import service
from backend.referrals.models import (
    ReferralCreate,
    ReferralPublic,
    ReferralStatus,
    ReferralUpdate,
)
from backend.responses import page_response, resource_response
from backend.routing import CREATE_RESPONSES, DELETE_RESPONSES, READ_RESPONSES, UPDATE_RESPONSES

PREFIX = "/api/v1/referrals"
router = APIRouter(prefix=PREFIX, tags=["referrals"])

ReferralSort = Literal["created_at", "-created_at", "updated_at", "-updated_at"]


@router.get("", name="list", summary="List referral edges", response_model=Page[ReferralPublic])
async def list_referrals(
    reads: ReadsDep,
    owner: OwnerDep,
    page: PageDep,
    q: Annotated[SearchText | None, Query(description="Text in the context.")] = None,
    from_contact_id: uuid.UUID | None = None,
    direct: Annotated[
        bool | None, Query(description="true: people the user knows directly (no referrer).")
    ] = None,
    to_contact_id: uuid.UUID | None = None,
    contact_id: Annotated[uuid.UUID | None, Query(description="Either end.")] = None,
    interview_id: uuid.UUID | None = None,
    status: Annotated[list[ReferralStatus] | None, Query()] = None,
    sort: ReferralSort = "created_at",
) -> Response:
    filters = service.ReferralFilters(
        q=q,
        from_contact_id=from_contact_id,
        direct=direct,
        to_contact_id=to_contact_id,
        contact_id=contact_id,
        interview_id=interview_id,
        status=status,
    )
    keyset = make_keyset(sort, service.SORT_KEYS, service.table.c.id, page.cursor)
    return page_response(
        await reads.run(
            lambda reading: service.list_referrals(
                reading=reading, owner=owner, filters=filters, keyset=keyset, limit=page.limit
            ),
            bounded=not filters.scans,
        )
    )


@router.post(
    "",
    name="create",
    summary="Record a referral edge",
    status_code=201,
    response_model=ReferralPublic,
    responses=CREATE_RESPONSES,
)
def create_referral(
    request: Request,
    data: ReferralCreate,
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
        create=lambda: service.create_referral(session=session, owner=owner, data=data),
    )


@router.get(
    "/{referral_id}",
    name="get",
    summary="Get a referral edge",
    response_model=ReferralPublic,
    responses=READ_RESPONSES,
)
async def get_referral(referral_id: uuid.UUID, reads: ReadsDep, owner: OwnerDep) -> Response:
    return resource_response(
        await reads.run(
            lambda reading: service.get_referral(
                reading=reading, owner=owner, referral_id=referral_id
            ),
        )
    )


@router.patch(
    "/{referral_id}",
    name="update",
    summary="Change a referral's status, context or source",
    response_model=ReferralPublic,
    responses=UPDATE_RESPONSES,
)
def update_referral(
    referral_id: uuid.UUID,
    data: ReferralUpdate,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchDep,
) -> Response:
    row = service.update_referral(
        session=session,
        owner=owner,
        referral_id=referral_id,
        data=data,
        expected_version=expected_version,
    )
    return resource_response(row)


@router.delete(
    "/{referral_id}",
    name="delete",
    summary="Delete a referral edge",
    status_code=204,
    responses=DELETE_RESPONSES,
)
def delete_referral(
    referral_id: uuid.UUID,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchDep,
) -> Response:
    service.delete_referral(
        session=session, owner=owner, referral_id=referral_id, expected_version=expected_version
    )
    return Response(status_code=204)
