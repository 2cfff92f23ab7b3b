"""Message templates: outreach, thank-you and follow-up, editable per user."""

from enum import StrEnum

from sqlalchemy import String, Text, UniqueConstraint
from sqlmodel import Field

from backend.rows import OwnedRow


class MessageKind(StrEnum):
    outreach = "outreach"
    thank_you = "thank_you"
    follow_up = "follow_up"


class MessageTemplate(OwnedRow, table=True):
    """A user's own wording for one kind; without a row the built-in default applies."""

    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("owner_id", "kind"),)

    kind: MessageKind = Field(sa_type=String(20))
    subject: str = Field(sa_type=Text)
    body: str = Field(sa_type=Text)
