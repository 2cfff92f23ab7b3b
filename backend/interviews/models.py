import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Index, String, Text
from sqlmodel import Field, SQLModel

from backend.fields import (
    Instant,
    JsonBool,
    JSONList,
    LongText,
    ShortText,
    Url,
    UTCDateTime,
    json_integers,
)
from backend.interviews.lifecycle import InterviewStatus
from backend.interviews.method import NO_CONNECTION, default_checklist
from backend.notes.models import NoteItemPublic
from backend.referrals.models import ReferralStatus
from backend.rows import OwnedRow, RowMeta

Topic = ShortText


class ChecklistItem(SQLModel):
    text: ShortText = Field(min_length=1, max_length=200)
    done: JsonBool = False


class ProposedSlot(SQLModel):
    """A time offered to the interviewee; picking one schedules the interview."""

    starts_at: Instant = Field(description="Must carry a UTC offset.")
    duration_minutes: int | None = Field(default=None, ge=10, le=240)
    location: ShortText | None = Field(default=None, max_length=200)

    _integers = json_integers("duration_minutes")


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
    time_confirmed: JsonBool = Field(
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
    no_connection_dismissed: JsonBool = Field(
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
    checklist: list[ChecklistItem] = Field(
        default_factory=lambda: [ChecklistItem.model_validate(i) for i in default_checklist()],
        max_length=100,
        description="Left out: the method's checklist (notebook and pen, dress for their "
        "workplace, confirm their time, research, your questions, ask who else to talk to). "
        "`[]` means none.",
    )

    _integers = json_integers("duration_minutes")


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
    time_confirmed: JsonBool = Field(default=None)
    agenda: list[Topic] = Field(default=None, max_length=100)
    research_notes: LongText | None = None
    checklist: list[ChecklistItem] = Field(default=None, max_length=100)
    summary: LongText | None = None
    outreach_sent_at: Instant | None = None
    thank_you_sent_at: Instant | None = None
    follow_up_sent_at: Instant | None = None
    proposed_slots: list[ProposedSlot] = Field(default=None, max_length=20)
    no_connection_dismissed: JsonBool = Field(default=None)

    _integers = json_integers("duration_minutes")


class InterviewDetail(InterviewPublic):
    note_items: list[NoteItemPublic] = Field(
        default_factory=list, description="Notes from this interview, oldest first."
    )


class WarningCode(StrEnum):
    no_connection = NO_CONNECTION


class InterviewWarning(SQLModel):
    code: WarningCode = Field(
        description="`no_connection`: the interview became completed without a to_connect note."
    )
    message: str


class InterviewWithWarnings(InterviewPublic):
    """An interview as written, with the method's nudges: the write succeeded regardless."""

    warnings: list[InterviewWarning] = Field(
        default=None,
        description="Present only when there is something to point out, e.g. `no_connection` "
        "when the interview became completed with no to_connect note and "
        "no_connection_dismissed false.",
    )


class ScheduleRequest(SQLModel):
    """Fix the interview's time: one of its proposed slots, or a time of its own."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [{"required": ["slot_index"]}, {"required": ["starts_at"]}],
            "examples": [{"slot_index": 1, "meeting_url": "https://meet.example/abc"}],
        }
    )

    slot_index: int = Field(
        default=None, ge=0, le=19, description="Which of `proposed_slots` (0-based) was picked."
    )
    starts_at: Instant = Field(
        default=None, description="A time not among the proposed slots; must carry a UTC offset."
    )
    duration_minutes: int = Field(
        default=None, ge=10, le=240, description="Overrides the slot's duration when given."
    )
    location: ShortText = Field(
        default=None, max_length=200, description="Overrides the slot's location when given."
    )
    meeting_url: Url = Field(default=None, max_length=2048)

    _integers = json_integers("slot_index", "duration_minutes")


class PersonRef(BaseModel):
    id: uuid.UUID
    full_name: str


class PrepOrganization(BaseModel):
    id: uuid.UUID
    name: str
    website: str | None
    industry: str | None


class PrepInterviewee(BaseModel):
    id: uuid.UUID
    full_name: str
    title: str | None
    email: str | None
    linkedin_url: str | None
    how_we_met: str | None
    notes: str | None
    tags: list[str]
    organization: PrepOrganization | None


class PrepIntroduction(BaseModel):
    referral_id: uuid.UUID
    contact: PersonRef | None = Field(
        description="Who introduced (or offered to introduce) the user; null: the user knows "
        "the interviewee directly."
    )
    context: str | None
    status: ReferralStatus


class EarlierInterview(BaseModel):
    id: uuid.UUID
    status: InterviewStatus
    scheduled_at: datetime


class PrepSheet(BaseModel):
    """Everything to read before the conversation, on one page."""

    interview_id: uuid.UUID
    version: int = Field(
        description="The interview's version: send it as If-Match when editing the agenda, "
        "checklist or research notes with PATCH /api/v1/interviews/{interview_id}."
    )
    interviewee: PrepInterviewee
    introduced_by: list[PrepIntroduction] = Field(
        description="Referral edges to the interviewee, oldest first."
    )
    research_notes: str | None
    agenda: list[str] = Field(description="Topics to cover, in order.")
    checklist: list[ChecklistItem]
    time_confirmed: bool
    duration_minutes: int
    scheduled_at: datetime | None
    location: str | None
    meeting_url: str | None
    earlier_interviews: list[EarlierInterview] = Field(
        description="Other interviews with the same person scheduled before this one (before "
        "now, when this one has no time yet), oldest first."
    )
