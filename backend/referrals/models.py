import uuid
from enum import StrEnum

from pydantic import ConfigDict
from sqlalchemy import CheckConstraint, Index, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from backend.fields import LongText
from backend.rows import OwnedRow, RowMeta


class ReferralStatus(StrEnum):
    offered = "offered"
    introduced = "introduced"
    contacted = "contacted"
    met = "met"
    declined = "declined"


class ReferralBase(SQLModel):
    from_contact_id: uuid.UUID | None = Field(
        default=None,
        foreign_key="contacts.id",
        ondelete="RESTRICT",
        description="Who offered the introduction; null means the user knows them directly.",
    )
    to_contact_id: uuid.UUID = Field(foreign_key="contacts.id", ondelete="RESTRICT")
    interview_id: uuid.UUID | None = Field(
        default=None,
        foreign_key="interviews.id",
        ondelete="SET NULL",
        description="The conversation in which the introduction was offered.",
    )
    context: LongText | None = Field(
        default=None,
        sa_type=Text,
        max_length=2000,
        description='How the two know each other, e.g. "we worked together at Somecompany".',
    )
    status: ReferralStatus = Field(default=ReferralStatus.offered, sa_type=String(20))


class Referral(ReferralBase, OwnedRow, table=True):
    __tablename__ = "referrals"
    __table_args__ = (
        CheckConstraint("from_contact_id IS NULL OR from_contact_id <> to_contact_id", "no_self"),
        UniqueConstraint("owner_id", "from_contact_id", "to_contact_id"),
        # NULLs are distinct in a unique constraint, so "from the user" edges need their own.
        Index(
            "uq_referrals_owner_direct",
            "owner_id",
            "to_contact_id",
            unique=True,
            sqlite_where=text("from_contact_id IS NULL"),
            postgresql_where=text("from_contact_id IS NULL"),
        ),
        Index("ix_referrals_owner_created", "owner_id", "created_at", "id"),
        Index("ix_referrals_to", "to_contact_id"),
        Index("ix_referrals_from", "from_contact_id"),
        Index("ix_referrals_interview", "interview_id"),
    )


class ReferralCreate(ReferralBase):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "from_contact_id": "01935c4e-8f10-7cc1-9d0a-3b6f1a2e4c55",
                    "to_contact_id": "01935c4e-a011-7e24-9f5c-6a8b3c4d5e77",
                    "context": "They built the first pilot plant together at Tidewater",
                    "status": "offered",
                }
            ]
        }
    )

    id: uuid.UUID | None = Field(
        default=None, description="Client-chosen UUID; repeating a create with it is harmless."
    )


class ReferralPublic(ReferralBase, RowMeta):
    pass


class ReferralUpdate(SQLModel):
    interview_id: uuid.UUID | None = None
    context: LongText | None = Field(default=None, max_length=2000)
    status: ReferralStatus = Field(default=None)
