import uuid

from pydantic import ConfigDict
from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from backend.fields import JSONList, LongText, Name, ShortText, Tags, Url, json_integers
from backend.rows import OwnedRow, RowMeta


class OrganizationBase(SQLModel):
    name: Name = Field(max_length=200, description="Unique per user, ignoring case.")
    website: Url | None = Field(default=None, max_length=2048)
    linkedin_url: Url | None = Field(default=None, max_length=2048)
    industry: ShortText | None = Field(default=None, max_length=200)
    interest_level: int | None = Field(
        default=None, ge=1, le=5, description="How much the user wants in: 1 (curious) to 5."
    )
    notes: LongText | None = Field(default=None, sa_type=Text)
    tags: Tags = Field(default_factory=list, sa_type=JSONList)


class Organization(OrganizationBase, OwnedRow, table=True):
    __tablename__ = "organizations"
    __table_args__ = (
        Index("uq_organizations_owner_name_key", "owner_id", "name_key", unique=True),
        Index("ix_organizations_owner_created", "owner_id", "created_at", "id"),
    )

    name_key: str = Field(max_length=200)


class OrganizationCreate(OrganizationBase):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Tidewater Energy",
                    "website": "https://tidewater.example",
                    "industry": "Renewable energy",
                    "interest_level": 5,
                    "tags": ["climate", "hardware"],
                }
            ]
        }
    )

    id: uuid.UUID | None = Field(
        default=None, description="Client-chosen UUID; repeating a create with it is harmless."
    )

    _integers = json_integers("interest_level")


class OrganizationPublic(OrganizationBase, RowMeta):
    pass


class OrganizationUpdate(SQLModel):
    name: Name = Field(default=None, max_length=200)
    website: Url | None = Field(default=None, max_length=2048)
    linkedin_url: Url | None = Field(default=None, max_length=2048)
    industry: ShortText | None = Field(default=None, max_length=200)
    interest_level: int | None = Field(default=None, ge=1, le=5)
    notes: LongText | None = None
    tags: Tags = Field(default=None)

    _integers = json_integers("interest_level")
