"""One metrics directory for `serve --workers N`, so that /metrics reports the whole server.

prometheus_client's multiprocess mode: each worker writes its counters, histograms and gauges
to memory-mapped files in PROMETHEUS_MULTIPROC_DIR and whichever worker is scraped sums them.
prometheus_client chooses the mode when it is imported, so the variable is set here, in the
process that starts the workers, and this module must not import it.
"""

import atexit
import os
import shutil
import tempfile

MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROCESS_DIR_ENV) or None


def use_shared_metrics_dir(workers: int, metrics_enabled: bool) -> str | None:
    """For the workers about to start (they inherit the environment): a fresh, empty directory
    (files left by an earlier run would be counted again), removed when this process exits.
    None for a single process, which keeps its counts in memory."""
    if workers < 2 or not metrics_enabled:
        return None
    path = tempfile.mkdtemp(prefix="nexthop-metrics-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    os.environ[MULTIPROCESS_DIR_ENV] = path
    return path
