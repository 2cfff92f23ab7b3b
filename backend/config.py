"""Settings, read from NEXTHOP_* environment variables and an optional .env file.

Every setting has a range or a set of values; `load_settings` turns a bad one into one line
naming the variable and what it accepts (see backend.settings_check)."""

import ipaddress
import json
import re
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from backend.hosts import default_allowed_hosts
from backend.signup_mode import SignupMode


class LogLevel(StrEnum):
    """The levels `NEXTHOP_LOG_LEVEL` takes, in any case (`info` is `INFO`)."""

    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"
    CRITICAL = "CRITICAL"

    @classmethod
    def _missing_(cls, value: object) -> "LogLevel | None":
        return cls.__members__.get(value.upper()) if isinstance(value, str) else None


def _blank_is_none(value: Any) -> Any:
    # An empty variable (`NEXTHOP_DATABASE_URL=`) means "not set", as the README says.
    return None if isinstance(value, str) and not value.strip() else value


def _database_url(url: str | None) -> str | None:
    if url is None:
        return None
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        backend = None
    if backend not in ("sqlite", "postgresql", "postgres"):
        raise ValueError("a sqlite:// or postgresql:// URL, or empty for SQLite in the data dir")
    return url


def _directory(path: Path | None) -> Path | None:
    if path is not None and (not str(path).strip() or (path.exists() and not path.is_dir())):
        raise ValueError("a directory (a path that is not a file)")
    return path


_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$")  # fmt: skip


def _host(host: str) -> str:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not _HOSTNAME.match(host):
            raise ValueError("an IP address or a host name, e.g. 127.0.0.1 or 0.0.0.0") from None
    return host


def _json_list(expected: str) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        # Parsed here rather than by pydantic-settings, whose error for bad JSON stops at the
        # first such variable and names no value. An empty variable is an empty list.
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else []
            except json.JSONDecodeError:
                raise ValueError(expected) from None
        if value is None:
            value = []
        if not isinstance(value, list):
            raise ValueError(expected)
        return value

    return parse


_PROXIES = 'a JSON list of IP addresses or networks, e.g. ["10.0.0.1", "172.16.0.0/12"], or ["*"]'
_HOSTS = (
    'a JSON list of host names or addresses, e.g. ["nexthop.example.com", "*.example.org"], '
    'or ["*"]; empty for the loopback names'
)


def _allowed_host(entry: Any) -> str:
    if not isinstance(entry, str):
        raise ValueError(_HOSTS)
    name = entry.strip().removeprefix("*.").strip("[]")
    if entry.strip() != "*":
        try:
            _host(name)
        except ValueError:
            raise ValueError(_HOSTS) from None
    return entry


def _proxy(entry: Any) -> str:
    if not isinstance(entry, str):
        raise ValueError(_PROXIES)
    if entry != "*":
        try:
            # strict: a network with host bits set would be taken by uvicorn as a literal
            # name that never matches, trusting nobody without a word.
            ipaddress.ip_network(entry, strict=True)
        except ValueError:
            raise ValueError(_PROXIES) from None
    return entry


