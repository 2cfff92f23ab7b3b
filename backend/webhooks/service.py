"""Webhook endpoints (a few per user) and their delivery log."""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import orjson
from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from backend import crud
from backend.documents import Doc, document, join_array
from backend.errors import Conflict, FieldIssue, Unprocessable
from backend.fields import utcnow
from backend.pagination import Keyset, SortKey, fetch_page
from backend.webhooks import targets
from backend.webhooks.events import queue, wake_after_commit
from backend.webhooks.models import (
    TEST_EVENT,
    DeliveryStatus,
    Webhook,
    WebhookCreate,
    WebhookDelivery,
    WebhookUpdate,
)

table = crud.table_of(Webhook)
deliveries = crud.table_of(WebhookDelivery)
LABEL = "webhook"
MAX_PER_USER = 20

DELIVERY_SORT_KEYS = {"created_at": SortKey(deliveries.c.created_at, kind=datetime)}


def _without_secret(doc: Doc) -> Doc:
    body = orjson.loads(doc.json)
    body.pop("secret", None)
    return doc._replace(json=orjson.dumps(body).decode())


def _check_url(url: str, allow_private: bool) -> None:
    problem = targets.url_problem(url, allow_private=allow_private)
    if problem:
        raise Unprocessable.field("url", problem, "refused_target")


def list_webhooks(*, session: Session, owner: uuid.UUID) -> str:
    """`{"items": [...]}`, oldest first."""
    stmt = (
        select(document(session, table), table.c.id, table.c.version)
        .where(crud.owned(table, owner))
        .order_by(table.c.created_at, table.c.id)
    )
    docs = [_without_secret(Doc(*row)).json for row in session.execute(stmt)]
    return f'{{"items":{join_array(docs)}}}'


def get_webhook(*, session: Session, owner: uuid.UUID, webhook_id: uuid.UUID) -> Doc:
    doc = crud.get_doc(session, table, owner=owner, row_id=webhook_id, label=LABEL)
    return _without_secret(doc)


def create_webhook(
    *, session: Session, owner: uuid.UUID, data: WebhookCreate, allow_private: bool
) -> Doc:
    """The new endpoint, with its secret (the only time it is shown)."""
    _check_url(data.url, allow_private)
    if crud.count_where(session, table, crud.owned(table, owner)) >= MAX_PER_USER:
        raise Conflict(f"You have {MAX_PER_USER} webhooks already; delete one first.")
    values = data.model_dump(mode="json")
    values["secret"] = data.secret or "whsec_" + secrets.token_urlsafe(32)
    doc = crud.insert_row(session, table, owner=owner, values=values)
    session.commit()
    return doc


def update_webhook(
    *,
    session: Session,
    owner: uuid.UUID,
    webhook_id: uuid.UUID,
    data: WebhookUpdate,
    expected_version: int | None,
    allow_private: bool,
) -> Doc:
    changes = data.model_dump(mode="json", exclude_unset=True)
    for field in ("url", "event_types", "active", "secret"):
        if field in changes and changes[field] is None:
            reason = f"{field} cannot be null."
            issue = FieldIssue(field=field, location="body", reason=reason, code="null")
            raise Unprocessable(reason, errors=[issue])
    if "url" in changes:
        _check_url(changes["url"], allow_private)
    doc = crud.update_row(
        session,
        table,
        owner=owner,
        row_id=webhook_id,
        changes=changes,
        expected_version=expected_version,
        label=LABEL,
    )
    if changes.get("active") is False:
        _give_up_pending(session, owner, webhook_id, "The endpoint was deactivated.")
    session.commit()
    return _without_secret(doc)


