"""Webhooks: endpoints, the outbox written with each change, signed deliveries by the
background worker, retries, the delivery log, and the refusal of internal addresses.

Deliveries go to a tiny HTTP server on 127.0.0.1 run by the test, which the app may reach
only with NEXTHOP_WEBHOOK_ALLOW_PRIVATE_TARGETS (the `allowed` fixture turns it on).
"""

import asyncio
import ipaddress
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, insert, select

from backend.config import Settings
from backend.db import write_engine
from backend.fields import uuid7
from backend.reads import Reads
from backend.webhooks import retries, signing, targets
from backend.webhooks import worker as worker_module
from backend.webhooks.events import WAKE_LISTENERS
from backend.webhooks.models import Webhook, WebhookDelivery
from backend.webhooks.worker import Job, Refused, WebhookWorker
from tests import factories
from tests.conftest import Api

HOOKS = "/api/v1/webhooks"
CONTACT_EVENTS = ["contact.created", "contact.updated", "contact.deleted"]


class Received:
    def __init__(self, path: str, headers: dict[str, str], body: bytes) -> None:
        self.path = path
        self.headers = headers
        self.body = body

    @property
    def json(self) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads(self.body)
        return payload


class Receiver:
    """An HTTP server that records every request and answers with the statuses queued in
    `answers` (then 200), after `delay` seconds."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.answers: list[int] = []
        self.delay = 0.0
        self.redirect_to: str | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.requests.append(Received(self.path, headers, body))
                time.sleep(receiver.delay)
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                if 300 <= status < 400 and receiver.redirect_to:
                    self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hooks"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def allowed(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.state.settings, "webhook_allow_private_targets", True)


def wait_for(check: Callable[[], Any], what: str, seconds: float = 15.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def register(api: Api, url: str, events: list[str], **fields: Any) -> dict[str, Any]:
    response = api.post(HOOKS, json={"url": url, "event_types": events, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def deliveries(api: Api, hook: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
    return factories.listing(api, f"{HOOKS}/{hook['id']}/deliveries", **params)


def settled(api: Api, hook: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """The endpoint's n deliveries once none is waiting for its first attempt, oldest first."""

    def check() -> list[dict[str, Any]] | None:
        log = deliveries(api, hook)
        # Attempted and its outcome recorded: while in flight it is pending with no error.
        done = len(log) == n and all(
            d["attempts"] > 0 and (d["status"] != "pending" or d["error"] is not None) for d in log
        )
        return list(reversed(log)) if done else None

    found: list[dict[str, Any]] = wait_for(check, f"{n} deliveries attempted")
    return found


# --- Endpoints ------------------------------------------------------------------------------


def test_endpoints_are_created_read_changed_and_deleted(api: Api) -> None:
    created = register(
        api, "https://hooks.example.com/in", ["contact.created", "contact.created"],
        description="CRM",
    )  # fmt: skip
    assert created["event_types"] == ["contact.created"]
    assert created["active"] is True
    assert created["secret"].startswith("whsec_")
    assert len(created["secret"]) == 6 + 43
    hook_url = f"{HOOKS}/{created['id']}"

    shown = api.get(hook_url)
    assert shown.status_code == 200
    assert shown.headers["etag"] == '"1"'
    assert shown.json() == {k: v for k, v in created.items() if k != "secret"}
    assert api.get(HOOKS).json() == {"items": [shown.json()]}

    stale = api.patch(hook_url, json={"active": False}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    changed = api.patch(
        hook_url,
        json={"event_types": ["referral.updated"], "secret": "s" * 16, "active": False},
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["event_types"] == ["referral.updated"]
    assert changed.json()["version"] == 2
    assert "secret" not in changed.json()

    chosen = register(api, "https://hooks.example.com/two", ["contact.updated"], secret="x" * 20)
    assert chosen["secret"] == "x" * 20
    assert [h["id"] for h in api.get(HOOKS).json()["items"]] == [created["id"], chosen["id"]]

    assert api.delete(hook_url).status_code == 204
    assert api.get(hook_url).status_code == 404
    assert [h["id"] for h in api.get(HOOKS).json()["items"]] == [chosen["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://hooks.example.com/x"}, "url"),
        ({"url": "https://hooks.example.com/x", "event_types": []}, "event_types"),
        ({"url": "https://x.example.com/x", "event_types": ["contact.exploded"]}, "event_types.0"),
        ({"url": "https://hooks.example.com/x", "secret": "short"}, "secret"),
        ({"url": "https://hooks.example.com/x", "secret": "a tab\tin the secret"}, "secret"),
    ],
)  # fmt: skip
def test_bad_endpoints_are_refused(api: Api, body: dict[str, Any], field: str) -> None:
    response = api.post(HOOKS, json={"event_types": ["contact.created"], **body})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/x",
        "http://localhost/x",
        "http://api.localhost/x",
        "http://[::1]/x",
        "http://10.1.2.3/x",
        "http://192.168.0.10/x",
        "http://169.254.169.254/latest/meta-data",
        "http://metadata.google.internal/computeMetadata/v1",
        "http://[::ffff:127.0.0.1]/x",
        "https://user:pass@hooks.example.com/x",
        # 169.254.169.254 in octal: no address to `ipaddress` (leading zeros), so it passed
        # as a name, and then the worker's parser (httpx) refused it at every delivery.
        "http://0251.0376.0251.0376/",
    ],
)
def test_internal_targets_are_refused(api: Api, url: str) -> None:
    response = api.post(HOOKS, json={"url": url, "event_types": ["contact.created"]})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "url"
    hook = register(api, "https://hooks.example.com/x", ["contact.created"])
    moved = api.patch(f"{HOOKS}/{hook['id']}", json={"url": url})
    assert moved.status_code == 422


