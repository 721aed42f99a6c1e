"""Tracing hooks called by the request lifecycle, and the choice between OpenTelemetry and none.

Tracing is off unless an OTLP endpoint is configured (see :mod:`adapter.telemetry.config`);
then :data:`NULL_TRACING` makes every hook a no-op and the OpenTelemetry SDK is never imported.
On, :class:`SpanHooks` opens a server span when a request to an API route begins (any route in
:data:`~adapter.telemetry.attributes.OPERATIONS`, whatever front door serves it) and closes it
with the request's outcome when its summary line is written; streams get a first-token event.

Upstream attempts are traced where the failover loop makes them (``upstream/dispatch.py``),
which knows nothing of requests: the request being traced is found through a context variable
(:func:`active_request`, set by :meth:`SpanHooks.request_started`), which threads started with
a copy of the request's context (embedding batches, stream pumps) see as well.
"""

from __future__ import annotations

import itertools
from contextvars import ContextVar
from typing import Any, Mapping, Protocol
from urllib.parse import urlsplit

from .attributes import (
    answer_facts,
    attempt_attributes,
    attempt_error_type,
    content_attribute,
    finish_reasons_of,
    operation_of,
    outcome_attributes,
    server_attributes,
    usage_attributes,
)
from .config import TelemetryConfig
from .content import input_messages, output_messages


class TracedRequest(Protocol):
    """What a request tells its spans (see ``RequestRecord``)."""

    method: str
    endpoint: str
    started: float
    stream: bool
    model: str | None
    base_model: str | None
    usage: dict[str, Any] | None
    attempts: list[Any]
    error_code: str | None
    response_model: str | None
    finish_reasons: tuple[str, ...]
    span: Any
    upstream_span: Any

    @property
    def key_name(self) -> str | None: ...


class TracingHooks(Protocol):
    enabled: bool
    capture_content: bool

    def request_started(self, record: TracedRequest, headers: Mapping[str, str], body: bytes | None) -> None: ...

    def first_token(self, record: TracedRequest) -> None: ...

    def request_finished(self, record: TracedRequest, status: int, answer: bytes | None) -> None: ...

    def shutdown(self) -> None: ...


class NullTracing:
    """Tracing switched off: every hook returns at once."""

    enabled = False
    capture_content = False

    def request_started(self, record: TracedRequest, headers: Mapping[str, str], body: bytes | None) -> None:
        return None

    def first_token(self, record: TracedRequest) -> None:
        return None

    def request_finished(self, record: TracedRequest, status: int, answer: bytes | None) -> None:
        return None

    def shutdown(self) -> None:
        return None


NULL_TRACING = NullTracing()


class ActiveRequest:
    """A traced request as the failover loop sees it: one client span per attempt."""

    __slots__ = ("hooks", "record", "operation", "_numbers")

    def __init__(self, hooks: "SpanHooks", record: TracedRequest, operation: str) -> None:
        self.hooks, self.record, self.operation = hooks, record, operation
        self._numbers = itertools.count(1)

    def attempt_started(self, kind: str, credential: str) -> Any:
        host, port = self.hooks.servers.get(kind, ("", None))
        model = self.record.base_model or ""
        attributes = attempt_attributes(operation=self.operation, model=model, server_address=host, server_port=port,
                                        credential=credential, attempt=next(self._numbers))
        return self.hooks.tracer.start_client_span(self.record.span, f"{self.operation} {model}".strip(), attributes)

    def attempt_finished(self, span: Any, status: int, answer: Any = None) -> None:
        """End an attempt's span, or keep a stream's open until the request ends."""
        record = self.record
        model, reasons, usage = answer_facts(answer)
        record.response_model = model or record.response_model
        record.finish_reasons = reasons or record.finish_reasons
        if status == 200 and record.stream:
            record.upstream_span = span
            return
        attributes: dict[str, Any] = {"http.response.status_code": status} if status else {}
        attributes.update(usage_attributes(usage))
        if status != 200:
            attributes["error.type"] = attempt_error_type(status)
        elif model:
            attributes["gen_ai.response.model"] = model
        self.hooks.tracer.end_span(span, attributes, failed=status != 200)

    def note_event(self, event: Mapping[str, Any]) -> None:
        """Keep what a stream event says of the answer: its model (once), its finish reasons
        (the last events). Called for every event, so it only looks where those are."""
        record = self.record
        if record.response_model is None:
            model = event.get("modelVersion")
            record.response_model = model if isinstance(model, str) else None
        candidates = event.get("candidates")
        if candidates and isinstance(candidates, list) and any(isinstance(c, dict) and "finishReason" in c for c in candidates):
            record.finish_reasons = finish_reasons_of(candidates)


