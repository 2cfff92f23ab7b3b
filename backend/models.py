"""Every table, imported in one place so Alembic sees one complete metadata."""

from backend.accounts.models import Invite, LoginThrottle, UserSession
from backend.audit.models import AuditEvent
from backend.calendar.models import CalendarFeed
from backend.contacts.models import Contact
from backend.counts import RowCount
from backend.idempotency.models import IdempotencyRecord
from backend.interviews.models import Interview
from backend.messages.models import MessageTemplate
from backend.notes.models import NoteItem
from backend.opportunities.models import Opportunity, OpportunityInterview
from backend.organizations.models import Organization
from backend.profiles.models import Profile
from backend.ratelimits.models import RateLimitCounter
from backend.referrals.models import Referral
from backend.rows import metadata
from backend.tokens.models import ApiToken
from backend.users.models import User
from backend.webhooks.models import Webhook, WebhookDelivery

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Invite",
    "LoginThrottle",
    "UserSession",
    "CalendarFeed",
    "Contact",
    "IdempotencyRecord",
    "Interview",
    "MessageTemplate",
    "NoteItem",
    "Opportunity",
    "OpportunityInterview",
    "Organization",
    "Profile",
    "RateLimitCounter",
    "Referral",
    "RowCount",
    "User",
    "Webhook",
    "WebhookDelivery",
    "metadata",
]
