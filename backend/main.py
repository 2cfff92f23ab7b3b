"""The application factory: routers, error handlers, limits and the static frontend."""

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import cache
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import FileResponse
from sqlalchemy import Engine
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from backend import migrations
from backend.accounts.router import admin_router
from backend.accounts.router import router as accounts_router
from backend.audit.router import router as history_router
from backend.backups.schedule import run_schedule
from backend.calendar.router import router as calendar_router
from backend.config import Settings
from backend.contacts.router import router as contacts_router
from backend.db import make_engine, write_engine
from backend.errors import COMMON_PROBLEMS, install_handlers
from backend.head_requests import HeadAsGet
from backend.hosts import AllowedHosts
from backend.inbox.router import router as inbox_router
from backend.interviews.router import router as interviews_router
from backend.limits import BodySizeLimit
from backend.messages.router import router as messages_router
from backend.network.router import router as network_router
from backend.notes.router import router as notes_router
from backend.observability.metrics import build_metrics
from backend.observability.middleware import RequestObservability
from backend.openapi import install_openapi
from backend.opportunities.router import router as opportunities_router
from backend.organizations.router import router as organizations_router
from backend.outages import DiskWatch, sqlite_dir
from backend.profiles.router import router as profiles_router
from backend.ratelimits import dependency as ratelimits
from backend.ratelimits.service import RateLimiter
from backend.reads import Reads
from backend.referrals.router import router as referrals_router
from backend.routing import operation_id
from backend.search.router import router as search_router
from backend.security_headers import SecurityHeaders
from backend.settings_errors import settings_or_exit
from backend.static_files import frontend_files
from backend.system.router import router as system_router
from backend.tokens.router import router as tokens_router
from backend.transfer.router import router as transfer_router
from backend.webhooks.router import router as webhooks_router
from backend.webhooks.worker import WebhookWorker

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"

DESCRIPTION = """Nexthop tracks a professional network grown through informational interviews:
organizations, contacts, interviews, the notes taken after each one and the referrals they
lead to.

Authenticate with the session cookie from `POST /api/v1/auth/login` (unsafe requests also
send its `X-CSRF-Token`), or with a personal access token: `Authorization: Bearer <token>`.

Errors are RFC 9457 problem documents. Lists use keyset pagination (`cursor`). Creates are
safe to retry (client-chosen `id` or an `Idempotency-Key` header). Every resource has a
`version`, returned as an ETag: send it back in `If-Match` and a stale write answers 412."""


@cache
def _freeze_startup_objects() -> None:
    """Once per process: what startup built (modules, routes, models, statements) lives as
    long as the process, so the garbage collector stops walking it. Under load a full
    collection walked ~190,000 objects and paused the event loop for ~80 ms, the p99 of
    every read (README "Performance")."""
    gc.freeze()


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    # From the environment: a bad setting ends start-up with one line naming it (exit 2).
    settings = settings or settings_or_exit()
    engine = engine or make_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The pool holds more connections than there are threads: see Settings.worker_threads.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        migrations.ensure_current(engine)
        backups = _start_backups(settings)
        # Sends the webhook outbox in the background; requests only write to it.
        webhooks = WebhookWorker(
            engine=engine,
            reads=app.state.reads,
            write_engine=app.state.write_engine,
            settings=settings,
            disk=app.state.disk,
        )
        webhooks.start()
        if metrics is not None:
            metrics.start()
        _freeze_startup_objects()
        yield
        if metrics is not None:
            await metrics.stop()
        await webhooks.stop()
        app.state.reads.close()
        limiter.close()
        if backups is not None:
            backups.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await backups

    app = FastAPI(
        title="Nexthop",
        version="1.0.0",
        summary="Track informational interviews and the network they grow.",
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        responses=COMMON_PROBLEMS,
        # The interactive docs page loads its scripts from a CDN: not under our CSP, not offline.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.write_engine = write_engine(engine)
    app.state.reads = Reads(engine, settings.worker_threads)
    # Whether the database's disk is full, for /readyz (backend.outages).
    app.state.disk = DiskWatch(sqlite_dir(engine))
    metrics = build_metrics(engine) if settings.metrics_enabled else None
    if metrics is not None:
        app.state.metrics_registry = metrics.registry
    install_handlers(app)
    install_openapi(app)
    # Per-user rate limits, counted as soon as a request's principal is known.
    limiter = RateLimiter(settings, engine)
    ratelimits.install(app, limiter)
    for router in (
        organizations_router,
        contacts_router,
        interviews_router,
        notes_router,
        referrals_router,
        opportunities_router,
        profiles_router,
        messages_router,
        network_router,
        inbox_router,
        search_router,
        transfer_router,
        calendar_router,
        webhooks_router,
        history_router,
        accounts_router,
        admin_router,
        tokens_router,
        system_router,
    ):
        app.include_router(router)
    # Innermost: the routes see a GET, everything outside it the HEAD that was asked.
    app.add_middleware(HeadAsGet)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # Before anything reads the request: a DNS-rebinding page names its own host.
    app.add_middleware(AllowedHosts, allowed=settings.effective_allowed_hosts)
    app.add_middleware(SecurityHeaders)
    # Outermost but for the proxy headers (so it logs the real client): the request id is set
    # before anything else runs and every response, errors included, carries it.
    app.add_middleware(
        RequestObservability,
        metrics=metrics.http if metrics is not None else None,
        log_requests=settings.access_log,
    )
    # Believe X-Forwarded-For/-Proto only from the configured proxies (uvicorn's own code).
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies or [])
    _mount_frontend(app)
    logging.getLogger("nexthop").setLevel(settings.log_level.upper())
    return app


def _start_backups(settings: Settings) -> "asyncio.Task[None] | None":
    """Scheduled backups, when configured: a background task that never holds a request."""
    if not settings.backup_interval_minutes:
        return None
    return asyncio.create_task(
        run_schedule(
            settings.effective_database_url,
            settings.effective_backup_dir,
            settings.backup_keep,
            timedelta(minutes=settings.backup_interval_minutes),
        ),
        name="nexthop-backups",
    )


def _mount_frontend(app: FastAPI) -> None:
    index = FRONTEND / "index.html"

    # Client-side routes (/contacts/…) all load the same page; the app routes in the browser.
    @app.get("/", include_in_schema=False)
    @app.get("/app/{path:path}", include_in_schema=False)
    async def spa(path: str = "") -> FileResponse:
        return FileResponse(index)

    # The service worker must be served at or above /app/ to control it; no-cache so that
    # a new version is picked up on the next visit.
    @app.get("/sw.js", include_in_schema=False)
    async def service_worker() -> FileResponse:
        headers = {"Cache-Control": "no-cache"}
        return FileResponse(FRONTEND / "sw.js", media_type="text/javascript", headers=headers)

    @app.get("/manifest.webmanifest", include_in_schema=False)
    async def manifest() -> FileResponse:
        path = FRONTEND / "manifest.webmanifest"
        return FileResponse(path, media_type="application/manifest+json")

    app.mount("/static", frontend_files(str(FRONTEND)), name="static")