def _token(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[\x21-\x7e]{1,1024}", value):
        raise ValueError("up to 1024 printable ASCII characters without spaces, or empty")
    return value


DatabaseUrl = Annotated[str | None, BeforeValidator(_blank_is_none), AfterValidator(_database_url)]
Directory = Annotated[Path, AfterValidator(_directory)]
OptionalDirectory = Annotated[
    Path | None, BeforeValidator(_blank_is_none), AfterValidator(_directory)
]
Host = Annotated[str, AfterValidator(_host)]
TrustedProxies = Annotated[
    list[Annotated[str, BeforeValidator(_proxy)]], NoDecode, BeforeValidator(_json_list(_PROXIES))
]
AllowedHosts = Annotated[
    list[Annotated[str, BeforeValidator(_allowed_host)]],
    NoDecode,
    BeforeValidator(_json_list(_HOSTS)),
]
Token = Annotated[str | None, BeforeValidator(_blank_is_none), AfterValidator(_token)]

# Upper bounds: far beyond any sensible value, low enough to catch a typo or a unit mistake.
HOUR_MAX, DAY_MAX, COUNT_MAX = 24 * 365, 3650, 1_000_000


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEXTHOP_", env_file=".env", extra="ignore")

    data_dir: Directory = Field(default=Path("data"), description="Where the SQLite file lives.")
    database_url: DatabaseUrl = Field(
        default=None,
        description="SQLAlchemy URL; empty means SQLite at <data_dir>/nexthop.db.",
    )
    host: Host = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65_535, description="0: any free port.")
    log_level: LogLevel = LogLevel.INFO
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, le=2**30, description="Larger bodies get 413."
    )
    max_import_bytes: int = Field(
        default=33_554_432,
        ge=1024,
        le=2**32,
        description="The limit for uploads to /api/v1/imports/ (files, backups) instead.",
    )
    # Threads for sync endpoints (the writes), and as many again for reads that leave the event
    # loop (backend.reads). Each may hold one connection; the pool is sized to both so a thread
    # never waits on a connection held by a request that is itself waiting for a thread.
    # Few: SQLite work is CPU-bound under the GIL, and every thread more adds GIL hand-offs
    # (sqlite3 releases it for each row) without adding throughput; measured with `make bench`.
    worker_threads: int = Field(default=4, ge=1, le=256)
    page_size_max: int = Field(default=200, ge=1, le=10_000)
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=1, le=600_000)
    idempotency_ttl_hours: int = Field(default=24, ge=1, le=HOUR_MAX)
    signup_mode: SignupMode = Field(
        default=SignupMode.closed,
        description="After the first account: closed (the admin adds users), invite, or open.",
    )
    session_idle_hours: int = Field(
        default=72, ge=1, le=HOUR_MAX, description="Sign-out after this idle."
    )
    session_max_days: int = Field(
        default=30, ge=1, le=DAY_MAX, description="Sign-out after this at most."
    )
    trusted_proxies: TrustedProxies = Field(
        default_factory=list,
        description="Addresses of reverse proxies whose X-Forwarded-For/-Proto are believed.",
    )
    allowed_hosts: AllowedHosts = Field(
        default_factory=list,
        description="Host names (or addresses) requests may name in Host; `*.example.com` "
        "for its subdomains, `*` for any. Empty: localhost, 127.0.0.1, ::1 and `host`.",
    )
    login_failures_before_lockout: int = Field(default=5, ge=1, le=1000)
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
    metrics_token: Token = Field(
        default=None, description="If set, /metrics wants `Authorization: Bearer <token>`."
    )
    backup_dir: OptionalDirectory = Field(
        default=None, description="Where backups go; empty means <data_dir>/backups."
    )
    backup_interval_minutes: int = Field(
        default=0,
        ge=0,
        le=60 * HOUR_MAX,
        description="Scheduled backups by the app; 0 turns them off.",
    )
    backup_keep: int = Field(
        default=7, ge=1, le=10_000, description="Newest backups kept; older deleted."
    )
    # Slow or too many clients (`serve` only): uvicorn has no header or body read timeout, so
    # these bound idle connections and concurrency; a reverse proxy bounds slow clients.
    timeout_keep_alive_seconds: int = Field(default=5, ge=1, le=300)
    limit_concurrency: int = Field(
        default=1000,
        ge=1,
        le=COUNT_MAX,
        description="Connections per process before new ones get 503.",
    )
    timeout_graceful_shutdown_seconds: int = Field(default=30, ge=1, le=3600)
    # Per-user rate limits (429 with Retry-After), counted in the database for all workers.
    rate_limits_enabled: bool = Field(default=True, description="False turns every limit off.")
    rate_limit_window_seconds: int = Field(
        default=60, ge=1, le=86_400, description="The sliding window the limits count in."
    )
    rate_limit_writes: int = Field(
        default=1200,
        ge=0,
        le=COUNT_MAX,
        description="Changes (POST, PUT, PATCH, DELETE) per user per window.",
    )
    rate_limit_transfer: int = Field(
        default=60,
        ge=0,
        le=COUNT_MAX,
        description="Imports (files, backups) and exports per user per window.",
    )
    rate_limit_search: int = Field(
        default=600,
        ge=0,
        le=COUNT_MAX,
        description="Searches (lists filtered by `q`) per user per window.",
    )
    rate_limit_network: int = Field(
        default=300,
        ge=0,
        le=COUNT_MAX,
        description="Warm paths, network graph and alignment per user.",
    )
    rate_limit_messages: int = Field(
        default=600,
        ge=0,
        le=COUNT_MAX,
        description="Messages composed from templates per user per window.",
    )

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'nexthop.db').as_posix()}"

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
