"""A user's data in every table, written straight into a database at any past schema revision,
for tests/test_upgrades.py.

Rows are written in today's column names and Python values; a table or column that does not
exist yet at the revision is left out. Every column of every table must have a value here
(`missing_columns` says which do not), so a migration that adds a table or a column also
has to add data for it here, and the upgrade test then carries that data through every later
migration. Values are chosen to catch lossy copies: accents, leading and trailing blanks, line
breaks, microseconds, JSON with nesting, booleans set to their non-default value, a large
integer, raw bytes.
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from backend.auth import secret_hash
from backend.fields import name_key

# No foreign keys, written by triggers (the row counts, SQLite's stored documents) or the
# migration's own bookkeeping: checked by other means, never seeded.
DERIVED_TABLES = frozenset({"row_counts", "alembic_version"})
DERIVED_COLUMNS = frozenset({"stored_doc"})
LEGACY_EMAIL = "local@nexthop.invalid"  # the user of the releases before accounts

T0 = datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"https://nexthop.test/upgrade/{name}")


@dataclass
class Seed:
    """What was written, and the secrets that let a test act as its users afterwards."""

    owner: uuid.UUID
    other: uuid.UUID | None
    accounts: bool  # whether the revision had accounts (else `owner` is the local user)
    password: str
    token_secret: str
    session_secret: str
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _stamps(hours: float, version: int = 1) -> dict[str, Any]:
    return {"version": version, "created_at": at(hours), "updated_at": at(hours + 0.5)}


def build(*, accounts: bool, password_hash: str) -> Seed:
    """The rows of two users (one before accounts existed: the local user alone)."""
    a = _id("user-a")
    b = _id("user-b") if accounts else None
    seed = Seed(
        owner=a, other=b, accounts=accounts, password="correct horse battery staple 9",
        token_secret="nxh_upgrade-test-token-secret-0123456789abcdef",
        session_secret="upgrade-test-session-secret-0123456789abcdef",
    )  # fmt: skip
    rows = seed.rows
    rows["users"] = [
        {
            "id": a, "email": "ada@example.test" if accounts else LEGACY_EMAIL,
            "display_name": "Ada  Lovelace ", "created_at": at(-48),
            "password_hash": password_hash if accounts else None, "is_admin": accounts,
        },
    ]  # fmt: skip
    if b is not None:
        rows["users"].append(
            {"id": b, "email": "bob@example.test", "display_name": "Bob",
             "created_at": at(-47), "password_hash": password_hash, "is_admin": False}
        )  # fmt: skip

    org1, org2 = _id("org-1"), _id("org-2")
    rows["organizations"] = [
        {"id": org1, "owner_id": a, **_stamps(1, version=3), "name": "Société Générale Ventures",
         "website": "https://sgv.example.test/", "linkedin_url": "https://www.linkedin.com/company/sgv",
         "industry": "Climate finance", "interest_level": 4,
         "notes": "  Met at the Zürich meetup.\nFollow their grid fund.  ",
         "tags": ["fintech", "Zürich"], "name_key": name_key("Société Générale Ventures")},
        {"id": org2, "owner_id": a, **_stamps(2), "name": "Acme", "website": None,
         "linkedin_url": None, "industry": None, "interest_level": None, "notes": None,
         "tags": [], "name_key": "acme"},
    ]  # fmt: skip
    c1, c2, c3 = _id("contact-1"), _id("contact-2"), _id("contact-3")
    rows["contacts"] = [
        {"id": c1, "owner_id": a, **_stamps(3, version=2), "full_name": "José García",
         "email": "jose@sgv.example.test", "phone": "+41 44 668 18 00",
         "linkedin_url": "https://www.linkedin.com/in/josegarcia", "organization_id": org1,
         "title": "Partner, grid storage", "location": "Zürich", "tags": ["storage", "mentor"],
         "how_we_met": "Priya introduced us", "notes": " Prefers mornings.\n\nTea, not coffee. ",
         "status": "met", "next_follow_up": date(2027, 1, 15), "name_key": name_key("José García")},
        {"id": c2, "owner_id": a, **_stamps(4), "full_name": "Lee Chen", "email": None,
         "phone": None, "linkedin_url": None, "organization_id": None, "title": None,
         "location": None, "tags": [], "how_we_met": None, "notes": None,
         "status": "identified", "next_follow_up": None, "name_key": "lee chen"},
        {"id": c3, "owner_id": a, **_stamps(5), "full_name": "Zoë O'Brien",
         "email": "zoe@acme.example.test", "phone": None, "linkedin_url": None,
         "organization_id": org2, "title": "PM", "location": "Dublin", "tags": ["pm"],
         "how_we_met": None, "notes": None, "status": "reached_out", "next_follow_up": None,
         "name_key": name_key("Zoë O'Brien")},
    ]  # fmt: skip
    i1, i2 = _id("interview-1"), _id("interview-2")
    rows["interviews"] = [
        {"id": i1, "owner_id": a, **_stamps(6, version=5), "contact_id": c1,
         "status": "thanked", "scheduled_at": at(24), "duration_minutes": 45,
         "location": "Café Sprüngli, Paradeplatz", "meeting_url": "https://meet.example.test/abc",
         "time_confirmed": True, "agenda": ["Her path into storage", "What the team looks for"],
         "research_notes": "Read the fund's 2025 letter.\n  Indented line.",
         "checklist": [{"text": "Bring a notebook and pen", "done": True},
                       {"text": "Confirm the time", "done": False}],
         "summary": "Generous with time; suggested two people.",
         "outreach_sent_at": at(7), "thank_you_sent_at": at(26), "follow_up_sent_at": at(50),
         "proposed_slots": [{"starts_at": "2026-11-21T09:30:00Z", "duration_minutes": 45,
                             "location": "Café Sprüngli"}],
         "no_connection_dismissed": True},
        {"id": i2, "owner_id": a, **_stamps(8), "contact_id": c2, "status": "idea",
         "scheduled_at": None, "duration_minutes": 30, "location": None, "meeting_url": None,
         "time_confirmed": False, "agenda": [], "research_notes": None, "checklist": [],
         "summary": None, "outreach_sent_at": None, "thank_you_sent_at": None,
         "follow_up_sent_at": None, "proposed_slots": [], "no_connection_dismissed": False},
    ]  # fmt: skip
    r1, r2 = _id("referral-1"), _id("referral-2")
    rows["referrals"] = [
        {"id": r1, "owner_id": a, **_stamps(27, version=2), "from_contact_id": c1,
         "to_contact_id": c3, "interview_id": i1, "context": "José will intro by e-mail",
         "status": "introduced"},
        {"id": r2, "owner_id": a, **_stamps(28), "from_contact_id": None, "to_contact_id": c2,
         "interview_id": None, "context": None, "status": "offered"},
    ]  # fmt: skip
    rows["note_items"] = [
        {"id": _id("note-1"), "owner_id": a, **_stamps(25, version=2), "interview_id": i1,
         "category": "to_connect", "text": "Zoë O'Brien, PM at Acme — José will intro",
         "status": "done", "due_date": date(2026, 11, 30), "contact_id": c3,
         "url": "https://www.linkedin.com/in/zoe", "author": "Ada", "produced_referral_id": r1,
         "produced_interview_id": i2},
        {"id": _id("note-2"), "owner_id": a, **_stamps(25.1), "interview_id": i1,
         "category": "to_read", "text": "  The Grid, by Gretchen Bakke  ", "status": "open",
         "due_date": None, "contact_id": None, "url": None, "author": None,
         "produced_referral_id": None, "produced_interview_id": None},
        {"id": _id("note-3"), "owner_id": a, **_stamps(25.2), "interview_id": i1,
         "category": "to_follow_up", "text": "Send the deck on\nthermal storage",
         "status": "open", "due_date": date(2026, 11, 25), "contact_id": c1, "url": None,
         "author": None, "produced_referral_id": None, "produced_interview_id": None},
    ]  # fmt: skip
    o1, o2 = _id("opportunity-1"), _id("opportunity-2")
    rows["opportunities"] = [
        {"id": o1, "owner_id": a, **_stamps(30, version=2), "kind": "job",
         "title": "Storage analyst", "status": "in_discussion", "contact_id": c1,
         "organization_id": org1, "next_step": "Send portfolio", "due_date": date(2026, 12, 20),
         "notes": "Salary band discussed.\n"},
        {"id": o2, "owner_id": a, **_stamps(31), "kind": "consulting", "title": "Grid audit",
         "status": "exploring", "contact_id": None, "organization_id": None, "next_step": None,
         "due_date": None, "notes": None},
    ]  # fmt: skip
    rows["opportunity_interviews"] = [{"opportunity_id": o1, "interview_id": i1}]
    rows["message_templates"] = [
        {"id": _id("template-1"), "owner_id": a, **_stamps(32), "kind": "outreach",
         "subject": "Coffee, {{contact.first_name}}?",
         "body": "Hi {{contact.first_name}},\n\n{{#if referrer.first_name}}{{referrer.first_name}}"
                 " suggested I reach out.{{/if}}\n— {{me.name}}"},
    ]  # fmt: skip
    rows["profiles"] = [
        {"owner_id": a, **_stamps(0.5, version=4), "focus_areas": ["climate", "grid storage"],
         "learn_from": "People who moved from finance into energy", "values": "Candour; craft",
         "situation": "Between roles after eight years in banking",
         "ask": "Twenty minutes on how you moved into storage",
         "share_token": "share-token-0123456789abcdef0123456789", "share_created_at": at(33)},
    ]  # fmt: skip
    rows["calendar_feeds"] = [
        {"owner_id": a, "token": "feed-token-0123456789abcdef0123456789", "created_at": at(34)}
    ]
    w1 = _id("webhook-1")
    rows["webhooks"] = [
        {"id": w1, "owner_id": a, **_stamps(35), "url": "https://hooks.example.test/nexthop",
         "description": "Zapier → sheet", "event_types": ["contact.created", "referral.created"],
         "active": False, "secret": "whsec_upgrade-test-0123456789abcdef"},
    ]  # fmt: skip
    rows["webhook_deliveries"] = [
        {"id": _id("delivery-1"), "owner_id": a, "webhook_id": w1, "event_id": _id("event-1"),
         "event_type": "contact.created", "data": {"id": str(c1), "full_name": "José García"},
         "status": "succeeded", "attempts": 1, "next_attempt_at": None,
         "last_attempt_at": at(36), "response_code": 200, "error": None,
         "created_at": at(35.5)},
        {"id": _id("delivery-2"), "owner_id": a, "webhook_id": w1, "event_id": _id("event-2"),
         "event_type": "referral.created", "data": {"id": str(r1), "nested": {"a": [1, 2]}},
         "status": "failed", "attempts": 8, "next_attempt_at": None, "last_attempt_at": at(40),
         "response_code": 502, "error": "HTTP 502 from the receiver", "created_at": at(36)},
    ]  # fmt: skip
    rows["api_tokens"] = [
        {"id": _id("token-1"), "user_id": a, "name": "laptop script",
         "token_hash": secret_hash(seed.token_secret), "prefix": seed.token_secret[:10],
         "scope": "read_write", "created_at": at(37),
         "expires_at": datetime(2031, 1, 1, tzinfo=UTC), "last_used_at": at(38)},
        {"id": _id("token-2"), "user_id": a, "name": "read only",
         "token_hash": secret_hash("nxh_other-secret"), "prefix": "nxh_other-",
         "scope": "read", "created_at": at(39), "expires_at": None, "last_used_at": None},
    ]  # fmt: skip
    rows["user_sessions"] = [
        {"id": secret_hash(seed.session_secret), "user_id": a, "csrf_token": "csrf-0123456789",
         "created_at": at(41), "last_seen_at": at(42), "expires_at": at(24 * 365)},
    ]  # fmt: skip
    rows["invites"] = [
        {"id": _id("invite-1"), "token_hash": secret_hash("invite-code"), "created_by": a,
         "created_at": at(43), "expires_at": at(24 * 30), "used_at": None},
    ]  # fmt: skip
    rows["audit_events"] = [
        {"id": 9_000_000_001, "owner_id": a, "at": at(44), "user_id": a, "via": "token",
         "token_id": _id("token-1"), "kind": "contacts", "object_id": c1, "action": "update",
         "changes": {"title": {"old": "Associate", "new": "Partner, grid storage"}}},
    ]  # fmt: skip
    rows["idempotency_keys"] = [
        {"owner_id": a, "key": "create-jose-1", "fingerprint": "f" * 64, "status_code": 201,
         "location": f"/api/v1/contacts/{c1}",
         "body": b'{"id":"x","full_name":"Jos\xc3\xa9"}\x00\xff', "created_at": at(45)},
    ]  # fmt: skip
    rows["login_throttle"] = [
        {"key": "email:ada@example.test", "failures": 2, "last_failure_at": at(46),
         "locked_until": at(46.1)},
    ]  # fmt: skip
    rows["rate_limit_counters"] = [
        {"user_id": a, "bucket": "changes", "window_start": 29_000_000_123, "hits": 3,
         "previous_hits": 1, "allowed": False},
    ]  # fmt: skip
    if b is not None:
        # Someone else's rows beside them: after the upgrade still theirs alone.
        rows["organizations"].append(
            {"id": _id("org-b"), "owner_id": b, **_stamps(1), "name": "Acme", "website": None,
             "linkedin_url": None, "industry": None, "interest_level": None, "notes": None,
             "tags": [], "name_key": "acme"}
        )  # fmt: skip
        rows["contacts"].append(
            {"id": _id("contact-b"), "owner_id": b, **_stamps(2), "full_name": "Bea Bauer",
             "email": None, "phone": None, "linkedin_url": None, "organization_id": None,
             "title": None, "location": None, "tags": [], "how_we_met": None, "notes": None,
             "status": "identified", "next_follow_up": None, "name_key": "bea bauer"}
        )  # fmt: skip
    return seed


def missing_columns(seed: Seed, present: dict[str, set[str]]) -> list[str]:
    """`table.column` of every table and column at the revision that the seed gives no value."""
    missing = []
    for table, columns in sorted(present.items()):
        if table in DERIVED_TABLES:
            continue
        rows = seed.rows.get(table)
        if not rows:
            missing.append(f"{table} (no rows)")
            continue
        for column in sorted(columns - DERIVED_COLUMNS):
            if any(column not in row for row in rows):
                missing.append(f"{table}.{column}")
    return missing
