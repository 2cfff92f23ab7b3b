"""How long the warm-path search takes for one big network, on SQLite and PostgreSQL.

    python -m tests.bench.warm_paths [--postgres ADMIN_URL] [--targets 50]

Seeds one user with 10,000 contacts and 20,000 referral edges straight into a fresh database
(a temporary SQLite file; with --postgres also a throwaway PostgreSQL database, created like
tests/conftest.py does and dropped afterwards), both migrated with the real migrations. Then
times, over random target contacts:

- contact: `service.contact_warm_paths`, what GET /contacts/{id}/warm-paths runs (a recursive
  CTE fetches the edges that can lie on a chain of at most 6 hops to the target, the pure
  search ranks the chains in memory, one more query names the people on them);
- organization: `service.organization_warm_paths` for random organizations;
- alternative: loading every non-declined edge of the owner with one SELECT and searching
  in memory without the CTE's pruning; it must give the very same chains (checked).

The network: 200 people the user knows directly, the other edges between random contacts
(so almost everyone is within six hops: the search visits nearly the whole graph), statuses
mixed (10% declined), half the edges tied to one of 2,000 interviews.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, insert, text
from sqlalchemy.orm import Session

from backend import migrations
from backend.config import Settings
from backend.contacts.models import Contact, ContactStatus
from backend.db import make_engine
from backend.fields import name_key, uuid7
from backend.interviews.models import Interview
from backend.network import paths, service
from backend.organizations.models import Organization
from backend.profiles.models import Profile
from backend.referrals.models import Referral
from backend.users.models import User

CONTACTS = 10_000
EDGES = 20_000
DIRECT = 200
ORGANIZATIONS = 1_000
INTERVIEWS = 2_000
STATUSES = ("offered", "introduced", "contacted", "met", "declined")
STATUS_WEIGHTS = (30, 20, 15, 25, 10)
CONTEXTS = ("Worked together", "Same university", "Met at a meetup", "Former manager", None)
DEFAULT_PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def cli(doc: str | None) -> argparse.ArgumentParser:
    """The benchmarks' command line: SQLite always, `--postgres [ADMIN_URL]` as well."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=DEFAULT_PG_ADMIN,
        metavar="ADMIN_URL",
        help=f"also on PostgreSQL, in a throwaway database (default {DEFAULT_PG_ADMIN})",
    )
    return parser


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


@dataclass
class Seeded:
    owner: uuid.UUID
    contact_ids: list[uuid.UUID]
    organization_ids: list[uuid.UUID]
    seconds: float


