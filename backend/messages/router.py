import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from backend.auth import OwnerDep
from backend.db import SessionDep, WriteSessionDep
from backend.errors import problem_doc
from backend.interviews.models import InterviewPublic
from backend.messages import service
from backend.messages.models import (
    ComposedMessage,
    MessageKind,
    MessageTemplateInput,
    MessageTemplatePublic,
    PlaceholderInfo,
)
from backend.preconditions import IfMatchDep, IfMatchFromZeroDep
from backend.responses import JSONBytesResponse, etag_of, resource_response
from backend.routing import READ_RESPONSES, UPDATE_RESPONSES

templates_router = APIRouter(prefix="/api/v1/message-templates", tags=["messages"])
placeholders_router = APIRouter(prefix="/api/v1/message-placeholders", tags=["messages"])
interview_router = APIRouter(prefix="/api/v1/interviews", tags=["messages"])

_PRECONDITION = {412: UPDATE_RESPONSES[412]}
_SAVE_RESPONSES = {code: UPDATE_RESPONSES[code] for code in (400, 412, 413)} | {
    422: problem_doc(
        "The input is invalid: `errors` names the field (subject or body) and, for the "
        "template language, each unknown placeholder or unbalanced block."
    )
}
_COMPOSE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **READ_RESPONSES,
    409: problem_doc("Your saved template uses a placeholder that no longer exists."),
}
_SENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: READ_RESPONSES[404],
    409: problem_doc("A thank-you before the interview is completed; names the allowed states."),
    412: UPDATE_RESPONSES[412],
}


def _template_response(template: MessageTemplatePublic) -> Response:
    return JSONBytesResponse(template.model_dump(), headers={"ETag": etag_of(template.version)})


@templates_router.get(
    "",
    name="list-templates",
    summary="The outreach, thank-you and follow-up templates, yours or the defaults",
    response_model=list[MessageTemplatePublic],
)
def list_templates(session: SessionDep, owner: OwnerDep) -> list[MessageTemplatePublic]:
    return service.list_templates(session=session, owner=owner)


@templates_router.get(
    "/{kind}",
    name="get-template",
    summary="One template, yours or the default",
    response_model=MessageTemplatePublic,
)
def get_template(kind: MessageKind, session: SessionDep, owner: OwnerDep) -> Response:
    return _template_response(service.get_template(session=session, owner=owner, kind=kind))


@templates_router.put(
    "/{kind}",
    name="save-template",
    summary="Save your own wording for one kind of message",
    description="Placeholders are written `{{ contact.first_name }}`; "
    "`{{#if referrer.first_name}}…{{else}}…{{/if}}` keeps a part only when the placeholder has "
    "a value. Unknown placeholders and unbalanced blocks are refused with 422. "
    "GET /api/v1/message-placeholders lists the placeholders.",
    response_model=MessageTemplatePublic,
    responses=_SAVE_RESPONSES,
)
def save_template(
    kind: MessageKind,
    data: MessageTemplateInput,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchFromZeroDep,
) -> Response:
    template = service.save_template(
        session=session, owner=owner, kind=kind, data=data, expected_version=expected_version
    )
    return _template_response(template)


@templates_router.delete(
    "/{kind}",
    name="reset-template",
    summary="Go back to the built-in default for one kind of message",
    status_code=204,
    responses=_PRECONDITION,
)
def reset_template(
    kind: MessageKind,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchFromZeroDep,
) -> Response:
    service.reset_template(
        session=session, owner=owner, kind=kind, expected_version=expected_version
    )
    return Response(status_code=204)


@placeholders_router.get(
    "",
    name="placeholders",
    summary="Every placeholder a template may use, with what it holds",
    response_model=list[PlaceholderInfo],
)
def list_placeholders(owner: OwnerDep) -> list[PlaceholderInfo]:
    return service.placeholders()


@interview_router.get(
    "/{interview_id}/messages/{kind}",
    name="compose",
    summary="A message for this interview, filled in from your template",
    description="The referrer is whoever made the best referral into the interviewee (one "
    "offered in a conversation first, then the one that got furthest); nobody when you know "
    "them directly. `mailto` opens it in a mail client (RFC 6068).",
    response_model=ComposedMessage,
    responses=_COMPOSE_RESPONSES,
)
def compose_message(
    interview_id: uuid.UUID,
    kind: MessageKind,
    session: SessionDep,
    owner: OwnerDep,
    tz: Annotated[
        str | None,
        Query(
            max_length=64,
            description="IANA time zone for `interview.when`, e.g. Europe/Paris; UTC if absent.",
        ),
    ] = None,
) -> ComposedMessage:
    return service.compose_message(
        session=session,
        owner=owner,
        interview_id=interview_id,
        kind=kind,
        zone=service.zone_of(tz),
    )


@interview_router.post(
    "/{interview_id}/messages/{kind}/sent",
    name="mark-sent",
    summary="Record that you sent this message, moving the interview on",
    description="outreach: records `outreach_sent_at`, moves an `idea` to `outreach_sent` and "
    "the contact from `identified` to `reached_out`. thank_you: records `thank_you_sent_at` and "
    "moves `completed` to `thanked` (409 before the interview is completed). follow_up: "
    "records `follow_up_sent_at`. Returns the interview.",
    response_model=InterviewPublic,
    responses=_SENT_RESPONSES,
)
def mark_sent(
    interview_id: uuid.UUID,
    kind: MessageKind,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchDep,
) -> Response:
    doc = service.mark_sent(
        session=session,
        owner=owner,
        interview_id=interview_id,
        kind=kind,
        expected_version=expected_version,
    )
    return resource_response(doc)


router = APIRouter()
router.include_router(templates_router)
router.include_router(placeholders_router)
router.include_router(interview_router)
