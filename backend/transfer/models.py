"""What imports report and what a backup holds."""

import uuid
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import SQLModel

from backend.contacts.models import ContactBase
from backend.fields import Instant, LongText, Tags
from backend.interviews.models import InterviewBase
from backend.messages.models import MessageKind, SubjectText, TemplateText
from backend.notes.models import NoteItemBase
from backend.opportunities.models import OpportunityBase
from backend.organizations.models import OrganizationBase
from backend.referrals.models import ReferralBase
from backend.transfer.merge import MatchedBy, RowStatus

# --- Imports -------------------------------------------------------------------------------


class ImportMode(StrEnum):
    preview = "preview"
    commit = "commit"


class ImportFormat(StrEnum):
    linkedin = "linkedin"
    contacts_csv = "contacts_csv"
    vcard = "vcard"


class ImportRow(BaseModel):
    """What the import does (or did) with one record of the file."""

    row: int = Field(
        description="Where the record starts: the line (from 1) in the file; for a vCard, the "
        "line of its BEGIN:VCARD."
    )
    status: RowStatus = Field(
        description="`new`: becomes a contact; `matched`: one of the user's contacts, its "
        "empty fields filled from the file; `skipped`: the same person as an earlier row; "
        "`invalid`: cannot become a contact (see field and reason)."
    )
    full_name: str | None = None
    contact_id: uuid.UUID | None = Field(
        default=None,
        description="The matched contact; for a new one, the contact made (null in a preview).",
    )
    matched_by: MatchedBy | None = Field(
        default=None, description="What the match went by, for `matched` rows."
    )
    changes: list[str] = Field(
        default_factory=list,
        description="For `matched`: the empty fields filled from the file, and `referral` "
        "when a direct referral edge is added.",
    )
    differences: list[str] = Field(
        default_factory=list,
        description="For `matched`: fields where the file says something else; the saved "
        "value is kept.",
    )
    field: str | None = Field(default=None, description="For `invalid`: the offending column.")
    reason: str | None = Field(default=None, description="For `invalid` and `skipped`: why.")
    code: str | None = Field(
        default=None, description="For `invalid` and `skipped`: e.g. `missing`, `duplicate`."
    )
    warnings: list[str] = Field(
        default_factory=list, description="E.g. a value shortened to fit its field."
    )


class ImportSummary(BaseModel):
    rows: int = Field(description="Records read (blank rows are not counted).")
    new: int
    matched: int
    skipped: int
    invalid: int
    contacts_created: int
    contacts_updated: int = Field(description="Matched contacts whose empty fields were filled.")
    organizations_created: int
    referrals_created: int


class ImportedOrganization(BaseModel):
    name: str
    id: uuid.UUID | None = Field(description="Null in a preview.")


class ImportReport(BaseModel):
    """A preview (nothing written) or the result of a commit (all written at once)."""

    format: ImportFormat
    mode: ImportMode
    committed: bool = Field(description="True only for a commit, once everything is saved.")
    summary: ImportSummary
    organizations: list[ImportedOrganization] = Field(
        description="Organizations made for company names the user has none of yet."
    )
    ignored_columns: list[str] = Field(
        default_factory=list, description="Columns of the file the import does not read."
    )
    rows: list[ImportRow] = Field(description="Every record of the file, in file order.")


# --- Backups -------------------------------------------------------------------------------

BACKUP_FORMAT = "nexthop-backup"
SCHEMA_VERSION = 1


class BackupMeta(SQLModel):
    id: uuid.UUID
    version: int = Field(ge=1, le=2_147_483_647)
    created_at: Instant
    updated_at: Instant


class BackupProfile(SQLModel):
    """The profile without its share link (a new link is made in the restored account)."""

    focus_areas: Tags = Field(default_factory=list)
    learn_from: LongText | None = None
    values: LongText | None = None
    situation: LongText | None = None
    ask: LongText | None = None
    version: int = Field(ge=1, le=2_147_483_647)
    created_at: Instant
    updated_at: Instant


class BackupTemplate(BackupMeta):
    kind: MessageKind
    subject: SubjectText
    body: TemplateText


class BackupOrganization(OrganizationBase, BackupMeta):
    pass


class BackupContact(ContactBase, BackupMeta):
    pass


class BackupInterview(InterviewBase, BackupMeta):
    pass


class BackupNoteItem(NoteItemBase, BackupMeta):
    produced_referral_id: uuid.UUID | None = None
    produced_interview_id: uuid.UUID | None = None


class BackupReferral(ReferralBase, BackupMeta):
    pass


class BackupOpportunity(OpportunityBase, BackupMeta):
    interview_ids: list[uuid.UUID] = Field(default_factory=list)


class Backup(SQLModel):
    """Everything a user owns, as `GET /api/v1/exports/backup` writes it and
    `POST /api/v1/imports/backup` reads it. Records carry their ids, versions and
    timestamps; references between them are by id."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "format": BACKUP_FORMAT,
                    "schema_version": SCHEMA_VERSION,
                    "exported_at": "2026-12-01T09:00:00Z",
                    "profile": None,
                    "message_templates": [],
                    "organizations": [],
                    "contacts": [],
                    "interviews": [],
                    "note_items": [],
                    "referrals": [],
                    "opportunities": [],
                }
            ]
        }
    )

    format: Literal["nexthop-backup"] = Field(description="Says what this document is.")
    schema_version: Literal[1] = Field(
        description="The backup's layout: this server writes and reads version 1."
    )
    exported_at: Instant
    profile: BackupProfile | None = Field(
        default=None, description="Null when the user never wrote one."
    )
    message_templates: list[BackupTemplate] = Field(
        default_factory=list, description="Only the kinds the user reworded."
    )
    organizations: list[BackupOrganization] = Field(default_factory=list)
    contacts: list[BackupContact] = Field(default_factory=list)
    interviews: list[BackupInterview] = Field(default_factory=list)
    note_items: list[BackupNoteItem] = Field(default_factory=list)
    referrals: list[BackupReferral] = Field(default_factory=list)
    opportunities: list[BackupOpportunity] = Field(default_factory=list)

    @field_validator("schema_version", mode="before")
    @classmethod
    def _readable_version(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value != SCHEMA_VERSION:
            raise ValueError(
                f"this server reads backups of schema version {SCHEMA_VERSION}; this one is "
                f"version {value}"
            )
        return value


class RestoreCounts(BaseModel):
    message_templates: int
    organizations: int
    contacts: int
    interviews: int
    note_items: int
    referrals: int
    opportunities: int
    profile: int = Field(description="1 when the backup has a profile.")


class RestoreReport(BaseModel):
    mode: ImportMode
    restored: bool = Field(description="True only for a commit, once everything is saved.")
    ids_preserved: bool = Field(
        description="True: every record kept its id. False: some id was already taken on "
        "this server (e.g. the backed-up account still exists), so every record got a new "
        "id and `id_map` lists them."
    )
    counts: RestoreCounts
    id_map: dict[str, dict[str, uuid.UUID]] | None = Field(
        default=None,
        description="When ids were not preserved: for each kind (`contacts`, …), each old id "
        "and its new one (null in a preview, where no new ids are drawn yet).",
    )
