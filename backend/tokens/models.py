import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from backend.fields import Instant, Name, UTCDateTime, utcnow, uuid7


class TokenScope(StrEnum):
    read = "read"
    read_write = "read_write"


class ApiToken(SQLModel, table=True):
    """A personal access token. Only the SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=200)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=20, description="The first characters, to recognise it.")
    scope: TokenScope = Field(sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TokenCreate(SQLModel):
    name: Name = Field(max_length=200)
    scope: TokenScope = TokenScope.read_write
    expires_at: Instant | None = Field(default=None, description="Never, if absent.")


class TokenPublic(SQLModel):
    id: uuid.UUID
    name: str
    prefix: str
    scope: TokenScope
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenPublic):
    secret: str = Field(description="Shown once. Send it as `Authorization: Bearer <secret>`.")
