"""Metrics hooks, and the choice between Prometheus metrics and none.

Metrics are off unless ``METRICS_ENABLED=true``; then :mod:`adapter.prometheus` is imported and
``GET /metrics`` serves them (behind ``METRICS_TOKEN`` when set). When off, :class:`NullMetrics`
makes every hook a no-op and prometheus_client is never imported.
"""

from __future__ import annotations

from typing import Any, Callable, Collection, Protocol


class FinishedRequest(Protocol):
    """What a finished request tells the metrics (see ``RequestRecord``)."""

    endpoint: str
    base_model: str | None
    attempts: list[Any]
    usage: dict[str, Any] | None
    started: float

    @property
    def key_name(self) -> str | None: ...


class MetricsHooks(Protocol):
    enabled: bool

    def request_finished(self, record: FinishedRequest, status: int) -> None: ...

    def first_token(self, record: FinishedRequest) -> None: ...

    def stream_opened(self) -> None: ...

    def stream_closed(self) -> None: ...

    def render(self) -> tuple[bytes, str]: ...


class NullMetrics:
    """Metrics switched off."""

    enabled = False

    def request_finished(self, record: FinishedRequest, status: int) -> None:
        return None

    def first_token(self, record: FinishedRequest) -> None:
        return None

    def stream_opened(self) -> None:
        return None

    def stream_closed(self) -> None:
        return None

    def render(self) -> tuple[bytes, str]:
        raise RuntimeError("metrics are disabled")


NULL_METRICS = NullMetrics()


def build_metrics(
    enabled: bool, *, known_models: Callable[[], Collection[str]], cooling: Callable[[], int], state_degraded: Callable[[], bool] = lambda: False
) -> MetricsHooks:
    if not enabled:
        return NULL_METRICS
    from .prometheus import PrometheusMetrics

    return PrometheusMetrics(known_models=known_models, cooling=cooling, state_degraded=state_degraded)
