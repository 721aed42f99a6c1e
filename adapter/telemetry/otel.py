"""Tracing on: the OpenTelemetry SDK, an OTLP/HTTP (protobuf) exporter, W3C trace context.

Imported only when an OTLP endpoint is configured, so that a gateway without tracing never
loads the SDK. The provider is the app's own (not the process-global one): each app built in a
process exports to its own endpoint, and nothing else in the process is traced by accident.
Spans are batched and sent by the SDK's batch processor, whose thread starts here, in the
process that builds the app: under gunicorn that is each worker, after the fork and after
gevent's patching (``gunicorn.conf.py`` does not preload the app), so the thread is a greenlet
and its HTTP calls are cooperative.
"""

from __future__ import annotations

import os
import time
from typing import Mapping

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider, sampling
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from .attributes import FIRST_TOKEN_EVENT, TTFT_ATTRIBUTE, Attributes
from .config import TelemetryConfig

_PROPAGATOR = TraceContextTextMapPropagator()
_COMPRESSION = {"gzip": Compression.Gzip, "none": Compression.NoCompression}


def _sampler(config: TelemetryConfig) -> sampling.Sampler:
    ratio = sampling.TraceIdRatioBased(config.sampler_ratio)
    table: dict[str, sampling.Sampler] = {
        "always_on": sampling.ALWAYS_ON,
        "always_off": sampling.ALWAYS_OFF,
        "traceidratio": ratio,
        "parentbased_always_on": sampling.ParentBased(sampling.ALWAYS_ON),
        "parentbased_always_off": sampling.ParentBased(sampling.ALWAYS_OFF),
        "parentbased_traceidratio": sampling.ParentBased(ratio),
    }
    return table[config.sampler]


def build_provider(config: TelemetryConfig, version: str) -> TracerProvider:
    """A provider exporting to ``config.endpoint`` in batches; its thread starts now."""
    resource = Resource.create({
        **config.resource_attributes,
        "service.name": config.service_name,
        "service.version": version,
        "process.pid": os.getpid(),
    })
    provider = TracerProvider(sampler=_sampler(config), resource=resource, shutdown_on_exit=True)
    exporter = OTLPSpanExporter(
        endpoint=config.endpoint,
        headers=dict(config.headers),
        timeout=config.timeout,
        compression=_COMPRESSION[config.compression],
    )
    provider.add_span_processor(
        BatchSpanProcessor(exporter, schedule_delay_millis=config.schedule_delay_ms, max_queue_size=config.max_queue_size)
    )
    return provider


class OtelTracing:
    """Tracing switched on: server and client spans through the app's own provider."""

    enabled = True

    def __init__(self, config: TelemetryConfig, version: str) -> None:
        self.capture_content = config.capture_content
        self.provider = build_provider(config, version)
        self.tracer = self.provider.get_tracer("adapter", version)

    def start_server_span(self, name: str, headers: Mapping[str, str], attributes: Attributes) -> Span:
        """A server span continuing the client's W3C ``traceparent`` when it sent one."""
        parent = _PROPAGATOR.extract(carrier=headers)
        return self.tracer.start_span(name, context=parent, kind=SpanKind.SERVER, attributes=attributes)

    def start_client_span(self, parent: Span | None, name: str, attributes: Attributes) -> Span:
        context = trace.set_span_in_context(parent) if parent is not None else None
        return self.tracer.start_span(name, context=context, kind=SpanKind.CLIENT, attributes=attributes)

    def end_span(self, span: Span, attributes: Attributes, *, failed: bool) -> None:
        span.set_attributes(attributes)
        if failed:
            span.set_status(Status(StatusCode.ERROR))
        span.end()

    def first_token(self, span: Span, started: float) -> None:
        """The time-to-first-token event, ``started`` being the request's ``perf_counter``."""
        span.add_event(FIRST_TOKEN_EVENT, {TTFT_ATTRIBUTE: round(time.perf_counter() - started, 6)})

    def shutdown(self) -> None:
        self.provider.shutdown()
