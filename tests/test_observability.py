"""Request ids, structured logs, readiness and metrics.

Also measures what the request middleware costs per request (printed; `-s` shows it).
"""

import asyncio
import io
import json
import logging
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from starlette.types import Receive, Scope, Send

from backend.config import Settings
from backend.db import make_engine
from backend.main import create_app
from backend.observability.logs import REQUEST_ID, JsonFormatter, RequestIdFilter
from backend.observability.metrics import build_metrics, forget_dead_workers
from backend.observability.middleware import (
    RequestObservability,
    incoming_request_id,
    route_template,
)
from tests import factories
from tests.conftest import Api, new_user
from tests.live_server import ROOT, served
from tests.test_crash_safety import fresh_database

MISSING = "0190a0a0-0000-7000-8000-00000000dead"
HEX32 = r"[0-9a-f]{32}"

# --- Pure pieces ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        (b"abc-123", "abc-123"),
        (b"0190a0a0-0000-7000-8000-00000000dead", "0190a0a0-0000-7000-8000-00000000dead"),
        (b"Root=1-67891233-abcdef012345678912345678", "Root=1-67891233-abcdef012345678912345678"),
        (b"x" * 128, "x" * 128),
        (b"x" * 129, None),
        (b"", None),
        (b"has space", None),
        (b"line\nbreak", None),
        (b'quote"', None),
        ("é".encode(), None),
    ],
)
def test_a_sane_incoming_request_id_is_kept_anything_else_replaced(
    sent: bytes, kept: str | None
) -> None:
    assert incoming_request_id([(b"accept", b"*/*"), (b"x-request-id", sent)]) == kept


def test_json_lines_carry_the_request_id_extras_and_exceptions_on_one_line() -> None:
    formatter = JsonFormatter()
    record = logging.makeLogRecord(
        {"name": "nexthop.x", "levelname": "WARNING", "msg": "a %s", "args": ("b",), "route": "/r"}
    )
    RequestIdFilter().filter(record)
    token = REQUEST_ID.set("req-1")
    try:
        record2 = logging.makeLogRecord({"name": "n", "levelname": "INFO", "msg": "x"})
        RequestIdFilter().filter(record2)
    finally:
        REQUEST_ID.reset(token)
    line = json.loads(formatter.format(record))
    assert set(line) == {"time", "level", "logger", "message", "route"}
    assert (line["level"], line["logger"], line["message"], line["route"]) == (
        "WARNING", "nexthop.x", "a b", "/r",
    )  # fmt: skip
    assert json.loads(formatter.format(record2))["request_id"] == "req-1"
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        record3 = logging.makeLogRecord(
            {"name": "n", "levelname": "ERROR", "msg": "failed", "exc_info": sys.exc_info()}
        )
    text = formatter.format(record3)
    assert "\n" not in text
    assert "ValueError: boom\nsecond line" in json.loads(text)["exception"]


def test_the_served_log_config_writes_json_with_ids_for_uvicorns_lines_too() -> None:
    script = (
        "import logging, logging.config\n"
        "from backend.observability.logs import REQUEST_ID, log_config\n"
        "logging.config.dictConfig(log_config('info', 'json'))\n"
        "logging.getLogger('nexthop.auth').info('signed in')\n"
        "REQUEST_ID.set('abc')\n"
        "logging.getLogger('uvicorn.error').error('oops')\n"
        "logging.getLogger('nexthop').debug('hidden')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(x["logger"], x["message"], x.get("request_id")) for x in lines] == [
        ("nexthop.auth", "signed in", None),
        ("uvicorn.error", "oops", "abc"),
    ]


