import uuid
from datetime import datetime

from sqlalchemy import LargeBinary
from sqlmodel import Field, SQLModel

from backend.fields import UTCDateTime, utcnow


class IdempotencyRecord(SQLModel, table=True):
    """The first response to a create sent with an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_keys"

    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    key: str = Field(max_length=255, primary_key=True)
    fingerprint: str = Field(max_length=64, description="Hash of method, path and body.")
    status_code: int
    location: str | None = Field(default=None, max_length=500)
    body: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
