"""Crash safety: a real server killed with SIGKILL mid-write loses nothing it acknowledged and
leaves no multi-row write half done.

Eight clients, each a user of its own, write as fast as the server answers: contacts and
interviews with client-chosen ids, an interview's summary (PATCH with If-Match), a captured
block of three note items (one transaction) and the conversion of a to_connect item into a
contact, a referral and an interview (one transaction). At a random moment the server is
killed; once it is back, every acknowledged write must be there, and the one write per client
that was in flight when it died must be there entirely or not at all. On SQLite the file must
also pass `PRAGMA integrity_check` and `foreign_key_check`.

`SOAK_CRASH_ROUNDS` sets the number of kills per database (`make soak` runs 50); the seed
printed on failure, given as `SOAK_SEED`, replays the same kill times.
"""

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from backend import migrations
from backend.config import Settings
from backend.contacts.models import Contact
from backend.db import make_engine
from backend.interviews.models import Interview
from backend.notes.connect import converted_contact_id
from backend.notes.models import NoteItem
from backend.referrals.models import Referral
from tests.conftest import _postgres_database, new_user
from tests.live_server import ROOT, free_port

# Slow (SIGKILL rounds against real servers): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

ROUNDS = int(os.environ.get("SOAK_CRASH_ROUNDS", "3"))
CLIENTS = 8


# --- A server that can be killed -----------------------------------------------------------


