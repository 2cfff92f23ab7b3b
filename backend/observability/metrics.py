"""Prometheus metrics: requests by route template, their latency, and the database pool.

Each app has a registry of its own (tests build many apps in one process). Counters are per
process: with `serve --workers N` each scrape reaches one worker, which Prometheus tells apart
by its `instance`; run one worker per container to see them all.
"""

from collections.abc import Iterable, Iterator

import anyio.to_thread
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

# Seconds; most API calls answer in a few milliseconds, exports and path finding in more.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
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
            "Requests being served by this process now.",
            registry=registry,
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


class PoolCollector(Collector):
    """The database pool and the request threads, read when scraped (no per-request cost)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterable[Metric]:
        pool = self.engine.pool
        if isinstance(pool, QueuePool):
            conns = GaugeMetricFamily(
                "nexthop_db_pool_connections",
                "Connections open in this process's database pool, by state.",
                labels=["state"],
            )
            conns.add_metric(["checked_out"], pool.checkedout())
            conns.add_metric(["idle"], pool.checkedin())
            yield conns
            yield GaugeMetricFamily(
                "nexthop_db_pool_size",
                "Connections the pool keeps open (it may open more as overflow).",
                value=pool.size(),
            )
        yield from _thread_metrics()


def _thread_metrics() -> Iterator[Metric]:
    try:
        limiter = anyio.to_thread.current_default_thread_limiter()
    except RuntimeError:  # not scraped from the event loop
        return
    busy = GaugeMetricFamily(
        "nexthop_worker_threads", "Request threads of this process, by state.", labels=["state"]
    )
    busy.add_metric(["busy"], limiter.borrowed_tokens)
    busy.add_metric(["limit"], float(limiter.total_tokens))
    yield busy


def build_metrics(engine: Engine) -> tuple[CollectorRegistry, HttpMetrics]:
    # `_created` series double the output and no dashboard of ours reads them.
    disable_created_metrics()
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    registry.register(PoolCollector(engine))
    return registry, HttpMetrics(registry)
