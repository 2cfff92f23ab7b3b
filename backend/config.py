"""Settings, read from NEXTHOP_* environment variables and an optional .env file."""

from datetime import timedelta
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    # Each request thread may hold one connection; the pool is sized to the thread limit so a
    # thread never waits on a connection held by a request that is itself waiting for a thread.
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
    login_failures_before_lockout: int = Field(default=5, ge=1)

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'nexthop.db').as_posix()}"

    @property
    def idempotency_ttl(self) -> timedelta:
        return timedelta(hours=self.idempotency_ttl_hours)
