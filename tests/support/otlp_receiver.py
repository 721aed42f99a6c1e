"""A real OTLP/HTTP trace receiver on loopback, decoding what it gets with ``opentelemetry-proto``.

``POST /v1/traces`` takes an ``ExportTraceServiceRequest`` (protobuf, gzip or not) and answers
an ``ExportTraceServiceResponse``, as a collector does. Every span is kept as a
:class:`ReceivedSpan` (ids in hex, attribute values as Python values) with its resource's
attributes; :meth:`OtlpReceiver.wait_for` waits until the exporter has sent what a test expects.
"""

from __future__ import annotations

import gzip
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest, ExportTraceServiceResponse
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

logger = logging.getLogger(__name__)

KINDS = {Span.SPAN_KIND_SERVER: "server", Span.SPAN_KIND_CLIENT: "client", Span.SPAN_KIND_INTERNAL: "internal"}
STATUSES = {Status.STATUS_CODE_UNSET: "unset", Status.STATUS_CODE_OK: "ok", Status.STATUS_CODE_ERROR: "error"}


class _QuietHandler(WSGIRequestHandler):
    """No access log; server errors go to this module's logger."""

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 - werkzeug's signature
        if type == "error":
            logger.error(message, *args)


def any_value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [any_value(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return attributes(value.kvlist_value.values)
    return None if kind is None else getattr(value, kind)


def attributes(pairs: Any) -> dict[str, Any]:
    return {pair.key: any_value(pair.value) for pair in pairs if isinstance(pair, KeyValue)}


@dataclass
class ReceivedSpan:
    name: str
    kind: str
    trace_id: str
    span_id: str
    parent_span_id: str
    attributes: dict[str, Any]
    events: list[tuple[str, dict[str, Any]]]
    status: str
    start_ns: int
    end_ns: int
    resource: dict[str, Any] = field(default_factory=dict)

    def event(self, name: str) -> dict[str, Any] | None:
        return next((attrs for event_name, attrs in self.events if event_name == name), None)


def _spans(request: ExportTraceServiceRequest) -> list[ReceivedSpan]:
    received = []
    for resource_spans in request.resource_spans:
        resource = attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                received.append(ReceivedSpan(
                    name=span.name,
                    kind=KINDS.get(span.kind, str(span.kind)),
                    trace_id=span.trace_id.hex(),
                    span_id=span.span_id.hex(),
                    parent_span_id=span.parent_span_id.hex(),
                    attributes=attributes(span.attributes),
                    events=[(event.name, attributes(event.attributes)) for event in span.events],
                    status=STATUSES.get(span.status.code, str(span.status.code)),
                    start_ns=span.start_time_unix_nano,
                    end_ns=span.end_time_unix_nano,
                    resource=resource,
                ))
    return received


class OtlpReceiver:
    """Start with :meth:`start`; ``endpoint`` is the base URL for ``OTEL_EXPORTER_OTLP_ENDPOINT``."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.headers: list[dict[str, str]] = []
        self.raw_bodies: list[bytes] = []
        self._lock = threading.Lock()
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> "OtlpReceiver":
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        if request.method != "POST" or request.path != "/v1/traces":
            return Response(status=404)(environ, start_response)
        body = request.get_data()
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        decoded = ExportTraceServiceRequest()
        decoded.ParseFromString(body)
        with self._lock:
            self.headers.append(dict(request.headers))
            self.raw_bodies.append(body)
            self.spans.extend(_spans(decoded))
        answer = ExportTraceServiceResponse().SerializeToString()
        return Response(answer, content_type="application/x-protobuf")(environ, start_response)

    def wait_for(self, predicate: Callable[[list[ReceivedSpan]], bool], timeout: float = 15.0) -> list[ReceivedSpan]:
        """The spans received, once ``predicate(spans)`` holds; AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                spans = list(self.spans)
            if predicate(spans):
                return spans
            if time.monotonic() > deadline:
                raise AssertionError(f"the receiver did not get the expected spans; it got {[s.name for s in spans]}")
            time.sleep(0.02)