_ACTIVE: ContextVar[ActiveRequest | None] = ContextVar("traced_request", default=None)


def active_request() -> ActiveRequest | None:
    """The request being traced in this context, if tracing is on and it is an API request."""
    return _ACTIVE.get()


def _server(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port


class SpanHooks:
    """Tracing switched on (``tracer`` is an :class:`~adapter.telemetry.otel.OtelTracing`);
    ``hosts`` maps a credential kind to the Vertex base URL its calls go to."""

    enabled = True

    def __init__(self, tracer: Any, hosts: Mapping[str, str]) -> None:
        self.tracer = tracer
        self.capture_content: bool = tracer.capture_content
        self.servers = {kind: _server(url) for kind, url in hosts.items()}

    def request_started(self, record: TracedRequest, headers: Mapping[str, str], body: bytes | None) -> None:
        operation = operation_of(record.endpoint)
        if operation is None:
            _ACTIVE.set(None)
            return
        attributes = server_attributes(record.method, record.endpoint, operation)
        if body is not None:
            attributes.update(content_attribute("gen_ai.input.messages", input_messages(body)))
        record.span = self.tracer.start_server_span(f"{record.method} {record.endpoint}", headers, attributes)
        _ACTIVE.set(ActiveRequest(self, record, operation))

    def first_token(self, record: TracedRequest) -> None:
        if record.span is not None:
            self.tracer.first_token(record.span, record.started)

    def request_finished(self, record: TracedRequest, status: int, answer: bytes | None) -> None:
        if record.upstream_span is not None:
            self._end_stream_attempt(record)
        if record.span is None:
            return
        attributes = _outcome(record, status)
        if answer is not None:
            attributes.update(content_attribute("gen_ai.output.messages", output_messages(answer)))
        self.tracer.end_span(record.span, attributes, failed=status >= 500)
        record.span = None

    def _end_stream_attempt(self, record: TracedRequest) -> None:
        attributes: dict[str, Any] = {"http.response.status_code": 200, **usage_attributes(record.usage)}
        if record.response_model:
            attributes["gen_ai.response.model"] = record.response_model
        if record.finish_reasons:
            attributes["gen_ai.response.finish_reasons"] = list(record.finish_reasons)
        self.tracer.end_span(record.upstream_span, attributes, failed=False)
        record.upstream_span = None

    def shutdown(self) -> None:
        self.tracer.shutdown()


def _outcome(record: TracedRequest, status: int) -> dict[str, Any]:
    return outcome_attributes(
        status=status,
        requested_model=record.model,
        response_model=record.response_model,
        usage=record.usage,
        finish_reasons=record.finish_reasons,
        attempts=len(record.attempts),
        error_type=record.error_code or (str(status) if status >= 400 else None),
        client_key=record.key_name,
    )


def build_tracing(config: TelemetryConfig | None, version: str, hosts: Mapping[str, str]) -> TracingHooks:
    """No-op hooks without a configuration; else the SDK, imported and started now."""
    if config is None:
        return NULL_TRACING
    from .otel import OtelTracing

    return SpanHooks(OtelTracing(config, version), hosts)
