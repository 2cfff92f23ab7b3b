"""One metrics directory for `serve --workers N`, so that /metrics reports the whole server.

prometheus_client's multiprocess mode: each worker writes its counters, histograms and gauges
to memory-mapped files in PROMETHEUS_MULTIPROC_DIR and whichever worker is scraped sums them.
prometheus_client chooses the mode when it is imported, so the variable is set here, in the
process that starts the workers, and this module must not import it.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from tempfile import TemporaryDirectory

MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROCESS_DIR_ENV) or None


@contextmanager
def shared_metrics_dir(workers: int, metrics_enabled: bool) -> Iterator[str | None]:
    """A fresh, empty directory for the workers about to start (files left by an earlier run
    would be counted again), removed when serving ends; None for a single process, which
    keeps its counts in memory."""
    if workers < 2 or not metrics_enabled:
        yield None
        return
    saved = os.environ.get(MULTIPROCESS_DIR_ENV)
    with TemporaryDirectory(prefix="nexthop-metrics-") as path:
        os.environ[MULTIPROCESS_DIR_ENV] = path
        try:
            yield path
        finally:
            if saved is None:
                os.environ.pop(MULTIPROCESS_DIR_ENV, None)
            else:
                os.environ[MULTIPROCESS_DIR_ENV] = saved
