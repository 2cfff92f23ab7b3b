import uuid
from enum import StrEnum

from pydantic import ConfigDict
from sqlalchemy import Index, String, Text
from sqlmodel import Field, SQLModel

from backend.fields import Email, IsoDate, JSONList, LongText, Name, Phone, ShortText, Tags, Url
from backend.rows import OwnedRow, RowMeta


class ContactStatus(StrEnum):
    """Where the relationship stands; `keep_in_touch` and `dormant` follow `met`."""

    identified = "identified"
    reached_out = "reached_out"
    scheduled = "scheduled"
    met = "met"
    keep_in_touch = "keep_in_touch"
    dormant = "dormant"


class ContactBase(SQLModel):
    full_name: Name = Field(max_length=200)
    email: Email | None = Field(default=None, max_length=320)
    phone: Phone | None = Field(default=None, max_length=50)
    linkedin_url: Url | None = Field(default=None, max_length=2048)
    organization_id: uuid.UUID | None = Field(
        default=None, foreign_key="organizations.id", ondelete="SET NULL"
    )
    title: ShortText | None = Field(default=None, max_length=200)
    location: ShortText | None = Field(default=None, max_length=200)
    tags: Tags = Field(default_factory=list, sa_type=JSONList)
    how_we_met: LongText | None = Field(default=None, sa_type=Text)
    notes: LongText | None = Field(default=None, sa_type=Text)
    status: ContactStatus = Field(default=ContactStatus.identified, sa_type=String(20))
    next_follow_up: IsoDate | None = None


class Contact(ContactBase, OwnedRow, table=True):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_owner_name", "owner_id", "name_key", "id"),
        Index("ix_contacts_owner_created", "owner_id", "created_at", "id"),
        Index("ix_contacts_owner_updated", "owner_id", "updated_at", "id"),
        Index("ix_contacts_owner_follow_up", "owner_id", "next_follow_up"),
        Index("ix_contacts_owner_org", "owner_id", "organization_id"),
        Index("ix_contacts_owner_status", "owner_id", "status"),
    )

    name_key: str = Field(max_length=200)


class ContactCreate(ContactBase):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "full_name": "Maya Okafor",
                    "email": "maya@tidewater.example",
                    "title": "Head of Grid Storage",
                    "how_we_met": "Introduced by Sam after the climate meetup",
                    "tags": ["climate", "storage"],
                    "status": "identified",
                }
            ]
        }
    )

    id: uuid.UUID | None = Field(
        default=None, description="Client-chosen UUID; repeating a create with it is harmless."
    )


class ContactPublic(ContactBase, RowMeta):
    pass


class ContactUpdate(SQLModel):
    full_name: Name = Field(default=None, max_length=200)
    email: Email | None = Field(default=None, max_length=320)
    phone: Phone | None = Field(default=None, max_length=50)
    linkedin_url: Url | None = Field(default=None, max_length=2048)
    organization_id: uuid.UUID | None = None
    title: ShortText | None = Field(default=None, max_length=200)
    location: ShortText | None = Field(default=None, max_length=200)
    tags: Tags = Field(default=None)
    how_we_met: LongText | None = None
    notes: LongText | None = None
    status: ContactStatus = Field(default=None)
    next_follow_up: IsoDate | None = None
