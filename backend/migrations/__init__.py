"""Alembic, driven from code: `python -m backend migrate` and the start-up schema check."""

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

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
