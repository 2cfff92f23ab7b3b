"""Per-user rate limits: 429 with Retry-After before any work, per user and per bucket,
counted in the database; the window arithmetic and the bucket rules tested directly.

The suite's own app runs with the default limits, which no test comes near; these tests run
a second app on the same database with tiny ones.
"""

import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from backend.config import Settings
from backend.main import create_app
from backend.ratelimits.policy import Bucket, bucket_for
from backend.ratelimits.service import RateLimiter, limits_of
from backend.ratelimits.window import estimate, fits, retry_after, window_at
from tests import factories
from tests.conftest import Api, new_user

LIMITS = {
    "rate_limit_writes": 3,
    "rate_limit_network": 2,
    "rate_limit_search": 2,
    "rate_limit_transfer": 1,
    "rate_limit_messages": 1,
}


# --- The arithmetic (pure) -----------------------------------------------------------------


def test_windows_are_aligned_and_the_previous_one_fades_out() -> None:
    assert window_at(120.0, 60) == (120, 1.0)
    assert window_at(135.0, 60) == (120, 0.75)
    assert window_at(179.999, 60).start == 120
    assert estimate(count=2, prev_count=4, previous_weight=0.75) == 5.0


@pytest.mark.parametrize(
    ("now", "window_start", "count", "prev_count", "expected"),
    [
        # Full in this window: the next one, once a third of it has passed (20 s), when
        # this window's 3 weigh 2.
        (130.0, 120, 3, 0, 70),
        (170.0, 120, 3, 6, 30),
        # Room in this window once 3/4 of the previous one's 4 have slid out (45 s in).
        (125.0, 120, 1, 4, 40),
        # Almost there: never less than a second.
        (139.9, 120, 0, 3, 1),
    ],
)
def test_retry_after_is_when_one_more_request_fits(
    now: float, window_start: int, count: int, prev_count: int, expected: int
) -> None:
    wait = retry_after(
        limit=3, seconds=60, now=now, window_start=window_start, count=count,
        prev_count=prev_count,
    )  # fmt: skip
    assert wait == expected

    # And after that wait, one more would be let through (the counter as the database
    # would roll it over), while a second less would not.
    def fits_at(at: float) -> bool:
        window = window_at(at, 60)
        if window.start == window_start:
            current, previous = count, prev_count
        elif window.start == window_start + 60:
            current, previous = 0, count
        else:
            current, previous = 0, 0
        return fits(
            limit=3, count=current, prev_count=previous, previous_weight=window.previous_weight
        )

    assert not fits_at(now)
    assert fits_at(now + wait)
    if wait > 1:
        assert not fits_at(now + wait - 1)


@pytest.mark.parametrize(
    ("method", "operation", "searching", "bucket"),
    [
        ("POST", "contacts-create", False, Bucket.writes),
        ("DELETE", "tokens-delete", False, Bucket.writes),
        ("GET", "contacts-get", False, None),
        ("GET", "contacts-list", False, None),
        ("GET", "contacts-list", True, Bucket.search),
        ("GET", "search-query", False, Bucket.search),
        ("POST", "imports-linkedin", False, Bucket.transfer),
        ("GET", "exports-backup", False, Bucket.transfer),
        ("GET", "exports-contact-vcard", False, None),
        ("GET", "network-contact-warm-paths", False, Bucket.network),
        ("GET", "opportunities-chain", False, Bucket.network),
        ("GET", "messages-compose", False, Bucket.messages),
        ("POST", "messages-mark-sent", False, Bucket.writes),
        ("GET", "history-list", False, None),
    ],
)
def test_which_requests_count_against_which_limit(
    method: str, operation: str, searching: bool, bucket: Bucket | None
) -> None:
    assert bucket_for(method, operation, searching=searching) == bucket


def test_limits_can_be_turned_off_all_at_once_or_one_by_one() -> None:
    off = Settings(_env_file=None, rate_limits_enabled=False)  # type: ignore[call-arg]
    assert set(limits_of(off).values()) == {0}
    one = Settings(_env_file=None, rate_limit_search=0)  # type: ignore[call-arg]
    assert limits_of(one)[Bucket.search] == 0
    assert limits_of(one)[Bucket.writes] == 1200


# --- Through the API -----------------------------------------------------------------------


def _limited_app(settings: Settings, engine: Engine, **changes: Any) -> FastAPI:
    return create_app(settings.model_copy(update={**LIMITS, **changes}), engine)