def test_at_most_twenty_endpoints(api: Api) -> None:
    for n in range(20):
        register(api, f"https://hooks.example.com/{n}", ["contact.created"])
    response = api.post(
        HOOKS, json={"url": "https://x.example.com", "event_types": ["contact.created"]}
    )
    assert response.status_code == 409


def test_another_users_endpoints_are_not_found(api: Api, other_api: Api) -> None:
    hook = register(api, "https://hooks.example.com/x", ["contact.created"])
    url = f"{HOOKS}/{hook['id']}"
    for method, path in [
        ("GET", url), ("PATCH", url), ("DELETE", url), ("GET", f"{url}/deliveries"),
        ("POST", f"{url}/test"), ("POST", f"{url}/retry"),
    ]:  # fmt: skip
        body = {"active": False} if method == "PATCH" else None
        response = other_api.request(method, path, json=body)
        assert response.status_code == 404, (method, path, response.text)
    assert other_api.get(HOOKS).json() == {"items": []}
    assert api.get(url).json()["active"] is True
    assert deliveries(api, hook) == []


# --- Deliveries -----------------------------------------------------------------------------


@pytest.mark.usefixtures("allowed")
def test_contact_events_are_delivered_signed(api: Api, receiver: Receiver) -> None:
    hook = register(api, receiver.url, CONTACT_EVENTS)
    ada = factories.contact(api, full_name="Ada Lovelace")
    # A change that changes nothing is no event.
    assert api.patch(f"/api/v1/contacts/{ada['id']}", json={}).status_code == 200
    renamed = api.patch(f"/api/v1/contacts/{ada['id']}", json={"title": "Analyst"})
    assert renamed.status_code == 200
    assert api.delete(f"/api/v1/contacts/{ada['id']}").status_code == 204

    log = settled(api, hook, 3)
    assert [d["event_type"] for d in log] == CONTACT_EVENTS
    assert [(d["status"], d["attempts"], d["response_code"], d["error"]) for d in log] == [
        ("succeeded", 1, 200, None)
    ] * 3
    assert log[0]["data"] == ada
    assert log[1]["data"] == renamed.json()
    assert log[2]["data"] == {"id": ada["id"]}

    received = sorted(receiver.requests, key=lambda r: r.json["created_at"])
    assert len(received) == 3
    for request, delivery in zip(received, log, strict=True):
        assert request.path == "/hooks"
        assert request.headers["content-type"] == "application/json"
        assert request.headers["nexthop-event"] == delivery["event_type"]
        assert request.headers["nexthop-delivery"] == delivery["id"]
        assert request.json == {
            "id": delivery["event_id"],
            "type": delivery["event_type"],
            "created_at": delivery["created_at"],
            "data": delivery["data"],
        }
        header = request.headers["nexthop-signature"]
        assert signing.verify(hook["secret"], header, request.body, now=int(time.time()))
        assert not signing.verify("another secret!!", header, request.body, now=int(time.time()))


