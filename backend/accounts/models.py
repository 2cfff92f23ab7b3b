import uuid
from datetime import datetime

from pydantic import StrictBool
from sqlmodel import Field, SQLModel

from backend.fields import Email, JsonBool, Name, UTCDateTime, utcnow, uuid7
from backend.signup_mode import SignupMode
from backend.users.models import UserPublic


class UserSession(SQLModel, table=True):
    """A browser sign-in. The cookie holds a random secret; only its SHA-256 is stored."""

    __tablename__ = "user_sessions"

    id: str = Field(primary_key=True, max_length=64, description="SHA-256 of the cookie value.")
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, description="Absolute expiry.")


class Invite(SQLModel, table=True):
    __tablename__ = "invites"

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_by: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginThrottle(SQLModel, table=True):
    """Recent sign-in failures per account name or client address (`email:…`, `ip:…`)."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=400)
    failures: int = 0
    last_failure_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- API shapes ---


class Credentials(SQLModel):
    email: Email = Field(max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class NewAccount(SQLModel):
    email: Email = Field(max_length=320)
    password: str = Field(
        min_length=10,
        max_length=1024,
        description="At least 10 characters, not a common password, not the email.",
    )
    display_name: Name = Field(max_length=200)


class Signup(NewAccount):
    invite: str | None = Field(
        default=None, max_length=200, description="The invite code, when sign-up is by invite."
    )


class AdminNewUser(NewAccount):
    is_admin: JsonBool = False


class SetupState(SQLModel):
    needs_setup: bool = Field(description="True until the first account (the admin) exists.")
    signup_mode: SignupMode


class SessionInfo(SQLModel):
    user: UserPublic
    csrf_token: str | None = Field(
        description="Send as X-CSRF-Token on unsafe requests made with the session cookie."
    )
    via: str = Field(description="`session` (cookie) or `token` (bearer).")


# Booleans of a body take JSON's true or false only, never 0 or "yes" (StrictBool).
_REVOKE_TOKENS = (
    "Also revoke every API token of the account (true unless you say otherwise): whoever "
    "knew the old password may have made one."
)


class PasswordChange(SQLModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=10, max_length=1024)
    revoke_tokens: StrictBool = Field(default=True, description=_REVOKE_TOKENS)


class SignOutEverywhere(SQLModel):
    revoke_tokens: StrictBool = Field(
        default=True,
        description="Also revoke every API token of the account (true unless you say otherwise).",
    )


class PasswordReset(SQLModel):
    new_password: str = Field(min_length=10, max_length=1024)


class PasswordConfirmation(SQLModel):
    password: str = Field(min_length=1, max_length=1024)


class InviteCreated(SQLModel):
    id: uuid.UUID
    code: str = Field(description="Shown once: give it to the person you invite.")
    expires_at: datetime
