"""`make bench`: how fast Nexthop serves one heavy user, against what uvicorn itself can do.

Seeds a fresh SQLite database (10k contacts, 1k organizations, 3k interviews, 30k note items,
10k referrals), serves the app with uvicorn (1 worker, then 2), drives it with wrk, and
compares every scenario with a bare ASGI app on the same uvicorn command: the ceiling.

Settings (environment):
  BENCH_DURATION  seconds per measured run (default 10; e.g. 3 for a quick look)
  BENCH_WARMUP    seconds of unmeasured load before each run (default 2)
  BENCH_WORKERS   uvicorn worker counts to try, comma-separated (default "1,2")
  BENCH_THREADS   wrk threads (default 2)
  NEXTHOP_*       passed to the app (e.g. NEXTHOP_WORKER_THREADS=2), except the data dir and
                  database URL, which are the seeded SQLite file's

Writes bench-results/latest.json next to the printed table.
"""

import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))  # `backend` also when the project is not pip-installed

import uvicorn  # noqa: E402
from loadgen import TIMEOUT_SECONDS, Load, Measured, require_wrk, run_wrk, wrk_version  # noqa: E402
from report import (  # noqa: E402
    LIST_CONTACTS,
    NOISY_OTHER_CPU_PCT,
    Row,
    finish,
    make_row,
    table,
    verdicts,
    write_json,
)
from seed import SeedInfo, copy_database, seed  # noqa: E402
from server import APP, BARE, Server, serve, setting_overrides, wait_idle  # noqa: E402

RESULTS = REPO / "bench-results" / "latest.json"
SATURATED_PCT = 90  # a single uvicorn worker at this share of a core is the limit


@dataclass(frozen=True)
class Config:
    duration: float
    warmup: float
    workers: tuple[int, ...]
    threads: int

    @classmethod
    def from_env(cls) -> "Config":
        workers = os.environ.get("BENCH_WORKERS", "1,2")
        return cls(
            duration=float(os.environ.get("BENCH_DURATION", "10")),
            warmup=float(os.environ.get("BENCH_WARMUP", "2")),
            workers=tuple(int(w) for w in workers.split(",") if w.strip()),
            threads=int(os.environ.get("BENCH_THREADS", "2")),
        )


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: str  # ceiling | read | write | stress
    path: str
    connections: int = 32
    script: str = "get.lua"
    args: tuple[str, ...] = ()


CEILING = Scenario("bare ASGI (ceiling)", "ceiling", "/")


def app_scenarios(info: SeedInfo) -> list[Scenario]:
    """Reads first: the writes add note items (to an interview no read looks at)."""
    contacts = "/api/v1/contacts?limit=50"
    write_args = (str(info.write_interview_id),)
    return [
        Scenario(LIST_CONTACTS, "read", contacts),
        Scenario(LIST_CONTACTS, "read", contacts, connections=64),
        Scenario(f"list contacts q={info.search_q}", "read", f"{contacts}&q={info.search_q}"),
        Scenario("get interview + notes", "read", f"/api/v1/interviews/{info.read_interview_id}"),
        Scenario(
            "list open to_do notes",
            "read",
            "/api/v1/note-items?category=to_do&status=open&limit=50",
        ),
        Scenario(
            "create note item", "write", "/api/v1/note-items", 32, "create_note.lua", write_args
        ),
        Scenario(LIST_CONTACTS, "stress", contacts, connections=256),
        Scenario(
            "mixed: all five, writes too",
            "stress",
            "/",
            256,
            "mixed.lua",
            (str(info.read_interview_id), str(info.write_interview_id), info.search_q),
        ),
    ]


def say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


@dataclass
class Bench:
    config: Config
    wrk: str
    rows: list[Row]
    outputs: list[str]
    ceiling_rps: float | None = None
    token: str | None = None

    def load(self, scenario: Scenario, seconds: float) -> Load:
        return Load(
            scenario.path,
            scenario.script,
            scenario.connections,
            self.config.threads,
            seconds,
            scenario.args,
            (f"Authorization: Bearer {self.token}",) if self.token else (),
        )

    def measure(self, server: Server, scenario: Scenario) -> Row:
        say(f"  {scenario.name}: {server.workers} worker(s), {scenario.connections} connections")
        if self.config.warmup > 0:
            wait_idle(server.pid)
            run_wrk(self.wrk, server.base_url, self.load(scenario, self.config.warmup), server.pid)
        wait_idle(server.pid)
        measured: Measured = run_wrk(
            self.wrk, server.base_url, self.load(scenario, self.config.duration), server.pid
        )
        row = make_row(scenario.name, scenario.kind, server.workers, scenario.connections, measured)
        if scenario.kind == "ceiling" and server.workers == 1:
            self.ceiling_rps = row.rps
        self.rows.append(finish(row, self.ceiling_rps))
        self.outputs.append(measured.output)
        return row


def run_server(
    bench: Bench, app: tuple[str, ...], workers: int, data_dir: Path, scenarios: list[Scenario]
) -> None:
    say(f"serving {app[0]} with {workers} worker(s)")
    with serve(app, workers, data_dir) as server:
        for scenario in scenarios:
            bench.measure(server, scenario)


