"""Message templates: outreach, thank-you and follow-up, editable per user."""

from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, StringConstraints
from sqlalchemy import String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.fields import NOT_BLANK, Storable
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


TemplateText = Annotated[str, StringConstraints(max_length=20_000, pattern=NOT_BLANK), Storable]
SubjectText = Annotated[str, StringConstraints(max_length=500, pattern=NOT_BLANK), Storable]


class MessageTemplateInput(SQLModel):
    """A user's own wording; placeholders and blocks are checked when it is saved."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "subject": "{{#if referrer.first_name}}{{referrer.first_name}} suggested "
                    "I get in touch{{else}}Your work at {{contact.organization}}{{/if}}",
                    "body": "Hi {{contact.first_name}},\n\n{{#if referrer.first_name}}"
                    "{{referrer.first_name}} suggested I reach out.\n{{/if}}{{me.ask}}\n\n"
                    "{{me.name}}",
                }
            ]
        }
    )

    subject: SubjectText = Field(
        description="`{{ placeholder }}` and `{{#if placeholder}}…{{else}}…{{/if}}` allowed."
    )
    body: TemplateText = Field(description="Same syntax as the subject.")


class MessageTemplatePublic(SQLModel):
    kind: MessageKind
    subject: str
    body: str
    is_default: bool = Field(description="True while the user has not saved their own wording.")
    version: int = Field(
        description="0 for the built-in default; send it back as If-Match when saving."
    )


class PlaceholderInfo(SQLModel):
    name: str = Field(description="Write it as `{{ name }}`, or test it with `{{#if name}}`.")
    description: str


class ComposedMessage(SQLModel):
    kind: MessageKind
    to: str | None = Field(description="The interviewee's email, when known.")
    subject: str
    body: str = Field(description="Plain text with \\n line breaks.")
    mailto: str = Field(description="RFC 6068 mailto: URI that opens it in a mail client.")
