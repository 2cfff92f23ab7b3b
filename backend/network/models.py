"""Response bodies of the network endpoints: computed, never stored."""

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from backend.contacts.models import ContactStatus
from backend.referrals.models import ReferralStatus

ME = "me"


class ContactSummary(BaseModel):
    id: uuid.UUID
    full_name: str
    title: str | None = None
    organization_id: uuid.UUID | None = None
    status: ContactStatus


class HopFrom(BaseModel):
    id: uuid.UUID | None = Field(description="null: the user.")
    full_name: str = Field(description='"you" for the user.')


class HopTo(BaseModel):
    id: uuid.UUID
    full_name: str


class Hop(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    referral_id: uuid.UUID
    from_: HopFrom = Field(alias="from", description="Who makes the introduction.")
    to: HopTo
    status: ReferralStatus
    context: str | None = None
    interview_id: uuid.UUID | None = Field(
        default=None, description="The conversation in which it was offered."
    )


class PathQuality(BaseModel):
    weakest: ReferralStatus = Field(
        description="The status of the weakest hop: the chain is only as warm as that."
    )
    strength: int = Field(
        description="Sum over the hops of met 3, contacted 2, introduced 1, offered 0."
    )


class WarmPath(BaseModel):
    length: int = Field(description="Hops; 1 means the user knows the target directly.")
    quality: PathQuality
    hops: list[Hop]


class WarmPaths(BaseModel):
    """The best chains of introductions to the target(s): shortest first, then warmest
    (weakest hop, then strength); each target contributes only its shortest chains, of at
    most 6 hops. Declined referrals are never used."""

    target_ids: list[uuid.UUID] = Field(description="The contacts a chain may end at.")
    paths: list[WarmPath]


class Introducer(BaseModel):
    contact: ContactSummary = Field(description="A first-degree contact.")
    referral_id: uuid.UUID
    status: ReferralStatus
    context: str | None = None


class SecondDegree(BaseModel):
    contact: ContactSummary
    introducers: list[Introducer]


class OrganizationPeople(BaseModel):
    """Who at an organization the user knows, and who could introduce the others.

    First degree: the user knows them directly (a non-declined referral from the user) or has
    met them (contact status met, keep_in_touch or dormant, or a referral to them that reached
    met). Second degree: the organization's other contacts with a non-declined referral from a
    first-degree contact, wherever that contact works. Both sorted by name."""

    first_degree: list[ContactSummary]
    second_degree: list[SecondDegree]


class AlignmentReason(BaseModel):
    factor: str = Field(
        description="contact_tags, organization_tags, interest_level, nearness or met."
    )
    points: int
    detail: str


class ContactAlignment(BaseModel):
    """How well the contact matches the user's focus areas; the reasons' points add up to
    the score (0-100)."""

    contact_id: uuid.UUID
    score: int = Field(ge=0, le=100)
    reasons: list[AlignmentReason]


class RankedContact(ContactAlignment):
    contact: ContactSummary
    depth: int | None = Field(description="Hops from the user; null when not reachable.")


class AlignmentRanking(BaseModel):
    focus_areas: list[str] = Field(description="The profile's focus areas the scores use.")
    items: list[RankedContact] = Field(description="Best score first, then by name.")


class GraphNode(BaseModel):
    id: str = Field(description='"me" for the user, else the contact id.')
    kind: str = Field(description="user or contact.")
    label: str
    status: ContactStatus | None = None
    depth: int | None = Field(
        description="Hops from the user over non-declined referrals; 0 for the user, null "
        "when no chain reaches the contact."
    )
    organization_id: uuid.UUID | None = None


class GraphEdge(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: uuid.UUID
    from_: str = Field(alias="from", description='"me" or a contact id.')
    to: uuid.UUID
    status: ReferralStatus
    interview_id: uuid.UUID | None = None


class NetworkGraph(BaseModel):
    """The user and every contact on at least one referral (declined ones included, with
    their status), nearest first. Contacts on no referral at all are left out."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]


class WeekConversations(BaseModel):
    week: str = Field(description='ISO week, e.g. "2026-W48".')
    starts_on: date = Field(description="Its Monday.")
    conversations: int


class ConnectionsPerInterview(BaseModel):
    referrals: int = Field(description="Referrals recorded with the interview they came from.")
    interviews: int = Field(description="Interviews completed or thanked.")
    ratio: float | None = Field(description="referrals / interviews; null with no interviews.")


class IntroductionsMet(BaseModel):
    offered: int = Field(
        description="Referrals that came out of an interview, whatever became of them "
        "(declined included)."
    )
    met: int = Field(description="Those whose status is met.")
    share: float | None = Field(description="met / offered; null when none were offered.")


class OpenNoteItems(BaseModel):
    to_connect: int
    to_follow_up: int
    to_read: int
    to_look_up: int
    to_do: int
    to_think_about: int


class NetworkStats(BaseModel):
    conversations_per_week: list[WeekConversations] = Field(
        description="Interviews completed or thanked, by ISO week (UTC) of scheduled_at, "
        "the last `weeks` weeks (this one included), oldest first."
    )
    connections_per_interview: ConnectionsPerInterview
    longest_chain: int = Field(
        description="The farthest any contact is from the user, in hops over non-declined "
        "referrals (shortest chain to each, longest of those)."
    )
    longest_met_chain: int = Field(
        description="The same, walking only referrals whose status is met."
    )
    introductions: IntroductionsMet
    open_note_items: OpenNoteItems = Field(description="Open note items per category.")
