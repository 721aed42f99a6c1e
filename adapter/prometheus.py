"""Prometheus metrics for ``GET /metrics`` (imported only when ``METRICS_ENABLED=true``).

With several gunicorn workers each process counts on its own; prometheus_client's multiprocess
mode (``PROMETHEUS_MULTIPROC_DIR``, which ``gunicorn.conf.py`` sets up) adds them up at scrape
time, so a scrape answered by any worker shows the whole service. Without that directory (one
process, the tests) the metrics live in a registry of the app's own.

Label values are bounded: a model outside the catalog counts as ``other`` and an unknown path as
``unmatched``, so clients cannot grow the label sets at will.
"""

from __future__ import annotations

import os
import time
from typing import Callable, Collection

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

from .metrics import FinishedRequest

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
OTHER_MODEL = "other"
NO_KEY = "none"
TOKEN_KINDS = ("prompt", "completion", "reasoning")


class PrometheusMetrics:
    enabled = True

    def __init__(
        self, *, known_models: Callable[[], Collection[str]], cooling: Callable[[], int], state_degraded: Callable[[], bool] = lambda: False
    ) -> None:
        self._known_models = known_models
        self._cooling = cooling
        self._state_degraded = state_degraded
        registry = None if os.environ.get(MULTIPROC_ENV) else CollectorRegistry()
        self._registry = registry
        self.requests = Counter("gateway_requests", "Requests answered, by endpoint, model, HTTP status and client key name.", ["endpoint", "model", "status", "key"], registry=registry)
        self.latency = Histogram("gateway_request_duration_seconds", "Time to answer a request (a whole stream for streams).", ["endpoint"], buckets=LATENCY_BUCKETS, registry=registry)
        self.ttft = Histogram("gateway_time_to_first_token_seconds", "Time until a stream's first chunk goes out.", ["model"], buckets=LATENCY_BUCKETS, registry=registry)
        self.attempts = Counter("gateway_upstream_attempts", "Calls to Vertex AI, by credential (kind#index) and upstream status (0: no answer).", ["credential", "status"], registry=registry)
        self.failures = Counter("gateway_upstream_failures", "Failed calls to Vertex AI, by credential and upstream status.", ["credential", "status"], registry=registry)
        self.tokens = Counter("gateway_tokens", "Tokens Vertex AI reported, by model, kind (prompt, completion, reasoning) and client key name.", ["model", "kind", "key"], registry=registry)
        self.active_streams = Gauge("gateway_active_streams", "Streams being relayed now.", registry=registry, multiprocess_mode="livesum")
        self.cooling = Gauge("gateway_credentials_cooling_down", "Credentials resting after a 429, 401 or 403.", registry=registry, multiprocess_mode="livemax")
        self.state_fallback = Gauge(
            "gateway_state_fallback",
            "1 while a worker keeps cooldowns, round-robin or client key counts in its own memory because the shared state is unreachable.",
            registry=registry,
            multiprocess_mode="livemax",
        )

    def render(self) -> tuple[bytes, str]:
        """The exposition text (all workers' when in multiprocess mode) and its content type."""
        self.cooling.set(self._cooling())
        self.state_fallback.set(1 if self._state_degraded() else 0)
        registry = self._registry
        if registry is None:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST

    def _model(self, name: str | None) -> str:
        return name if name and name in self._known_models() else OTHER_MODEL

    def request_finished(self, record: FinishedRequest, status: int) -> None:
        model, key = self._model(record.base_model), record.key_name or NO_KEY
        self.requests.labels(record.endpoint, model, str(status), key).inc()
        self.latency.labels(record.endpoint).observe(time.perf_counter() - record.started)
        for attempt in record.attempts:
            labels = (attempt.credential, str(attempt.status))
            self.attempts.labels(*labels).inc()
            if attempt.status != 200:
                self.failures.labels(*labels).inc()
        usage = record.usage or {}
        details = usage.get("completion_tokens_details") or {}
        counts = (usage.get("prompt_tokens"), usage.get("completion_tokens"), details.get("reasoning_tokens"))
        for kind, value in zip(TOKEN_KINDS, counts):
            if value:
                self.tokens.labels(model, kind, key).inc(value)
        if record.attempts:
            self.cooling.set(self._cooling())
            self.state_fallback.set(1 if self._state_degraded() else 0)

    def first_token(self, record: FinishedRequest) -> None:
        self.ttft.labels(self._model(record.base_model)).observe(time.perf_counter() - record.started)

    def stream_opened(self) -> None:
        self.active_streams.inc()

    def stream_closed(self) -> None:
        self.active_streams.dec()
