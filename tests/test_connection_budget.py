"""The connections a process may open, as the README says, counted from the real engines."""

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

from backend.config import Settings
from backend.db import make_engine
from backend.main import create_app

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_formula() -> tuple[int, int]:
    """(a, b) of "up to a × `NEXTHOP_WORKER_THREADS` + b connections" in the README."""
    text = " ".join(README.read_text().split())
    found = re.search(r"up to (\d+) × `NEXTHOP_WORKER_THREADS` \+ (\d+) connections", text)
    assert found, "the README no longer states the connection budget"
    return int(found[1]), int(found[2])


def most_connections(engine: Engine) -> int:
    pool = engine.pool
    assert isinstance(pool, QueuePool)
    return pool.size() + pool._max_overflow  # its most: the size and the overflow allowed


@pytest.mark.parametrize("threads", [1, 4, 16])
def test_the_readme_states_what_the_engines_may_open(settings: Settings, threads: int) -> None:
    sized = settings.model_copy(update={"worker_threads": threads})
    engine = make_engine(sized)
    app = create_app(sized, engine)
    try:
        # Every engine a process opens: the requests' (webhooks and reads included) and the
        # rate-limit counters'.
        counters = app.state.rate_limiter.engine
        total = most_connections(engine) + most_connections(counters)
        a, b = readme_formula()
        assert total == a * threads + b
    finally:
        app.state.rate_limiter.close()
        engine.dispose()
