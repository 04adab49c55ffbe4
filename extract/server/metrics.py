"""Prometheus metrics, one registry per app (so tests and several apps in a process never clash)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

CONTENT_TYPE = CONTENT_TYPE_LATEST
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


class _Documents(Collector):
    def __init__(self, counts: Callable[[], dict[str, int]]) -> None:
        self._counts = counts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("extract_job_documents", "Job documents on disk, by status", labels=["status"])
        counts = self._counts()
        for status in ("pending", "ok", "failed"):
            family.add_metric([status], counts.get(status, 0))
        yield family


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "extract_http_requests",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "extract_http_request_duration_seconds",
            "HTTP request latency",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.extractions = Counter(
            "extract_extractions",
            "Finished extractions by source (request or job) and outcome",
            ["source", "outcome"],
            registry=r,
        )
        self.cache_hits = Counter("extract_cache_hits", "Extractions answered entirely from the cache", registry=r)
        self.cache_misses = Counter(
            "extract_cache_misses", "Extractions that called the model (some call missed the cache)", registry=r
        )
        self.tokens = Counter("extract_model_tokens", "Tokens reported by the model endpoint", ["kind"], registry=r)
        self.errors = Counter("extract_errors", "Extraction errors by reason", ["reason"], registry=r)
        self.rejected = Counter("extract_rejected", "Requests turned away before any work, by reason", ["reason"], registry=r)
        self.extract_seconds = Histogram(
            "extract_extraction_duration_seconds",
            "Time on a worker per extraction",
            ["source"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.queue_seconds = Histogram(
            "extract_queue_wait_seconds", "Time waiting for a model worker", ["source"], buckets=LATENCY_BUCKETS, registry=r
        )

    def bind(self, admitted: Callable[[], int], running: Callable[[], int], documents: Callable[[], dict[str, int]]) -> None:
        Gauge("extract_requests_admitted", "Requests running or waiting for a model worker", registry=self.registry).set_function(
            admitted
        )
        Gauge("extract_model_calls_running", "Extractions on a model worker now", registry=self.registry).set_function(running)
        self.registry.register(_Documents(documents))

    def observe_result(self, source: str, usage: dict[str, Any], cached: bool, calls: int, queued: float, ran: float) -> None:
        self.extractions.labels(source, "ok").inc()
        if cached:
            self.cache_hits.inc()
        elif calls:  # a document with nothing to ask the model is neither
            self.cache_misses.inc()
        self.tokens.labels("prompt").inc(usage.get("prompt_tokens", 0))
        self.tokens.labels("completion").inc(usage.get("completion_tokens", 0))
        self.queue_seconds.labels(source).observe(queued)
        self.extract_seconds.labels(source).observe(ran)

    def observe_error(self, source: str, reason: str) -> None:
        self.extractions.labels(source, "error").inc()
        self.errors.labels(reason).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
