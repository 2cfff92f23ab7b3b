from alembic import context
from sqlalchemy import Engine

from backend.config import Settings
from backend.db import make_engine
from backend.migrations import include_name
from backend.models import metadata

config = context.config


def run_migrations() -> None:
    engine: Engine | None = config.attributes.get("engine")
    owned = engine is None
    if engine is None:
        engine = make_engine(Settings())
    try:
        with engine.begin() as connection:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=engine.dialect.name == "sqlite",
                compare_type=True,
                include_name=include_name,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        if owned:
            engine.dispose()


run_migrations()
