import uuid
from datetime import datetime

from pydantic import StrictBool
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from backend.fields import UTCDateTime, utcnow, uuid7


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    email: str = Field(max_length=320, unique=True, description="Stored lower-cased.")
    display_name: str = Field(max_length=200)
    # None: the account cannot sign in with a password (only with API tokens).
    password_hash: str | None = Field(default=None, max_length=200)
    is_admin: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Set by an administrator: the account cannot sign in, and its sessions and tokens are
    # refused, until it is enabled again.
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserPublic(SQLModel):
    id: uuid.UUID
    email: str
    display_name: str
    is_admin: bool
    created_at: datetime


class UserAdminView(UserPublic):
    """An account as the administrator sees it."""

    disabled_at: datetime | None = Field(
        description="When an administrator disabled the account; null while it is enabled."
    )


class UserAdminUpdate(SQLModel):
    """What an administrator may change of an account; absent fields stay as they are.
    JSON's true and false only: a 0 must not enable or disable anyone."""

    disabled: StrictBool | None = Field(
        default=None,
        description="true: the account cannot sign in and its sessions end and its API "
        "tokens are refused at once (they work again when it is enabled: revoke them too if "
        "the account was compromised). false: enabled again.",
    )
    is_admin: StrictBool | None = Field(
        default=None, description="Make or unmake an administrator."
    )
