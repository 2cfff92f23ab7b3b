"""How long `GET /contacts?q=…` takes on 10,000 contacts, with the full-text index and
without it (the LIKE scan it replaced), on SQLite and PostgreSQL.

    python -m tests.bench.search [--postgres [ADMIN_URL]] [--repeat 40]

Seeds two users with 10,000 contacts each (the benchmark's user and a neighbour whose rows
the index also holds: FTS5 indexes the whole table) and 1,000 organizations, straight into a
fresh database migrated with the real migrations (a temporary SQLite file; with --postgres
also a throwaway PostgreSQL database, dropped afterwards). Then times what the list endpoint
runs, `contacts.service.list_contacts` (a page of 50 by name, with its total), for a set of
queries, each way:

- indexed: the code as it is (SQLite: FTS5 trigram MATCH for 3+ characters; PostgreSQL:
  ILIKE answered by the pg_trgm GIN index);
- scan: the LIKE/ILIKE scan it replaced (SQLite: the index bypassed; PostgreSQL: the index
  dropped).

Both ways must give the very same page (checked). Also reports what the index costs: the
seeding time of 10,000 contacts with and without the index, and its size on disk.
"""

import random
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, text

from backend import migrations
from backend.contacts import service
from backend.contacts.models import Contact
from backend.organizations.models import Organization
from backend.pagination import make_keyset
from backend.reads import Reading
from backend.search import fts
from backend.users.models import User
from tests.bench import seed
from tests.bench.warm_paths import cli, postgres_engine, sqlite_engine, summary

CONTACTS = 10_000
QUERIES = (
    ("", "no q at all: the fixed cost of a page"),
    ("mar", "a partial first name"),
    ("berg", "part of a surname"),
    ("lindberg", "a whole surname"),
    ("nadia.w", "part of an e-mail address"),
    ("engineer", "a word in many titles"),
    ("zzq", "nothing matches"),
    ("ma", "two characters: always a scan"),
)


def _seed_user(engine: Engine, rng: random.Random, label: str) -> tuple[uuid.UUID, float]:
    owner = uuid.uuid4()
    clock = seed.Clock(seed.ORGANIZATIONS + CONTACTS)
    orgs = seed._organizations(rng, owner, clock)
    contacts = [
        {**seed._meta(owner, clock.tick()), **seed._contact(rng, i, [o["id"] for o in orgs])}
        for i in range(CONTACTS)
    ]
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(User.__table__).values(  # type: ignore[attr-defined]
                id=owner, email=f"{label}-{owner.hex}@bench.test", display_name=label,
                is_admin=False, created_at=now,
            )
        )  # fmt: skip
        conn.execute(insert(Organization.__table__), orgs)  # type: ignore[attr-defined]
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(Contact.__table__), contacts)  # type: ignore[attr-defined]
    return owner, time.perf_counter() - started


def _page(reading: Reading, owner: uuid.UUID, q: str) -> str:
    keyset = make_keyset("name", service.SORT_KEYS, service.table.c.id, None)
    filters = service.ContactFilters(q=q or None)
    return service.list_contacts(
        reading=reading, owner=owner, filters=filters, keyset=keyset, limit=50
    )


def _time(engine: Engine, owner: uuid.UUID, q: str, repeat: int) -> tuple[list[float], str]:
    ms = []
    page = ""
    for _ in range(repeat):
        reading = Reading(engine)
        try:
            started = time.perf_counter()
            page = _page(reading, owner, q)
            ms.append((time.perf_counter() - started) * 1000)
        finally:
            reading.close()
    return ms, page


@contextmanager
def _scanning(engine: Engine) -> Iterator[None]:
    """The LIKE scan: SQLite bypasses its FTS tables; PostgreSQL loses its trigram index."""
    if engine.dialect.name == "sqlite":
        saved = fts.MIN_INDEXED
        fts.MIN_INDEXED = 10**9
        try:
            yield
        finally:
            fts.MIN_INDEXED = saved
        return
    _drop_postgres_indexes(engine)
    yield


def _drop_postgres_indexes(engine: Engine) -> None:
    with engine.begin() as conn:
        for column in fts.SEARCHED["contacts"]:
            conn.execute(text(f"DROP INDEX IF EXISTS fts_contacts_{column}"))


def _index_size(engine: Engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            index = conn.execute(
                text(
                    "SELECT sum(pg_relation_size(indexname::regclass)) FROM pg_indexes "
                    "WHERE indexname LIKE 'fts\\_contacts\\_%'"
                )
            ).scalar_one()
            table = conn.execute(text("SELECT pg_relation_size('contacts')")).scalar_one()
        else:
            rows = conn.execute(text("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")).all()
            index = sum(size for name, size in rows if name.startswith("fts_contacts"))
            table = sum(size for name, size in rows if name == "contacts")
    return f"{index / 2**20:.1f} MiB (the contacts table: {table / 2**20:.1f} MiB)"


def _seed_without_index(engine: Engine, rng: random.Random) -> float:
    """Seeding time of 10,000 more contacts with the index maintenance switched off."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for event in ("insert", "update", "delete"):
                conn.execute(text(f"DROP TRIGGER fts_contacts_{event}"))
    if engine.dialect.name == "postgresql":
        _drop_postgres_indexes(engine)
    _owner, seconds = _seed_user(engine, rng, "unindexed")
    return seconds


def bench(engine: Engine, label: str, repeat: int) -> None:
    migrations.upgrade(engine)
    rng = random.Random(20261126)
    owner, seeded = _seed_user(engine, rng, "bench")
    _neighbour, _ = _seed_user(engine, rng, "neighbour")
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    write = sys.stdout.write
    write(f"\n{label}: {CONTACTS} contacts per user, 2 users\n")
    write(f"  index size: {_index_size(engine)}\n")
    for q, _what in QUERIES:  # warm up the pool, caches and statement caches
        _time(engine, owner, q, 2)
    indexed: dict[str, tuple[list[float], str]] = {
        q: _time(engine, owner, q, repeat) for q, _what in QUERIES
    }
    with _scanning(engine):
        for q, _what in QUERIES:
            _time(engine, owner, q, 2)
        scanned = {q: _time(engine, owner, q, repeat) for q, _what in QUERIES}
    for q, what in QUERIES:
        fast, slow = indexed[q], scanned[q]
        assert fast[1] == slow[1], f"the two ways disagree for q={q!r}"
        total = fast[1].rsplit('"total":', 1)[1].rstrip("}")
        write(f"  q={q!r} ({what}): {total} of {CONTACTS} match\n")
        write(summary("  indexed", fast[0]) + "\n")
        write(summary("  LIKE scan (before)", slow[0]) + "\n")
    unindexed = _seed_without_index(engine, rng)
    write(
        f"  inserting {CONTACTS} contacts in one transaction: {seeded:.2f} s with the index, "
        f"{unindexed:.2f} s without\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = cli(__doc__)
    parser.add_argument("--repeat", type=int, default=40, help="timed runs per query")
    args = parser.parse_args(argv)
    with sqlite_engine() as engine:
        bench(engine, "SQLite", args.repeat)
    if args.postgres:
        with postgres_engine(args.postgres) as engine:
            bench(engine, "PostgreSQL", args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