@pytest.mark.usefixtures("allowed")
def test_only_the_events_an_endpoint_wants_are_queued(api: Api, receiver: Receiver) -> None:
    creates = register(api, receiver.url, ["contact.created"])
    inactive = register(api, receiver.url, CONTACT_EVENTS, active=False)
    ada = factories.contact(api)
    api.patch(f"/api/v1/contacts/{ada['id']}", json={"title": "Analyst"})
    assert [d["event_type"] for d in settled(api, creates, 1)] == ["contact.created"]
    assert deliveries(api, inactive) == []


@pytest.mark.usefixtures("allowed")
def test_interview_note_referral_and_opportunity_events(api: Api, receiver: Receiver) -> None:
    hook = register(
        api,
        receiver.url,
        [
            "interview.status_changed", "interview.completed", "note_item.created",
            "note_item.updated", "referral.created", "referral.updated", "opportunity.updated",
        ],
    )  # fmt: skip
    # In the past: a conversation cannot be completed before its time.
    interview = factories.interview(api, status="scheduled", scheduled_at="2026-01-01T10:00:00Z")
    done = api.patch(f"/api/v1/interviews/{interview['id']}", json={"status": "completed"})
    assert done.status_code == 200
    note = factories.note_item(api, interview["id"])
    api.patch(f"/api/v1/note-items/{note['id']}", json={"status": "done"})
    referral = factories.referral(api, factories.contact(api, full_name="Grace")["id"])
    api.patch(f"/api/v1/referrals/{referral['id']}", json={"status": "met"})
    opportunity = api.post("/api/v1/opportunities", json={"title": "Analyst"}).json()
    api.patch(f"/api/v1/opportunities/{opportunity['id']}", json={"status": "offered"})

    log = settled(api, hook, 7)
    assert [d["event_type"] for d in log] == [
        "interview.status_changed", "interview.completed", "note_item.created",
        "note_item.updated", "referral.created", "referral.updated", "opportunity.updated",
    ]  # fmt: skip
    by_type = {d["event_type"]: d for d in log}
    changed = by_type["interview.status_changed"]["data"]
    assert changed["previous_status"] == "scheduled"
    assert changed["status"] == "completed"
    assert by_type["interview.completed"]["data"]["id"] == interview["id"]
    # Both events of one change are one version of the interview.
    assert by_type["interview.completed"]["data"]["version"] == changed["version"] == 2
    assert by_type["note_item.updated"]["data"]["status"] == "done"
    assert by_type["referral.updated"]["data"]["status"] == "met"
    assert by_type["opportunity.updated"]["data"]["status"] == "offered"
    assert by_type["opportunity.updated"]["data"]["interview_ids"] == []


@pytest.mark.usefixtures("allowed")
def test_scheduling_and_capture_and_conversion_emit_too(api: Api, receiver: Receiver) -> None:
    hook = register(
        api, receiver.url,
        ["interview.status_changed", "note_item.created", "note_item.updated", "contact.created",
         "referral.created"],
    )  # fmt: skip
    interview = factories.interview(api, status="idea")
    scheduled = api.post(
        f"/api/v1/interviews/{interview['id']}/schedule",
        json={"starts_at": "2031-01-01T10:00:00Z"},
    )
    assert scheduled.status_code == 200, scheduled.text
    captured = api.post(
        f"/api/v1/interviews/{interview['id']}/note-items/capture",
        json={"text": "connect: Maya Okafor\ntodo: send the deck"},
    )
    assert captured.status_code == 201, captured.text
    connect = captured.json()["items"][0]
    converted = api.post(
        f"/api/v1/note-items/{connect['id']}/convert", json={"create_interview": False}
    )
    assert converted.status_code == 201, converted.text
    log = settled(api, hook, 7)
    assert [d["event_type"] for d in log] == [
        "contact.created",  # the interviewee, made by the factory
        "interview.status_changed",
        "note_item.created",
        "note_item.created",
        "contact.created",
        "referral.created",
        "note_item.updated",
    ]
    assert log[1]["data"]["previous_status"] == "idea"
    assert log[4]["data"]["full_name"] == "Maya Okafor"


