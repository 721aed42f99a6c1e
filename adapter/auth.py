"""Client authentication: which key a request carries, compared in constant time.

The key comes as ``Authorization: Bearer <key>`` (OpenAI's clients) or ``x-api-key: <key>``
(Anthropic's). It is ``API_KEY`` (the admin key: every model, no limits, the admin endpoints)
or a client key (:mod:`adapter.keys`). The key found is kept on the request's record, whose
log line names it (never the key itself).
"""

from __future__ import annotations

import hmac
from datetime import datetime, timezone

from flask import request

from .errors import AuthenticationFailed, PermissionDenied
from .keys.definitions import ClientKey
from .keys.registry import KeyRegistry
from .request_log import current_record


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def key_matches(given: str, expected: str) -> bool:
    """Whether ``given`` is ``expected``, compared in constant time."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def presented_key() -> str:
    """The key the request carries (``Authorization: Bearer`` or ``x-api-key``), or ''."""
    return bearer_token(request.headers.get("Authorization")) or request.headers.get("x-api-key") or ""


def has_api_key(expected: str | None) -> bool:
    """Whether the request carries the gateway's API key (for routes open to anyone that show
    more to the operator); never without one."""
    return expected is not None and key_matches(presented_key(), expected)


def check_api_key(expected: str) -> None:
    """Raise AuthenticationFailed (401) unless the request carries ``expected`` (the admin key)."""
    token = presented_key()
    if not key_matches(token, expected):
        raise _refusal(token)


def authenticate(keys: KeyRegistry, now: float) -> ClientKey:
    """The key the request carries (401 when none is known, or it expired)."""
    token = presented_key()
    key = keys.identify(token) if token else None
    if key is None:
        raise _refusal(token)
    if key.expired(now):
        ended = datetime.fromtimestamp(key.expires or now, timezone.utc).isoformat().replace("+00:00", "Z")
        raise AuthenticationFailed(f"The API key '{key.name}' expired at {ended}.", code="api_key_expired")
    current_record().client_key = key
    return key


def require_admin() -> None:
    """403 unless the request was authenticated (:func:`authenticate`) with the admin key."""
    key = current_record().client_key
    if key is None or not key.admin:
        name = f"'{key.name}'" if key else "this"
        raise PermissionDenied(f"This endpoint needs the admin key (API_KEY); the key {name} is a client key.")


def _refusal(token: str) -> AuthenticationFailed:
    if not token:
        return AuthenticationFailed("Missing API key: send it as 'Authorization: Bearer <API_KEY>'.")
    return AuthenticationFailed("Incorrect API key provided.")
