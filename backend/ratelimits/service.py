"""Per-user rate limits, counted in the database so that every worker shares them.

One statement per limited request: an upsert of the user's counter for the bucket that
rolls the window over, counts the request if it fits and says whether it did (see
backend.ratelimits.window for the arithmetic). It runs before the request does any work, in
a short transaction of its own, so a refused request has written nothing and an accepted
one is counted even if it then fails.

Counters need no durability (losing the last few to a power cut only forgives a few
requests), so they are written through an engine of their own whose commits do not wait for
the disk: SQLite `synchronous=NORMAL` (in WAL mode: no fsync per commit; another
connection's FULL commit makes them durable too), PostgreSQL `synchronous_commit=off`. A
request that changes data still pays its own fsync, and only that one.
"""

import threading
import time
import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

import anyio
import anyio.to_thread
from sqlalchemy import Engine, Float, Insert, Integer, Row, bindparam, case, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite

from backend.config import Settings
from backend.db import writer_lock
from backend.errors import ProblemError
from backend.ratelimits.models import RateLimitCounter
from backend.ratelimits.policy import Bucket
from backend.ratelimits.window import TOLERANCE, retry_after, window_at
from backend.writer_lock import install as writer_lock_events

counters = RateLimitCounter.__table__  # type: ignore[attr-defined]

# What each bucket counts, for the refusal's message.
WHAT = {
    Bucket.writes: "changes",
    Bucket.transfer: "imports and exports",
    Bucket.search: "searches",
    Bucket.network: "network queries (warm paths, graph, alignment)",
    Bucket.messages: "messages composed",
}


class TooManyRequests(ProblemError):
    status, code = 429, "rate_limited"


def limits_of(settings: Settings) -> dict[Bucket, int]:
    """Each bucket's limit per window; 0 (or limits turned off) means none."""
    if not settings.rate_limits_enabled:
        return dict.fromkeys(Bucket, 0)
    return {bucket: int(getattr(settings, f"rate_limit_{bucket.value}")) for bucket in Bucket}


@cache
def _upsert(dialect: str) -> Insert:
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    c = counters.c
    start = bindparam("start", type_=c.window_start.type)
    stmt = insert(counters).values(
        user_id=bindparam("user_id", type_=c.user_id.type),
        bucket=bindparam("bucket", type_=c.bucket.type),
        window_start=start,
        # A user's first request in this bucket: one, let through (every limit is ≥ 1).
        hits=1,
        previous_hits=0,
        allowed=True,
    )
    # In the SET below every column names the row as it was (SQL evaluates the whole SET
    # against the old row), `start` the window this request falls in.
    same = c.window_start >= start  # `>`: another worker's clock a little ahead
    just_rolled = c.window_start == start - bindparam("seconds", type_=Integer())
    previous = case((same, c.previous_hits), (just_rolled, c.hits), else_=0)
    current = case((same, c.hits), else_=0)
    # window.fits, in SQL: the limit comes with its float tolerance.
    fits = previous * bindparam("weight", type_=Float()) + current + 1 <= bindparam(
        "limit", type_=Float()
    )
    return stmt.on_conflict_do_update(
        index_elements=[c.user_id, c.bucket],
        set_={
            "previous_hits": previous,
            "hits": current + case((fits, 1), else_=0),
            "window_start": case((same, c.window_start), else_=start),
            "allowed": fits,
        },
    ).returning(c.window_start, c.hits, c.previous_hits, c.allowed)


# Counts run in threads of their own (RateLimiter._threads), each holding one connection of
# the counters' engine while it counts: the engine needs no more than that, and opens no more
# (README "PostgreSQL": the connections a process may open).
COUNTING_THREADS = 4


def counter_engine(engine: Engine, settings: Settings) -> Engine:
    """An engine on the same database whose commits do not wait for the disk.

    Its own pool rather than the requests' one: the settings that spare the fsync belong to
    a connection (PostgreSQL's synchronous_commit, SQLite's synchronous), and flipping them
    on shared connections would leave a request's write undurable the day a reset is missed.
    Sharing would not lower the total either: the requests' pool would need as many more."""
    pool: dict[str, Any] = {"pool_size": COUNTING_THREADS, "max_overflow": 0, "pool_timeout": 30}
    if engine.dialect.name != "sqlite":
        # The upsert is atomic on its own: run in autocommit, it is one round trip.
        return create_engine(
            engine.url,
            connect_args={"options": "-c synchronous_commit=off"},
            isolation_level="AUTOCOMMIT",
            pool_recycle=1800,
            **pool,
        )
    counted = create_engine(engine.url, connect_args={"check_same_thread": False}, **pool)
    busy_timeout_ms = int(settings.sqlite_busy_timeout_ms)

    @event.listens_for(counted, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # In this process's queue of writers to the file, with the requests' own writes.
    writers = writer_lock(engine)
    if writers is not None:
        writer_lock_events(counted, writers)

    @event.listens_for(counted, "begin")
    def on_begin(conn: Any) -> None:
        if writers is not None:
            writers.begin(conn.connection.driver_connection, busy_timeout_ms / 1000)
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return counted


class RateLimiter:
    def __init__(
        self, settings: Settings, engine: Engine, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings = settings
        self.seconds = settings.rate_limit_window_seconds
        self.limits = limits_of(settings)
        self.clock = clock
        self._main = engine
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        # Threads of its own: a count never waits behind request threads (which may be
        # waiting for this very request to get through).
        self._threads = anyio.CapacityLimiter(COUNTING_THREADS)

    @property
    def engine(self) -> Engine:
        with self._engine_lock:
            if self._engine is None:
                self._engine = counter_engine(self._main, self.settings)
            return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def count(self, user_id: uuid.UUID, bucket: Bucket, limit: int, now: float) -> Row[Any]:
        """Counts one request of the user's in the bucket if it fits: one statement."""
        window = window_at(now, self.seconds)
        params = {
            "user_id": user_id,
            "bucket": bucket.value,
            "start": window.start,
            "seconds": self.seconds,
            "weight": window.previous_weight,
            "limit": limit + TOLERANCE,
        }
        engine = self.engine
        sqlite = engine.dialect.name == "sqlite"
        # SQLite: BEGIN IMMEDIATE (see counter_engine), so the upsert never has to upgrade a
        # read lock; PostgreSQL: autocommit.
        with engine.begin() if sqlite else engine.connect() as conn:
            return conn.execute(_upsert(engine.dialect.name), params).one()

    async def hit(self, user_id: uuid.UUID, bucket: Bucket) -> None:
        """Lets the request through, or refuses it with 429 and Retry-After."""
        limit = self.limits[bucket]
        if not limit:
            return
        now = self.clock()
        row = await anyio.to_thread.run_sync(
            self.count, user_id, bucket, limit, now, limiter=self._threads
        )
        if row.allowed:
            return
        wait = retry_after(
            limit=limit,
            seconds=self.seconds,
            now=now,
            window_start=row.window_start,
            count=row.hits,
            prev_count=row.previous_hits,
        )
        raise TooManyRequests(
            f"Too many {WHAT[bucket]}: at most {limit} per {self.seconds} s. Retry in {wait} s.",
            headers={"Retry-After": str(wait)},
            bucket=bucket.value,
            limit=limit,
            window_seconds=self.seconds,
            retry_after=wait,
        )
