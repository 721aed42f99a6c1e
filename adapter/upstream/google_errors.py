"""Vertex AI's failures as :class:`~adapter.errors.UpstreamError`: google.rpc.Status bodies,
``Retry-After`` (header or ``RetryInfo``), and timeouts."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import orjson

from ..errors import UpstreamError


def timeout_error(read_timeout: float | None) -> UpstreamError:
    detail = f" within {read_timeout:g}s" if read_timeout else ""
    error = UpstreamError(f"Vertex AI did not answer{detail}.", upstream_status=0, code="upstream_timeout")
    error.status = 504
    return error


def error_from_response(status: int, content: bytes, headers: Any) -> UpstreamError:
    """An :class:`UpstreamError` from a Vertex error answer (google.rpc.Status JSON)."""
    retry_after = parse_retry_after(headers.get("Retry-After") if headers is not None else None)
    try:
        parsed = orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        parsed = None
    if isinstance(parsed, list) and parsed:
        parsed = parsed[0]
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
        return error_from_google(parsed["error"], retry_after, status=status)
    return UpstreamError(f"Vertex AI answered HTTP {status}.", upstream_status=status, retry_after=retry_after)


def error_from_google(error: dict[str, Any], retry_after: float | None, *, status: int | None = None) -> UpstreamError:
    """An :class:`UpstreamError` from a google.rpc.Status object (``{"code", "message", "status"}``)."""
    code = status if status is not None else error.get("code")
    upstream_status = code if isinstance(code, int) and 100 <= code < 600 else 500
    if retry_after is None:
        retry_after = _retry_info_delay(error.get("details"))
    message = error.get("message") if isinstance(error.get("message"), str) else ""
    canonical = error.get("status")
    upstream = UpstreamError(
        message or f"Vertex AI answered HTTP {upstream_status}.",
        upstream_status=upstream_status,
        retry_after=retry_after,
        code=canonical.lower() if isinstance(canonical, str) and canonical else None,
    )
    upstream.google_reason = _error_info_reason(error.get("details"))
    return upstream


def _error_info_reason(details: Any) -> str | None:
    """The ``reason`` of a ``google.rpc.ErrorInfo`` detail (``API_KEY_INVALID``...), if any."""
    for detail in details if isinstance(details, list) else ():
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("google.rpc.ErrorInfo"):
            reason = detail.get("reason")
            return reason if isinstance(reason, str) else None
    return None


def _retry_info_delay(details: Any) -> float | None:
    if not isinstance(details, list):
        return None
    for detail in details:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            delay = detail.get("retryDelay")
            if isinstance(delay, str) and delay.endswith("s"):
                try:
                    return float(delay[:-1])
                except ValueError:
                    return None
    return None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