def locked_in_id_order(*where: ColumnElement[bool]) -> ColumnElement[bool]:
    """The deliveries matching `where`, for a statement that changes several: on PostgreSQL
    they are locked first, in id order, which is the order the delivery worker updates its
    batch in (worker._record). Two transactions that lock rows in different orders can each
    hold the row the other needs next: PostgreSQL saw that deadlock between a retry's UPDATE
    and the worker. (SQLite has one writer at a time and no FOR UPDATE: there this is just
    the rows.)"""
    d = deliveries
    return d.c.id.in_(select(d.c.id).where(*where).order_by(d.c.id).with_for_update())


def _give_up_pending(session: Session, owner: uuid.UUID, webhook_id: uuid.UUID, why: str) -> None:
    session.execute(
        update(deliveries)
        .where(
            locked_in_id_order(
                crud.owned(deliveries, owner),
                deliveries.c.webhook_id == webhook_id,
                deliveries.c.status == DeliveryStatus.pending.value,
            )
        )
        .values(status=DeliveryStatus.failed.value, next_attempt_at=None, error=why)
    )


def delete_webhook(
    *, session: Session, owner: uuid.UUID, webhook_id: uuid.UUID, expected_version: int | None
) -> None:
    current = crud.get_row(session, table, owner=owner, row_id=webhook_id, label=LABEL)
    crud.check_version(current["version"], expected_version)
    mine = [crud.owned(deliveries, owner), deliveries.c.webhook_id == webhook_id]
    session.execute(delete(deliveries).where(locked_in_id_order(*mine)))
    crud.delete_row(
        session,
        table,
        owner=owner,
        row_id=webhook_id,
        expected_version=expected_version,
        label=LABEL,
    )
    session.commit()


@dataclass(frozen=True)
class DeliveryFilters:
    status: DeliveryStatus | None = None
    event_type: str | None = None


def list_deliveries(
    *,
    session: Session,
    owner: uuid.UUID,
    webhook_id: uuid.UUID,
    filters: DeliveryFilters,
    keyset: Keyset,
    limit: int,
) -> str:
    crud.get_row(session, table, owner=owner, row_id=webhook_id, label=LABEL)
    where = [crud.owned(deliveries, owner), deliveries.c.webhook_id == webhook_id]
    if filters.status:
        where.append(deliveries.c.status == filters.status.value)
    if filters.event_type:
        where.append(deliveries.c.event_type == filters.event_type)
    return fetch_page(
        session, table=deliveries, where=where, keyset=keyset, limit=limit, owner=owner
    )


def send_test(*, session: Session, owner: uuid.UUID, webhook_id: uuid.UUID) -> str:
    """Queues a `webhook.test` event for this endpoint alone (active or not): the delivery,
    as JSON text."""
    crud.get_row(session, table, owner=owner, row_id=webhook_id, label=LABEL)
    data = {
        "webhook_id": str(webhook_id),
        "message": "A test event from Nexthop: your endpoint is reachable and the signature "
        "checks out.",
    }
    (delivery_id,) = queue(session, owner, [webhook_id], TEST_EVENT, data)
    stmt = select(document(session, deliveries)).where(deliveries.c.id == delivery_id)
    doc: str = session.execute(stmt).scalar_one()
    session.commit()
    return doc


def retry_deliveries(*, session: Session, owner: uuid.UUID, webhook_id: uuid.UUID) -> int:
    """Makes every pending or failed delivery of the endpoint due now; how many."""
    hook = crud.get_row(session, table, owner=owner, row_id=webhook_id, label=LABEL)
    if not hook["active"]:
        raise Conflict("This webhook is inactive; set active to true first.")
    again = [DeliveryStatus.pending.value, DeliveryStatus.failed.value]
    result = session.execute(
        update(deliveries)
        .where(
            locked_in_id_order(
                crud.owned(deliveries, owner),
                deliveries.c.webhook_id == webhook_id,
                deliveries.c.status.in_(again),
            )
        )
        .values(status=DeliveryStatus.pending.value, next_attempt_at=utcnow())
    )
    wake_after_commit(session)
    session.commit()
    return int(result.rowcount)
