import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from backend.auth import OwnerDep
from backend.db import SessionDep, WriteSessionDep
from backend.fields import Instant, SearchText
from backend.idempotency.service import IdempotencyKeyDep, fingerprint, run_create
from backend.interviews import service
from backend.interviews.lifecycle import InterviewStatus
from backend.interviews.models import (
    InterviewCreate,
    InterviewDetail,
    InterviewPublic,
    InterviewUpdate,
    InterviewWithWarnings,
    PrepSheet,
    ScheduleRequest,
)
from backend.pagination import Page, PageDep, make_keyset
from backend.preconditions import IfMatchDep
from backend.reads import ReadsDep
from backend.responses import page_response, resource_response
from backend.routing import CREATE_RESPONSES, DELETE_RESPONSES, READ_RESPONSES, UPDATE_RESPONSES

PREFIX = "/api/v1/interviews"
router = APIRouter(prefix=PREFIX, tags=["interviews"])

InterviewSort = Literal[
    "scheduled_at",
    "-scheduled_at",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
]


@router.get("", name="list", summary="List interviews", response_model=Page[InterviewPublic])
async def list_interviews(
    reads: ReadsDep,
    owner: OwnerDep,
    page: PageDep,
    q: Annotated[
        SearchText | None, Query(description="Text in location, research, summary.")
    ] = None,
    contact_id: Annotated[
        uuid.UUID | None, Query(description="Only with this interviewee.")
    ] = None,
    status: Annotated[list[InterviewStatus] | None, Query()] = None,
    scheduled_from: Annotated[Instant | None, Query(description="Inclusive.")] = None,
    scheduled_to: Annotated[Instant | None, Query(description="Exclusive.")] = None,
    missing_connection: Annotated[
        bool | None,
        Query(
            description="true: only completed or thanked interviews with no to_connect note "
            "and no_connection_dismissed false (every conversation should yield a new "
            "connection); false: all the others."
        ),
    ] = None,
    sort: InterviewSort = "scheduled_at",
) -> Response:
    filters = service.InterviewFilters(
        q=q,
        contact_id=contact_id,
        status=status,
        scheduled_from=scheduled_from,
        scheduled_to=scheduled_to,
        missing_connection=missing_connection,
    )
    keyset = make_keyset(sort, service.SORT_KEYS, service.table.c.id, page.cursor)
    return page_response(
        await reads.run(
            lambda reading: service.list_interviews(
                reading=reading, owner=owner, filters=filters, keyset=keyset, limit=page.limit
            ),
            bounded=not filters.scans,
        )
    )


@router.post(
    "",
    name="create",
    summary="Create an interview",
    description="Without `checklist` the interview gets the method's default checklist. "
    "Created as completed, the answer carries a `no_connection` warning (see PATCH).",
    status_code=201,
    response_model=InterviewWithWarnings,
    responses=CREATE_RESPONSES,
)
def create_interview(
    request: Request,
    data: InterviewCreate,
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
        create=lambda: service.create_interview(session=session, owner=owner, data=data),
    )


@router.get(
    "/{interview_id}",
    name="get",
    summary="Get an interview with its note items",
    response_model=InterviewDetail,
    responses=READ_RESPONSES,
)
async def get_interview(interview_id: uuid.UUID, reads: ReadsDep, owner: OwnerDep) -> Response:
    return resource_response(
        await reads.run(
            lambda reading: service.get_interview_detail(
                reading=reading, owner=owner, interview_id=interview_id
            ),
        )
    )


@router.patch(
    "/{interview_id}",
    name="update",
    summary="Change some fields of an interview, including its status",
    description="Status changes follow the lifecycle; an illegal one answers 409 naming the "
    "allowed next states. When the change makes the interview completed and it has no "
    "to_connect note (and no_connection_dismissed is false), the 200 answer carries "
    "`warnings: [{code: no_connection, …}]`: the change is made all the same.",
    response_model=InterviewWithWarnings,
    responses=UPDATE_RESPONSES,
)
def update_interview(
    interview_id: uuid.UUID,
    data: InterviewUpdate,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchDep,
) -> Response:
    row = service.update_interview(
        session=session,
        owner=owner,
        interview_id=interview_id,
        data=data,
        expected_version=expected_version,
    )
    return resource_response(row)


@router.post(
    "/{interview_id}/schedule",
    name="schedule",
    summary="Fix the interview's time: a proposed slot or another time",
    description="Give exactly one of `slot_index` and `starts_at` (else 422). Sets "
    "`scheduled_at` (and the slot's duration and location, unless the body gives its own) and "
    "moves the interview to scheduled through the lifecycle: from a state that cannot become "
    "scheduled (e.g. completed) the answer is 409 naming the allowed states. The proposed "
    "slots are kept; clear them with PATCH if you like.",
    response_model=InterviewPublic,
    responses=UPDATE_RESPONSES,
)
def schedule_interview(
    interview_id: uuid.UUID,
    data: ScheduleRequest,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchDep,
) -> Response:
    row = service.schedule_interview(
        session=session,
        owner=owner,
        interview_id=interview_id,
        data=data,
        expected_version=expected_version,
    )
    return resource_response(row)


@router.get(
    "/{interview_id}/prep",
    name="prep",
    summary="The prep sheet: who they are, who introduced you, agenda and checklist",
    description="Edit the agenda, checklist and research notes with PATCH on the interview, "
    "sending `version` as If-Match.",
    response_model=PrepSheet,
    responses=READ_RESPONSES,
)
def get_prep(interview_id: uuid.UUID, session: SessionDep, owner: OwnerDep) -> PrepSheet:
    return service.get_prep(session=session, owner=owner, interview_id=interview_id)


@router.delete(
    "/{interview_id}",
    name="delete",
    summary="Delete an interview",
    status_code=204,
    responses=DELETE_RESPONSES,
)
def delete_interview(
    interview_id: uuid.UUID,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchDep,
    cascade: Annotated[
        bool,
        Query(
            description="Also delete its note items; without it an interview that has "
            "notes is refused with 409."
        ),
    ] = False,
) -> Response:
    service.delete_interview(
        session=session,
        owner=owner,
        interview_id=interview_id,
        expected_version=expected_version,
        cascade=cascade,
    )
    return Response(status_code=204)
