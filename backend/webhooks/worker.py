"""The delivery worker: a background task in each app process that sends the outbox.

Safe with several processes on one database: a worker claims due deliveries by pushing their
`next_attempt_at` a lease ahead (PostgreSQL: with FOR UPDATE SKIP LOCKED, so two workers
never wait on or take the same rows; SQLite: inside its one-writer-at-a-time transaction),
sends them outside any transaction, then records each outcome. A worker that dies mid-way
leaves its claims to be taken again when the lease ends: at-least-once delivery, which is why
every body carries an event id to de-duplicate by.

Requests never wait for any of this: they only write outbox rows.
"""

import asyncio
import contextlib
import ipaddress
import logging
import random
import socket
import ssl
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import anyio.to_thread
import httpx
from sqlalchemy import Engine, bindparam, delete, select, update
from sqlalchemy.orm import Session

from backend.config import Settings
from backend.fields import utcnow
from backend.outages import DiskWatch, OutageLog
from backend.prepared import Prepared
from backend.reads import Reads
from backend.webhooks import retries, signing, targets
from backend.webhooks.events import WAKE_LISTENERS, envelope
from backend.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery

log = logging.getLogger("nexthop.webhooks")

deliveries = WebhookDelivery.__table__  # type: ignore[attr-defined]
webhooks = Webhook.__table__  # type: ignore[attr-defined]

POLL_SECONDS = 2.0
BATCH = 10
# A claimed delivery is someone's for this long; past it another worker may take it.
LEASE = timedelta(minutes=2)
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
RESOLVE_SECONDS = 5.0
KEEP_LOG = timedelta(days=30)
PRUNE_EVERY = timedelta(hours=1)
USER_AGENT = "Nexthop-Webhooks/1.0"


# Asked every POLL_SECONDS in each process, so kept (backend.reads): on SQLite it runs on the
# event loop. Through a worker thread, the loop (busy with reads) and the thread traded the GIL
# at every step of the query, every 2 s: ~25 ms added to the requests in flight then, most of
# a read's p99 under load (README "Performance").
_ANY_DUE = Prepared(
    select(deliveries.c.id)
    .where(
        deliveries.c.status == DeliveryStatus.pending.value,
        deliveries.c.next_attempt_at <= bindparam("now", type_=deliveries.c.next_attempt_at.type),
    )
    .limit(1)
)


@dataclass(frozen=True)
class Job:
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    data: Any
    created_at: datetime
    attempts: int  # including this one
    url: str
    secret: str


@dataclass(frozen=True)
class Outcome:
    job: Job
    response_code: int | None = None
    error: str | None = None
    permanent: bool = False  # no retry: the target is refused


