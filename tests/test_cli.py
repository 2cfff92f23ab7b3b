"""The admin command line, for servers with no browser: create, reset, list accounts; make
a token."""

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

# Slow (every test runs the command line in subprocesses): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def nexthop(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEXTHOP_DATA_DIR": str(data_dir)}
    env.pop("NEXTHOP_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "backend", *args], cwd=ROOT, env=env, input=stdin,
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_create_reset_and_list_users(tmp_path: Path) -> None:
    assert nexthop(tmp_path, "migrate").returncode == 0

    weak = nexthop(tmp_path, "create-user", "--email", "a@x.io", "--name", "Ann", stdin="short\n")
    assert weak.returncode == 1
    assert "at least 10 characters" in weak.stderr

    made = nexthop(
        tmp_path, "create-user", "--email", "Ann@X.io", "--name", "Ann", "--admin",
        stdin="a much better passphrase\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "created ann@x.io" in made.stdout

    again = nexthop(
        tmp_path, "create-user", "--email", "ann@x.io", "--name", "Ann 2",
        stdin="another good passphrase\n",
    )  # fmt: skip
    assert again.returncode == 1
    assert "already exists" in again.stderr

    token = nexthop(tmp_path, "create-token", "--email", "ann@x.io", "--name", "script")
    assert token.returncode == 0, token.stderr
    reset = nexthop(
        tmp_path, "reset-password", "--email", "ANN@x.io", stdin="third passphrase ok\n"
    )
    assert reset.returncode == 0, reset.stderr
    assert "API tokens revoked" in reset.stdout
    with sqlite3.connect(tmp_path / "nexthop.db") as db:
        assert db.execute("SELECT count(*) FROM api_tokens").fetchone() == (0,)

    listed = nexthop(tmp_path, "list-users")
    assert listed.returncode == 0
    lines = listed.stdout.strip().splitlines()
    assert len(lines) == 1
    assert "ann@x.io  admin  Ann" in lines[0]

    with sqlite3.connect(tmp_path / "nexthop.db") as db:
        db.execute("UPDATE users SET disabled_at = '2026-12-08 10:00:00.000000'")
    assert "ann@x.io  admin (disabled)  Ann" in nexthop(tmp_path, "list-users").stdout

    missing = nexthop(tmp_path, "reset-password", "--email", "nobody@x.io", stdin="whatever123\n")
    assert missing.returncode == 1
    assert "No account" in missing.stderr


def test_create_token_prints_the_secret_once(tmp_path: Path) -> None:
    data_dir = tmp_path
    assert nexthop(tmp_path, "migrate").returncode == 0
    made = nexthop(
        tmp_path, "create-user", "--email", "bo@x.io", "--name", "Bo",
        stdin="a much better passphrase\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr

    made = nexthop(
        tmp_path, "create-token", "--email", "BO@x.io", "--name", "backup job",
        "--scope", "read", "--expires-days", "30",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert secret.startswith("nh_")
    assert len(made.stdout.splitlines()) == 1  # the secret alone, for a script to keep
    assert "'backup job'" in made.stderr
    assert "bo@x.io: read, expires" in made.stderr
    assert secret not in made.stderr
    with sqlite3.connect(data_dir / "nexthop.db") as db:
        stored = db.execute(
            "SELECT name, scope, expires_at IS NOT NULL FROM api_tokens WHERE token_hash = ?",
            (hashlib.sha256(secret.encode()).hexdigest(),),
        ).fetchall()
    assert stored == [("backup job", "read", 1)]

    forever = nexthop(tmp_path, "create-token", "--email", "bo@x.io", "--name", "sync")
    assert forever.returncode == 0, forever.stderr
    assert "read_write, never expires" in forever.stderr
    assert forever.stdout.strip() != secret

    for args, reason in (
        (["--email", "nobody@x.io", "--name", "x"], "No account"),
        (["--email", "bo@x.io", "--name", "   "], "--name"),
        (["--email", "bo@x.io", "--name", "x", "--expires-days", "0"], "--expires-days"),
    ):
        refused = nexthop(tmp_path, "create-token", *args)
        assert refused.returncode == 1, args
        assert reason in refused.stderr, refused.stderr
        assert refused.stdout == ""


def users_listed(data_dir: Path) -> list[str]:
    listed = nexthop(data_dir, "list-users")
    assert listed.returncode == 0, listed.stderr
    return [line.split("  ", 1)[1] for line in listed.stdout.strip().splitlines()]


def test_the_first_account_is_the_administrator_without_admin(tmp_path: Path) -> None:
    assert nexthop(tmp_path, "migrate").returncode == 0
    first = nexthop(
        tmp_path, "create-user", "--email", "ann@x.io", "--name", "Ann",
        stdin="a much better passphrase\n",
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert "ann@x.io is an administrator, --admin or not" in first.stdout

    second = nexthop(
        tmp_path, "create-user", "--email", "bob@x.io", "--name", "Bob",
        stdin="another good passphrase\n",
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert "administrator" not in second.stdout
    assert users_listed(tmp_path) == ["ann@x.io  admin  Ann", "bob@x.io  user  Bob"]


def test_promote_and_demote_but_never_the_last_administrator(tmp_path: Path) -> None:
    assert nexthop(tmp_path, "migrate").returncode == 0
    for email in ("ann@x.io", "bob@x.io"):
        made = nexthop(
            tmp_path, "create-user", "--email", email, "--name", "Someone",
            stdin="a much better passphrase\n",
        )  # fmt: skip
        assert made.returncode == 0, made.stderr

    last = nexthop(tmp_path, "demote", "--email", "ann@x.io")
    assert last.returncode == 1
    assert last.stderr == (
        "nexthop: ann@x.io is the only administrator; promote another account first.\n"
    )

    promoted = nexthop(tmp_path, "promote", "--email", "BOB@x.io")
    assert promoted.returncode == 0, promoted.stderr
    assert promoted.stdout == "bob@x.io is now an administrator\n"
    demoted = nexthop(tmp_path, "demote", "--email", "ann@x.io")
    assert demoted.returncode == 0, demoted.stderr
    assert demoted.stdout == "ann@x.io is now a plain user\n"
    assert users_listed(tmp_path) == ["ann@x.io  user  Someone", "bob@x.io  admin  Someone"]

    nobody = nexthop(tmp_path, "promote", "--email", "cy@x.io")
    assert nobody.returncode == 1
    assert nobody.stderr == "nexthop: No account with email cy@x.io.\n"


def test_an_instance_left_without_an_administrator_gets_one(tmp_path: Path) -> None:
    """Older versions made the first account a plain user without --admin; /setup then
    answers 409. The next account made on the command line is the administrator."""
    assert nexthop(tmp_path, "migrate").returncode == 0
    made = nexthop(
        tmp_path, "create-user", "--email", "ann@x.io", "--name", "Ann",
        stdin="a much better passphrase\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    with sqlite3.connect(tmp_path / "nexthop.db") as db:
        db.execute("UPDATE users SET is_admin = 0")
    assert users_listed(tmp_path) == ["ann@x.io  user  Ann"]

    rescue = nexthop(
        tmp_path, "create-user", "--email", "root@x.io", "--name", "Root",
        stdin="a much better passphrase\n",
    )  # fmt: skip
    assert rescue.returncode == 0, rescue.stderr
    assert "root@x.io is an administrator, --admin or not" in rescue.stdout
    assert users_listed(tmp_path) == ["ann@x.io  user  Ann", "root@x.io  admin  Root"]


@pytest.mark.parametrize(
    "args",
    [
        ("create-user", "--email", "ann@x.io", "--name", "Ann"),
        ("list-users",),
        ("reset-password", "--email", "ann@x.io"),
        ("promote", "--email", "ann@x.io"),
    ],
)
def test_before_the_first_migrate_one_line_says_what_to_run(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    data_dir = tmp_path / "data"
    done = nexthop(data_dir, *args, stdin="a much better passphrase\n")
    assert done.returncode == 1
    assert done.stderr == (
        f"nexthop: there is no database at {data_dir / 'nexthop.db'} yet: "
        "run `python -m backend migrate` (or `make migrate`) first.\n"
    )
    assert not data_dir.exists()  # no empty database left behind


def test_an_empty_database_file_is_one_line_too(tmp_path: Path) -> None:
    (tmp_path / "nexthop.db").touch()
    done = nexthop(tmp_path, "list-users")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert "revision none" in done.stderr
    assert "`python -m backend migrate`" in done.stderr


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("--email", "notanemail", "--name", "Ann"), "--email must be an email address"),
        (("--email", "ann @x.io", "--name", "Ann"), "--email must be an email address"),
        (("--email", "ann@x.io", "--name", "  "), "--name must be 1 to 200 characters"),
    ],
)
def test_account_details_are_checked_as_the_api_checks_them(
    tmp_path: Path, args: tuple[str, ...], problem: str
) -> None:
    assert nexthop(tmp_path, "migrate").returncode == 0
    done = nexthop(tmp_path, "create-user", *args, stdin="a much better passphrase\n")
    assert done.returncode == 1
    assert done.stderr.startswith(f"nexthop: {problem}")
    assert users_listed(tmp_path) == []
