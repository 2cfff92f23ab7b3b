import hashlib
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response

from backend.auth import OwnerDep
from backend.calendar import service
from backend.calendar.models import CalendarFeedPublic
from backend.db import SessionDep, WriteSessionDep
from backend.errors import problem_doc
from backend.profiles.page import PUBLIC_HEADERS
from backend.routing import READ_RESPONSES

ICS = "text/calendar"
PUBLIC: dict[str, Any] = {"openapi_extra": {"security": []}}


def _ics_response(description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {ICS: {"schema": {"type": "string", "format": "binary"}}},
        }
    }


calendar_router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"])
interview_router = APIRouter(prefix="/api/v1/interviews", tags=["calendar"])


def _app_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@interview_router.get(
    "/{interview_id}/ics",
    name="interview",
    summary="One interview as an .ics file, to add to any calendar",
    description="The same event (same UID) as in the calendar feed. An interview without "
    "`scheduled_at` answers 409. Cancelled or declined interviews come as STATUS:CANCELLED.",
    response_class=Response,
    responses={
        **_ics_response("An iCalendar file with one VEVENT."),
        **READ_RESPONSES,
        409: problem_doc("The interview has no scheduled time yet."),
    },
)
def interview_ics(
    interview_id: uuid.UUID, request: Request, session: SessionDep, owner: OwnerDep
) -> Response:
    body, starts_at = service.interview_ics(
        session=session, owner=owner, interview_id=interview_id, app_url=_app_url(request)
    )
    filename = f"interview-{starts_at:%Y-%m-%d}.ics"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=f"{ICS}; charset=utf-8", headers=headers)


@calendar_router.get(
    "/feed",
    name="feed",
    summary="Your calendar feed's secret link, or null when there is none",
    response_model=CalendarFeedPublic,
)
def get_feed(request: Request, session: SessionDep, owner: OwnerDep) -> CalendarFeedPublic:
    return service.get_feed(session=session, owner=owner, base_url=str(request.base_url))


@calendar_router.post(
    "/feed",
    name="rotate-feed",
    summary="Make a new secret calendar link (the previous one stops working)",
    description="Subscribe to `url` (or open `webcal_url`) in a calendar app: it shows your "
    "interviews with a time from 90 days ago on (cancelled ones as cancelled) and your open "
    "to-do and follow-up notes on their due dates, as all-day events. Anyone with the link "
    "can read it, so treat it like a password; calling this again replaces it.",
    response_model=CalendarFeedPublic,
)
def rotate_feed(request: Request, session: WriteSessionDep, owner: OwnerDep) -> CalendarFeedPublic:
    return service.rotate_feed(session=session, owner=owner, base_url=str(request.base_url))


@calendar_router.delete(
    "/feed",
    name="revoke-feed",
    summary="Turn the calendar link off",
    description="The link answers 404 from now on. Harmless when there is none.",
    status_code=204,
)
def revoke_feed(session: WriteSessionDep, owner: OwnerDep) -> Response:
    service.revoke_feed(session=session, owner=owner)
    return Response(status_code=204)


@calendar_router.get(
    "/{feed_token}.ics",
    name="subscribe",
    summary="The calendar feed behind a secret link (no sign-in needed)",
    description="What calendar apps fetch. Answers 304 to a matching If-None-Match.",
    response_class=Response,
    responses={
        **_ics_response("An iCalendar feed."),
        304: {"description": "Unchanged since the ETag sent in If-None-Match."},
        404: problem_doc("No calendar at this link (unknown, or revoked)."),
    },
    **PUBLIC,
)
def subscribe(
    feed_token: str,
    request: Request,
    session: SessionDep,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    body = service.feed_ics(session=session, feed_token=feed_token, app_url=_app_url(request))
    etag = _etag(body)
    # Calendar apps poll: they may keep a copy but must ask again (cheap with the ETag); no
    # shared cache may keep it at all.
    headers = {**PUBLIC_HEADERS, "Cache-Control": "private, no-cache", "ETag": etag}
    if if_none_match is not None and etag in if_none_match:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=f"{ICS}; charset=utf-8", headers=headers)


router = APIRouter()
router.include_router(interview_router)
router.include_router(calendar_router)