def run_all(bench: Bench, info: SeedInfo, root: Path) -> None:
    bare_dir = root / "bare"
    bare_dir.mkdir()
    run_server(bench, BARE, 1, bare_dir, [CEILING])
    for workers in bench.config.workers:
        data_dir = root / f"app-{workers}w"
        copy_database(info, data_dir)  # every server starts from the same pristine data
        run_server(bench, APP, workers, data_dir, app_scenarios(info))


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
    return done.stdout.strip()


def code_version() -> str:
    """The commit measured, and whether backend/ had uncommitted changes."""
    changed = len(_git("status", "--porcelain", "--", "backend").splitlines())
    dirty = f" + uncommitted changes in {changed} backend file(s)" if changed else ""
    return f"{_git('rev-parse', '--short', 'HEAD') or 'unknown'}{dirty}"


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def machine(wrk: str) -> dict[str, Any]:
    cores = len(os.sched_getaffinity(0))
    return {
        "cpu_cores": cores,
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "uvicorn": uvicorn.__version__,
        "wrk": wrk_version(wrk),
        "code": code_version(),
        "settings": setting_overrides(),
    }


def load_generator_check(ceiling: Row) -> str:
    """At the ceiling the server must be the saturated side, or the ceiling is wrk's."""
    wrk_us = 1e4 * ceiling.wrk_cpu_pct / ceiling.rps
    server_us = 1e4 * ceiling.server_cpu_pct / ceiling.rps
    figures = (
        f"at the ceiling uvicorn used {ceiling.server_cpu_pct:.0f}% of a core "
        f"({server_us:.0f} µs/request) and wrk {ceiling.wrk_cpu_pct:.0f}% ({wrk_us:.0f} µs/request)"
    )
    if ceiling.server_cpu_pct >= SATURATED_PCT:
        return (
            f"wrk is not the bottleneck: {figures}; app scenarios are far slower still and "
            "leave wrk nearly idle (its cpu% column)."
        )
    return f"WARNING: {figures}; the server was not saturated, so the ceiling may be wrk's."


def notes(bench: Bench, host: dict[str, Any]) -> list[str]:
    cfg = bench.config
    lines = [
        f"Machine: {host['cpu_cores']} CPU cores ({host['cpu_model']}), shared by the load "
        f"generator (wrk, {cfg.threads} threads) and the server (uvicorn): figures to compare "
        "runs on this machine, not capacity numbers. With 2 workers, 3 busy processes share "
        f"{host['cpu_cores']} cores.",
        f"Each run: {cfg.duration:g} s after a {cfg.warmup:g} s warm-up; latencies as wrk "
        "measures them (client side, so they include queueing in the server).",
        f"Stall: a whole second with no response, a socket error, or a request over wrk's "
        f"{TIMEOUT_SECONDS} s timeout (sockerr/timeout/idle s). non-2xx and 5xx are counted "
        "per response by report.lua.",
        "cpu% columns: share of one core used by wrk / by the server (all its processes) / by "
        f"everything else on the machine during the run; 'noisy' when other > "
        f"{NOISY_OTHER_CPU_PCT:g}.",
    ]
    ceiling = next((r for r in bench.rows if r.kind == "ceiling"), None)
    if ceiling is not None:
        lines.append(load_generator_check(ceiling))
    return lines


def report(bench: Bench, info: SeedInfo, host: dict[str, Any]) -> None:
    out = [
        "",
        f"Nexthop benchmark (make bench) of {host['code']}",
        f"App settings from the environment: {host['settings'] or 'none (defaults)'}",
        *notes(bench, host),
        f"Seed: {info.counts} for one user in {info.seconds:.1f} s; q={info.search_q!r} matches "
        f"{info.search_matches} contacts; the interview read has {info.read_interview_notes} "
        "note items.",
        "",
        table(bench.rows),
        "",
        "Targets:",
        *verdicts(bench.rows),
        "",
        f"JSON: {RESULTS.relative_to(REPO)}",
        "",
    ]
    sys.stdout.write("\n".join(out))


def main() -> int:
    wrk = require_wrk()
    config = Config.from_env()
    bench = Bench(config, wrk, rows=[], outputs=[])
    host = machine(wrk)
    with tempfile.TemporaryDirectory(prefix="nexthop-bench-") as tmp:
        root = Path(tmp)
        say(f"seeding {root / 'seed'}")
        info = seed(root / "seed")
        say(f"seeded in {info.seconds:.1f} s: {info.counts}")
        bench.token = info.token  # every request authenticates, as a script's would
        run_all(bench, info, root)
    meta = {
        "generated_at": datetime.now(UTC).isoformat(),
        "machine": host,
        "config": vars(config) | {"workers": list(config.workers)},
        "seed": info.as_json(),
        "ceiling_rps": bench.ceiling_rps,
        "notes": notes(bench, host),
    }
    write_json(RESULTS, meta, bench.rows, bench.outputs)
    report(bench, info, host)
    return 0


if __name__ == "__main__":
    sys.exit(main())