@pytest.fixture(scope="module")
def limited(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """The app with tiny limits, on the suite's database."""
    with TestClient(_limited_app(settings, engine)) as client:
        yield client


def as_user(client: TestClient, engine: Engine) -> Api:
    return Api(client, new_user(engine))


def refused(response: Any, bucket: str, limit: int) -> int:
    """Asserts a rate-limit refusal; its Retry-After."""
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    wait = int(response.headers["retry-after"])
    body = response.json()
    assert (body["status"], body["bucket"], body["limit"]) == (429, bucket, limit)
    assert body["window_seconds"] == 60
    assert body["retry_after"] == wait
    assert 1 <= wait <= 120
    return wait


def test_writes_over_the_limit_are_refused_before_they_do_anything(
    limited: TestClient, engine: Engine
) -> None:
    api = as_user(limited, engine)
    for n in range(3):
        factories.contact(api, full_name=f"Person {n}")
    refused(api.post("/api/v1/contacts", json={"full_name": "One too many"}), "writes", 3)
    contact_id = factories.listing(api, "/api/v1/contacts")[0]["id"]
    refused(api.delete(f"/api/v1/contacts/{contact_id}"), "writes", 3)
    # Nothing of the refused requests was written, and reading is not limited.
    names = [c["full_name"] for c in factories.listing(api, "/api/v1/contacts")]
    assert sorted(names) == ["Person 0", "Person 1", "Person 2"]
    assert len(factories.listing(api, "/api/v1/history")) == 3
    for _ in range(5):
        assert api.get(f"/api/v1/contacts/{contact_id}").status_code == 200


def test_other_users_and_other_buckets_are_not_affected(
    limited: TestClient, engine: Engine
) -> None:
    busy, other = as_user(limited, engine), as_user(limited, engine)
    contact = factories.contact(busy)
    for _ in range(2):
        factories.contact(busy)
    refused(busy.post("/api/v1/contacts", json={"full_name": "x"}), "writes", 3)
    # Another user writes as usual; the busy one may still use the other buckets.
    factories.contact(other)
    paths = f"/api/v1/contacts/{contact['id']}/warm-paths"
    assert busy.get(paths).status_code == 200
    assert busy.get(paths).status_code == 200
    refused(busy.get(paths), "network", 2)
    assert busy.get("/api/v1/network/graph").status_code == 429  # the same bucket
    assert other.get(paths.replace(contact["id"], str(uuid.uuid4()))).status_code == 404


def test_searching_lists_counts_as_search_and_plain_lists_do_not(
    limited: TestClient, engine: Engine
) -> None:
    api = as_user(limited, engine)
    for _ in range(4):
        assert api.get("/api/v1/contacts").status_code == 200
    assert api.get("/api/v1/contacts", params={"q": "ada"}).status_code == 200
    assert api.get("/api/v1/organizations", params={"q": "acme"}).status_code == 200
    refused(api.get("/api/v1/interviews", params={"q": "cafe"}), "search", 2)
    assert api.get("/api/v1/interviews").status_code == 200


def test_imports_count_as_transfers_not_as_writes(limited: TestClient, engine: Engine) -> None:
    api = as_user(limited, engine)
    csv = b"full_name\r\nAda Lovelace\r\n"
    upload = {"file": ("contacts.csv", csv, "text/csv")}
    first = api.post("/api/v1/imports/contacts-csv", params={"mode": "commit"}, files=upload)
    assert first.status_code == 200, first.text
    again = api.post("/api/v1/imports/contacts-csv", params={"mode": "commit"}, files=upload)
    refused(again, "transfer", 1)
    refused(api.get("/api/v1/exports/backup"), "transfer", 1)
    # The import did not use up a write.
    for n in range(3):
        factories.organization(api, name=f"Org {n}")


def test_waiting_retry_after_is_enough(settings: Settings, engine: Engine) -> None:
    """A 1-second window: refused, then let through again after Retry-After seconds."""
    app = _limited_app(settings, engine, rate_limit_window_seconds=1, rate_limit_writes=2)
    with TestClient(app) as client:
        api = as_user(client, engine)
        # Start just after a window boundary, so the three requests share one window.
        time.sleep(1 - time.time() % 1 + 0.01)
        factories.organization(api, name="One")
        factories.organization(api, name="Two")
        third = api.post("/api/v1/organizations", json={"name": "Three"})
        assert third.status_code == 429, third.text
        wait = int(third.headers["retry-after"])
        assert wait in (1, 2)
        time.sleep(wait)
        factories.organization(api, name="Three")


def test_the_count_costs_one_short_statement(
    settings: Settings, engine: Engine, db_kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The added latency of a limited request, in process: the counter's upsert through
    its own connection pool and thread. Reported, and bounded generously."""
    limiter = RateLimiter(settings.model_copy(update=LIMITS), engine)
    user = new_user(engine)

    async def hits(n: int) -> list[float]:
        took = []
        for _ in range(n):
            started = time.perf_counter()
            await limiter.hit(user.id, Bucket.messages)  # under the limit: 0 means none
            took.append(time.perf_counter() - started)
        return took

    limiter.limits[Bucket.messages] = 1_000_000
    try:
        anyio.run(hits, 20)  # warm the pool
        median = statistics.median(anyio.run(hits, 300))
        direct = [
            _timed(limiter.count, user.id, Bucket.messages, 1_000_000, time.time())
            for _ in range(300)
        ]
    finally:
        limiter.close()
    with capsys.disabled():
        sys.stderr.write(
            f"\n[rate limit, {db_kind}] one counted request adds {median * 1e6:.0f} µs "
            f"(median of 300; the statement alone {statistics.median(direct) * 1e6:.0f} µs)\n"
        )
    assert median < 0.02


def _timed(fn: Any, *args: Any) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started
