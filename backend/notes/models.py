import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import ConfigDict
from sqlalchemy import Index, String, Text
from sqlmodel import Field, SQLModel

from backend.fields import Email, IsoDate, JsonBool, LongText, Name, ShortText, Url
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
        # "My open to-dos, oldest first": the page in order from the index, no row skipped.
        Index(
            "ix_note_items_owner_category_created",
            "owner_id",
            "category",
            "status",
            "created_at",
            "id",
        ),  # fmt: skip
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


class NoteCapture(SQLModel):
    """Many note items typed as one block: one per line, each after a category prefix."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "- read: Thinking in Systems by Donella Meadows\n"
                    "- connect: Maya Okafor\n"
                    "- follow up: send Sam the battery report (due 2026-12-05)",
                }
            ]
        }
    )

    text: LongText = Field(
        min_length=1,
        description="One item per line, starting with a category and a colon: `connect:`, "
        "`follow up:`, `read:`, `look up:`, `todo:`, `think:` (or the category names, or "
        "c/f/r/l/d/t). Bullets are ignored; a line without a prefix continues the item above. "
        'A trailing "(due 2026-12-05)" or "due: 2026-12-05" sets the due date; in read items '
        'a URL becomes the link and "Title by Author" the author.',
    )
    default_category: NoteCategory | None = Field(
        default=None, description="The category of a first line that has no prefix."
    )
    dry_run: JsonBool = Field(
        default=False, description="Only parse: answer 200 with what would be created."
    )


class CapturedNoteItem(SQLModel):
    """A note item as parsed from a capture, before it is saved."""

    line: int = Field(description="The line (from 1) where the item starts.")
    category: NoteCategory
    text: str
    due_date: date | None = None
    url: str | None = None
    author: str | None = None


class CapturePreview(SQLModel):
    items: list[CapturedNoteItem]


class CaptureCreated(SQLModel):
    items: list[NoteItemPublic] = Field(description="The note items created, in text order.")


class NoteConvert(SQLModel):
    """Who a to_connect item is about: an existing contact, or the details of a person that
    is matched against the user's contacts (email, then LinkedIn URL, then exact name) and
    created when none matches."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"full_name": "Maya Okafor", "email": "maya@tidewater.example"},
                {"contact_id": "01935c4e-a011-7e24-9f5c-6a8b3c4d5e77", "create_interview": False},
            ]
        }
    )

    contact_id: uuid.UUID | None = Field(
        default=None, description="An existing contact; then give none of the details."
    )
    full_name: Name | None = Field(
        default=None,
        max_length=200,
        description="Defaults to the note's text when that is one line of at most 200 characters.",
    )
    email: Email | None = Field(default=None, max_length=320)
    linkedin_url: Url | None = Field(default=None, max_length=2048)
    title: ShortText | None = Field(default=None, max_length=200)
    organization_id: uuid.UUID | None = None
    context: LongText | None = Field(
        default=None,
        max_length=2000,
        description="How the interviewee knows them; defaults to the note's text.",
    )
    create_interview: JsonBool = Field(
        default=True, description="Also plan an interview (status idea) with them."
    )


class NoteInterviewee(SQLModel):
    id: uuid.UUID
    full_name: str


class NoteContext(SQLModel):
    """The conversation a note came from."""

    interview_id: uuid.UUID
    interviewee: NoteInterviewee
    scheduled_at: datetime | None = Field(description="When the interview is or was.")


class ListedNoteItem(NoteItemPublic):
    context: NoteContext
    recommended_by: str | None = Field(
        default=None, description="Only in the to_read list: the interviewee's name."
    )
