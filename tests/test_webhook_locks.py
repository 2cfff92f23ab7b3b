"""A retry of an endpoint's deliveries and the delivery worker's per-row updates never deadlock.

PostgreSQL logged a deadlock between `POST /webhooks/{id}/retry` (one UPDATE of many rows, in
the order of its scan) and the worker recording a batch's outcomes (an UPDATE per row, in the
batch's order): each held a row the other wanted next. Both now lock in id order.

The test makes that interleaving happen, deterministically: with deliveries r1 < rm < r2 (by
id), another transaction holds rm; the retry starts (it takes r1, then waits for rm); the
worker records outcomes for r2 and r1, in that order (it would take r2, then wait for r1); rm
is let go. Before the fix the retry then waited for r2 and PostgreSQL killed one of the two
after its deadlock timeout. (SQLite runs one write transaction at a time: nothing to test.)
"""

import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, text

from backend.config import Settings
from backend.db import write_engine
from backend.fields import utcnow, uuid7
from backend.webhooks.models import WebhookDelivery
from backend.webhooks.worker import Job, Outcome, WebhookWorker
from tests.conftest import Api

deliveries = WebhookDelivery.__table__  # type: ignore[attr-defined]


def waiting_on_locks(engine: Engine) -> int:
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()
    return int(found)


def wait_until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.02)


def in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = work()
        except Exception as exc:  # noqa: BLE001 - the test reports it
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_a_retry_and_the_worker_lock_deliveries_in_one_order(
    db_kind: str, api: Api, engine: Engine, settings: Settings
) -> None:
    if db_kind != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    hook = api.post(
        "/api/v1/webhooks",
        json={"url": "https://hooks.example.com/in", "event_types": ["contact.created"]},
    ).json()
    base = uuid7().int
    r1, rm, r2 = (uuid.UUID(int=base + k) for k in (1, 2, 3))
    created = utcnow() - timedelta(minutes=5)
    with engine.begin() as conn:
        # Failed ones: the app's own worker leaves them alone until the retry.
        conn.execute(
            insert(deliveries),
            [
                {
                    "id": row_id, "owner_id": api.user_id, "webhook_id": uuid.UUID(hook["id"]),
                    "event_id": uuid7(), "event_type": "contact.created", "data": {},
                    "status": "failed", "attempts": 1, "created_at": created,
                }
                for row_id in (r1, rm, r2)
            ],
        )  # fmt: skip
    worker = WebhookWorker(
        engine=engine, reads=None, write_engine=write_engine(engine), settings=settings
    )  # type: ignore[arg-type]

    def job(row_id: uuid.UUID) -> Job:
        return Job(row_id, uuid7(), "contact.created", {}, created, 2, hook["url"], "s")

    other = engine.connect()
    try:
        other.begin()
        other.execute(
            text("SELECT 1 FROM webhook_deliveries WHERE id = :id FOR UPDATE"), {"id": rm}
        )
        retry, retried = in_thread(lambda: api.post(f"/api/v1/webhooks/{hook['id']}/retry"))
        wait_until(lambda: waiting_on_locks(engine) == 1, "the retry waits for rm")
        outcomes = [
            Outcome(job(r2), error="Answered 500."),
            Outcome(job(r1), error="Answered 500."),
        ]
        record, recorded = in_thread(lambda: worker._record(outcomes))
        wait_until(lambda: waiting_on_locks(engine) == 2, "the worker waits too")
        other.commit()
    finally:
        other.close()
    retry.join(timeout=30)
    record.join(timeout=30)

    assert "error" not in recorded, recorded.get("error")
    assert "error" not in retried, retried.get("error")
    response = retried["value"]
    assert response.status_code == 200, response.text
    assert response.json() == {"queued": 3}


def test_a_create_while_its_webhook_is_being_deleted_succeeds(
    db_kind: str, api: Api, engine: Engine
) -> None:
    """The create queues deliveries for the endpoints it finds subscribed. If one of them is
    being deleted meanwhile, the create used to insert a delivery for it, then fail the
    foreign key check when the delete committed: 409 for a perfectly good contact."""
    if db_kind != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    hook = api.post(
        "/api/v1/webhooks",
        json={"url": "https://hooks.example.com/in", "event_types": ["contact.created"]},
    ).json()
    deleting = engine.connect()
    try:
        deleting.begin()
        deleting.execute(text("DELETE FROM webhooks WHERE id = :id"), {"id": hook["id"]})
        thread, result = in_thread(
            lambda: api.post("/api/v1/contacts", json={"full_name": "Lee Chen"})
        )
        wait_until(lambda: waiting_on_locks(engine) >= 1, "the create waits for the delete")
        deleting.commit()
    finally:
        deleting.close()
    thread.join(10)

    assert "error" not in result
    created = result["value"]
    assert created.status_code == 201, created.text
    with engine.connect() as conn:
        queued = conn.execute(
            text("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = :id"),
            {"id": hook["id"]},
        ).scalar_one()
    assert queued == 0
