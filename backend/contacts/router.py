import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from backend.auth import OwnerDep
from backend.contacts import service
from backend.contacts.models import ContactCreate, ContactPublic, ContactStatus, ContactUpdate
from backend.db import WriteSessionDep
from backend.errors import problem_doc
from backend.fields import IsoDate, SearchText, Tag
from backend.idempotency.service import IdempotencyKeyDep, fingerprint, run_create
from backend.pagination import Page, PageDep, make_keyset
from backend.preconditions import IfMatchDep
from backend.reads import ReadsDep
from backend.responses import page_response, resource_response
from backend.routing import CREATE_RESPONSES, DELETE_RESPONSES, READ_RESPONSES, UPDATE_RESPONSES

PREFIX = "/api/v1/contacts"
router = APIRouter(prefix=PREFIX, tags=["contacts"])

_DUPLICATE_EMAIL = problem_doc(
    "Another of your contacts has this email, ignoring case (`duplicate_email`: "
    "`existing_id`, `existing_url`), or another conflict with existing data."
)

ContactSort = Literal[
    "name",
    "-name",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "next_follow_up",
    "-next_follow_up",
]


@router.get("", name="list", summary="List contacts", response_model=Page[ContactPublic])
async def list_contacts(
    reads: ReadsDep,
    owner: OwnerDep,
    page: PageDep,
    q: Annotated[SearchText | None, Query(description="Text in name, email, title…")] = None,
    tag: Annotated[Tag | None, Query(description="Only contacts with this tag.")] = None,
    organization_id: uuid.UUID | None = None,
    status: Annotated[list[ContactStatus] | None, Query()] = None,
    follow_up_from: IsoDate | None = None,
    follow_up_to: IsoDate | None = None,
    sort: ContactSort = "name",
) -> Response:
    filters = service.ContactFilters(
        q=q,
        tag=tag,
        organization_id=organization_id,
        status=status,
        follow_up_from=follow_up_from,
        follow_up_to=follow_up_to,
    )
    keyset = make_keyset(sort, service.SORT_KEYS, service.table.c.id, page.cursor)
    body = await reads.run(
        lambda reading: service.list_contacts(
            reading=reading, owner=owner, filters=filters, keyset=keyset, limit=page.limit
        ),
        bounded=not filters.scans,
    )
    return page_response(body)


@router.post(
    "",
    name="create",
    summary="Create a contact",
    status_code=201,
    response_model=ContactPublic,
    responses={**CREATE_RESPONSES, 409: _DUPLICATE_EMAIL},
)
def create_contact(
    request: Request,
    data: ContactCreate,
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
        create=lambda: service.create_contact(session=session, owner=owner, data=data),
    )


@router.get(
    "/{contact_id}",
    name="get",
    summary="Get a contact",
    response_model=ContactPublic,
    responses=READ_RESPONSES,
)
async def get_contact(contact_id: uuid.UUID, reads: ReadsDep, owner: OwnerDep) -> Response:
    return resource_response(
        await reads.run(
            lambda reading: service.get_contact(
                reading=reading, owner=owner, contact_id=contact_id
            ),
        )
    )


@router.patch(
    "/{contact_id}",
    name="update",
    summary="Change some fields of a contact",
    response_model=ContactPublic,
    responses={**UPDATE_RESPONSES, 409: _DUPLICATE_EMAIL},
)
def update_contact(
    contact_id: uuid.UUID,
    data: ContactUpdate,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchDep,
) -> Response:
    row = service.update_contact(
        session=session,
        owner=owner,
        contact_id=contact_id,
        data=data,
        expected_version=expected_version,
    )
    return resource_response(row)


@router.delete(
    "/{contact_id}",
    name="delete",
    summary="Delete a contact",
    status_code=204,
    responses=DELETE_RESPONSES,
)
def delete_contact(
    contact_id: uuid.UUID,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchDep,
    cascade: Annotated[
        bool,
        Query(
            description="Also delete the contact's interviews (with their notes) and "
            "referrals; without it a contact that has any is refused with 409."
        ),
    ] = False,
) -> Response:
    service.delete_contact(
        session=session,
        owner=owner,
        contact_id=contact_id,
        expected_version=expected_version,
        cascade=cascade,
    )
    return Response(status_code=204)