@pytest.mark.usefixtures("allowed")
def test_a_write_that_fails_queues_nothing(api: Api, other_api: Api, receiver: Receiver) -> None:
    hook = register(api, receiver.url, CONTACT_EVENTS)
    theirs = factories.organization(other_api)
    refused = api.post(
        "/api/v1/contacts", json={"full_name": "Ada", "organization_id": theirs["id"]}
    )
    assert refused.status_code == 404
    stale = api.patch(
        f"/api/v1/contacts/{factories.contact(api)['id']}",
        json={"title": "x"},
        headers={"If-Match": '"9"'},
    )
    assert stale.status_code == 412
    assert [d["event_type"] for d in settled(api, hook, 1)] == ["contact.created"]


@pytest.mark.usefixtures("allowed")
def test_the_test_event(api: Api, receiver: Receiver) -> None:
    hook = register(api, receiver.url, ["contact.created"], active=False)
    response = api.post(f"{HOOKS}/{hook['id']}/test")
    assert response.status_code == 202, response.text
    queued = response.json()
    assert queued["status"] == "pending"
    assert queued["event_type"] == "webhook.test"
    assert queued["attempts"] == 0
    assert queued["data"]["webhook_id"] == hook["id"]
    (delivered,) = settled(api, hook, 1)
    assert delivered["status"] == "succeeded"
    (request,) = receiver.requests
    assert request.json["type"] == "webhook.test"
    assert request.json["id"] == queued["event_id"]


@pytest.mark.usefixtures("allowed")
def test_failures_are_retried_with_backoff(api: Api, receiver: Receiver) -> None:
    receiver.answers = [500]
    hook = register(api, receiver.url, CONTACT_EVENTS)
    before = datetime.now(UTC)
    factories.contact(api)
    (failed,) = settled(api, hook, 1)
    assert (failed["status"], failed["attempts"], failed["response_code"]) == ("pending", 1, 500)
    assert failed["error"] == "Answered 500."
    next_at = datetime.fromisoformat(failed["next_attempt_at"].replace("Z", "+00:00"))
    assert before + timedelta(seconds=30) <= next_at <= before + timedelta(seconds=45)
    assert deliveries(api, hook, status="pending") == [failed]
    assert deliveries(api, hook, status="succeeded") == []

    # The receiver is back: try now rather than in 30 s.
    retried = api.post(f"{HOOKS}/{hook['id']}/retry")
    assert retried.status_code == 200
    assert retried.json() == {"queued": 1}
    (done,) = wait_for(lambda: deliveries(api, hook, status="succeeded"), "the retry")
    assert (done["attempts"], done["response_code"], done["error"]) == (2, 200, None)
    assert done["next_attempt_at"] is None
    assert len(receiver.requests) == 2
    assert receiver.requests[0].json["id"] == receiver.requests[1].json["id"]  # same event
    assert receiver.requests[0].body == receiver.requests[1].body


@pytest.mark.slow  # waits out slow receivers
@pytest.mark.usefixtures("allowed")
def test_deliveries_never_hold_up_the_request(api: Api, receiver: Receiver) -> None:
    receiver.delay = 3.0
    hook = register(api, receiver.url, CONTACT_EVENTS)
    started = time.monotonic()
    factories.contact(api)
    factories.contact(api, full_name="Grace Hopper")
    assert time.monotonic() - started < 1.5
    wait_for(lambda: len(receiver.requests) == 2, "both deliveries to arrive")
    assert len(settled(api, hook, 2)) == 2


@pytest.mark.usefixtures("allowed")
def test_an_unreachable_endpoint_is_a_failure_to_retry(api: Api) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    hook = register(api, f"http://127.0.0.1:{port}/x", CONTACT_EVENTS)
    assert factories.contact(api)["id"]
    (failed,) = settled(api, hook, 1)
    assert (failed["status"], failed["attempts"], failed["response_code"]) == ("pending", 1, None)
    assert failed["error"].startswith("Could not connect")


@pytest.mark.usefixtures("allowed")
def test_redirects_are_not_followed(api: Api, receiver: Receiver) -> None:
    receiver.answers = [302]
    receiver.redirect_to = receiver.url + "/elsewhere"
    hook = register(api, receiver.url, CONTACT_EVENTS)
    factories.contact(api)
    (failed,) = settled(api, hook, 1)
    assert (failed["status"], failed["response_code"]) == ("pending", 302)
    assert "redirect" in failed["error"]
    assert [r.path for r in receiver.requests] == ["/hooks"]