# --- Request ids and logs through HTTP -----------------------------------------------------


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, Any]] = []
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def captured() -> Iterator[Captured]:
    handler = Captured()
    logger = logging.getLogger("nexthop")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def test_every_response_carries_a_request_id(api: Api) -> None:
    responses = [
        api.get("/healthz"),
        api.get("/api/v1/contacts"),
        api.get(f"/api/v1/contacts/{MISSING}"),
        api.post("/api/v1/contacts", json={}),
        api.get("/no/such/page"),
        api.client.get("/api/v1/contacts"),  # no credentials: 401
    ]
    assert [r.status_code for r in responses] == [200, 200, 404, 422, 404, 401]
    ids = [r.headers["X-Request-ID"] for r in responses]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert len(set(ids)) == len(ids)

    echoed = api.get("/healthz", headers={"X-Request-ID": "lb-7f3a"})
    assert echoed.headers["X-Request-ID"] == "lb-7f3a"
    replaced = api.get("/healthz", headers={"X-Request-ID": "bad id"})
    assert len(replaced.headers["X-Request-ID"]) == 32


def test_every_line_logged_during_a_request_names_it(api: Api, captured: Captured) -> None:
    # Revoking a token logs from the endpoint's worker thread; the access line from the loop.
    # (A token cannot create tokens, so the one revoked is made from a browser session.)
    other = api.create_token(name="ci", scope="read").json()
    path = f"/api/v1/tokens/{other['id']}"
    response = api.delete(path)
    assert response.status_code == 204, response.text
    request_id = response.headers["X-Request-ID"]
    lines = [line for line in captured.lines if line.get("request_id") == request_id]
    assert [line["message"].split(":")[0] for line in lines] == [
        "token used",
        "token revoked",
        f"DELETE {path} 204",
    ]
    assert all(line.get("request_id") for line in captured.lines)
    access = lines[-1]
    assert {k: access[k] for k in ("method", "path", "route", "status")} == {
        "method": "DELETE",
        "path": path,
        "route": "/api/v1/tokens/{token_id}",
        "status": 204,
    }
    assert access["duration_ms"] > 0
    assert api.token not in json.dumps(captured.lines)
    assert other["secret"] not in json.dumps(captured.lines)


def test_the_access_line_names_the_route_and_the_object(api: Api, captured: Captured) -> None:
    contact = factories.contact(api)
    response = api.get(f"/api/v1/contacts/{contact['id']}")
    [access] = [x for x in captured.lines if x["request_id"] == response.headers["X-Request-ID"]]
    assert access["route"] == "/api/v1/contacts/{contact_id}"
    assert access["path"] == f"/api/v1/contacts/{contact['id']}"


@pytest.fixture
def own_app(settings: Settings, engine: Engine) -> FastAPI:
    """An app with metrics on and a route that fails, on the test's database."""
    app = create_app(settings.model_copy(update={"metrics_enabled": True}), engine)

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom, include_in_schema=False)
    return app


def test_an_unhandled_error_is_a_500_problem_with_the_id_in_header_and_log(
    own_app: FastAPI, captured: Captured
) -> None:
    with TestClient(own_app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Something went wrong on our side."
    request_id = response.headers["X-Request-ID"]
    mine = [x for x in captured.lines if x.get("request_id") == request_id]
    assert [(x["logger"], x["message"]) for x in mine] == [
        ("nexthop.access", "GET /boom 500"),
        ("nexthop", "unhandled error"),
    ]
    assert "RuntimeError: a bug" in mine[1]["exception"]


# --- Readiness -----------------------------------------------------------------------------


def test_ready_when_the_database_answers_at_the_current_schema(api: Api) -> None:
    response = api.client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": "ready",
        "database": "ok",
        "schema_revision": body["schema_revision"],
        "storage": "ok",
    }
    assert body["schema_revision"]


