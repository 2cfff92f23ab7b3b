"""Serving under test: uvicorn as a subprocess, and how much CPU it burns."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TICKS = os.sysconf("SC_CLK_TCK")

# The event loop and HTTP protocol `python -m backend serve` runs (see there why); the ceiling
# keeps uvicorn's fastest default (uvloop), so the ratios never flatter the app.
APP = (
    "backend.main:create_app",
    "--factory",
    "--loop",
    "asyncio",
    "--http",
    "backend.serving:HttpProtocol",
    "--app-dir",
    str(REPO),
)
BARE = ("bare_asgi:app", "--app-dir", str(HERE))


@dataclass(frozen=True)
class Server:
    pid: int
    base_url: str
    workers: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def uvicorn_command(app: tuple[str, ...], port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        *app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]


# Where the data lives is the benchmark's choice; every other NEXTHOP_* setting passes through,
# so `NEXTHOP_WORKER_THREADS=2 make bench` measures that setting.
OWN_SETTINGS = ("NEXTHOP_DATA_DIR", "NEXTHOP_DATABASE_URL")


def setting_overrides() -> dict[str, str]:
    return {
        k: v for k, v in os.environ.items() if k.startswith("NEXTHOP_") and k not in OWN_SETTINGS
    }


def server_env(data_dir: Path) -> dict[str, str]:
    """The caller's environment with the seeded data dir (and no other database)."""
    env = {k: v for k, v in os.environ.items() if k not in OWN_SETTINGS}
    env["NEXTHOP_DATA_DIR"] = str(data_dir)
    # One user at thousands of requests a second is the load under test, not abuse: the
    # per-user limits would answer 429 within a second (their own cost is measured by
    # tests/test_rate_limits.py). NEXTHOP_RATE_LIMITS_ENABLED=true measures with them.
    env.setdefault("NEXTHOP_RATE_LIMITS_ENABLED", "false")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _wait_healthy(proc: subprocess.Popen[bytes], url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not healthy after {timeout:.0f} s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def serve(app: tuple[str, ...], workers: int, data_dir: Path) -> Iterator[Server]:
    """Runs uvicorn until the block ends; its cwd is `data_dir` so no stray .env is read."""
    port = free_port()
    log = data_dir / f"uvicorn-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            uvicorn_command(app, port, workers),
            cwd=data_dir,
            env=server_env(data_dir),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(proc, f"{base_url}/healthz", log, timeout=60)
        yield Server(proc.pid, base_url, workers)
    finally:
        _stop(proc)


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # the command name may hold spaces


def _descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))):
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def cpu_seconds(root: int) -> float:
    """User + system CPU time of a process and all its children so far (Linux /proc)."""
    total = 0
    for pid in _descendants(root):
        fields = _stat_fields(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def host_busy_seconds() -> float:
    """CPU time all cores spent on anything but idling and waiting on I/O (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / TICKS


def wait_idle(pid: int, timeout: float = 60, window: float = 0.25, busy_pct: float = 10) -> None:
    """Waits until the server stops burning CPU: requests abandoned by a previous wrk run
    (the warm-up's, at 256 connections) are still being served and would skew the next."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(window)
        if 100 * (cpu_seconds(pid) - before) / window < busy_pct:
            return