def test_internal_targets_are_refused_at_delivery_too(
    api: Api, receiver: Receiver, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Saved while allowed, delivered after the server stopped allowing it.
    monkeypatch.setattr(app.state.settings, "webhook_allow_private_targets", True)
    hook = register(api, receiver.url, CONTACT_EVENTS)
    monkeypatch.setattr(app.state.settings, "webhook_allow_private_targets", False)
    factories.contact(api)
    (failed,) = settled(api, hook, 1)
    assert (failed["status"], failed["attempts"], failed["next_attempt_at"]) == ("failed", 1, None)
    assert failed["error"] == "Refused: 127.0.0.1 is a loopback address."
    assert receiver.requests == []


@pytest.mark.usefixtures("allowed")
@pytest.mark.parametrize("trouble", ["unparsable url", "unexpected error"])
def test_one_job_going_wrong_holds_up_no_one_else(
    api: Api,
    other_api: Api,
    receiver: Receiver,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    trouble: str,
) -> None:
    """Another user's job fails in the same batch: by a URL the worker's parser refuses
    (saved before the save-time check existed), or by any error on our side. Its error
    escaped the pass: the other jobs' outcomes went unrecorded (to be sent again once their
    lease ended) and it stayed pending forever. Now it fails, or is retried, on its own."""
    hook = register(api, receiver.url, ["contact.created"])
    bad_hook = uuid7()
    now = datetime.now(UTC)
    due = datetime(2000, 1, 1, tzinfo=UTC)  # before anything else: all in the next batch

    def delivery(owner: uuid.UUID, webhook: uuid.UUID) -> dict[str, Any]:
        return {
            "id": uuid7(), "owner_id": owner, "webhook_id": webhook, "event_id": uuid7(),
            "event_type": "contact.created", "data": {"n": 1}, "status": "pending",
            "attempts": 0, "next_attempt_at": due, "created_at": now,
        }  # fmt: skip

    bad = delivery(other_api.user_id, bad_hook)
    good = [delivery(api.user_id, uuid.UUID(hook["id"])) for _ in range(3)]
    bad_url = "http://0251.0376.0251.0376/" if trouble == "unparsable url" else receiver.url
    original = worker_module.envelope

    def envelope(event_id: uuid.UUID, *args: Any) -> bytes:
        if event_id == bad["event_id"]:
            raise RuntimeError("a bug")
        return original(event_id, *args)

    monkeypatch.setattr(worker_module, "envelope", envelope)
    with engine.begin() as conn:  # one transaction: no pass sees some without the others
        conn.execute(
            insert(Webhook.__table__),  # type: ignore[attr-defined]
            {
                "id": bad_hook, "owner_id": other_api.user_id, "url": bad_url,
                "description": None, "event_types": ["contact.created"], "active": True,
                "secret": "s" * 32, "version": 1, "created_at": now, "updated_at": now,
            },
        )  # fmt: skip
        conn.execute(insert(WebhookDelivery.__table__), [bad, *good])  # type: ignore[attr-defined]
    for wake in list(WAKE_LISTENERS):
        wake()

    def settled_bad() -> list[dict[str, Any]]:
        items = other_api.get(f"{HOOKS}/{bad_hook}/deliveries").json()["items"]
        return [d for d in items if d["last_attempt_at"] and d["error"]]

    (bad_delivery,) = wait_for(settled_bad, "the bad delivery's outcome")
    wait_for(
        lambda: [d["status"] for d in deliveries(api, hook)] == ["succeeded"] * 3,
        "the good deliveries' outcomes",
    )
    delivered = sorted(r.headers["nexthop-delivery"] for r in receiver.requests)
    assert delivered == sorted(str(d["id"]) for d in good)
    assert bad_delivery["attempts"] == 1
    if trouble == "unparsable url":
        assert (bad_delivery["status"], bad_delivery["next_attempt_at"]) == ("failed", None)
        assert bad_delivery["error"].startswith("This is not a valid URL: Invalid IPv4 address")
    else:
        assert bad_delivery["status"] == "pending"
        assert bad_delivery["next_attempt_at"] is not None
        assert bad_delivery["error"] == "The delivery failed on our side; it will be retried."


@pytest.mark.usefixtures("allowed")
def test_deactivating_drops_what_is_pending(api: Api, receiver: Receiver) -> None:
    receiver.answers = [503]
    hook = register(api, receiver.url, CONTACT_EVENTS)
    factories.contact(api)
    settled(api, hook, 1)
    off = api.patch(f"{HOOKS}/{hook['id']}", json={"active": False})
    assert off.status_code == 200
    (dropped,) = deliveries(api, hook)
    assert (dropped["status"], dropped["error"]) == ("failed", "The endpoint was deactivated.")
    assert api.post(f"{HOOKS}/{hook['id']}/retry").status_code == 409
    factories.contact(api)
    assert len(deliveries(api, hook)) == 1


@pytest.mark.usefixtures("allowed")
def test_the_delivery_log_pages_newest_first(api: Api, receiver: Receiver) -> None:
    hook = register(api, receiver.url, ["contact.created"])
    names = [f"Person {n}" for n in range(5)]
    for name in names:
        factories.contact(api, full_name=name)
    settled(api, hook, 5)
    walked = factories.walk(api, f"{HOOKS}/{hook['id']}/deliveries", limit=2)
    assert [d["data"]["full_name"] for d in walked] == list(reversed(names))
    oldest = factories.walk(api, f"{HOOKS}/{hook['id']}/deliveries", limit=2, sort="created_at")
    assert [d["data"]["full_name"] for d in oldest] == names
    page = api.get(f"{HOOKS}/{hook['id']}/deliveries", params={"limit": 2}).json()
    assert page["total"] == 5
    assert deliveries(api, hook, event_type="contact.updated") == []
    assert deliveries(api, hook, status="failed") == []
    bad = api.get(f"{HOOKS}/{hook['id']}/deliveries", params={"status": "lost"})
    assert bad.status_code == 422


def test_deleting_an_endpoint_deletes_its_log(api: Api) -> None:
    hook = register(api, "https://hooks.example.com/x", ["contact.created"])
    assert api.post(f"{HOOKS}/{hook['id']}/test").status_code == 202
    assert api.delete(f"{HOOKS}/{hook['id']}").status_code == 204
    assert api.get(f"{HOOKS}/{hook['id']}/deliveries").status_code == 404


# --- Several workers ------------------------------------------------------------------------


def test_two_workers_never_claim_the_same_delivery(
    api: Api, engine: Engine, settings: Settings
) -> None:
    """Claims as two worker processes would make them, at once: each delivery goes to one."""
    hook = register(api, "https://hooks.example.com/x", ["contact.created"])
    table = WebhookDelivery.__table__  # type: ignore[attr-defined]
    # Due an hour from now: the app's own worker leaves them alone.
    later = datetime.now(UTC) + timedelta(hours=1)
    ids = [uuid7() for _ in range(30)]
    with engine.begin() as conn:
        conn.execute(
            insert(table),
            [
                {
                    "id": i, "owner_id": api.user_id, "webhook_id": uuid.UUID(hook["id"]),
                    "event_id": uuid7(), "event_type": "contact.created", "data": {},
                    "status": "pending", "attempts": 0, "next_attempt_at": later,
                    "created_at": later,
                }
                for i in ids
            ],
        )  # fmt: skip
    workers = [
        WebhookWorker(
            engine=engine,
            reads=Reads(engine),
            write_engine=write_engine(engine),
            settings=settings,
        )
        for _ in range(2)
    ]
    claimed: list[list[Job]] = [[], []]
    barrier = threading.Barrier(2)

    def claim(n: int) -> None:
        barrier.wait()
        for _ in range(4):  # 4 batches of 10 each: more than there is
            claimed[n] += workers[n]._claim(later + timedelta(seconds=1))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    mine = [{job.id for job in jobs if job.id in set(ids)} for jobs in claimed]
    assert mine[0] & mine[1] == set()
    assert mine[0] | mine[1] == set(ids)
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.attempts).where(table.c.id.in_(ids))).scalars().all()
    assert rows == [1] * 30


