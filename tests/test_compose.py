"""compose.yaml: the app with several workers on PostgreSQL, checked without Docker.

`docker compose config` is not available where the tests run, so the file is parsed, its
variables interpolated the way Compose does, and the result validated against the Compose
Specification's JSON schema (vendored in tests/data/compose-spec/); then what matters is
asserted. Runs once, not per database.
"""

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema.validators import validator_for
from sqlalchemy.engine import make_url

from tests.test_packaging import env_of, instructions

PASSWORD = "correct-horse-battery-staple"

# $$, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, ${NAME:+x}, $NAME
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<name>\w+)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|(?P<bare>\w+))"
)


class MissingVariable(Exception):
    pass


def interpolate(node: Any, env: dict[str, str]) -> Any:
    """Compose's interpolation of every string value (keys are left alone)."""
    if isinstance(node, dict):
        return {key: interpolate(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(value, env) for value in node]
    if not isinstance(node, str):
        return node

    def one(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name, op, arg = match["name"] or match["bare"], match["op"] or "", match["arg"] or ""
        given = name in env and (bool(env[name]) or not op.startswith(":"))
        if op.endswith("?") and not given:
            raise MissingVariable(f"{name}: {arg}")
        if op.endswith("-") and not given:
            return arg
        if op.endswith("+"):
            return arg if given else ""
        return env.get(name, "")

    return _VARIABLE.sub(one, node)


@pytest.fixture
def raw(repo_root: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((repo_root / "compose.yaml").read_text())
    return loaded


@pytest.fixture
def compose(raw: dict[str, Any]) -> dict[str, Any]:
    """As `docker compose up` would see it with only the password set."""
    resolved: dict[str, Any] = interpolate(raw, {"POSTGRES_PASSWORD": PASSWORD})
    return resolved


def test_compose_yaml_follows_the_compose_specification(
    repo_root: Path, raw: dict[str, Any], compose: dict[str, Any]
) -> None:
    schema = json.loads((repo_root / "tests/data/compose-spec/compose-spec.json").read_text())
    validator = validator_for(schema)(schema)
    for document in (raw, compose):
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
        assert errors == []
    # The schema is strict enough to catch a mistake (a typo in a service's key).
    broken = {**compose, "services": {**compose["services"], "db": {"imagee": "postgres"}}}
    assert not validator.is_valid(broken)


def strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings(value)]
    return [node] if isinstance(node, str) else []


def test_there_is_no_default_password_and_without_one_compose_refuses(
    raw: dict[str, Any],
) -> None:
    with pytest.raises(MissingVariable, match="POSTGRES_PASSWORD"):
        interpolate(raw, {})
    with pytest.raises(MissingVariable, match="POSTGRES_PASSWORD"):
        interpolate(raw, {"POSTGRES_PASSWORD": ""})
    for name, service in raw["services"].items():
        for key, value in service.get("environment", {}).items():
            if re.search("PASSWORD|SECRET|TOKEN", key):
                assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", value), f"{name}.{key}: {value}"
    # Nor a default hidden in another value (a URL, say).
    assert not [s for s in strings(raw) if re.search(r"PASSWORD:?-", s)]


def test_the_database_is_checked_kept_on_a_volume_and_dumpable_by_the_image(
    compose: dict[str, Any], repo_root: Path
) -> None:
    db = compose["services"]["db"]
    image, _, tag = db["image"].partition(":")
    assert image == "postgres"
    major = re.match(r"\d+", tag)
    assert major, f"{db['image']}: pin a major version"
    # pg_dump must be of the server's major version or newer.
    dockerfile = (repo_root / "Dockerfile").read_text()
    client = re.search(r"postgresql-client-(\d+)", dockerfile)
    assert client, "the image installs no pg_dump"
    assert int(client.group(1)) >= int(major.group())
    assert db["environment"]["POSTGRES_PASSWORD"] == PASSWORD
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume, _, path = db["volumes"][0].partition(":")
    assert (volume in compose["volumes"], path) == (True, "/var/lib/postgresql/data")


def test_the_app_serves_several_workers_on_the_database_once_it_is_healthy(
    compose: dict[str, Any], repo_root: Path
) -> None:
    app, db = compose["services"]["app"], compose["services"]["db"]
    assert (repo_root / app["build"] / "Dockerfile").is_file()
    command = app["command"]
    assert command[:4] == ["python", "-m", "backend", "serve"]
    assert int(command[command.index("--workers") + 1]) >= 2
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(app["healthcheck"]["test"])

    env = app["environment"]
    url = make_url(env["NEXTHOP_DATABASE_URL"])
    assert url.host in compose["services"]
    assert url.host == "db"
    assert (url.username, url.database) == (
        db["environment"]["POSTGRES_USER"], db["environment"]["POSTGRES_DB"],
    )  # fmt: skip
    assert url.password is None
    assert env["PGPASSWORD"] == db["environment"]["POSTGRES_PASSWORD"]

    # Backups land on a named volume at the image's data dir.
    data_dir = env_of(instructions((repo_root / "Dockerfile").read_text()))["NEXTHOP_DATA_DIR"]
    volume, _, path = app["volumes"][0].partition(":")
    assert (volume in compose["volumes"], path) == (True, data_dir)
    assert Path(env["NEXTHOP_BACKUP_DIR"]).is_relative_to(data_dir)
    assert int(env["NEXTHOP_BACKUP_INTERVAL_MINUTES"]) > 0
    # Published on this machine only unless told otherwise (a proxy goes in front).
    assert app["ports"] == ["127.0.0.1:8000:8000"]


def test_interpolation_follows_compose_rules() -> None:
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("$$SET ${SET} $SET ${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} ${SET:+y}", env) == (
        "$SET x x d d  y"
    )
    with pytest.raises(MissingVariable, match="UNSET: say so"):
        interpolate("${UNSET:?say so}", env)
    assert interpolate("${EMPTY?fine}", env) == ""
