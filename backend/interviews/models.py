import uuid
from datetime import datetime

from pydantic import ConfigDict
from sqlalchemy import Index, String, Text
from sqlmodel import Field, SQLModel

from backend.fields import Instant, JSONList, LongText, ShortText, Url, UTCDateTime
from backend.interviews.lifecycle import InterviewStatus
from backend.notes.models import NoteItemPublic
from backend.rows import OwnedRow, RowMeta

Topic = ShortText


class ChecklistItem(SQLModel):
    text: ShortText = Field(min_length=1, max_length=200)
    done: bool = False


class ProposedSlot(SQLModel):
    """A time offered to the interviewee; picking one schedules the interview."""

    starts_at: Instant = Field(description="Must carry a UTC offset.")
    duration_minutes: int | None = Field(default=None, ge=10, le=240)
    location: ShortText | None = Field(default=None, max_length=200)


class InterviewBase(SQLModel):
    contact_id: uuid.UUID = Field(
        foreign_key="contacts.id", ondelete="RESTRICT", description="The interviewee."
    )
    status: InterviewStatus = Field(default=InterviewStatus.idea, sa_type=String(20))
    scheduled_at: Instant | None = Field(
        default=None, sa_type=UTCDateTime, description="Start time; must carry a UTC offset."
    )
    duration_minutes: int = Field(
        default=45, ge=10, le=240, description="30–60 minutes is typical."
    )
    location: ShortText | None = Field(default=None, max_length=200)
    meeting_url: Url | None = Field(default=None, max_length=2048)
    time_confirmed: bool = Field(
        default=False, description="Did the interviewee confirm how much time they have?"
    )
    agenda: list[Topic] = Field(
        default_factory=list,
        sa_type=JSONList,
        max_length=100,
        description="Topics to cover, in order.",
    )
    research_notes: LongText | None = Field(default=None, sa_type=Text)
    checklist: list[ChecklistItem] = Field(default_factory=list, sa_type=JSONList, max_length=100)
    summary: LongText | None = Field(default=None, sa_type=Text)
    outreach_sent_at: Instant | None = Field(default=None, sa_type=UTCDateTime)
    thank_you_sent_at: Instant | None = Field(default=None, sa_type=UTCDateTime)
    follow_up_sent_at: Instant | None = Field(
        default=None, sa_type=UTCDateTime, description="When the gentle follow-up went out."
    )
    proposed_slots: list[ProposedSlot] = Field(
        default_factory=list,
        sa_type=JSONList,
        max_length=20,
        description="Times offered to the interviewee, to pick one from.",
    )
    no_connection_dismissed: bool = Field(
        default=False,
        description="The user accepts that this conversation yielded no new connection.",
    )


class Interview(InterviewBase, OwnedRow, table=True):
    __tablename__ = "interviews"
    __table_args__ = (
        Index("ix_interviews_owner_scheduled", "owner_id", "scheduled_at", "id"),
        Index("ix_interviews_owner_created", "owner_id", "created_at", "id"),
        Index("ix_interviews_owner_contact", "owner_id", "contact_id"),
        Index("ix_interviews_owner_status", "owner_id", "status"),
    )


class InterviewCreate(InterviewBase):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contact_id": "01935c4e-8f10-7cc1-9d0a-3b6f1a2e4c55",
                    "status": "scheduled",
                    "scheduled_at": "2026-12-03T08:30:00-05:00",
                    "duration_minutes": 45,
                    "location": "Blue Bottle, 3rd Street",
                    "agenda": ["Her path into storage", "What the team looks for"],
                    "checklist": [{"text": "Bring a notebook and pen", "done": False}],
                }
            ]
        }
    )

    id: uuid.UUID | None = Field(
        default=None, description="Client-chosen UUID; repeating a create with it is harmless."
    )


class InterviewPublic(InterviewBase, RowMeta):
    scheduled_at: datetime | None = None
    outreach_sent_at: datetime | None = None
    thank_you_sent_at: datetime | None = None
    follow_up_sent_at: datetime | None = None


class InterviewUpdate(SQLModel):
    contact_id: uuid.UUID = Field(default=None)
    status: InterviewStatus = Field(default=None)
    scheduled_at: Instant | None = None
    duration_minutes: int = Field(default=None, ge=10, le=240)
    location: ShortText | None = Field(default=None, max_length=200)
    meeting_url: Url | None = Field(default=None, max_length=2048)
    time_confirmed: bool = Field(default=None)
    agenda: list[Topic] = Field(default=None, max_length=100)
    research_notes: LongText | None = None
    checklist: list[ChecklistItem] = Field(default=None, max_length=100)
    summary: LongText | None = None
    outreach_sent_at: Instant | None = None
    thank_you_sent_at: Instant | None = None
    follow_up_sent_at: Instant | None = None
    proposed_slots: list[ProposedSlot] = Field(default=None, max_length=20)
    no_connection_dismissed: bool = Field(default=None)


class InterviewDetail(InterviewPublic):
    note_items: list[NoteItemPublic] = Field(
        default_factory=list, description="Notes from this interview, oldest first."
    )
