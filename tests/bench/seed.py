"""Seeds one heavy user into a fresh SQLite database, fast.

The schema comes from the real Alembic migrations; the rows go in through SQLAlchemy core
`insert(table)` as one executemany per table, all in a single transaction, using the models'
own tables so every value is stored exactly as the app stores it (UUIDs, UTC instants, JSON).
The rows belong to the default local user, the one the HTTP API currently acts as.
"""

import random
import shutil
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select
from sqlalchemy.orm import Session

from backend import migrations
from backend.config import Settings
from backend.contacts.models import Contact, ContactStatus
from backend.db import make_engine
from backend.fields import name_key, uuid7
from backend.interviews.lifecycle import NEEDS_TIME, InterviewStatus
from backend.interviews.models import Interview
from backend.notes.models import NoteCategory, NoteItem, NoteStatus
from backend.organizations.models import Organization
from backend.referrals.models import Referral, ReferralStatus
from backend.tokens.service import issue_token
from backend.users.models import User

CONTACTS = 10_000
ORGANIZATIONS = 1_000
INTERVIEWS = 3_000
NOTE_ITEMS = 30_000
REFERRALS = 10_000
DIRECT_REFERRALS = 1_000  # from_contact_id NULL: people the user knows directly
NOTES_ON_READ_TARGET = 10  # the interview the "get interview" scenario reads has this many

# Matches a few percent of contacts (names containing "berg" and their e-mail addresses).
SEARCH_Q = "berg"

FIRST = (
    "Ada Alan Amara Ana Ben Bianca Carlos Chen Dana David Elena Emil Fatima Felix Grace Hana "
    "Hugo Ines Ivan Jae Jonas Julia Kai Karin Leo Lina Marco Maya Nadia Noah Omar Paula Priya "
    "Rafael Rosa Sam Sofia Tariq Uma Yusuf"
).split()
LAST = (
    "Abbott Alvarez Bauer Becker Brennan Castillo Dubois Eriksson Fischer Garcia Goldberg "
    "Hansen Herrera Ito Jensen Kowalski Larsen Lindberg Lopez Martin Meyer Moreau Nakamura "
    "Nguyen Novak Okafor Olsen Park Patel Petrov Quinn Rossi Sato Schmidt Silva Steinberg "
    "Tanaka Torres Vargas Weber Wong Yilmaz Zhang"
).split()
TITLES = (
    "Engineer",
    "Senior Engineer",
    "Staff Engineer",
    "Engineering Manager",
    "Product Manager",
    "Designer",
    "Data Scientist",
    "Recruiter",
    "Director",
    "Founder",
)
CITIES = ("Berlin", "Lisbon", "Paris", "Toronto", "Austin", "Seoul", "Nairobi", "Remote")
INDUSTRIES = ("Software", "Fintech", "Health", "Energy", "Education", "Media", "Logistics")
ORG_WORDS = (
    "Acme Blue Cedar Delta Ember Fjord Granite Harbor Iris Juniper Kestrel Lumen Maple "
    "Nimbus Orbit Pine Quartz River Summit Tidal Umber Vertex Willow Zenith"
).split()
ORG_KINDS = ("Labs", "Systems", "Health", "Capital", "Works", "Analytics", "Robotics", "Studio")
TAGS = ("alumni", "mentor", "hiring", "python", "design", "ml", "climate", "conference")
NOTE_WORDS = (
    "ask about the team structure read the paper on onboarding look up the conference talk "
    "introduce to the platform lead follow up in two weeks think about switching domains"
).split()
CONTEXTS = ("Worked together", "Same university", "Met at a meetup", "Former manager", None)


@dataclass
class SeedInfo:
    """What the benchmark needs to know about the data it runs against."""

    db_file: Path
    owner_id: uuid.UUID
    token: str
    read_interview_id: uuid.UUID
    read_interview_notes: int
    write_interview_id: uuid.UUID
    search_q: str
    search_matches: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "owner_id": str(self.owner_id),
            "read_interview_id": str(self.read_interview_id),
            "read_interview_notes": self.read_interview_notes,
            "write_interview_id": str(self.write_interview_id),
            "search_q": self.search_q,
            "search_matches": self.search_matches,
            "seconds": round(self.seconds, 2),
            "counts": self.counts,
        }


class Clock:
    """Creation instants spread over the past two years, in insertion order."""

    def __init__(self, total: int) -> None:
        self.now = datetime.now(UTC)
        self.start = self.now - timedelta(days=730)
        self.step = (self.now - self.start) / max(total, 1)
        self.n = 0

    def tick(self) -> datetime:
        self.n += 1
        return self.start + self.step * self.n


def _meta(owner: uuid.UUID, at: datetime) -> dict[str, Any]:
    return {"id": uuid7(), "owner_id": owner, "version": 1, "created_at": at, "updated_at": at}


