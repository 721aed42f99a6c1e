"""The OTEL_* variables: tracing off without an endpoint, and each standard variable honoured."""

from __future__ import annotations

from typing import Any

import pytest

from adapter.telemetry.config import DEFAULT_SERVICE_NAME, TelemetryConfigError, parse_telemetry

ENDPOINT = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}

OFF = [
    ("nothing set", {}),
    ("only a service name", {"OTEL_SERVICE_NAME": "gw", "OTEL_TRACES_SAMPLER": "always_on"}),
    ("blank endpoint", {"OTEL_EXPORTER_OTLP_ENDPOINT": "  "}),
    ("SDK disabled", {**ENDPOINT, "OTEL_SDK_DISABLED": "true"}),
    ("exporter none", {**ENDPOINT, "OTEL_TRACES_EXPORTER": "none"}),
]


@pytest.mark.parametrize("env", [row[1] for row in OFF], ids=[row[0] for row in OFF])
def test_tracing_is_off(env: dict[str, str]) -> None:
    assert parse_telemetry(env) is None


ON = [
    ("base endpoint gets the traces path", ENDPOINT, {"endpoint": "http://collector:4318/v1/traces", "service_name": DEFAULT_SERVICE_NAME,
                                                      "sampler": "parentbased_always_on", "capture_content": False}),
    ("trailing slash", {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"}, {"endpoint": "http://collector:4318/v1/traces"}),
    ("traces endpoint as is", {**ENDPOINT, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://x.example/otlp/traces"},
     {"endpoint": "https://x.example/otlp/traces"}),
    ("headers, URL-decoded", {**ENDPOINT, "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20abc, x-team = gw"},
     {"headers": {"authorization": "Bearer abc", "x-team": "gw"}}),
    ("trace headers win", {**ENDPOINT, "OTEL_EXPORTER_OTLP_HEADERS": "a=1", "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "b=2"},
     {"headers": {"b": "2"}}),
    ("service and resource", {**ENDPOINT, "OTEL_SERVICE_NAME": "gw", "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=prod,service.name=x"},
     {"service_name": "gw", "resource_attributes": {"deployment.environment": "prod", "service.name": "x"}}),
    ("service name from the resource", {**ENDPOINT, "OTEL_RESOURCE_ATTRIBUTES": "service.name=from-resource"}, {"service_name": "from-resource"}),
    ("ratio sampler", {**ENDPOINT, "OTEL_TRACES_SAMPLER": "ParentBased_TraceIdRatio", "OTEL_TRACES_SAMPLER_ARG": "0.25"},
     {"sampler": "parentbased_traceidratio", "sampler_ratio": 0.25}),
    ("content capture", {**ENDPOINT, "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "True"}, {"capture_content": True}),
    ("timeout, compression, batching", {**ENDPOINT, "OTEL_EXPORTER_OTLP_TIMEOUT": "2.5", "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
                                        "OTEL_BSP_SCHEDULE_DELAY": "50", "OTEL_BSP_MAX_QUEUE_SIZE": "100"},
     {"timeout": 2.5, "compression": "gzip", "schedule_delay_ms": 50.0, "max_queue_size": 100}),
    ("the protocol we speak", {**ENDPOINT, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_TRACES_EXPORTER": "otlp"}, {}),
]


@pytest.mark.parametrize(("env", "expected"), [row[1:] for row in ON], ids=[row[0] for row in ON])
def test_tracing_is_on(env: dict[str, str], expected: dict[str, Any]) -> None:
    config = parse_telemetry(env)
    assert config is not None
    assert {key: getattr(config, key) for key in expected} == expected


REFUSED = [
    ("grpc", {**ENDPOINT, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "OTEL_EXPORTER_OTLP_PROTOCOL"),
    ("another exporter", {**ENDPOINT, "OTEL_TRACES_EXPORTER": "zipkin"}, "OTEL_TRACES_EXPORTER"),
    ("not a URL", {"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT"),
    ("unknown sampler", {**ENDPOINT, "OTEL_TRACES_SAMPLER": "jaeger_remote"}, "OTEL_TRACES_SAMPLER"),
    ("ratio out of range", {**ENDPOINT, "OTEL_TRACES_SAMPLER_ARG": "2"}, "OTEL_TRACES_SAMPLER_ARG"),
    ("bad timeout", {**ENDPOINT, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "soon"}, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"),
    ("bad compression", {**ENDPOINT, "OTEL_EXPORTER_OTLP_COMPRESSION": "zstd"}, "OTEL_EXPORTER_OTLP_COMPRESSION"),
    ("bad headers", {**ENDPOINT, "OTEL_EXPORTER_OTLP_HEADERS": "token-without-equals"}, "OTEL_EXPORTER_OTLP_HEADERS"),
]


@pytest.mark.parametrize(("env", "name"), [row[1:] for row in REFUSED], ids=[row[0] for row in REFUSED])
def test_a_variable_the_gateway_cannot_honour_stops_start_up_naming_it(env: dict[str, str], name: str) -> None:
    with pytest.raises(TelemetryConfigError) as caught:
        parse_telemetry(env)
    assert str(caught.value).startswith(name)


def test_header_values_are_secrets_and_not_in_the_repr() -> None:
    config = parse_telemetry({**ENDPOINT, "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20collector-token"})
    assert config is not None
    assert config.secrets() == ("Bearer collector-token",)
    assert "collector-token" not in repr(config)
