"""What the row-count triggers and the shape of a bulk insert cost: 10,000 contacts inserted
in one transaction, on SQLite and PostgreSQL.

    python -m tests.bench.bulk_insert [--postgres [ADMIN_URL]] [--rows 10000] [--repeat 3]

Into a fresh database migrated with the real migrations (a temporary SQLite file; with
--postgres also a throwaway PostgreSQL database, dropped afterwards), the same rows a
LinkedIn import writes, each way, each run in a transaction that is rolled back:

- triggers: PostgreSQL "per row" (the "row counts" migration's, made again for the run) or
  "per statement" (transition tables, what the migrations make now); SQLite "per row" (what
  the migrations make) or "none" (dropped for the run: what counting costs);
- shapes: "executemany" (one statement per row; psycopg sends them in pipeline mode),
  "1,000-row VALUES" (SQLAlchemy's insertmanyvalues), "one JSON statement" (PostgreSQL:
  jsonb_populate_recordset over one parameter). The imports use the last on PostgreSQL and
  the second on SQLite (backend/transfer/service.py, `_insert_rows`).

Prints the median and the fastest of --repeat runs, and checks the count each way.
"""

import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, literal_column, text
from sqlalchemy.orm import Session

from backend import migrations
from backend.contacts.models import Contact
from backend.counts import RowCount
from backend.fields import name_key, uuid7
from backend.transfer import service
from backend.users.models import User
from tests.bench.linkedin_import import FIRST, LAST, POSITIONS, unreachable
from tests.bench.warm_paths import cli, postgres_engine, sqlite_engine

contacts = Contact.__table__  # type: ignore[attr-defined]
counts = RowCount.__table__  # type: ignore[attr-defined]
CONSTANTS = {"version": literal_column("1"), "tags": literal_column("'[]'")}

# The "row counts" migration's per-row triggers, for comparison.
PER_ROW_POSTGRES = (
    """
    CREATE FUNCTION count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO row_counts (owner_id, kind, n) VALUES (NEW.owner_id, TG_TABLE_NAME, 1)
        ON CONFLICT (owner_id, kind) DO UPDATE SET n = row_counts.n + 1;
      ELSE
        UPDATE row_counts SET n = n - 1 WHERE owner_id = OLD.owner_id AND kind = TG_TABLE_NAME;
      END IF;
      RETURN NULL;
    END $$
    """,
    "DROP TRIGGER contacts_count_insert ON contacts",
    "DROP TRIGGER contacts_count_delete ON contacts",
    "CREATE TRIGGER contacts_count AFTER INSERT OR DELETE ON contacts "
    "FOR EACH ROW EXECUTE FUNCTION count_rows()",
)
NO_COUNT_SQLITE = ("DROP TRIGGER contacts_count_insert", "DROP TRIGGER contacts_count_delete")


def rows_of(owner: uuid.UUID, n: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    rows = []
    for i in range(n):
        name = f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]} {i:05d}"
        rows.append(
            {
                "owner_id": owner, "created_at": now, "updated_at": now, "id": uuid7(),
                "full_name": name, "name_key": name_key(name),
                "linkedin_url": f"https://www.linkedin.com/in/person-{i:05d}",
                "email": f"person-{i:05d}@example.test" if i % 10 == 0 else None,
                "title": POSITIONS[i % len(POSITIONS)], "status": "identified",
            }
        )  # fmt: skip
    return rows


def executemany(conn: Connection, rows: list[dict[str, Any]]) -> None:
    conn.execute(insert(contacts).values(CONSTANTS), rows)


def values_pages(conn: Connection, rows: list[dict[str, Any]]) -> None:
    # RETURNING makes SQLAlchemy batch the rows into multi-row VALUES statements.
    conn.execute(insert(contacts).values(CONSTANTS).returning(contacts.c.id), rows).close()


def one_json_statement(conn: Connection, rows: list[dict[str, Any]]) -> None:
    with Session(bind=conn) as session:
        service._insert_rows(session, contacts, rows, CONSTANTS)


SHAPES: dict[str, Callable[[Connection, list[dict[str, Any]]], None]] = {
    "executemany": executemany,
    "1,000-row VALUES": values_pages,
    "one JSON statement": one_json_statement,
}


def _run(
    engine: Engine, owner: uuid.UUID, n: int, setup: tuple[str, ...], shape: Callable[..., None]
) -> float:
    rows = rows_of(owner, n)
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            for statement in setup:
                conn.execute(text(statement))
            started = time.perf_counter()
            shape(conn, rows)
            seconds = time.perf_counter() - started
            counted = conn.execute(
                counts.select().with_only_columns(counts.c.n).where(counts.c.owner_id == owner)
            ).scalar()
            assert counted == (None if setup == NO_COUNT_SQLITE else n), (counted, n)
        finally:
            transaction.rollback()
    return seconds


def bench(engine: Engine, label: str, n: int, repeat: int) -> None:
    migrations.upgrade(engine)
    owner = uuid7()
    with engine.begin() as conn:
        conn.execute(
            insert(User.__table__).values(  # type: ignore[attr-defined]
                id=owner, email=f"{owner.hex}@bench.test", display_name="bench",
                is_admin=False, created_at=datetime.now(UTC),
            )
        )  # fmt: skip
    postgres = engine.dialect.name == "postgresql"
    triggers = (
        {"per row": PER_ROW_POSTGRES, "per statement": ()}
        if postgres
        else {"per row": (), "none": NO_COUNT_SQLITE}
    )
    shapes = SHAPES if postgres else {k: v for k, v in SHAPES.items() if "JSON" not in k}
    write = sys.stdout.write
    write(f"\n{label}: {n} contacts in one transaction (median / fastest of {repeat})\n")
    write(f"  {'count triggers':<16}" + "".join(f"{name:>22}" for name in shapes) + "\n")
    for trigger, setup in triggers.items():
        cells = []
        for shape in shapes.values():
            runs = [_run(engine, owner, n, setup, shape) for _ in range(repeat)]
            cells.append(f"{statistics.median(runs):8.2f} / {min(runs):.2f} s")
        write(f"  {trigger:<16}" + "".join(f"{cell:>22}" for cell in cells) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = cli(__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with sqlite_engine() as engine:
        bench(engine, "SQLite", args.rows, args.repeat)
    if args.postgres:
        problem = unreachable(args.postgres)
        if problem:
            sys.stdout.write(f"\nPostgreSQL: not measured, unreachable ({problem})\n")
            return 0
        with postgres_engine(args.postgres) as engine:
            bench(engine, "PostgreSQL", args.rows, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
