"""Prometheus metrics: requests by route template, their latency, and the database pool.

One process (tests, `serve` with one worker): each app has a registry of its own (tests build
many apps in one process), read when scraped. Several workers (`serve --workers N`): every
worker writes its values to the shared directory of backend.observability.multiprocess and
the one scraped answers with the sums, so counters grow steadily whichever worker answers.
"""

import asyncio
import contextlib
import glob
import os
from collections.abc import Iterable

import anyio.to_thread
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

from backend.observability.multiprocess import multiprocess_dir

# Seconds; most API calls answer in a few milliseconds, exports and path finding in more.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# How often each of several workers writes down its pool and threads (a scrape reads them).
SAMPLE_SECONDS = 5.0


class HttpMetrics:
    """Registered in `registry`; with several workers in none (the files are the registry)."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.requests = Counter(
            "nexthop_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "nexthop_http_request_duration_seconds",
            "Time from the request's arrival to the end of its response, by route template.",
            ["method", "route"],
            registry=registry,
            buckets=LATENCY_BUCKETS,
        )
        self.in_progress = Gauge(
            "nexthop_http_requests_in_progress",
            "Requests being served now.",
            registry=registry,
            multiprocess_mode="livesum",  # over the workers alive
        )
        # Label look-ups validate and lock; cache the children (called on the event loop only).
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


# Resources read from the process itself: name -> (help, label). Several workers: summed.
RESOURCES = {
    "nexthop_db_pool_connections": ("Connections open in the database pool, by state.", "state"),
    "nexthop_db_pool_size": (
        "Connections the pool keeps open (it may open more as overflow).",
        None,
    ),
    "nexthop_worker_threads": ("Request threads, by state.", "state"),
}


def read_resources(engine: Engine) -> dict[tuple[str, str], float]:
    """(metric, label value or "") -> this process's reading; called on the event loop."""
    values: dict[tuple[str, str], float] = {}
    pool = engine.pool
    if isinstance(pool, QueuePool):
        values["nexthop_db_pool_connections", "checked_out"] = pool.checkedout()
        values["nexthop_db_pool_connections", "idle"] = pool.checkedin()
        values["nexthop_db_pool_size", ""] = pool.size()
    try:
        limiter = anyio.to_thread.current_default_thread_limiter()
    except RuntimeError:  # not on the event loop
        return values
    values["nexthop_worker_threads", "busy"] = limiter.borrowed_tokens
    values["nexthop_worker_threads", "limit"] = float(limiter.total_tokens)
    return values


class ResourceCollector(Collector):
    """One process: the pool and the request threads, read when scraped (no per-request cost)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterable[Metric]:
        values = read_resources(self.engine)
        for name, (doc, label) in RESOURCES.items():
            family = GaugeMetricFamily(name, doc, labels=[label] if label else None)
            for (metric, state), value in values.items():
                if metric == name:
                    family.add_metric([state] if label else [], value)
            if family.samples:
                yield family


class SampledResources:
    """Several workers: each writes its readings down every SAMPLE_SECONDS, as gauges that a
    scrape sums over the workers alive."""

    def __init__(self, engine: Engine, path: str) -> None:
        self.engine, self.path = engine, path
        self.gauges = {
            name: Gauge(name, doc, [label] if label else [], registry=None,
                        multiprocess_mode="livesum")
            for name, (doc, label) in RESOURCES.items()
        }  # fmt: skip

    def sample(self) -> None:
        for (metric, state), value in read_resources(self.engine).items():
            gauge = self.gauges[metric]
            (gauge.labels(state) if state else gauge).set(value)
        forget_dead_workers(self.path)

    async def run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(SAMPLE_SECONDS)


def forget_dead_workers(path: str) -> None:
    """A worker killed without a shutdown (uvicorn starts another) left its live gauges: its
    requests in progress would be counted for ever. Its counters stay, as they should."""
    files = glob.glob(os.path.join(path, "gauge_live*_*.db"))  # gauge_<mode>_<pid>.db
    pids = {int(os.path.basename(f)[: -len(".db")].rsplit("_", 1)[1]) for f in files}
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            mark_process_dead(pid, path)
        except PermissionError:  # alive, someone else's: not one of ours, leave it
            pass


class Metrics:
    """The registry /metrics answers from, the request metrics, and, with several workers,
    the task that writes this worker's resources down (start/stop in the app's lifespan)."""

    def __init__(self, engine: Engine) -> None:
        # `_created` series double the output and no dashboard of ours reads them.
        disable_created_metrics()
        self.registry = CollectorRegistry()
        self.path = multiprocess_dir()
        self._sampler: asyncio.Task[None] | None = None
        if self.path is None:
            ProcessCollector(registry=self.registry)
            self.registry.register(ResourceCollector(engine))
            self.http = HttpMetrics(self.registry)
            self.resources = None
        else:
            # process_* metrics are left out: they would describe whichever worker answered.
            MultiProcessCollector(self.registry, path=self.path)
            self.http = HttpMetrics(None)
            self.resources = SampledResources(engine, self.path)

    def start(self) -> None:
        if self.resources is not None:
            self._sampler = asyncio.create_task(self.resources.run())

    async def stop(self) -> None:
        if self._sampler is not None:
            self._sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sampler
        if self.path is not None:
            mark_process_dead(os.getpid(), self.path)


def build_metrics(engine: Engine) -> Metrics:
    return Metrics(engine)
