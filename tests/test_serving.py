"""What `python -m backend serve` runs uvicorn with (backend.serving)."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from uvicorn.server import ServerState

from tests.live_server import free_port, served


async def _nothing(scope: Any, receive: Any, send: Any) -> None:
    return None


async def _nodelay_of_accepted(http: str) -> int:
    """TCP_NODELAY on the server side of a connection accepted from a listening socket made
    the way uvicorn makes it for several workers: without the TCP protocol number."""
    config = uvicorn.Config(app=_nothing, http=http, lifespan="off", log_level="warning")
    config.load()
    made: list[Any] = []

    def protocol() -> asyncio.Protocol:
        made.append(
            config.http_protocol_class(config=config, server_state=ServerState(), app_state={})
        )
        return made[-1]

    listening = socket.socket(socket.AF_INET)
    listening.bind(("127.0.0.1", 0))
    server = await asyncio.get_running_loop().create_server(protocol, sock=listening)
    try:
        _reader, writer = await asyncio.open_connection(*listening.getsockname())
        for _ in range(100):
            if made and made[0].transport is not None:
                break
            await asyncio.sleep(0.01)
        sock = made[0].transport.get_extra_info("socket")
        nodelay: int = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.close()
        return nodelay
    finally:
        server.close()


@pytest.mark.parametrize(
    ("http", "nagle_off"), [("auto", False), ("backend.serving:HttpProtocol", True)]
)
def test_several_workers_answer_without_waiting_for_the_clients_ack(
    http: str, nagle_off: bool
) -> None:
    """uvicorn's own protocol leaves Nagle's algorithm on there, and a response waited ~40 ms
    for the client's delayed ACK; ours turns it off."""
    assert bool(asyncio.run(_nodelay_of_accepted(http))) is nagle_off


@pytest.mark.slow  # real servers or commands in subprocesses
def test_forwarded_headers_from_loopback_are_not_believed_without_trusted_proxies(
    tmp_path: Path,
) -> None:
    """uvicorn believes X-Forwarded-For/-Proto from 127.0.0.1 on its own unless told not to:
    rotating X-Forwarded-For got around the sign-in lockout per client address, and
    `X-Forwarded-Proto: https` turned HSTS on over plain HTTP. Only
    NEXTHOP_TRUSTED_PROXIES decides (here: none)."""
    env = {"NEXTHOP_DATA_DIR": str(tmp_path), "NEXTHOP_LOGIN_FAILURES_BEFORE_LOCKOUT": "1"}
    with served(env) as server, httpx.Client(base_url=server.base, timeout=30) as client:
        health = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        assert health.status_code == 200
        assert "strict-transport-security" not in health.headers

        # One failure allowed per account name, five per client address: with a new name and
        # a new forwarded address every time, only the real address can lock sign-in.
        statuses = []
        for i in range(6):
            body = {"email": f"{uuid.uuid4().hex}@example.test", "password": "wrong password"}
            headers = {"X-Forwarded-For": f"203.0.113.{i + 1}"}
            answer = client.post("/api/v1/auth/login", json=body, headers=headers)
            statuses.append(answer.status_code)
        assert statuses == [401] * 5 + [429]


@pytest.mark.slow  # real servers or commands in subprocesses
@pytest.mark.parametrize("workers", [1, 2])
def test_a_graceful_stop_exits_0(tmp_path: Path, workers: int) -> None:
    """SIGTERM (`docker stop`, systemd, Kubernetes) stops `serve` cleanly: status 0 with one
    worker as with several. The database plays no part: SQLite only."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEXTHOP_")}
    env |= {"NEXTHOP_DATA_DIR": str(tmp_path), "NEXTHOP_PORT": str(port),
            "NEXTHOP_TIMEOUT_GRACEFUL_SHUTDOWN_SECONDS": "5"}  # fmt: skip
    cmd = [sys.executable, "-m", "backend", "serve", "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # A real server answers HEAD as the app does (backend.head_requests).
                head = httpx.head(f"http://127.0.0.1:{port}/healthz", timeout=1)
                if head.status_code == 200:
                    assert head.headers["content-length"] == str(len(b'{"status":"ok"}'))
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.communicate()[1].decode()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err.decode()[-2000:]
