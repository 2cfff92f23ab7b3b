"""Settings, read from NEXTHOP_* environment variables and an optional .env file."""

import json
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from backend.hosts import default_allowed_hosts
from backend.signup_mode import SignupMode


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEXTHOP_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where the SQLite file lives.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; empty means SQLite at <data_dir>/nexthop.db.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Larger bodies get 413.")
    max_import_bytes: int = Field(
        default=33_554_432,
        ge=1024,
        description="The limit for uploads to /api/v1/imports/ (files, backups) instead.",
    )
    # Threads for sync endpoints (the writes), and as many again for reads that leave the event
    # loop (backend.reads). Each may hold one connection; the pool is sized to both so a thread
    # never waits on a connection held by a request that is itself waiting for a thread.
    # Few: SQLite work is CPU-bound under the GIL, and every thread more adds GIL hand-offs
    # (sqlite3 releases it for each row) without adding throughput; measured with `make bench`.
    worker_threads: int = Field(default=4, ge=1, le=256)
    page_size_max: int = Field(default=200, ge=1)
    sqlite_busy_timeout_ms: int = 10_000
    idempotency_ttl_hours: int = 24
    signup_mode: SignupMode = Field(
        default=SignupMode.closed,
        description="After the first account: closed (the admin adds users), invite, or open.",
    )
    session_idle_hours: int = Field(default=72, ge=1, description="Sign-out after this idle.")
    session_max_days: int = Field(default=30, ge=1, description="Sign-out after this at most.")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses of reverse proxies whose X-Forwarded-For/-Proto are believed.",
    )
    # Not decoded by pydantic-settings, which refuses an empty variable: _empty_is_default.
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names (or addresses) requests may name in Host; `*.example.com` "
        "for its subdomains, `*` for any. Empty: localhost, 127.0.0.1, ::1 and `host`.",
    )
    login_failures_before_lockout: int = Field(default=5, ge=1)
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="Let webhooks deliver to loopback, private and link-local addresses "
        "(tests, or receivers on the same private network).",
    )
    log_format: Literal["json", "text"] = Field(
        default="json", description="json: one JSON object per line, with the request id."
    )
    access_log: bool = Field(default=True, description="One log line per request.")
    metrics_enabled: bool = Field(default=False, description="Serve /metrics (else 404).")
    metrics_token: str | None = Field(
        default=None, description="If set, /metrics wants `Authorization: Bearer <token>`."
    )
    backup_dir: Path | None = Field(
        default=None, description="Where backups go; empty means <data_dir>/backups."
    )
    backup_interval_minutes: int = Field(
        default=0, ge=0, description="Scheduled backups by the app; 0 turns them off."
    )
    backup_keep: int = Field(default=7, ge=1, description="Newest backups kept; older deleted.")
    # Slow or too many clients (`serve` only): uvicorn has no header or body read timeout, so
    # these bound idle connections and concurrency; a reverse proxy bounds slow clients.
    timeout_keep_alive_seconds: int = Field(default=5, ge=1, le=300)
    limit_concurrency: int = Field(
        default=1000, ge=1, description="Connections per process before new ones get 503."
    )
    timeout_graceful_shutdown_seconds: int = Field(default=30, ge=1)
    # Per-user rate limits (429 with Retry-After), counted in the database for all workers.
    rate_limits_enabled: bool = Field(default=True, description="False turns every limit off.")
    rate_limit_window_seconds: int = Field(
        default=60, ge=1, le=86_400, description="The sliding window the limits count in."
    )
    rate_limit_writes: int = Field(
        default=1200, ge=0, description="Changes (POST, PUT, PATCH, DELETE) per user per window."
    )
    rate_limit_transfer: int = Field(
        default=60, ge=0, description="Imports (files, backups) and exports per user per window."
    )
    rate_limit_search: int = Field(
        default=600, ge=0, description="Searches (lists filtered by `q`) per user per window."
    )
    rate_limit_network: int = Field(
        default=300, ge=0, description="Warm paths, network graph and alignment per user."
    )
    rate_limit_messages: int = Field(
        default=600, ge=0, description="Messages composed from templates per user per window."
    )

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'nexthop.db').as_posix()}"

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        # NEXTHOP_ALLOWED_HOSTS= (as compose passes an unset variable) means the default;
        # anything else is the JSON list the other list settings take.
        if isinstance(value, str):
            return json.loads(value) if value.strip() else []
        return [] if value is None else value

    @property
    def effective_allowed_hosts(self) -> list[str]:
        # An empty list would refuse every request: empty means the default instead.
        return self.allowed_hosts or default_allowed_hosts(self.host)

    @property
    def effective_backup_dir(self) -> Path:
        return self.backup_dir if self.backup_dir is not None else self.data_dir / "backups"

    @property
    def idempotency_ttl(self) -> timedelta:
        return timedelta(hours=self.idempotency_ttl_hours)