def test_not_ready_when_the_schema_is_behind(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=None, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(settings)
    try:
        # No lifespan (it would refuse to start): the probe itself must say why.
        response = TestClient(create_app(settings, engine)).get("/readyz")
    finally:
        engine.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/not_ready")
    assert (body["database"], body["schema"]) == ("ok", None)
    assert body["detail"].startswith("The database schema is at none; this code needs ")


@pytest.mark.parametrize(
    "url",
    ["sqlite:////nonexistent/dir/nexthop.db", "postgresql+psycopg://nobody@127.0.0.1:1/nothing"],
)
def test_not_ready_when_the_database_is_unreachable(tmp_path: Path, url: str) -> None:
    settings = Settings(data_dir=tmp_path, database_url=url, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(settings)
    try:
        response = TestClient(create_app(settings, engine)).get("/readyz")
    finally:
        engine.dispose()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    body = response.json()
    assert (body["status"], body["database"], body["detail"]) == (
        503, "unreachable", "The database is unreachable.",
    )  # fmt: skip


# --- Metrics -------------------------------------------------------------------------------


def test_metrics_are_404_unless_enabled(api: Api) -> None:
    response = api.client.get("/metrics")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_metrics_count_requests_by_route_template_and_show_the_pool(
    own_app: FastAPI, engine: Engine
) -> None:
    user, other = new_user(engine), new_user(engine)
    with TestClient(own_app) as client:
        headers = {"Authorization": f"Bearer {user.token}"}
        created = client.post("/api/v1/contacts", json={"full_name": "Ada"}, headers=headers)
        contact_id = created.json()["id"]
        for _ in range(3):
            assert client.get(f"/api/v1/contacts/{contact_id}", headers=headers).status_code == 200
        # Another user asking for it: a 404 like any missing id.
        theirs = client.get(
            f"/api/v1/contacts/{contact_id}", headers={"Authorization": f"Bearer {other.token}"}
        )
        assert theirs.status_code == 404
        client.get(f"/nowhere/{uuid.uuid4()}")
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    text = response.text
    route = 'route="/api/v1/contacts/{contact_id}"'
    assert f'nexthop_http_requests_total{{method="GET",{route},status="200"}} 3.0' in text
    assert f'nexthop_http_requests_total{{method="GET",{route},status="404"}} 1.0' in text
    assert 'requests_total{method="POST",route="/api/v1/contacts",status="201"} 1.0' in text
    assert 'route="unmatched",status="404"} 1.0' in text
    assert f'nexthop_http_request_duration_seconds_count{{method="GET",{route}}} 4.0' in text
    assert 'nexthop_db_pool_connections{state="checked_out"}' in text
    assert "nexthop_db_pool_size " in text or engine.dialect.name != "sqlite"
    assert 'nexthop_worker_threads{state="limit"}' in text
    # Labels are templates: no ids, so nothing of any user's data.
    assert contact_id not in text
    assert str(user.id) not in text


def test_metrics_behind_a_bearer_token(settings: Settings, engine: Engine) -> None:
    app = create_app(
        settings.model_copy(update={"metrics_enabled": True, "metrics_token": "s3cret-scrape"}),
        engine,
    )
    with TestClient(app) as client:
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert (wrong.status_code, wrong.headers["WWW-Authenticate"]) == (401, "Bearer")
        ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
        assert ok.status_code == 200
        assert "nexthop_http_requests_total" in ok.text


def scraped(base: str) -> dict[tuple[str, tuple[str, ...]], float]:
    """(sample name, label values) -> value, from one scrape on a connection of its own."""
    families = text_string_to_metric_families(httpx.get(f"{base}/metrics", timeout=10).text)
    return {
        (sample.name, tuple(sample.labels.values())): sample.value
        for family in families
        for sample in family.samples
    }


@pytest.mark.slow  # real servers or commands in subprocesses
def test_several_workers_answer_metrics_for_the_whole_server(db_kind: str, tmp_path: Path) -> None:
    """Each scrape reaches one worker; every one must report the server's total, not its own
    share (which made a counter go 4, 28, 4 between scrapes)."""
    threads = Settings(_env_file=None).worker_threads  # type: ignore[call-arg]
    temp = tmp_path / "tmp"  # where `serve` makes (and removes) its metrics directory
    temp.mkdir()
    ready = ("nexthop_http_requests_total", ("GET", "/readyz", "200"))
    limit = ("nexthop_worker_threads", ("limit",))
    for database in fresh_database(db_kind, tmp_path):
        env = {**database.env, "NEXTHOP_METRICS_ENABLED": "true", "TMPDIR": str(temp)}
        with served(env, workers=2) as server:
            base = server.base
            deadline = time.monotonic() + 30
            while scraped(base).get(limit) != 2 * threads:  # both workers up and sampled
                assert time.monotonic() < deadline, "the second worker did not report"
                time.sleep(0.2)
            seen, expected = [], []
            for round_ in range(1, 5):
                for _ in range(10):  # a connection each: the kernel hands it to either worker
                    assert httpx.get(f"{base}/readyz", timeout=10).status_code == 200
                for _ in range(4):
                    sample = scraped(base)
                    seen.append(sample.get(ready))
                    expected.append(10.0 * round_)
                    # Only the scrape itself is in progress, whichever worker answers it.
                    assert sample[("nexthop_http_requests_in_progress", ())] == 1.0
            assert seen == expected
            (metrics_dir,) = temp.glob("nexthop-metrics-*")
            counted_by = {f.name.split("_")[1] for f in metrics_dir.glob("counter_*.db")}
            assert len(counted_by) == 2, "one worker answered every request: nothing proven"
    assert list(temp.iterdir()) == []  # removed when serving ended


def test_a_killed_workers_live_gauges_are_forgotten_its_counts_kept(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    names = [f"gauge_livesum_{dead}.db", f"counter_{dead}.db", f"gauge_livesum_{os.getpid()}.db"]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    forget_dead_workers(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[1:])


def test_route_template_falls_back_for_unmatched_requests() -> None:
    assert route_template({"type": "http"}) == "unmatched"


def test_secrets_in_paths_are_not_logged(api: Api, captured: Captured) -> None:
    secret = "s3cr3t-share-token-value"
    for path in (f"/api/v1/shared/{secret}", f"/share/{secret}"):
        api.client.get(path)
    assert secret not in json.dumps(captured.lines)
    assert [x["path"] for x in captured.lines if x["logger"] == "nexthop.access"] == [
        "/api/v1/shared/{share_token}",
        "/share/{share_token}",
    ]


# --- What the middleware costs -------------------------------------------------------------


async def _bare(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"a", b"b")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _median_call_seconds(app: Any, calls: int = 300, batches: int = 40) -> float:
    scope = {
        "type": "http", "method": "GET", "path": "/api/v1/contacts", "headers": [
            (b"host", b"x"), (b"authorization", b"Bearer t"), (b"accept", b"*/*"),
        ], "client": ("127.0.0.1", 1), "route": None,
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(_: Any) -> None:
        return None

    async def run() -> list[float]:
        samples = []
        for _ in range(batches):
            start = time.perf_counter()
            for _ in range(calls):
                await app(dict(scope), receive, send)
            samples.append((time.perf_counter() - start) / calls)
        return samples

    return statistics.median(asyncio.run(run()))


def test_the_middleware_costs_microseconds_per_request(
    engine: Engine, db_kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if db_kind != "sqlite":
        pytest.skip("measured once; no database involved")
    metrics = build_metrics(engine).http
    access = logging.getLogger("nexthop.access")
    sink = logging.StreamHandler(io.StringIO())
    sink.setFormatter(JsonFormatter())
    sink.addFilter(RequestIdFilter())
    saved = (access.handlers[:], access.propagate, access.level)
    access.handlers, access.propagate = [sink], False
    access.setLevel(logging.INFO)
    try:
        bare = _median_call_seconds(_bare)
        ids_metrics = _median_call_seconds(
            RequestObservability(_bare, metrics=metrics, log_requests=False)
        )
        everything = _median_call_seconds(
            RequestObservability(_bare, metrics=metrics, log_requests=True)
        )
    finally:
        access.handlers, access.propagate = saved[0], saved[1]
        access.setLevel(saved[2])
    with capsys.disabled():
        sys.stderr.write(
            f"\n[middleware cost, median per request] request id + metrics: "
            f"{(ids_metrics - bare) * 1e6:.1f} µs; with the JSON access log line: "
            f"{(everything - bare) * 1e6:.1f} µs\n"
        )
    assert ids_metrics - bare < 100e-6
    assert everything - bare < 300e-6
