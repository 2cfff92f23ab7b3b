import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from backend.auth import OwnerDep
from backend.db import SessionDep, WriteSessionDep
from backend.errors import problem_doc
from backend.pagination import Page, PageDep, make_keyset
from backend.preconditions import IfMatchDep
from backend.responses import page_response, resource_response
from backend.routing import READ_RESPONSES, UPDATE_RESPONSES
from backend.webhooks import service
from backend.webhooks.models import (
    DeliveryStatus,
    WebhookCreate,
    WebhookCreated,
    WebhookDeliveryPublic,
    WebhookEvent,
    WebhookList,
    WebhookPublic,
    WebhookUpdate,
)

PREFIX = "/api/v1/webhooks"
router = APIRouter(prefix=PREFIX, tags=["webhooks"])

DELIVERY_FORMAT = """Each event is POSTed as JSON `{"id", "type", "created_at", "data"}`: `id`
is the event's (the same on every retry, and for every endpoint it goes to: de-duplicate by
it), `data` the resource as the API shows it (for `contact.deleted` just its `id`;
`interview.status_changed` adds `previous_status`). Headers: `Nexthop-Event` (the type),
`Nexthop-Delivery` (this delivery's id) and `Nexthop-Signature: t=<unix seconds>,v1=<hex>`,
where v1 is the HMAC-SHA256 of `<t>.<raw body>` keyed with the endpoint's secret: recompute it,
compare in constant time and refuse a `t` more than 5 minutes away. Any 2xx answer (within 10 s)
is a success; anything else is retried with exponential backoff (30 s, doubling, at most an
hour apart) for 24 hours. Redirects are not followed. Deliveries may arrive out of order and,
rarely, twice."""

_CREATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: problem_doc("You have 20 webhooks already."),
}
_DELETE_RESPONSES = {code: UPDATE_RESPONSES[code] for code in (404, 412)}
DeliverySort = Literal["-created_at", "created_at"]


class RetryResult(BaseModel):
    queued: int = Field(description="How many deliveries are now due.")


@router.get("", name="list", summary="Your webhook endpoints", response_model=WebhookList)
def list_webhooks(session: SessionDep, owner: OwnerDep) -> Response:
    return page_response(service.list_webhooks(session=session, owner=owner))


@router.post(
    "",
    name="create",
    summary="Register an endpoint that receives events",
    description=DELIVERY_FORMAT,
    status_code=201,
    response_model=WebhookCreated,
    responses=_CREATE_RESPONSES,
)
def create_webhook(
    request: Request, data: WebhookCreate, session: WriteSessionDep, owner: OwnerDep
) -> Response:
    doc = service.create_webhook(
        session=session, owner=owner, data=data, allow_private=_allow_private(request)
    )
    response = resource_response(doc, 201)
    response.headers["Location"] = f"{PREFIX}/{doc.id}"
    return response


@router.get(
    "/{webhook_id}",
    name="get",
    summary="Get a webhook endpoint",
    response_model=WebhookPublic,
    responses=READ_RESPONSES,
)
def get_webhook(webhook_id: uuid.UUID, session: SessionDep, owner: OwnerDep) -> Response:
    return resource_response(
        service.get_webhook(session=session, owner=owner, webhook_id=webhook_id)
    )


@router.patch(
    "/{webhook_id}",
    name="update",
    summary="Change a webhook endpoint: URL, events, secret, active",
    description="Setting `active` to false drops its pending deliveries (they show as failed).",
    response_model=WebhookPublic,
    responses=UPDATE_RESPONSES,
)
def update_webhook(
    webhook_id: uuid.UUID,
    request: Request,
    data: WebhookUpdate,
    session: WriteSessionDep,
    owner: OwnerDep,
    expected_version: IfMatchDep,
) -> Response:
    doc = service.update_webhook(
        session=session,
        owner=owner,
        webhook_id=webhook_id,
        data=data,
        expected_version=expected_version,
        allow_private=_allow_private(request),
    )
    return resource_response(doc)


@router.delete(
    "/{webhook_id}",
    name="delete",
    summary="Delete a webhook endpoint and its delivery log",
    status_code=204,
    responses=_DELETE_RESPONSES,
)
def delete_webhook(
    webhook_id: uuid.UUID, session: WriteSessionDep, owner: OwnerDep, expected_version: IfMatchDep
) -> Response:
    service.delete_webhook(
        session=session, owner=owner, webhook_id=webhook_id, expected_version=expected_version
    )
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries",
    name="deliveries",
    summary="The delivery log of an endpoint, newest first",
    description="Finished deliveries are kept for 30 days after their event.",
    response_model=Page[WebhookDeliveryPublic],
    responses=READ_RESPONSES,
)
def list_deliveries(
    webhook_id: uuid.UUID,
    session: SessionDep,
    owner: OwnerDep,
    page: PageDep,
    status: Annotated[DeliveryStatus | None, Query()] = None,
    event_type: Annotated[WebhookEvent | Literal["webhook.test"] | None, Query()] = None,
    sort: DeliverySort = "-created_at",
) -> Response:
    keyset = make_keyset(sort, service.DELIVERY_SORT_KEYS, service.deliveries.c.id, page.cursor)
    filters = service.DeliveryFilters(status=status, event_type=event_type)
    return page_response(
        service.list_deliveries(
            session=session,
            owner=owner,
            webhook_id=webhook_id,
            filters=filters,
            keyset=keyset,
            limit=page.limit,
        )
    )


@router.post(
    "/{webhook_id}/test",
    name="test",
    summary="Send a test event (`webhook.test`) to the endpoint",
    description="Queued at once and sent within moments, like any event; follow it in the "
    "delivery log. Works on an inactive endpoint too.",
    status_code=202,
    response_model=WebhookDeliveryPublic,
    responses=READ_RESPONSES,
)
def send_test(webhook_id: uuid.UUID, session: WriteSessionDep, owner: OwnerDep) -> Response:
    body = service.send_test(session=session, owner=owner, webhook_id=webhook_id)
    return Response(body, 202, media_type="application/json")


@router.post(
    "/{webhook_id}/retry",
    name="retry",
    summary="Try every pending or failed delivery of the endpoint again, now",
    description="For when the receiver was down and is back: each such delivery gets one "
    "more attempt at once (and its remaining retries, if it still fails within 24 hours of "
    "its event).",
    response_model=RetryResult,
    responses={**READ_RESPONSES, 409: problem_doc("The endpoint is inactive.")},
)
def retry_deliveries(
    webhook_id: uuid.UUID, session: WriteSessionDep, owner: OwnerDep
) -> RetryResult:
    queued = service.retry_deliveries(session=session, owner=owner, webhook_id=webhook_id)
    return RetryResult(queued=queued)


def _allow_private(request: Request) -> bool:
    return bool(request.app.state.settings.webhook_allow_private_targets)
