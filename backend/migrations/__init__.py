"""Alembic, driven from code: `python -m backend migrate` and the start-up schema check."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from backend.documents import STORED_COLUMN
from backend.search import fts

HERE = Path(__file__).parent


def include_name(name: str | None, type_: str, parents: Any = None) -> bool:
    """For Alembic's `include_name` in model/migration comparisons: not the search index
    objects (backend.search.fts), nor the documents SQLite keeps rendered
    (backend.documents); both live outside the models."""
    if type_ == "column" and name == STORED_COLUMN:
        return False
    return fts.include_name(name, type_, parents)


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


# Backups taken before upgrades, kept apart from the scheduled ones (which rotate on their
# own): the newest few, enough to go back across several releases.
BEFORE_UPGRADE_DIR = "before-upgrade"
BEFORE_UPGRADE_KEEP = 5


@dataclass(frozen=True)
class Upgrade:
    """What `upgrade_with_backup` did."""

    from_revision: str | None
    to_revision: str | None
    backup: Path | None  # taken just before the first migration ran

    @property
    def applied(self) -> bool:
        return self.from_revision != self.to_revision


def upgrade_with_backup(engine: Engine, backup_root: Path, *, backup: bool = True) -> Upgrade:
    """The pending migrations, after an online backup of a database that already holds data
    (`<backup_root>/before-upgrade/`, the newest five kept). If the backup cannot be taken,
    nothing is migrated (backend.backups.service.BackupError says why)."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return Upgrade(current, head, None)
    taken = None
    if backup and current is not None and _holds_data(engine):
        from backend.backups.service import BackupError, take_backup

        url = engine.url.render_as_string(hide_password=False)
        try:
            taken = take_backup(url, backup_root / BEFORE_UPGRADE_DIR, BEFORE_UPGRADE_KEEP)
        except OSError as exc:  # no room, no permission, not a directory...
            raise BackupError(f"{exc.strerror or exc}: {exc.filename or backup_root}") from exc
    upgrade(engine)
    return Upgrade(current, head, taken)


def _holds_data(engine: Engine) -> bool:
    """Every row of Nexthop belongs to a user: no user, nothing to lose."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM users LIMIT 1")).first() is not None


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


class SchemaOutOfDate(RuntimeError):
    pass


def ensure_current(engine: Engine) -> None:
    """Refuses to serve a database whose schema is not the one this code expects."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"The database schema is at revision {current or 'none'} but this version of "
            f"Nexthop needs {head}. Run `make migrate` (or `python -m backend migrate`) first."
        )
