"""Results: one row per wrk run, the targets they are held to, the table and the JSON file."""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from loadgen import Measured

LIST_CONTACTS = "list contacts"
CEILING_SHARE_MIN = 4.0  # list contacts, 1 worker: at least this % of the bare ASGI ceiling
READ_P99_MS = 25.0
WRITE_P99_MS = 50.0
TARGET_CONNECTIONS = 32
STRESS_CONNECTIONS = 256
# Other processes used more than this share of a core during a run: its figures are suspect.
NOISY_OTHER_CPU_PCT = 20.0


@dataclass(frozen=True)
class Check:
    target: str
    passed: bool

    def __str__(self) -> str:
        return f"{self.target} {'pass' if self.passed else 'MISS'}"


@dataclass
class Row:
    scenario: str
    kind: str  # ceiling | read | write | stress
    workers: int
    connections: int
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    status_5xx: int
    socket_errors: int
    timeouts: int
    idle_seconds: int
    wrk_cpu_pct: float
    server_cpu_pct: float
    other_cpu_pct: float
    pct_of_ceiling: float | None = None
    checks: list[Check] = field(default_factory=list)

    @property
    def stalled(self) -> bool:
        """A whole second without a response, a dropped connection or a request over wrk's
        timeout: what a user would see as the app hanging."""
        problems = self.idle_seconds + self.socket_errors + self.timeouts
        return self.requests == 0 or problems > 0

    @property
    def noisy(self) -> bool:
        return self.other_cpu_pct > NOISY_OTHER_CPU_PCT


def make_row(scenario: str, kind: str, workers: int, connections: int, measured: Measured) -> Row:
    w = measured.wrk
    non_2xx = w["s1xx"] + w["s3xx"] + w["s4xx"] + w["s5xx"]
    return Row(
        scenario=scenario,
        kind=kind,
        workers=workers,
        connections=connections,
        requests=w["requests"],
        rps=w["requests"] / (w["duration_us"] / 1e6),
        p50_ms=w["p50_us"] / 1000,
        p99_ms=w["p99_us"] / 1000,
        max_ms=w["max_us"] / 1000,
        non_2xx=non_2xx,
        status_5xx=w["s5xx"],
        socket_errors=w["connect_errors"] + w["read_errors"] + w["write_errors"],
        timeouts=w["timeouts"],
        idle_seconds=w["idle_seconds"],
        wrk_cpu_pct=measured.wrk_cpu_pct,
        server_cpu_pct=measured.server_cpu_pct,
        other_cpu_pct=measured.other_cpu_pct,
    )


def checks_for(row: Row) -> list[Check]:
    """The issue's targets that apply to this row."""
    checks = []
    at_target_load = row.connections == TARGET_CONNECTIONS
    if row.scenario == LIST_CONTACTS and row.workers == 1 and at_target_load:
        share = row.pct_of_ceiling or 0.0
        checks.append(Check(f">={CEILING_SHARE_MIN:g}% ceiling", share >= CEILING_SHARE_MIN))
    if row.kind == "read" and at_target_load:
        checks.append(Check(f"p99<{READ_P99_MS:g}ms", row.p99_ms < READ_P99_MS))
    if row.kind == "write" and at_target_load:
        checks.append(Check(f"p99<{WRITE_P99_MS:g}ms", row.p99_ms < WRITE_P99_MS))
    if row.connections >= STRESS_CONNECTIONS:
        checks.append(Check("no stall/5xx", not row.stalled and row.status_5xx == 0))
    return checks


def finish(row: Row, ceiling_rps: float | None) -> Row:
    if ceiling_rps:
        row.pct_of_ceiling = 100 * row.rps / ceiling_rps
    row.checks = checks_for(row)
    return row


COLUMNS = (
    ("scenario", "<"),
    ("workers", ">"),
    ("conns", ">"),
    ("req/s", ">"),
    ("p50 ms", ">"),
    ("p99 ms", ">"),
    ("max ms", ">"),
    ("non-2xx", ">"),
    ("5xx", ">"),
    ("sockerr/timeout/idle s", ">"),
    ("% ceiling", ">"),
    ("cpu% wrk/srv/other", ">"),
    ("targets", "<"),
)


def _cells(row: Row) -> list[str]:
    share = "-" if row.pct_of_ceiling is None else f"{row.pct_of_ceiling:.1f}%"
    cpu = f"{row.wrk_cpu_pct:.0f}/{row.server_cpu_pct:.0f}/{row.other_cpu_pct:.0f}"
    cpu += " noisy" if row.noisy else ""
    return [
        row.scenario,
        str(row.workers),
        str(row.connections),
        f"{row.rps:,.0f}",
        f"{row.p50_ms:.2f}",
        f"{row.p99_ms:.2f}",
        f"{row.max_ms:.0f}",
        str(row.non_2xx),
        str(row.status_5xx),
        f"{row.socket_errors}/{row.timeouts}/{row.idle_seconds}",
        share,
        cpu,
        "; ".join(str(c) for c in row.checks) or "-",
    ]


def table(rows: list[Row]) -> str:
    lines = [[name for name, _ in COLUMNS], *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]

    def fmt(line: list[str]) -> str:
        parts = [
            f"{cell:{align}{width}}"
            for cell, (_, align), width in zip(line, COLUMNS, widths, strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "-" * len(fmt(lines[0]))
    return "\n".join([fmt(lines[0]), rule, *(fmt(line) for line in lines[1:])])


def verdicts(rows: list[Row]) -> list[str]:
    out = []
    for row in rows:
        for check in row.checks:
            label = f"{row.scenario} ({row.workers}w, {row.connections}c)"
            noisy = "  (noisy run)" if row.noisy else ""
            out.append(f"  {'pass' if check.passed else 'MISS'}  {check.target:<16} {label}{noisy}")
    return out


def write_json(path: Path, meta: dict[str, Any], rows: list[Row], outputs: list[str]) -> None:
    results = []
    for row, output in zip(rows, outputs, strict=True):
        data = asdict(row)
        data["checks"] = [asdict(c) for c in row.checks]
        data["wrk_output"] = output
        results.append(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**meta, "results": results}, indent=2) + "\n")
