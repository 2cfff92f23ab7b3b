"""A PostgreSQL cluster of a test's own (initdb, pg_ctl), for tests that stop the database.

Never the shared server: a temporary directory, a free port, the socket in that directory,
trust authentication. initdb refuses to run as root, so as root the tools run as the
`postgres` user (`runuser`). Without initdb the tests that need it are skipped, with the
reason; with CI=true they fail instead (as tests/conftest.py does for PostgreSQL).
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import IN_CI
from tests.live_server import free_port


def _bin_dir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(versions[-1]).parent if versions else None


def _version(path: str) -> float:
    try:
        return float(Path(path).parent.parent.name)
    except ValueError:
        return 0.0


def _skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true requires it)")
    pytest.skip(reason)


class Cluster:
    """initdb'd in a temporary directory of its own (pytest's are private to the user, and
    the server may run as another); `start()`, `stop(mode)`, and `url(database)` to reach it.
    `destroy()` stops it and removes the directory."""

    def __init__(self) -> None:
        bin_dir = _bin_dir()
        if bin_dir is None:
            _skip_or_fail("initdb not found (PATH, /usr/lib/postgresql/*/bin)")
        assert bin_dir is not None
        self.bin = bin_dir
        self.root = root = Path(tempfile.mkdtemp(prefix="nexthop-pg-"))
        self.data = root / "data"
        self.port = free_port()
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                _skip_or_fail("running as root and there is no postgres user to run initdb as")
            self.run_as = ["runuser", "-u", "postgres", "--"]
            os.chown(root, owner.pw_uid, owner.pw_gid)
        self._tool("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-N",
                   "--no-instructions")  # fmt: skip

    def _tool(self, name: str, *args: str) -> None:
        cmd = [*self.run_as, str(self.bin / name), *args]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"{name} failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=100"
        )
        self._tool("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w",
                   "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._tool("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        cmd = [*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.data), "status"]
        return subprocess.run(cmd, capture_output=True, check=False).returncode == 0

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.url(name)

    def destroy(self) -> None:
        try:
            if self.data.exists() and self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
