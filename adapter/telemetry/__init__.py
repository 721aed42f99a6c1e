"""OpenTelemetry traces: configuration (``config``), span attributes (``attributes``, ``content``),
the hooks the request lifecycle calls (``hooks``), and the SDK, loaded only when on (``otel``)."""
