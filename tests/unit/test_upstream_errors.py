"""google.rpc error bodies become OpenAI errors that keep their meaning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapter.upstream.google_errors import error_from_response, parse_retry_after
from adapter.upstream.vertex import vertex_host

ERRORS = Path(__file__).resolve().parents[1] / "fixtures" / "vertex" / "examples" / "errors"
COMPAT = Path(__file__).resolve().parents[1] / "fixtures" / "vertex" / "examples" / "openai-compat"


@pytest.mark.parametrize(
    "fixture,status,error_type",
    [
        ("400.unknown-name.top-level.json", 400, "invalid_request_error"),
        ("400.thought-signature-missing.json", 400, "invalid_request_error"),
        ("401.access-token-expired.json", 401, "authentication_error"),
        ("403.iam-permission-denied.json", 403, "permission_error"),
        ("404.publisher-model-not-found.json", 404, "not_found_error"),
        ("429.resource-exhausted.json", 429, "rate_limit_error"),
        ("500.internal.json", 502, "api_error"),
        ("503.unavailable.json", 503, "api_error"),
    ],
)
def test_fixture_errors_keep_status_and_google_message(fixture: str, status: int, error_type: str) -> None:
    raw = (ERRORS / fixture).read_bytes()
    google = json.loads(raw)["error"]
    error = error_from_response(google["code"], raw, {})
    body = error.to_body()["error"]
    assert error.status == status
    assert body["type"] == error_type
    assert body["message"] == google["message"]
    assert body["code"] == google["status"].lower()
    assert body["param"] is None


def test_array_wrapped_errors_of_the_openai_endpoint() -> None:
    raw = (COMPAT / "error.403.permission-denied.json").read_bytes()
    error = error_from_response(403, raw, {})
    assert error.status == 403
    assert error.message == json.loads(raw)[0]["error"]["message"]


def test_retry_after_from_header_and_retry_info() -> None:
    raw = json.dumps({"error": {"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED", "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "12s"}]}}).encode()
    assert error_from_response(429, raw, {}).retry_after == 12.0
    error = error_from_response(429, raw, {"Retry-After": "3"})
    assert error.retry_after == 3.0
    assert error.headers["Retry-After"] == "3"


def test_non_json_error_body() -> None:
    error = error_from_response(502, b"<html>bad gateway</html>", {})
    assert error.status == 502 and "502" in error.message


@pytest.mark.parametrize("value,expected", [("5", 5.0), ("0", 0.0), ("junk", None), (None, None)])
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_hosts_follow_the_location() -> None:
    assert vertex_host("global") == "https://aiplatform.googleapis.com"
    assert vertex_host("europe-west4") == "https://europe-west4-aiplatform.googleapis.com"
