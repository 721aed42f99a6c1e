"""Our :class:`~adapter.errors.AdapterError` → Anthropic's error body and status (pure).

Anthropic's shape is ``{"type": "error", "error": {"type": ..., "message": ...}}`` (plus
``request_id`` when known); a stream that fails after its first byte sends the same object as
an ``error`` event. Statuses keep their meaning, with three Anthropic-specific choices:

- a Vertex 503 (the model is overloaded) becomes 529 ``overloaded_error``, which Anthropic
  clients know to retry;
- a Vertex 401/403 (the gateway's own Google credentials refused) becomes 502 ``api_error``,
  so that it never looks like the client's key being wrong;
- 504 (Vertex did not answer in time) is ``timeout_error``.

The message names the field at fault (``messages.2.content.0.source: ...``) when the error has a
``param`` its message does not already start with.
"""

from __future__ import annotations

from typing import Any

from adapter.errors import AdapterError, UpstreamError

OVERLOADED_STATUS = 529
ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    OVERLOADED_STATUS: "overloaded_error",
}
_CREDENTIAL_REFUSED = frozenset({401, 403})


def error_status(error: AdapterError) -> int:
    """The HTTP status an Anthropic client gets for ``error``."""
    if isinstance(error, UpstreamError):
        if error.upstream_status == 503:
            return OVERLOADED_STATUS
        if error.upstream_status in _CREDENTIAL_REFUSED:
            return 502
    return error.status


def error_object(error: AdapterError) -> dict[str, str]:
    """The inner ``error`` object: Anthropic's error type for the status, and the message."""
    status = error_status(error)
    kind = ERROR_TYPES.get(status) or ("invalid_request_error" if 400 <= status < 500 else "api_error")
    message = error.message
    if error.param and not message.startswith(error.param):
        message = f"{error.param}: {message}"
    return {"type": kind, "message": message}


def error_body(error: AdapterError, *, request_id: str | None = None) -> dict[str, Any]:
    """The whole error body (also the data of a stream's ``error`` event)."""
    body: dict[str, Any] = {"type": "error", "error": error_object(error)}
    if request_id:
        body["request_id"] = request_id
    return body
