"""A real uvicorn process on a free loopback port, for tests that need actual sockets."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def live_server(env: dict[str, str], workers: int = 1) -> Iterator[str]:
    """Migrates, then serves the app; yields its base URL and stops it afterwards."""
    full_env = {**os.environ, **env}
    subprocess.run([sys.executable, "-m", "backend", "migrate"], cwd=ROOT, env=full_env, check=True)
    port = free_port()
    cmd = [
        sys.executable, "-m", "uvicorn", "backend.main:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
        "--no-proxy-headers",  # as `serve`: only NEXTHOP_TRUSTED_PROXIES decides
    ]  # fmt: skip
    with _running(cmd, full_env, port) as (base, _pid):
        yield base


@contextmanager
def served(env: dict[str, str], workers: int = 1) -> Iterator["Served"]:
    """`python -m backend serve --workers N`, as operators run it (migrate, then uvicorn with
    the options it passes), on a free loopback port: for what only the real command decides."""
    port = free_port()
    full_env = {
        **os.environ, "NEXTHOP_HOST": "127.0.0.1", "NEXTHOP_PORT": str(port),
        "NEXTHOP_LOG_LEVEL": "WARNING", **env,
    }  # fmt: skip
    cmd = [sys.executable, "-m", "backend", "serve", "--workers", str(workers)]
    with _running(cmd, full_env, port) as (base, pid):
        yield Served(base, pid)


@contextmanager
def _running(cmd: list[str], env: dict[str, str], port: int) -> Iterator[tuple[str, int]]:
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(proc, base)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_until_up(proc: "subprocess.Popen[bytes]", base: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.1)


class Served(NamedTuple):
    base: str  # http://127.0.0.1:<port>
    pid: int  # the serving process (one worker: the command's own)
