"""Recording events in the outbox, inside the transaction of the change they report.

`emit` writes one delivery row per active endpoint of the owner subscribed to the event; the
caller's commit makes them real together with the change (a rollback drops both). Nothing
here talks to the network: the worker sends them later.
"""

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import bindparam, event, insert, select, true
from sqlalchemy.orm import Session

from backend.documents import Doc
from backend.fields import utcnow, uuid7
from backend.interviews.lifecycle import InterviewStatus
from backend.prepared import Prepared
from backend.responses import json_bytes
from backend.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent

webhooks = Webhook.__table__  # type: ignore[attr-defined]
deliveries = WebhookDelivery.__table__  # type: ignore[attr-defined]

_WAKE_PENDING = "nexthop_webhooks_wake"
# The running workers of this process (one per app), woken when a commit queued something.
WAKE_LISTENERS: set[Callable[[], None]] = set()


# Kept (backend.prepared): it runs on every write of the evented kinds. On PostgreSQL the
# endpoints found are locked (FOR KEY SHARE) until the change commits: an endpoint being
# deleted meanwhile is waited for and then skipped, where a delivery queued for it would fail
# its foreign key at the delete's commit and turn a good change into a 409. (SQLite has one
# writer at a time and no row locks; SQLAlchemy leaves the clause out there.)
_SUBSCRIBED = Prepared(
    select(webhooks.c.id, webhooks.c.event_types)
    .where(
        webhooks.c.owner_id == bindparam("owner", type_=webhooks.c.owner_id.type),
        webhooks.c.active == true(),
    )
    .with_for_update(key_share=True)
)


def emit(
    session: Session,
    owner: uuid.UUID,
    event_type: WebhookEvent,
    data: Doc | str | Mapping[str, Any],
    **extra: Any,
) -> None:
    """Queues `event_type` with `data` (a resource as the API shows it, as a Doc, JSON text
    or a mapping, plus `extra` members) for each of the owner's endpoints that wants it."""
    targets = [
        webhook_id
        for webhook_id, event_types in _SUBSCRIBED.all_in(session, owner=owner)
        if event_type.value in event_types
    ]
    if not targets:
        return
    if isinstance(data, Doc | str):
        body = orjson.loads(data.json if isinstance(data, Doc) else data)
    else:
        body = dict(data)
    queue(session, owner, targets, event_type.value, {**body, **extra})


def interview_status(
    session: Session,
    owner: uuid.UUID,
    interview: Doc,
    *,
    before: InterviewStatus | None,
    after: InterviewStatus,
) -> None:
    """The events of an interview that was created (`before` None) or changed status."""
    if before is not None and before != after:
        emit(
            session,
            owner,
            WebhookEvent.interview_status_changed,
            interview,
            previous_status=before.value,
        )
    if after == InterviewStatus.completed and before != after:
        emit(session, owner, WebhookEvent.interview_completed, interview)


def queue(
    session: Session,
    owner: uuid.UUID,
    webhook_ids: list[uuid.UUID],
    event_type: str,
    data: dict[str, Any],
) -> list[uuid.UUID]:
    """One delivery of one event (one id) to each endpoint, due now; their ids."""
    now = utcnow()
    event_id = uuid7()
    rows = [
        {
            "id": uuid7(),
            "owner_id": owner,
            "webhook_id": webhook_id,
            "event_id": event_id,
            "event_type": event_type,
            "data": data,
            "status": DeliveryStatus.pending.value,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for webhook_id in webhook_ids
    ]
    session.execute(insert(deliveries), rows)
    wake_after_commit(session)
    return [row["id"] for row in rows]


def wake_after_commit(session: Session) -> None:
    """Tells this process's worker to look now rather than at its next poll."""
    if session.info.get(_WAKE_PENDING):
        return
    session.info[_WAKE_PENDING] = True

    def committed(done: Session) -> None:
        done.info.pop(_WAKE_PENDING, None)
        for wake in list(WAKE_LISTENERS):
            wake()

    event.listen(session, "after_commit", committed, once=True)


def envelope(event_id: uuid.UUID, event_type: str, created_at: datetime, data: Any) -> bytes:
    """The body POSTed to the endpoint, the same bytes on every attempt."""
    return json_bytes({"id": event_id, "type": event_type, "created_at": created_at, "data": data})
