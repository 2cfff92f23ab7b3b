"""Columns every user-owned table carries."""

import uuid
from datetime import datetime

from sqlalchemy import MetaData
from sqlmodel import Field, SQLModel

from backend.fields import UTCDateTime, utcnow, uuid7

metadata: MetaData = SQLModel.metadata


class OwnedRow(SQLModel):
    """Identity, ownership, optimistic-concurrency version and timestamps."""

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RowMeta(SQLModel):
    """What every public representation adds to the data the client sent."""

    id: uuid.UUID
    version: int = Field(description="Bumped by every change; send it back as If-Match.")
    created_at: datetime
    updated_at: datetime
