from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Engine
from sqlmodel.sql.sqltypes import AutoString

from backend.config import Settings
from backend.db import make_engine
from backend.fields import UTCDateTime
from backend.migrations import include_name
from backend.migrations.foreign_keys import check_foreign_keys, sqlite_foreign_keys_off
from backend.models import metadata

config = context.config


def render_item(type_: str, obj: Any, _autogen: AutogenContext) -> str | bool:
    """Autogenerate writes the app's own column types as plain SQLAlchemy ones, so a
    migration never imports the app's code (script.py.mako says why)."""
    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def run_migrations() -> None:
    engine: Engine | None = config.attributes.get("engine")
    owned = engine is None
    if engine is None:
        engine = make_engine(Settings())
    try:
        with engine.connect() as connection, sqlite_foreign_keys_off(connection):
            # Every pending migration in one transaction: on both databases DDL is
            # transactional, so a failure (or a failed foreign key check) leaves the database
            # exactly as it was.
            with connection.begin():
                context.configure(
                    connection=connection,
                    target_metadata=metadata,
                    render_as_batch=engine.dialect.name == "sqlite",
                    compare_type=True,
                    include_name=include_name,
                    render_item=render_item,
                )
                with context.begin_transaction():
                    context.run_migrations()
                check_foreign_keys(connection)
    finally:
        if owned:
            engine.dispose()


run_migrations()