def seed(engine: Engine, rng: random.Random) -> Seeded:
    started = time.perf_counter()
    now = datetime.now(UTC)
    owner = uuid7()

    def meta(i: int) -> dict[str, Any]:
        at = now - timedelta(seconds=EDGES + CONTACTS - i)
        return {"id": uuid7(), "owner_id": owner, "version": 1, "created_at": at, "updated_at": at}

    orgs = [
        {
            **meta(i),
            "name": f"Organization {i:04d}",
            "name_key": name_key(f"Organization {i:04d}"),
            "interest_level": rng.randint(1, 5),
            "tags": rng.sample(["climate", "ml", "health", "hardware"], rng.randint(0, 2)),
        }
        for i in range(ORGANIZATIONS)
    ]
    org_ids = [o["id"] for o in orgs]
    contacts = [
        {
            **meta(i),
            "full_name": f"Person {i:05d}",
            "name_key": f"person {i:05d}",
            "organization_id": rng.choice(org_ids),
            "tags": rng.sample(["climate", "ml", "python", "design"], rng.randint(0, 2)),
            "status": rng.choice(list(ContactStatus)).value,
        }
        for i in range(CONTACTS)
    ]
    contact_ids = [c["id"] for c in contacts]
    interviews = [
        {**meta(i), "contact_id": rng.choice(contact_ids), "status": "idea", "duration_minutes": 45}
        for i in range(INTERVIEWS)
    ]
    interview_ids = [i["id"] for i in interviews]
    pairs: list[tuple[uuid.UUID | None, uuid.UUID]] = [
        (None, to) for to in rng.sample(contact_ids, DIRECT)
    ]
    seen: set[tuple[uuid.UUID | None, uuid.UUID]] = set(pairs)
    while len(pairs) < EDGES:
        pair = (rng.choice(contact_ids), rng.choice(contact_ids))
        if pair[0] != pair[1] and pair not in seen:
            seen.add(pair)
            pairs.append(pair)
    edges = [
        {
            **meta(i),
            "from_contact_id": source,
            "to_contact_id": target,
            "interview_id": rng.choice(interview_ids) if rng.random() < 0.5 else None,
            "context": rng.choice(CONTEXTS),
            "status": rng.choices(STATUSES, STATUS_WEIGHTS)[0],
        }
        for i, (source, target) in enumerate(pairs)
    ]
    with engine.begin() as conn:
        conn.execute(
            insert(_table(User)).values(
                id=owner, email=f"{owner.hex}@bench.test", display_name="Bench",
                is_admin=False, created_at=now,
            )
        )  # fmt: skip
        conn.execute(
            insert(_table(Profile)).values(
                owner_id=owner, focus_areas=["climate", "ML"], version=1,
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
        for model, rows in (
            (Organization, orgs),
            (Contact, contacts),
            (Interview, interviews),
            (Referral, edges),
        ):
            conn.execute(insert(_table(model)), rows)
    return Seeded(owner, contact_ids, org_ids, time.perf_counter() - started)


def full_load_warm_paths(session: Session, owner: uuid.UUID, target: uuid.UUID) -> list[list[str]]:
    """The alternative: every non-declined edge of the owner in one SELECT, searched in
    memory (the same pure search, without the CTE's pruning)."""
    edges = service._edges(session, owner, service.USABLE, details=True)
    found = paths.warm_paths(edges, [service._key(session, target)])
    return [[hop.id for hop in path.hops] for path in found]


def timed(engine: Engine, calls: list[Callable[[Session], Any]]) -> list[float]:
    """Milliseconds per call, each in a fresh session like a request's."""
    out = []
    for call in calls:
        with Session(engine) as session:
            started = time.perf_counter()
            call(session)
            out.append((time.perf_counter() - started) * 1000)
    return out


def summary(name: str, ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return (
        f"  {name:<28} median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms"
        f"   max {ordered[-1]:7.1f} ms   (n={len(ordered)})"
    )


def bench(engine: Engine, label: str, n_targets: int) -> None:
    migrations.upgrade(engine)
    rng = random.Random(20261126)
    seeded = seed(engine, rng)
    if engine.dialect.name == "postgresql":
        # What autovacuum does shortly after a bulk load; without statistics the planner
        # guesses the referrals table empty.
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    owner = seeded.owner
    targets = rng.sample(seeded.contact_ids, n_targets)
    orgs = rng.sample(seeded.organization_ids, n_targets)
    write = sys.stdout.write
    write(f"\n{label}: seeded {CONTACTS} contacts, {EDGES} edges in {seeded.seconds:.1f} s\n")

    answers: dict[uuid.UUID, list[list[str]]] = {}

    def contact(target: uuid.UUID) -> Callable[[Session], Any]:
        def call(session: Session) -> None:
            result = service.contact_warm_paths(
                session=session, owner=owner, contact_id=target, limit=5
            )
            answers[target] = [[hop.referral_id.hex for hop in p.hops] for p in result.paths]

        return call

    def organization(org: uuid.UUID) -> Callable[[Session], Any]:
        return lambda s: service.organization_warm_paths(
            session=s, owner=owner, organization_id=org, limit=5
        )

    def full_load(target: uuid.UUID) -> Callable[[Session], Any]:
        return lambda s: full_load_warm_paths(s, owner, target)

    timed(engine, [contact(t) for t in targets[:3]])  # warm up the pool and statement caches
    rows = [
        ("contact warm paths", [contact(t) for t in targets]),
        ("organization warm paths", [organization(o) for o in orgs]),
        ("alternative: load all edges", [full_load(t) for t in targets]),
    ]
    for name, calls in rows:
        write(summary(name, timed(engine, calls)) + "\n")
    with Session(engine) as session:
        for target in targets:
            expected = full_load_warm_paths(session, owner, target)
            same = [[uuid.UUID(i).hex for i in ids] for ids in expected]
            assert answers[target] == same, f"the two ways disagree for {target}"
    few = max(1, n_targets // 5)
    rows = [
        (
            "(other) contact alignment",
            [
                lambda s, t=t: service.contact_alignment(session=s, owner=owner, contact_id=t)
                for t in targets[:few]
            ],
        ),
        ("(other) graph", [lambda s: service.graph(session=s, owner=owner)] * few),
        (
            "(other) alignment ranking",
            [lambda s: service.ranked_alignment(session=s, owner=owner, limit=50)] * few,
        ),
        (
            "(other) organization people",
            [
                lambda s, org=org: service.organization_people(
                    session=s, owner=owner, organization_id=org
                )
                for org in orgs[:few]
            ],
        ),
        (
            "(other) stats",
            [lambda s: service.network_stats(session=s, owner=owner, weeks=12)] * few,
        ),
    ]
    for name, calls in rows:
        write(summary(name, timed(engine, calls)) + "\n")
    lengths = [len(answers[t][0]) for t in targets if answers[t]]
    histogram = dict(sorted((n, lengths.count(n)) for n in set(lengths)))
    write(
        f"  both ways give the same chains; {len(lengths)}/{len(targets)} targets reachable "
        f"in at most 6 hops, shortest chains by length: {histogram}\n"
    )


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory(prefix="nexthop-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=None, _env_file=None)  # type: ignore[call-arg]
        engine = make_engine(settings)
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def postgres_engine(admin_url: str) -> Iterator[Engine]:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"nexthop_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    settings = Settings(data_dir=Path(tempfile.gettempdir()), database_url=url, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(settings)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = cli(__doc__)
    parser.add_argument("--targets", type=int, default=50, help="random targets (default 50)")
    args = parser.parse_args(argv)
    with sqlite_engine() as engine:
        bench(engine, "SQLite", args.targets)
    if args.postgres:
        with postgres_engine(args.postgres) as engine:
            bench(engine, "PostgreSQL", args.targets)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
