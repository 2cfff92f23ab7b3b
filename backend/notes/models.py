import uuid
from enum import StrEnum

from pydantic import ConfigDict
from sqlalchemy import Index, String, Text
from sqlmodel import Field, SQLModel

from backend.fields import IsoDate, LongText, ShortText, Url
from backend.rows import OwnedRow, RowMeta


class NoteCategory(StrEnum):
    """The six ways the method sorts what came out of a conversation."""

    to_connect = "to_connect"
    to_follow_up = "to_follow_up"
    to_read = "to_read"
    to_look_up = "to_look_up"
    to_do = "to_do"
    to_think_about = "to_think_about"


class NoteStatus(StrEnum):
    open = "open"
    done = "done"


class NoteItemBase(SQLModel):
    interview_id: uuid.UUID = Field(foreign_key="interviews.id", ondelete="CASCADE")
    category: NoteCategory = Field(sa_type=String(20))
    text: LongText = Field(min_length=1, sa_type=Text)
    status: NoteStatus = Field(default=NoteStatus.open, sa_type=String(10))
    due_date: IsoDate | None = None
    contact_id: uuid.UUID | None = Field(
        default=None,
        foreign_key="contacts.id",
        ondelete="SET NULL",
        description="For to_connect: the person offered, once they are a contact.",
    )
    url: Url | None = Field(default=None, max_length=2048, description="E.g. what to read.")
    author: ShortText | None = Field(
        default=None, max_length=200, description="For to_read: who wrote it."
    )


class NoteItem(NoteItemBase, OwnedRow, table=True):
    __tablename__ = "note_items"
    __table_args__ = (
        Index("ix_note_items_owner_interview", "owner_id", "interview_id", "created_at", "id"),
        Index("ix_note_items_owner_created", "owner_id", "created_at", "id"),
        Index("ix_note_items_owner_category", "owner_id", "category", "status", "due_date"),
        Index("ix_note_items_owner_due", "owner_id", "due_date", "id"),
        Index("ix_note_items_contact", "contact_id"),
        Index("ix_note_items_produced_referral", "produced_referral_id"),
        Index("ix_note_items_produced_interview", "produced_interview_id"),
    )

    # What converting a to_connect item produced (the contact is `contact_id`).
    produced_referral_id: uuid.UUID | None = Field(
        default=None, foreign_key="referrals.id", ondelete="SET NULL"
    )
    produced_interview_id: uuid.UUID | None = Field(
        default=None, foreign_key="interviews.id", ondelete="SET NULL"
    )


class NoteItemCreate(NoteItemBase):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "interview_id": "01935c4e-9a22-7d13-8c4b-5e7f2a3b4c66",
                    "category": "to_follow_up",
                    "text": "Send her the battery-recycling report I mentioned",
                    "due_date": "2026-12-05",
                }
            ]
        }
    )

    id: uuid.UUID | None = Field(
        default=None,
        description="Client-chosen UUID; an offline phone retrying a note never duplicates it.",
    )


class NoteItemPublic(NoteItemBase, RowMeta):
    produced_referral_id: uuid.UUID | None = Field(
        default=None, description="For a converted to_connect: the referral edge it made."
    )
    produced_interview_id: uuid.UUID | None = Field(
        default=None, description="For a converted to_connect: the new interview it made."
    )


class NoteItemUpdate(SQLModel):
    category: NoteCategory = Field(default=None)
    text: LongText = Field(default=None, min_length=1)
    status: NoteStatus = Field(default=None)
    due_date: IsoDate | None = None
    contact_id: uuid.UUID | None = None
    url: Url | None = Field(default=None, max_length=2048)
    author: ShortText | None = Field(default=None, max_length=200)
