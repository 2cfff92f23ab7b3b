"""The load generator: one wrk run, read back through report.lua's BENCH_RESULT line."""

import json
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from server import HERE, cpu_seconds, host_busy_seconds

MARKER = "BENCH_RESULT "
# wrk drops a request slower than this from the latencies and counts it as a timeout.
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Load:
    path: str
    script: str
    connections: int
    threads: int
    seconds: float
    args: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Measured:
    wrk: dict[str, Any]
    wrk_cpu_pct: float
    server_cpu_pct: float
    other_cpu_pct: float  # everything else on the machine: noise if it is not near 0
    output: str


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        sys.stderr.write(
            "make bench needs wrk, the HTTP load generator, and it is not on PATH.\n"
            "Install it with:  sudo apt-get install wrk   (Debian/Ubuntu package 'wrk')\n"
        )
        raise SystemExit(2)
    return found


def wrk_version(wrk: str) -> str:
    done = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).splitlines()[0].strip()


def wrk_command(wrk: str, base_url: str, load: Load) -> list[str]:
    return [
        wrk,
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{load.seconds:g}s",
        f"--timeout={TIMEOUT_SECONDS}s",
        "--latency",
        *(flag for header in load.headers for flag in ("-H", header)),
        "-s",
        load.script,
        base_url + load.path,
        *(["--", *load.args] if load.args else []),
    ]


def parse_result(output: str) -> dict[str, Any]:
    for line in output.splitlines():
        if line.startswith(MARKER):
            result: dict[str, Any] = json.loads(line.removeprefix(MARKER))
            return result
    raise RuntimeError(f"wrk printed no {MARKER.strip()} line:\n{output}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(wrk: str, base_url: str, load: Load, server_pid: int) -> Measured:
    """One run; also how busy wrk and the server were (100 % = one core)."""
    command = wrk_command(wrk, base_url, load)
    server_before, wrk_before = cpu_seconds(server_pid), _children_cpu()
    host_before, started = host_busy_seconds(), time.monotonic()
    # cwd: the scripts dofile("report.lua") by a relative name.
    done = subprocess.run(command, cwd=HERE, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    host = host_busy_seconds() - host_before
    wrk_cpu = _children_cpu() - wrk_before
    server_cpu = cpu_seconds(server_pid) - server_before
    return Measured(
        wrk=parse_result(done.stdout),
        wrk_cpu_pct=100 * wrk_cpu / wall,
        server_cpu_pct=100 * server_cpu / wall,
        other_cpu_pct=100 * max(host - wrk_cpu - server_cpu, 0) / wall,
        output=done.stdout,
    )
