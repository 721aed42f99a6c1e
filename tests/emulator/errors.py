"""google.rpc.Status error bodies as Vertex AI sends them (wire facts 22, 23)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .fixtures import error_body

DOCS = "https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini"
FUNCTION_DOCS = "https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/function-calling"

STATUS_NAMES: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

# Statuses whose default body is a real example file.
FIXTURE_FOR_STATUS: dict[int, str] = {
    401: "401.access-token-expired",
    403: "403.iam-permission-denied",
    404: "404.publisher-model-not-found",
    429: "429.resource-exhausted",
    500: "500.internal",
    503: "503.unavailable",
}

DEFAULT_MESSAGES: dict[int, str] = {
    400: "Request contains an invalid argument.",
    409: "The operation was aborted.",
    499: "The operation was cancelled.",
    501: "Operation is not implemented, or supported, or enabled.",
    502: "The service is currently unavailable.",
    504: "The request timed out. Please try again.",
}


class RpcError(Exception):
    """An error answer: HTTP ``status`` with a google.rpc ``body``.

    ``auth`` marks errors raised by the authentication layer (sent as JSON even on SSE calls).
    """

    def __init__(self, status: int, body: Mapping[str, Any], *, auth: bool = False,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = dict(body)
        self.auth = auth
        self.headers = dict(headers or {})

    @property
    def message(self) -> str:
        error = self.body.get("error")
        return str(error.get("message", "")) if isinstance(error, Mapping) else str(error)


def status_body(status: int, message: str | None = None, details: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """A body for ``status``: the example file when one fits and no message is given."""
    if message is None and not details and status in FIXTURE_FOR_STATUS:
        return error_body(FIXTURE_FOR_STATUS[status])
    error: dict[str, Any] = {
        "code": status,
        "message": message if message is not None else DEFAULT_MESSAGES.get(status, "Internal error encountered."),
        "status": STATUS_NAMES.get(status, "UNKNOWN"),
    }
    if details:
        error["details"] = [dict(detail) for detail in details]
    return {"error": error}


def invalid_argument(message: str) -> RpcError:
    """A semantic 400 (no details), as Vertex sends for request rules."""
    return RpcError(400, status_body(400, message))


def bad_request(violations: Sequence[tuple[str | None, str]]) -> RpcError:
    """A parse-level 400: messages joined by newlines, one BadRequest fieldViolation each."""
    entries = []
    for field, description in violations:
        entry = {"field": field, "description": description} if field else {"description": description}
        entries.append(entry)
    detail = {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": entries}
    message = "\n".join(description for _, description in violations)
    return RpcError(400, status_body(400, message, [detail]))


def _error_info(reason: str, domain: str, metadata: Mapping[str, str]) -> dict[str, Any]:
    return {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": domain, "metadata": dict(metadata)}


def token_rejected(rpc_method: str) -> RpcError:
    """401 for an unknown, expired or revoked access token (examples/errors/401.access-token-expired.json)."""
    body = error_body("401.access-token-expired")
    body["error"]["details"][0]["metadata"]["method"] = rpc_method
    return RpcError(401, body, auth=True)


def credentials_missing(rpc_method: str) -> RpcError:
    message = (
        "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie "
        "or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
    )
    info = _error_info("CREDENTIALS_MISSING", "googleapis.com", {"service": "aiplatform.googleapis.com", "method": rpc_method})
    return RpcError(401, status_body(401, message, [info]), auth=True)


def api_key_not_supported(rpc_method: str) -> RpcError:
    body = error_body("401.api-key-not-supported")
    body["error"]["details"][0]["metadata"]["method"] = rpc_method
    return RpcError(401, body, auth=True)


def api_key_invalid() -> RpcError:
    message = "API key not valid. Please pass a valid API key."
    details = [
        _error_info("API_KEY_INVALID", "googleapis.com", {"service": "aiplatform.googleapis.com"}),
        {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": message},
    ]
    return RpcError(400, status_body(400, message, details), auth=True)


def api_key_disabled() -> RpcError:
    """403 for a revoked or disabled express key (the key itself is never echoed)."""
    return RpcError(403, error_body("403.service-disabled"), auth=True)


def permission_denied(resource: str, permission: str = "aiplatform.endpoints.predict") -> RpcError:
    message = f"Permission '{permission}' denied on resource '//aiplatform.googleapis.com/{resource}' (or it may not exist)."
    info = _error_info("IAM_PERMISSION_DENIED", "aiplatform.googleapis.com", {"resource": resource, "permission": permission})
    return RpcError(403, status_body(403, message, [info]), auth=True)


def model_not_found(resource: str) -> RpcError:
    message = (
        f"Publisher Model `{resource}` was not found or your project does not have access to it. Please ensure you "
        "are using a valid model version. For more information, see: "
        "https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions"
    )
    return RpcError(404, status_body(404, message))
