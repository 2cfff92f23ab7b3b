"""Many writers at once on several worker processes: no "database is locked", no lost update.

Fifty clients share ten interviews (five on each) and loop: read the interview, then write
its summary as the count it held plus one, with `If-Match` naming the version read; a 412
means someone else wrote first, so read again. If any write were lost (two clients both
turning 7 into 8) or any request failed, the final counts would not match the number of
acknowledged writes. SQLite runs with 2 uvicorn workers (two processes meeting at the file's
lock), PostgreSQL with 4.

`SOAK_SECONDS` sets how long the clients write (`make soak`: 30; the suite: 3).

That every pooled SQLite connection has its busy timeout (and WAL, foreign keys,
synchronous=FULL) is checked in tests/test_storage.py; that write transactions start with
BEGIN IMMEDIATE, there too.
"""

import asyncio
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import new_user
from tests.test_crash_safety import Database, Server, fresh_database

# Slow (concurrent writers against real servers): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

SECONDS = float(os.environ.get("SOAK_SECONDS", "3"))
CLIENTS = 50
INTERVIEWS = 10
WORKERS = {"sqlite": 2, "postgresql": 4}


@pytest.fixture
def database(db_kind: str, tmp_path: Path) -> Iterator[Database]:
    yield from fresh_database(db_kind, tmp_path)


async def _setup(http: httpx.AsyncClient) -> list[str]:
    contact = await http.post("/api/v1/contacts", json={"full_name": "Counter"})
    assert contact.status_code == 201, contact.text
    ids = []
    for _ in range(INTERVIEWS):
        body = {"contact_id": contact.json()["id"], "summary": "0"}
        created = await http.post("/api/v1/interviews", json=body)
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    return ids


async def _increment_until(
    http: httpx.AsyncClient, interview_id: str, deadline: float, tally: Counter[str]
) -> int:
    """Increments the interview's counter until the deadline; the number acknowledged."""
    done = 0
    while time.monotonic() < deadline:
        read = await http.get(f"/api/v1/interviews/{interview_id}")
        if read.status_code != 200:
            tally[f"GET {read.status_code}: {read.text[:200]}"] += 1
            continue
        count = int(read.json()["summary"])
        wrote = await http.patch(
            f"/api/v1/interviews/{interview_id}",
            json={"summary": str(count + 1)},
            headers={"If-Match": read.headers["ETag"]},
        )
        if wrote.status_code == 200:
            done += 1
        elif wrote.status_code == 412:
            tally["412 (read again)"] += 1
        else:
            tally[f"PATCH {wrote.status_code}: {wrote.text[:200]}"] += 1
    return done


async def _run(base: str, token: str) -> tuple[list[str], dict[str, int], Counter[str], int]:
    limits = httpx.Limits(max_connections=CLIENTS + 5, max_keepalive_connections=CLIENTS + 5)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as http:
        ids = await _setup(http)
        tally: Counter[str] = Counter()
        deadline = time.monotonic() + SECONDS
        counts = await asyncio.gather(
            *(_increment_until(http, ids[i % INTERVIEWS], deadline, tally) for i in range(CLIENTS))
        )
        acknowledged = dict.fromkeys(ids, 0)
        for i, n in enumerate(counts):
            acknowledged[ids[i % INTERVIEWS]] += n
        final = {}
        for interview_id in ids:
            body = (await http.get(f"/api/v1/interviews/{interview_id}")).json()
            final[interview_id] = (int(body["summary"]), body["version"])
    mismatched = [
        i for i in ids if final[i] != (acknowledged[i], acknowledged[i] + 1)
    ]  # version 1 at creation, +1 per write
    return mismatched, acknowledged, tally, sum(acknowledged.values())


def test_concurrent_read_then_write_loses_nothing_and_never_locks(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workers = WORKERS[database.kind]
    log = tmp_path / "server.log"
    server = Server(database.env, workers=workers, log=log)
    user = new_user(database.engine)
    base = server.start()
    try:
        started = time.monotonic()
        mismatched, _, tally, writes = asyncio.run(_run(base, user.token))
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    errors = {k: n for k, n in tally.items() if not k.startswith("412")}
    locked = log.read_text(errors="replace").count("database is locked")
    with capsys.disabled():
        sys.stderr.write(
            f"\n[concurrent writers, {database.kind}, {workers} workers, {CLIENTS} clients, "
            f"{SECONDS:g} s] {writes} writes acknowledged, {tally['412 (read again)']} stale "
            f"reads retried (412), {sum(errors.values())} errors, {locked} 'database is "
            f"locked', {len(mismatched)} lost updates, {writes / elapsed:.0f} writes/s\n"
        )
    assert errors == {}
    assert locked == 0
    assert mismatched == []
    assert writes > 0