def _organizations(rng: random.Random, owner: uuid.UUID, clock: Clock) -> list[dict[str, Any]]:
    rows = []
    for i in range(ORGANIZATIONS):
        name = f"{rng.choice(ORG_WORDS)} {rng.choice(ORG_KINDS)} {i + 1:04d}"
        rows.append(
            {
                **_meta(owner, clock.tick()),
                "name": name,
                "name_key": name_key(name),
                "website": f"https://example.com/org/{i + 1}",
                "linkedin_url": None,
                "industry": rng.choice(INDUSTRIES),
                "interest_level": rng.randint(1, 5),
                "notes": None,
                "tags": rng.sample(TAGS, rng.randint(0, 2)),
            }
        )
    return rows


def _contact(rng: random.Random, i: int, org_ids: list[uuid.UUID]) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    name = f"{first} {chr(65 + i % 26)}. {last}"
    follow_up = date.today() + timedelta(days=rng.randint(-60, 90)) if rng.random() < 0.3 else None
    return {
        "full_name": name,
        "name_key": name_key(name),
        "email": f"{first}.{last}.{i}@example.com".lower(),
        "phone": f"+1 555 {i:07d}" if rng.random() < 0.5 else None,
        "linkedin_url": f"https://www.linkedin.com/in/{first}-{last}-{i}".lower(),
        "organization_id": rng.choice(org_ids) if rng.random() < 0.8 else None,
        "title": rng.choice(TITLES),
        "location": rng.choice(CITIES),
        "tags": rng.sample(TAGS, rng.randint(0, 3)),
        "how_we_met": "Introduced after an informational interview" if i % 3 == 0 else None,
        "notes": "Interested in platform work; prefers mornings." if i % 4 == 0 else None,
        "status": rng.choice(list(ContactStatus)).value,
        "next_follow_up": follow_up,
    }


def _contacts(
    rng: random.Random, owner: uuid.UUID, clock: Clock, org_ids: list[uuid.UUID]
) -> list[dict[str, Any]]:
    return [{**_meta(owner, clock.tick()), **_contact(rng, i, org_ids)} for i in range(CONTACTS)]


def _interview(rng: random.Random, contact_id: uuid.UUID, at: datetime) -> dict[str, Any]:
    status = rng.choice(list(InterviewStatus))
    timed = status in NEEDS_TIME or rng.random() < 0.3
    return {
        "contact_id": contact_id,
        "status": status.value,
        "scheduled_at": at + timedelta(days=rng.randint(1, 30)) if timed else None,
        "duration_minutes": rng.choice((30, 45, 60)),
        "location": rng.choice(CITIES),
        "meeting_url": None,
        "time_confirmed": rng.random() < 0.5,
        "agenda": ["Their path into the field", "What the team works on", "Who else to ask"],
        "research_notes": "Read their last two blog posts.",
        "checklist": [{"text": "Send agenda", "done": True}, {"text": "Thank you", "done": False}],
        "summary": "Good conversation; two introductions offered." if timed else None,
        "outreach_sent_at": at if status != InterviewStatus.idea else None,
        "thank_you_sent_at": at + timedelta(days=31) if status == InterviewStatus.thanked else None,
    }


def _interviews(
    rng: random.Random, owner: uuid.UUID, clock: Clock, contact_ids: list[uuid.UUID]
) -> list[dict[str, Any]]:
    rows = []
    for _ in range(INTERVIEWS):
        at = clock.tick()
        rows.append({**_meta(owner, at), **_interview(rng, rng.choice(contact_ids), at)})
    return rows


def _note(
    rng: random.Random, interview_id: uuid.UUID, i: int, contact_ids: list[uuid.UUID]
) -> dict[str, Any]:
    category = list(NoteCategory)[i % len(NoteCategory)]
    words = rng.sample(NOTE_WORDS, 6)
    due = date.today() + timedelta(days=rng.randint(-30, 60)) if rng.random() < 0.4 else None
    linked = category == NoteCategory.to_connect and rng.random() < 0.5
    return {
        "interview_id": interview_id,
        "category": category.value,
        "text": " ".join(words).capitalize(),
        "status": (NoteStatus.open if rng.random() < 0.6 else NoteStatus.done).value,
        "due_date": due,
        "contact_id": rng.choice(contact_ids) if linked else None,
        "url": f"https://example.com/read/{i}" if category == NoteCategory.to_read else None,
    }


def _note_items(
    rng: random.Random,
    owner: uuid.UUID,
    clock: Clock,
    interview_ids: list[uuid.UUID],
    contact_ids: list[uuid.UUID],
) -> list[dict[str, Any]]:
    # Uneven on purpose (0 to ~25 per interview, 10 on average), like real use.
    targets = rng.choices(interview_ids, k=NOTE_ITEMS)
    return [
        {**_meta(owner, clock.tick()), **_note(rng, target, i, contact_ids)}
        for i, target in enumerate(targets)
    ]


def _edges(rng: random.Random, contact_ids: list[uuid.UUID]) -> list[tuple[Any, uuid.UUID]]:
    """Unique (from, to) pairs, no self loops; the first ones are direct (from NULL)."""
    direct = rng.sample(contact_ids, DIRECT_REFERRALS)
    edges: list[tuple[Any, uuid.UUID]] = [(None, to) for to in direct]
    seen: set[tuple[uuid.UUID, uuid.UUID]] = set()
    while len(edges) < REFERRALS:
        pair = (rng.choice(contact_ids), rng.choice(contact_ids))
        if pair[0] != pair[1] and pair not in seen:
            seen.add(pair)
            edges.append(pair)
    return edges


