import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from backend.auth import OwnerDep
from backend.db import SessionDep, WriteSessionDep
from backend.errors import problem_doc
from backend.fields import IsoDate, SearchText
from backend.idempotency.service import IdempotencyKeyDep, fingerprint, run_create
from backend.notes import category_lists, conversion, service
from backend.notes.models import (
    CaptureCreated,
    CapturePreview,
    ListedNoteItem,
    NoteCapture,
    NoteCategory,
    NoteConvert,
    NoteItemCreate,
    NoteItemPublic,
    NoteItemUpdate,
    NoteStatus,
)
from backend.notes.results import NoteConversion
from backend.pagination import Page, PageDep, make_keyset
from backend.preconditions import IfMatchDep
from backend.reads import ReadsDep
from backend.responses import page_response, resource_response
from backend.routing import CREATE_RESPONSES, DELETE_RESPONSES, READ_RESPONSES, UPDATE_RESPONSES

PREFIX = "/api/v1/note-items"
items = APIRouter(prefix=PREFIX, tags=["note-items"])
# Capturing into one interview, and the lists across all of them, are note operations too.
by_interview = APIRouter(prefix="/api/v1/interviews/{interview_id}/note-items", tags=["note-items"])
lists = APIRouter(prefix="/api/v1/lists", tags=["note-items"])

NoteSort = Literal[
    "created_at", "-created_at", "updated_at", "-updated_at", "due_date", "-due_date"
]


@items.get("", name="list", summary="List note items", response_model=Page[NoteItemPublic])
async def list_note_items(
    reads: ReadsDep,
    owner: OwnerDep,
    page: PageDep,
    q: Annotated[
        SearchText | None, Query(description="Text in the note, its URL or its author.")
    ] = None,
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
        await reads.run(
            lambda reading: service.list_note_items(
                reading=reading, owner=owner, filters=filters, keyset=keyset, limit=page.limit
            ),
            bounded=not filters.scans,
        )
    )


@items.post(
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


@items.get(
    "/{note_id}",
    name="get",
    summary="Get a note item",
    response_model=NoteItemPublic,
    responses=READ_RESPONSES,
)
async def get_note_item(note_id: uuid.UUID, reads: ReadsDep, owner: OwnerDep) -> Response:
    return resource_response(
        await reads.run(
            lambda reading: service.get_note_item(reading=reading, owner=owner, note_id=note_id)
        )
    )


@items.patch(
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


@items.delete(
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


@items.post(
    "/{note_id}/convert",
    name="convert",
    summary="Turn a to_connect item into a contact, a referral and a planned interview",
    description="Finds the person among the user's contacts (`contact_id`; else the same "
    "email, ignoring case; else the same LinkedIn profile; else the same name) or creates "
    "them, records the interviewee's offer to introduce them (an existing edge between the "
    "two is reused) and, unless `create_interview` is false, plans an interview with them; "
    "the item is then done and points at all three. One transaction: on any error nothing "
    "changes. Converting an item again answers 200 with the first conversion's result.",
    status_code=201,
    response_model=NoteConversion,
    responses={
        **CREATE_RESPONSES,
        200: {
            "description": "The item was converted before: that conversion, nothing new made.",
            "model": NoteConversion,
        },
        404: problem_doc("No such note item, or a contact or organization in the body."),
        422: problem_doc(
            "Not a to_connect item, both contact_id and details given, the person is the "
            "interviewee, or no name to create them with."
        ),
    },
)
def convert_note_item(
    note_id: uuid.UUID, data: NoteConvert, session: WriteSessionDep, owner: OwnerDep
) -> Response:
    body, converted = conversion.convert_note_item(
        session=session, owner=owner, note_id=note_id, data=data
    )
    return Response(body, 201 if converted else 200, media_type="application/json")


@by_interview.post(
    "/capture",
    name="capture",
    summary="Add many note items to an interview from one block of text",
    description="One item per line, each starting with a category and a colon; see `text`. "
    "All or nothing: if any line cannot be read the answer is 422 with a reason per line "
    "(`errors`, and `lines` with line numbers) and nothing is saved. With `dry_run` the "
    "parsed items come back (200) and nothing is saved.",
    status_code=201,
    response_model=CaptureCreated,
    responses={
        200: {"description": "`dry_run`: the items as parsed.", "model": CapturePreview},
        400: CREATE_RESPONSES[400],
        404: problem_doc("No such interview."),
        409: CREATE_RESPONSES[409],
        413: CREATE_RESPONSES[413],
    },
)
def capture_note_items(
    interview_id: uuid.UUID, data: NoteCapture, session: WriteSessionDep, owner: OwnerDep
) -> Response:
    body, saved = service.capture_note_items(
        session=session, owner=owner, interview_id=interview_id, data=data
    )
    return Response(body, 201 if saved else 200, media_type="application/json")


@lists.get(
    "/{category}",
    name="list-category",
    summary="One category's note items across all interviews",
    description="Each item comes with the conversation it came from (`context`); to_read "
    "items also name who recommended them. to_do items are ordered by due date (undated "
    "last), then by when they were noted; the others by when they were noted.",
    response_model=Page[ListedNoteItem],
)
def list_category(
    category: NoteCategory,
    session: SessionDep,
    owner: OwnerDep,
    page: PageDep,
    status: NoteStatus = NoteStatus.open,
) -> Response:
    return page_response(
        category_lists.list_category(
            session=session,
            owner=owner,
            category=category,
            status=status,
            cursor=page.cursor,
            limit=page.limit,
        )
    )


# The one router main.py registers.
router = APIRouter()
for part in (items, by_interview, lists):
    router.include_router(part)
