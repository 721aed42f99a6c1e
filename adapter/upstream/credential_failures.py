"""Failures of the gateway's own credentials, told apart from the client's mistakes.

Google refusing an Express key (400 ``API_KEY_INVALID``, 401, 403) or a service account (its
token grant refused: ``invalid_grant``...; Vertex answering 401/403) is an ``auth_failure``; the
token endpoint failing (a 5xx, a timeout, no answer) is a ``token_error``. Either way the client
gets a 502 (``upstream_auth_failed``) or 503 (``upstream_token_error``) of type ``api_error``
naming the credential's label and Google's reason, never a 401 that an SDK would raise as
``AuthenticationError`` (which reads as "your API key is wrong"), and never the key itself. The
call fails over to the next credential, Express keys to service accounts included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from ..errors import AdapterError, RateLimited, UpstreamError
from ..state import CooldownReason

if TYPE_CHECKING:
    from .credentials import Credential

AUTH_FAILURE: CooldownReason = "auth_failure"
TOKEN_ERROR: CooldownReason = "token_error"
REFUSED_STATUSES = (401, 403)
INVALID_KEY_REASON = "API_KEY_INVALID"
REASON_LIMIT = 300
WHY_RESTING: dict[str, str] = {
    "rate_limit": "rate limited",
    "auth_failure": "refused by Google",
    "token_error": "token endpoint failing",
    "upstream_error": "upstream errors",
}


class TokenFailure(Exception):
    """A service account's token grant failed: refused (``transient`` False) or the token
    endpoint did not answer properly (``transient`` True). ``reason`` is Google's, never a token."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


def short_reason(text: str) -> str:
    """Google's reason on one line, at most :data:`REASON_LIMIT` characters."""
    flat = " ".join(text.split()).rstrip(".")
    return flat if len(flat) <= REASON_LIMIT else flat[:REASON_LIMIT] + "..."


def credential_error(cred: Credential, reason: str, failure: CooldownReason, *, upstream_status: int | None = None) -> UpstreamError:
    """The client's error for a failure of ``cred`` itself (``failure``: auth or token).

    ``upstream_status`` is what Vertex answered when it refused the credential (kept for logs and
    ``GET /``); a refused token grant counts as 401, a failing token endpoint as 503.
    """
    if failure == TOKEN_ERROR:
        message = f"Google's token endpoint failed for the gateway's credential {cred.label}: {short_reason(reason)}."
        error = UpstreamError(message, upstream_status=503, code="upstream_token_error")
    else:
        message = (
            f"Google refused the gateway's credential {cred.label}: {short_reason(reason)}. "
            "This is the gateway's own Vertex AI credential, not the API key you sent."
        )
        error = UpstreamError(message, upstream_status=upstream_status or REFUSED_STATUSES[0], code="upstream_auth_failed")
        error.status = 502
    error.error_type = "api_error"
    error.credential_failure = failure
    error.failure_detail = short_reason(reason)
    return error


def refused_by_vertex(error: UpstreamError, cred: Credential) -> UpstreamError:
    """Vertex's error answer, as an ``auth_failure`` of ``cred`` when it refused the credential."""
    if error.upstream_status in REFUSED_STATUSES or error.google_reason == INVALID_KEY_REASON:
        return credential_error(cred, f"HTTP {error.upstream_status} {error.message}", AUTH_FAILURE, upstream_status=error.upstream_status)
    return error


def all_resting(retry_after: float, resting: Mapping[str, tuple[str, str | None]]) -> AdapterError:
    """The error when every credential of a route rests: a 429 when all were rate limited,
    else a 503 saying why each one rests (``resting``: label -> (reason, Google's words))."""
    seconds = max(1, round(retry_after))
    headers = {"Retry-After": str(seconds)}
    reasons = {reason for reason, _ in resting.values()}
    if reasons <= {"rate_limit"}:
        return RateLimited(f"Every credential for this route is cooling down after rate limits; retry in {seconds}s.", headers=headers)
    listed = "; ".join(
        f"{label} {WHY_RESTING.get(reason, reason)}" + (f" ({detail})" if detail else "")
        for label, (reason, detail) in sorted(resting.items())
    )
    code = "upstream_auth_failed" if AUTH_FAILURE in reasons else "upstream_token_error" if TOKEN_ERROR in reasons else "credentials_resting"
    return AdapterError(
        f"Every credential of the gateway for this route is resting: {listed}. Retry in {seconds}s.",
        code=code,
        status=503,
        headers=headers,
    )
