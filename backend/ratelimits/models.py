"""Per-user request counters, one row per user and bucket, shared by every worker."""

import uuid

from sqlalchemy import BigInteger, String
from sqlmodel import Field, SQLModel


class RateLimitCounter(SQLModel, table=True):
    """A sliding-window counter (see backend.ratelimits.window): the requests let through in
    the current window and in the one before it. One row per user and bucket, rolled over
    in place, so the table never grows beyond users × buckets and needs no clean-up."""

    __tablename__ = "rate_limit_counters"

    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    bucket: str = Field(sa_type=String(20), primary_key=True)
    # Start of the current window, in whole seconds since the epoch (a multiple of its length).
    window_start: int = Field(sa_type=BigInteger)
    # Requests let through in the current window and in the one before it.
    hits: int
    previous_hits: int
    # Whether the request that last wrote the row was let through.
    allowed: bool
