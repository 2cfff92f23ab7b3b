"""Settings: every one has a range or a set of values, and a bad one stops start-up with one
line naming the variable and what it accepts (exit status 2), never a traceback."""

import os
import subprocess
import sys
import typing
from enum import Enum
from pathlib import Path

import pytest
from annotated_types import Ge, Le
from pydantic import AfterValidator, BeforeValidator

from backend.config import LogLevel, Settings
from backend.main import create_app
from backend.settings_errors import settings_or_exit

ROOT = Path(__file__).resolve().parent.parent

BAD = {
    "NEXTHOP_LOG_LEVEL": "verbose",
    "NEXTHOP_SQLITE_BUSY_TIMEOUT_MS": "-1",
    "NEXTHOP_IDEMPOTENCY_TTL_HOURS": "-5",
}
EXPECTED = [
    "nexthop: NEXTHOP_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL "
    "(got 'verbose')",
    "nexthop: NEXTHOP_SQLITE_BUSY_TIMEOUT_MS must be a whole number from 1 to 600000 (got '-1')",
    "nexthop: NEXTHOP_IDEMPOTENCY_TTL_HOURS must be a whole number from 1 to 8760 (got '-5')",
]


def clean_env(data_dir: Path, **variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("NEXTHOP_")}
    return {**env, "NEXTHOP_DATA_DIR": str(data_dir), **variables}


@pytest.mark.slow  # real servers or commands in subprocesses
@pytest.mark.parametrize(
    "args",
    [
        ("migrate",),
        ("serve",),
        ("list-users",),
        ("create-user", "--email", "ann@x.io", "--name", "Ann"),
        ("backup",),
        ("openapi", "--out", "unused.json"),
    ],
)
def test_bad_settings_stop_every_command_with_one_line_each(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    data_dir = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-m", "backend", *args], cwd=tmp_path, env=clean_env(data_dir, **BAD),
        input="a much better passphrase\n", capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.splitlines() == EXPECTED
    assert not data_dir.exists()
    assert not (tmp_path / "unused.json").exists()


def test_the_app_factory_stops_the_same_way(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`uvicorn --factory backend.main:create_app` (what each `serve` worker runs)."""
    monkeypatch.chdir(tmp_path)  # no .env from the working directory
    for name, value in BAD.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        create_app()
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines() == EXPECTED


@pytest.mark.parametrize(
    ("variable", "value", "accepts"),
    [
        ("NEXTHOP_PORT", "http", "a whole number from 0 to 65535"),
        ("NEXTHOP_WORKER_THREADS", "0", "a whole number from 1 to 256"),
        ("NEXTHOP_ACCESS_LOG", "maybe", "true or false"),
        ("NEXTHOP_SIGNUP_MODE", "public", "one of closed, invite, open"),
        ("NEXTHOP_LOG_FORMAT", "xml", "one of json, text"),
        ("NEXTHOP_DATABASE_URL", "mysql://db/x", "a sqlite:// or postgresql:// URL"),
        ("NEXTHOP_HOST", "local host", "an IP address or a host name"),
        ("NEXTHOP_TRUSTED_PROXIES", "10.0.0.1", "a JSON list of IP addresses or networks"),
        ("NEXTHOP_TRUSTED_PROXIES", '["10.0.0.1/8"]', "a JSON list of IP addresses or networks"),
        ("NEXTHOP_METRICS_TOKEN", "two words", "up to 1024 printable ASCII characters"),
        ("NEXTHOP_RATE_LIMIT_WRITES", "-1", "a whole number from 0 to 1000000"),
    ],
)
def test_each_kind_of_setting_says_what_it_accepts(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    accepts: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit):
        settings_or_exit()
    line = capsys.readouterr().err
    assert line.startswith(f"nexthop: {variable} must be {accepts}")
    assert line.endswith(f" (got {value!r})\n")
    assert line.count("\n") == 1


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("NEXTHOP_LOG_LEVEL", "debug", ("log_level", LogLevel.DEBUG)),
        ("NEXTHOP_DATABASE_URL", "", ("database_url", None)),
        ("NEXTHOP_DATABASE_URL", "postgresql://u@h/db", ("database_url", "postgresql://u@h/db")),
        ("NEXTHOP_TRUSTED_PROXIES", '["*"]', ("trusted_proxies", ["*"])),
        (
            "NEXTHOP_TRUSTED_PROXIES",
            '["10.0.0.1", "fd00::/8"]',
            ("trusted_proxies", ["10.0.0.1", "fd00::/8"]),
        ),
        ("NEXTHOP_METRICS_TOKEN", "", ("metrics_token", None)),
        ("NEXTHOP_HOST", "0.0.0.0", ("host", "0.0.0.0")),
        ("NEXTHOP_HOST", "nexthop.internal", ("host", "nexthop.internal")),
        ("NEXTHOP_PORT", "0", ("port", 0)),
    ],
)
def test_good_values_are_taken(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    variable: str,
    value: str,
    expected: tuple[str, object],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(variable, value)
    name, taken = expected
    assert getattr(Settings(), name) == taken


def test_every_setting_has_a_range_or_a_set_of_values() -> None:
    for name, field in Settings.model_fields.items():
        kind = field.annotation
        if typing.get_origin(kind) is typing.Literal or kind is bool:
            continue
        if isinstance(kind, type) and issubclass(kind, Enum):
            continue
        if kind is int:
            assert any(isinstance(m, Ge) for m in field.metadata), name
            assert any(isinstance(m, Le) for m in field.metadata), name
            continue
        checks = (AfterValidator, BeforeValidator)
        assert any(isinstance(m, checks) for m in field.metadata), f"{name} is not validated"
