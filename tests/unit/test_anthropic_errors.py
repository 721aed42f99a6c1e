"""Our errors in Anthropic's shape: status, error type and a message naming the field."""

from __future__ import annotations

import pytest

from adapter.errors import (
    AdapterError,
    AuthenticationFailed,
    InvalidRequest,
    NotConfigured,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    UpstreamError,
)
from adapter.translate.anthropic.errors import error_body, error_status
from tests.support.anthropic_shapes import assert_error


@pytest.mark.parametrize(
    ("error", "status", "kind", "message"),
    [
        (InvalidRequest("Field required", param="messages.0.content"), 400, "invalid_request_error",
         "messages.0.content: Field required"),
        (InvalidRequest("tools.1.name: declared twice", param="tools.1.name"), 400, "invalid_request_error",
         "tools.1.name: declared twice"),
        (InvalidRequest("The request body is empty; send a JSON object."), 400, "invalid_request_error",
         "The request body is empty; send a JSON object."),
        (AuthenticationFailed("Invalid API key."), 401, "authentication_error", "Invalid API key."),
        (NotFound("No such route."), 404, "not_found_error", "No such route."),
        (PayloadTooLarge("Too big."), 413, "request_too_large", "Too big."),
        (RateLimited("Cooling down."), 429, "rate_limit_error", "Cooling down."),
        (UpstreamError("Quota exceeded.", upstream_status=429), 429, "rate_limit_error", "Quota exceeded."),
        (UpstreamError("Model overloaded.", upstream_status=503), 529, "overloaded_error", "Model overloaded."),
        (UpstreamError("Bad model.", upstream_status=400, param="model"), 400, "invalid_request_error", "model: Bad model."),
        (UpstreamError("Not found.", upstream_status=404), 404, "not_found_error", "Not found."),
        (UpstreamError("Token refused.", upstream_status=401), 502, "api_error", "Token refused."),
        (UpstreamError("IAM denied.", upstream_status=403), 502, "api_error", "IAM denied."),
        (UpstreamError("Internal.", upstream_status=500), 502, "api_error", "Internal."),
        (UpstreamError("No answer.", upstream_status=0), 502, "api_error", "No answer."),
        (UpstreamError("Too slow.", upstream_status=504), 504, "timeout_error", "Too slow."),
        (NotConfigured("No credentials."), 503, "api_error", "No credentials."),
        (AdapterError("Something broke."), 500, "api_error", "Something broke."),
    ],
)
def test_error_body_and_status(error: AdapterError, status: int, kind: str, message: str) -> None:
    body = error_body(error)
    assert error_status(error) == status
    assert body == {"type": "error", "error": {"type": kind, "message": message}}
    assert_error(body)


def test_the_request_id_rides_along_when_known() -> None:
    body = error_body(RateLimited("Slow down."), request_id="req_0123")
    assert body["request_id"] == "req_0123"
    assert_error(body)