# --- The pure parts -------------------------------------------------------------------------


def test_signatures() -> None:
    body = b'{"id":"1"}'
    header = signing.signature_header("topsecret-0123456", 1_700_000_000, body)
    assert header == "t=1700000000,v1=" + signing.signature(
        "topsecret-0123456", 1_700_000_000, body
    )
    assert len(header.split("v1=")[1]) == 64
    assert signing.verify("topsecret-0123456", header, body, now=1_700_000_100)
    assert not signing.verify("topsecret-0123456", header, body + b" ", now=1_700_000_100)
    assert not signing.verify("topsecret-0123456", header, body, now=1_700_000_301)  # replayed
    assert not signing.verify("topsecret-0123456", "v1=abc", body, now=1_700_000_000)
    assert not signing.verify("topsecret-0123456", "t=x,v1=abc", body, now=1_700_000_000)


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("93.184.216.34", None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.0.0.8", "a private address"),
        ("172.16.5.4", "a private address"),
        ("192.168.1.1", "a private address"),
        ("fd12::1", "a private address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("169.254.1.1", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("100.100.100.200", "a cloud metadata address"),
        ("100.64.0.1", "not a public address"),
        ("0.0.0.0", "the unspecified address, which reaches the server itself"),
        ("::", "the unspecified address, which reaches the server itself"),
        ("224.0.0.1", "not a public address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("64:ff9b::7f00:1", "a loopback address"),
        ("2002:a00:1::", "a private address"),
    ],
)
def test_which_addresses_deliveries_may_go_to(address: str, problem: str | None) -> None:
    assert targets.address_problem(ipaddress.ip_address(address)) == problem


def test_names_are_checked_by_every_address_they_resolve_to(settings: Settings) -> None:
    """The check at each delivery: the name's addresses, whatever the name looks like."""
    worker = WebhookWorker(
        engine=None,  # type: ignore[arg-type]
        reads=None,  # type: ignore[arg-type]
        write_engine=None,  # type: ignore[arg-type]
        settings=settings,
    )
    url = httpx.URL("http://localhost:9/x")
    with pytest.raises(
        Refused, match=r"^Refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address\.$"
    ):
        asyncio.run(worker._resolve(url, allow_private=False))
    assert asyncio.run(worker._resolve(url, allow_private=True)) in ("127.0.0.1", "::1")
    public = httpx.URL("http://93.184.216.34/x")  # an address resolves to itself
    assert asyncio.run(worker._resolve(public, allow_private=False)) == "93.184.216.34"


def test_urls_on_their_face() -> None:
    assert targets.url_problem("https://hooks.example.com/x", allow_private=False) is None
    assert targets.url_problem("http://127.0.0.1:9/x", allow_private=True) is None
    assert targets.url_problem("http://LOCALHOST./x", allow_private=False) == (
        "localhost is the server itself or its metadata service: refused."
    )
    assert targets.url_problem("http://[::1]/x", allow_private=False) == (
        "Refused: ::1 is a loopback address."
    )
    assert targets.url_problem("http://host:99999/", allow_private=True) == (
        "This is not a valid URL."
    )
    assert targets.url_problem("http://host:0/", allow_private=True) == (
        "Port 0 is not a port to deliver to."
    )
    assert targets.url_problem("gopher://host/", allow_private=True) == (
        "Use an http:// or https:// URL."
    )
    # What the worker's parser (httpx) refuses is refused when saved, private or not.
    assert targets.url_problem("http://0251.0376.0251.0376/", allow_private=True) == (
        "This is not a valid URL: Invalid IPv4 address: '0251.0376.0251.0376'."
    )


def test_retry_schedule() -> None:
    assert [retries.retry_delay(n).total_seconds() for n in range(1, 10)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]  # fmt: skip
    queued = datetime(2031, 1, 1, tzinfo=UTC)
    assert retries.next_attempt(attempts=1, queued_at=queued, now=queued) == queued + timedelta(
        seconds=30
    )
    assert retries.next_attempt(
        attempts=2, queued_at=queued, now=queued, jitter=0.1
    ) == queued + timedelta(seconds=66)
    late = queued + timedelta(hours=23, minutes=30)
    assert retries.next_attempt(attempts=20, queued_at=queued, now=late) is None  # 24 h are up
    assert retries.succeeded(204)
    assert not retries.succeeded(301)
    assert not retries.succeeded(None)


def test_the_whole_retry_window_is_about_thirty_attempts() -> None:
    queued = now = datetime(2031, 1, 1, tzinfo=UTC)
    attempts = 1
    while (later := retries.next_attempt(attempts=attempts, queued_at=queued, now=now)) is not None:
        now, attempts = later, attempts + 1
    assert attempts == 30
    assert now - queued <= retries.RETRY_FOR