class WebhookWorker:
    def __init__(
        self,
        *,
        engine: Engine,
        reads: Reads,
        write_engine: Engine,
        settings: Settings,
        disk: DiskWatch | None = None,
    ) -> None:
        self.engine = engine
        self.reads = reads
        self.write_engine = write_engine
        self.settings = settings
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pruned_at: datetime | None = None
        # One TLS context for every delivery: building one loads the CA bundle.
        self._tls = ssl.create_default_context()
        # While the database is down (or its disk full) every poll fails: one line for that.
        self._outage = OutageLog(log, "webhook deliveries", disk)

    # --- Life cycle (on the event loop) -----------------------------------------------

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        WAKE_LISTENERS.add(self.wake)
        self._task = asyncio.create_task(self._run(), name="nexthop-webhooks")

    async def stop(self) -> None:
        WAKE_LISTENERS.discard(self.wake)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """Look for due deliveries now; callable from any thread."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                worked = await self.run_once()
                self._outage.worked()
            except Exception as exc:  # noqa: BLE001 - a bad moment must not end the worker
                if not self._outage.failed(exc):
                    log.exception("webhook worker pass failed")
                worked = False
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)

    async def run_once(self) -> bool:
        """One pass: claim what is due, deliver it, record the outcomes. Whether there was
        anything to do."""
        now = utcnow()
        if await self.reads.first(_ANY_DUE, now=now) is None:
            await self._maybe_prune(now)
            return False
        jobs = await anyio.to_thread.run_sync(self._claim, utcnow())
        if not jobs:
            return False
        async with httpx.AsyncClient(
            timeout=TIMEOUT,
            follow_redirects=False,
            trust_env=False,
            verify=self._tls,
            # A connection is made for one delivery: it was opened to one checked address,
            # with one host's TLS name, and must not be lent to another.
            limits=httpx.Limits(max_keepalive_connections=0),
        ) as client:
            outcomes = await asyncio.gather(*(self._deliver_one(client, job) for job in jobs))
        await anyio.to_thread.run_sync(self._record, outcomes)
        return True

    # --- Database (in a thread) -------------------------------------------------------

    def _claim(self, now: datetime) -> list[Job]:
        d = deliveries
        due = (
            select(d.c.id)
            .where(d.c.status == DeliveryStatus.pending.value, d.c.next_attempt_at <= now)
            .order_by(d.c.next_attempt_at)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        with Session(self.write_engine) as session, session.begin():
            claimed = (
                session.execute(
                    update(d)
                    .where(d.c.id.in_(due))
                    .values(
                        next_attempt_at=now + LEASE,
                        attempts=d.c.attempts + 1,
                        last_attempt_at=now,
                    )
                    .returning(d.c.id)
                )
                .scalars()
                .all()
            )
            if not claimed:
                return []
            rows = session.execute(
                select(
                    d.c.id, d.c.event_id, d.c.event_type, d.c.data, d.c.created_at,
                    d.c.attempts, webhooks.c.url, webhooks.c.secret,
                )
                .join(webhooks, webhooks.c.id == d.c.webhook_id)
                .where(d.c.id.in_(claimed))
            ).all()  # fmt: skip
        return [Job(*row) for row in rows]

    def _record(self, outcomes: list[Outcome]) -> None:
        now = utcnow()
        with Session(self.write_engine) as session, session.begin():
            # In id order, the order every other multi-row write of deliveries locks them in
            # (webhooks.service.locked_in_id_order): two transactions that each hold a row the
            # other wants next would deadlock.
            for outcome in sorted(outcomes, key=lambda o: o.job.id):
                session.execute(
                    update(deliveries)
                    .where(deliveries.c.id == outcome.job.id)
                    .values(**_result(outcome, now))
                )

    async def _maybe_prune(self, now: datetime) -> None:
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        await anyio.to_thread.run_sync(self._prune, now - KEEP_LOG)

    def _prune(self, before: datetime) -> None:
        finished = [DeliveryStatus.succeeded.value, DeliveryStatus.failed.value]
        with Session(self.write_engine) as session, session.begin():
            session.execute(
                delete(deliveries).where(
                    deliveries.c.status.in_(finished), deliveries.c.created_at < before
                )
            )

    # --- The network (on the event loop) ----------------------------------------------

    async def _deliver_one(self, client: httpx.AsyncClient, job: Job) -> Outcome:
        """One job's outcome, whatever happens: an error in one must neither end the pass
        (the others' outcomes would go unrecorded, and be sent again once their lease
        ended) nor hold up anyone else's deliveries."""
        try:
            return await self._deliver(client, job)
        except Exception:  # noqa: BLE001 - recorded as this job's failure, retried
            log.exception("webhook delivery %s failed unexpectedly", job.id)
            return Outcome(job, error="The delivery failed on our side; it will be retried.")

    async def _deliver(self, client: httpx.AsyncClient, job: Job) -> Outcome:
        allow_private = self.settings.webhook_allow_private_targets
        problem = targets.url_problem(job.url, allow_private=allow_private)
        if problem:
            return Outcome(job, error=problem, permanent=True)
        url = httpx.URL(job.url)
        try:
            address = await self._resolve(url, allow_private)
        except Refused as refused:
            return Outcome(job, error=str(refused), permanent=True)
        except (OSError, TimeoutError) as exc:
            why = str(exc) or "timed out"
            return Outcome(job, error=f"Could not resolve {url.raw_host.decode()}: {why}"[:500])
        body = envelope(job.event_id, job.event_type, job.created_at, job.data)
        headers = {
            "Host": url.netloc.decode("ascii"),
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Nexthop-Event": job.event_type,
            "Nexthop-Delivery": str(job.id),
            signing.HEADER: signing.signature_header(job.secret, int(time.time()), body),
        }
        # Connect to the address just checked; TLS still verifies the certificate for the
        # name in the URL.
        host = url.raw_host.decode("ascii")
        extensions = {"sni_hostname": host} if url.scheme == "https" else {}
        try:
            async with client.stream(
                "POST", url.copy_with(host=address), content=body, headers=headers,
                extensions=extensions,
            ) as response:  # fmt: skip
                code = response.status_code
        except httpx.TimeoutException:
            return Outcome(job, error="Timed out waiting for the endpoint.")
        except httpx.HTTPError as exc:
            return Outcome(job, error=f"Could not connect: {exc or type(exc).__name__}"[:500])
        if retries.succeeded(code):
            return Outcome(job, response_code=code)
        if 300 <= code < 400:
            error = f"Answered {code}, a redirect; redirects are not followed: use the final URL."
        else:
            error = f"Answered {code}."
        return Outcome(job, response_code=code, error=error)

    async def _resolve(self, url: httpx.URL, allow_private: bool) -> str:
        """An address of the URL's host that deliveries may go to."""
        port = url.port or (443 if url.scheme == "https" else 80)
        host = url.raw_host.decode("ascii")
        loop = asyncio.get_running_loop()
        found = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_SECONDS
        )
        addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
        if not addresses:
            raise OSError("no address")
        if not allow_private:
            # Every address must be public: a name that also resolves inward is refused.
            for address in addresses:
                kind = targets.address_problem(ipaddress.ip_address(address))
                if kind:
                    raise Refused(f"Refused: {host} resolves to {address}, {kind}.")
        return addresses[0]


class Refused(Exception):
    """The target resolves to an address deliveries may not go to."""


def _result(outcome: Outcome, now: datetime) -> dict[str, Any]:
    job = outcome.job
    values: dict[str, Any] = {"response_code": outcome.response_code, "error": outcome.error}
    if outcome.error is None:
        return {**values, "status": DeliveryStatus.succeeded.value, "next_attempt_at": None}
    later = None
    if not outcome.permanent:
        jitter = random.uniform(0, 0.1)  # noqa: S311 - spreading retries, not a secret
        later = retries.next_attempt(
            attempts=job.attempts, queued_at=job.created_at, now=now, jitter=jitter
        )
    if later is None:
        return {**values, "status": DeliveryStatus.failed.value, "next_attempt_at": None}
    return {**values, "status": DeliveryStatus.pending.value, "next_attempt_at": later}
