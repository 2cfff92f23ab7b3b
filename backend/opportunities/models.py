"""Outcomes: the job offers, consulting work and partnerships the conversations lead to."""

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict
from sqlalchemy import Index, String, Text
from sqlmodel import Field, SQLModel

from backend.fields import IsoDate, LongText, Name, ShortText
from backend.network.models import HopFrom, HopTo
from backend.referrals.models import ReferralStatus
from backend.rows import OwnedRow, RowMeta


class OpportunityKind(StrEnum):
    job = "job"
    consulting = "consulting"
    partnership = "partnership"
    other = "other"


class OpportunityStatus(StrEnum):
    exploring = "exploring"
    in_discussion = "in_discussion"
    offered = "offered"
    accepted = "accepted"
    declined = "declined"
    closed = "closed"


class OpportunityBase(SQLModel):
    kind: OpportunityKind = Field(default=OpportunityKind.job, sa_type=String(20))
    title: Name = Field(max_length=200)
    status: OpportunityStatus = Field(default=OpportunityStatus.exploring, sa_type=String(20))
    contact_id: uuid.UUID | None = Field(
        default=None,
        foreign_key="contacts.id",
        ondelete="SET NULL",
        description="The person it came through.",
    )
    organization_id: uuid.UUID | None = Field(
        default=None, foreign_key="organizations.id", ondelete="SET NULL"
    )
    next_step: ShortText | None = Field(default=None, max_length=200)
    due_date: IsoDate | None = None
    notes: LongText | None = Field(default=None, sa_type=Text)


class Opportunity(OpportunityBase, OwnedRow, table=True):
    __tablename__ = "opportunities"
    __table_args__ = (
        Index("ix_opportunities_owner_created", "owner_id", "created_at", "id"),
        Index("ix_opportunities_contact", "contact_id"),
        Index("ix_opportunities_organization", "organization_id"),
    )


class OpportunityInterview(SQLModel, table=True):
    """The conversations an opportunity came out of (many to many)."""

    __tablename__ = "opportunity_interviews"

    opportunity_id: uuid.UUID = Field(
        foreign_key="opportunities.id", ondelete="CASCADE", primary_key=True
    )
    interview_id: uuid.UUID = Field(
        foreign_key="interviews.id", ondelete="CASCADE", primary_key=True, index=True
    )


class OpportunityCreate(OpportunityBase):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "job",
                    "title": "Storage analyst at Tidewater",
                    "status": "in_discussion",
                    "contact_id": "01935c4e-8f10-7cc1-9d0a-3b6f1a2e4c55",
                    "interview_ids": ["01935c4e-9a22-7d13-8c4b-5e7f2a3b4c66"],
                }
            ]
        }
    )

    id: uuid.UUID | None = Field(
        default=None, description="Client-chosen UUID; repeating a create with it is harmless."
    )
    interview_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=100, description="The conversations it came out of."
    )


class OpportunityPublic(OpportunityBase, RowMeta):
    interview_ids: list[uuid.UUID] = Field(default_factory=list)


class OpportunityUpdate(SQLModel):
    kind: OpportunityKind = Field(default=None)
    title: Name = Field(default=None, max_length=200)
    status: OpportunityStatus = Field(default=None)
    contact_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    next_step: ShortText | None = Field(default=None, max_length=200)
    due_date: IsoDate | None = None
    notes: LongText | None = None
    interview_ids: list[uuid.UUID] = Field(default=None, max_length=100)


class ChainInterview(SQLModel):
    id: uuid.UUID
    contact_id: uuid.UUID
    status: str
    scheduled_at: datetime | None = None


class ChainStep(SQLModel):
    contact: HopTo = Field(description="Who this step reached.")
    referral_id: uuid.UUID
    introduced_by: HopFrom
    status: ReferralStatus
    context: str | None = None
    offered_in: ChainInterview | None = Field(
        default=None, description="The conversation in which this introduction was offered."
    )


class OpportunityChain(SQLModel):
    """How the user got here: the warmest chain of introductions to the opportunity's
    contact, each step with the conversation it came out of, then the conversations linked to
    the opportunity itself."""

    opportunity_id: uuid.UUID
    contact_id: uuid.UUID | None
    steps: list[ChainStep] = Field(description="Empty when no chain reaches the contact.")
    interviews: list[ChainInterview] = Field(description="Linked to the opportunity.")