class Server:
    """uvicorn in a process group of its own, so SIGKILL takes its workers down with it."""

    def __init__(self, env: dict[str, str], workers: int = 1, log: Path | None = None) -> None:
        self.env = {**os.environ, **env}
        self.env.pop("NEXTHOP_WORKER_THREADS", None)
        self.workers = workers
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = ""

    def start(self) -> str:
        port = free_port()
        cmd = [
            sys.executable, "-m", "uvicorn", "backend.main:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(self.workers),
            "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        stderr = self.log.open("ab") if self.log is not None else None
        try:
            self.proc = subprocess.Popen(
                cmd, cwd=ROOT, env=self.env, start_new_session=True, stderr=stderr
            )
        finally:
            if stderr is not None:
                stderr.close()
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return self.base
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("the server did not start")
            time.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None


@dataclass
class Database:
    """A migrated database of the test's own, the env that points a server at it, an engine."""

    kind: str
    env: dict[str, str]
    engine: Engine
    sqlite_path: Path | None


@pytest.fixture
def database(db_kind: str, tmp_path: Path) -> Iterator[Database]:
    yield from fresh_database(db_kind, tmp_path)


def fresh_database(db_kind: str, tmp_path: Path) -> Iterator[Database]:
    """SQLite: a file in tmp_path. PostgreSQL: a throwaway database, dropped afterwards."""
    data_dir = tmp_path / "data"
    # The soak's writers go well past the per-user write limit, on purpose.
    env = {"NEXTHOP_DATA_DIR": str(data_dir), "NEXTHOP_RATE_LIMITS_ENABLED": "false"}
    urls: Iterator[str | None] = iter([None])
    if db_kind == "postgresql":
        urls = _postgres_database()
    for url in urls:
        if url is not None:
            env["NEXTHOP_DATABASE_URL"] = url
        settings = Settings(data_dir=data_dir, database_url=url, _env_file=None)  # type: ignore[call-arg]
        engine = make_engine(settings)
        migrations.upgrade(engine)
        path = None if url else data_dir / "nexthop.db"
        try:
            yield Database(db_kind, env, engine, path)
        finally:
            engine.dispose()


# --- The clients and what they know was acknowledged ---------------------------------------


@dataclass
class Op:
    kind: str  # contact, interview, summary, capture, convert
    target: str  # the id it creates or changes
    value: str = ""


@dataclass
class Client:
    token: str
    user_id: uuid.UUID
    contacts: set[str] = field(default_factory=set)
    interviews: set[str] = field(default_factory=set)
    summaries: dict[str, str] = field(default_factory=dict)
    notes: set[str] = field(default_factory=set)
    referrals: set[str] = field(default_factory=set)
    in_flight: Op | None = None
    acknowledged: list[Op] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


async def _write(
    http: httpx.AsyncClient, c: Client, op: Op, method: str, url: str, **kw: Any
) -> Any:
    c.in_flight = op
    response = await http.request(method, url, **kw)
    if response.status_code not in (200, 201):
        c.failures.append(f"{method} {url}: {response.status_code} {response.text[:300]}")
        raise _Stop
    c.acknowledged.append(op)
    c.in_flight = None
    return response


class _Stop(Exception):
    pass


async def run_client(base: str, c: Client) -> None:
    """Writes until the server goes away; `c` then holds what was acknowledged."""
    headers = {"Authorization": f"Bearer {c.token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
        try:
            while True:
                await one_cycle(http, c)
        except (httpx.TransportError, _Stop):
            return


async def one_cycle(http: httpx.AsyncClient, c: Client) -> None:
    tag = uuid.uuid4().hex[:12]
    contact_id, interview_id = str(uuid.uuid4()), str(uuid.uuid4())
    await _write(http, c, Op("contact", contact_id), "POST", "/api/v1/contacts",
                 json={"id": contact_id, "full_name": f"Sam {tag}"})  # fmt: skip
    c.contacts.add(contact_id)
    await _write(http, c, Op("interview", interview_id), "POST", "/api/v1/interviews",
                 json={"id": interview_id, "contact_id": contact_id})  # fmt: skip
    c.interviews.add(interview_id)
    summary = f"summary {tag}"
    op = Op("summary", interview_id, summary)
    await _write(http, c, op, "PATCH", f"/api/v1/interviews/{interview_id}",
                 json={"summary": summary}, headers={"If-Match": '"1"'})  # fmt: skip
    c.summaries[interview_id] = summary
    text = f"connect: Maya {tag}\nread: Thinking in Systems {tag}\ntodo: send the deck {tag}"
    url = f"/api/v1/interviews/{interview_id}/note-items/capture"
    captured = await _write(http, c, Op("capture", interview_id), "POST", url, json={"text": text})
    items = captured.json()["items"]
    c.notes.update(item["id"] for item in items)
    note_id = next(item["id"] for item in items if item["category"] == "to_connect")
    url = f"/api/v1/note-items/{note_id}/convert"
    converted = (await _write(http, c, Op("convert", note_id), "POST", url, json={})).json()
    c.contacts.add(converted["contact"]["id"])
    c.interviews.add(converted["interview"]["id"])
    c.referrals.add(converted["referral"]["id"])


# --- What the database holds, and the checks -----------------------------------------------


@dataclass
class Found:
    contacts: set[str]
    interviews: dict[str, str | None]  # id -> summary
    notes: dict[str, NoteItem]
    referrals: set[str]


def found(engine: Engine, user_id: uuid.UUID) -> Found:
    from sqlmodel import Session

    with Session(engine) as session:
        contacts = session.exec(select(Contact.id).where(Contact.owner_id == user_id)).all()
        interviews = session.exec(
            select(Interview.id, Interview.summary).where(Interview.owner_id == user_id)
        ).all()
        notes = session.exec(select(NoteItem).where(NoteItem.owner_id == user_id)).all()
        referrals = session.exec(select(Referral.id).where(Referral.owner_id == user_id)).all()
    return Found(
        contacts={str(r[0]) for r in contacts},
        interviews={str(r[0]): r[1] for r in interviews},
        notes={str(r[0].id): r[0] for r in notes},
        referrals={str(r[0]) for r in referrals},
    )


def check_client(c: Client, f: Found) -> list[str]:
    """Problems: an acknowledged write missing, more than the in-flight write could have
    added, or a multi-row write half there."""
    problems = []
    op = c.in_flight
    may_add_contacts: set[str] = set()
    may_add_interviews: set[str] = set()
    may_make = 0  # a conversion makes one referral and one interview
    if op is not None and op.kind == "contact":
        may_add_contacts = {op.target}
    if op is not None and op.kind == "interview":
        may_add_interviews = {op.target}
    if op is not None and op.kind == "convert":
        may_add_contacts = {str(converted_contact_id(uuid.UUID(op.target)))}
        may_make = 1

    for kind, acked, present in (
        ("contacts", c.contacts, f.contacts),
        ("interviews", c.interviews, set(f.interviews)),
        ("notes", c.notes, set(f.notes)),
        ("referrals", c.referrals, f.referrals),
    ):
        if missing := acked - present:
            problems.append(f"acknowledged {kind} missing: {sorted(missing)}")
    if extra := f.contacts - c.contacts - may_add_contacts:
        problems.append(f"contacts nobody was told of: {sorted(extra)}")
    if len(set(f.interviews) - c.interviews - may_add_interviews) > may_make:
        problems.append("interviews nobody was told of")
    if len(f.referrals - c.referrals) > may_make:
        problems.append("referrals nobody was told of")
    captured_into = op.target if op is not None and op.kind == "capture" else None
    if any(str(f.notes[n].interview_id) != captured_into for n in set(f.notes) - c.notes):
        problems.append("note items nobody was told of")
    for interview_id in set(c.summaries) | ({op.target} if op and op.kind == "summary" else set()):
        possible = {c.summaries.get(interview_id)}
        if op is not None and op.kind == "summary" and op.target == interview_id:
            possible.add(op.value)
        if f.interviews.get(interview_id) not in possible:
            problems.append(f"interview {interview_id}: summary {f.interviews.get(interview_id)}")
    return problems + atomicity_problems(f)


def atomicity_problems(f: Found) -> list[str]:
    """Whatever was or was not acknowledged: captures are all three items or none, and a
    to_connect item is converted with its contact, referral and interview, or not at all."""
    problems = []
    per_interview: dict[str, int] = {}
    for note in f.notes.values():
        key = str(note.interview_id)
        per_interview[key] = per_interview.get(key, 0) + 1
        if note.category != "to_connect":
            continue
        produced = (note.contact_id, note.produced_referral_id, note.produced_interview_id)
        if note.status == "done":
            if not (
                str(note.contact_id) in f.contacts
                and str(note.produced_referral_id) in f.referrals
                and str(note.produced_interview_id) in f.interviews
            ):
                problems.append(f"note {note.id} converted, but not all it made is there")
        elif produced != (None, None, None) or (str(converted_contact_id(note.id)) in f.contacts):
            problems.append(f"note {note.id} not converted, but part of a conversion is there")
    converted = sum(1 for n in f.notes.values() if n.status == "done")
    if len(f.referrals) != converted:
        problems.append(f"{len(f.referrals)} referrals for {converted} conversions")
    if halves := {k: n for k, n in per_interview.items() if n != 3}:
        problems.append(f"captures not of three items: {halves}")
    return problems


def sqlite_problems(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return ([] if integrity == ["ok"] else integrity) + [f"foreign key: {r}" for r in foreign]


# --- The test ------------------------------------------------------------------------------


async def _until_killed(server: Server, clients: list[Client], kill_after: float) -> None:
    """Kills the server `kill_after` seconds after the first write is acknowledged (a fresh
    process on a loaded machine may take a while to answer its first requests)."""
    tasks = [asyncio.create_task(run_client(server.base, c)) for c in clients]
    deadline = time.monotonic() + 60
    while not any(c.acknowledged for c in clients) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    await asyncio.sleep(kill_after)
    server.kill()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)


def test_sigkill_mid_write_loses_nothing_acknowledged(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = int(os.environ.get("SOAK_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    clients = []
    for _ in range(CLIENTS):
        user = new_user(database.engine)
        clients.append(Client(token=user.token, user_id=user.id))
    server = Server(database.env)
    server.start()
    totals = {"acknowledged": 0, "found": 0, "in_flight_applied": 0, "in_flight_absent": 0}
    try:
        for round_no in range(1, ROUNDS + 1):
            for c in clients:
                c.acknowledged = []
            asyncio.run(_until_killed(server, clients, rng.uniform(0.0, 0.8)))
            failures = [msg for c in clients for msg in c.failures]
            assert failures == [], f"seed {seed}, round {round_no}: writes refused: {failures}"
            if database.sqlite_path is not None:
                problems = sqlite_problems(database.sqlite_path)
                assert problems == [], f"seed {seed}, round {round_no}: {problems}"
            server.start()  # the restart; the next round writes to it
            for c in clients:
                f = found(database.engine, c.user_id)
                problems = check_client(c, f)
                assert problems == [], f"seed {seed}, round {round_no}: {problems}"
                totals["acknowledged"] += len(c.acknowledged)
                totals["found"] += sum(_applied(op, f) for op in c.acknowledged)
                if c.in_flight is not None:
                    applied = _applied(c.in_flight, f)
                    totals["in_flight_applied" if applied else "in_flight_absent"] += 1
                # Carry on from what is there (the in-flight write included, if it landed).
                c.contacts, c.interviews, c.referrals = f.contacts, set(f.interviews), f.referrals
                c.notes = set(f.notes)
                c.summaries = {k: v for k, v in f.interviews.items() if v is not None}
                c.in_flight = None
            assert any(c.acknowledged for c in clients), f"round {round_no}: nothing written"
    finally:
        server.stop()
    with capsys.disabled():
        sys.stderr.write(
            f"\n[crash safety, {database.kind}] {ROUNDS} SIGKILLs, seed {seed}: "
            f"{totals['acknowledged']} writes acknowledged, {totals['found']} found; in flight "
            f"at the kill: {totals['in_flight_applied']} applied whole, "
            f"{totals['in_flight_absent']} absent, 0 half\n"
        )
    assert totals["found"] == totals["acknowledged"]


def _applied(op: Op, f: Found) -> bool:
    """Is this write's effect in the database? (For a capture: its three items.)"""
    if op.kind == "contact":
        return op.target in f.contacts
    if op.kind == "interview":
        return op.target in f.interviews
    if op.kind == "summary":
        return f.interviews.get(op.target) == op.value
    if op.kind == "capture":
        return sum(str(n.interview_id) == op.target for n in f.notes.values()) == 3
    return f.notes[op.target].status == "done"