def _referrals(
    rng: random.Random,
    owner: uuid.UUID,
    clock: Clock,
    contact_ids: list[uuid.UUID],
    interview_ids: list[uuid.UUID],
) -> list[dict[str, Any]]:
    return [
        {
            **_meta(owner, clock.tick()),
            "from_contact_id": source,
            "to_contact_id": target,
            "interview_id": rng.choice(interview_ids) if rng.random() < 0.5 else None,
            "context": rng.choice(CONTEXTS),
            "status": rng.choice(list(ReferralStatus)).value,
        }
        for source, target in _edges(rng, contact_ids)
    ]


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _insert_all(conn: Connection, owner: uuid.UUID) -> dict[str, Any]:
    rng = random.Random(20261125)
    clock = Clock(ORGANIZATIONS + CONTACTS + INTERVIEWS + NOTE_ITEMS + REFERRALS)
    orgs = _organizations(rng, owner, clock)
    org_ids = [r["id"] for r in orgs]
    contacts = _contacts(rng, owner, clock, org_ids)
    contact_ids = [r["id"] for r in contacts]
    interviews = _interviews(rng, owner, clock, contact_ids)
    interview_ids = [r["id"] for r in interviews]
    notes = _note_items(rng, owner, clock, interview_ids, contact_ids)
    referrals = _referrals(rng, owner, clock, contact_ids, interview_ids)
    batches = (
        (Organization, orgs),
        (Contact, contacts),
        (Interview, interviews),
        (NoteItem, notes),
        (Referral, referrals),
    )
    for model, rows in batches:
        conn.execute(insert(_table(model)), rows)
    return {
        "interview_ids": interview_ids,
        "notes": notes,
        "search_matches": _search_matches(contacts),
    }


def _pick_interviews(
    interview_ids: list[uuid.UUID], notes: list[dict[str, Any]]
) -> tuple[uuid.UUID, int, uuid.UUID]:
    """One interview with ~10 notes to read, and one with none to write notes into."""
    per = Counter(n["interview_id"] for n in notes)
    read = min(interview_ids, key=lambda i: (abs(per[i] - NOTES_ON_READ_TARGET), i))
    write = next((i for i in interview_ids if per[i] == 0), interview_ids[-1])
    return read, per[read], write


def _count(conn: Connection, model: Any, owner: uuid.UUID) -> int:
    table = _table(model)
    stmt = select(func.count()).select_from(table).where(table.c.owner_id == owner)
    return int(conn.execute(stmt).scalar_one())


def _search_matches(contacts: list[dict[str, Any]]) -> int:
    """How many contacts `?q=SEARCH_Q` should find: a case-insensitive substring of any of
    the fields the contacts search looks at."""
    needle = SEARCH_Q.casefold()
    fields = ("full_name", "email", "title", "location", "notes")
    return sum(any(needle in (row[f] or "").casefold() for f in fields) for row in contacts)


def _engine(data_dir: Path) -> Engine:
    return make_engine(Settings(data_dir=data_dir, database_url=None, _env_file=None))


def _checkpoint(engine: Engine) -> None:
    """Folds the WAL into the main file so that one file is the whole database."""
    raw = engine.raw_connection()  # outside any transaction: the app's "begin" hook emits BEGIN
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def seed(data_dir: Path) -> SeedInfo:
    """Creates `data_dir/nexthop.db`, migrated and full; the file must not exist yet."""
    started = time.perf_counter()
    engine = _engine(data_dir)
    try:
        migrations.upgrade(engine)
        owner = uuid7()
        with Session(engine) as session:
            session.execute(
                insert(User.__table__).values(  # type: ignore[attr-defined]
                    id=owner, email="bench@example.test", display_name="Bench",
                    is_admin=False, created_at=datetime.now(UTC),
                )
            )  # fmt: skip
            token = issue_token(session, user_id=owner, name="bench")["secret"]
            session.commit()
        with engine.begin() as conn:
            made = _insert_all(conn, owner)
        read, read_notes, write = _pick_interviews(made["interview_ids"], made["notes"])
        with engine.connect() as conn:
            counts = {
                model.__tablename__: _count(conn, model, owner)
                for model in (Organization, Contact, Interview, NoteItem, Referral)
            }
        _checkpoint(engine)
    finally:
        engine.dispose()
    return SeedInfo(
        db_file=data_dir / "nexthop.db",
        owner_id=owner,
        token=token,
        read_interview_id=read,
        read_interview_notes=read_notes,
        write_interview_id=write,
        search_q=SEARCH_Q,
        search_matches=made["search_matches"],
        seconds=time.perf_counter() - started,
        counts=counts,
    )


def copy_database(seeded: SeedInfo, data_dir: Path) -> None:
    """A pristine copy for one server run, so writes of one run never skew the next."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(seeded.db_file, data_dir / seeded.db_file.name)
