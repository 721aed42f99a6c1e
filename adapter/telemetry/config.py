"""The standard ``OTEL_*`` variables the gateway's tracing reads (parsed once, with the settings).

Tracing is off unless an OTLP endpoint is set (``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``, used as
is, or ``OTEL_EXPORTER_OTLP_ENDPOINT``, to which ``/v1/traces`` is appended), and off again with
``OTEL_SDK_DISABLED=true`` or ``OTEL_TRACES_EXPORTER=none``. Only OTLP over HTTP with protobuf is
spoken; another protocol or exporter stops start-up rather than being silently ignored. The
exporter's headers may hold a collector token: they are secrets (never logged or shown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping
from urllib.parse import unquote

SAMPLERS = (
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
)
DEFAULT_SERVICE_NAME = "vertex-openai-gateway"
_TRUE = {"1", "true", "yes", "on"}


class TelemetryConfigError(ValueError):
    """An ``OTEL_*`` variable the gateway cannot honour (the message names it, never its value)."""


@dataclass(frozen=True)
class TelemetryConfig:
    endpoint: str
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    timeout: float = 10.0
    compression: str = "none"
    service_name: str = DEFAULT_SERVICE_NAME
    resource_attributes: Mapping[str, str] = field(default_factory=dict)
    sampler: str = "parentbased_always_on"
    sampler_ratio: float = 1.0
    capture_content: bool = False
    schedule_delay_ms: float = 5000.0
    max_queue_size: int = 2048

    def secrets(self) -> tuple[str, ...]:
        return tuple(value for value in self.headers.values() if value)


def _named(env: Mapping[str, str], *names: str) -> tuple[str, str] | None:
    """The first of ``names`` that is set (and not blank), with its value."""
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return name, value
    return None


def _get(env: Mapping[str, str], *names: str) -> str | None:
    found = _named(env, *names)
    return None if found is None else found[1]


def _pairs(raw: str, name: str) -> dict[str, str]:
    """``key1=value1,key2=value2`` with URL-encoded values (W3C baggage style)."""
    pairs: dict[str, str] = {}
    for item in raw.split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise TelemetryConfigError(f"{name} must be a comma-separated list of key=value pairs")
        pairs[unquote(key.strip())] = unquote(value.strip())
    return pairs


def _number(env: Mapping[str, str], names: tuple[str, ...], default: float, check: Callable[[float], bool], what: str) -> float:
    found = _named(env, *names)
    if found is None:
        return default
    name, raw = found
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not check(value):
        raise TelemetryConfigError(f"{name} must be {what}")
    return value


def _endpoint(env: Mapping[str, str]) -> str | None:
    traces = _get(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    if traces is not None:
        return traces
    base = _get(env, "OTEL_EXPORTER_OTLP_ENDPOINT")
    return None if base is None else base.rstrip("/") + "/v1/traces"


def _check_choices(env: Mapping[str, str]) -> None:
    protocol = _get(env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")
    if protocol is not None and protocol != "http/protobuf":
        raise TelemetryConfigError("OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf (the only OTLP protocol the gateway speaks)")
    exporter = _get(env, "OTEL_TRACES_EXPORTER")
    if exporter is not None and exporter.lower() not in ("otlp", "none"):
        raise TelemetryConfigError("OTEL_TRACES_EXPORTER must be otlp or none")


def _sampler(env: Mapping[str, str]) -> tuple[str, float]:
    sampler = (_get(env, "OTEL_TRACES_SAMPLER") or "parentbased_always_on").lower()
    if sampler not in SAMPLERS:
        raise TelemetryConfigError("OTEL_TRACES_SAMPLER must be one of " + ", ".join(SAMPLERS))
    ratio = _number(env, ("OTEL_TRACES_SAMPLER_ARG",), 1.0, lambda v: 0.0 <= v <= 1.0, "a ratio between 0 and 1")
    return sampler, ratio


def parse_telemetry(env: Mapping[str, str]) -> TelemetryConfig | None:
    """The tracing configuration in ``env``, or None when tracing is off."""
    if (_get(env, "OTEL_SDK_DISABLED") or "").lower() in _TRUE or (_get(env, "OTEL_TRACES_EXPORTER") or "").lower() == "none":
        return None
    endpoint = _endpoint(env)
    if endpoint is None:
        return None
    _check_choices(env)
    if not endpoint.startswith(("http://", "https://")):
        raise TelemetryConfigError("OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL")
    compression = (_get(env, "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION") or "none").lower()
    if compression not in ("none", "gzip"):
        raise TelemetryConfigError("OTEL_EXPORTER_OTLP_COMPRESSION must be gzip or none")
    resource = _pairs(_get(env, "OTEL_RESOURCE_ATTRIBUTES") or "", "OTEL_RESOURCE_ATTRIBUTES")
    sampler, ratio = _sampler(env)
    return TelemetryConfig(
        endpoint=endpoint,
        headers=_pairs(_get(env, "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS") or "", "OTEL_EXPORTER_OTLP_HEADERS"),
        timeout=_number(env, ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"), 10.0, lambda v: v > 0, "a positive number of seconds"),
        compression=compression,
        service_name=_get(env, "OTEL_SERVICE_NAME") or resource.get("service.name") or DEFAULT_SERVICE_NAME,
        resource_attributes=resource,
        sampler=sampler,
        sampler_ratio=ratio,
        capture_content=(_get(env, "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT") or "").lower() in _TRUE,
        schedule_delay_ms=_number(env, ("OTEL_BSP_SCHEDULE_DELAY",), 5000.0, lambda v: v > 0, "a positive number of milliseconds"),
        max_queue_size=int(_number(env, ("OTEL_BSP_MAX_QUEUE_SIZE",), 2048, lambda v: v >= 1 and v.is_integer(), "a positive whole number")),
    )
