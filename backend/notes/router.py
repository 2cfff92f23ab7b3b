import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from backend.auth import OwnerDep
from backend.db import SessionDep, WriteSessionDep
from backend.fields import IsoDate, SearchText
from backend.idempotency.service import IdempotencyKeyDep, fingerprint, run_create
from backend.notes import service
from backend.notes.models import (
    NoteCategory,
    NoteItemCreate,
    NoteItemPublic,
    NoteItemUpdate,
    NoteStatus,
)
from backend.pagination import Page, PageDep, make_keyset
from backend.preconditions import IfMatchDep
from backend.responses import page_response, resource_response
from backend.routing import CREATE_RESPONSES, DELETE_RESPONSES, READ_RESPONSES, UPDATE_RESPONSES

PREFIX = "/api/v1/note-items"
router = APIRouter(prefix=PREFIX, tags=["note-items"])

NoteSort = Literal[
    "created_at", "-created_at", "updated_at", "-updated_at", "due_date", "-due_date"
]


@router.get("", name="list", summary="List note items", response_model=Page[NoteItemPublic])
def list_note_items(
    session: SessionDep,
    owner: OwnerDep,
    page: PageDep,
    q: Annotated[SearchText | None, Query(description="Text in the note or its URL.")] = None,
    interview_id: uuid.UUID | None = None,
    contact_id: Annotated[
        uuid.UUID | None, Query(description="Only notes linked to this contact.")
    ] = None,
    category: Annotated[list[NoteCategory] | None, Query()] = None,
    status: NoteStatus | None = None,
    due_from: IsoDate | None = None,
    due_to: IsoDate | None = None,
    sort: NoteSort = "created_at",
) -> Response:
    filters = service.NoteFilters(
        q=q,
        interview_id=interview_id,
        contact_id=contact_id,
        category=category,
        status=status,
        due_from=due_from,
        due_to=due_to,
    )
    keyset = make_keyset(sort, service.SORT_KEYS, service.table.c.id, page.cursor)
    return page_response(
        service.list_note_items(
            session=session, owner=owner, filters=filters, keyset=keyset, limit=page.limit
        )
    )


@router.post(
    "",
    name="create",
    summary="Add a note item to an interview",
    status_code=201,
    response_model=NoteItemPublic,
    responses=CREATE_RESPONSES,
)
def create_note_item(
    request: Request,
    data: NoteItemCreate,
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
        create=lambda: service.create_note_item(session=session, owner=owner, data=data),
    )


@router.get(
    "/{note_id}",
    name="get",
    summary="Get a note item",
    response_model=NoteItemPublic,
    responses=READ_RESPONSES,
)
def get_note_item(note_id: uuid.UUID, session: SessionDep, owner: OwnerDep) -> Response:
    return resource_response(service.get_note_item(session=session, owner=owner, note_id=note_id))


@router.patch(
    "/{note_id}",
    name="update",
    summary="Change a note item (e.g. tick it done)",
    response_model=NoteItemPublic,
    responses=UPDATE_RESPONSES,
)
def update_note_item(
    note_id: uuid.UUID,
    data: NoteItemUpdate,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchDep,
) -> Response:
    row = service.update_note_item(
        session=session,
        owner=owner,
        note_id=note_id,
        data=data,
        expected_version=expected_version,
    )
    return resource_response(row)


@router.delete(
    "/{note_id}",
    name="delete",
    summary="Delete a note item",
    status_code=204,
    responses=DELETE_RESPONSES,
)
def delete_note_item(
    note_id: uuid.UUID, session: WriteSessionDep, owner: OwnerDep, expected_version: IfMatchDep
) -> Response:
    service.delete_note_item(
        session=session, owner=owner, note_id=note_id, expected_version=expected_version
    )
    return Response(status_code=204)
