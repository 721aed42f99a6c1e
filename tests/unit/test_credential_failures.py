"""The error a client gets when every credential of a route rests: 429 only for rate limits,
else a 503 saying why each credential rests."""

from __future__ import annotations

import pytest

from adapter.errors import RateLimited
from adapter.upstream.credential_failures import all_resting, short_reason


@pytest.mark.parametrize(
    "resting,status,code,phrase",
    [
        ({"express#0": ("rate_limit", None), "express#1": ("rate_limit", None)}, 429, "rate_limit_exceeded", "after rate limits"),
        ({"sa#0": ("auth_failure", "invalid_grant: Invalid JWT Signature")}, 503, "upstream_auth_failed", "sa#0 refused by Google (invalid_grant: Invalid JWT Signature)"),
        ({"sa#0": ("token_error", None), "sa#1": ("rate_limit", None)}, 503, "upstream_token_error", "sa#0 token endpoint failing; sa#1 rate limited"),
        ({"sa#0": ("upstream_error", None)}, 503, "credentials_resting", "sa#0 upstream errors"),
    ],
)
def test_all_resting_says_why(resting: dict, status: int, code: str, phrase: str) -> None:
    error = all_resting(41.6, resting)
    assert (error.status, error.code) == (status, code)
    assert phrase in error.message
    assert error.headers["Retry-After"] == "42"
    assert isinstance(error, RateLimited) is (status == 429)


def test_short_reason_is_one_line_and_bounded() -> None:
    assert short_reason("invalid_grant:\n  Invalid JWT Signature.") == "invalid_grant: Invalid JWT Signature"
    assert len(short_reason("x" * 1000)) == 303
