"""The admin command line, for servers with no browser: create, reset, list accounts; make
a token."""

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

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
