import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from backend.fields import UTCDateTime, utcnow, uuid7


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    display_name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UserPublic(SQLModel):
    id: uuid.UUID
    email: str
    display_name: str
