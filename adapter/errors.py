"""The gateway's exceptions, all rendered in OpenAI's error shape.

Every error a client can see is an :class:`AdapterError`. It carries the HTTP status and the
fields of OpenAI's error object (``message``, ``type``, ``param``, ``code``); ``to_body()``
renders ``{"error": {...}}``. Translation code raises these too: raising is not I/O.
"""

from __future__ import annotations

from typing import Any, Mapping


class AdapterError(Exception):
    """Base of every error the gateway returns to a client."""

    status: int = 500
    error_type: str = "api_error"
    default_code: str | None = None

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code if code is not None else self.default_code
        if status is not None:
            self.status = status
        self.headers: dict[str, str] = dict(headers or {})

    def to_body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.error_type,
                "param": self.param,
                "code": self.code,
            }
        }


def internal_error() -> AdapterError:
    """The generic 500 for an unexpected exception (whose text is logged, never sent)."""
    return AdapterError("The gateway hit an internal error. The request id in X-Request-ID identifies it in the logs.", code="internal_error")


class InvalidRequest(AdapterError):
    """The request cannot be served as sent (400)."""

    status = 400
    error_type = "invalid_request_error"


class AuthenticationFailed(AdapterError):
    status = 401
    error_type = "authentication_error"
    default_code = "invalid_api_key"


class PermissionDenied(AdapterError):
    """The client's key may not do this (403): another model, an admin endpoint."""

    status = 403
    error_type = "permission_error"
    default_code = "permission_denied"


class NotFound(AdapterError):
    status = 404
    error_type = "not_found_error"


class PayloadTooLarge(AdapterError):
    status = 413
    error_type = "invalid_request_error"
    default_code = "request_too_large"


class RateLimited(AdapterError):
    status = 429
    error_type = "rate_limit_error"
    default_code = "rate_limit_exceeded"


class NotConfigured(AdapterError):
    """The route needs credentials that the operator did not configure (503)."""

    status = 503
    error_type = "api_error"
    default_code = "credentials_not_configured"


class UpstreamError(AdapterError):
    """An error answered by Vertex AI (or a failure to reach it), with its meaning kept.

    ``upstream_status`` is what Google sent (0 for a connection error or timeout);
    ``status`` is what the client gets. ``google_reason`` is the ``ErrorInfo`` reason of Google's
    answer (``API_KEY_INVALID``...); ``credential_failure`` marks a failure of the gateway's own
    credential (``auth_failure``, ``token_error``: see :mod:`adapter.upstream.credential_failures`)
    and ``failure_detail`` holds Google's words for it.
    """

    google_reason: str | None = None
    credential_failure: str | None = None
    failure_detail: str | None = None

    def __init__(
        self,
        message: str,
        *,
        upstream_status: int,
        retry_after: float | None = None,
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        status, error_type = upstream_status_to_client(upstream_status)
        headers = {"Retry-After": str(max(1, round(retry_after)))} if retry_after else None
        super().__init__(message, param=param, code=code, status=status, headers=headers)
        self.error_type = error_type
        self.upstream_status = upstream_status
        self.retry_after = retry_after


_STATUS_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    409: "invalid_request_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}


def upstream_status_to_client(upstream_status: int) -> tuple[int, str]:
    """Map an upstream HTTP status to the (status, OpenAI error type) the client gets.

    4xx keep their status; 503 and 504 keep theirs, 500 and other 5xx become 502 (bad
    gateway), and so does 0 (no answer: connection refused; a timeout's 504 is set by the
    caller through ``status``).
    """
    if upstream_status in _STATUS_TYPES:
        return upstream_status, _STATUS_TYPES[upstream_status]
    if 400 <= upstream_status < 500:
        return upstream_status, "invalid_request_error"
    if upstream_status in (500, 503, 504):
        return (502 if upstream_status == 500 else upstream_status), "api_error"
    return 502, "api_error"
