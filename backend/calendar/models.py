"""The calendar feed: one secret link per user that calendar apps subscribe to."""

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from backend.fields import UTCDateTime, utcnow


class CalendarFeed(SQLModel, table=True):
    """At most one per user; rotating replaces the token, revoking deletes the row."""

    __tablename__ = "calendar_feeds"

    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    # Kept as issued (not hashed) so the user can copy the link again, like a profile's share
    # link: it unlocks only a read of the user's own schedule.
    token: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CalendarFeedPublic(SQLModel):
    url: str | None = Field(
        description="Subscribe to this in a calendar app; it works without signing in. "
        "Null while there is no feed."
    )
    webcal_url: str | None = Field(
        description="The same link as webcal://, which many systems open in their calendar app."
    )
    created_at: datetime | None = Field(description="When the current link was made.")
