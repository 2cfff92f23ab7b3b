"""The user's own page: what they are curious about, and the ask they share with anyone."""

import uuid
from datetime import datetime

from pydantic import ConfigDict
from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from backend.fields import JSONList, LongText, Tags, UTCDateTime, utcnow


class ProfileBase(SQLModel):
    focus_areas: Tags = Field(
        default_factory=list,
        sa_type=JSONList,
        description="Interests, as tags; contacts and organizations sharing them align better.",
    )
    learn_from: LongText | None = Field(
        default=None, sa_type=Text, description="The kinds of people the user wants to learn from."
    )
    values: LongText | None = Field(default=None, sa_type=Text)
    situation: LongText | None = Field(
        default=None,
        sa_type=Text,
        description='E.g. "I left Somecompany after 7 years and am planning my next steps."',
    )
    ask: LongText | None = Field(
        default=None,
        sa_type=Text,
        description='One paragraph: "I\'m looking to talk to people about …".',
    )


class Profile(ProfileBase, table=True):
    """One per user, made on first write."""

    __tablename__ = "profiles"

    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    # Kept as issued (not hashed) so the user can copy the link again: it unlocks only the
    # ask the user chose to publish, which is in this same database anyway.
    share_token: str | None = Field(default=None, max_length=64, unique=True)
    share_created_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProfileUpdate(SQLModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "focus_areas": ["climate", "grid storage"],
                    "situation": "I left Somecompany after 7 years and am planning next steps.",
                    "ask": "I'm looking to talk to people about how grid storage gets built.",
                }
            ]
        }
    )

    focus_areas: Tags = Field(default=None)
    learn_from: LongText | None = None
    values: LongText | None = None
    situation: LongText | None = None
    ask: LongText | None = None


class ProfilePublic(SQLModel):
    """The profile as its owner sees it; defaults (version 0) until the first write."""

    focus_areas: list[str] = Field(default_factory=list)
    learn_from: str | None = None
    values: str | None = None
    situation: str | None = None
    ask: str | None = None
    share_url: str | None = Field(
        default=None,
        description="The public read-only page showing the ask; null while not shared.",
    )
    share_created_at: datetime | None = None
    version: int = Field(
        description="0 until the first write; send it back as If-Match on the next one."
    )
    created_at: datetime | None = None
    updated_at: datetime | None = None


class SharedProfile(SQLModel):
    """What a share link shows to anyone who has it: only what the user wrote to share."""

    display_name: str
    ask: str | None = None
    situation: str | None = None
    focus_areas: list[str] = Field(default_factory=list)
    learn_from: str | None = None
